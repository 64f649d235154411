//! The checked, typed model of a `virtualstore.toml` project: what `check`
//! produces and what `codegen`, `diff` and the simulator consume. It holds no
//! TOML syntax; spans point back into the source files for diagnostics.

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use crate::diagnostic::Span;

/// A path into profile data, e.g. `["Wallet", "Coins"]`.
pub type DataPath = Vec<String>;

/// The type language.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    String {
        max_len: Option<usize>,
    },
    Boolean,
    /// `{T}`
    Array(Box<Type>),
    /// `{[string]: T}`
    Map(Box<Type>),
    /// `{ A: T, B: U }`, fields in declaration order.
    Record(Vec<Field>),
    /// `T?`
    Optional(Box<Type>),
    /// `"a" | "b"`
    Enum(Vec<String>),
    /// A name declared in `[types]`.
    Named(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

/// A template field: a dotted path, its type and default.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateField {
    pub path: DataPath,
    pub ty: Type,
    pub default: serde_json::Value,
    pub span: Span,
    /// The entry's `private` key: `Some(true)` keeps the field and its whole
    /// subtree (record fields, elements, entries) off every public path;
    /// `Some(false)` declares it safe to publish even when its names look
    /// operational; `None` when the key is absent (publishable, but names
    /// such as `Receipts` or `AdminNotes` draw a warning).
    pub private: Option<bool>,
}

impl TemplateField {
    /// True when the entry is marked `private = true`.
    pub fn is_private(&self) -> bool {
        self.private == Some(true)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// `VirtualStore.players` over `Player_<UserId>`.
    Players,
    /// The core keyed `VirtualStore.new` Store.
    Keyed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// Destination version; the step runs `to - 1 -> to`.
    pub to: u32,
    pub file: PathBuf,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub name: String,
    pub payload: Type,
    pub writes: Vec<DataPath>,
    pub file: PathBuf,
    pub source: String,
}

/// An OrderedIndex leaderboard: a sortable copy of one integer field,
/// projected after each successful save.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    /// The OrderedDataStore name, also the field of the generated `Leaderboards` module.
    pub name: String,
    pub path: DataPath,
    pub ascending: bool,
    /// Explicit OrderedIndex settings only; defaults come from `core::settings`.
    pub settings: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    pub name: String,
    pub kind: StoreKind,
    pub version: u32,
    /// Explicit settings only; defaults come from `core::settings`.
    pub settings: BTreeMap<String, serde_json::Value>,
    /// The whole data shape as one record type (nested from dotted template paths).
    pub shape: Type,
    pub template: Vec<TemplateField>,
    /// Default data built from the template.
    pub defaults: serde_json::Value,
    pub public: Vec<DataPath>,
    /// Replication channel name (defaults to the store name).
    pub channel: String,
    pub migrations: Vec<Migration>,
    pub operations: Vec<Operation>,
    pub leaderboards: Vec<Leaderboard>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub root: PathBuf,
    /// Output folder, relative to `root`.
    pub out: PathBuf,
    /// Named types from `[types]`, in declaration order.
    pub types: Vec<(String, Type)>,
    pub stores: Vec<Store>,
    /// Emit roblox-ts typings.
    pub typescript: bool,
}
