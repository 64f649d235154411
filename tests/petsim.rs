//! The pet simulator example (`schema-examples/petsim`) is a whole game that
//! goes through everything a user's game does: `vstore check` (strict types
//! of its handler and migration, `--rojo` over its own scripts), `build`,
//! `test` (fixtures of its version 1 through the migration, its specs through
//! its remotes), `sim` under every scenario with 0 violations, `rojo build`
//! with one of each service, and StyLua, selene and the strict type check of
//! its own Luau. Its workload and invariants run under `vstore sim
//! --workload shop`: the workload drives the game's remotes from every
//! player's client VM, and a shop handler that grants before it checks the
//! balance is caught by the invariants within ten seeds while the real one
//! passes the same seeds.

use crate::gates_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gates_support::{repo, selene, stylua, temp_dir, tool, typecheck_binary, Gate};

fn example() -> PathBuf {
    repo().join("schema-examples/petsim")
}

fn vstore_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("vstore runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A copy of the example (without a build) to run and edit.
fn copy(label: &str) -> PathBuf {
    let dir = temp_dir(&format!("petsim-{label}")).join("petsim");
    vstore::sim::mount::copy_tree(&example(), &dir).unwrap();
    let _ = fs::remove_dir_all(dir.join("build"));
    dir
}

/// A copy of the example, built.
fn built(label: &str) -> PathBuf {
    let dir = copy(label);
    let (code, text) = vstore_in(&dir, &["build"]);
    assert_eq!(code, Some(0), "{text}");
    dir
}

fn checks_with_strict_types_and_its_own_scripts() {
    let (code, text) = vstore_in(&example(), &["check", "--rojo"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 warning(s)"), "{text}");
    // the lock is what `vstore release` records for this schema
    let (code, text) = vstore_in(&example(), &["release", "--check"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = vstore_in(&example(), &["diff"]);
    assert_eq!(code, Some(0), "{text}");
}

fn builds_and_its_specs_and_fixtures_pass() {
    let dir = built("test");
    let (code, text) = vstore_in(&dir, &["build", "--check"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = vstore_in(&dir, &["test"]);
    assert_eq!(code, Some(0), "{text}");
    for name in [
        "the shop > hatches a pet for a player who can pay, and charges the price once",
        "the shop > refuses hostile arguments and counts a strike for each",
        "gem packs > grant their gems once for a receipt delivered three times",
        "quests > pay their reward once the goal is reached, and only once",
        "the HUD > shows the player's coins, gems and pets in a TextLabel under PlayerGui",
    ] {
        assert!(
            text.contains(&format!("> {name}")),
            "{name} missing:\n{text}"
        );
    }
    assert!(text.contains(", 0 failed"), "{text}");
    // the version 1 fixtures went through the map -> array migration
    assert!(text.contains("v1/collector"), "{text}");
}

fn every_scenario_runs_with_zero_violations() {
    for scenario in [
        "steady",
        "teleport-storm",
        "outage",
        "crashes",
        "ambiguous",
        "chaos",
    ] {
        let (code, text) = vstore_in(
            &example(),
            &[
                "sim",
                "--scenario",
                scenario,
                "--servers",
                "2",
                "--players",
                "8",
                "--duration",
                "10m",
                "--clients",
                "8",
                "--ci",
            ],
        );
        assert_eq!(code, Some(0), "{scenario}:\n{text}");
        assert!(text.contains("violations: 0"), "{scenario}:\n{text}");
        // the HUD LocalScript runs in every client VM without raising
        assert!(
            !text.contains("errors raised in simulated threads"),
            "{scenario}:\n{text}"
        );
        assert!(
            text.contains("game scripts from ./default.project.json"),
            "{text}"
        );
        assert!(
            text.contains("game invariants: 4 per record, 1 over the store"),
            "{text}"
        );
    }
}

/// Counts of each `<Item class="...">` in a place file, with names.
fn classes(xml: &str) -> Vec<(String, String)> {
    xml.split("<Item class=\"")
        .skip(1)
        .map(|chunk| {
            let class = chunk.split('"').next().unwrap_or_default().to_string();
            let name = chunk
                .split("<string name=\"Name\">")
                .nth(1)
                .and_then(|r| r.split("</string>").next())
                .unwrap_or_default()
                .to_string();
            (class, name)
        })
        .collect()
}

fn rojo_build_has_one_of_each_service() {
    let Some(rojo) = tool("rojo") else { return };
    let dir = built("rojo");
    let out = Command::new(rojo)
        .current_dir(&dir)
        .args(["build", "default.project.json", "-o", "game.rbxlx"])
        .output()
        .expect("rojo starts");
    assert!(
        out.status.success(),
        "rojo build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items = classes(&fs::read_to_string(dir.join("game.rbxlx")).unwrap());
    let count = |class: &str| items.iter().filter(|(c, _)| c == class).count();
    for service in [
        "ServerScriptService",
        "ReplicatedStorage",
        "StarterPlayer",
        "StarterPlayerScripts",
    ] {
        assert_eq!(count(service), 1, "{service} in {items:?}");
    }
    let has = |class: &str, name: &str| items.iter().any(|(c, n)| c == class && n == name);
    for (class, name) in [
        ("ModuleScript", "VirtualStore"),
        ("ModuleScript", "PlayerData"),
        ("ModuleScript", "VirtualStoreClient"),
        ("ModuleScript", "PlayerDataClient"),
        ("ModuleScript", "DataService"),
        ("ModuleScript", "Shop"),
        ("Script", "RemoteHandlers"),
        ("Script", "Receipts"),
        ("Script", "Playtime"),
        ("LocalScript", "Hud"),
        ("RemoteEvent", "BuyEgg"),
        ("RemoteEvent", "CollectCoins"),
    ] {
        assert!(has(class, name), "{class} {name} missing from {items:?}");
    }
}

/// The game's own Luau (server, client, shared, workload, invariants,
/// handler, migration) with the package, laid out as the place has it.
fn game_luau_passes_stylua_selene_and_strict_types() {
    let dir = built("gates");
    for sub in ["src", "sim", "operations", "migrations", "tests"] {
        stylua(&dir.join(sub));
    }
    selene(&dir.join("src"));
    selene(&dir.join("sim"));
    let game = temp_dir("petsim-types");
    vstore::sim::mount::copy_tree(&dir.join("build"), &game.join("build")).unwrap();
    vstore::sim::mount::copy_tree(&dir.join("src"), &game.join("src")).unwrap();
    fs::copy(
        dir.join("default.project.json"),
        game.join("default.project.json"),
    )
    .unwrap();
    let out = Command::new(typecheck_binary())
        .arg(&game)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the game's scripts do not type-check:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sim(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![
        "sim",
        "--workload",
        "shop",
        "--servers",
        "2",
        "--players",
        "6",
        "--duration",
        "8m",
        "--ci",
    ];
    args.extend_from_slice(extra);
    vstore_in(dir, &args)
}

/// The number after `label` in `text`.
fn number_after(text: &str, label: &str) -> Option<usize> {
    let rest = &text[text.find(label)? + label.len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())?
        .parse()
        .ok()
}

fn workload_drives_the_remotes_from_every_client_vm() {
    let dir = copy("workload");
    // a probe beside the game's scripts records which player each BuyEgg
    // request came from, as the server sees it
    fs::write(
        dir.join("src/server/Probe.server.luau"),
        r#"--!strict
local ReplicatedStorage = game:GetService("ReplicatedStorage")
local store = game:GetService("DataStoreService"):GetDataStore("Probe")
local BuyEgg = ReplicatedStorage:WaitForChild("Remotes"):WaitForChild("BuyEgg") :: RemoteEvent
BuyEgg.OnServerEvent:Connect(function(player: Player)
	store:IncrementAsync(`from_{player.UserId}`, 1)
end)
"#,
    )
    .unwrap();
    let (code, text) = sim(&dir, &["--seed", "3", "--trace", "trace.jsonl"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("violations: 0"), "{text}");
    // six players joined at least once, each with a client VM running it
    let clients = number_after(&text, "actions from ").expect("a workload line");
    assert!(clients >= 6, "{text}");
    let actions = number_after(&text, "workload shop: ").unwrap();
    assert!(actions > 100, "{text}");
    for name in ["BuyEgg ", "CollectCoins ", "Hostile ", "EquipPet "] {
        assert!(text.contains(name), "{name} never ran:\n{text}");
    }
    assert!(text.contains(", 0 raised"), "{text}");
    // the server saw the BuyEgg requests as coming from the players
    let increments = number_after(&text, "IncrementAsync").unwrap_or(0);
    assert!(increments > 10, "{text}");
    let trace = fs::read_to_string(dir.join("trace.jsonl")).unwrap();
    assert!(
        trace.contains("\"event\":\"action\"") && trace.contains("workload action BuyEgg"),
        "{}",
        &trace[..trace.len().min(2000)]
    );
}

/// The broken shop: it hands over the pet first and charges afterwards, so a
/// player who cannot pay keeps a pet nobody paid for.
const GRANTS_BEFORE_CHECKING: (&str, &str) = (
    "\tedit(player, \"BuyEgg\", function(profile)\n\t\t-- check everything before granting anything\n",
    "\tData:Insert(player, { \"Pets\" }, { Id = `{player.UserId}-free`, Kind = kind, Quality = quality, Level = 1 })\n\tedit(player, \"BuyEgg\", function(profile)\n\t\t-- check everything before granting anything\n",
);

fn invariants_catch_a_shop_that_grants_before_checking_the_balance() {
    let dir = copy("mutant");
    let handlers = dir.join("src/server/RemoteHandlers.server.luau");
    let text = fs::read_to_string(&handlers).unwrap();
    let (from, to) = GRANTS_BEFORE_CHECKING;
    assert_eq!(text.matches(from).count(), 1, "the mutation anchor");
    fs::write(&handlers, text.replacen(from, to, 1)).unwrap();
    let (code, text) = sim(
        &dir,
        &["--seeds", "1..10", "--jobs", "2", "--shrink-runs", "0"],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("invariant:PetsWerePaidFor") || text.contains("invariant:PetIdsAreUnique"),
        "{text}"
    );
    assert!(
        text.contains("invariant PetsWerePaidFor (sim/economy.invariant.luau) fails at Pets"),
        "{text}"
    );
    // the replay command names the workload
    assert!(text.contains("--workload shop"), "{text}");

    // the real handler passes the same ten seeds
    let (code, text) = sim(&copy("real"), &["--seeds", "1..10", "--jobs", "2"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("10 seeds, 0 failing"), "{text}");
}

/// A shop whose pet IDs are unique only within one profile: two players'
/// first pets share an ID, which only an invariant over every record sees.
const IDS_UNIQUE_PER_PROFILE: (&str, &str) = (
    "local id = `{player.UserId}-{profile.Stats.EggsHatched}`",
    "local id = `pet-{profile.Stats.EggsHatched}`",
);

fn a_cross_record_invariant_catches_pet_ids_shared_between_profiles() {
    let dir = copy("ids");
    let handlers = dir.join("src/server/RemoteHandlers.server.luau");
    let text = fs::read_to_string(&handlers).unwrap();
    let (from, to) = IDS_UNIQUE_PER_PROFILE;
    assert_eq!(text.matches(from).count(), 1, "the mutation anchor");
    fs::write(&handlers, text.replacen(from, to, 1)).unwrap();
    let (code, text) = sim(&dir, &["--seed", "1", "--shrink-runs", "0"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("invariant PetIdsAreUnique (sim/economy.invariant.luau) fails at Pets."),
        "{text}"
    );
    assert!(
        text.contains("expected an ID no other pet has (Player_"),
        "{text}"
    );
    // the per-record invariants still hold: each profile is consistent alone
    assert!(!text.contains("invariant PetsWerePaidFor ("), "{text}");
}

fn an_unknown_workload_names_the_ones_there_are() {
    let (code, text) = vstore_in(&example(), &["sim", "--workload", "shpo", "--ci"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("no workload `shpo`"), "{text}");
    assert!(text.contains("the project has: shop"), "{text}");
}

/// The gates of this file, run by the `gates` harness (`tests/gates.rs`).
pub fn gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        (
            "petsim_checks_with_strict_types_and_its_own_scripts",
            checks_with_strict_types_and_its_own_scripts,
        ),
        (
            "petsim_builds_and_its_specs_and_fixtures_pass",
            builds_and_its_specs_and_fixtures_pass,
        ),
        (
            "petsim_every_scenario_runs_with_zero_violations",
            every_scenario_runs_with_zero_violations,
        ),
        (
            "petsim_rojo_build_has_one_of_each_service",
            rojo_build_has_one_of_each_service,
        ),
        (
            "petsim_game_luau_passes_stylua_selene_and_strict_types",
            game_luau_passes_stylua_selene_and_strict_types,
        ),
        (
            "workload_drives_the_remotes_from_every_client_vm",
            workload_drives_the_remotes_from_every_client_vm,
        ),
        (
            "invariants_catch_a_shop_that_grants_before_checking_the_balance",
            invariants_catch_a_shop_that_grants_before_checking_the_balance,
        ),
        (
            "a_cross_record_invariant_catches_pet_ids_shared_between_profiles",
            a_cross_record_invariant_catches_pet_ids_shared_between_profiles,
        ),
        (
            "an_unknown_workload_names_the_ones_there_are",
            an_unknown_workload_names_the_ones_there_are,
        ),
    ];
    gates.to_vec()
}
