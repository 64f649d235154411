//! `vstore test` as a user runs it: migration and handler verification runs
//! before the spec files and counts toward the summary and the exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vstore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("vstore runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn copy_dir(from: &Path, to: &Path) {
    vstore::sim::mount::copy_tree(from, to).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-test-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-examples/advanced"),
        &dir,
    );
    dir
}

#[test]
fn advanced_example_passes_verification_and_specs() {
    let out = vstore(&["test", "--project", "schema-examples/advanced"]);
    let text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("ok    PlayerData migration fixtures/PlayerData/v1/veteran.json"),
        "{text}"
    );
    assert!(
        text.contains("ok    PlayerData operation GrantMatchReward on template"),
        "{text}"
    );
    assert!(text.contains("checks, 0 failed"), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

#[test]
fn undeclared_field_drop_fails_with_the_field_named() {
    let root = scratch("lossy");
    let path = root.join("migrations/PlayerData/3.luau");
    let lossy = std::fs::read_to_string(&path)
        .unwrap()
        .replace("XP = old.Progress.XP, ", "XP = (nil :: any), ");
    std::fs::write(&path, &lossy).unwrap();
    let project = root.to_str().unwrap();

    let out = vstore(&["test", "--project", project]);
    let plain = text(&out);
    assert_eq!(out.status.code(), Some(1), "{plain}");
    assert!(
        plain.contains("drops field `Progress.XP` without declaring it"),
        "{plain}"
    );
    let summary = plain.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" failed") && !summary.ends_with(" 0 failed"),
        "{plain}"
    );

    let out = vstore(&["test", "--ci", "--project", project]);
    let ci = text(&out);
    assert_eq!(out.status.code(), Some(1), "{ci}");
    assert!(
        ci.contains("::error title=vstore test PlayerData::"),
        "{ci}"
    );
    assert!(ci.contains("Progress.XP"), "{ci}");

    std::fs::write(&path, format!("--@removes Progress.XP\n{lossy}")).unwrap();
    let out = vstore(&["test", "--project", project]);
    assert!(!text(&out).contains("drops field"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn filter_that_matches_nothing_exits_one_and_says_so() {
    let out = vstore(&[
        "test",
        "--project",
        "schema-examples/advanced",
        "--filter",
        "NoCheckOrTestIsNamedLikeThis",
    ]);
    let text = text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("--filter `NoCheckOrTestIsNamedLikeThis` matches no check and no test"),
        "{text}"
    );

    let out = vstore(&[
        "test",
        "--runtime",
        "templates/runtime",
        "--specs",
        "tests/runtime/lease.spec.luau",
        "--filter",
        "NoCheckOrTestIsNamedLikeThis",
    ]);
    let plain = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{plain}");
    assert!(plain.contains("matches no check and no test"), "{plain}");
}

#[test]
fn filter_that_matches_a_test_runs_only_that_test() {
    let out = vstore(&[
        "test",
        "--project",
        "schema-examples/advanced",
        "--filter",
        "GrantMatchReward on template",
    ]);
    let text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("GrantMatchReward on template"), "{text}");
    assert!(!text.contains("migration fixtures"), "{text}");
}

/// A copy of `templates/runtime` and `templates/client` with `edit` applied to
/// `file` (relative to that copy), for `--runtime` and `--client`.
fn library_copy(name: &str, file: &str, from: &str, to: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("vstore-test-cli-lib-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    copy_dir(&templates.join("runtime"), &dir.join("runtime"));
    copy_dir(&templates.join("client"), &dir.join("client"));
    let path = dir.join(file);
    let source = std::fs::read_to_string(&path).unwrap();
    assert_eq!(source.matches(from).count(), 1, "anchor in {file}");
    std::fs::write(&path, source.replacen(from, to, 1)).unwrap();
    dir
}

fn project_test_with(dir: &Path) -> Output {
    let runtime = dir.join("runtime");
    let client = dir.join("client");
    vstore(&[
        "test",
        "--project",
        "schema-examples/advanced",
        "--runtime",
        runtime.to_str().unwrap(),
        "--client",
        client.to_str().unwrap(),
    ])
}

#[test]
fn project_mode_runs_fixture_checks_and_specs_against_the_given_runtime() {
    // The same runtime, unchanged: verification and specs both still run.
    let same = library_copy("same", "runtime/Path.luau", "--!strict", "--!strict");
    let out = project_test_with(&same);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("ok    PlayerData migration fixtures/PlayerData/v1/veteran.json"),
        "{shown}"
    );
    assert!(shown.contains(" passed, 0 failed"), "{shown}");
    // Migration steps whose returned data is dropped: the fixture checks run
    // the given Migrations module, not the compiled-in one.
    let broken = library_copy(
        "migrations",
        "runtime/Migrations.luau",
        "\t\tif result ~= nil then\n\t\t\tcurrent = result",
        "\t\tif false then\n\t\t\tcurrent = result",
    );
    let out = project_test_with(&broken);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.lines().any(|l| l
            .trim_start()
            .starts_with("FAIL  PlayerData migration fixtures/")),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&same);
    let _ = std::fs::remove_dir_all(&broken);
}

#[test]
fn project_mode_runs_the_game_specs_against_the_given_client() {
    // A client library whose replicas never become ready fails the example's
    // replication spec.
    let broken = library_copy(
        "client",
        "client/init.luau",
        "\t\tsetState(self, \"Ready\")\n\t\tnotify(self, nil)",
        "\t\tnotify(self, nil)",
    );
    let out = project_test_with(&broken);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l
                .starts_with("FAIL schema-examples/advanced/tests/replication_owner.spec.luau")),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&broken);
}
