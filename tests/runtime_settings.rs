//! The Luau runtime accepts exactly the settings the toolchain lists
//! (`src/core/settings.rs`): the Store settings in `Settings.luau` and the
//! OrderedIndex settings in `OrderedIndex.luau`, with the same names,
//! defaults, integer kinds and bounds, so `vstore check` and the runtime agree.

use std::collections::BTreeMap;

use vstore::core::settings::{
    Setting, SettingKind, SettingValue, ORDERED_INDEX_SETTINGS, STORE_SETTINGS,
};

const ORDERED: &str = include_str!("../templates/runtime/OrderedIndex.luau");
const STORE: &str = include_str!("../templates/runtime/Settings.luau");

/// `Name = value` pairs of the table literal that follows `marker` in `source`.
fn table_after(source: &str, marker: &str) -> BTreeMap<String, String> {
    let start = source
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not found in the runtime source"));
    let rest = &source[start + marker.len()..];
    let open = rest.find('{').expect("table opens");
    let close = rest[open..].find('}').expect("table closes") + open;
    rest[open + 1..close]
        .split([',', '\n'])
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// Checks the runtime's default, integer, minimum and maximum tables against
/// `settings` (numbers compared as numbers, booleans and strings as text).
fn assert_tables_match(
    settings: &[Setting],
    defaults: &BTreeMap<String, String>,
    integers: &BTreeMap<String, String>,
    minimums: &BTreeMap<String, String>,
    maximums: &BTreeMap<String, String>,
) {
    let mut names: Vec<&str> = settings.iter().map(|s| s.name).collect();
    names.sort_unstable();
    assert_eq!(
        defaults.keys().map(String::as_str).collect::<Vec<_>>(),
        names,
        "the runtime's setting names differ from the table"
    );
    for setting in settings {
        let luau = &defaults[setting.name];
        match setting.default {
            SettingValue::Number(default) => {
                assert_eq!(
                    luau.parse::<f64>().unwrap(),
                    default,
                    "default of {}",
                    setting.name
                )
            }
            SettingValue::Bool(default) => {
                assert_eq!(luau, &default.to_string(), "default of {}", setting.name)
            }
            SettingValue::Str(default) => {
                assert_eq!(
                    luau,
                    &format!("\"{default}\""),
                    "default of {}",
                    setting.name
                )
            }
        }
        assert_eq!(
            integers.contains_key(setting.name),
            setting.kind == SettingKind::Integer,
            "integer kind of {}",
            setting.name
        );
        let numeric = matches!(setting.kind, SettingKind::Integer | SettingKind::Number);
        let min = minimums
            .get(setting.name)
            .map(|v| v.parse::<f64>().unwrap())
            .or(numeric.then_some(0.0));
        assert_eq!(min, setting.min, "minimum of {}", setting.name);
        let max = maximums
            .get(setting.name)
            .map(|v| v.parse::<f64>().unwrap());
        assert_eq!(max, setting.max, "maximum of {}", setting.name);
    }
}

#[test]
fn ordered_index_settings_match_the_settings_table() {
    assert_tables_match(
        ORDERED_INDEX_SETTINGS,
        &table_after(ORDERED, "OrderedIndex.Defaults = table.freeze("),
        &table_after(ORDERED, "local INTEGER_SETTINGS: { [string]: boolean } ="),
        &table_after(ORDERED, "local SETTING_MIN: { [string]: number } ="),
        &table_after(ORDERED, "local SETTING_MAX: { [string]: number } ="),
    );
}

#[test]
fn store_settings_match_the_settings_table() {
    assert_tables_match(
        STORE_SETTINGS,
        &table_after(STORE, "Settings.Defaults = table.freeze("),
        &table_after(STORE, "Settings.Integer = table.freeze("),
        &table_after(STORE, "Settings.Minimum = table.freeze("),
        &table_after(STORE, "Settings.Maximum = table.freeze("),
    );
}
