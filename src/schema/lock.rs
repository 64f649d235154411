//! `vstore.lock`: the released history of every store, as stable TOML meant
//! to be committed. Each released version records what its records may hold
//! (the stored shape, named types expanded, bounds kept), its public paths
//! and its private fields. Only `vstore release` writes it (`release` +
//! `write`); `check`, `build` and `diff` read it.
//!
//! Format: `[stores.<Store>."<version>"]` tables with `shape`, `public` and
//! `private`. A lock written before releases were explicit has one string per
//! version (`"1" = '<shape>'`, written by every `vstore build`): each such
//! version counts as released, with a shape that has no bounds and no
//! recorded public paths or privacy. Such entries are kept as they are until
//! their version is released again.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceFile, Span};

use super::load::{self, FileProblem};
use super::model::{DataPath, Project, Store, Type};
use super::tree::{self, Node};
use super::types::{self, TypeTable};

pub const LOCK_FILE: &str = "vstore.lock";

/// One released version of a store.
#[derive(Debug, Clone)]
pub struct Release {
    /// What a record saved at this version may hold.
    pub shape: Type,
    /// Recorded by a vstore from before explicit releases: `shape` has no
    /// bounds; `public` and `private` are empty and mean "not recorded".
    pub legacy: bool,
    pub public: Vec<DataPath>,
    /// Template paths marked `private = true`.
    pub private: Vec<DataPath>,
    /// Where the entry is in `vstore.lock`.
    pub span: Span,
}

impl PartialEq for Release {
    /// Entries are equal when they record the same things, wherever they are written.
    fn eq(&self, other: &Release) -> bool {
        // Record fields compare in canonical order, as the lock writes them.
        types::render_shape(&self.shape) == types::render_shape(&other.shape)
            && self.legacy == other.legacy
            && self.public == other.public
            && self.private == other.private
    }
}

/// The released history: store name -> version -> release.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub stores: BTreeMap<String, BTreeMap<u32, Release>>,
    /// The lock file as read (absent for a project never released).
    pub source: Option<SourceFile>,
}

impl Lock {
    /// The highest released version of `store`, with its release.
    pub fn latest(&self, store: &str) -> Option<(u32, &Release)> {
        self.stores
            .get(store)?
            .iter()
            .next_back()
            .map(|(v, r)| (*v, r))
    }
}

/// What releasing `store` now would record for its current version.
pub fn release_of(store: &Store, project: &Project) -> Release {
    let table = TypeTable::new(&project.types);
    Release {
        shape: table.expand(&store.shape),
        legacy: false,
        public: store.public.clone(),
        private: store
            .template
            .iter()
            .filter(|f| f.is_private())
            .map(|f| f.path.clone())
            .collect(),
        span: Span::default(),
    }
}

/// The entry for a version released again after compatible changes: every
/// record saved under `old` or under `current` must fit it, so a field that
/// `old` did not have becomes optional (records saved before it was added
/// lack it until they are opened again). Public paths and privacy are the
/// current ones.
pub fn merge(old: &Release, current: Release) -> Release {
    Release {
        shape: union(&old.shape, &current.shape),
        ..current
    }
}

fn optional(ty: Type) -> Type {
    match ty {
        Type::Optional(_) => ty,
        other => Type::Optional(Box::new(other)),
    }
}

/// A type every value of `old` and of `new` satisfies, given that `new`
/// accepts every value of `old` except for fields `old` did not have.
fn union(old: &Type, new: &Type) -> Type {
    match (old, new) {
        (Type::Optional(o), n) => optional(union(o, n)),
        (o, Type::Optional(n)) => optional(union(o, n)),
        (Type::Record(of), Type::Record(nf)) => Type::Record(
            nf.iter()
                .map(|n| crate::schema::model::Field {
                    name: n.name.clone(),
                    ty: match of.iter().find(|o| o.name == n.name) {
                        Some(o) => union(&o.ty, &n.ty),
                        None => optional(n.ty.clone()),
                    },
                })
                .collect(),
        ),
        (Type::Array(o), Type::Array(n)) => Type::Array(Box::new(union(o, n))),
        (Type::Map(o), Type::Map(n)) => Type::Map(Box::new(union(o, n))),
        (Type::Enum(o), Type::Enum(n)) => {
            let mut all = n.clone();
            all.extend(o.iter().filter(|v| !n.contains(v)).cloned());
            Type::Enum(all)
        }
        (_, n) => n.clone(),
    }
}

/// The lock after releasing the project as it is now: each store's current
/// version is recorded (merged with an earlier release of the same version);
/// every other version is kept as it was.
pub fn release(project: &Project, old: &Lock) -> Lock {
    let mut stores = old.stores.clone();
    for store in &project.stores {
        let versions = stores.entry(store.name.clone()).or_default();
        let current = release_of(store, project);
        let entry = match versions.get(&store.version) {
            Some(prev) => merge(prev, current),
            None => current,
        };
        versions.insert(store.version, entry);
    }
    Lock {
        stores,
        source: None,
    }
}

/// What releasing would change in `lock` for a store whose current version is
/// already released: the version it would record again, or `None` when the
/// lock already records it as it is (or records it in the older form, whose
/// shape still matches: such entries are not rewritten unasked).
pub fn unreleased_changes(store: &Store, project: &Project, lock: &Lock) -> Option<u32> {
    let prev = lock.stores.get(&store.name)?.get(&store.version)?;
    let current = release_of(store, project);
    if prev.legacy {
        let unbounded = |t: &Type| types::render(t);
        return (unbounded(&prev.shape) != unbounded(&current.shape)).then_some(store.version);
    }
    (merge(prev, current) != *prev).then_some(store.version)
}

/// Reads `vstore.lock`; a missing file is an empty lock (nothing released).
pub fn read(root: &Path) -> Result<Lock, Diagnostic> {
    match load::read_regular(&root.join(LOCK_FILE)) {
        Ok(text) => parse(text),
        Err(FileProblem::Missing) => Ok(Lock::default()),
        Err(problem) => Err(Diagnostic::io(
            "VS0002",
            format!("cannot read {LOCK_FILE}: it {}", problem.describe()),
            "make it a readable regular file, or restore it from version control",
        )),
    }
}

/// Parses lock text (see `render` for the format).
pub fn parse(text: String) -> Result<Lock, Diagnostic> {
    let src = SourceFile::new(LOCK_FILE, text);
    let bad = |span: Span, msg: &str| {
        Diagnostic::error(
            "VS5005",
            &src,
            span,
            format!("{LOCK_FILE} is malformed: {msg}"),
        )
        .label("unexpected here")
        .help(format!(
            "restore {LOCK_FILE} from version control; it is written by `vstore release`"
        ))
    };
    let root = tree::parse(src.text()).map_err(|e| bad(e.span, &e.message))?;
    let mut lock = Lock::default();
    for e in &root {
        if e.key != "stores" {
            return Err(bad(e.key_span, "expected only [stores.<Name>]"));
        }
        let Node::Table(stores) = &e.value.node else {
            return Err(bad(e.value.span, "`stores` must be a table"));
        };
        for s in stores {
            let Node::Table(versions) = &s.value.node else {
                return Err(bad(s.value.span, "a store entry must be a table"));
            };
            let mut map = BTreeMap::new();
            for v in versions {
                let version: u32 =
                    v.key.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        bad(v.key_span, "versions are written as \"1\", \"2\", ...")
                    })?;
                let release = match &v.value.node {
                    Node::Str(shape) => {
                        let parsed = types::parse(shape).map_err(|err| {
                            bad(
                                v.value.span,
                                &format!("shape does not parse: {}", err.message),
                            )
                        })?;
                        Release {
                            shape: parsed.ty,
                            legacy: true,
                            public: Vec::new(),
                            private: Vec::new(),
                            span: v.value.span,
                        }
                    }
                    Node::Table(fields) => entry(fields, v.key_span, &bad)?,
                    _ => return Err(bad(v.value.span, "a version must be a table")),
                };
                map.insert(version, release);
            }
            lock.stores.insert(s.key.clone(), map);
        }
    }
    lock.source = Some(src);
    Ok(lock)
}

fn entry(
    fields: &[tree::Entry],
    at: Span,
    bad: &dyn Fn(Span, &str) -> Diagnostic,
) -> Result<Release, Diagnostic> {
    let mut shape = None;
    let mut public = Vec::new();
    let mut private = Vec::new();
    for f in fields {
        match (f.key.as_str(), &f.value.node) {
            ("shape", Node::Str(text)) => {
                let parsed = types::parse_shape(text).map_err(|err| {
                    bad(
                        f.value.span,
                        &format!("shape does not parse: {}", err.message),
                    )
                })?;
                shape = Some(parsed.ty);
            }
            ("public" | "private", Node::Array(items)) => {
                let mut paths = Vec::new();
                for i in items {
                    let Node::Str(p) = &i.node else {
                        return Err(bad(i.span, "paths are strings"));
                    };
                    paths.push(p.split('.').map(str::to_owned).collect());
                }
                if f.key == "public" {
                    public = paths;
                } else {
                    private = paths;
                }
            }
            _ => {
                return Err(bad(
                    f.key_span,
                    "a version records `shape`, `public` and `private`",
                ))
            }
        }
    }
    Ok(Release {
        shape: shape.ok_or_else(|| bad(at, "a version must record its `shape`"))?,
        legacy: false,
        public,
        private,
        span: at,
    })
}

/// The released shapes as types, keyed by `(store, version)`: what codegen
/// needs to type migration `N-1 -> N` against both shapes.
pub fn history(lock: &Lock) -> BTreeMap<(String, u32), Type> {
    let mut out = BTreeMap::new();
    for (store, versions) in &lock.stores {
        for (v, r) in versions {
            out.insert((store.clone(), *v), r.shape.clone());
        }
    }
    out
}

fn paths(list: &[DataPath]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|p| toml::Value::String(p.join(".")).to_string())
        .collect();
    format!("[{}]", items.join(", "))
}

/// The stable text of a lock.
pub fn render(lock: &Lock) -> String {
    let mut out = String::from(
        "# Released versions of every store: what their records hold, their public paths\n# and private fields. Written by `vstore release`; commit it, do not edit it by hand.\n",
    );
    for (name, versions) in &lock.stores {
        let key = toml_key(name);
        let legacy: Vec<_> = versions.iter().filter(|(_, r)| r.legacy).collect();
        if !legacy.is_empty() || versions.is_empty() {
            out.push_str(&format!("\n[stores.{key}]\n"));
            for (v, r) in legacy {
                out.push_str(&format!(
                    "\"{v}\" = {}\n",
                    toml_string(&types::render(&r.shape))
                ));
            }
        }
        for (v, r) in versions.iter().filter(|(_, r)| !r.legacy) {
            out.push_str(&format!("\n[stores.{key}.\"{v}\"]\n"));
            out.push_str(&format!(
                "shape = {}\n",
                toml_string(&types::render_shape(&r.shape))
            ));
            out.push_str(&format!("public = {}\n", paths(&r.public)));
            out.push_str(&format!("private = {}\n", paths(&r.private)));
        }
    }
    out
}

fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_owned()
    } else {
        toml::Value::String(name.to_owned()).to_string()
    }
}

fn toml_string(s: &str) -> String {
    if s.contains('\'') || s.contains('\n') {
        return toml::Value::String(s.to_owned()).to_string();
    }
    format!("'{s}'")
}

/// Writes `vstore.lock` under `root`.
pub fn write(root: &Path, lock: &Lock) -> std::io::Result<()> {
    std::fs::write(root.join(LOCK_FILE), render(lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(shape: &str, legacy: bool) -> Release {
        Release {
            shape: types::parse_shape(shape).unwrap().ty,
            legacy,
            public: if legacy {
                vec![]
            } else {
                vec![vec!["Wallet".into(), "Coins".into()]]
            },
            private: vec![],
            span: Span::default(),
        }
    }

    #[test]
    fn lock_text_round_trips_with_old_and_new_entries() {
        let mut lock = Lock::default();
        let versions = lock.stores.entry("PlayerData".into()).or_default();
        versions.insert(
            1,
            release("{ Tag: \"a\" | \"b\", Wallet: { Coins: integer } }", true),
        );
        versions.insert(
            2,
            release(
                "{ Wallet: { Coins: integer(0..), Name: string(..16) } }",
                false,
            ),
        );
        let text = render(&lock);
        let back = parse(text.clone()).unwrap();
        assert_eq!(back.stores, lock.stores);
        assert_eq!(render(&back), text);
        assert!(back.stores["PlayerData"][&1].legacy);
        assert!(text.contains("[stores.PlayerData.\"2\"]\nshape = '{ Wallet: { Coins: integer(0..), Name: string(..16) } }'\npublic = [\"Wallet.Coins\"]\nprivate = []\n"), "{text}");
        assert_eq!(history(&back).len(), 2);
    }

    #[test]
    fn a_lock_written_by_an_older_build_reads_as_released_versions() {
        let text = "# Shapes of every released schema version, written by `vstore build`.\n\n[stores.PlayerData]\n\"1\" = '{ Inventory: {string}, Wallet: { Coins: integer } }'\n";
        let lock = parse(text.to_owned()).unwrap();
        let (v, r) = lock.latest("PlayerData").unwrap();
        assert_eq!(v, 1);
        assert!(r.legacy && r.public.is_empty());
    }

    #[test]
    fn a_version_released_again_makes_fields_added_since_optional() {
        let old = release("{ Coins: integer(0..) }", false);
        let now = release("{ Coins: integer(0..), Gems: integer(0..) }", false);
        let merged = merge(&old, now);
        assert_eq!(
            types::render_shape(&merged.shape),
            "{ Coins: integer(0..), Gems: integer(0..)? }"
        );
        assert_eq!(
            merge(&merged, merged.clone()),
            merged,
            "merging is idempotent"
        );
    }
}
