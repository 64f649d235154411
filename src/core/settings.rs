//! Every VirtualStore setting, its default and its constraints, exactly as the
//! spec lists them. `vstore check` validates `settings = {...}` against this
//! table; codegen emits the defaults into Luau; the simulator reads them.

/// The type a setting accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingKind {
    /// Seconds or counts that may be fractional.
    Number,
    /// Whole counts.
    Integer,
    Boolean,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
}

/// A default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingValue {
    Number(f64),
    Bool(bool),
    Str(&'static str),
}

/// Where a setting applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingScope {
    Store,
    OrderedIndex,
}

#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub scope: SettingScope,
    pub kind: SettingKind,
    pub default: SettingValue,
    /// Smallest accepted value (inclusive) for numbers.
    pub min: Option<f64>,
    /// Largest accepted value (inclusive) for numbers.
    pub max: Option<f64>,
    pub doc: &'static str,
}

/// Roblox's value limit in characters of JSON (error 105).
pub const ROBLOX_MAX_VALUE_CHARS: usize = 4_194_304;
/// Roblox's key / store name / scope limit (error 102).
pub const ROBLOX_MAX_KEY_CHARS: usize = 50;
/// The record envelope's format marker written into every record.
pub const FORMAT_MARKER: &str = "VirtualStore";
/// Version of the record envelope layout.
pub const FORMAT_VERSION: i64 = 1;

const fn num(name: &'static str, default: f64, min: f64, doc: &'static str) -> Setting {
    Setting {
        name,
        scope: SettingScope::Store,
        kind: SettingKind::Number,
        default: SettingValue::Number(default),
        min: Some(min),
        max: None,
        doc,
    }
}
const fn int(name: &'static str, default: f64, min: f64, doc: &'static str) -> Setting {
    Setting {
        name,
        scope: SettingScope::Store,
        kind: SettingKind::Integer,
        default: SettingValue::Number(default),
        min: Some(min),
        max: None,
        doc,
    }
}
const fn flag(name: &'static str, default: bool, doc: &'static str) -> Setting {
    Setting {
        name,
        scope: SettingScope::Store,
        kind: SettingKind::Boolean,
        default: SettingValue::Bool(default),
        min: None,
        max: None,
        doc,
    }
}
const fn ordered(mut s: Setting) -> Setting {
    s.scope = SettingScope::OrderedIndex;
    s
}

pub const UNKNOWN_OPERATION_POLICIES: &[&str] = &["Retry", "Cancel", "Fail"];

/// Store and Session settings (spec "Settings", first group).
pub const STORE_SETTINGS: &[Setting] = &[
    num(
        "AutoSaveInterval",
        60.0,
        1.0,
        "Target seconds between routine session saves.",
    ),
    num(
        "AutoSaveCheckInterval",
        1.0,
        0.05,
        "How often the scheduler checks for due sessions.",
    ),
    int(
        "AutoSaveConcurrency",
        2.0,
        1.0,
        "Maximum simultaneous autosaves.",
    ),
    num(
        "AutoSaveRetryInterval",
        10.0,
        0.05,
        "How quickly failed autosaves become due again.",
    ),
    num(
        "LeaseTimeout",
        180.0,
        1.0,
        "How long ownership survives without renewal; must exceed two autosave intervals.",
    ),
    num(
        "OpenTimeout",
        20.0,
        0.0,
        "Maximum time an open waits for an active lease or storage progress.",
    ),
    int(
        "RetryAttempts",
        5.0,
        1.0,
        "Bounded adapter request attempts before failure.",
    ),
    num(
        "BudgetTimeout",
        10.0,
        0.0,
        "Maximum wait for the correct Roblox request budget.",
    ),
    num(
        "BudgetPollInterval",
        0.25,
        0.01,
        "Budget availability check frequency while waiting.",
    ),
    num(
        "CloseTimeout",
        25.0,
        0.0,
        "Total bounded shutdown window for retrying final releases.",
    ),
    num(
        "CloseRetryInterval",
        1.0,
        0.0,
        "Delay between failed shutdown release attempts.",
    ),
    int(
        "CloseConcurrency",
        10.0,
        1.0,
        "Maximum simultaneous shutdown releases.",
    ),
    int(
        "OperationProcessLimit",
        50.0,
        1.0,
        "Maximum pending operations processed in one pass.",
    ),
    int(
        "PendingOperationLimit",
        1000.0,
        1.0,
        "Maximum pending operations one record holds; queueing more fails with OperationQueueFull.",
    ),
    int(
        "MaxOperationAttempts",
        10.0,
        1.0,
        "Retry ceiling before pending work becomes a terminal Failed receipt.",
    ),
    num(
        "OperationTTL",
        0.0,
        0.0,
        "Maximum pending age in seconds; zero disables expiry.",
    ),
    Setting {
        name: "UnknownOperationPolicy",
        scope: SettingScope::Store,
        kind: SettingKind::Choice(UNKNOWN_OPERATION_POLICIES),
        default: SettingValue::Str("Retry"),
        min: None,
        max: None,
        doc: "Whether missing handlers retry, cancel or immediately fail.",
    },
    int(
        "OperationReceiptLimit",
        500.0,
        1.0,
        "Retained full result/error receipts.",
    ),
    int(
        "OperationDedupeLimit",
        5000.0,
        1.0,
        "Retained completed-ID tombstones after receipt pruning.",
    ),
    int(
        "DeadLetterLimit",
        100.0,
        1.0,
        "Retained terminal failure details.",
    ),
    int(
        "DeadLetterPayloadMaxBytes",
        8192.0,
        0.0,
        "Maximum payload bytes copied into one dead letter.",
    ),
    int(
        "WriteReceiptLimit",
        20.0,
        1.0,
        "Recent commit-token receipts retained for ambiguous responses.",
    ),
    Setting {
        name: "MaxDataBytes",
        scope: SettingScope::Store,
        kind: SettingKind::Integer,
        default: SettingValue::Number(3_800_000.0),
        min: Some(1.0),
        max: Some((ROBLOX_MAX_VALUE_CHARS - 1) as f64),
        doc: "Rejects records before approaching Roblox's storage limit.",
    },
    flag("StrictData", false, "Makes public Session data read-only."),
    flag(
        "TrackChangeDetails",
        false,
        "Includes old/new detail in change events and diffs.",
    ),
    int(
        "AuditLogLimit",
        0.0,
        0.0,
        "Retains recent local audit entries; zero disables.",
    ),
    int(
        "CriticalErrorThreshold",
        5.0,
        1.0,
        "Recent issue count required to enter critical state.",
    ),
    num(
        "CriticalWindow",
        120.0,
        0.0,
        "Seconds used when counting recent issues.",
    ),
    num(
        "CriticalRecovery",
        60.0,
        0.0,
        "Healthy time required before leaving critical state.",
    ),
    flag(
        "EnableMessaging",
        true,
        "Enables optional handoff and operation notifications.",
    ),
    flag(
        "AutoReleaseOnHandoff",
        true,
        "Lets a current owner release sooner after a waiting-server hint.",
    ),
];

/// OrderedIndex settings (spec "Settings", second group).
pub const ORDERED_INDEX_SETTINGS: &[Setting] = &[
    ordered(int(
        "RetryAttempts",
        5.0,
        1.0,
        "Bounded OrderedDataStore request attempts.",
    )),
    ordered(num(
        "RetryDelay",
        0.5,
        0.0,
        "Delay between failed projection or query attempts.",
    )),
    ordered(num(
        "RetryBackoff",
        2.0,
        1.0,
        "Exponential multiplier between failed attempts.",
    )),
    ordered(num(
        "BudgetTimeout",
        10.0,
        0.0,
        "Maximum wait for ordered request budget.",
    )),
    Setting {
        name: "DefaultPageSize",
        scope: SettingScope::OrderedIndex,
        kind: SettingKind::Integer,
        default: SettingValue::Number(50.0),
        min: Some(1.0),
        max: Some(100.0),
        doc: "Sorted page size when a query does not specify one.",
    },
    ordered(int(
        "MaxQueryEntries",
        1000.0,
        1.0,
        "Hard ceiling for one top query or rank scan.",
    )),
    ordered(int(
        "MaxRankScan",
        1000.0,
        1.0,
        "Default entries scanned while searching for a rank.",
    )),
    ordered(num(
        "CacheTTL",
        0.0,
        0.0,
        "Local sorted-query cache duration; zero disables.",
    )),
];

/// Looks a Store setting up by its exact name.
pub fn store_setting(name: &str) -> Option<&'static Setting> {
    STORE_SETTINGS.iter().find(|s| s.name == name)
}

/// The default of a numeric Store setting (panics only on a name typo in our own code).
pub fn store_default_number(name: &str) -> f64 {
    match store_setting(name).map(|s| s.default) {
        Some(SettingValue::Number(n)) => n,
        _ => unreachable!("{name} is not a numeric store setting"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_defaults_are_kept_name_for_name() {
        assert_eq!(STORE_SETTINGS.len(), 31);
        assert_eq!(store_default_number("AutoSaveInterval"), 60.0);
        assert_eq!(store_default_number("LeaseTimeout"), 180.0);
        assert_eq!(store_default_number("MaxDataBytes"), 3_800_000.0);
        assert_eq!(store_default_number("BudgetPollInterval"), 0.25);
        assert!(
            store_default_number("LeaseTimeout") > 2.0 * store_default_number("AutoSaveInterval")
        );
    }
}
