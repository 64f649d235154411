//! Every VirtualStore setting, its default and its constraints, the rules that
//! relate two settings, and the record format and Roblox limits, exactly as the
//! spec lists them. `vstore check` validates `settings = {...}` with
//! [`validate`]; codegen emits these tables into the runtime's `Constants.luau`,
//! whose generic resolver enforces the same bounds and rules; the simulator
//! reads the defaults. Nothing here knows about spans, files or Luau text.

use std::collections::BTreeMap;

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
/// The deepest nesting of tables a DataStore value may have below its
/// outermost table. The simulator refuses deeper values; `vstore check` takes
/// the stricter reading and counts the outermost table too
/// (docs/simulator.md).
pub const ROBLOX_MAX_VALUE_DEPTH: usize = 100;
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

/// How a server tells the others it is alive (`ServerLiveness`).
pub const SERVER_LIVENESS_MODES: &[&str] = &["MemoryStore", "Off"];

/// The MemoryStoreService hash map that holds one liveness entry per server,
/// keyed by JobId (docs/runtime.md, "Server liveness"). The simulator's
/// live-lease oracle reads the same map.
pub const LIVENESS_MAP: &str = "VirtualStore/Liveness";

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
    Setting {
        name: "LeaseWaitLimit",
        scope: SettingScope::Store,
        kind: SettingKind::Number,
        default: SettingValue::Number(180.0),
        min: Some(0.0),
        max: Some(600.0),
        doc: "How far past an open's start a player join keeps waiting for a foreign lease to expire instead of failing at OpenTimeout; zero disables.",
    },
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
    Setting {
        name: "ServerLiveness",
        scope: SettingScope::Store,
        kind: SettingKind::Choice(SERVER_LIVENESS_MODES),
        default: SettingValue::Str("MemoryStore"),
        min: None,
        max: None,
        doc: "How servers tell each other they are alive: a MemoryStore entry per server lets a join claim a crashed server's lease at once; Off waits for lease expiry.",
    },
    Setting {
        name: "LivenessTimeout",
        scope: SettingScope::Store,
        kind: SettingKind::Number,
        default: SettingValue::Number(30.0),
        min: Some(10.0),
        max: Some(120.0),
        doc: "Seconds a server's liveness entry outlives its last refresh (refreshed every third of it); a lease whose owner's entry has lapsed may be claimed.",
    },
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

/// How a cross-setting rule relates its setting to the other one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `setting > factor x other`.
    Above,
    /// `setting >= factor x other`.
    AtLeast,
}

/// A rule between two settings of one table, checked on the resolved values
/// (defaults fill the settings a project leaves out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettingRule {
    pub setting: &'static str,
    pub relation: Relation,
    pub factor: f64,
    pub other: &'static str,
    /// What goes wrong when the rule is broken (the diagnostic's label).
    pub consequence: &'static str,
    /// What to do; `{limit}` stands for `factor x other`.
    pub help: &'static str,
}

impl SettingRule {
    pub fn holds(&self, value: f64, other: f64) -> bool {
        match self.relation {
            Relation::Above => value > self.factor * other,
            Relation::AtLeast => value >= self.factor * other,
        }
    }

    /// The message with `{value}` and `{other}` standing for the two values,
    /// so the toolchain and the runtime fill in one text.
    pub fn message_template(&self) -> String {
        let verb = match self.relation {
            Relation::Above => "must exceed",
            Relation::AtLeast => "must not be below",
        };
        let scaled = if self.factor == 1.0 {
            String::new()
        } else {
            format!("{} x ", self.factor)
        };
        format!(
            "{} ({{value}}) {verb} {scaled}{} ({{other}})",
            self.setting, self.other
        )
    }

    pub fn message(&self, value: f64, other: f64) -> String {
        self.message_template()
            .replace("{value}", &value.to_string())
            .replace("{other}", &other.to_string())
    }

    pub fn help_for(&self, other: f64) -> String {
        self.help
            .replace("{limit}", &(self.factor * other).to_string())
    }
}

/// The rules between Store settings (spec "Settings": "Keep LeaseTimeout
/// greater than twice AutoSaveInterval"; receipts pruned before their dedupe
/// tombstones would let a retried operation apply twice).
pub const STORE_RULES: &[SettingRule] = &[
    SettingRule {
        setting: "LeaseTimeout",
        relation: Relation::Above,
        factor: 2.0,
        other: "AutoSaveInterval",
        consequence: "lease would expire between autosaves",
        help: "raise LeaseTimeout above {limit} or lower AutoSaveInterval",
    },
    SettingRule {
        setting: "OperationDedupeLimit",
        relation: Relation::AtLeast,
        factor: 1.0,
        other: "OperationReceiptLimit",
        consequence: "pruned receipts would lose their tombstones",
        help: "keep OperationDedupeLimit at least as large as OperationReceiptLimit",
    },
];

/// One settings table with its rules: what a `Settings = {...}` of one kind
/// of object accepts.
#[derive(Debug, Clone, Copy)]
pub struct SettingsTable {
    pub scope: SettingScope,
    pub settings: &'static [Setting],
    pub rules: &'static [SettingRule],
}

pub const STORE: SettingsTable = SettingsTable {
    scope: SettingScope::Store,
    settings: STORE_SETTINGS,
    rules: STORE_RULES,
};

pub const ORDERED_INDEX: SettingsTable = SettingsTable {
    scope: SettingScope::OrderedIndex,
    settings: ORDERED_INDEX_SETTINGS,
    rules: &[],
};

impl SettingsTable {
    pub fn get(&self, name: &str) -> Option<&'static Setting> {
        self.settings.iter().find(|s| s.name == name)
    }
}

impl SettingKind {
    /// The accepted kind of value, as a message names it.
    pub fn expected(&self) -> &'static str {
        match self {
            SettingKind::Boolean => "a boolean",
            SettingKind::Integer => "a whole number",
            SettingKind::Number => "a finite number",
            SettingKind::Choice(_) => "a string",
        }
    }
}

impl Setting {
    /// The accepted range as a message names it, or `None` without bounds.
    pub fn range(&self) -> Option<String> {
        range_text(self.min, self.max)
    }
}

/// `between a and b`, `at least a` or `at most b`.
pub fn range_text(min: Option<f64>, max: Option<f64>) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) => Some(format!("between {a} and {b}")),
        (Some(a), None) => Some(format!("at least {a}")),
        (None, Some(b)) => Some(format!("at most {b}")),
        (None, None) => None,
    }
}

/// One written setting value, without its position in the user's file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    /// A table, date or anything else no setting accepts.
    Other,
}

/// Why a written setting, or a pair of them, is rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The name is not in the table.
    Unknown,
    /// The value has the wrong kind (`expected` as [`SettingKind::expected`]).
    WrongType { expected: &'static str },
    /// A string that is not one of the setting's choices.
    NotAChoice { choices: &'static [&'static str] },
    /// A number outside the setting's bounds.
    OutOfRange { value: f64, range: String },
    /// A cross-setting rule does not hold on the resolved values.
    Rule {
        rule: &'static SettingRule,
        value: f64,
        other: f64,
    },
}

/// A problem and the written entry it belongs to: the entry's index in the
/// input, or `None` when a rule is broken by defaults alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub entry: Option<usize>,
    pub problem: Problem,
}

/// The accepted values (explicit settings only) and every problem found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validated {
    pub values: BTreeMap<String, serde_json::Value>,
    pub findings: Vec<Finding>,
}

/// One value checked against its definition: kind, choices and bounds.
pub fn check_value(def: &Setting, input: Input) -> Result<serde_json::Value, Problem> {
    let value = match (def.kind, input) {
        (SettingKind::Boolean, Input::Bool(b)) => serde_json::Value::Bool(b),
        (SettingKind::Integer | SettingKind::Number, Input::Int(i)) => serde_json::Value::from(i),
        (SettingKind::Number, Input::Float(f)) if f.is_finite() => serde_json::Value::from(f),
        (SettingKind::Choice(choices), Input::Str(s)) => {
            if !choices.contains(&s) {
                return Err(Problem::NotAChoice { choices });
            }
            serde_json::Value::String(s.to_string())
        }
        (kind, _) => {
            return Err(Problem::WrongType {
                expected: kind.expected(),
            })
        }
    };
    if let Some(n) = value.as_f64() {
        let below = def.min.is_some_and(|m| n < m);
        let above = def.max.is_some_and(|m| n > m);
        if below || above {
            return Err(Problem::OutOfRange {
                value: n,
                range: def.range().unwrap_or_default(),
            });
        }
    }
    Ok(value)
}

/// Checks every written setting of one table, then the table's rules on the
/// resolved values. A rule's finding points at the first of its two settings
/// that was written.
pub fn validate(table: &SettingsTable, entries: &[(&str, Input)]) -> Validated {
    let mut out = Validated::default();
    for (index, (name, input)) in entries.iter().enumerate() {
        let result = match table.get(name) {
            None => Err(Problem::Unknown),
            Some(def) => check_value(def, *input),
        };
        match result {
            Ok(value) => {
                out.values.insert(name.to_string(), value);
            }
            Err(problem) => out.findings.push(Finding {
                entry: Some(index),
                problem,
            }),
        }
    }
    let resolved = |name: &str| -> f64 {
        out.values
            .get(name)
            .and_then(serde_json::Value::as_f64)
            .or_else(|| match table.get(name).map(|s| s.default) {
                Some(SettingValue::Number(n)) => Some(n),
                _ => None,
            })
            .unwrap_or(f64::NAN)
    };
    let mut broken = Vec::new();
    for rule in table.rules {
        let (value, other) = (resolved(rule.setting), resolved(rule.other));
        if !rule.holds(value, other) {
            let entry = [rule.setting, rule.other]
                .iter()
                .find_map(|n| entries.iter().position(|(name, _)| name == n));
            broken.push(Finding {
                entry,
                problem: Problem::Rule { rule, value, other },
            });
        }
    }
    out.findings.extend(broken);
    out
}

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

    fn problems(table: &SettingsTable, entries: &[(&str, Input)]) -> Vec<Finding> {
        validate(table, entries).findings
    }

    #[test]
    fn every_rule_names_two_numeric_settings_of_its_table_and_holds_on_the_defaults() {
        for table in [STORE, ORDERED_INDEX] {
            for rule in table.rules {
                for name in [rule.setting, rule.other] {
                    let def = table
                        .get(name)
                        .unwrap_or_else(|| panic!("{name} is not in the table"));
                    assert!(matches!(def.default, SettingValue::Number(_)), "{name}");
                }
            }
            assert_eq!(problems(&table, &[]), vec![], "the defaults break a rule");
        }
    }

    #[test]
    fn a_rule_broken_by_one_written_value_points_at_that_value() {
        let found = problems(&STORE, &[("AutoSaveInterval", Input::Int(120))]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].entry, Some(0));
        let Problem::Rule { rule, value, other } = &found[0].problem else {
            panic!("{found:?}")
        };
        assert_eq!(
            rule.message(*value, *other),
            "LeaseTimeout (180) must exceed 2 x AutoSaveInterval (120)"
        );
        assert_eq!(
            rule.help_for(*other),
            "raise LeaseTimeout above 240 or lower AutoSaveInterval"
        );
        // The boundary itself is broken: the lease must outlive two intervals.
        assert_eq!(
            problems(&STORE, &[("AutoSaveInterval", Input::Int(90))]).len(),
            1
        );
        assert!(problems(&STORE, &[("AutoSaveInterval", Input::Float(89.5))]).is_empty());
    }

    #[test]
    fn a_rule_points_at_its_own_setting_before_the_other() {
        let found = problems(
            &STORE,
            &[
                ("OperationReceiptLimit", Input::Int(10)),
                ("OperationDedupeLimit", Input::Int(5)),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].entry, Some(1));
        let Problem::Rule { rule, value, other } = &found[0].problem else {
            panic!("{found:?}")
        };
        assert_eq!(
            rule.message(*value, *other),
            "OperationDedupeLimit (5) must not be below OperationReceiptLimit (10)"
        );
        // Equal limits are allowed.
        assert!(problems(
            &STORE,
            &[
                ("OperationReceiptLimit", Input::Int(10)),
                ("OperationDedupeLimit", Input::Int(10)),
            ]
        )
        .is_empty());
    }

    #[test]
    fn values_are_checked_for_kind_choice_and_bounds() {
        let one = |name: &str, input: Input| {
            let found = problems(&STORE, &[(name, input)]);
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            found[0].problem.clone()
        };
        assert_eq!(one("AutoSaveIntervall", Input::Int(5)), Problem::Unknown);
        assert_eq!(
            one("AuditLogLimit", Input::Float(2.5)),
            Problem::WrongType {
                expected: "a whole number"
            }
        );
        assert_eq!(
            one("AutoSaveInterval", Input::Float(f64::INFINITY)),
            Problem::WrongType {
                expected: "a finite number"
            }
        );
        assert_eq!(
            one("StrictData", Input::Str("yes")),
            Problem::WrongType {
                expected: "a boolean"
            }
        );
        assert_eq!(
            one("UnknownOperationPolicy", Input::Str("Ignore")),
            Problem::NotAChoice {
                choices: UNKNOWN_OPERATION_POLICIES
            }
        );
        assert_eq!(
            one("MaxDataBytes", Input::Int(5_000_000)),
            Problem::OutOfRange {
                value: 5_000_000.0,
                range: "between 1 and 4194303".into()
            }
        );
        assert_eq!(
            one("AutoSaveCheckInterval", Input::Float(0.01)),
            Problem::OutOfRange {
                value: 0.01,
                range: "at least 0.05".into()
            }
        );
        let ok = validate(
            &STORE,
            &[
                ("StrictData", Input::Bool(true)),
                ("AutoSaveInterval", Input::Float(30.5)),
                ("UnknownOperationPolicy", Input::Str("Fail")),
            ],
        );
        assert!(ok.findings.is_empty(), "{:?}", ok.findings);
        assert_eq!(ok.values["AutoSaveInterval"], serde_json::json!(30.5));
        assert_eq!(ok.values.len(), 3);
    }

    #[test]
    fn ordered_index_settings_have_their_own_table() {
        assert_eq!(
            problems(&ORDERED_INDEX, &[("LeaseTimeout", Input::Int(5))])[0].problem,
            Problem::Unknown
        );
        assert_eq!(
            problems(&ORDERED_INDEX, &[("DefaultPageSize", Input::Int(101))])[0].problem,
            Problem::OutOfRange {
                value: 101.0,
                range: "between 1 and 100".into()
            }
        );
    }
}
