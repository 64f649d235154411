//! User Luau that never yields, or grows without bound, ends `vstore test`
//! with a clear error and exit 1: the per-call time budget and the per-VM
//! memory limit (`sim::budget`).

use std::process::Command;

fn run_spec(name: &str, body: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("vstore-budget-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.spec.luau"));
    std::fs::write(
        &file,
        format!("describe(\"{name}\", function()\n{body}\nend)\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["test", "--runtime", "templates/runtime", "--specs"])
        .arg(&file)
        .env(vstore::sim::budget::CALL_SECONDS_VAR, "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run vstore");
    std::fs::remove_dir_all(&dir).ok();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn a_spec_that_loops_forever_fails_with_the_time_budget_error() {
    let (code, text) = run_spec(
        "spin",
        r#"
        it("spins", function()
            local function spin()
                local n = 0
                while true do
                    n += 1
                end
            end
            spin()
        end)
        "#,
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("exhausted allowed execution time"), "{text}");
    assert!(text.contains("spin.spec.luau:"), "{text}");
    assert!(text.contains("in function spin"), "{text}");
}

#[test]
fn a_spec_that_grows_without_bound_fails_with_a_memory_error() {
    let (code, text) = run_spec(
        "grow",
        r#"
        it("grows", function()
            local t = {}
            local i = 0
            while true do
                i += 1
                t[i] = string.rep("x", 1024 * 1024) .. i
            end
        end)
        "#,
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("not enough memory") || text.contains("memory"),
        "{text}"
    );
}

/// A copy of the petsim example whose `file` has `prologue` inserted after
/// `marker` (the line opening the function), run under `vstore test` with a
/// one-second budget.
fn test_petsim_with(
    label: &str,
    file: &str,
    marker: &str,
    prologue: &str,
) -> (Option<i32>, String) {
    run_petsim_with(label, file, marker, prologue, &["test"])
}

/// Like `test_petsim_with`, running `vstore` with `args`.
fn run_petsim_with(
    label: &str,
    file: &str,
    marker: &str,
    prologue: &str,
    args: &[&str],
) -> (Option<i32>, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir()
        .join(format!("vstore-budget-{}-{label}", std::process::id()))
        .join("petsim");
    let _ = std::fs::remove_dir_all(&dir);
    vstore::sim::mount::copy_tree(&root.join("schema-examples/petsim"), &dir).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("build"));
    let path = dir.join(file);
    let source = std::fs::read_to_string(&path).unwrap();
    assert!(source.contains(marker), "{file} has no `{marker}`");
    std::fs::write(
        &path,
        source.replacen(marker, &format!("{marker}\n{prologue}"), 1),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .env(vstore::sim::budget::CALL_SECONDS_VAR, "1")
        .current_dir(&dir)
        .output()
        .expect("run vstore");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir.parent().unwrap()).ok();
    (out.status.code(), text)
}

const SPIN: &str = "\tlocal spin = 0\n\twhile spin >= 0 do\n\t\tspin += 1\n\tend";

#[test]
fn a_migration_that_loops_forever_fails_the_fixture_check_with_the_time_budget_error() {
    let (code, text) = test_petsim_with(
        "migration-spin",
        "migrations/PlayerData/2.luau",
        "return function(old: V1): V2",
        SPIN,
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("exhausted allowed execution time"), "{text}");
    assert!(text.contains("2.luau"), "{text}");
}

#[test]
fn an_operation_handler_that_loops_forever_fails_the_handler_check_with_the_time_budget_error() {
    let (code, text) = test_petsim_with(
        "handler-spin",
        "operations/GrantGems.luau",
        "return function(profile: Data, payload: Payload): number",
        SPIN,
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("exhausted allowed execution time"), "{text}");
    assert!(text.contains("GrantGems"), "{text}");
}

#[test]
fn a_migration_that_grows_without_bound_fails_with_a_memory_error() {
    let (code, text) = test_petsim_with(
        "migration-grow",
        "migrations/PlayerData/2.luau",
        "return function(old: V1): V2",
        "\tlocal hoard: { string } = {}\n\tlocal n = 0\n\twhile n >= 0 do\n\t\tn += 1\n\t\thoard[n] = string.rep(\"x\", 1024 * 1024) .. n\n\tend",
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("memory"), "{text}");
}

#[test]
fn a_handler_that_loops_forever_under_vstore_sim_fails_its_deliveries_and_the_run_ends() {
    // the sim's reward operation is GrantGems: every delivery runs into the budget
    let (code, text) = run_petsim_with(
        "sim-spin",
        "operations/GrantGems.luau",
        "return function(profile: Data, payload: Payload): number",
        SPIN,
        &[
            "sim",
            "--servers",
            "1",
            "--players",
            "3",
            "--duration",
            "10m",
            "--seed",
            "1",
            "--ci",
        ],
    );
    // the run ends with a summary (whatever its verdict): nothing hangs
    assert!(code.is_some(), "{text}");
    assert!(text.contains("violations:"), "{text}");
    let delivered = text
        .split("operations delivered ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(delivered > 0, "no delivery ran the handler:\n{text}");
}
