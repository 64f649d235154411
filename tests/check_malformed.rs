//! Every malformed project under `tests/malformed/` is rejected with coded,
//! spanned diagnostics, rendered exactly as snapshotted, and never panics.

use std::path::Path;

use vstore::check::{check_project, diagnostic::render_plain};

#[test]
fn every_malformed_project_reports_a_coded_spanned_diagnostic() {
    insta::glob!("malformed/*/virtualstore.toml", |path| {
        let root = path.parent().unwrap();
        let failed = match check_project(root) {
            Ok(_) => panic!("{} was accepted", root.display()),
            Err(f) => f,
        };
        assert!(!failed.is_io(), "{} could not be read", root.display());
        let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty());
        let docs = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"),
        )
        .unwrap();
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
fn malformed_corpus_has_at_least_forty_five_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed");
    let n = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .join("virtualstore.toml")
                .exists()
        })
        .count();
    assert!(n >= 45, "only {n} malformed cases");
}

#[test]
fn missing_project_file_is_an_io_failure() {
    let failed = check_project(Path::new("tests/malformed/does-not-exist")).unwrap_err();
    assert!(failed.is_io());
    assert_eq!(failed.diagnostics[0].code, "VS0001");
}
