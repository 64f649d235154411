//! The JSON Schema of `virtualstore.toml` for editors (Taplo, Even Better
//! TOML). Generated from the Rust model: settings, their kinds, bounds,
//! defaults and docs come from `core::settings`; the table layout mirrors what
//! the `schema` front end reads. `schemas/virtualstore.schema.json` is this
//! output, kept identical by a test.

use serde_json::{json, Map, Value};

use crate::core::settings::{
    Setting, SettingKind, SettingValue, ORDERED_INDEX_SETTINGS, STORE_SETTINGS,
};

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
    let template_field = json!({
        "type": "object",
        "description": "A template field: its type, default, optional bounds and privacy.",
        "properties": {
            "type": { "$ref": "#/$defs/typeExpr" },
            "default": { "description": "The value new records start with; must satisfy the type." },
            "min": { "type": "number", "description": "Smallest accepted number." },
            "max": { "type": "number", "description": "Largest accepted number." },
            "maxLength": { "type": "integer", "minimum": 1, "description": "Longest accepted string, in characters." },
            "private": {
                "type": "boolean",
                "description": "true: the field and everything inside it (record fields, elements) never reach a public path; `vstore check` rejects public paths that name it or publish a parent of it. false: the field is safe to publish even though its name looks operational (receipts, tokens, admin, ...).",
            },
        },
        "required": ["type"],
        "additionalProperties": false,
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
    let store = json!({
        "type": "object",
        "description": "One VirtualStore: its kind, version, settings, template, public paths, migrations and operations.",
        "properties": {
            "kind": {
                "type": "string",
                "enum": ["players", "keyed"],
                "description": "\"players\": the player facade over Player_<UserId>; \"keyed\": the core keyed Store.",
            },
            "version": { "type": "integer", "minimum": 1, "description": "Current schema version; migrations step to it one version at a time." },
            "settings": settings_object(STORE_SETTINGS, "Store and Session settings; unset ones keep the spec defaults."),
            "template": {
                "type": "object",
                "description": "Fields keyed by dotted path.",
                "additionalProperties": { "$ref": "#/$defs/templateEntry" },
            },
            "public": {
                "type": "object",
                "description": "Exact paths the owning client receives.",
                "properties": {
                    "paths": { "type": "array", "items": { "$ref": "#/$defs/dataPath" }, "uniqueItems": true, "description": "Exact paths; never a parent of a `private = true` field, never `Meta` or another reserved envelope name." },
                    "channel": { "type": "string", "minLength": 1, "description": "Replication channel name (defaults to the store name)." },
                },
                "additionalProperties": false,
            },
            "migrations": {
                "type": "array",
                "description": "One step per destination version.",
                "items": {
                    "type": "object",
                    "properties": {
                        "to": { "type": "integer", "minimum": 2, "description": "Destination version; the step runs to - 1 -> to." },
                        "file": { "type": "string", "description": "Luau file returning the migration function." },
                    },
                    "required": ["to", "file"],
                    "additionalProperties": false,
                },
            },
            "operations": {
                "type": "object",
                "description": "Durable operation handlers by name.",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "payload": { "$ref": "#/$defs/typeExpr" },
                        "writes": { "type": "array", "items": { "$ref": "#/$defs/dataPath" }, "description": "Every path the handler may write." },
                        "file": { "type": "string", "description": "Luau file returning the handler." },
                    },
                    "required": ["payload", "writes", "file"],
                    "additionalProperties": false,
                },
            },
            "leaderboards": {
                "type": "object",
                "description": "OrderedIndex leaderboards by OrderedDataStore name; each projects one integer field after every save.",
                "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": 50 },
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "path": { "$ref": "#/$defs/dataPath", "description": "A non-optional integer template field." },
                        "ascending": { "type": "boolean", "default": false, "description": "Sort low to high (fastest times)." },
                        "settings": settings_object(ORDERED_INDEX_SETTINGS, "OrderedIndex settings."),
                    },
                    "required": ["path"],
                    "additionalProperties": false,
                },
            },
        },
        "required": ["kind", "version", "template"],
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://vstore.dev/schemas/virtualstore.schema.json",
        "title": "virtualstore.toml",
        "description": "A vstore project: persistent Roblox player data declared once and generated into a Luau VirtualStore package.",
        "type": "object",
        "properties": {
            "project": {
                "type": "object",
                "properties": {
                    "out": { "type": "string", "default": "build", "description": "Where the Rojo-ready package is written, relative to this file." },
                    "typescript": { "type": "boolean", "default": false, "description": "Also emit roblox-ts typings." },
                },
                "additionalProperties": false,
            },
            "types": {
                "type": "object",
                "description": "Named types usable in templates and payloads.",
                "additionalProperties": { "$ref": "#/$defs/typeExpr" },
            },
            "stores": {
                "type": "object",
                "description": "Stores by name.",
                "additionalProperties": { "$ref": "#/$defs/store" },
            },
        },
        "$defs": {
            "typeExpr": type_expr,
            "dataPath": data_path,
            "templateField": template_field,
            "templateEntry": template_entry,
            "store": store,
        },
    })
}

/// The file contents: pretty JSON with a trailing newline.
pub fn render() -> String {
    serde_json::to_string_pretty(&generate()).unwrap_or_default() + "\n"
}
