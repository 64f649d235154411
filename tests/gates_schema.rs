//! The published JSON Schema for `virtualstore.toml` is generated, never
//! hand-edited: the committed file must equal the generator's output.
//! Regenerate with `UPDATE_JSON_SCHEMA=1 cargo test --test toolchain gates_schema`.

use std::path::Path;

use vstore::editor_schema;

#[test]
fn committed_json_schema_equals_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(editor_schema::PATH);
    let generated = editor_schema::render();
    if std::env::var_os("UPDATE_JSON_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `UPDATE_JSON_SCHEMA=1 cargo test --test toolchain gates_schema` and commit it",
        editor_schema::PATH
    );
}

#[test]
fn every_store_setting_is_in_the_schema_with_its_default() {
    let schema = editor_schema::generate();
    let props = &schema["$defs"]["store"]["properties"]["settings"]["properties"];
    for s in vstore::core::settings::STORE_SETTINGS {
        assert!(props[s.name].is_object(), "{} missing", s.name);
        assert!(
            props[s.name]["default"] != serde_json::Value::Null,
            "{} has no default",
            s.name
        );
    }
    assert_eq!(props["LeaseTimeout"]["default"], 180);
    assert_eq!(props["MaxDataBytes"]["maximum"], 4_194_303);
    assert_eq!(
        props["UnknownOperationPolicy"]["enum"],
        serde_json::json!(["Retry", "Cancel", "Fail"])
    );
}

#[test]
fn template_fields_accept_exactly_the_keys_the_loader_reads() {
    let schema = editor_schema::generate();
    let field = &schema["$defs"]["templateField"];
    let mut keys: Vec<&str> = field["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut loader = vstore::schema::load::TEMPLATE_FIELD_KEYS.to_vec();
    loader.sort_unstable();
    assert_eq!(keys, loader);
    assert_eq!(field["additionalProperties"], false);
    assert_eq!(field["properties"]["private"]["type"], "boolean");
}

#[test]
fn template_entries_may_nest_groups_of_fields() {
    let schema = editor_schema::generate();
    let template = &schema["$defs"]["store"]["properties"]["template"];
    assert_eq!(
        template["additionalProperties"]["$ref"],
        "#/$defs/templateEntry"
    );
    let branches = schema["$defs"]["templateEntry"]["anyOf"]
        .as_array()
        .unwrap();
    assert_eq!(branches[0]["$ref"], "#/$defs/templateField");
    assert_eq!(
        branches[1]["additionalProperties"]["$ref"],
        "#/$defs/templateEntry"
    );
}
