//! `sim::verify` over real example projects: fixtures migrate, validate and
//! snapshot; handlers are deterministic, idempotent and stay in their writes;
//! a non-deterministic handler and a lossy migration are caught.

use std::path::{Path, PathBuf};

use vstore::sim::verify::{run, VerifyOptions};

fn copy_dir(from: &Path, to: &Path) {
    vstore::sim::mount::copy_tree(from, to).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-verify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-examples/advanced"),
        &dir,
    );
    let _ = std::fs::remove_dir_all(dir.join("fixtures/PlayerData/snapshots"));
    dir
}

fn verify(root: &Path, update: bool) -> vstore::sim::verify::VerifyReport {
    let checked =
        vstore::check::check_project(root).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    run(
        &checked.project,
        &VerifyOptions {
            update,
            seed: 7,
            payloads: 4,
            runtime: None,
        },
    )
}

#[test]
fn advanced_example_fixtures_and_handlers_pass_and_snapshot() {
    let root = scratch("pass");
    let report = verify(&root, false);
    assert_eq!(report.failures(), 0, "{report}");
    assert!(report
        .checks
        .iter()
        .any(|c| c.subject.contains("v1/veteran.json")));
    assert!(report
        .checks
        .iter()
        .any(|c| c.subject.starts_with("operation GrantMatchReward")));
    let snapshots = root.join("fixtures/PlayerData/snapshots");
    let snap = std::fs::read_to_string(snapshots.join("v1-veteran.v4.json")).unwrap();
    assert!(
        snap.contains("\"SeasonPoints\": 0")
            && snap.contains("\"Reserved\": 0")
            && snap.contains("1250"),
        "{snap}"
    );
    let again = verify(&root, false);
    assert_eq!(again.failures(), 0, "{again}");
}

#[test]
fn changed_migration_output_is_reported_against_its_snapshot_until_update() {
    let root = scratch("snapshot");
    verify(&root, false);
    let file = root.join("fixtures/PlayerData/snapshots/v2-collector.v4.json");
    std::fs::write(&file, "{}\n").unwrap();
    let report = verify(&root, false);
    assert_eq!(report.failures(), 1, "{report}");
    assert!(report.render_ci().contains("--update"));
    assert_eq!(verify(&root, true).failures(), 0);
}

#[test]
fn non_deterministic_handler_is_caught() {
    let root = scratch("nondet");
    std::fs::write(
        root.join("operations/GrantMatchReward.luau"),
        "--!strict\nlocal calls = 0\nreturn function(profile: any, payload: any): number\n\tcalls += 1\n\tprofile.Wallet.Coins += payload.Coins + calls\n\treturn profile.Wallet.Coins\nend\n",
    )
    .unwrap();
    let report = verify(&root, false);
    assert!(report.failures() > 0, "{report}");
    let text = report.render_ci();
    assert!(
        text.contains("not deterministic") && text.contains("Wallet.Coins"),
        "{text}"
    );
    assert!(text.contains("::error"), "{text}");
}

#[test]
fn migration_losing_a_field_is_caught_unless_declared() {
    let root = scratch("lossy");
    let path = root.join("migrations/PlayerData/3.luau");
    let lossy = std::fs::read_to_string(&path)
        .unwrap()
        .replace("XP = old.Progress.XP, ", "XP = (nil :: any), ");
    std::fs::write(&path, &lossy).unwrap();
    let report = verify(&root, false);
    let text = report.to_string();
    assert!(
        text.contains("drops field `Progress.XP` without declaring it"),
        "{text}"
    );
    std::fs::write(&path, format!("--@removes Progress.XP\n{lossy}")).unwrap();
    let report = verify(&root, false);
    assert!(!report.to_string().contains("drops field"), "{report}");
}

const PETS_V1: &str = r#"[stores.PlayerData]
kind = "players"
version = 1

[stores.PlayerData.template]
Coins = { type = "integer", default = 0 }
Pets = { type = "{[string]: { Kind: string, Level: integer }}", default = {} }
"#;

const PETS_V2: &str = r#"[stores.PlayerData]
kind = "players"
version = 2

[stores.PlayerData.template]
Coins = { type = "integer", default = 0 }
Pets = { type = "{{ Id: string, Kind: string, Level: integer }}", default = [] }

[[stores.PlayerData.migrations]]
to = 2
file = "migrations/2.luau"
"#;

/// A project whose version 1 (pets in a map) is released and whose version 2
/// keeps them in an array, migrated by `migration`.
fn pets(name: &str, migration: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-verify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::create_dir_all(dir.join("fixtures/PlayerData/v1")).unwrap();
    std::fs::write(dir.join("virtualstore.toml"), PETS_V1).unwrap();
    let v1 = vstore::check::check_project(&dir).unwrap();
    vstore::schema::lock::write(&dir, &vstore::schema::lock::release(&v1.project, &v1.lock))
        .unwrap();
    std::fs::write(dir.join("virtualstore.toml"), PETS_V2).unwrap();
    std::fs::write(dir.join("migrations/2.luau"), migration).unwrap();
    std::fs::write(
        dir.join("fixtures/PlayerData/v1/pets.json"),
        r#"{ "Coins": 5, "Pets": { "p1": { "Kind": "Cat", "Level": 3 }, "p2": { "Kind": "Dog", "Level": 7 } } }"#,
    )
    .unwrap();
    dir
}

#[test]
fn a_map_of_records_migrated_to_an_array_loses_no_field() {
    let root = pets(
        "map-to-array",
        "return function(old: V1): V2\n\tlocal list: { any } = {}\n\tfor id, pet in old.Pets do\n\t\ttable.insert(list, { Id = id, Kind = pet.Kind, Level = pet.Level })\n\tend\n\ttable.sort(list, function(a: any, b: any) return a.Id < b.Id end)\n\treturn { Coins = old.Coins, Pets = list }\nend\n",
    );
    let report = verify(&root, true);
    assert_eq!(report.failures(), 0, "{report}");
}

#[test]
fn every_field_a_migration_drops_is_named_by_schema_path_in_one_run() {
    let root = pets(
        "drops-two",
        "return function(old: V1): V2\n\t-- `any` entries: only the run-time removal check can see the loss.\n\tlocal list: { any } = {}\n\tfor id in old.Pets do\n\t\ttable.insert(list, { Id = id })\n\tend\n\ttable.sort(list, function(a: any, b: any) return a.Id < b.Id end)\n\treturn { Coins = old.Coins, Pets = list }\nend\n",
    );
    let text = verify(&root, true).to_string();
    assert!(
        text.contains("migration to version 2 drops 2 fields without declaring them: `Pets[].Kind`, `Pets[].Level`"),
        "{text}"
    );
    assert!(
        !text.contains("p1") && !text.contains("p2"),
        "fixture keys leak into the report: {text}"
    );
}
