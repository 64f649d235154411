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
        vstore::check::check_project(root).unwrap_or_else(|f| panic!("{:?}", f.diagnostics.len()));
    run(
        &checked.project,
        &VerifyOptions {
            update,
            seed: 7,
            payloads: 4,
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
