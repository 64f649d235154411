//! Runs the Luau spec suites through the real `vstore test` binary, so the
//! runtime, replication and example specs are part of `cargo test`: the
//! runtime library alone (`--runtime/--specs`), then each schema example as a
//! user runs it (check, generate, mount, run its `tests/*.spec.luau`).
//! Mutant runtimes (one deliberate bug each) prove the specs and the
//! `vstore sim` oracles can fail.

use std::process::Command;

fn vstore(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run vstore");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The `N passed, N failed` closing line, parsed.
fn totals(text: &str) -> (usize, usize) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed, ") && l.trim_end().ends_with(" failed"))
        .unwrap_or_else(|| panic!("no closing totals line in:\n{text}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[nums.len() - 2], nums[nums.len() - 1])
}

fn assert_green(args: &[&str], at_least: usize) {
    let (ok, text) = vstore(args);
    let (passed, failed) = totals(&text);
    assert!(
        ok && failed == 0,
        "vstore {} failed:\n{text}",
        args.join(" ")
    );
    assert!(
        passed >= at_least,
        "expected at least {at_least} passing specs, got {passed}:\n{text}"
    );
}

#[test]
fn runtime_library_specs_pass_in_the_simulator() {
    assert_green(
        &[
            "test",
            "--runtime",
            "templates/runtime",
            "--specs",
            "tests/runtime",
        ],
        131,
    );
}

#[test]
fn replication_specs_pass_with_client_vms() {
    assert_green(
        &[
            "test",
            "--runtime",
            "templates/runtime",
            "--specs",
            "tests/replication",
        ],
        5,
    );
}

#[test]
fn basic_example_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "schema-examples/basic"], 5);
}

#[test]
fn leaderboard_project_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "tests/leaderboards"], 3);
}

#[test]
fn advanced_example_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "schema-examples/advanced"], 14);
}

/// Copies the runtime library to a temporary folder with one source edit.
fn mutated_runtime(file: &str, from: &str, to: &str) -> std::path::PathBuf {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/runtime");
    let dst = std::env::temp_dir().join(format!(
        "vstore-mutant-{}-{}",
        std::process::id(),
        file.replace('/', "_")
    ));
    let _ = std::fs::remove_dir_all(&dst);
    vstore::sim::mount::copy_tree(&src, &dst).unwrap();
    let path = dst.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "mutation anchor not found in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dst
}

#[test]
fn a_runtime_that_skips_the_lease_check_fails_the_specs() {
    let dir = mutated_runtime(
        "Lease.luau",
        "return lease ~= nil and lease.Token == token",
        "return meta ~= nil or token ~= nil",
    );
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        dir.to_str().unwrap(),
        "--specs",
        "tests/runtime",
    ]);
    let (_, failed) = totals(&text);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok, "the broken runtime passed every spec:\n{text}");
    assert!(failed > 0);
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.to_lowercase().contains("lease")),
        "no lease spec failed:\n{text}"
    );
}

#[test]
fn a_runtime_that_ignores_handoff_requests_fails_the_messaging_specs() {
    let dir = mutated_runtime(
        "Store.luau",
        "if kind == Messaging.Handoff then",
        "if kind == \"Ignored\" then",
    );
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        dir.to_str().unwrap(),
        "--specs",
        "tests/runtime",
        "--filter",
        "messaging hints",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok, "the broken runtime passed every spec:\n{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("through a handoff")),
        "the handoff spec did not fail:\n{text}"
    );
}

#[test]
fn a_runtime_whose_checkpoint_does_not_save_fails_the_sim_oracle() {
    let dir = mutated_runtime(
        "Session.luau",
        "function Session.CheckpointAsync(self: Session): (boolean, VirtualError?)\n\treturn self:_commit(\"Checkpoint\")",
        "function Session.CheckpointAsync(self: Session): (boolean, VirtualError?)\n\treturn self._state == \"Active\", nil",
    );
    let args = [
        "sim",
        "--scenario",
        "crashes",
        "--project",
        "schema-examples/advanced",
        "--seed",
        "1",
        "--runtime",
        dir.to_str().unwrap(),
    ];
    let (ok, text) = vstore(&args);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok, "the broken runtime passed the oracles:\n{text}");
    assert!(text.contains("acknowledged save lost"), "{text}");
    assert!(
        text.contains("replay: vstore sim --scenario crashes"),
        "{text}"
    );
    let (ok, text) = vstore(&args[..args.len() - 2]);
    assert!(ok, "the real runtime violated an oracle:\n{text}");
}

#[test]
fn a_runtime_that_retries_ordered_increments_fails_the_specs() {
    let dir = mutated_runtime(
        "OrderedIndex.luau",
        "local ok, result = self:_attempt(ORDERED_WRITE, function()",
        "local ok, result = self:_request(ORDERED_WRITE, function()",
    );
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        dir.to_str().unwrap(),
        "--specs",
        "tests/runtime",
        "--filter",
        "OrderedIndex",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!ok, "the retrying runtime passed every spec:\n{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains("exactly one attempt")),
        "no single-attempt increment spec failed:\n{text}"
    );
}
