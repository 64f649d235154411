//! `vstore check --rojo`: a literal data path in the game's own scripts that
//! names no template field is an error with the closest field suggested; map
//! keys and array indices are paths too; the package under `build/` is not
//! the game's code and is never scanned.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vstore(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("vstore runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A fresh `vstore init` project, built (so `build/` exists beside `src/`).
fn starter(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-game-paths-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, text) = vstore(Path::new("."), &["init", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = vstore(&dir, &["build"]);
    assert_eq!(code, Some(0), "{text}");
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} in {}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_starter_game_names_only_template_paths() {
    let dir = starter("clean");
    let (code, text) = vstore(&dir, &["check", "--rojo"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("VS4201"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_misspelled_field_in_a_facade_call_is_an_error_with_a_suggestion() {
    let dir = starter("typo");
    edit(
        &dir.join("src/server/RemoteHandlers.server.luau"),
        "{ \"Wallet\", \"Coins\" }, CLAIM_COINS",
        "{ \"Wallet\", \"Coin\" }, CLAIM_COINS",
    );
    let (code, text) = vstore(&dir, &["check", "--rojo"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.matches("VS4201").count(), 1, "{text}");
    assert!(text.contains("`Wallet` has no field `Coin`"), "{text}");
    assert!(
        text.contains("did you mean `{\"Wallet\", \"Coins\"}`?"),
        "{text}"
    );
    assert!(
        text.contains("src/server/RemoteHandlers.server.luau:"),
        "{text}"
    );
    let (code, text) = vstore(&dir, &["check"]);
    assert_eq!(
        code,
        Some(0),
        "without --rojo the game's scripts are not read: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn session_calls_map_keys_and_indices_are_checked_as_paths() {
    let dir = starter("shapes");
    std::fs::write(
        dir.join("src/server/Extra.server.luau"),
        "--!strict\nlocal session: any = nil\nsession:Set({ \"Inventry\" }, {})\nsession:Remove({ \"Inventory\", 1 })\nsession:Set({ \"Wallet\", \"Coins\", \"Deep\" }, 1)\n",
    )
    .unwrap();
    let (code, text) = vstore(&dir, &["check", "--rojo", "default.project.json"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.matches("VS4201").count(), 2, "{text}");
    assert!(text.contains("did you mean `{\"Inventory\"}`?"), "{text}");
    assert!(
        text.contains("`{\"Wallet\", \"Coins\", \"Deep\"}` names no field of the schema"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreadable_project_file_is_a_usage_error() {
    let dir = starter("missing");
    let (code, text) = vstore(&dir, &["check", "--rojo", "nope.project.json"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("VS0003"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
