//! The runtime and `vstore check` give the same answer for every setting: a
//! Store or OrderedIndex built in the simulator with one written setting is
//! accepted exactly when `core::settings::validate` accepts that setting
//! (bounds, whole numbers, choices, types, unknown names and the
//! cross-setting rules on the resolved values), and a broken rule raises the
//! message the rule itself defines. The cases are derived from the `core`
//! tables, so a new setting or a changed bound is covered without an edit.

use crate::cli_support;

use std::fmt::Write as _;

use cli_support::{vstore, Mutant};
use vstore::core::settings::{
    validate, Input, Problem, SettingKind, SettingValue, SettingsTable, ORDERED_INDEX, STORE,
};

/// One written value, as Luau source and as the checker's input.
#[derive(Clone)]
struct Written {
    luau: String,
    input: Input<'static>,
}

fn number(n: f64) -> Written {
    let input = if n.fract() == 0.0 && n.abs() < 1e15 {
        Input::Int(n as i64)
    } else {
        Input::Float(n)
    };
    Written {
        luau: format!("{n}"),
        input,
    }
}

fn text(s: &'static str) -> Written {
    Written {
        luau: format!("{s:?}"),
        input: Input::Str(s),
    }
}

fn boolean(b: bool) -> Written {
    Written {
        luau: b.to_string(),
        input: Input::Bool(b),
    }
}

/// Values around each setting's default and bounds, and one of the wrong kind.
fn probes(table: &SettingsTable) -> Vec<(&'static str, Written)> {
    let mut out = Vec::new();
    for s in table.settings {
        let mut values = Vec::new();
        match (s.kind, s.default) {
            (SettingKind::Boolean, SettingValue::Bool(b)) => {
                values.extend([boolean(b), boolean(!b), number(1.0)]);
            }
            (SettingKind::Choice(choices), _) => {
                values.extend(choices.iter().map(|c| text(c)));
                values.extend([text("Sometimes"), number(1.0)]);
            }
            (kind, SettingValue::Number(default)) => {
                let step = if kind == SettingKind::Integer {
                    1.0
                } else {
                    0.001
                };
                values.extend([number(default), text("5")]);
                if let Some(min) = s.min {
                    values.extend([number(min), number(min - step), number(min + 0.5)]);
                }
                if let Some(max) = s.max {
                    values.extend([number(max), number(max + step)]);
                }
            }
            _ => unreachable!("{} has a default of another kind", s.name),
        }
        out.extend(values.into_iter().map(|v| (s.name, v)));
    }
    out.push(("NoSuchSetting", number(1.0)));
    out
}

/// The probes of one table plus, per rule, one pair of values that breaks it.
fn cases(table: &SettingsTable) -> Vec<Vec<(&'static str, Written)>> {
    let mut out: Vec<_> = probes(table).into_iter().map(|p| vec![p]).collect();
    for rule in table.rules {
        let other = match table.get(rule.other).map(|s| s.default) {
            Some(SettingValue::Number(n)) => n,
            _ => unreachable!(),
        };
        out.push(vec![
            (rule.other, number(other)),
            (rule.setting, number(rule.factor * other - 1.0)),
        ]);
    }
    out
}

/// A spec with one `it` per case: the object is built, and the outcome is
/// compared with the checker's (`accepted`, or the rule message expected).
fn spec(tables: &[(&str, &SettingsTable)]) -> (String, usize) {
    let mut s = String::from(
        "--!strict
local VirtualStore = require(game:GetService(\"ServerScriptService\").VirtualStore)

local function build(kind: string, settings: any)
	if kind == \"Store\" then
		return VirtualStore.new({
			Name = \"Settings\",
			Template = {},
			Adapter = VirtualStore.MemoryAdapter.new(),
			Settings = settings,
		})
	end
	return VirtualStore.OrderedIndex.new({
		Name = \"Settings\",
		Adapter = VirtualStore.OrderedIndex.MemoryAdapter.new(),
		Settings = settings,
	})
end

local function case(kind: string, label: string, settings: any, accepted: boolean, message: string?)
	it(kind .. \" \" .. label, function()
		local ok, err = pcall(build, kind, settings)
		if accepted then
			assert(ok, string.format(\"vstore check accepts %s but the runtime raised: %s\", label, tostring(err)))
		else
			assert(not ok, string.format(\"vstore check rejects %s but the runtime accepted it\", label))
			if message then
				assert(string.find(tostring(err), message, 1, true), string.format(\"expected %q in %q\", message, tostring(err)))
			end
		end
	end)
end

describe(\"settings agree with vstore check\", function()
",
    );
    let mut count = 0;
    for (kind, table) in tables {
        for case in cases(table) {
            let inputs: Vec<(&str, Input)> = case.iter().map(|(n, w)| (*n, w.input)).collect();
            let checked = validate(table, &inputs);
            let message = checked.findings.iter().find_map(|f| match &f.problem {
                Problem::Rule { rule, value, other } => Some(rule.message(*value, *other)),
                _ => None,
            });
            let written: Vec<String> = case
                .iter()
                .map(|(n, w)| format!("{n} = {}", w.luau))
                .collect();
            let literal = format!("{{ {} }}", written.join(", "));
            let _ = writeln!(
                s,
                "\tcase({kind:?}, {label:?}, {literal}, {accepted}, {message})",
                label = written.join(", "),
                accepted = checked.findings.is_empty(),
                message = message.map_or("nil".to_string(), |m| format!("{m:?}")),
            );
            count += 1;
        }
    }
    s.push_str("end)\n");
    (s, count)
}

fn run(runtime: &str, label: &str) -> (bool, String, usize) {
    let dir = std::env::temp_dir().join(format!("vstore-settings-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (source, count) = spec(&[("Store", &STORE), ("OrderedIndex", &ORDERED_INDEX)]);
    std::fs::write(dir.join("settings.spec.luau"), source).unwrap();
    let (ok, text) = vstore(&[
        "test",
        "--runtime",
        runtime,
        "--specs",
        dir.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    (ok, text, count)
}

#[test]
fn the_runtime_accepts_exactly_the_settings_vstore_check_accepts() {
    let (ok, text, count) = run("templates/runtime", "real");
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("{count} passed, 0 failed")),
        "every case runs once:\n{text}"
    );
    assert!(count > 150, "only {count} cases");
}

#[test]
fn a_runtime_that_drops_a_rule_fails_the_comparison() {
    let mutant = Mutant::new(
        "no-rules",
        "Settings.luau",
        "\tfor _, rule in kind.Rules do",
        "\tfor _, rule in {} :: { SettingRule } do",
    );
    let (ok, text, _) = run(mutant.path(), "mutant");
    assert!(!ok, "{text}");
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.iter().any(|l| l.contains("LeaseTimeout = 119")),
        "{text}"
    );
}
