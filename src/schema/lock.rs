//! `vstore.lock`: the shape of every released schema version per store, as
//! stable TOML text meant to be committed. `vstore build` rewrites it with
//! `updated` + `write`; `vstore check` compares the current shapes against it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::diagnostic::{Diagnostic, SourceFile};

use super::model::{Project, Span, Store, Type};
use super::tree::{self, Node};
use super::types;

pub const LOCK_FILE: &str = "vstore.lock";

/// Released shapes: store name -> version -> canonical shape text.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub stores: BTreeMap<String, BTreeMap<u32, String>>,
    /// Span of each `(store, version)` entry in the lock file, for diagnostics.
    pub spans: BTreeMap<(String, u32), Span>,
    /// The lock file as read (absent for a new project).
    pub source: Option<SourceFile>,
}

/// The canonical shape of a store: named types expanded, fields sorted.
pub fn shape_of(store: &Store, project: &Project) -> String {
    types::render(&types::expand(&store.shape, &project.types))
}

/// Reads `vstore.lock`; a missing file is an empty lock (everything is new).
pub fn read(root: &Path) -> Result<Lock, Diagnostic> {
    let text = match std::fs::read_to_string(root.join(LOCK_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
        Err(e) => {
            return Err(Diagnostic::io(
                "VS0002",
                format!("cannot read {LOCK_FILE}: {e}"),
                "check the file's permissions",
            ))
        }
    };
    parse(text)
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
            "restore {LOCK_FILE} from version control; it is written by `vstore build`"
        ))
    };
    let root = tree::parse(src.text()).map_err(|e| bad(e.span, &e.message))?;
    let mut lock = Lock::default();
    for e in &root {
        let Node::Table(stores) = (if e.key == "stores" {
            &e.value.node
        } else {
            return Err(bad(e.key_span, "expected only [stores.<Name>]"));
        }) else {
            return Err(bad(e.value.span, "`stores` must be a table"));
        };
        for s in stores {
            let Node::Table(versions) = &s.value.node else {
                return Err(bad(s.value.span, "a store entry must be a table"));
            };
            let mut map = BTreeMap::new();
            for v in versions {
                let version: u32 = v
                    .key
                    .parse()
                    .map_err(|_| bad(v.key_span, "versions are written as \"1\", \"2\", ..."))?;
                let Node::Str(shape) = &v.value.node else {
                    return Err(bad(v.value.span, "a shape must be a string"));
                };
                types::parse(shape).map_err(|err| {
                    bad(
                        v.value.span,
                        &format!("shape does not parse: {}", err.message),
                    )
                })?;
                map.insert(version, shape.clone());
                lock.spans.insert((s.key.clone(), version), v.value.span);
            }
            lock.stores.insert(s.key.clone(), map);
        }
    }
    lock.source = Some(src);
    Ok(lock)
}

/// The lock after releasing the project as it is now: earlier versions are kept,
/// each store's current version records its current shape.
pub fn updated(project: &Project, old: &Lock) -> Lock {
    let mut stores = old.stores.clone();
    for store in &project.stores {
        stores
            .entry(store.name.clone())
            .or_default()
            .insert(store.version, shape_of(store, project));
    }
    Lock {
        stores,
        spans: BTreeMap::new(),
        source: None,
    }
}

/// The released shapes as types, keyed by `(store, version)`: what codegen
/// needs to type migration `N-1 -> N` against both shapes.
pub fn history(lock: &Lock) -> BTreeMap<(String, u32), Type> {
    let mut out = BTreeMap::new();
    for (store, versions) in &lock.stores {
        for (v, shape) in versions {
            if let Ok(parsed) = types::parse(shape) {
                out.insert((store.clone(), *v), parsed.ty);
            }
        }
    }
    out
}

/// The stable text of a lock.
pub fn render(lock: &Lock) -> String {
    let mut out = String::from("# Shapes of every released schema version, written by `vstore build`.\n# Commit this file; do not edit it by hand.\n");
    for (name, versions) in &lock.stores {
        out.push_str(&format!("\n[stores.{name}]\n"));
        for (v, shape) in versions {
            out.push_str(&format!("\"{v}\" = {}\n", toml_string(shape)));
        }
    }
    out
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("'");
    if s.contains('\'') || s.contains('\n') {
        return toml::Value::String(s.to_owned()).to_string();
    }
    out.push_str(s);
    out.push('\'');
    out
}

/// Writes `vstore.lock` under `root`.
pub fn write(root: &Path, lock: &Lock) -> std::io::Result<()> {
    std::fs::write(root.join(LOCK_FILE), render(lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_text_round_trips() {
        let mut lock = Lock::default();
        lock.stores.entry("PlayerData".into()).or_default().insert(
            1,
            "{ Tag: \"a\" | \"b\", Wallet: { Coins: integer } }".into(),
        );
        lock.stores
            .entry("PlayerData".into())
            .or_default()
            .insert(2, "{ Coins: integer }".into());
        let text = render(&lock);
        let back = parse(text.clone()).unwrap();
        assert_eq!(back.stores, lock.stores);
        assert_eq!(render(&back), text);
        assert_eq!(history(&back).len(), 2);
    }
}
