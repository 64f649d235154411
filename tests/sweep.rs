//! `vstore sim` sweeps through the real binary: a seed's trace hash does not
//! depend on `--jobs` or `--shard`, `--swarm` mixes are reproducible from
//! the seed, a failing run shrinks to a smaller command that fails the same
//! way, and `--trace` writes the events of the player a violation names.

use crate::cli_support;

use std::collections::BTreeMap;

use cli_support::{vstore, Mutant};

/// The runtime whose operation apply leaves the entry pending without a
/// receipt, so the next write applies it again (the data-level oracle).
fn double_apply(label: &str) -> Mutant {
    Mutant::new(
        label,
        "Operations.luau",
        "\t\t\t\t\ttable.insert(\n\t\t\t\t\t\tresult.Applied,\n\t\t\t\t\t\tcomplete(ledgers, entry, \"Applied\", deepCopy(outcome), nil, settings, now)\n\t\t\t\t\t)\n",
        "\t\t\t\t\ttable.insert(remaining, entry)\n",
    )
}

/// Seed -> trace hash from a sweep's per-seed table.
fn hashes(text: &str) -> BTreeMap<u64, String> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let seed = f.next()?.parse().ok()?;
            let hash = f.next().filter(|h| h.len() == 16)?;
            Some((seed, hash.to_string()))
        })
        .collect()
}

fn hash_of_single(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("trace hash "))
        .unwrap_or_else(|| panic!("no trace hash in:\n{text}"))
        .to_string()
}

/// The text after `prefix` on the first line that starts with it.
fn line_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"))
}

/// Runs a printed `vstore sim ...` command.
fn rerun(command: &str) -> (bool, String) {
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&args[..2], &["vstore", "sim"], "{command}");
    vstore(&args[1..])
}

const SMALL_CHAOS: &[&str] = &[
    "sim",
    "--project",
    "schema-examples/advanced",
    "--scenario",
    "chaos",
    "--servers",
    "2",
    "--players",
    "10",
    "--duration",
    "10m",
];

fn small_chaos(extra: &[&str]) -> (bool, String) {
    let mut args = SMALL_CHAOS.to_vec();
    args.extend_from_slice(extra);
    vstore(&args)
}

#[test]
fn a_sweep_gives_each_seed_the_same_trace_hash_with_one_or_two_jobs() {
    let (ok, one) = small_chaos(&["--seeds", "4", "--jobs", "1"]);
    assert!(ok, "{one}");
    let (ok, two) = small_chaos(&["--seeds", "1..4", "--jobs", "2"]);
    assert!(ok, "{two}");
    let (a, b) = (hashes(&one), hashes(&two));
    assert_eq!(
        a.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 4],
        "{one}"
    );
    assert_eq!(a, b, "--jobs 1:\n{one}\n--jobs 2:\n{two}");
    let distinct: std::collections::BTreeSet<&String> = a.values().collect();
    assert_eq!(distinct.len(), 4, "seeds must differ: {a:?}");
    // a seed of the sweep is the run `--seed` makes on its own
    let (ok, single) = small_chaos(&["--seed", "3"]);
    assert!(ok, "{single}");
    assert_eq!(hash_of_single(&single), a[&3]);
    assert!(two.contains("overall: 4 seeds, 0 failing"), "{two}");
    assert!(two.contains("failing seeds: none"), "{two}");
    assert!(two.contains("seeds/minute with --jobs 2"), "{two}");
}

#[test]
fn shards_split_a_sweep_into_disjoint_parts_with_the_same_hashes() {
    let (ok, all) = small_chaos(&["--seeds", "5", "--jobs", "2", "--clients", "0"]);
    assert!(ok, "{all}");
    let mut merged = BTreeMap::new();
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let (ok, part) = small_chaos(&["--seeds", "5", "--shard", &shard, "--clients", "0"]);
        assert!(ok, "{part}");
        assert!(part.contains(&format!("(shard {k}/2 of 5)")), "{part}");
        let h = hashes(&part);
        assert!(h.keys().all(|s| !merged.contains_key(s)), "overlap: {h:?}");
        merged.extend(h);
    }
    assert_eq!(merged, hashes(&all));
}

#[test]
fn bad_sweep_options_are_usage_errors_that_say_what_is_accepted() {
    for (args, says) in [
        (vec!["--seeds", "0"], "is not a seed list"),
        (vec!["--seeds", "4", "--shard", "3/2"], "is not a shard"),
        (vec!["--faults", "quakes=1"], "`quakes` is not a fault"),
        (vec!["--faults", "errors=2"], "from 0 to 1"),
        (vec!["--jobs", "0"], "--jobs must be at least 1"),
    ] {
        let (ok, text) = small_chaos(&args);
        assert!(!ok, "{args:?} was accepted:\n{text}");
        assert!(text.contains(says), "{args:?}:\n{text}");
    }
}

#[test]
fn faults_replace_the_preset_and_the_mix_that_ran_is_printed() {
    let (ok, text) = small_chaos(&["--seed", "2", "--faults", "loss=0.25,errors=0.02"]);
    assert!(ok, "{text}");
    // what is not named is off, whatever the scenario's preset holds
    assert!(
        text.contains("fault mix: errors=0.02,loss=0.25\n"),
        "{text}"
    );
    // the scenario's name does not change a run that names its faults
    let mut args = SMALL_CHAOS.to_vec();
    args[4] = "steady";
    args.extend_from_slice(&["--seed", "2", "--faults", "errors=0.02,loss=0.25"]);
    let (ok, steady) = vstore(&args);
    assert!(ok, "{steady}");
    assert_eq!(hash_of_single(&steady), hash_of_single(&text));
}

#[test]
fn swarm_seeds_draw_their_own_mix_and_the_seed_reproduces_it() {
    let mutant = double_apply("swarm");
    let (ok, text) = small_chaos(&[
        "--seeds",
        "1..3",
        "--swarm",
        "--shrink-runs",
        "0",
        "--runtime",
        mutant.path(),
    ]);
    assert!(!ok, "the mutant passed:\n{text}");
    assert!(
        text.contains("fault mix: swarm (each seed draws its own)"),
        "{text}"
    );
    let sweep = hashes(&text);
    let mut mixes = Vec::new();
    for seed in [1u64, 2, 3] {
        let block = text
            .split(&format!("\nseed {seed}: "))
            .nth(1)
            .unwrap_or_else(|| panic!("seed {seed} did not fail:\n{text}"));
        let mix = line_after(block, "fault mix: ").to_string();
        let replay = line_after(block, "replay: ");
        assert!(
            replay.contains(&format!("--seed {seed} --swarm")),
            "{replay}"
        );
        // the seed alone gives the same mix and the same run
        let (_, again) = rerun(&format!("{replay} --shrink-runs 0"));
        assert_eq!(line_after(&again, "fault mix: "), mix, "{again}");
        assert_eq!(hash_of_single(&again), sweep[&seed], "{again}");
        // and so does the mix spelled out
        let (_, spelled) = rerun(&format!(
            "{} --faults {mix} --shrink-runs 0",
            replay.replace(" --swarm", "")
        ));
        assert_eq!(hash_of_single(&spelled), sweep[&seed], "{spelled}");
        mixes.push(mix);
    }
    assert!(mixes[0] != mixes[1] || mixes[1] != mixes[2], "{mixes:?}");
}

#[test]
fn shrinking_reduces_a_failing_4x200x1h_chaos_run_to_a_smaller_command_that_fails_the_same_way() {
    let mutant = double_apply("shrink");
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/advanced",
        "--scenario",
        "chaos",
        "--servers",
        "4",
        "--players",
        "200",
        "--duration",
        "1h",
        "--seed",
        "1",
        "--runtime",
        mutant.path(),
    ]);
    assert!(!ok, "the mutant passed:\n{text}");
    assert!(
        text.contains("operation applied twice at data level"),
        "{text}"
    );
    let smallest = line_after(&text, "smallest reproduction: ");
    let arg = |name: &str| -> String {
        let f: Vec<&str> = smallest.split_whitespace().collect();
        let i = f
            .iter()
            .position(|a| *a == name)
            .unwrap_or_else(|| panic!("{name} missing: {smallest}"));
        f[i + 1].to_string()
    };
    let players: usize = arg("--players").parse().unwrap();
    let servers: usize = arg("--servers").parse().unwrap();
    assert!(players < 200 && servers <= 4, "{smallest}");
    assert_ne!(arg("--duration"), "1h", "{smallest}");
    assert_eq!(arg("--seed"), "1");
    assert_eq!(arg("--runtime"), mutant.path());
    assert!(
        line_after(&text, "shrunk seed 1 (double-apply-data) in ").contains("players 200 -> "),
        "{text}"
    );
    // the printed command fails again, with the same oracle
    let (ok, again) = rerun(&format!("{smallest} --shrink-runs 0"));
    assert!(!ok, "{again}");
    assert!(
        again.contains("operation applied twice at data level"),
        "{again}"
    );
    assert!(again.contains(&format!("replay: {smallest}")), "{again}");
}

#[test]
fn a_trace_holds_the_events_of_the_player_the_violation_names_in_time_order() {
    let mutant = double_apply("trace");
    let file = std::env::temp_dir().join(format!("vstore-trace-{}.jsonl", std::process::id()));
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/advanced",
        "--servers",
        "1",
        "--players",
        "3",
        "--duration",
        "15m",
        "--clients",
        "0",
        "--shrink-runs",
        "0",
        "--runtime",
        mutant.path(),
        "--trace",
        file.to_str().unwrap(),
    ]);
    assert!(!ok, "{text}");
    let named = line_after(&text, "trace: ");
    let player: i64 = named
        .split("about Player_")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{named}"));
    let body = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).ok();
    let events: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds = |k: &str| events.iter().filter(|e| e["event"] == k).count();
    assert!(
        kinds("join") >= 1 && kinds("write") >= 1 && kinds("open") >= 1,
        "{body}"
    );
    assert!(
        kinds("violation") >= 1 && kinds("server-start") == 1,
        "{body}"
    );
    let key = format!("Player_{player}");
    for e in &events {
        if let Some(p) = e.get("player") {
            assert_eq!(p.as_i64(), Some(player), "another player's event: {e}");
        }
        if let Some(k) = e.get("key") {
            assert_eq!(k.as_str(), Some(key.as_str()), "another record: {e}");
        }
    }
    let times: Vec<f64> = events.iter().map(|e| e["t"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // the write that holds the doubled coins shows the reward path's value
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "write"
                && e["detail"].as_str().unwrap().contains("Wallet.Coins = ")),
        "{body}"
    );
}
