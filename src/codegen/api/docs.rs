//! The generated tables of `docs/api.md`: the members of each owner and the
//! signals from `core::api`, the named types, the settings with their bounds
//! and rules from `core::settings`, the error codes and the states from
//! `core::codes`. Each table sits between `<!-- generated: NAME -->` and
//! `<!-- end generated: NAME -->` in the hand-written page; [`splice`]
//! replaces what is between the markers and nothing else.

use std::fmt::Write as _;

use crate::core::api::{self, Kind, Member, Owner};
use crate::core::codes;
use crate::core::settings::{self, Relation, Setting, SettingKind, SettingValue};

use super::all_names;
use super::luau::{ty, Names};

fn doc_name(name: &str) -> String {
    match name {
        "Path" | "NumberPath" | "ListPath" => "Path".to_string(),
        "Value" | "Element" => "any".to_string(),
        other => other.to_string(),
    }
}

const NAMES: Names<'static> = Names {
    name: &doc_name,
    signal: "Signal",
};

/// Text inside a table cell: `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn code(text: &str) -> String {
    format!("`{}`", cell(text))
}

/// `:Wait` (alias `:Await`), `.keyFor`, `Name`, `VirtualStore.players`.
fn member_label(m: &Member) -> String {
    let spell = |name: &str| match (m.owner, m.kind) {
        (Owner::Module, _) => format!("`VirtualStore.{name}`"),
        (Owner::Client, _) => format!("`VirtualStoreClient.{name}`"),
        (_, Kind::Method) => format!("`:{name}`"),
        (_, Kind::Function) => format!("`.{name}`"),
        _ => format!("`{name}`"),
    };
    let mut label = spell(m.name);
    if !m.aliases.is_empty() {
        let aliases: Vec<String> = m.aliases.iter().map(|a| spell(a)).collect();
        let _ = write!(label, " (alias {})", aliases.join(", "));
    }
    label
}

fn signature(m: &Member) -> String {
    match m.kind {
        Kind::Field => ty(&m.field_type(), &NAMES),
        Kind::Signal => {
            let payload: Vec<String> = m
                .payload()
                .iter()
                .map(|p| format!("{}: {}", p.name, ty(&p.ty, &NAMES)))
                .collect();
            format!("({})", payload.join(", "))
        }
        Kind::Method | Kind::Function => m
            .overloads()
            .into_iter()
            .map(|f| ty(&api::sig::Ty::Function(Box::new(f)), &NAMES))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// `| member | signature | does |` for the members of `owners` but signals.
fn members_table(owners: &[Owner]) -> String {
    let mut out = String::from("| member | signature | does |\n|---|---|---|\n");
    for owner in owners {
        for m in api::members(*owner).filter(|m| m.kind != Kind::Signal) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                member_label(m),
                code(&signature(m)),
                cell(m.doc)
            );
        }
    }
    out
}

fn signals_table() -> String {
    let mut out = String::from("| signal | fires with | when |\n|---|---|---|\n");
    for m in api::MEMBERS.iter().filter(|m| m.kind == Kind::Signal) {
        let names: Vec<String> = all_names(m)
            .map(|n| format!("`{}.{n}`", m.owner.type_name()))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            names.join(", "),
            code(&signature(m)),
            cell(m.doc)
        );
    }
    out
}

fn types_table() -> String {
    let mut out = String::from("| type | definition | meaning |\n|---|---|---|\n");
    for t in api::TYPES {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            t.name,
            code(&ty(&super::named_type(t), &NAMES)),
            cell(t.doc)
        );
    }
    out
}

fn number(n: f64) -> String {
    n.to_string()
}

fn default_text(s: &Setting) -> String {
    match s.default {
        SettingValue::Number(n) => format!("`{}`", number(n)),
        SettingValue::Bool(b) => format!("`{b}`"),
        SettingValue::Str(v) => format!("`\"{v}\"`"),
    }
}

/// What a value must be beyond its kind: bounds, whole numbers, choices.
fn constraint(s: &Setting) -> String {
    let mut parts = Vec::new();
    match s.kind {
        SettingKind::Integer => parts.push("whole number".to_string()),
        SettingKind::Choice(choices) => parts.push(format!(
            "one of {}",
            choices
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => {}
    }
    if let Some(range) = s.range() {
        parts.push(range);
    }
    parts.join(", ")
}

fn settings_table(rows: &[Setting]) -> String {
    let mut out = String::from("| name | default | accepts | meaning |\n|---|---|---|---|\n");
    for s in rows {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            s.name,
            default_text(s),
            cell(&constraint(s)),
            cell(s.doc)
        );
    }
    out
}

fn rules_list(table: &settings::SettingsTable) -> String {
    let mut out = String::new();
    for r in table.rules {
        let relation = match r.relation {
            Relation::Above => "must exceed",
            Relation::AtLeast => "must not be below",
        };
        let scaled = if r.factor == 1.0 {
            String::new()
        } else {
            format!("{} x ", number(r.factor))
        };
        let _ = writeln!(
            out,
            "- `{}` {relation} {scaled}`{}` ({}).",
            r.setting, r.other, r.consequence
        );
    }
    out
}

fn codes_table() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for (c, meaning) in codes::ERROR_CODES {
        let _ = writeln!(out, "| `{c}` | {} |", cell(meaning));
    }
    out
}

fn states_table() -> String {
    let rows: [(&str, &[&str]); 6] = [
        ("facade `LoadState`", codes::LOAD_STATES),
        ("`SessionState`", codes::SESSION_STATES),
        ("`OperationStatus`", codes::OPERATION_STATUSES),
        ("`CommitKind` (`OnSaved`)", codes::COMMIT_KINDS),
        ("trade journal `Status`", codes::TRADE_STATUSES),
        ("client `State`", codes::REPLICA_STATES),
    ];
    let mut out = String::from("| kind | values |\n|---|---|\n");
    for (kind, values) in rows {
        let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        let _ = writeln!(out, "| {kind} | {} |", values.join(", "));
    }
    out
}

/// Every generated section, by name.
pub(crate) fn sections() -> Vec<(&'static str, String)> {
    vec![
        ("module", members_table(&[Owner::Module])),
        ("facade", members_table(&[Owner::Facade])),
        ("store", members_table(&[Owner::Store])),
        ("session", members_table(&[Owner::Session])),
        ("ordered-index", members_table(&[Owner::OrderedIndex])),
        ("client", members_table(&[Owner::Client, Owner::Replica])),
        ("signals", signals_table()),
        ("types", types_table()),
        ("settings", settings_table(settings::STORE_SETTINGS)),
        ("settings-rules", rules_list(&settings::STORE)),
        (
            "ordered-index-settings",
            settings_table(settings::ORDERED_INDEX_SETTINGS),
        ),
        ("codes", codes_table()),
        ("states", states_table()),
    ]
}

/// A marker the page is missing, or one it has twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpliceError(pub String);

/// `page` with the text between each section's markers replaced by that
/// section. Every section's markers must be present exactly once.
pub fn splice(page: &str) -> Result<String, SpliceError> {
    let mut out = page.to_string();
    for (name, body) in sections() {
        let open = format!("<!-- generated: {name} -->\n");
        let close = format!("<!-- end generated: {name} -->");
        if out.matches(&open).count() != 1 || out.matches(&close).count() != 1 {
            return Err(SpliceError(format!(
                "docs/api.md needs `{}` and `{close}` once each",
                open.trim_end()
            )));
        }
        let start = out.find(&open).unwrap() + open.len();
        let end = out.find(&close).unwrap();
        if end < start {
            return Err(SpliceError(format!(
                "`{close}` comes before its opening marker"
            )));
        }
        out.replace_range(start..end, &body);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splicing_replaces_only_the_text_between_markers() {
        let mut page = String::from("# API\n\nintro\n");
        for (name, _) in sections() {
            let _ = write!(
                page,
                "<!-- generated: {name} -->\nold\n<!-- end generated: {name} -->\nafter {name}\n"
            );
        }
        let out = splice(&page).unwrap();
        assert!(out.starts_with("# API\n\nintro\n"));
        assert!(!out.contains("old\n"));
        assert!(out.contains("<!-- end generated: codes -->\nafter codes\n"));
        assert!(out.contains("| `LeaseTimeout` | `180` | at least 1 |"));
        assert!(out.contains("| `:Wait` (alias `:Await`) | `(player: Player, timeout: number?) -> (Session?, VirtualError?)` |"));
        assert_eq!(splice(&out).unwrap(), out, "splicing is idempotent");
        assert!(splice("no markers").is_err());
    }

    #[test]
    fn union_bars_are_escaped_inside_cells() {
        let store = members_table(&[Owner::Facade]);
        assert!(store.contains("target: Player \\| number"), "{store}");
    }
}
