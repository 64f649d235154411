//! Store settings and leaderboard (OrderedIndex) settings are known (VS3301),
//! of the right kind (VS3302), in range or one of their choices (VS3303), and
//! agree with each other (VS3304). What each setting accepts is defined in
//! `crate::core::settings`; this rule only reports against it.

use crate::check::rule::{Context, Report, Rule};
use crate::core::settings::{self, Setting, SettingKind};
use crate::diagnostic::closest;
use crate::schema::document::SettingDecl;
use crate::schema::tree::Node;

pub struct Settings;

impl Rule for Settings {
    fn name(&self) -> &'static str {
        "settings"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3301", "VS3302", "VS3303", "VS3304"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &mut cx.stores {
            for e in &s.decl.settings {
                let Some(def) = settings::store_setting(&e.name.value) else {
                    let help = match closest(
                        &e.name.value,
                        settings::STORE_SETTINGS.iter().map(|s| s.name),
                    ) {
                        Some(s) => format!(
                            "did you mean `{s}`? Settings are spelled exactly as in the settings table"
                        ),
                        None => "see docs/diagnostics.md for the list of store settings".into(),
                    };
                    cx.out.error(
                        "VS3301",
                        e.name.span,
                        format!("unknown setting `{}`", e.name.value),
                        "not a store setting",
                        help,
                    );
                    continue;
                };
                if let Some(value) = setting_value(&mut cx.out, e, def) {
                    s.store.settings.insert(e.name.value.clone(), value);
                }
            }
            cross_rules(&mut cx.out, &s.decl.settings, &s.store.settings);
            for lb in &s.decl.leaderboards {
                let values = lb
                    .settings
                    .iter()
                    .filter_map(|e| {
                        Some((e.name.value.clone(), ordered_index_setting(&mut cx.out, e)?))
                    })
                    .collect();
                s.board_settings.insert(lb.name.value.clone(), values);
            }
        }
    }
}

/// A leaderboard setting checked against `ORDERED_INDEX_SETTINGS` with the
/// store settings' codes; the value when it is usable.
fn ordered_index_setting(out: &mut Report, e: &SettingDecl) -> Option<serde_json::Value> {
    let table = settings::ORDERED_INDEX_SETTINGS;
    let Some(def) = table.iter().find(|s| s.name == e.name.value) else {
        let help = match closest(&e.name.value, table.iter().map(|s| s.name)) {
            Some(s) => format!("did you mean `{s}`? Leaderboards accept the OrderedIndex settings"),
            None => format!(
                "leaderboards accept the OrderedIndex settings: {}",
                table.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ),
        };
        out.error(
            "VS3301",
            e.name.span,
            format!("unknown OrderedIndex setting `{}`", e.name.value),
            "not an OrderedIndex setting",
            help,
        );
        return None;
    };
    setting_value(out, e, def)
}

/// A setting's value checked against its definition: the kind (VS3302), an
/// accepted string (VS3303) and the range (VS3303). `None` once reported.
fn setting_value(out: &mut Report, e: &SettingDecl, def: &Setting) -> Option<serde_json::Value> {
    let key = &e.name.value;
    let value = match (&def.kind, &e.value.node) {
        (SettingKind::Boolean, Node::Bool(b)) => serde_json::Value::Bool(*b),
        (SettingKind::Integer | SettingKind::Number, Node::Int(i)) => serde_json::Value::from(*i),
        (SettingKind::Number, Node::Float(f)) if f.is_finite() => serde_json::Value::from(*f),
        (SettingKind::Choice(options), Node::Str(s)) => {
            if !options.contains(&s.as_str()) {
                out.error(
                    "VS3303",
                    e.value.span,
                    format!("`{key}` must be one of {}", options.join(", ")),
                    "not an accepted value",
                    format!("use one of: {}", options.join(", ")),
                );
                return None;
            }
            serde_json::Value::String(s.clone())
        }
        (kind, _) => {
            let expected = match kind {
                SettingKind::Boolean => "a boolean",
                SettingKind::Integer => "a whole number",
                SettingKind::Number => "a finite number",
                SettingKind::Choice(_) => "a string",
            };
            out.error(
                "VS3302",
                e.value.span,
                format!(
                    "setting `{key}` must be {expected}, found {}",
                    e.value.node.kind()
                ),
                format!("expected {expected}"),
                format!("write `{key}` as {expected}"),
            );
            return None;
        }
    };
    if let Some(n) = value.as_f64() {
        let below = def.min.is_some_and(|m| n < m);
        let above = def.max.is_some_and(|m| n > m);
        if below || above {
            let range = match (def.min, def.max) {
                (Some(a), Some(b)) => format!("between {a} and {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            out.error(
                "VS3303",
                e.value.span,
                format!("setting `{key}` = {n} is out of range"),
                format!("must be {range}"),
                format!("use a value {range}"),
            );
            return None;
        }
    }
    Some(value)
}

/// The rules between settings, with defaults for the ones not written.
fn cross_rules(
    out: &mut Report,
    written: &[SettingDecl],
    values: &std::collections::BTreeMap<String, serde_json::Value>,
) {
    let get = |k: &str| {
        values
            .get(k)
            .and_then(|v| v.as_f64())
            .unwrap_or_else(|| settings::store_default_number(k))
    };
    let span_of = |first: &str, second: &str| {
        written
            .iter()
            .find(|e| e.name.value == first)
            .or_else(|| written.iter().find(|e| e.name.value == second))
            .map(|e| e.value.span)
            .unwrap_or_default()
    };
    let lease = get("LeaseTimeout");
    let autosave = get("AutoSaveInterval");
    if lease <= 2.0 * autosave {
        out.error(
            "VS3304",
            span_of("LeaseTimeout", "AutoSaveInterval"),
            format!(
                "LeaseTimeout ({lease}) must be greater than 2 x AutoSaveInterval ({autosave})"
            ),
            "lease would expire between autosaves",
            format!(
                "raise LeaseTimeout above {} or lower AutoSaveInterval",
                2.0 * autosave
            ),
        );
    }
    let receipts = get("OperationReceiptLimit");
    let dedupe = get("OperationDedupeLimit");
    if dedupe < receipts {
        out.error(
            "VS3304",
            span_of("OperationDedupeLimit", "OperationReceiptLimit"),
            format!("OperationDedupeLimit ({dedupe}) must not be below OperationReceiptLimit ({receipts})"),
            "pruned receipts would lose their tombstones",
            "keep OperationDedupeLimit at least as large as OperationReceiptLimit",
        );
    }
}
