//! The Luau OrderedIndex accepts exactly the OrderedIndex settings the
//! toolchain lists (`src/core/settings.rs`): same names, defaults, integer
//! kinds and bounds, so `vstore check` and the runtime agree.

use std::collections::BTreeMap;

use vstore::core::settings::{SettingKind, SettingValue, ORDERED_INDEX_SETTINGS};

const SOURCE: &str = include_str!("../templates/runtime/OrderedIndex.luau");

/// `Name = value` pairs of the table literal that follows `marker`.
fn table_after(marker: &str) -> BTreeMap<String, String> {
    let start = SOURCE
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not found in OrderedIndex.luau"));
    let rest = &SOURCE[start + marker.len()..];
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

#[test]
fn ordered_index_defaults_match_the_settings_table() {
    let defaults = table_after("OrderedIndex.Defaults = table.freeze(");
    let integers = table_after("local INTEGER_SETTINGS: { [string]: boolean } =");
    let minimums = table_after("local SETTING_MIN: { [string]: number } =");
    let maximums = table_after("local SETTING_MAX: { [string]: number } =");
    let names: Vec<&str> = ORDERED_INDEX_SETTINGS.iter().map(|s| s.name).collect();
    assert_eq!(
        defaults.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted
        },
        "the runtime's OrderedIndex setting names differ from the table"
    );
    for setting in ORDERED_INDEX_SETTINGS {
        let SettingValue::Number(default) = setting.default else {
            panic!("{} is not numeric", setting.name);
        };
        let luau: f64 = defaults[setting.name].parse().unwrap();
        assert_eq!(luau, default, "default of {}", setting.name);
        assert_eq!(
            integers.contains_key(setting.name),
            setting.kind == SettingKind::Integer,
            "integer kind of {}",
            setting.name
        );
        let min = minimums
            .get(setting.name)
            .map_or(0.0, |v| v.parse::<f64>().unwrap());
        assert_eq!(Some(min), setting.min, "minimum of {}", setting.name);
        let max = maximums
            .get(setting.name)
            .map(|v| v.parse::<f64>().unwrap());
        assert_eq!(max, setting.max, "maximum of {}", setting.name);
    }
}
