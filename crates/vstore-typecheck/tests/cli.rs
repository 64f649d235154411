//! The binary's contract: `file:line:col: message` lines and exit codes.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vstore-typecheck"))
}

#[test]
fn clean_package_exits_zero() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/Package");
    let out = bin().arg(&fixture).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 modules checked, 0 errors"));
}

#[test]
fn type_error_prints_file_line_col_and_exits_one() {
    let dir = std::env::temp_dir()
        .join(format!("vstore-typecheck-cli-{}", std::process::id()))
        .join("Pkg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("init.luau"),
        "--!strict\nlocal n: number = \"text\"\nreturn n\n",
    )
    .unwrap();
    let out = bin().arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(&format!("{}/init.luau:2:", dir.display())),
        "{stdout}"
    );
    assert!(line.contains("string"), "{stdout}");
}

#[test]
fn missing_argument_is_a_usage_error() {
    assert_eq!(bin().output().unwrap().status.code(), Some(2));
}
