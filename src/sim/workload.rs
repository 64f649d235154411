//! The game's own load and checks for `vstore sim`: a workload
//! (`sim/NAME.workload.luau`, chosen with `--workload NAME`) that every
//! simulated player performs from their client VM, and the invariants
//! (`sim/*.invariant.luau`, all of them) that the stored records must keep.
//!
//! Invariants run in a Luau VM of their own, never in a VM of the game under
//! test, over records the DataStore backend holds, decoded by
//! `crate::core::envelope`: the Luau under test never reads them for the
//! oracle. The scenario (`scenario.rs`) calls [`Workload::client_source`]
//! when a player's client VM starts and [`Invariants::check`] at every
//! checkpoint and after the run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::rc::Rc;

use mlua::{Function, Lua, Table, Value as LuaValue};
use serde_json::Value;

use super::json::{to_json, to_lua};
use super::scenario::Violation;
use super::world::World;
use crate::core::envelope::Envelope;

/// The folder, beside `virtualstore.toml`, holding workloads and invariants.
pub const FOLDER: &str = "sim";
const WORKLOAD_SUFFIX: &str = ".workload.luau";
const INVARIANT_SUFFIX: &str = ".invariant.luau";
const DRIVER: &str = include_str!("workload.luau");

/// Virtual seconds between two invariant checkpoints during a run.
pub const CHECKPOINT_INTERVAL: f64 = 60.0;

/// A Luau file of the project: its name (the file name without the suffix),
/// its path for messages, and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct GameFile {
    pub name: String,
    pub shown: String,
    pub source: String,
}

/// The game's part of a simulation: its workload, if one is chosen, and its
/// invariants.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GameSim {
    pub workload: Option<Workload>,
    pub invariants: Invariants,
}

/// `sim/NAME.workload.luau`.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub file: GameFile,
}

/// Every `sim/*.invariant.luau`, in file name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Invariants {
    pub files: Vec<GameFile>,
}

fn read_dir(project: &Path, suffix: &str) -> Result<Vec<GameFile>, String> {
    let dir = project.join(FOLDER);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(name) = file_name.strip_suffix(suffix) else {
            continue;
        };
        let path = entry.path();
        let source = crate::schema::load::read_regular(&path)
            .map_err(|e| format!("{FOLDER}/{file_name}: {}", e.describe()))?;
        files.push(GameFile {
            name: name.to_string(),
            shown: format!("{FOLDER}/{file_name}"),
            source,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

impl GameSim {
    /// Loads the invariants of `project` and, when `workload` names one, its
    /// workload; an unknown workload name lists the ones there are.
    pub fn load(project: &Path, workload: Option<&str>) -> Result<GameSim, String> {
        let invariants = Invariants {
            files: read_dir(project, INVARIANT_SUFFIX)?,
        };
        let workload = match workload {
            None => None,
            Some(name) => {
                let all = read_dir(project, WORKLOAD_SUFFIX)?;
                let names: Vec<String> = all.iter().map(|f| f.name.clone()).collect();
                let Some(file) = all.into_iter().find(|f| f.name == name) else {
                    return Err(if names.is_empty() {
                        format!("no workload `{name}`: the project has no {FOLDER}/*{WORKLOAD_SUFFIX} files")
                    } else {
                        format!(
                            "no workload `{name}` ({FOLDER}/{name}{WORKLOAD_SUFFIX}); the project has: {}",
                            names.join(", ")
                        )
                    });
                };
                Some(Workload { file })
            }
        };
        Ok(GameSim {
            workload,
            invariants,
        })
    }
}

impl Workload {
    /// The chunk a client VM runs to start performing the workload.
    pub fn client_source(&self) -> String {
        format!(
            "local WORKLOAD = function()\n{}\nend\n{DRIVER}",
            self.file.source
        )
    }
}

/// What the workload's actions did in one run, from the client VMs' reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkloadStats {
    pub name: String,
    /// Client VMs that started the workload.
    pub clients: usize,
    /// Actions performed, by name.
    pub actions: BTreeMap<String, usize>,
    /// Actions that raised (and the workload failing to load), first few.
    pub failures: usize,
    pub first_failures: Vec<String>,
}

impl WorkloadStats {
    /// Counts the workload reports of a run.
    pub fn from_reports(
        name: &str,
        clients: usize,
        reports: &[(f64, String, i64, f64, String)],
    ) -> Self {
        let mut s = WorkloadStats {
            name: name.to_string(),
            clients,
            ..WorkloadStats::default()
        };
        for (_, kind, user, _, detail) in reports {
            match kind.as_str() {
                "action" => *s.actions.entry(detail.clone()).or_default() += 1,
                "workloadFailed" => {
                    s.failures += 1;
                    if s.first_failures.len() < 3 {
                        s.first_failures.push(format!("Player_{user}: {detail}"));
                    }
                }
                _ => {}
            }
        }
        s
    }
}

/// What the invariants checked in one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvariantStats {
    /// Record invariants and store invariants declared.
    pub record: usize,
    pub store: usize,
    /// Checkpoints (the last is the end of the run).
    pub checkpoints: usize,
    /// Record evaluations made (invariants x records x checkpoints).
    pub evaluations: usize,
}

struct Loaded {
    /// (file, invariant name, function)
    record: Vec<(String, String, Function)>,
    store: Vec<(String, String, Function)>,
}

/// The invariants loaded into their own VM for one run.
pub struct InvariantVm {
    lua: Lua,
    loaded: Loaded,
    /// (invariant, key) already reported: a broken record stays broken, and
    /// is reported once, when first seen.
    reported: BTreeSet<(String, String)>,
    pub stats: InvariantStats,
}

fn functions(
    table: &Table,
    field: &str,
    file: &GameFile,
) -> Result<Vec<(String, String, Function)>, String> {
    let mut out = Vec::new();
    match table
        .raw_get::<LuaValue>(field)
        .map_err(|e| e.to_string())?
    {
        LuaValue::Nil => {}
        LuaValue::Table(t) => {
            for pair in t.pairs::<String, LuaValue>() {
                let (name, value) = pair.map_err(|_| {
                    format!(
                        "{}: `{field}` must map invariant names to functions",
                        file.shown
                    )
                })?;
                let LuaValue::Function(f) = value else {
                    return Err(format!(
                        "{}: `{field}.{name}` is not a function",
                        file.shown
                    ));
                };
                out.push((file.shown.clone(), name, f));
            }
        }
        _ => {
            return Err(format!(
                "{}: `{field}` must be a table of functions",
                file.shown
            ))
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

impl Invariants {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Loads every invariant file into a fresh VM. A file must return a table
    /// with `Record` (name -> `function(data, key)`) and/or `Store` (name ->
    /// `function(records)`).
    pub fn start(&self) -> Result<Option<InvariantVm>, String> {
        if self.files.is_empty() {
            return Ok(None);
        }
        let lua = Lua::new();
        let mut loaded = Loaded {
            record: Vec::new(),
            store: Vec::new(),
        };
        for file in &self.files {
            let chunk =
                super::bytecode::load(&lua, file.source.as_bytes(), &format!("@{}", file.shown))
                    .map_err(|e| format!("{}: {e}", file.shown))?;
            let table: Table = chunk.call(()).map_err(|e| format!("{}: {e}", file.shown))?;
            let record = functions(&table, "Record", file)?;
            let store = functions(&table, "Store", file)?;
            if record.is_empty() && store.is_empty() {
                return Err(format!(
                    "{}: return a table with `Record` and/or `Store` invariants",
                    file.shown
                ));
            }
            loaded.record.extend(record);
            loaded.store.extend(store);
        }
        let stats = InvariantStats {
            record: loaded.record.len(),
            store: loaded.store.len(),
            ..InvariantStats::default()
        };
        Ok(Some(InvariantVm {
            lua,
            loaded,
            reported: BTreeSet::new(),
            stats,
        }))
    }
}

/// A violation an invariant returned, in words.
fn describe(value: &Value) -> Option<(Option<String>, String)> {
    match value {
        Value::Null | Value::Bool(true) => None,
        Value::Bool(false) => Some((None, "does not hold".into())),
        Value::String(s) => Some((None, s.clone())),
        Value::Object(o) => {
            let key = o.get("Key").and_then(Value::as_str).map(str::to_string);
            let path = o
                .get("Path")
                .and_then(Value::as_str)
                .unwrap_or("the record");
            let mut text = format!("at {path}");
            if let Some(v) = o.get("Value") {
                text.push_str(&format!(": holds {v}"));
            }
            if let Some(e) = o.get("Expected") {
                let e = match e {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text.push_str(&format!(", expected {e}"));
            }
            if let Some(m) = o.get("Message").and_then(Value::as_str) {
                text.push_str(&format!(" ({m})"));
            }
            Some((key, text))
        }
        other => Some((None, format!("returned {other}"))),
    }
}

impl InvariantVm {
    /// Evaluates every invariant over the records of `store` as the backend
    /// holds them now; returns the violations not reported before.
    pub fn check(&mut self, w: &World, store: &str, at_end: bool) -> Vec<Violation> {
        self.stats.checkpoints += 1;
        let when = if at_end {
            "after the run"
        } else {
            "at a checkpoint"
        };
        let mut records: BTreeMap<String, Value> = BTreeMap::new();
        if let Some(st) = w.backend.find(store, "global", false) {
            for (key, rec) in &w.backend.stores[st].keys {
                if let Some((value, _)) = &rec.current {
                    // an undecodable record is the built-in oracle's finding
                    if let Ok(env) = Envelope::decode(value) {
                        records.insert(key.clone(), env.data);
                    }
                }
            }
        }
        let mut found = Vec::new();
        let mut converted: Vec<(String, LuaValue)> = Vec::new();
        for (key, data) in &records {
            match to_lua(&self.lua, data) {
                Ok(v) => converted.push((key.clone(), v)),
                Err(e) => found.push(Violation::new(
                    "invariant-error",
                    format!("{key}: the record could not be given to the invariants: {e}"),
                )),
            }
        }
        for (file, name, f) in &self.loaded.record {
            for (key, data) in &converted {
                self.stats.evaluations += 1;
                let result = f.call::<LuaValue>((data.clone(), key.as_str()));
                if let Some(v) = outcome(&mut self.reported, file, name, key, result, when) {
                    found.push(v);
                }
            }
        }
        if !self.loaded.store.is_empty() {
            let all = self.lua.create_table().and_then(|t| {
                for (key, data) in &converted {
                    t.raw_set(key.as_str(), data.clone())?;
                }
                Ok(t)
            });
            for (file, name, f) in &self.loaded.store {
                let result = all.clone().and_then(|t| f.call::<LuaValue>(t));
                if let Some(v) = outcome(&mut self.reported, file, name, "", result, when) {
                    found.push(v);
                }
            }
        }
        found
    }
}

/// The violation `result` is, unless (invariant, key) was reported already.
fn outcome(
    reported: &mut BTreeSet<(String, String)>,
    file: &str,
    name: &str,
    key: &str,
    result: mlua::Result<LuaValue>,
    when: &str,
) -> Option<Violation> {
    let (oracle, key, text) = match result {
        Err(e) => {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or_default().to_string();
            (
                "invariant-error".to_string(),
                key.to_string(),
                format!("raised {when}: {first}"),
            )
        }
        Ok(v) => {
            let json = to_json(&v)
                .unwrap_or_else(|e| Value::String(format!("an unreadable result ({e})")));
            let (named, text) = describe(&json)?;
            (
                format!("invariant:{name}"),
                named.unwrap_or_else(|| key.to_string()),
                format!("{text} ({when})"),
            )
        }
    };
    if !reported.insert((name.to_string(), key.clone())) {
        return None;
    }
    let subject = if key.is_empty() {
        "the store".to_string()
    } else {
        key
    };
    Some(Violation::new(
        &oracle,
        format!("{subject}: invariant {name} ({file}) fails {text}"),
    ))
}

/// Shared by every run of a worker.
pub type Game = Rc<GameSim>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_violation_names_its_key_path_and_values() {
        assert_eq!(describe(&json!(null)), None);
        assert_eq!(describe(&json!(true)), None);
        assert_eq!(
            describe(&json!({"Path": "Coins", "Value": 5, "Expected": "30 (earned - spent)"})),
            Some((
                None,
                "at Coins: holds 5, expected 30 (earned - spent)".into()
            ))
        );
        assert_eq!(
            describe(&json!({"Key": "Player_7", "Path": "Pets.2.Id", "Value": "7-1"})),
            Some((
                Some("Player_7".into()),
                "at Pets.2.Id: holds \"7-1\"".into()
            ))
        );
        assert_eq!(
            describe(&json!("too many pets")),
            Some((None, "too many pets".into()))
        );
    }
}
