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
    for ex in [
        "schema-examples/basic",
        "schema-examples/advanced",
        "schema-examples/petsim",
    ] {
        let (code, err) = check(&repo(ex));
        assert_eq!(code, 0, "{ex}: {err}");
    }
}

#[test]
fn malformed_projects_exit_one_with_a_coded_report() {
    for case in [
        "tests/malformed/purity/handler_yields",
        "tests/malformed/settings/unknown_setting",
        "tests/malformed/document/toml_syntax_error",
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

fn project(name: &str, toml: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("virtualstore.toml"), toml).unwrap();
    dir
}

#[test]
fn a_label_past_column_65535_exits_one_with_its_code_instead_of_panicking() {
    let long = "a".repeat(70_000);
    let toml = format!("[stores.PlayerData]\nkind = \"players\"\nversion = 1\n\n[stores.PlayerData.template]\nName = {{ type = \"string\", default = \"{long}\", colour = 1 }}\n");
    let dir = project("wide", &toml);
    let (code, err) = check(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "{}", &err[..err.len().min(2000)]);
    assert!(!err.contains("panicked"), "{}", &err[..err.len().min(2000)]);
    assert!(
        err.contains("error[VS1002]: unknown key `colour`"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("virtualstore.toml:6:"),
        "{}",
        &err[..err.len().min(2000)]
    );
}

#[cfg(unix)]
#[test]
fn a_handler_file_that_is_a_fifo_is_refused_instead_of_read_forever() {
    let toml = "[stores.PlayerData]\nkind = \"players\"\nversion = 1\n\n[stores.PlayerData.template]\nCoins = { type = \"integer\", default = 0 }\n\n[stores.PlayerData.operations.Grant]\npayload = \"{ Coins: integer }\"\nwrites = [\"Coins\"]\nfile = \"operations/Grant.luau\"\n";
    let dir = project("fifo", toml);
    std::fs::create_dir_all(dir.join("operations")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("operations/Grant.luau"))
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .arg("check")
        .arg("--project")
        .arg(&dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("vstore check blocked on the FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("handler file `operations/Grant.luau` is a FIFO, not a regular file"),
        "{err}"
    );
    assert!(err.contains("VS3501"), "{err}");
}
