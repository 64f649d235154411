//! The one table of what `virtualstore.toml` may contain: every table, its
//! keys, the kind of value each key takes, whether it is required and what it
//! means. The reader (`document`) validates against it (unknown keys, wrong
//! value kinds, missing keys) and the editor JSON Schema (`editor_schema`) is
//! generated from it, so both always agree. It holds no behaviour.

/// What a key's value must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A string; `min_len` for non-empty names, `default` shown to editors.
    String {
        min_len: Option<usize>,
        default: Option<&'static str>,
    },
    Boolean {
        default: Option<bool>,
    },
    Integer {
        min: Option<i64>,
    },
    /// A number bound (`min`/`max` of a template field).
    Number,
    /// One of fixed strings.
    Choice(&'static [&'static str]),
    /// A string in the type language.
    TypeExpr,
    /// A dotted data path string.
    DataPath,
    /// An array of dotted data path strings.
    DataPaths {
        unique: bool,
    },
    /// A project-relative Luau file.
    File,
    /// Any TOML value (template defaults).
    Any,
    /// A sub-table with its own keys.
    Table(&'static Table),
    /// A table of named sub-tables (`operations.<Name>`, `leaderboards.<Name>`).
    Named(&'static Table, Names),
    /// An array of tables (`[[migrations]]`).
    Tables(&'static Table),
    /// Settings checked against `core::settings`.
    Settings(Settings),
    /// `[types]`: names to type strings.
    Types,
    /// `[stores]`: names to stores.
    Stores,
    /// A template: dotted paths to field tables or groups of them.
    Template,
}

/// Restrictions on the names of a `Named` table, for editors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Names {
    Any,
    /// Identifiers of at most this many characters.
    Identifiers {
        max_len: usize,
    },
}

/// Which settings table a `settings` key is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settings {
    Store,
    OrderedIndex,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    pub name: &'static str,
    pub value: Value,
    pub required: bool,
    /// What the key means (the editor's hover text).
    pub doc: &'static str,
    /// The example the "missing key" help suggests (`<Name>` is replaced by
    /// the name of the table it is missing from).
    pub example: &'static str,
    /// Label and help when the value has the wrong kind; empty for the generic ones.
    pub wrong_kind: (&'static str, &'static str),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    /// How messages name this table, e.g. `[project]`.
    pub what: &'static str,
    pub doc: &'static str,
    pub keys: &'static [Key],
}

impl Table {
    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.keys.iter().map(|k| k.name)
    }
}

const fn key(name: &'static str, value: Value, doc: &'static str) -> Key {
    Key {
        name,
        value,
        required: false,
        doc,
        example: "",
        wrong_kind: ("", ""),
    }
}

const fn required(
    name: &'static str,
    value: Value,
    doc: &'static str,
    example: &'static str,
) -> Key {
    Key {
        name,
        value,
        required: true,
        doc,
        example,
        wrong_kind: ("", ""),
    }
}

pub const ROOT: Table = Table {
    what: "the project file",
    doc: "A vstore project: persistent Roblox player data declared once and generated into a Luau VirtualStore package.",
    keys: &[
        key("project", Value::Table(&PROJECT), ""),
        key(
            "types",
            Value::Types,
            "Named types usable in templates and payloads.",
        ),
        required(
            "stores",
            Value::Stores,
            "Stores by name.",
            "a store such as `[stores.PlayerData]` with `kind`, `version` and a `[stores.PlayerData.template]`",
        ),
    ],
};

pub const PROJECT: Table = Table {
    what: "[project]",
    doc: "",
    keys: &[
        key(
            "out",
            Value::String {
                min_len: None,
                default: Some("build"),
            },
            "Where the Rojo-ready package is written, relative to this file.",
        ),
        key(
            "typescript",
            Value::Boolean {
                default: Some(false),
            },
            "Also emit roblox-ts typings.",
        ),
    ],
};

pub const STORE: Table = Table {
    what: "[stores.<Name>]",
    doc: "One VirtualStore: its kind, version, settings, template, public paths, migrations and operations.",
    keys: &[
        required(
            "kind",
            Value::Choice(&["players", "keyed"]),
            "\"players\": the player facade over Player_<UserId>; \"keyed\": the core keyed Store.",
            "`kind = \"players\"` or `kind = \"keyed\"`",
        ),
        required(
            "version",
            Value::Integer { min: Some(1) },
            "Current schema version; migrations step to it one version at a time.",
            "`version = 1`",
        ),
        key(
            "settings",
            Value::Settings(Settings::Store),
            "Store and Session settings; unset ones keep the spec defaults.",
        ),
        required(
            "template",
            Value::Template,
            "Fields keyed by dotted path.",
            "a `[stores.<Name>.template]` table with at least one field",
        ),
        key(
            "public",
            Value::Table(&PUBLIC),
            "Exact paths the owning client receives.",
        ),
        key(
            "migrations",
            Value::Tables(&MIGRATION),
            "One step per destination version.",
        ),
        key(
            "operations",
            Value::Named(&OPERATION, Names::Any),
            "Durable operation handlers by name.",
        ),
        key(
            "leaderboards",
            Value::Named(&LEADERBOARD, Names::Identifiers { max_len: 50 }),
            "OrderedIndex leaderboards by OrderedDataStore name; each projects one integer field after every save.",
        ),
    ],
};

pub const FIELD: Table = Table {
    what: "template field",
    doc: "A template field: its type, default, optional bounds and privacy.",
    keys: &[
        required(
            "type",
            Value::TypeExpr,
            "",
            "`type = \"integer\"` (or another type)",
        ),
        key(
            "default",
            Value::Any,
            "The value new records start with; must satisfy the type.",
        ),
        key("min", Value::Number, "Smallest accepted number."),
        key("max", Value::Number, "Largest accepted number."),
        key(
            "maxLength",
            Value::Integer { min: Some(1) },
            "Longest accepted string, in characters.",
        ),
        Key {
            wrong_kind: (
                "expected `true` or `false`",
                "write `private = true` to keep the field off every public path, or `private = false` to declare it safe to publish",
            ),
            ..key(
                "private",
                Value::Boolean { default: None },
                "true: the field and everything inside it (record fields, elements) never reach a public path; `vstore check` rejects public paths that name it or publish a parent of it. false: the field is safe to publish even though its name looks operational (receipts, tokens, admin, ...).",
            )
        },
    ],
};

pub const PUBLIC: Table = Table {
    what: "[stores.<Name>.public]",
    doc: "Exact paths the owning client receives.",
    keys: &[
        key(
            "paths",
            Value::DataPaths { unique: true },
            "Exact paths; never a parent of a `private = true` field, never `Meta` or another reserved envelope name.",
        ),
        key(
            "channel",
            Value::String {
                min_len: Some(1),
                default: None,
            },
            "Replication channel name (defaults to the store name).",
        ),
    ],
};

pub const MIGRATION: Table = Table {
    what: "a migration",
    doc: "",
    keys: &[
        required(
            "to",
            Value::Integer { min: Some(2) },
            "Destination version; the step runs to - 1 -> to.",
            "both `to = N` (destination version) and `file = \"migrations/N.luau\"`",
        ),
        required(
            "file",
            Value::File,
            "Luau file returning the migration function.",
            "both `to = N` (destination version) and `file = \"migrations/N.luau\"`",
        ),
    ],
};

pub const OPERATION: Table = Table {
    what: "operation `<Name>`",
    doc: "",
    keys: &[
        required(
            "payload",
            Value::TypeExpr,
            "",
            "`payload = \"{ Coins: integer }\"`",
        ),
        required(
            "writes",
            Value::DataPaths { unique: false },
            "Every path the handler may write.",
            "`writes = [\"Wallet.Coins\"]`, the paths the handler may change",
        ),
        required(
            "file",
            Value::File,
            "Luau file returning the handler.",
            "`file = \"operations/<Name>.luau\"`",
        ),
    ],
};

pub const LEADERBOARD: Table = Table {
    what: "leaderboard",
    doc: "",
    keys: &[
        required(
            "path",
            Value::DataPath,
            "A non-optional integer template field.",
            "`path = \"Wallet.Coins\"`, an integer template field",
        ),
        key(
            "ascending",
            Value::Boolean {
                default: Some(false),
            },
            "Sort low to high (fastest times).",
        ),
        key(
            "settings",
            Value::Settings(Settings::OrderedIndex),
            "OrderedIndex settings.",
        ),
    ],
};

/// The keys a template field table accepts, in table order.
pub const TEMPLATE_FIELD_KEYS: [&str; FIELD.keys.len()] = {
    let mut out = [""; FIELD.keys.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = FIELD.keys[i].name;
        i += 1;
    }
    out
};
