//! Every malformed project under `tests/malformed/<rule>/<case>/` is rejected
//! with coded, spanned diagnostics, rendered exactly as snapshotted, never
//! panics, and is rejected by the rule whose folder it is in: each rule of
//! `check::rules` has its own cases (`document` holds the reader's).

use std::collections::BTreeMap;
use std::path::Path;

use vstore::check::rules::{DOCUMENT_CODES, RULES};
use vstore::check::{check_project, diagnostic::render_plain};

/// Every rule's codes by rule name, the document reader's included.
fn codes_by_rule() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = RULES
        .iter()
        .map(|r| (r.name(), r.codes().to_vec()))
        .collect();
    out.insert("document", DOCUMENT_CODES.to_vec());
    out
}

#[test]
fn every_malformed_project_reports_a_coded_spanned_diagnostic() {
    let rules = codes_by_rule();
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    insta::glob!("malformed/*/*/virtualstore.toml", |path| {
        let root = path.parent().unwrap();
        let rule = root
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let own = rules
            .get(rule)
            .unwrap_or_else(|| panic!("tests/malformed/{rule} is no rule's folder"));
        let failed = match check_project(root) {
            Ok(_) => panic!("{} was accepted", root.display()),
            Err(f) => f,
        };
        assert!(!failed.is_io(), "{} could not be read", root.display());
        let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty());
        for d in &errors {
            assert!(
                own.contains(&d.code),
                "{}: {} is not a code of the `{rule}` rule",
                root.display(),
                d.code
            );
        }
        for d in &failed.diagnostics {
            assert!(
                docs.contains(&format!("| {} |", d.code)),
                "{} is not documented",
                d.code
            );
            assert!(
                d.code.starts_with("VS") && d.code.len() == 6,
                "bad code {}",
                d.code
            );
            assert!(d.source.is_some(), "{} has no file", d.code);
            assert!(!d.help.is_empty(), "{} has no help", d.code);
        }
        assert!(
            errors.iter().any(|d| d.span.end > d.span.start),
            "no error in {} has a non-empty span",
            root.display()
        );
        insta::assert_snapshot!(render_plain(&failed.diagnostics, 100));
    });
}

#[test]
fn every_rule_has_its_own_malformed_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let mut total = 0;
    for rule in codes_by_rule().keys() {
        let cases = std::fs::read_dir(dir.join(rule))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().join("virtualstore.toml").exists())
                    .count()
            })
            .unwrap_or(0);
        assert!(
            cases > 0,
            "the `{rule}` rule has no case under tests/malformed/{rule}/"
        );
        total += cases;
    }
    assert!(total >= 45, "only {total} malformed cases");
}

#[test]
fn every_code_a_rule_reports_is_documented_once() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    for (rule, codes) in codes_by_rule() {
        for code in codes {
            assert_eq!(
                docs.matches(&format!("| {code} |")).count(),
                1,
                "{code} of `{rule}` must have exactly one row in docs/diagnostics.md"
            );
        }
    }
}

#[test]
fn missing_project_file_is_an_io_failure() {
    let failed = check_project(Path::new("tests/malformed/does-not-exist")).unwrap_err();
    assert!(failed.is_io());
    assert_eq!(failed.diagnostics[0].code, "VS0001");
}
