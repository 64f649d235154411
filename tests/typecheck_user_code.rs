//! `vstore check` type-checks migration and operation handler files in strict
//! mode against the generated types (VS41xx) and points at the user's own
//! file: an undeclared payload field, a wrong value type in a migration and
//! a function that does not have the `V1 -> V2` shape are errors before any
//! test runs. A missing checker is a warning, never silence.

use std::path::{Path, PathBuf};
use std::process::Command;

use vstore::check::{check_project, Diagnostic};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vstore-typecheck-user-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A fresh `vstore init` project.
fn starter(name: &str) -> PathBuf {
    let dir = scratch(name);
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn advanced(name: &str) -> PathBuf {
    let dir = scratch(name);
    vstore::sim::mount::copy_tree(&repo().join("schema-examples/advanced"), &dir).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("build"));
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} occurs once in {}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The project's diagnostics; panics when it checks clean.
fn errors(root: &Path) -> Vec<Diagnostic> {
    match check_project(root) {
        Ok(_) => panic!("{} checks clean", root.display()),
        Err(failed) => failed
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect(),
    }
}

/// `(file, covered text, 1-based line)` of a diagnostic.
fn at(d: &Diagnostic) -> (String, String, usize) {
    let src = d.source.as_ref().expect("points into a file");
    let text = src.text();
    (
        src.name().to_string(),
        text[d.span.start..d.span.end].to_string(),
        text[..d.span.start].matches('\n').count() + 1,
    )
}

#[test]
fn undeclared_payload_field_is_a_type_error_at_the_handler_line() {
    let root = starter("payload");
    edit(
        &root.join("operations/GrantCoins.luau"),
        "payload.Coins",
        "payload.Gems",
    );
    let errors = errors(&root);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.code, "VS4101");
    assert!(
        e.message.contains("operation handler `GrantCoins`"),
        "{}",
        e.message
    );
    assert!(e.message.contains("Gems"), "{}", e.message);
    let (file, text, line) = at(e);
    assert_eq!(file, "operations/GrantCoins.luau");
    assert_eq!(text, "payload.Gems");
    assert_eq!(line, 5);
    assert!(e.help.contains("{ Coins: integer }"), "{}", e.help);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn migration_returning_a_string_for_an_integer_is_a_type_error_at_its_line() {
    let root = advanced("migration");
    edit(
        &root.join("migrations/PlayerData/2.luau"),
        "Gems = 0",
        "Gems = \"none\"",
    );
    let errors = errors(&root);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "VS4101");
    assert_eq!(
        at(&errors[0]),
        ("migrations/PlayerData/2.luau".into(), "\"none\"".into(), 5)
    );
    assert!(
        errors[0].message.contains("migration to version 2"),
        "{}",
        errors[0].message
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn unannotated_migration_that_does_not_return_the_next_version_fails_its_signature() {
    let root = advanced("signature");
    let file = root.join("migrations/PlayerData/2.luau");
    edit(
        &file,
        "return function(old: V1): V2",
        "return function(old)",
    );
    edit(&file, "Gems = 0", "Gems = \"none\"");
    let errors = errors(&root);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.code, "VS4101");
    assert!(
        e.message.contains("is not `(old: V1) -> V2`"),
        "{}",
        e.message
    );
    assert!(
        e.label.contains("Gems"),
        "the label names the field: {}",
        e.label
    );
    assert_eq!(
        at(e),
        (
            "migrations/PlayerData/2.luau".into(),
            "function(old)".into(),
            3
        )
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn correct_handlers_and_migrations_check_clean_with_the_checker_found() {
    for root in [
        repo().join("schema-examples/advanced"),
        repo().join("tests/keyed"),
    ] {
        let checked = check_project(&root).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
        let type_findings: Vec<_> = checked
            .warnings
            .iter()
            .filter(|d| d.code.starts_with("VS41"))
            .collect();
        assert!(type_findings.is_empty(), "{type_findings:#?}");
    }
}

#[test]
fn check_without_the_type_checker_warns_and_still_passes() {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["check", "--project", "schema-examples/advanced"])
        .current_dir(repo())
        .env("VSTORE_TYPECHECK", repo().join("no-such-type-checker"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("VS4102").count(), 1, "{stderr}");
    assert!(stderr.contains("were not type-checked"), "{stderr}");
    assert!(stderr.contains("1 warning(s)"), "{stderr}");
}

#[test]
fn check_command_finds_the_type_checker_beside_itself() {
    let root = starter("cli");
    edit(
        &root.join("operations/GrantCoins.luau"),
        "payload.Coins",
        "payload.Gems",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .arg("check")
        .arg("--project")
        .arg(&root)
        .env_remove("VSTORE_TYPECHECK")
        .env("PATH", "")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("VS4101"), "{stderr}");
    assert!(stderr.contains("operations/GrantCoins.luau:5:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn every_type_check_code_is_documented() {
    let docs = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    for code in ["VS4101", "VS4102", "VS4103"] {
        assert_eq!(docs.matches(&format!("| {code} |")).count(), 1, "{code}");
    }
}
