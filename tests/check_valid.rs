//! Valid projects produce the expected model, and the lock file tracks the
//! schema history across releases.

use std::path::{Path, PathBuf};

use serde_json::json;
use vstore::check::check_project;
use vstore::schema::lock;
use vstore::schema::model::{StoreKind, Type};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema-examples")
        .join(name)
}

fn int(min: Option<i64>, max: Option<i64>) -> Type {
    Type::Integer { min, max }
}

#[test]
fn start_here_schema_builds_nested_shape_and_defaults() {
    let checked =
        check_project(&example("basic")).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    assert!(checked.warnings.is_empty());
    let store = &checked.project.stores[0];
    assert_eq!(store.name, "PlayerData");
    assert_eq!(store.kind, StoreKind::Players);
    assert_eq!(store.version, 1);
    assert_eq!(store.channel, "PlayerData");
    assert_eq!(
        store.defaults,
        json!({ "Wallet": { "Coins": 0 }, "Inventory": [] })
    );
    let Type::Record(fields) = &store.shape else {
        panic!("shape is not a record")
    };
    assert_eq!(fields[0].name, "Wallet");
    assert_eq!(
        fields[0].ty,
        Type::Record(vec![vstore::schema::model::Field {
            name: "Coins".into(),
            ty: int(Some(0), None)
        }])
    );
    assert_eq!(
        fields[1].ty,
        Type::Array(Box::new(Type::String { max_len: None }))
    );
    assert_eq!(
        store.public,
        vec![
            vec!["Wallet".to_owned(), "Coins".to_owned()],
            vec!["Inventory".to_owned()]
        ]
    );
}

#[test]
fn advanced_schema_loads_settings_migrations_and_operations() {
    let checked =
        check_project(&example("advanced")).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let p = &checked.project;
    assert_eq!(
        p.types.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Item", "Quest"]
    );
    let store = &p.stores[0];
    assert_eq!(store.version, 4);
    assert_eq!(store.settings.get("AuditLogLimit"), Some(&json!(50)));
    assert_eq!(store.settings.get("StrictData"), Some(&json!(true)));
    assert_eq!(
        store.migrations.iter().map(|m| m.to).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert!(store.migrations[1]
        .source
        .contains("return function(old: V2): V3"));
    let op = &store.operations[0];
    assert_eq!(op.name, "GrantMatchReward");
    assert_eq!(
        op.writes,
        vec![vec!["Wallet".to_owned(), "Coins".to_owned()]]
    );
    assert_eq!(
        op.payload,
        Type::Record(vec![vstore::schema::model::Field {
            name: "Coins".into(),
            ty: int(None, None)
        }])
    );
    assert_eq!(
        store.defaults["Progress"],
        json!({ "Level": 1, "XP": 0, "SeasonPoints": 0 })
    );
    let level = store
        .template
        .iter()
        .find(|f| f.path == ["Progress", "Level"])
        .unwrap();
    assert_eq!(level.ty, int(Some(1), Some(100)));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const V1: &str = r#"[stores.PlayerData]
kind = "players"
version = 1

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0 }
"#;

fn codes(dir: &Path) -> Vec<&'static str> {
    match check_project(dir) {
        Ok(_) => Vec::new(),
        Err(f) => f.diagnostics.iter().map(|d| d.code).collect(),
    }
}

fn release(dir: &Path) {
    let checked = check_project(dir).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    lock::write(dir, &lock::release(&checked.project, &checked.lock)).unwrap();
}

#[test]
fn a_released_version_takes_compatible_changes_without_a_bump() {
    let dir = scratch("compatible");
    std::fs::write(dir.join("virtualstore.toml"), V1).unwrap();
    release(&dir);
    assert!(
        codes(&dir).is_empty(),
        "an unchanged project passes against its own lock"
    );
    let compatible = [
        format!("{V1}Level = {{ type = \"integer\", default = 1 }}\n"),
        format!("{V1}Title = {{ type = \"string?\" }}\n"),
        V1.replace(", min = 0 }", " }"),
        format!("{V1}\n[stores.PlayerData.public]\npaths = [\"Wallet.Coins\"]\n"),
    ];
    for edited in compatible {
        std::fs::write(dir.join("virtualstore.toml"), &edited).unwrap();
        assert_eq!(codes(&dir), Vec::<&str>::new(), "{edited}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_released_version_refuses_breaking_changes_with_the_exact_fix() {
    let dir = scratch("breaking");
    let two = format!("{V1}Level = {{ type = \"integer\", default = 1 }}\n");
    std::fs::write(dir.join("virtualstore.toml"), &two).unwrap();
    release(&dir);
    for (edited, what) in [
        (V1.to_owned(), "field `Level` was removed"),
        (
            two.replace("default = 0, min = 0", "default = 0, min = 0, max = 9"),
            "type of `Wallet.Coins` narrowed",
        ),
        (
            two.replace(
                "Level = { type = \"integer\"",
                "Level = { type = \"string\"",
            )
            .replace("default = 1", "default = \"1\""),
            "type of `Level` changed",
        ),
    ] {
        std::fs::write(dir.join("virtualstore.toml"), &edited).unwrap();
        let failed = check_project(&dir).unwrap_err();
        let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code, "VS5001");
        assert!(errors[0].message.starts_with(what), "{}", errors[0].message);
        assert!(
            errors[0].help.starts_with("bump to `version = 2` and add `[[stores.PlayerData.migrations]]` with `to = 2` and `file = \"migrations/PlayerData/2.luau\"`"),
            "{}",
            errors[0].help
        );
    }

    let bumped = V1.replace("version = 1", "version = 2");
    std::fs::write(dir.join("virtualstore.toml"), &bumped).unwrap();
    assert_eq!(codes(&dir), ["VS5002"]);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(
        dir.join("migrations/2.luau"),
        "--@removes Level\nreturn function(old: V1): V2\n\treturn { Wallet = old.Wallet }\nend\n",
    )
    .unwrap();
    let migrated = format!(
        "{bumped}\n[[stores.PlayerData.migrations]]\nto = 2\nfile = \"migrations/2.luau\"\n"
    );
    std::fs::write(dir.join("virtualstore.toml"), migrated).unwrap();
    assert!(codes(&dir).is_empty());
    release(&dir);
    let next = lock::read(&dir).unwrap();
    assert_eq!(
        next.stores["PlayerData"]
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let text = std::fs::read_to_string(dir.join("vstore.lock")).unwrap();
    assert_eq!(lock::render(&next), text, "the lock text is stable");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn releasing_again_after_an_added_field_types_old_records_as_lacking_it() {
    let dir = scratch("rerelease");
    std::fs::write(dir.join("virtualstore.toml"), V1).unwrap();
    release(&dir);
    std::fs::write(
        dir.join("virtualstore.toml"),
        format!("{V1}Level = {{ type = \"integer\", default = 1 }}\n"),
    )
    .unwrap();
    release(&dir);
    let lock = lock::read(&dir).unwrap();
    assert_eq!(
        vstore::schema::types::render_shape(&lock.stores["PlayerData"][&1].shape),
        "{ Level: integer?, Wallet: { Coins: integer(0..) } }"
    );
    assert!(
        codes(&dir).is_empty(),
        "the project still matches its release"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
