//! `vstore diff` end to end on a real project folder: against `vstore.lock`
//! (shapes) and against an older `virtualstore.toml` (everything).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const V1: &str = r#"[project]
out = "build"

[stores.PlayerData]
kind = "players"
version = 1

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0 }
Inventory = { type = "{string}", default = [] }

[stores.PlayerData.public]
paths = ["Wallet.Coins", "Inventory"]
"#;

fn project(name: &str, toml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-diff-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("virtualstore.toml"), toml).unwrap();
    dir
}

fn release(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["release", "--project"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn diff(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["diff", "--format", "json", "--project"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn unchanged_project_matches_its_lock() {
    let dir = project("same", V1);
    release(&dir);
    let (code, json) = diff(&dir, &[]);
    assert_eq!((code, codes(&json)), (0, vec![]));
}

#[test]
fn removing_a_field_without_a_version_bump_fails_against_the_lock() {
    let dir = project("removed", V1);
    release(&dir);
    let edited = V1
        .replace("Inventory = { type = \"{string}\", default = [] }\n", "")
        .replace(", \"Inventory\"", "");
    fs::write(dir.join("virtualstore.toml"), edited).unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["VSD001", "VSD007"]);
    assert_eq!(
        json["findings"][0]["message"],
        "field `Inventory` was removed without a migration"
    );
    assert_eq!(
        json["findings"][1]["message"],
        "public path `Inventory` was removed: clients reading it break"
    );
}

#[test]
fn against_the_lock_a_new_public_path_and_a_dropped_private_mark_are_reported() {
    let old = V1.replace(
        "Inventory = { type = \"{string}\", default = [] }",
        "Inventory = { type = \"{string}\", default = [] }\n\"Flags.AntiCheat\" = { type = \"boolean\", default = false, private = true }\n\"Flags.Music\" = { type = \"boolean\", default = true }",
    );
    let dir = project("lock-public", &old);
    release(&dir);
    let music = old.replace("\"Inventory\"]", "\"Inventory\", \"Flags.Music\"]");
    fs::write(dir.join("virtualstore.toml"), &music).unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!((code, codes(&json)), (0, vec!["VSD006".to_string()]));
    let exposed = old
        .replace(", private = true", "")
        .replace("\"Inventory\"]", "\"Inventory\", \"Flags.AntiCheat\"]");
    fs::write(dir.join("virtualstore.toml"), exposed).unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["VSD014", "VSD006"]);
    assert_eq!(json["findings"][0]["line"], 15);
}

#[test]
fn a_lock_written_by_an_older_build_compares_shapes_only() {
    let dir = project("legacy", V1);
    fs::write(
        dir.join("vstore.lock"),
        "[stores.PlayerData]\n\"1\" = '{ Inventory: {string}, Wallet: { Coins: integer } }'\n",
    )
    .unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!(
        (code, codes(&json)),
        (0, vec![]),
        "bounds and public paths are not recorded"
    );
    fs::write(
        dir.join("virtualstore.toml"),
        V1.replace("{string}", "{number}"),
    )
    .unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!((code, codes(&json)), (1, vec!["VSD002".to_string()]));
}

#[test]
fn changing_a_type_is_breaking_and_points_at_the_field() {
    let dir = project("changed", V1);
    release(&dir);
    fs::write(
        dir.join("virtualstore.toml"),
        V1.replace("{string}", "{number}"),
    )
    .unwrap();
    let (code, json) = diff(&dir, &[]);
    assert_eq!((code, codes(&json)), (1, vec!["VSD002".to_string()]));
    assert_eq!(json["findings"][0]["line"], 10);
}

#[test]
fn narrowing_bounds_is_breaking_against_an_older_schema_file() {
    let dir = project("narrowed", V1);
    fs::write(dir.join("old.toml"), V1).unwrap();
    fs::write(
        dir.join("virtualstore.toml"),
        V1.replace("min = 0 }", "min = 0, max = 100 }"),
    )
    .unwrap();
    let (code, json) = diff(&dir, &["--against", dir.join("old.toml").to_str().unwrap()]);
    assert_eq!((code, codes(&json)), (1, vec!["VSD002".to_string()]));
    assert_eq!(json["findings"][0]["line"], 9);
}

#[test]
fn against_an_older_schema_file_sees_public_paths_too() {
    let dir = project("against", V1);
    fs::write(dir.join("old.toml"), V1).unwrap();
    fs::write(
        dir.join("virtualstore.toml"),
        V1.replace(", \"Inventory\"]", "]"),
    )
    .unwrap();
    let (code, json) = diff(&dir, &["--against", dir.join("old.toml").to_str().unwrap()]);
    assert_eq!((code, codes(&json)), (1, vec!["VSD007".to_string()]));
}

#[test]
fn publishing_a_field_that_was_private_fails_against_an_older_schema_file() {
    let old = V1.replace(
        "Inventory = { type = \"{string}\", default = [] }",
        "Inventory = { type = \"{string}\", default = [] }\n\"Flags.AntiCheat\" = { type = \"boolean\", default = false, private = true }",
    );
    let dir = project("private", &old);
    fs::write(dir.join("old.toml"), &old).unwrap();
    let new = old
        .replace(", private = true", "")
        .replace("\"Inventory\"]", "\"Inventory\", \"Flags.AntiCheat\"]");
    fs::write(dir.join("virtualstore.toml"), new).unwrap();
    let (code, json) = diff(&dir, &["--against", dir.join("old.toml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["VSD014", "VSD006"]);
    assert_eq!(json["findings"][0]["line"], 14);
}

#[test]
fn github_format_prints_annotations() {
    let dir = project("github", V1);
    release(&dir);
    fs::write(
        dir.join("virtualstore.toml"),
        V1.replace("{string}", "{number}"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["diff", "--format", "github", "--project"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error file=virtualstore.toml,line=10,col=1,title=VSD002::"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unreadable_against_file_is_a_usage_error() {
    let dir = project("missing", V1);
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["diff", "--against", "/nonexistent/old.toml", "--project"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn the_shipped_examples_have_no_change_since_their_last_release() {
    for name in ["basic", "advanced", "petsim"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema-examples")
            .join(name);
        let (code, json) = diff(&dir, &[]);
        assert_eq!((code, codes(&json)), (0, vec![]), "{name}");
    }
}
