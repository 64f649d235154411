//! Breaking-change classification between a released schema and the current
//! one, in the manner of buf's breaking rules. Pure: takes two checked
//! `model::Project`s (the released side comes from `vstore.lock` or
//! `--against`), returns findings with a stable code, a severity and a span in
//! the current `virtualstore.toml`. Rendering lives in `render`.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use crate::core::settings::{store_setting, SettingValue};
use crate::schema::lock::Lock;
use crate::schema::model::{Project, Span, Store, StoreKind, TemplateField, Type};

/// How bad a change is. `Breaking` findings make `vstore diff` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Breaking,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The stable finding codes with a one-line summary each.
pub const CODES: &[(&str, &str)] = &[
    ("VSD001", "template field removed without a migration"),
    (
        "VSD002",
        "field type narrowed or changed without a migration",
    ),
    ("VSD003", "field type widened"),
    ("VSD004", "field default changed"),
    ("VSD005", "template field added"),
    (
        "VSD006",
        "public path added: exposes data to the owning client",
    ),
    ("VSD007", "public path removed: breaks clients reading it"),
    ("VSD008", "operation removed while old IDs may be pending"),
    (
        "VSD009",
        "operation payload narrowed or changed while old IDs may be pending",
    ),
    ("VSD010", "setting shrinks a ledger"),
    ("VSD011", "store removed"),
    ("VSD012", "store version went backwards or kind changed"),
    ("VSD013", "field changed with a migration"),
    (
        "VSD014",
        "private data exposed: a private field made public, or a new public path over private fields",
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub store: String,
    pub message: String,
    pub help: String,
    /// Where in the current `virtualstore.toml` the change is (or the closest place).
    pub span: Span,
}

/// Compares `old` (released) with `new` (current). `source` is the current
/// `virtualstore.toml` text, used to place spans on things that no longer exist.
pub fn compare(old: &Project, new: &Project, source: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for os in &old.stores {
        match new.stores.iter().find(|s| s.name == os.name) {
            Some(ns) => compare_store(old, os, new, ns, source, &mut out),
            None => out.push(Finding {
                code: "VSD011",
                severity: Severity::Breaking,
                store: os.name.clone(),
                message: format!("store `{}` was removed", os.name),
                help: "keep the store declared (its saved records still exist) or release it under a new name".into(),
                span: locate(source, &["[stores"]),
            }),
        }
    }
    out.sort_by(|a, b| (a.severity, a.span.start, a.code).cmp(&(b.severity, b.span.start, b.code)));
    out
}

fn store_span(source: &str, store: &str) -> Span {
    locate(
        source,
        &[
            &format!("[stores.{store}]"),
            &format!("[stores.{store}."),
            "[stores",
        ],
    )
}

/// Span of the first needle found in `source`, or an empty span at the start.
fn locate(source: &str, needles: &[&str]) -> Span {
    needles
        .iter()
        .find_map(|n| {
            source.find(n).map(|s| Span {
                start: s,
                end: s + n.len(),
            })
        })
        .unwrap_or_default()
}

/// Span of the public path string `path` in the store's `public` table (a
/// dotted template key spelled the same way may come first in the file).
fn public_span(source: &str, store: &str, path: &str) -> Span {
    let needle = format!("\"{path}\"");
    let header = format!("[stores.{store}.public]");
    if let Some(start) = source.find(&header) {
        let found = locate(&source[start..], &[&needle]);
        if found != Span::default() {
            return shift(found, start);
        }
    }
    locate(source, &[&needle, "public"])
}

fn dotted(path: &[String]) -> String {
    path.join(".")
}

fn compare_store(
    old_p: &Project,
    old: &Store,
    new_p: &Project,
    new: &Store,
    source: &str,
    out: &mut Vec<Finding>,
) {
    let header = store_span(source, &new.name);
    let push = |out: &mut Vec<Finding>, code, severity, message: String, help: &str, span| {
        out.push(Finding {
            code,
            severity,
            store: new.name.clone(),
            message,
            help: help.to_string(),
            span,
        });
    };

    if new.version < old.version || new.kind != old.kind {
        let what = if new.kind != old.kind {
            format!(
                "store `{}` changed kind from {:?} to {:?}",
                new.name, old.kind, new.kind
            )
        } else {
            format!(
                "store `{}` version went from {} back to {}",
                new.name, old.version, new.version
            )
        };
        let span = locate(&source[header.start..], &["version"]);
        let span = if span == Span::default() {
            header
        } else {
            shift(span, header.start)
        };
        push(out, "VSD012", Severity::Breaking, what, "records already saved at the newer version would be refused; only move the version forward", span);
    }

    // A migration covers the change when every step old.version+1..=new.version exists.
    let steps: BTreeSet<u32> = new.migrations.iter().map(|m| m.to).collect();
    let migrated =
        new.version > old.version && (old.version + 1..=new.version).all(|v| steps.contains(&v));

    let old_fields: BTreeMap<String, _> =
        old.template.iter().map(|f| (dotted(&f.path), f)).collect();
    let new_fields: BTreeMap<String, _> =
        new.template.iter().map(|f| (dotted(&f.path), f)).collect();

    for (path, of) in &old_fields {
        match new_fields.get(path) {
            None if migrated => push(
                out,
                "VSD013",
                Severity::Info,
                format!(
                    "field `{path}` was removed; migration to v{} handles it",
                    new.version
                ),
                "make sure the migration drops or moves the old value",
                header,
            ),
            None => push(
                out,
                "VSD001",
                Severity::Breaking,
                format!("field `{path}` was removed without a migration"),
                "bump the store version and add a migration that drops or moves the value",
                header,
            ),
            Some(nf) => {
                let ot = resolve(&of.ty, &old_p.types);
                let nt = resolve(&nf.ty, &new_p.types);
                if ot != nt {
                    let (code, severity, what) = if accepts(&nt, &ot, new_p, old_p) {
                        ("VSD003", Severity::Info, "widened")
                    } else if migrated {
                        ("VSD013", Severity::Info, "changed (migration handles it)")
                    } else if accepts(&ot, &nt, old_p, new_p) {
                        ("VSD002", Severity::Breaking, "narrowed")
                    } else {
                        ("VSD002", Severity::Breaking, "changed")
                    };
                    let help = match code {
                        "VSD002" => "saved values may no longer validate: bump the version and add a migration that converts them",
                        "VSD003" => "every saved value still validates; older servers may reject the new values until they update",
                        _ => "make sure the migration converts every saved value",
                    };
                    push(
                        out,
                        code,
                        severity,
                        format!(
                            "type of `{path}` {what}: `{}` -> `{}`",
                            show(&ot),
                            show(&nt)
                        ),
                        help,
                        nf.span,
                    );
                }
                if of.default != nf.default {
                    push(
                        out,
                        "VSD004",
                        Severity::Warning,
                        format!("default of `{path}` changed from {} to {}", of.default, nf.default),
                        "only new records get the new default; migrate existing records if they need it",
                        nf.span,
                    );
                }
            }
        }
    }
    for (path, nf) in &new_fields {
        if !old_fields.contains_key(path) {
            push(
                out,
                "VSD005",
                Severity::Info,
                format!("field `{path}` was added with default {}", nf.default),
                "existing records are filled from the default when they load",
                nf.span,
            );
        }
    }

    let old_public: BTreeSet<String> = old.public.iter().map(|p| dotted(p)).collect();
    let new_public: BTreeSet<String> = new.public.iter().map(|p| dotted(p)).collect();
    for p in new_public.difference(&old_public) {
        push(
            out,
            "VSD006",
            Severity::Warning,
            format!("public path `{p}` was added: the owning client now receives it"),
            "confirm the value is safe to show to the player",
            public_span(source, &new.name, p),
        );
    }
    for p in old_public.difference(&new_public) {
        push(
            out,
            "VSD007",
            Severity::Breaking,
            format!("public path `{p}` was removed: clients reading it break"),
            "keep the path public until every client build stops reading it",
            locate(
                source,
                &[&format!("[stores.{}.public]", new.name), "public"],
            )
            .max_or(header),
        );
    }

    exposures(old, new, source, out);

    for op in &old.operations {
        match new.operations.iter().find(|o| o.name == op.name) {
            None => push(
                out,
                "VSD008",
                Severity::Breaking,
                format!(
                    "operation `{}` was removed while queued IDs may still be pending",
                    op.name
                ),
                "keep the handler until no record can hold a pending operation of this name",
                header,
            ),
            Some(no) => {
                let ot = resolve(&op.payload, &old_p.types);
                let nt = resolve(&no.payload, &new_p.types);
                if ot != nt && !accepts(&nt, &ot, new_p, old_p) {
                    push(
                        out,
                        "VSD009",
                        Severity::Breaking,
                        format!("payload of operation `{}` changed: `{}` -> `{}`", op.name, show(&ot), show(&nt)),
                        "pending payloads queued by older servers must still validate: widen the type or add a new operation name",
                        locate(source, &[&format!("operations.{}]", op.name), &op.name]).max_or(header),
                    );
                }
            }
        }
    }

    for name in LEDGER_SETTINGS {
        let (Some(o), Some(n)) = (setting_number(old, name), setting_number(new, name)) else {
            continue;
        };
        if n < o {
            let (severity, help) = if EXACTLY_ONCE_LEDGERS.contains(name) {
                (Severity::Breaking, "pruned receipts and tombstones let a retried ID apply twice; keep the limit or raise it")
            } else {
                (
                    Severity::Warning,
                    "entries beyond the new limit are dropped at the next save of each record",
                )
            };
            push(
                out,
                "VSD010",
                severity,
                format!("setting `{name}` shrinks from {o} to {n}: retained entries are pruned"),
                help,
                locate(source, &[&format!("{name} ="), name]).max_or(header),
            );
        }
    }
}

/// `VSD014`: a field marked `private = true` in the released schema that a
/// current public path now reaches (its mark was dropped or set to `false`),
/// and a new public path that reaches a field private in the current schema
/// (its parent was published).
fn exposures(old: &Store, new: &Store, source: &str, out: &mut Vec<Finding>) {
    let overlaps = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    let mut reported: BTreeSet<(String, String)> = BTreeSet::new();
    for p in &new.public {
        let pd = dotted(p);
        let is_new = !old.public.contains(p);
        let span = public_span(source, &new.name, &pd);
        for of in old
            .template
            .iter()
            .filter(|f| f.is_private() && overlaps(&f.path, p))
        {
            let still = new
                .template
                .iter()
                .any(|nf| nf.is_private() && overlaps(&nf.path, &of.path));
            if still || !reported.insert((pd.clone(), dotted(&of.path))) {
                continue;
            }
            out.push(Finding {
                code: "VSD014",
                severity: Severity::Breaking,
                store: new.name.clone(),
                message: format!(
                    "field `{}` was private and public path `{pd}` now sends it to the owning client",
                    dotted(&of.path)
                ),
                help: "keep the field `private = true` and publish exact sibling paths, unless the player may now see it".into(),
                span: span.max_or(of.span),
            });
        }
        if !is_new {
            continue;
        }
        for nf in new
            .template
            .iter()
            .filter(|f| f.is_private() && overlaps(&f.path, p))
        {
            if !reported.insert((pd.clone(), dotted(&nf.path))) {
                continue;
            }
            out.push(Finding {
                code: "VSD014",
                severity: Severity::Breaking,
                store: new.name.clone(),
                message: format!(
                    "new public path `{pd}` reaches the private field `{}`",
                    dotted(&nf.path)
                ),
                help: "publish the exact sibling paths beside the private field, never its parent"
                    .into(),
                span: span.max_or(nf.span),
            });
        }
    }
}

/// Settings that bound a retained ledger.
const LEDGER_SETTINGS: &[&str] = &[
    "OperationReceiptLimit",
    "OperationDedupeLimit",
    "DeadLetterLimit",
    "WriteReceiptLimit",
    "AuditLogLimit",
    "OperationTTL",
];
/// Ledgers whose pruning can re-apply work (exactly-once is lost).
const EXACTLY_ONCE_LEDGERS: &[&str] = &[
    "OperationReceiptLimit",
    "OperationDedupeLimit",
    "WriteReceiptLimit",
];

fn setting_number(store: &Store, name: &str) -> Option<f64> {
    let explicit = store.settings.get(name).and_then(|v| v.as_f64());
    let n = explicit.or_else(|| match store_setting(name)?.default {
        SettingValue::Number(n) => Some(n),
        _ => None,
    })?;
    // OperationTTL zero means "never expires": treat it as unbounded.
    Some(if name == "OperationTTL" && n == 0.0 {
        f64::INFINITY
    } else {
        n
    })
}

trait MaxOr {
    fn max_or(self, other: Span) -> Span;
}

impl MaxOr for Span {
    /// Falls back to `other` when the locator found nothing.
    fn max_or(self, other: Span) -> Span {
        if self == Span::default() {
            other
        } else {
            self
        }
    }
}

fn shift(s: Span, by: usize) -> Span {
    Span {
        start: s.start + by,
        end: s.end + by,
    }
}

/// Replaces named types by their definitions (one level per name, recursively).
fn resolve(ty: &Type, types: &[(String, Type)]) -> Type {
    resolve_depth(ty, types, 0)
}

fn resolve_depth(ty: &Type, types: &[(String, Type)], depth: usize) -> Type {
    if depth > 32 {
        return ty.clone();
    }
    let r = |t: &Type| Box::new(resolve_depth(t, types, depth + 1));
    match ty {
        Type::Named(n) => match types.iter().find(|(k, _)| k == n) {
            Some((_, t)) => resolve_depth(t, types, depth + 1),
            None => ty.clone(),
        },
        Type::Array(t) => Type::Array(r(t)),
        Type::Map(t) => Type::Map(r(t)),
        Type::Optional(t) => Type::Optional(r(t)),
        Type::Record(fields) => Type::Record(
            fields
                .iter()
                .map(|f| crate::schema::model::Field {
                    name: f.name.clone(),
                    ty: resolve_depth(&f.ty, types, depth + 1),
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

/// True when every value valid under `old` is also valid under `new`.
fn accepts(new: &Type, old: &Type, np: &Project, op: &Project) -> bool {
    use Type::*;
    match (new, old) {
        (a, b) if a == b => true,
        (Named(_), _) | (_, Named(_)) => {
            let (n, o) = (resolve(new, &np.types), resolve(old, &op.types));
            !matches!((&n, &o), (Named(_), _) | (_, Named(_))) && accepts(&n, &o, np, op)
        }
        (Optional(n), Optional(o)) => accepts(n, o, np, op),
        (Optional(n), o) => accepts(n, o, np, op),
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
        (Array(n), Array(o)) | (Map(n), Map(o)) => accepts(n, o, np, op),
        (Record(nf), Record(of)) => {
            of.iter().all(|o| {
                nf.iter()
                    .any(|n| n.name == o.name && accepts(&n.ty, &o.ty, np, op))
            }) && nf
                .iter()
                .all(|n| of.iter().any(|o| o.name == n.name) || matches!(n.ty, Optional(_)))
        }
        _ => false,
    }
}

/// The type in the schema's own notation.
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

/// Leaf fields of a record shape as `(dotted path, type)`, nested records flattened.
fn leaves(ty: &Type, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Type)>) {
    match ty {
        Type::Record(fields) if !fields.is_empty() => {
            for f in fields {
                prefix.push(f.name.clone());
                leaves(&f.ty, prefix, out);
                prefix.pop();
            }
        }
        other => out.push((prefix.clone(), other.clone())),
    }
}

/// `new` with each store's template replaced by the leaves of its expanded
/// shape (defaults and spans taken from the closest template field), so both
/// sides of a shape-only comparison use the same granularity.
fn shape_template(new: &Project) -> Project {
    let mut p = new.clone();
    for store in &mut p.stores {
        let mut out = Vec::new();
        // Through the lock's own text form, so both sides carry the same detail.
        let expanded = crate::schema::types::expand(&store.shape, &new.types);
        let rendered = crate::schema::types::render(&expanded);
        let shape = crate::schema::types::parse(&rendered)
            .map(|p| p.ty)
            .unwrap_or(expanded);
        leaves(&shape, &mut Vec::new(), &mut out);
        store.template = out
            .into_iter()
            .map(|(path, ty)| {
                let covering = store
                    .template
                    .iter()
                    .find(|f| path.starts_with(&f.path) || f.path.starts_with(&path));
                let span = covering.map(|f| f.span).unwrap_or_default();
                let private = covering.and_then(|f| f.private);
                let default = path
                    .iter()
                    .try_fold(&store.defaults, |v, k| v.get(k))
                    .cloned()
                    .unwrap_or_default();
                TemplateField {
                    path,
                    ty,
                    default,
                    span,
                    private,
                }
            })
            .collect();
    }
    p
}

/// Compares the current project with the released shapes in `vstore.lock`.
/// The lock records only each version's data shape, so this checks fields,
/// types, store removal and versions; public paths, operations and settings
/// need `--against` an older `virtualstore.toml`.
pub fn compare_with_lock(lock: &Lock, new: &Project, source: &str) -> Result<Vec<Finding>, String> {
    let new = shape_template(new);
    let mut old = new.clone();
    old.types.clear();
    old.stores.clear();
    for (name, versions) in &lock.stores {
        let current = new.stores.iter().find(|s| &s.name == name);
        // The newest released version not above the current one (or the newest at all).
        let pick = current
            .and_then(|c| versions.range(..=c.version).next_back())
            .or_else(|| versions.iter().next_back());
        let Some((&version, shape)) = pick else {
            continue;
        };
        let parsed = crate::schema::types::parse(shape)
            .map_err(|e| format!("vstore.lock: shape of {name} v{version}: {}", e.message))?;
        let mut store = match current {
            Some(c) => c.clone(),
            None => Store {
                name: name.clone(),
                kind: StoreKind::Players,
                version,
                settings: BTreeMap::new(),
                shape: Type::Record(vec![]),
                template: vec![],
                defaults: serde_json::Value::Null,
                public: vec![],
                channel: name.clone(),
                migrations: vec![],
                operations: vec![],
                leaderboards: vec![],
            },
        };
        store.version = version;
        store.migrations.clear();
        let mut out = Vec::new();
        leaves(&parsed.ty, &mut Vec::new(), &mut out);
        let defaults: BTreeMap<Vec<String>, serde_json::Value> = current
            .map(|c| {
                c.template
                    .iter()
                    .map(|f| (f.path.clone(), f.default.clone()))
                    .collect()
            })
            .unwrap_or_default();
        store.template = out
            .into_iter()
            .map(|(path, ty)| {
                let default = defaults.get(&path).cloned().unwrap_or_default();
                TemplateField {
                    path,
                    ty,
                    default,
                    span: Span::default(),
                    // The lock records shapes only: privacy is compared with `--against`.
                    private: None,
                }
            })
            .collect();
        old.stores.push(store);
    }
    Ok(compare(&old, &new, source))
}
