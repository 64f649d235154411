//! `vstore diff` classification: one test per finding code, each with a
//! snapshot of the human (miette) and JSON output.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::json;
use vstore::diff::{compare, render, Finding, Severity, CODES};
use vstore::schema::model::{
    Migration, Operation, Project, Span, Store, StoreKind, TemplateField, Type,
};

const SOURCE: &str = r#"[stores.PlayerData]
kind = "players"
version = 2
settings = { OperationDedupeLimit = 100, AuditLogLimit = 5 }

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0 }
Level = { type = "integer", default = 1 }

[stores.PlayerData.public]
paths = ["Wallet.Coins", "Level"]

[stores.PlayerData.operations.Grant]
payload = "{ Coins: integer }"
"#;

fn span_of(needle: &str) -> Span {
    let start = SOURCE.find(needle).unwrap();
    Span {
        start,
        end: start + needle.len(),
    }
}

fn field(path: &str, ty: Type, default: serde_json::Value) -> TemplateField {
    let needle = if path.contains('.') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    };
    TemplateField {
        path: path.split('.').map(str::to_string).collect(),
        ty,
        default,
        span: span_of(&needle),
        private: None,
    }
}

fn int(min: Option<i64>) -> Type {
    Type::Integer { min, max: None }
}

fn op(name: &str, payload: Type) -> Operation {
    Operation {
        name: name.into(),
        payload,
        writes: vec![vec!["Wallet".into(), "Coins".into()]],
        file: PathBuf::from(format!("operations/{name}.luau")),
        source: String::new(),
    }
}

fn coins_payload() -> Type {
    Type::Record(vec![vstore::schema::model::Field {
        name: "Coins".into(),
        ty: int(None),
    }])
}

/// The released baseline every test edits.
fn base() -> Project {
    Project {
        root: PathBuf::from("."),
        out: PathBuf::from("build"),
        types: vec![],
        stores: vec![Store {
            name: "PlayerData".into(),
            kind: StoreKind::Players,
            version: 2,
            settings: BTreeMap::from([
                ("OperationDedupeLimit".to_string(), json!(100)),
                ("AuditLogLimit".to_string(), json!(5)),
            ]),
            shape: Type::Record(vec![]),
            template: vec![
                field("Wallet.Coins", int(Some(0)), json!(0)),
                field("Level", int(None), json!(1)),
            ],
            defaults: json!({}),
            public: vec![vec!["Wallet".into(), "Coins".into()], vec!["Level".into()]],
            channel: "PlayerData".into(),
            migrations: vec![],
            operations: vec![op("Grant", coins_payload())],
            leaderboards: vec![],
        }],
        typescript: false,
    }
}

fn store(p: &mut Project) -> &mut Store {
    &mut p.stores[0]
}

fn with_migration_to(p: &mut Project, to: u32) {
    let s = store(p);
    s.version = to;
    s.migrations.push(Migration {
        to,
        file: PathBuf::from(format!("migrations/{to}.luau")),
        source: String::new(),
    });
}

/// Runs the diff, checks the expected codes and snapshots both renderings.
fn check(name: &str, old: &Project, new: &Project, expected: &[(&str, Severity)]) -> Vec<Finding> {
    let findings = compare(old, new, SOURCE);
    let got: Vec<(&str, Severity)> = findings.iter().map(|f| (f.code, f.severity)).collect();
    assert_eq!(got, expected, "{findings:#?}");
    insta::assert_snapshot!(
        format!("{name}_human"),
        render::human(&findings, "virtualstore.toml", SOURCE)
    );
    insta::assert_snapshot!(
        format!("{name}_json"),
        render::json(&findings, "virtualstore.toml", SOURCE)
    );
    findings
}

#[test]
fn identical_schemas_have_no_findings() {
    check("identical", &base(), &base(), &[]);
}

#[test]
fn vsd001_field_removed_without_migration_is_breaking() {
    let mut new = base();
    store(&mut new).template.retain(|f| f.path != ["Level"]);
    check("vsd001", &base(), &new, &[("VSD001", Severity::Breaking)]);
}

#[test]
fn vsd002_type_narrowed_without_migration_is_breaking() {
    let mut old = base();
    store(&mut old).template[1].ty = int(None);
    let mut new = base();
    store(&mut new).template[1].ty = Type::Integer {
        min: Some(1),
        max: Some(100),
    };
    let f = check("vsd002", &old, &new, &[("VSD002", Severity::Breaking)]);
    assert!(f[0].message.contains("narrowed"));
    assert_eq!(f[0].span, span_of("Level"));
}

#[test]
fn vsd002_type_changed_to_unrelated_type_is_breaking() {
    let mut new = base();
    store(&mut new).template[1].ty = Type::String { max_len: None };
    let f = check(
        "vsd002_changed",
        &base(),
        &new,
        &[("VSD002", Severity::Breaking)],
    );
    assert!(f[0].message.contains("changed: `integer` -> `string`"));
}

#[test]
fn vsd003_type_widened_is_informational() {
    let mut new = base();
    store(&mut new).template[1].ty = Type::Number {
        min: None,
        max: None,
    };
    check("vsd003", &base(), &new, &[("VSD003", Severity::Info)]);
}

#[test]
fn vsd004_default_changed_is_a_warning() {
    let mut new = base();
    store(&mut new).template[0].default = json!(50);
    check("vsd004", &base(), &new, &[("VSD004", Severity::Warning)]);
}

#[test]
fn vsd005_field_added_is_informational() {
    let mut old = base();
    store(&mut old).template.retain(|f| f.path != ["Level"]);
    check("vsd005", &old, &base(), &[("VSD005", Severity::Info)]);
}

#[test]
fn vsd006_public_path_added_warns_about_exposure() {
    let mut old = base();
    store(&mut old).public.retain(|p| p != &["Level"]);
    let f = check("vsd006", &old, &base(), &[("VSD006", Severity::Warning)]);
    assert_eq!(f[0].span, span_of("\"Level\""));
}

#[test]
fn vsd007_public_path_removed_breaks_clients() {
    let mut new = base();
    store(&mut new).public.retain(|p| p != &["Level"]);
    check("vsd007", &base(), &new, &[("VSD007", Severity::Breaking)]);
}

#[test]
fn vsd008_operation_removed_is_breaking() {
    let mut new = base();
    store(&mut new).operations.clear();
    check("vsd008", &base(), &new, &[("VSD008", Severity::Breaking)]);
}

#[test]
fn vsd009_operation_payload_narrowed_is_breaking_but_widening_is_not() {
    let mut new = base();
    store(&mut new).operations[0].payload = Type::Record(vec![vstore::schema::model::Field {
        name: "Coins".into(),
        ty: int(Some(1)),
    }]);
    check("vsd009", &base(), &new, &[("VSD009", Severity::Breaking)]);

    let mut widened = base();
    store(&mut widened).operations[0].payload = Type::Record(vec![
        vstore::schema::model::Field {
            name: "Coins".into(),
            ty: Type::Number {
                min: None,
                max: None,
            },
        },
        vstore::schema::model::Field {
            name: "Reason".into(),
            ty: Type::Optional(Box::new(Type::String { max_len: None })),
        },
    ]);
    assert!(compare(&base(), &widened, SOURCE).is_empty());
}

#[test]
fn vsd010_shrinking_the_dedupe_ledger_is_breaking_and_audit_log_warns() {
    let mut old = base();
    store(&mut old)
        .settings
        .insert("OperationDedupeLimit".into(), json!(5000));
    store(&mut old)
        .settings
        .insert("AuditLogLimit".into(), json!(50));
    check(
        "vsd010",
        &old,
        &base(),
        &[
            ("VSD010", Severity::Breaking),
            ("VSD010", Severity::Warning),
        ],
    );
}

#[test]
fn vsd011_store_removed_is_breaking() {
    let mut old = base();
    let mut extra = old.stores[0].clone();
    extra.name = "Guilds".into();
    old.stores.push(extra);
    check("vsd011", &old, &base(), &[("VSD011", Severity::Breaking)]);
}

#[test]
fn vsd012_version_going_backwards_is_breaking() {
    let mut old = base();
    store(&mut old).version = 3;
    let f = check("vsd012", &old, &base(), &[("VSD012", Severity::Breaking)]);
    assert_eq!(f[0].span, span_of("version"));
}

#[test]
fn vsd013_changes_covered_by_a_migration_are_informational() {
    // v1 stored Level as a string; v2 stores an integer and ships the 1 -> 2 migration.
    let mut old = base();
    store(&mut old).version = 1;
    store(&mut old).template[1].ty = Type::String { max_len: None };
    let mut new = base();
    with_migration_to(&mut new, 2);
    check("vsd013", &old, &new, &[("VSD013", Severity::Info)]);

    // A removal riding on the migration is informational too.
    let mut removed = new.clone();
    store(&mut removed).template.retain(|f| f.path != ["Level"]);
    let findings = compare(&old, &removed, SOURCE);
    assert_eq!(
        findings
            .iter()
            .map(|f| (f.code, f.severity))
            .collect::<Vec<_>>(),
        [("VSD013", Severity::Info)]
    );
}

#[test]
fn vsd014_a_private_field_made_public_is_breaking() {
    // Released: `Level` private and unpublished. Now: unmarked and published.
    let mut old = base();
    store(&mut old).template[1].private = Some(true);
    store(&mut old).public.retain(|p| p != &["Level"]);
    let f = check(
        "vsd014_made_public",
        &old,
        &base(),
        &[
            ("VSD014", Severity::Breaking),
            ("VSD006", Severity::Warning),
        ],
    );
    assert_eq!(f[0].span, span_of("\"Level\""));
    assert!(
        f[0].message.contains("field `Level` was private"),
        "{}",
        f[0].message
    );
}

#[test]
fn vsd014_a_new_public_parent_over_a_private_field_is_breaking() {
    let reserved = TemplateField {
        path: vec!["Wallet".into(), "Reserved".into()],
        ty: int(Some(0)),
        default: json!(0),
        span: Span::default(),
        private: Some(true),
    };
    let mut old = base();
    store(&mut old).template.push(reserved);
    let mut new = old.clone();
    store(&mut new).public.push(vec!["Wallet".into()]);
    let f = check(
        "vsd014_parent",
        &old,
        &new,
        &[
            ("VSD014", Severity::Breaking),
            ("VSD006", Severity::Warning),
        ],
    );
    assert!(
        f[0].message
            .contains("`Wallet` reaches the private field `Wallet.Reserved`"),
        "{}",
        f[0].message
    );
    // Marking a field private, or keeping a private field unpublished, is no finding.
    let mut marked = base();
    store(&mut marked).template[1].private = Some(true);
    store(&mut marked).public.retain(|p| p != &["Level"]);
    let mut unpublished = base();
    store(&mut unpublished).public.retain(|p| p != &["Level"]);
    assert_eq!(
        compare(&unpublished, &marked, SOURCE)
            .iter()
            .map(|f| f.code)
            .collect::<Vec<_>>(),
        Vec::<&str>::new()
    );
}

#[test]
fn every_code_is_distinct_and_documented_once() {
    let mut codes: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes.len(),
        CODES.len(),
        "a code is listed twice in diff::CODES"
    );
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/quality-gates.md"
    ))
    .unwrap();
    for code in codes {
        assert_eq!(
            docs.matches(&format!("| {code} |")).count(),
            1,
            "{code} must have exactly one row in docs/quality-gates.md"
        );
    }
}

#[test]
fn github_format_emits_one_annotation_per_finding() {
    let mut new = base();
    store(&mut new).operations.clear();
    store(&mut new).template[0].default = json!(50);
    let findings = compare(&base(), &new, SOURCE);
    let out = render::github(&findings, "virtualstore.toml", SOURCE);
    assert_eq!(
        out.lines()
            .map(|l| l.split("::").nth(1).unwrap())
            .collect::<Vec<_>>(),
        [
            "error file=virtualstore.toml,line=1,col=1,title=VSD008",
            "warning file=virtualstore.toml,line=7,col=1,title=VSD004"
        ]
    );
}
