//! The runtime's `Constants.luau`, rendered from the `core` tables (settings,
//! rules, codes, states, record format, limits, version). The file is
//! committed under `templates/runtime` so the runtime folder runs as it is;
//! `tests/generated_files.rs` keeps it equal to this output.

use minijinja::{context, Environment};

use crate::core::codes::{
    COMMIT_KINDS, ERROR_CODES, LOAD_STATES, OPERATION_STATUSES, SESSION_STATES, TRADE_STATUSES,
};
use crate::core::settings::{
    Relation, Setting, SettingKind, SettingValue, SettingsTable, FORMAT_MARKER, FORMAT_VERSION,
    LIVENESS_MAP, ORDERED_INDEX, ROBLOX_MAX_KEY_CHARS, ROBLOX_MAX_VALUE_CHARS, STORE,
};

use super::luau;

/// Where the rendered file is committed, relative to the repository root.
pub const PATH: &str = "templates/runtime/Constants.luau";

fn number(n: f64) -> String {
    luau::value(&serde_json::Value::from(n), 0)
}

fn default(value: SettingValue) -> String {
    match value {
        SettingValue::Number(n) => number(n),
        SettingValue::Bool(b) => b.to_string(),
        SettingValue::Str(s) => luau::string(s),
    }
}

/// `{ Name = "AutoSaveInterval", Kind = "number", Default = 60, Min = 1 }`.
fn spec(s: &Setting) -> String {
    let kind = match s.kind {
        SettingKind::Number => "number",
        SettingKind::Integer => "integer",
        SettingKind::Boolean => "boolean",
        SettingKind::Choice(_) => "choice",
    };
    let mut parts = vec![
        format!("Name = {}", luau::string(s.name)),
        format!("Kind = {}", luau::string(kind)),
        format!("Default = {}", default(s.default)),
    ];
    if let Some(min) = s.min {
        parts.push(format!("Min = {}", number(min)));
    }
    if let Some(max) = s.max {
        parts.push(format!("Max = {}", number(max)));
    }
    if let SettingKind::Choice(choices) = s.kind {
        let quoted: Vec<String> = choices.iter().map(|c| luau::string(c)).collect();
        parts.push(format!("Choices = {{ {} }}", quoted.join(", ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn luau_type(s: &Setting) -> &'static str {
    match s.kind {
        SettingKind::Number | SettingKind::Integer => "number",
        SettingKind::Boolean => "boolean",
        SettingKind::Choice(_) => "string",
    }
}

/// One settings table: `<Name>SettingSpecs` and `<Name>Rules` (`PREFIX_SETTINGS`
/// and `PREFIX_RULES` as locals; `<Name>Settings` is the type of the resolved
/// table).
fn table(t: &SettingsTable, name: &str, prefix: &str) -> minijinja::Value {
    context! {
        field => format!("{name}SettingSpecs"),
        local => format!("{prefix}_SETTINGS"),
        rules_field => format!("{name}Rules"),
        rules_local => format!("{prefix}_RULES"),
        settings => t.settings.iter().map(|s| context! { spec => spec(s) }).collect::<Vec<_>>(),
        rules => t.rules.iter().map(|r| context! {
            setting => luau::string(r.setting),
            relation => luau::string(match r.relation { Relation::Above => "Above", Relation::AtLeast => "AtLeast" }),
            factor => number(r.factor),
            other => luau::string(r.other),
            message => luau::string(&r.message_template()),
        }).collect::<Vec<_>>(),
    }
}

fn union(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| luau::string(n))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The text of `templates/runtime/Constants.luau`.
pub fn render() -> String {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_template(
        "constants.luau",
        include_str!("../../templates/generated/constants.luau"),
    )
    .expect("the constants template parses");
    let fields = |t: &SettingsTable| {
        t.settings
            .iter()
            .map(|s| context! { name => s.name, luau_type => luau_type(s) })
            .collect::<Vec<_>>()
    };
    let states: [(&str, &str, &[&str]); 5] = [
        ("LoadState", "LoadStates", LOAD_STATES),
        ("SessionState", "SessionStates", SESSION_STATES),
        ("OperationStatus", "OperationStatuses", OPERATION_STATUSES),
        ("TradeStatus", "TradeStatuses", TRADE_STATUSES),
        ("CommitKind", "CommitKinds", COMMIT_KINDS),
    ];
    env.get_template("constants.luau")
        .and_then(|t| {
            t.render(context! {
                version => luau::string(crate::core::VERSION),
                format_marker => luau::string(FORMAT_MARKER),
                format_version => FORMAT_VERSION,
                liveness_map => luau::string(LIVENESS_MAP),
                max_key_length => ROBLOX_MAX_KEY_CHARS,
                max_value_length => ROBLOX_MAX_VALUE_CHARS,
                store => fields(&STORE),
                ordered => fields(&ORDERED_INDEX),
                unions => states.iter().map(|(name, _, members)| context! { name => name, members => union(members) }).collect::<Vec<_>>(),
                tables => vec![table(&STORE, "Store", "STORE"), table(&ORDERED_INDEX, "OrderedIndex", "ORDERED_INDEX")],
                codes => ERROR_CODES.iter().map(|(code, _)| context! { key => luau::table_key(code), value => luau::string(code) }).collect::<Vec<_>>(),
                lists => states.iter().map(|(_, field, members)| context! { field => field, members => members.iter().map(|m| luau::string(m)).collect::<Vec<_>>() }).collect::<Vec<_>>(),
            })
        })
        .expect("the constants template renders")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_fits_the_formatter_width() {
        for line in render().lines() {
            assert!(
                luau::width(0, line) <= luau::COLUMN_WIDTH,
                "too wide for one line: {line}"
            );
        }
    }

    #[test]
    fn a_setting_spec_names_its_kind_default_and_bounds() {
        let max = STORE.get("MaxDataBytes").unwrap();
        assert_eq!(
            spec(max),
            "{ Name = \"MaxDataBytes\", Kind = \"integer\", Default = 3800000, Min = 1, Max = 4194303 }"
        );
        let policy = STORE.get("UnknownOperationPolicy").unwrap();
        assert_eq!(
            spec(policy),
            "{ Name = \"UnknownOperationPolicy\", Kind = \"choice\", Default = \"Retry\", Choices = { \"Retry\", \"Cancel\", \"Fail\" } }"
        );
        let poll = STORE.get("BudgetPollInterval").unwrap();
        assert_eq!(
            spec(poll),
            "{ Name = \"BudgetPollInterval\", Kind = \"number\", Default = 0.25, Min = 0.01 }"
        );
    }
}
