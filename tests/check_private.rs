//! Template entries marked `private = true` never reach a public path: the
//! checked model keeps the mark, the generated replication config and client
//! package list only the public leaves, and the public projection the
//! simulator's oracle uses leaves the private sibling out.

use std::path::{Path, PathBuf};

use serde_json::json;
use vstore::check::check_project;
use vstore::codegen;
use vstore::core::projection::public_projection;

fn project(name: &str, toml: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-private-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("virtualstore.toml"), toml).unwrap();
    dir
}

const FLAGS: &str = r#"[stores.PlayerData]
kind = "players"
version = 1

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0 }
"Wallet.Tokens" = { type = "integer", default = 0, min = 0, private = false }
"Flags.Tutorial" = { type = "boolean", default = true }
"Flags.AntiCheat" = { type = "boolean", default = false, private = true }

[stores.PlayerData.public]
paths = ["Wallet.Coins", "Wallet.Tokens", "Flags.Tutorial"]
"#;

fn generated(files: &[codegen::OutFile], path: &str) -> String {
    files
        .iter()
        .find(|f| f.path == Path::new(path))
        .unwrap_or_else(|| panic!("{path} was not generated"))
        .contents
        .clone()
}

/// The `Paths = { ... }` block of the generated `Replication` config.
fn replication_paths(init: &str) -> Vec<String> {
    let start = init.find("Paths = {").expect("a Replication.Paths table");
    init[start..]
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|l| *l != "},")
        .map(str::to_owned)
        .collect()
}

#[test]
fn private_and_explicitly_public_marks_are_kept_and_exact_siblings_pass_cleanly() {
    let dir = project("flags", FLAGS);
    let checked = check_project(&dir).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    // `Wallet.Tokens` looks operational but is declared safe; nothing warns.
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
    let store = &checked.project.stores[0];
    let mark = |p: &[&str]| store.template.iter().find(|f| f.path == p).unwrap().private;
    assert_eq!(mark(&["Flags", "AntiCheat"]), Some(true));
    assert_eq!(mark(&["Wallet", "Tokens"]), Some(false));
    assert_eq!(mark(&["Wallet", "Coins"]), None);
}

#[test]
fn generated_replication_config_lists_only_the_public_leaf_beside_a_private_sibling() {
    let dir = project("codegen", FLAGS);
    let checked = check_project(&dir).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let files = codegen::generate(&checked.project);
    let init = generated(&files, "PlayerData/init.luau");
    assert_eq!(
        replication_paths(&init),
        [
            r#"{ "Wallet", "Coins" },"#,
            r#"{ "Wallet", "Tokens" },"#,
            r#"{ "Flags", "Tutorial" },"#
        ]
    );
    // The server keeps the private default in its template...
    assert!(init.contains("AntiCheat = false"));
    // ...but the client package replicated to every player never names it.
    let client = generated(&files, "PlayerDataClient/init.luau");
    assert!(client.contains("Tutorial"));
    assert!(!client.contains("AntiCheat"), "{client}");
}

#[test]
fn public_projection_leaves_the_private_sibling_out() {
    let dir = project("projection", FLAGS);
    let checked = check_project(&dir).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let store = &checked.project.stores[0];
    let mut data = store.defaults.clone();
    data["Flags"]["AntiCheat"] = json!(true);
    data["Wallet"]["Coins"] = json!(40);
    assert_eq!(
        public_projection(&data, &store.public),
        json!({ "Wallet": { "Coins": 40, "Tokens": 0 }, "Flags": { "Tutorial": true } })
    );
}

#[test]
fn publishing_the_parent_of_a_private_field_fails_with_the_exact_siblings_to_publish() {
    let dir = project(
        "parent",
        &FLAGS.replace(r#""Flags.Tutorial"]"#, r#""Flags"]"#),
    );
    let failed = check_project(&dir).unwrap_err();
    let d = failed
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(d.code, "VS3107");
    let text = std::fs::read_to_string(dir.join("virtualstore.toml")).unwrap();
    assert_eq!(&text[d.span.start..d.span.end], "\"Flags\"");
    assert!(d.help.contains("\"Flags.Tutorial\""), "{}", d.help);
    assert!(!d.help.contains("\"Flags.AntiCheat\""), "{}", d.help);
}

#[test]
fn operational_names_warn_without_failing_and_private_false_silences_them() {
    let toml = FLAGS.replace(
        "\"Flags.Tutorial\" = {",
        "\"Shop.Receipts\" = { type = \"{string}\", default = [] }\n\"Flags.Tutorial\" = {",
    );
    let warned = toml.replace(
        r#""Flags.Tutorial"]"#,
        r#""Flags.Tutorial", "Shop.Receipts"]"#,
    );
    let checked =
        check_project(&project("warn", &warned)).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(
        checked.warnings.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["VS3109"]
    );
    let silenced = warned.replace(
        "\"Shop.Receipts\" = { type = \"{string}\", default = [] }",
        "\"Shop.Receipts\" = { type = \"{string}\", default = [], private = false }",
    );
    let checked = check_project(&project("silenced", &silenced))
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert!(checked.warnings.is_empty(), "{:#?}", checked.warnings);
}

#[test]
fn changing_privacy_of_a_released_field_needs_no_version_bump() {
    let dir = project("lock", FLAGS);
    let before = check_project(&dir).unwrap().project;
    let lock = vstore::schema::lock::release(&before, &vstore::schema::lock::Lock::default());
    vstore::schema::lock::write(&dir, &lock).unwrap();
    std::fs::write(
        dir.join("virtualstore.toml"),
        FLAGS.replace(
            "\"Flags.Tutorial\" = { type = \"boolean\", default = true }",
            "\"Flags.Tutorial\" = { type = \"boolean\", default = true, private = false }",
        ),
    )
    .unwrap();
    check_project(&dir).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
}
