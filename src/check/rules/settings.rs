//! Store settings and leaderboard (OrderedIndex) settings are known (VS3301),
//! of the right kind (VS3302), in range or one of their choices (VS3303), and
//! agree with each other (VS3304). What each setting accepts, and every rule
//! between settings, is defined once in `crate::core::settings` and checked by
//! `settings::validate`; this rule only places each finding on the user's file.

use std::collections::BTreeMap;

use crate::check::rule::{Context, Report, Rule};
use crate::core::settings::{self, Input, Problem, SettingsTable};
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
            s.store.settings = checked(&mut cx.out, &s.decl.settings, &settings::STORE, |key| {
                let help = match closest(key, settings::STORE_SETTINGS.iter().map(|s| s.name)) {
                    Some(s) => format!(
                        "did you mean `{s}`? Settings are spelled exactly as in the settings table"
                    ),
                    None => "see docs/diagnostics.md for the list of store settings".into(),
                };
                (
                    format!("unknown setting `{key}`"),
                    "not a store setting",
                    help,
                )
            });
            for lb in &s.decl.leaderboards {
                let values = checked(&mut cx.out, &lb.settings, &settings::ORDERED_INDEX, |key| {
                    let table = settings::ORDERED_INDEX_SETTINGS;
                    let help = match closest(key, table.iter().map(|s| s.name)) {
                        Some(s) => format!(
                            "did you mean `{s}`? Leaderboards accept the OrderedIndex settings"
                        ),
                        None => format!(
                            "leaderboards accept the OrderedIndex settings: {}",
                            table.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    (
                        format!("unknown OrderedIndex setting `{key}`"),
                        "not an OrderedIndex setting",
                        help,
                    )
                });
                s.board_settings.insert(lb.name.value.clone(), values);
            }
        }
    }
}

/// `entries` checked by `core::settings::validate` against `table`; each
/// finding is one diagnostic at the entry it names (`unknown` gives the
/// message, label and help for a name not in the table). Returns the
/// accepted values.
fn checked(
    out: &mut Report,
    entries: &[SettingDecl],
    table: &SettingsTable,
    unknown: impl Fn(&str) -> (String, &'static str, String),
) -> BTreeMap<String, serde_json::Value> {
    let inputs: Vec<(&str, Input)> = entries
        .iter()
        .map(|e| {
            let input = match &e.value.node {
                Node::Bool(b) => Input::Bool(*b),
                Node::Int(i) => Input::Int(*i),
                Node::Float(f) => Input::Float(*f),
                Node::Str(s) => Input::Str(s),
                _ => Input::Other,
            };
            (e.name.value.as_str(), input)
        })
        .collect();
    let validated = settings::validate(table, &inputs);
    for finding in &validated.findings {
        let entry = finding.entry.map(|i| &entries[i]);
        let span = entry.map(|e| e.value.span).unwrap_or_default();
        let key = entry.map(|e| e.name.value.as_str()).unwrap_or_default();
        match &finding.problem {
            Problem::Unknown => {
                let (message, label, help) = unknown(key);
                let key_span = entry.map(|e| e.name.span).unwrap_or_default();
                out.error("VS3301", key_span, message, label, help);
            }
            Problem::WrongType { expected } => {
                let found = entry.map(|e| e.value.node.kind()).unwrap_or_default();
                out.error(
                    "VS3302",
                    span,
                    format!("setting `{key}` must be {expected}, found {found}"),
                    format!("expected {expected}"),
                    format!("write `{key}` as {expected}"),
                );
            }
            Problem::NotAChoice { choices } => out.error(
                "VS3303",
                span,
                format!("`{key}` must be one of {}", choices.join(", ")),
                "not an accepted value",
                format!("use one of: {}", choices.join(", ")),
            ),
            Problem::OutOfRange { value, range } => out.error(
                "VS3303",
                span,
                format!("setting `{key}` = {value} is out of range"),
                format!("must be {range}"),
                format!("use a value {range}"),
            ),
            Problem::Rule { rule, value, other } => out.error(
                "VS3304",
                span,
                rule.message(*value, *other),
                rule.consequence,
                rule.help_for(*other),
            ),
        }
    }
    validated.values
}
