//! `vstore diff`: every change between a released schema and the current one,
//! in the manner of buf's breaking rules, with a stable code, a severity and a
//! span in the current `virtualstore.toml`. The released side is the last
//! release in `vstore.lock` (shapes, public paths, privacy) or an older
//! `virtualstore.toml` given with `--against` (everything, operations and
//! settings included). Field and public-path changes are classified by
//! `classify`, the same code `vstore check` requires bumps by; rendering lives
//! in `render`.

pub mod classify;
pub mod render;

use std::collections::BTreeSet;

use crate::core::settings::{store_setting, SettingValue};
use crate::schema::lock::Lock;
use crate::schema::model::{Project, Span, Store};
use crate::schema::types::TypeTable;

use classify::{accepts, classify, At, Side};

pub use classify::show;

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
    let (old_types, new_types) = (TypeTable::new(&old.types), TypeTable::new(&new.types));
    let mut out = Vec::new();
    for os in &old.stores {
        match new.stores.iter().find(|s| s.name == os.name) {
            Some(ns) => {
                let header = store_span(source, &ns.name);
                versions(os.version, Some(os), ns, source, header, &mut out);
                let sides = (
                    Side::of_store(os, &old_types),
                    Side::of_store(ns, &new_types),
                );
                changes(&sides.0, &sides.1, os.version, ns, source, header, &mut out);
                operations(os, ns, &old_types, &new_types, source, header, &mut out);
                ledgers(os, ns, source, header, &mut out);
            }
            None => out.push(removed_store(&os.name, source)),
        }
    }
    sort(&mut out);
    out
}

/// Compares the current project with the last release in `vstore.lock` of
/// each store: the newest released version not above the current one. The
/// lock records shapes, public paths and privacy, not operations or settings;
/// a version recorded by an older vstore has its shape only. `source` is the
/// current `virtualstore.toml` text.
pub fn compare_with_lock(lock: &Lock, new: &Project, source: &str) -> Vec<Finding> {
    let types = TypeTable::new(&new.types);
    let mut out = Vec::new();
    for (name, released) in &lock.stores {
        let Some(ns) = new.stores.iter().find(|s| &s.name == name) else {
            if !released.is_empty() {
                out.push(removed_store(name, source));
            }
            continue;
        };
        let pick = released
            .range(..=ns.version)
            .next_back()
            .or_else(|| released.iter().next_back());
        let Some((&version, release)) = pick else {
            continue;
        };
        let header = store_span(source, &ns.name);
        versions(version, None, ns, source, header, &mut out);
        changes(
            &Side::of_release(release),
            &Side::of_store(ns, &types),
            version,
            ns,
            source,
            header,
            &mut out,
        );
    }
    sort(&mut out);
    out
}

fn sort(out: &mut [Finding]) {
    out.sort_by(|a, b| (a.severity, a.span.start, a.code).cmp(&(b.severity, b.span.start, b.code)));
}

fn removed_store(name: &str, source: &str) -> Finding {
    Finding {
        code: "VSD011",
        severity: Severity::Breaking,
        store: name.to_owned(),
        message: format!("store `{name}` was removed"),
        help:
            "keep the store declared (its saved records still exist) or release it under a new name"
                .into(),
        span: locate(source, &["[stores"]),
    }
}

/// True when `new` ships a migration for every step from `from` to its version.
pub fn migrated(from: u32, new: &Store) -> bool {
    let steps: BTreeSet<u32> = new.migrations.iter().map(|m| m.to).collect();
    new.version > from && (from + 1..=new.version).all(|v| steps.contains(&v))
}

fn changes(
    old: &Side,
    new: &Side,
    old_version: u32,
    ns: &Store,
    source: &str,
    header: Span,
    out: &mut Vec<Finding>,
) {
    let migrated_to = migrated(old_version, ns).then_some(ns.version);
    for c in classify(old, new, migrated_to) {
        let span = match &c.at {
            At::Field(span) => span.max_or(header),
            At::Store => header,
            At::Public(p) if p.is_empty() => {
                locate(source, &[&format!("[stores.{}.public]", ns.name), "public"]).max_or(header)
            }
            At::Public(p) => public_span(source, &ns.name, p).max_or(header),
        };
        out.push(Finding {
            code: c.code,
            severity: c.severity,
            store: ns.name.clone(),
            message: c.message,
            help: c.help,
            span,
        });
    }
}

/// `VSD012`: the version went backwards, or the kind changed.
fn versions(
    old_version: u32,
    old: Option<&Store>,
    new: &Store,
    source: &str,
    header: Span,
    out: &mut Vec<Finding>,
) {
    let kind_changed = old.is_some_and(|o| o.kind != new.kind);
    if new.version >= old_version && !kind_changed {
        return;
    }
    let what = match old {
        Some(o) if kind_changed => format!(
            "store `{}` changed kind from {:?} to {:?}",
            new.name, o.kind, new.kind
        ),
        _ => format!(
            "store `{}` version went from {old_version} back to {}",
            new.name, new.version
        ),
    };
    let span = source
        .get(header.start..)
        .map(|rest| locate(rest, &["version"]))
        .filter(|s| *s != Span::default())
        .map_or(header, |s| shift(s, header.start));
    out.push(Finding {
        code: "VSD012",
        severity: Severity::Breaking,
        store: new.name.clone(),
        message: what,
        help: "records already saved at the newer version would be refused; only move the version forward".into(),
        span,
    });
}

/// `VSD008`, `VSD009`: operations whose queued IDs may still be pending.
fn operations(
    old: &Store,
    new: &Store,
    old_types: &TypeTable,
    new_types: &TypeTable,
    source: &str,
    header: Span,
    out: &mut Vec<Finding>,
) {
    let push = |out: &mut Vec<Finding>, code, message: String, help: &str, span| {
        out.push(Finding {
            code,
            severity: Severity::Breaking,
            store: new.name.clone(),
            message,
            help: help.to_string(),
            span,
        });
    };
    for op in &old.operations {
        match new.operations.iter().find(|o| o.name == op.name) {
            None => push(
                out,
                "VSD008",
                format!(
                    "operation `{}` was removed while queued IDs may still be pending",
                    op.name
                ),
                "keep the handler until no record can hold a pending operation of this name",
                header,
            ),
            Some(no) => {
                let ot = old_types.expand(&op.payload);
                let nt = new_types.expand(&no.payload);
                if ot != nt && !accepts(&nt, &ot) {
                    push(
                        out,
                        "VSD009",
                        format!("payload of operation `{}` changed: `{}` -> `{}`", op.name, show(&ot), show(&nt)),
                        "pending payloads queued by older servers must still validate: widen the type or add a new operation name",
                        locate(source, &[&format!("operations.{}]", op.name), &op.name]).max_or(header),
                    );
                }
            }
        }
    }
}

/// `VSD010`: a setting that bounds a retained ledger shrinks.
fn ledgers(old: &Store, new: &Store, source: &str, header: Span, out: &mut Vec<Finding>) {
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
            out.push(Finding {
                code: "VSD010",
                severity,
                store: new.name.clone(),
                message: format!(
                    "setting `{name}` shrinks from {o} to {n}: retained entries are pruned"
                ),
                help: help.to_string(),
                span: locate(source, &[&format!("{name} ="), name]).max_or(header),
            });
        }
    }
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
