//! The one classification of a schema change: what a change from one version
//! of a store (released) to another (current) does to the records saved under
//! the old one and to the clients reading its public paths. `vstore diff`
//! reports every change; `vstore check` (and so `build` and `release`)
//! requires a version bump and a migration exactly for the changes that
//! `breaks_records`.
//!
//! A change old records survive unchanged is compatible: a new field with a
//! default or a new optional field (opening an old record fills the default),
//! a widened type or bound, an optional field made required with a default,
//! a new public path to a non-private field. A removed field, a changed type
//! and a narrowed bound break records. Both sides are compared field by field
//! at the leaves of the stored shape, named types expanded.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Span;
use crate::schema::lock::Release;
use crate::schema::model::{DataPath, Store, Type};
use crate::schema::types::TypeTable;

use super::Severity;

/// One stored leaf: a scalar, collection or empty record at `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub path: DataPath,
    pub ty: Type,
    /// The template default at this path, when the side records defaults.
    pub default: Option<serde_json::Value>,
    /// The template field holding the leaf (current side only).
    pub span: Span,
}

/// What one version of a store stores and publishes, as far as it is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub leaves: Vec<Leaf>,
    /// False for a shape recorded without bounds (a lock from before explicit
    /// releases): bounds are then not compared.
    pub bounds: bool,
    /// `None` when the side does not record public paths.
    pub public: Option<Vec<DataPath>>,
    /// Paths marked `private = true`; `None` when not recorded.
    pub private: Option<Vec<DataPath>>,
    /// True when the side records template defaults.
    pub defaults: bool,
}

impl Side {
    /// A store as the schema declares it.
    pub fn of_store(store: &Store, types: &TypeTable) -> Side {
        let mut leaves = Vec::new();
        for f in &store.template {
            let ty = types.expand(&f.ty);
            let mut at = f.path.clone();
            let depth = at.len();
            push_leaves(&ty, &mut at, depth, f.span, &f.default, &mut leaves);
        }
        Side {
            leaves,
            bounds: true,
            public: Some(store.public.clone()),
            private: Some(
                store
                    .template
                    .iter()
                    .filter(|f| f.is_private())
                    .map(|f| f.path.clone())
                    .collect(),
            ),
            defaults: true,
        }
    }

    /// A released version as `vstore.lock` records it.
    pub fn of_release(r: &Release) -> Side {
        let mut leaves = Vec::new();
        push_leaves(
            &r.shape,
            &mut Vec::new(),
            0,
            Span::default(),
            &serde_json::Value::Null,
            &mut leaves,
        );
        Side {
            leaves,
            bounds: !r.legacy,
            public: (!r.legacy).then(|| r.public.clone()),
            private: (!r.legacy).then(|| r.private.clone()),
            defaults: false,
        }
    }
}

/// The leaves of a value of `ty` at `path`; `default` is the default of the
/// value at `path[..base]` (the template field), so a leaf's default is found
/// below it.
fn push_leaves(
    ty: &Type,
    path: &mut DataPath,
    base: usize,
    span: Span,
    default: &serde_json::Value,
    out: &mut Vec<Leaf>,
) {
    match ty {
        Type::Record(fields) if !fields.is_empty() => {
            for f in fields {
                path.push(f.name.clone());
                push_leaves(&f.ty, path, base, span, default, out);
                path.pop();
            }
        }
        _ => out.push(Leaf {
            path: path.clone(),
            ty: sorted(ty),
            default: path[base..]
                .iter()
                .try_fold(default, |v, k| v.get(k))
                .filter(|v| !v.is_null())
                .cloned(),
            span,
        }),
    }
}

/// `ty` with record fields in name order: a type's meaning does not depend on
/// the order fields are written in.
fn sorted(ty: &Type) -> Type {
    match ty {
        Type::Record(fields) => {
            let mut fields: Vec<crate::schema::model::Field> = fields
                .iter()
                .map(|f| crate::schema::model::Field {
                    name: f.name.clone(),
                    ty: sorted(&f.ty),
                })
                .collect();
            fields.sort_by(|a, b| a.name.cmp(&b.name));
            Type::Record(fields)
        }
        Type::Array(t) => Type::Array(Box::new(sorted(t))),
        Type::Map(t) => Type::Map(Box::new(sorted(t))),
        Type::Optional(t) => Type::Optional(Box::new(sorted(t))),
        other => other.clone(),
    }
}

/// Where a change is, for the caller to turn into a span.
#[derive(Debug, Clone, PartialEq)]
pub enum At {
    /// A field of the current side (its template field's span).
    Field(Span),
    /// Something that no longer exists: the store as a whole.
    Store,
    /// A public path of the current side (or the `public` table).
    Public(String),
}

/// One classified change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The `vstore diff` code (VSDxxx).
    pub code: &'static str,
    pub severity: Severity,
    /// Records saved under the old side do not survive it: it needs a version
    /// bump and a migration.
    pub breaks_records: bool,
    /// The data path or public path concerned.
    pub path: String,
    pub message: String,
    pub help: String,
    pub at: At,
}

fn dotted(p: &[String]) -> String {
    p.join(".")
}

/// Classifies every change from `old` to `new`. `migrated_to` is the new
/// version when migrations cover every step from the old version to it.
pub fn classify(old: &Side, new: &Side, migrated_to: Option<u32>) -> Vec<Change> {
    let mut out = Vec::new();
    fields(old, new, migrated_to, &mut out);
    if let (Some(op), Some(np)) = (&old.public, &new.public) {
        public(op, np, &mut out);
    }
    exposures(old, new, &mut out);
    out
}

fn fields(old: &Side, new: &Side, migrated_to: Option<u32>, out: &mut Vec<Change>) {
    let bounds = old.bounds && new.bounds;
    let old_by: BTreeMap<&DataPath, &Leaf> = old.leaves.iter().map(|l| (&l.path, l)).collect();
    let new_by: BTreeMap<&DataPath, &Leaf> = new.leaves.iter().map(|l| (&l.path, l)).collect();
    // A leaf that became a record (or a record that became a leaf) is one
    // change of type at the shorter path, not a removal plus additions.
    let mut regrouped: BTreeSet<&DataPath> = BTreeSet::new();
    let below = |map: &BTreeMap<&DataPath, &Leaf>, p: &DataPath| -> Vec<DataPath> {
        map.range::<&DataPath, _>(p..)
            .skip_while(|(k, _)| **k == p)
            .take_while(|(k, _)| k.starts_with(p))
            .map(|(k, _)| (*k).clone())
            .collect()
    };
    for (path, ol) in &old_by {
        if new_by.contains_key(path) {
            continue;
        }
        let shown = dotted(path);
        // The old leaf is now a parent of new leaves.
        let now_below = below(&new_by, path);
        // Or a new leaf now stands where the old leaf's parent was.
        let parent = (1..path.len())
            .map(|n| path[..n].to_vec())
            .find(|p| new_by.contains_key(p));
        let parent = parent.as_ref();
        if !now_below.is_empty() {
            regrouped.extend(
                now_below
                    .iter()
                    .filter_map(|p| new_by.get_key_value(p).map(|(k, _)| *k)),
            );
            let new_ty = record_of(&new_by, path, &now_below);
            let span = new_by[&now_below[0]].span;
            out.push(type_change(
                &shown,
                &ol.ty,
                &new_ty,
                migrated_to,
                false,
                span,
            ));
            continue;
        }
        if let Some((key, nl)) = parent.and_then(|p| new_by.get_key_value(p)) {
            if regrouped.insert(*key) {
                let parent: &DataPath = key;
                let old_ty = record_of(&old_by, parent, &below(&old_by, parent));
                out.push(type_change(
                    &dotted(parent),
                    &old_ty,
                    &nl.ty,
                    migrated_to,
                    false,
                    nl.span,
                ));
            }
            continue;
        }
        let change = match migrated_to {
            Some(v) => Change {
                code: "VSD013",
                severity: Severity::Info,
                breaks_records: false,
                path: shown.clone(),
                message: format!("field `{shown}` was removed; migration to v{v} handles it"),
                help: "make sure the migration drops or moves the old value".into(),
                at: At::Store,
            },
            None => Change {
                code: "VSD001",
                severity: Severity::Breaking,
                breaks_records: true,
                path: shown.clone(),
                message: format!("field `{shown}` was removed without a migration"),
                help: "bump the store version and add a migration that drops or moves the value"
                    .into(),
                at: At::Store,
            },
        };
        out.push(change);
    }
    for (path, nl) in &new_by {
        if regrouped.contains(path) {
            continue;
        }
        let shown = dotted(path);
        match old_by.get(path) {
            None => {
                if (1..path.len()).any(|n| old_by.contains_key(&path[..n].to_vec())) {
                    continue;
                }
                let default = nl.default.clone().unwrap_or(serde_json::Value::Null);
                out.push(Change {
                    code: "VSD005",
                    severity: Severity::Info,
                    breaks_records: false,
                    path: shown.clone(),
                    message: format!("field `{shown}` was added with default {default}"),
                    help: "existing records are filled from the default when they load".into(),
                    at: At::Field(nl.span),
                });
            }
            Some(ol) => {
                let (ot, nt) = if bounds {
                    (ol.ty.clone(), nl.ty.clone())
                } else {
                    (unbounded(&ol.ty), unbounded(&nl.ty))
                };
                if ot != nt {
                    let filled = nl.default.is_some() || !new.defaults;
                    out.push(type_change(&shown, &ot, &nt, migrated_to, filled, nl.span));
                }
                if let (Some(od), Some(nd)) = (&ol.default, &nl.default) {
                    if od != nd {
                        out.push(
                            Change {
                                code: "VSD004",
                                severity: Severity::Warning,
                                breaks_records: false,
                                path: shown.clone(),
                                message: format!("default of `{shown}` changed from {od} to {nd}"),
                                help: "only new records get the new default; migrate existing records if they need it".into(),
                                at: At::Field(nl.span),
                            },
                        );
                    }
                }
            }
        }
    }
}

/// The record the leaves `paths` under `at` form, for messages.
fn record_of(map: &BTreeMap<&DataPath, &Leaf>, at: &[String], paths: &[DataPath]) -> Type {
    fn insert(fields: &mut Vec<crate::schema::model::Field>, rest: &[String], ty: Type) {
        let Some((first, rest)) = rest.split_first() else {
            return;
        };
        if rest.is_empty() {
            fields.push(crate::schema::model::Field {
                name: first.clone(),
                ty,
            });
            return;
        }
        let i = match fields.iter().position(|f| &f.name == first) {
            Some(i) => i,
            None => {
                fields.push(crate::schema::model::Field {
                    name: first.clone(),
                    ty: Type::Record(Vec::new()),
                });
                fields.len() - 1
            }
        };
        if let Type::Record(inner) = &mut fields[i].ty {
            insert(inner, rest, ty);
        }
    }
    let mut fields = Vec::new();
    for p in paths {
        if let Some(l) = map.get(p) {
            insert(&mut fields, &p[at.len()..], l.ty.clone());
        }
    }
    Type::Record(fields)
}

/// A change of type at `path`. `filled`: the new side has a default there, so
/// a value missing from an old record is filled when it loads.
fn type_change(
    path: &str,
    ot: &Type,
    nt: &Type,
    migrated_to: Option<u32>,
    filled: bool,
    span: Span,
) -> Change {
    let reconciled = matches!(ot, Type::Optional(inner) if filled && !matches!(nt, Type::Optional(_)) && accepts(nt, inner));
    let (code, severity, what, breaks) = if accepts(nt, ot) {
        ("VSD003", Severity::Info, "widened", false)
    } else if reconciled {
        (
            "VSD003",
            Severity::Info,
            "made required (records without a value get the default)",
            false,
        )
    } else if migrated_to.is_some() {
        (
            "VSD013",
            Severity::Info,
            "changed (migration handles it)",
            false,
        )
    } else if accepts(ot, nt) {
        ("VSD002", Severity::Breaking, "narrowed", true)
    } else {
        ("VSD002", Severity::Breaking, "changed", true)
    };
    let help = match code {
        "VSD002" => "saved values may no longer validate: bump the version and add a migration that converts them",
        "VSD003" => "every saved value still validates; older servers may reject the new values until they update",
        _ => "make sure the migration converts every saved value",
    };
    Change {
        code,
        severity,
        breaks_records: breaks,
        path: path.to_owned(),
        message: format!("type of `{path}` {what}: `{}` -> `{}`", show(ot), show(nt)),
        help: help.into(),
        at: At::Field(span),
    }
}

fn public(old: &[DataPath], new: &[DataPath], out: &mut Vec<Change>) {
    let old: BTreeSet<String> = old.iter().map(|p| dotted(p)).collect();
    let new: BTreeSet<String> = new.iter().map(|p| dotted(p)).collect();
    for p in new.difference(&old) {
        out.push(Change {
            code: "VSD006",
            severity: Severity::Warning,
            breaks_records: false,
            path: p.clone(),
            message: format!("public path `{p}` was added: the owning client now receives it"),
            help: "confirm the value is safe to show to the player".into(),
            at: At::Public(p.clone()),
        });
    }
    for p in old.difference(&new) {
        out.push(Change {
            code: "VSD007",
            severity: Severity::Breaking,
            breaks_records: false,
            path: p.clone(),
            message: format!("public path `{p}` was removed: clients reading it break"),
            help: "keep the path public until every client build stops reading it".into(),
            at: At::Public(String::new()),
        });
    }
}

/// `VSD014`: a field private in the old side that a current public path now
/// reaches (its mark was dropped or set to `false`), and a new public path
/// that reaches a field private in the current side (its parent was published).
fn exposures(old: &Side, new: &Side, out: &mut Vec<Change>) {
    let Some(new_public) = &new.public else {
        return;
    };
    let overlaps = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let no_paths = Vec::new();
    let new_private = new.private.as_ref().unwrap_or(&no_paths);
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    for p in new_public {
        let pd = dotted(p);
        let is_new = old.public.as_ref().is_some_and(|op| !op.contains(p));
        for of in old.private.iter().flatten().filter(|f| overlaps(f, p)) {
            let still = new_private.iter().any(|nf| overlaps(nf, of));
            if still || !reported.insert((pd.clone(), dotted(of))) {
                continue;
            }
            out.push(Change {
                code: "VSD014",
                severity: Severity::Breaking,
                breaks_records: false,
                path: pd.clone(),
                message: format!(
                    "field `{}` was private and public path `{pd}` now sends it to the owning client",
                    dotted(of)
                ),
                help: "keep the field `private = true` and publish exact sibling paths, unless the player may now see it".into(),
                at: At::Public(pd.clone()),
            });
        }
        if !is_new {
            continue;
        }
        for nf in new_private.iter().filter(|f| overlaps(f, p)) {
            if !reported.insert((pd.clone(), dotted(nf))) {
                continue;
            }
            out.push(Change {
                code: "VSD014",
                severity: Severity::Breaking,
                breaks_records: false,
                path: pd.clone(),
                message: format!(
                    "new public path `{pd}` reaches the private field `{}`",
                    dotted(nf)
                ),
                help: "publish the exact sibling paths beside the private field, never its parent"
                    .into(),
                at: At::Public(pd.clone()),
            });
        }
    }
}

/// `ty` with every bound dropped.
pub fn unbounded(ty: &Type) -> Type {
    match ty {
        Type::Integer { .. } => Type::Integer {
            min: None,
            max: None,
        },
        Type::Number { .. } => Type::Number {
            min: None,
            max: None,
        },
        Type::String { .. } => Type::String { max_len: None },
        Type::Array(t) => Type::Array(Box::new(unbounded(t))),
        Type::Map(t) => Type::Map(Box::new(unbounded(t))),
        Type::Optional(t) => Type::Optional(Box::new(unbounded(t))),
        Type::Record(fields) => Type::Record(
            fields
                .iter()
                .map(|f| crate::schema::model::Field {
                    name: f.name.clone(),
                    ty: unbounded(&f.ty),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn le_opt<T: PartialOrd>(lo_new: Option<T>, lo_old: Option<T>) -> bool {
    match (lo_new, lo_old) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a <= b,
    }
}

fn ge_opt<T: PartialOrd>(hi_new: Option<T>, hi_old: Option<T>) -> bool {
    match (hi_new, hi_old) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a >= b,
    }
}

/// True when every value valid under `old` is also valid under `new` (both
/// with named types expanded).
pub fn accepts(new: &Type, old: &Type) -> bool {
    use Type::*;
    match (new, old) {
        (a, b) if a == b => true,
        (Optional(n), Optional(o)) => accepts(n, o),
        (Optional(n), o) => accepts(n, o),
        (Integer { min: a, max: b }, Integer { min: c, max: d }) => {
            le_opt(*a, *c) && ge_opt(*b, *d)
        }
        (Number { min: a, max: b }, Integer { min: c, max: d }) => {
            le_opt(*a, c.map(|v| v as f64)) && ge_opt(*b, d.map(|v| v as f64))
        }
        (Number { min: a, max: b }, Number { min: c, max: d }) => le_opt(*a, *c) && ge_opt(*b, *d),
        (String { max_len: a }, String { max_len: b }) => ge_opt(*a, *b),
        (String { max_len: None }, Enum(_)) => true,
        (String { max_len: Some(n) }, Enum(vals)) => vals.iter().all(|v| v.chars().count() <= *n),
        (Enum(a), Enum(b)) => b.iter().all(|v| a.contains(v)),
        (Array(n), Array(o)) | (Map(n), Map(o)) => accepts(n, o),
        (Record(nf), Record(of)) => {
            of.iter()
                .all(|o| nf.iter().any(|n| n.name == o.name && accepts(&n.ty, &o.ty)))
                && nf
                    .iter()
                    .all(|n| of.iter().any(|o| o.name == n.name) || matches!(n.ty, Optional(_)))
        }
        _ => false,
    }
}

/// The type in the schema's own notation, bounds included, fields in order.
pub fn show(ty: &Type) -> String {
    let range = |lo: String, hi: String| {
        if lo.is_empty() && hi.is_empty() {
            String::new()
        } else {
            format!("({lo}..{hi})")
        }
    };
    let o = |v: Option<String>| v.unwrap_or_default();
    match ty {
        Type::Integer { min, max } => format!(
            "integer{}",
            range(o(min.map(|v| v.to_string())), o(max.map(|v| v.to_string())))
        ),
        Type::Number { min, max } => format!(
            "number{}",
            range(o(min.map(|v| v.to_string())), o(max.map(|v| v.to_string())))
        ),
        Type::String { max_len: Some(n) } => format!("string(..{n})"),
        Type::String { max_len: None } => "string".into(),
        Type::Boolean => "boolean".into(),
        Type::Array(t) => format!("{{{}}}", show(t)),
        Type::Map(t) => format!("{{[string]: {}}}", show(t)),
        Type::Record(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.name, show(&f.ty)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        Type::Optional(t) => format!("{}?", show(t)),
        Type::Enum(vals) => vals
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Named(n) => n.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::types;

    fn side(shape: &str) -> Side {
        Side::of_release(&Release {
            shape: types::parse_shape(shape).unwrap().ty,
            legacy: false,
            public: vec![],
            private: vec![],
            span: Span::default(),
        })
    }

    #[test]
    fn the_order_fields_are_written_in_is_no_change() {
        let a = side("{ Items: {{ Count: integer, Id: string }} }");
        let b = side("{ Items: {{ Id: string, Count: integer }} }");
        assert_eq!(classify(&a, &b, None), vec![]);
    }

    #[test]
    fn a_record_that_became_a_map_is_one_breaking_change() {
        let a = side("{ Settings: { Music: boolean, Sfx: boolean } }");
        let b = side("{ Settings: {[string]: boolean} }");
        let changes = classify(&a, &b, None);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(
            (changes[0].code, changes[0].breaks_records),
            ("VSD002", true)
        );
        assert_eq!(changes[0].path, "Settings");
    }
}
