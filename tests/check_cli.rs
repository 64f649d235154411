//! `vstore check` exit codes: 0 on valid projects, 1 on user errors, 2 when
//! the project cannot be read; diagnostics go to stderr with their code.

use std::path::Path;
use std::process::Command;

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .arg("check")
        .arg("--project")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn examples_pass_with_exit_zero() {
    for ex in ["schema-examples/basic", "schema-examples/advanced"] {
        let (code, err) = check(&repo(ex));
        assert_eq!(code, 0, "{ex}: {err}");
    }
}

#[test]
fn malformed_projects_exit_one_with_a_coded_report() {
    for case in [
        "tests/malformed/handler_yields",
        "tests/malformed/unknown_setting",
        "tests/malformed/toml_syntax_error",
    ] {
        let (code, err) = check(&repo(case));
        assert_eq!(code, 1, "{case}: {err}");
        assert!(err.contains("VS"), "{case}: {err}");
        assert!(err.contains("help:"), "{case}: {err}");
    }
}

#[test]
fn missing_project_exits_two() {
    let (code, err) = check(&repo("tests/malformed/no-such-project"));
    assert_eq!(code, 2);
    assert!(err.contains("VS0001"));
}

#[test]
fn warnings_print_but_do_not_fail() {
    let dir = std::env::temp_dir().join(format!("vstore-check-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = "[stores.PlayerData]\nkind = \"players\"\nversion = 1\n\n[stores.PlayerData.template]\n\"Wallet.Coins\" = { type = \"integer\", default = 0 }\n\"Wallet.Secret\" = { type = \"string\", default = \"\" }\n\n[stores.PlayerData.public]\npaths = [\"Wallet\"]\n";
    std::fs::write(dir.join("virtualstore.toml"), toml).unwrap();
    let (code, err) = check(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("VS3103"), "{err}");
}
