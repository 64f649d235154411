//! Runs the Luau spec suites through the real `vstore test` binary, so the
//! runtime, replication and example specs are part of `cargo test`: the
//! runtime library alone (`--runtime/--specs`), then each schema example as a
//! user runs it (check, generate, mount, run its `tests/*.spec.luau`).
//! Mutant runtimes (one deliberate bug each) prove the specs and the
//! `vstore sim` oracles can fail.

use crate::cli_support;

use cli_support::{vstore, Mutant};

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
        150,
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
fn keyed_project_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "tests/keyed"], 5);
}

#[test]
fn pattern_project_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "tests/patterns"], 3);
}

#[test]
fn advanced_example_specs_pass_on_its_generated_package() {
    assert_green(&["test", "--project", "schema-examples/advanced"], 14);
}

#[test]
fn petsim_example_specs_drive_its_remotes_on_its_generated_package() {
    assert_green(&["test", "--project", "schema-examples/petsim"], 15);
}

/// Runs the runtime specs (those whose names contain `filter`, if given)
/// against `mutant`; asserts that they fail and that a failing spec's line
/// contains `failing`.
fn assert_mutant_fails_specs(mutant: &Mutant, filter: Option<&str>, failing: &str) {
    let mut args = vec![
        "test",
        "--runtime",
        mutant.path(),
        "--specs",
        "tests/runtime",
    ];
    if let Some(filter) = filter {
        args.extend_from_slice(&["--filter", filter]);
    }
    let (ok, text) = vstore(&args);
    let (_, failed) = totals(&text);
    assert!(
        !ok && failed > 0,
        "the broken runtime passed every spec:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.to_lowercase().contains(&failing.to_lowercase())),
        "no spec about `{failing}` failed:\n{text}"
    );
}

#[test]
fn a_runtime_that_skips_the_lease_check_fails_the_specs() {
    let mutant = Mutant::new(
        "lease",
        "Lease.luau",
        "return lease ~= nil and lease.Token == token",
        "return meta ~= nil or token ~= nil",
    );
    assert_mutant_fails_specs(&mutant, None, "lease");
}

#[test]
fn a_runtime_that_ignores_handoff_requests_fails_the_messaging_specs() {
    let mutant = Mutant::new(
        "handoff",
        "Store.luau",
        "if kind == Messaging.Handoff then",
        "if kind == \"Ignored\" then",
    );
    assert_mutant_fails_specs(&mutant, Some("messaging hints"), "through a handoff");
}

#[test]
fn a_runtime_that_retries_ordered_increments_fails_the_specs() {
    let mutant = Mutant::new(
        "ordered",
        "OrderedIndex.luau",
        "local ok, result = self:_attempt(ORDERED_WRITE, function()",
        "local ok, result = self:_request(ORDERED_WRITE, function()",
    );
    assert_mutant_fails_specs(&mutant, Some("OrderedIndex"), "exactly one attempt");
}

#[test]
fn a_runtime_that_forgets_a_commit_with_a_lost_result_fails_the_specs() {
    let mutant = Mutant::new(
        "uncertain",
        "Record.luau",
        "\tfor _, token in spec.Uncertain or {} do\n\t\tif WriteReceipts.find(meta, token) then",
        "\tfor _, token in spec.Uncertain or {} do\n\t\tif false and WriteReceipts.find(meta, token) then",
    );
    assert_mutant_fails_specs(&mutant, Some("unknown result"), "kept by the next commit");
}

#[test]
fn a_runtime_that_grants_receipts_before_they_apply_fails_the_specs() {
    let mutant = Mutant::new(
        "receipts",
        "Patterns/Purchases.luau",
        "\tif status == \"Applied\" then",
        "\tif status == \"Applied\" or status == \"Pending\" then",
    );
    assert_mutant_fails_specs(
        &mutant,
        Some("purchase receipts"),
        "waits until the operation is Applied",
    );
}

#[test]
fn a_runtime_whose_cooldown_check_is_not_atomic_fails_the_specs() {
    let mutant = Mutant::new(
        "cooldowns",
        "Patterns/Cooldowns.luau",
        "\tlocal ok, err = self._facade:Edit(player, function(profile: any): any",
        "\tlocal early = readyAt(self, player, name)\n\ttask.wait()\n\tlocal ok, err = self._facade:Edit(player, function(profile: any): any\n\t\tif early and early > Common.now() then\n\t\t\tremaining = early - Common.now()\n\t\t\treturn Transaction.Cancel\n\t\tend\n\t\tlocal map = Path.get(profile, path)\n\t\tmap[name] = Common.now() + duration\n\t\tremaining = duration\n\t\tdo\n\t\t\treturn nil\n\t\tend",
    );
    assert_mutant_fails_specs(&mutant, Some("cooldowns"), "racing");
}

#[test]
fn a_runtime_whose_checkpoint_does_not_save_fails_the_sim_oracle() {
    let mutant = Mutant::new(
        "checkpoint",
        "Session.luau",
        "function Session.CheckpointAsync(self: Session): (boolean, VirtualError?)\n\treturn SessionCommit.commit(self, \"Checkpoint\")",
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
        mutant.path(),
    ];
    let (ok, text) = vstore(&args);
    assert!(!ok, "the broken runtime passed the oracles:\n{text}");
    assert!(text.contains("acknowledged save lost"), "{text}");
    assert!(
        text.contains("replay: vstore sim --scenario crashes"),
        "{text}"
    );
    let (ok, text) = vstore(&args[..args.len() - 2]);
    assert!(ok, "the real runtime violated an oracle:\n{text}");
}
