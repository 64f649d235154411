//! Runtimes with one deliberate bug in the trade saga must fail the trade
//! specs (`tests/runtime/trade.spec.luau`): proof that those specs can fail
//! on the property each one names.

use crate::cli_support;

use cli_support::{vstore, Mutant};

/// Runs the trade specs against `mutant`; asserts that some fail and that a
/// failing spec's name contains `failing`.
fn assert_trade_specs_fail(mutant: &Mutant, failing: &str) {
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        mutant.path(),
        "--specs",
        "tests/runtime",
        "--filter",
        "trade saga",
    ]);
    assert!(!ok, "the broken runtime passed every trade spec:\n{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("FAIL") && l.contains(failing)),
        "no spec about `{failing}` failed:\n{text}"
    );
}

#[test]
fn an_escrow_that_keeps_the_coins_in_the_profile_fails_conservation() {
    let mutant = Mutant::new(
        "trade-escrow",
        "TradeHandlers.luau",
        "parent[leaf] -= coins",
        "parent[leaf] -= 0",
    );
    assert_trade_specs_fail(&mutant, "completes with exact totals");
}

#[test]
fn steps_with_a_fresh_operation_id_per_attempt_apply_twice() {
    let mutant = Mutant::new(
        "trade-ids",
        "Trade.luau",
        "return \"trade:\" .. tradeId .. \":\" .. string.lower(step) .. \":\" .. side",
        "return \"trade:\" .. tradeId .. \":\" .. string.lower(step) .. \":\" .. side .. HttpService:GenerateGUID(false)",
    );
    assert_trade_specs_fail(&mutant, "never applies twice");
}

#[test]
fn a_cancelled_trade_without_refunds_fails_the_refund_spec() {
    let mutant = Mutant::new(
        "trade-refund",
        "Trade.luau",
        "if journal.Escrowed[side].Ok == true then",
        "if false then",
    );
    assert_trade_specs_fail(&mutant, "refunds the other side");
}
