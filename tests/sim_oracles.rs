//! The `vstore sim` oracles through the real binary: each one fires on a
//! runtime with one deliberate bug (and names what it found), the real runtime
//! passes them all, and the game's own Rojo scripts run on every simulated
//! server.

use crate::cli_support;

use cli_support::{vstore, Mutant};

/// Runs `vstore sim` on the advanced example with `extra` arguments and a mutant runtime.
fn sim_with(mutant: &Mutant, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["sim", "--project", "schema-examples/advanced"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--runtime", mutant.path()]);
    vstore(&args)
}

/// The number printed after `label` on the line that starts with it.
fn count_after(text: &str, label: &str) -> usize {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{text}"));
    line.trim_start()[label.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no number after `{label}` in `{line}`"))
}

#[test]
fn a_replication_that_drops_a_patch_without_resync_fails_the_client_mirror_oracle() {
    // every seventh patch is not sent and does not use a revision, so the
    // client never notices the gap
    let mutant = Mutant::new(
        "mirror",
        "Replication.luau",
        "\tstate._revision += 1\n\tchannel.Diagnostics.PatchesSent += 1\n",
        "\tlocal sent = ((state :: any)._sent or 0) + 1\n\t(state :: any)._sent = sent\n\tif sent % 7 == 0 then\n\t\treturn\n\tend\n\tstate._revision += 1\n\tchannel.Diagnostics.PatchesSent += 1\n",
    );
    let (ok, text) = sim_with(&mutant, &["--seed", "1"]);
    assert!(!ok, "the broken replication passed the oracles:\n{text}");
    assert!(
        text.contains("client mirror differs from the public projection at Wallet."),
        "{text}"
    );
    assert!(
        text.contains("replay: vstore sim --scenario steady"),
        "{text}"
    );
}

#[test]
fn a_load_that_falls_back_to_the_template_on_a_failed_read_fails_the_blank_open_oracle() {
    let mutant = Mutant::new(
        "blank",
        "StoreOpen.luau",
        "\t\tif decision and requestError == nil and (kind == \"Write\" or kind == \"Applied\") then\n",
        "\t\tif requestError then\n\t\t\tlocal blank = require(script.Parent.Envelope).new(Path.deepCopy(store._template), store._schemaVersion, os.time())\n\t\t\treturn openSession(store, key, token, blank, nil), nil\n\t\tend\n\t\tif decision and (kind == \"Write\" or kind == \"Applied\") then\n",
    );
    let (ok, text) = sim_with(
        &mutant,
        &[
            "--scenario",
            "outage",
            "--players",
            "40",
            "--duration",
            "30m",
            "--seed",
            "1",
        ],
    );
    assert!(!ok, "the blank-opening runtime passed the oracles:\n{text}");
    assert!(
        text.contains("blank open after failed load: the session opened with Wallet.Gems = 0 (the template) while the stored record holds Wallet.Gems = "),
        "{text}"
    );
}

#[test]
fn an_operation_applied_without_its_receipt_fails_the_data_level_double_apply_oracle() {
    // the handler's result is kept but the entry stays pending with no receipt,
    // so the next write applies it again
    let mutant = Mutant::new(
        "double",
        "Operations.luau",
        "\t\t\t\t\ttable.insert(\n\t\t\t\t\t\tresult.Applied,\n\t\t\t\t\t\tcomplete(ledgers, entry, \"Applied\", deepCopy(outcome), nil, settings, now)\n\t\t\t\t\t)\n",
        "\t\t\t\t\ttable.insert(remaining, entry)\n",
    );
    let (ok, text) = sim_with(&mutant, &["--scenario", "ambiguous", "--seed", "1"]);
    assert!(
        !ok,
        "the double-applying runtime passed the oracles:\n{text}"
    );
    assert!(
        text.contains("operation applied twice at data level: Wallet.Coins = "),
        "{text}"
    );
    assert!(
        text.contains("applied GrantMatchReward operation(s) of 250"),
        "{text}"
    );
    // no receipt was written, so only the data-level check can see it
    assert!(!text.contains("applied twice\n"), "{text}");
}

#[test]
fn a_release_that_keeps_the_lease_when_nothing_changed_fails_the_availability_oracle() {
    // A clean release leaves its lease in the record: the player's next open
    // on another server waits for the expiry and fails with LockTimeout.
    let mutant = Mutant::new(
        "availability",
        "Record.luau",
        "elseif rule == \"Release\" or (holder == nil and dataChanged) then",
        "elseif holder == nil and dataChanged then",
    );
    let (ok, text) = sim_with(&mutant, &["--seed", "1", "--shrink-runs", "0"]);
    assert!(!ok, "the broken release passed the oracles:\n{text}");
    assert!(
        text.contains("failed with LockTimeout in a run without crashes, partitions or outages"),
        "{text}"
    );
    // The same failures under crashes are not judged: a crashed owner holds
    // its lease until it expires.
    let (_, text) = sim_with(
        &mutant,
        &["--scenario", "crashes", "--seed", "1", "--shrink-runs", "0"],
    );
    assert!(!text.contains("in a run without crashes"), "{text}");
}

#[test]
fn a_release_that_reports_success_without_storing_its_data_fails_the_release_ack_oracle() {
    // The release gives the lease back over the data last saved, as if the
    // final data could not be stored, and still reports success.
    let mutant = Mutant::new(
        "release-ack",
        "SessionCommit.luau",
        "\tlocal ok, err = SessionCommit.commit(session, \"Release\")\n",
        "\tlocal ok, err = SessionCommit.commit(session, \"Release\", nil, true)\n",
    );
    let (ok, text) = sim_with(&mutant, &["--seed", "1", "--shrink-runs", "0"]);
    assert!(!ok, "the broken release passed the oracles:\n{text}");
    assert!(text.contains("acknowledged release lost"), "{text}");
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/advanced",
        "--seed",
        "1",
    ]);
    assert!(ok, "the real runtime violated an oracle:\n{text}");
    assert!(count_after(&text, "sessions") > 0, "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("acknowledged releases"))
        .unwrap_or_else(|| panic!("no release count in:\n{text}"));
    let releases: usize = line
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(releases > 0, "no release was acknowledged: {line}");
}

#[test]
fn the_real_runtime_passes_every_oracle_under_ambiguous_commits() {
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/advanced",
        "--scenario",
        "ambiguous",
        "--servers",
        "3",
        "--players",
        "40",
        "--duration",
        "30m",
        "--seed",
        "2",
    ]);
    assert!(ok, "the real runtime violated an oracle:\n{text}");
    assert!(text.contains("violations: 0"), "{text}");
    assert!(count_after(&text, "client mirror oracle:") > 100, "{text}");
    assert!(text.contains("on 16 sampled players"), "{text}");
    assert!(
        count_after(
            &text,
            "opens checked against the stored record (Wallet.Gems):"
        ) > 50,
        "{text}"
    );
    assert!(
        text.contains(
            "reward ledger vs data (GrantMatchReward adds 250 to Wallet.Coins): 40 records checked"
        ),
        "{text}"
    );
}

#[test]
fn clients_zero_reports_the_client_mirror_oracle_as_skipped() {
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/basic",
        "--clients",
        "0",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("client mirror oracle: skipped (--clients 0)"),
        "{text}"
    );
    // the basic example has no operation: gameplay counts on its only integer
    assert!(text.contains("reward ledger vs data: skipped"), "{text}");
    assert!(
        text.contains("opens checked against the stored record (Wallet.Coins):"),
        "{text}"
    );
}

/// The `SetAsync` count `vstore sim` printed: one per server that ran the
/// fixture game's `Beacon.server.luau`.
fn beacon_writes(text: &str) -> usize {
    text.lines()
        .find(|l| l.trim_start().starts_with("SetAsync "))
        .map(|_| count_after(text, "SetAsync"))
        .unwrap_or(0)
}

#[test]
fn the_game_rojo_project_beside_virtualstore_toml_runs_on_every_simulated_server() {
    let (ok, text) = vstore(&["sim", "--project", "tests/sim_rojo", "--servers", "3"]);
    assert!(ok, "{text}");
    assert_eq!(beacon_writes(&text), 3, "{text}");
    assert!(
        text.contains("game scripts from tests/sim_rojo/default.project.json"),
        "{text}"
    );
}

#[test]
fn rojo_names_the_game_project_and_replacement_servers_run_its_scripts_too() {
    // the crashes scenario kills a server at each quarter and starts a
    // replacement: 2 first servers + 3 replacements
    let args = [
        "sim",
        "--project",
        "schema-examples/basic",
        "--scenario",
        "crashes",
        "--servers",
        "2",
        "--rojo",
        "tests/sim_rojo/basic.project.json",
    ];
    let (ok, text) = vstore(&args);
    assert!(ok, "{text}");
    assert_eq!(beacon_writes(&text), 5, "{text}");
    let (ok, text) = vstore(&args[..args.len() - 2]);
    assert!(ok, "{text}");
    assert_eq!(beacon_writes(&text), 0, "without --rojo:\n{text}");
}

#[test]
fn a_missing_rojo_project_is_a_usage_error() {
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/basic",
        "--rojo",
        "tests/sim_rojo/missing.project.json",
    ]);
    assert!(!ok);
    assert!(text.contains("missing.project.json"), "{text}");
}

#[test]
fn a_liveness_check_that_takes_a_fresh_entry_for_a_dead_owner_fails_the_live_lease_oracle() {
    // every liveness read answers "Dead", so a join claims the lease of a
    // server that is alive and refreshing its entry: a server cut off from
    // the DataStore (not from MemoryStore) cannot release the players who
    // teleport away, and their next server finds the lease held
    let mutant = Mutant::new(
        "fresh-entry",
        "Liveness.luau",
        "elseif entry == nil then \"Dead\" else \"Alive\"",
        "else \"Dead\"",
    );
    let (ok, text) = sim_with(
        &mutant,
        &[
            "--faults",
            "partition=200,teleports=0.7",
            "--seed",
            "1",
            "--shrink-runs",
            "0",
        ],
    );
    assert!(!ok, "the claiming runtime passed the oracles:\n{text}");
    assert!(
        text.contains("but its owner's liveness entry never lapsed while the lease was stored"),
        "{text}"
    );
}

#[test]
fn a_liveness_check_that_takes_a_failed_read_for_a_dead_owner_fails_the_live_lease_oracle() {
    // a MemoryStore read that fails answers "Dead" instead of "Unknown"
    let mutant = Mutant::new(
        "failed-read",
        "Liveness.luau",
        "if not ok then \"Unknown\" elseif",
        "if not ok then \"Dead\" elseif",
    );
    let faults = "partition=200,teleports=0.7,ms-errors=0.5";
    let (ok, text) = sim_with(
        &mutant,
        &["--faults", faults, "--seed", "1", "--shrink-runs", "0"],
    );
    assert!(!ok, "the claiming runtime passed the oracles:\n{text}");
    assert!(
        text.contains("but its owner's liveness entry never lapsed while the lease was stored"),
        "{text}"
    );
    // the real runtime under the same faults waits for the lease instead
    let (ok, text) = vstore(&[
        "sim",
        "--project",
        "schema-examples/advanced",
        "--runtime",
        "templates/runtime",
        "--faults",
        faults,
        "--seed",
        "1",
    ]);
    assert!(
        ok,
        "the real runtime failed under MemoryStore errors:\n{text}"
    );
    assert!(!text.contains("liveness entry never lapsed"), "{text}");
}
