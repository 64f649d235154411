//! The JSON Schema of `virtualstore.toml` for editors (Taplo, Even Better
//! TOML), generated from the same tables the toolchain reads with: the
//! layout, keys, kinds and docs from `schema::keys`, settings with their
//! kinds, bounds, defaults and docs from `core::settings`.
//! `schemas/virtualstore.schema.json` is this output, kept identical by a test.

use serde_json::{json, Map, Value};

use crate::core::settings::{
    Setting, SettingKind, SettingValue, ORDERED_INDEX_SETTINGS, STORE_SETTINGS,
};
use crate::schema::keys::{self, Key, Names, Settings, Table, Value as Kind};

/// Where the published schema lives in the repository.
pub const PATH: &str = "schemas/virtualstore.schema.json";

fn setting_schema(s: &Setting) -> Value {
    let mut m = Map::new();
    match s.kind {
        SettingKind::Number => {
            m.insert("type".into(), json!("number"));
        }
        SettingKind::Integer => {
            m.insert("type".into(), json!("integer"));
        }
        SettingKind::Boolean => {
            m.insert("type".into(), json!("boolean"));
        }
        SettingKind::Choice(values) => {
            m.insert("type".into(), json!("string"));
            m.insert("enum".into(), json!(values));
        }
    }
    if let Some(min) = s.min {
        m.insert("minimum".into(), number(min));
    }
    if let Some(max) = s.max {
        m.insert("maximum".into(), number(max));
    }
    m.insert(
        "default".into(),
        match s.default {
            SettingValue::Number(n) => number(n),
            SettingValue::Bool(b) => json!(b),
            SettingValue::Str(v) => json!(v),
        },
    );
    m.insert("description".into(), json!(s.doc));
    Value::Object(m)
}

/// Whole numbers print without a fraction so the file reads naturally.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn settings_object(settings: &[Setting], description: &str) -> Value {
    let props: Map<String, Value> = settings
        .iter()
        .map(|s| (s.name.to_string(), setting_schema(s)))
        .collect();
    json!({
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": false,
    })
}

const TYPE_EXPR: &str = "#/$defs/typeExpr";
const DATA_PATH: &str = "#/$defs/dataPath";

fn with_doc(mut v: Value, doc: &str) -> Value {
    if !doc.is_empty() {
        v["description"] = json!(doc);
    }
    v
}

/// A table of `keys::Table`: its keys, which are required, nothing else.
fn table(t: &Table, doc: &str) -> Value {
    let props: Map<String, Value> = t
        .keys
        .iter()
        .map(|k| (k.name.to_string(), key(k)))
        .collect();
    let required: Vec<&str> = t
        .keys
        .iter()
        .filter(|k| k.required)
        .map(|k| k.name)
        .collect();
    let mut v = json!({
        "type": "object",
        "properties": props,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        v["required"] = json!(required);
    }
    with_doc(v, doc)
}

fn key(k: &Key) -> Value {
    let v = match k.value {
        Kind::String { min_len, default } => {
            let mut v = json!({ "type": "string" });
            if let Some(n) = min_len {
                v["minLength"] = json!(n);
            }
            if let Some(d) = default {
                v["default"] = json!(d);
            }
            v
        }
        Kind::Boolean { default } => {
            let mut v = json!({ "type": "boolean" });
            if let Some(d) = default {
                v["default"] = json!(d);
            }
            v
        }
        Kind::Integer { min } => {
            let mut v = json!({ "type": "integer" });
            if let Some(m) = min {
                v["minimum"] = json!(m);
            }
            v
        }
        Kind::Number => json!({ "type": "number" }),
        Kind::Choice(options) => json!({ "type": "string", "enum": options }),
        // The type language is described once, in its definition.
        Kind::TypeExpr => return json!({ "$ref": TYPE_EXPR }),
        Kind::DataPath => json!({ "$ref": DATA_PATH }),
        Kind::DataPaths { unique } => {
            let mut v = json!({ "type": "array", "items": { "$ref": DATA_PATH } });
            if unique {
                v["uniqueItems"] = json!(true);
            }
            v
        }
        Kind::File => json!({ "type": "string" }),
        Kind::Any => json!({}),
        Kind::Table(t) => return table(t, k.doc),
        Kind::Named(t, names) => {
            let mut v = json!({ "type": "object", "additionalProperties": table(t, t.doc) });
            if let Names::Identifiers { max_len } = names {
                v["propertyNames"] =
                    json!({ "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": max_len });
            }
            v
        }
        Kind::Tables(t) => json!({ "type": "array", "items": table(t, t.doc) }),
        Kind::Settings(Settings::Store) => return settings_object(STORE_SETTINGS, k.doc),
        Kind::Settings(Settings::OrderedIndex) => {
            return settings_object(ORDERED_INDEX_SETTINGS, k.doc)
        }
        Kind::Types => json!({ "type": "object", "additionalProperties": { "$ref": TYPE_EXPR } }),
        Kind::Stores => {
            json!({ "type": "object", "additionalProperties": { "$ref": "#/$defs/store" } })
        }
        Kind::Template => json!({
            "type": "object",
            "additionalProperties": { "$ref": "#/$defs/templateEntry" },
        }),
    };
    with_doc(v, k.doc)
}

/// The schema as a JSON value.
pub fn generate() -> Value {
    let type_expr = json!({
        "type": "string",
        "description": "A type in the schema language: integer, number, string, boolean, {T}, {[string]: T}, { A: T }, T?, \"a\" | \"b\", or a name from [types].",
    });
    let data_path = json!({
        "type": "string",
        "description": "A dotted path into profile data, e.g. \"Wallet.Coins\".",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$",
    });
    // A template key is a field, or a table of further keys (`[stores.X.template.Wallet]`).
    let template_entry = json!({
        "anyOf": [
            { "$ref": "#/$defs/templateField" },
            {
                "type": "object",
                "description": "A group of fields under a common path prefix.",
                "additionalProperties": { "$ref": "#/$defs/templateEntry" },
            },
        ],
    });
    let mut root = table(&keys::ROOT, keys::ROOT.doc);
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$id"] = json!("https://vstore.dev/schemas/virtualstore.schema.json");
    root["title"] = json!("virtualstore.toml");
    root["$defs"] = json!({
        "typeExpr": type_expr,
        "dataPath": data_path,
        "templateField": table(&keys::FIELD, keys::FIELD.doc),
        "templateEntry": template_entry,
        "store": table(&keys::STORE, keys::STORE.doc),
    });
    root
}

/// The file contents: pretty JSON with a trailing newline.
pub fn render() -> String {
    serde_json::to_string_pretty(&generate()).unwrap_or_default() + "\n"
}
