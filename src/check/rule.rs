//! The rule trait and the context rules share. A rule owns one concern and
//! its codes; rules run in the order `rules::RULES` lists them, each reading
//! the spanned document and what earlier rules put into the context (parsed
//! types, the store being built, paths known to be broken) and adding its
//! findings and its part of the checked model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::schema::document::{Document, StoreDecl, TypeText};
use crate::schema::lock::Lock;
use crate::schema::model::{DataPath, Store, StoreKind, Type};
use crate::schema::types::{self, TypeError, TypeTable};

/// One check over the project.
pub trait Rule: Sync {
    /// The rule's name, also the folder of its fixtures under `tests/malformed/`.
    fn name(&self) -> &'static str;
    /// Every code the rule reports.
    fn codes(&self) -> &'static [&'static str];
    fn check(&self, cx: &mut Context);
}

/// What a check run reads besides `virtualstore.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Read and analyse the migration and handler files.
    pub files: bool,
    /// Compare with the released history in `vstore.lock`.
    pub history: bool,
}

impl Options {
    pub const ALL: Options = Options {
        files: true,
        history: true,
    };
    /// The schema on its own: what `vstore diff` needs of an older file.
    pub const SCHEMA: Options = Options {
        files: false,
        history: false,
    };
}

/// Where findings go.
pub struct Report {
    pub src: SourceFile,
    pub diags: Vec<Diagnostic>,
}

impl Report {
    pub fn error(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::error(code, &self.src, span, msg)
                .label(label)
                .help(help),
        );
    }

    pub fn warn(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::warning(code, &self.src, span, msg)
                .label(label)
                .help(help),
        );
    }

    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// A template field once its type, bounds and default are known.
#[derive(Debug, Clone)]
pub struct FieldWork {
    pub path: DataPath,
    pub key: Span,
    pub ty: Type,
    pub default: serde_json::Value,
    pub private: Option<bool>,
}

/// One store while the rules build it.
pub struct StoreWork<'d> {
    pub decl: &'d StoreDecl,
    pub store: Store,
    /// The version is an integer of at least 1 (otherwise version checks are moot).
    pub version_ok: bool,
    /// Fields that passed their own checks, in declaration order.
    pub fields: Vec<FieldWork>,
    /// Template paths declared but unusable (already reported): a path that
    /// reaches one of them is not reported again.
    pub broken: Vec<DataPath>,
    /// Per operation, the declared write paths the handler analysis checks
    /// against; `None` when `writes` is missing or lists a path that names no
    /// field (already reported: what the handler may write is unknown).
    pub declared_writes: BTreeMap<String, Option<Vec<DataPath>>>,
    /// The public paths that resolved, with where each is listed.
    pub public_spans: Vec<(DataPath, Span)>,
    /// The usable OrderedIndex settings of each leaderboard, by leaderboard name.
    pub board_settings: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

impl StoreWork<'_> {
    /// True when `path` touches a template path known to be broken.
    pub fn reaches_broken(&self, path: &[String]) -> bool {
        self.broken
            .iter()
            .any(|b| path.starts_with(b) || b.starts_with(path))
    }
}

/// What a Luau file is to the schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// The migration producing version `to`.
    Migration { to: u32 },
    /// The handler of an operation: the store's index in `Context::stores`
    /// and the operation's name.
    Handler { store: usize, operation: String },
}

/// A Luau file a migration or handler names.
pub struct LuauFile {
    pub source: SourceFile,
    /// Every migration or operation that names this file.
    pub roles: Vec<Role>,
    /// Set by the syntax rule when the file parses.
    pub ast: Option<full_moon::ast::Ast>,
}

/// Everything the rules share.
pub struct Context<'d> {
    pub root: &'d Path,
    pub doc: &'d Document,
    pub options: Options,
    pub out: Report,
    pub project_out: PathBuf,
    pub typescript: bool,
    /// Every type string in the document, parsed once, by the span of its literal.
    pub parsed: HashMap<Span, Result<types::Parsed, TypeError>>,
    /// Valid named types, in declaration order.
    pub types: Vec<(String, Type)>,
    /// Declared names whose definitions are unusable (already reported).
    pub broken_types: HashSet<String>,
    /// Per valid named type: the deepest nesting of tables its values have.
    pub type_tables: HashMap<String, usize>,
    pub stores: Vec<StoreWork<'d>>,
    /// Migration and handler files by project-relative path.
    pub files: BTreeMap<PathBuf, LuauFile>,
    /// The released history, when it was read.
    pub lock: Option<Lock>,
}

impl<'d> Context<'d> {
    pub fn new(root: &'d Path, doc: &'d Document, options: Options) -> Self {
        let stores = doc
            .stores
            .iter()
            .map(|decl| StoreWork {
                decl,
                store: Store {
                    name: decl.name.value.clone(),
                    kind: decl.kind.unwrap_or(StoreKind::Players),
                    version: decl
                        .version
                        .as_ref()
                        .and_then(|v| u32::try_from(v.value).ok())
                        .filter(|v| *v >= 1)
                        .unwrap_or(1),
                    settings: BTreeMap::new(),
                    shape: Type::Record(Vec::new()),
                    template: Vec::new(),
                    defaults: serde_json::Value::Object(Default::default()),
                    public: Vec::new(),
                    channel: decl.name.value.clone(),
                    migrations: Vec::new(),
                    operations: Vec::new(),
                    leaderboards: Vec::new(),
                },
                version_ok: false,
                fields: Vec::new(),
                broken: Vec::new(),
                declared_writes: BTreeMap::new(),
                board_settings: BTreeMap::new(),
                public_spans: Vec::new(),
            })
            .collect();
        Context {
            root,
            doc,
            options,
            out: Report {
                src: doc.source.clone(),
                diags: doc.diagnostics.clone(),
            },
            project_out: PathBuf::from("build"),
            typescript: false,
            parsed: HashMap::new(),
            types: Vec::new(),
            broken_types: HashSet::new(),
            type_tables: HashMap::new(),
            stores,
            files: BTreeMap::new(),
            lock: None,
        }
    }

    /// The parsed type of a type string, when it parsed.
    pub fn parsed(&self, t: &TypeText) -> Option<&types::Parsed> {
        self.parsed.get(&t.span)?.as_ref().ok()
    }

    pub fn table(&self) -> TypeTable<'_> {
        TypeTable::new(&self.types)
    }
}
