//! The gate harness never reports a gate whose tool is missing as passed:
//! locally it is `ignored` with the tool named, under CI it fails.

use crate::gates_support;

use gates_support::{run_gates, tool, under_ci};
use libtest_mimic::Arguments;

#[test]
fn a_gate_whose_tool_is_missing_is_ignored_locally_and_fails_under_ci() {
    // The inner run's report goes to a file, so this test's own output
    // carries no second "test result" line.
    let log = std::env::temp_dir().join(format!("vstore-gates-harness-{}.log", std::process::id()));
    let args = Arguments {
        test_threads: Some(1),
        logfile: Some(log.display().to_string()),
        ..Arguments::default()
    };
    let outcome = run_gates(
        &args,
        &[
            ("needs_a_tool_nobody_has", || {
                assert!(tool("vstore-gate-tool-that-does-not-exist").is_none());
            }),
            ("needs_nothing", || {}),
        ],
    );
    let counts = (outcome.num_passed, outcome.num_ignored, outcome.num_failed);
    if under_ci() {
        assert_eq!(counts, (1, 0, 1), "under CI a missing tool fails its gate");
    } else {
        assert_eq!(counts, (1, 1, 0), "locally a missing tool ignores its gate");
        let report = std::fs::read_to_string(&log).unwrap();
        assert!(
            report.contains("ignored (not installed: `vstore-gate-tool-that-does-not-exist`"),
            "the reason is shown: {report}"
        );
    }
    let _ = std::fs::remove_file(&log);
}
