//! Release checks `vstore test` runs over a project's migrations and
//! operation handlers, in a plain Luau VM with the runtime's pure
//! `Migrations` and `Operations` modules:
//!
//! - every fixture `fixtures/<Store>/v<N>/*.json` (raw `Data` of version N, or a
//!   full record envelope) migrates step by step to the current version; each
//!   step runs twice and must give the same output; no step may drop a field
//!   it does not declare (`--@removes A.B, C` lines in the migration file,
//!   see `removals`); the result must validate against the current shape and match its
//!   snapshot `fixtures/<Store>/snapshots/<name>.v<N>.json` (`--update` accepts);
//! - every operation handler runs on seeded payloads generated from its
//!   declared payload type against the template and every migrated fixture:
//!   twice from the same state (determinism), with the same ID queued twice
//!   (a single application), and may change only its declared `writes`.
//!
//! It owns no Roblox emulation: these modules must never touch a service.

pub(crate) mod removals;
pub(crate) mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use mlua::{Function, Lua, LuaSerdeExt, Table, Value as LuaValue};
use serde_json::Value;

use crate::schema::lock;
use crate::schema::model::{self, Project, Store, Type};
use crate::schema::types::TypeTable;

const OPERATIONS_SOURCE: &str = include_str!("../../../templates/runtime/Operations.luau");
const MIGRATIONS_SOURCE: &str = include_str!("../../../templates/runtime/Migrations.luau");
/// The runtime modules those two require through `script.Parent`.
const PURE_SOURCES: &[(&str, &str)] = &[
    ("Path", include_str!("../../../templates/runtime/Path.luau")),
    (
        "Settings",
        include_str!("../../../templates/runtime/Settings.luau"),
    ),
    (
        "Constants",
        include_str!("../../../templates/runtime/Constants.luau"),
    ),
    (
        "Types",
        include_str!("../../../templates/runtime/Types.luau"),
    ),
];

/// How `run` behaves.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Write snapshots instead of comparing them.
    pub update: bool,
    /// Seed for generated payloads; the same seed gives the same payloads.
    pub seed: u64,
    /// Generated payloads per operation and base profile.
    pub payloads: usize,
    /// A runtime folder whose pure modules (Operations, Migrations and what
    /// they require) replace the ones compiled into the binary.
    pub runtime: Option<std::path::PathBuf>,
}

/// The pure runtime modules the checks load, by name: compiled in, or read
/// from `runtime` (`<Name>.luau`).
fn pure_sources(runtime: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let builtin = PURE_SOURCES.iter().copied().chain([
        ("Operations", OPERATIONS_SOURCE),
        ("Migrations", MIGRATIONS_SOURCE),
    ]);
    builtin
        .map(|(name, source)| match runtime {
            None => Ok((name.to_string(), source.to_string())),
            Some(dir) => {
                let path = dir.join(format!("{name}.luau"));
                std::fs::read_to_string(&path)
                    .map(|text| (name.to_string(), text))
                    .map_err(|e| format!("reading {}: {e}", path.display()))
            }
        })
        .collect()
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub store: String,
    /// What was checked, e.g. `migration fixtures/PlayerData/v1/old.json`.
    pub subject: String,
    /// `None` when it passed, otherwise what is wrong.
    pub failure: Option<String>,
}

/// Everything `run` checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyReport {
    pub checks: Vec<Check>,
}

impl VerifyReport {
    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| c.failure.is_some()).count()
    }

    /// The report in a form CI logs read well: one line per check, and a
    /// GitHub Actions `::error` annotation per failure.
    pub fn render_ci(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            match &check.failure {
                None => out.push_str(&format!("ok   {}: {}\n", check.store, check.subject)),
                Some(why) => {
                    out.push_str(&format!(
                        "FAIL {}: {}: {}\n",
                        check.store, check.subject, why
                    ));
                    out.push_str(&format!(
                        "::error title=vstore test {}::{}: {}\n",
                        check.store,
                        check.subject,
                        why.replace('\n', " ")
                    ));
                }
            }
        }
        out.push_str(&format!(
            "{} checks, {} failed\n",
            self.checks.len(),
            self.failures()
        ));
        out
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for check in &self.checks {
            match &check.failure {
                None => writeln!(f, "  ok    {} {}", check.store, check.subject)?,
                Some(why) => writeln!(
                    f,
                    "  FAIL  {} {}\n        {}",
                    check.store, check.subject, why
                )?,
            }
        }
        writeln!(
            f,
            "{} checks, {} failed",
            self.checks.len(),
            self.failures()
        )
    }
}

/// Runs every migration and handler check of `project`.
pub fn run(project: &Project, opts: &VerifyOptions) -> VerifyReport {
    let mut report = VerifyReport::default();
    for store in &project.stores {
        let mut push = |subject: String, failure: Option<String>| {
            report.checks.push(Check {
                store: store.name.clone(),
                subject,
                failure,
            });
        };
        let vm = match pure_sources(opts.runtime.as_deref())
            .and_then(|sources| Vm::new(project, store, sources))
        {
            Ok(vm) => vm,
            Err(e) => {
                push("load migrations and handlers".into(), Some(e));
                continue;
            }
        };
        let mut bases = vec![("template".to_string(), store.defaults.clone())];
        let shapes = shapes(project, store);
        for fixture in fixtures(&project.root, store) {
            let subject = format!("migration {}", relative(&project.root, &fixture.path));
            match migrate_fixture(project, store, &shapes, &vm, &fixture, opts) {
                Ok(data) => {
                    push(subject, None);
                    bases.push((relative(&project.root, &fixture.path), data));
                }
                Err(e) => push(subject, Some(e)),
            }
        }
        for op in &store.operations {
            for (base_name, base) in &bases {
                let subject = format!("operation {} on {}", op.name, base_name);
                let failure = check_operation(project, store, &vm, op, base, opts).err();
                push(subject, failure);
            }
        }
    }
    report
}

struct Fixture {
    path: PathBuf,
    version: u32,
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn fixtures(root: &Path, store: &Store) -> Vec<Fixture> {
    let dir = root.join("fixtures").join(&store.name);
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let version = name.strip_prefix('v')?.parse().ok()?;
            Some((version, e.path()))
        })
        .collect();
    versions.sort();
    for (version, vdir) in versions {
        let Ok(files) = std::fs::read_dir(&vdir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = files
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        out.extend(paths.into_iter().map(|path| Fixture { path, version }));
    }
    out
}

/// The shape of every version of `store` that is known: the released ones
/// from `vstore.lock`, and the current one.
fn shapes(project: &Project, store: &Store) -> std::collections::BTreeMap<u32, Type> {
    let mut out: std::collections::BTreeMap<u32, Type> = lock::read(&project.root)
        .ok()
        .and_then(|l| l.stores.get(&store.name).cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|(v, r)| (v, r.shape))
        .collect();
    out.insert(
        store.version,
        TypeTable::new(&project.types).expand(&store.shape),
    );
    out
}

fn migrate_fixture(
    project: &Project,
    store: &Store,
    shapes: &std::collections::BTreeMap<u32, Type>,
    vm: &Vm,
    fixture: &Fixture,
    opts: &VerifyOptions,
) -> Result<Value, String> {
    let text = std::fs::read_to_string(&fixture.path)
        .map_err(|e| format!("cannot read the fixture: {e}"))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("the fixture is not valid JSON: {e}"))?;
    let (mut data, version) = match json.get("Format").and_then(Value::as_str) {
        Some(crate::core::settings::FORMAT_MARKER) => {
            let v = json
                .get("SchemaVersion")
                .and_then(Value::as_u64)
                .unwrap_or(fixture.version as u64) as u32;
            (json.get("Data").cloned().unwrap_or(Value::Null), v)
        }
        _ => (json, fixture.version),
    };
    if version > store.version {
        return Err(format!(
            "fixture version {version} is newer than the store's version {}",
            store.version
        ));
    }
    let types = TypeTable::new(&project.types);
    let mut lost = Vec::new();
    for to in version + 1..=store.version {
        let migration = store.migrations.iter().find(|m| m.to == to);
        let first = vm.migrate(&data, to - 1, to)?;
        let second = vm.migrate(&data, to - 1, to)?;
        if first != second {
            return Err(format!(
                "migration to version {to} is not deterministic: two runs on the same input differ at {}",
                values::first_difference(&first, &second)
            ));
        }
        let removes = migration
            .map(|m| removals::declared(&m.source))
            .unwrap_or_default();
        let dropped = removals::undeclared(
            &data,
            shapes.get(&(to - 1)),
            &first,
            shapes.get(&to),
            &types,
            &removes,
        );
        if !dropped.is_empty() {
            let file = migration
                .map(|m| m.file.display().to_string())
                .unwrap_or_default();
            lost.push(match dropped.as_slice() {
                [one] => format!("migration to version {to} drops field `{one}` without declaring it; keep its value, or add `--@removes {one}` to {file}"),
                many => format!(
                    "migration to version {to} drops {} fields without declaring them: {}; keep their values, or add `--@removes {}` to {file}",
                    many.len(),
                    many.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
                    many.join(", ")
                ),
            });
        }
        data = first;
    }
    if !lost.is_empty() {
        return Err(lost.join("\n"));
    }
    values::validate(project, &store.shape, &data)
        .map_err(|e| format!("the migrated record does not validate: {e}"))?;
    let snapshot = snapshot_path(&project.root, store, fixture);
    let pretty = serde_json::to_string_pretty(&values::canonical(&data)).unwrap_or_default() + "\n";
    match std::fs::read_to_string(&snapshot) {
        Ok(old) if old == pretty => {}
        Ok(_) if !opts.update => {
            return Err(format!("the migrated record differs from its snapshot {}; run `vstore test --update` to accept it", relative(&project.root, &snapshot)));
        }
        _ => {
            if let Some(parent) = snapshot.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot write the snapshot: {e}"))?;
            }
            std::fs::write(&snapshot, pretty)
                .map_err(|e| format!("cannot write the snapshot: {e}"))?;
        }
    }
    Ok(data)
}

fn snapshot_path(root: &Path, store: &Store, fixture: &Fixture) -> PathBuf {
    let stem = fixture
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    root.join("fixtures")
        .join(&store.name)
        .join("snapshots")
        .join(format!(
            "v{}-{stem}.v{}.json",
            fixture.version, store.version
        ))
}

fn check_operation(
    project: &Project,
    store: &Store,
    vm: &Vm,
    op: &model::Operation,
    base: &Value,
    opts: &VerifyOptions,
) -> Result<(), String> {
    let count = opts.payloads.max(1);
    let mut applied_any = false;
    let mut last_error = String::new();
    for n in 0..count {
        let mut rng = values::Rng::new(opts.seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let payload = values::generate(project, &op.payload, &mut rng);
        let first = vm.apply_twice(store, &op.name, base, &payload)?;
        let second = vm.apply_twice(store, &op.name, base, &payload)?;
        if first.envelope != second.envelope {
            return Err(format!(
                "handler is not deterministic: two runs from the same state with payload {payload} differ at {}",
                values::first_difference(&first.envelope, &second.envelope)
            ));
        }
        if first.applied > 1 {
            return Err(format!(
                "the same operation ID queued twice applied {} times",
                first.applied
            ));
        }
        if first.applied == 0 {
            last_error = first.error;
            continue;
        }
        applied_any = true;
        for path in &first.paths {
            if !op.writes.iter().any(|w| path.starts_with(w)) {
                return Err(format!(
                    "handler changed `{}`, which is not in its declared writes [{}]",
                    path.join("."),
                    op.writes
                        .iter()
                        .map(|w| w.join("."))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    if !applied_any {
        return Err(format!(
            "the handler rejected all {count} generated payloads; last error: {last_error}"
        ));
    }
    Ok(())
}

struct Applied {
    envelope: Value,
    applied: usize,
    paths: Vec<Vec<String>>,
    error: String,
}

/// One Luau VM per store with the pure runtime modules, the migration steps
/// and the handlers loaded once, so a handler keeping state in an upvalue
/// shows up as a difference between two runs.
struct Vm {
    lua: Lua,
}

impl Vm {
    fn new(project: &Project, store: &Store, sources: Vec<(String, String)>) -> Result<Vm, String> {
        let lua = Lua::new();
        crate::sim::budget::install(&lua).map_err(|e| e.to_string())?;
        let _budget = crate::sim::budget::enter(&lua);
        let load = |source: &str, name: &str| -> Result<LuaValue, String> {
            lua.load(source)
                .set_name(name)
                .eval::<LuaValue>()
                .map_err(|e| format!("{name} failed to load: {e}"))
        };
        let globals = lua.globals();
        let set = |k: &str, v: LuaValue| globals.set(k, v).map_err(|e| e.to_string());
        // `require(script.Parent.Path)` resolves to the pure sibling modules.
        let siblings = lua.create_table().map_err(|e| e.to_string())?;
        let source_of = |name: &str| {
            sources
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
        };
        for (name, _) in PURE_SOURCES {
            siblings.set(*name, *name).map_err(|e| e.to_string())?;
        }
        let pure: Vec<(String, String)> = PURE_SOURCES
            .iter()
            .filter_map(|(name, _)| source_of(name).map(|s| (name.to_string(), s)))
            .collect();
        let script = lua.create_table().map_err(|e| e.to_string())?;
        script.set("Parent", siblings).map_err(|e| e.to_string())?;
        set("script", LuaValue::Table(script))?;
        let loaded = lua.create_table().map_err(|e| e.to_string())?;
        let require = lua
            .create_function(move |lua, name: String| {
                let cache: Table = lua.named_registry_value("vstore_pure_modules")?;
                if let Ok(module @ LuaValue::Table(_)) = cache.get::<LuaValue>(name.as_str()) {
                    return Ok(module);
                }
                let source = pure
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s.as_str())
                    .ok_or_else(|| mlua::Error::runtime(format!("no pure module {name}")))?;
                let module: LuaValue = lua.load(source).set_name(name.as_str()).eval()?;
                cache.set(name.as_str(), module.clone())?;
                Ok(module)
            })
            .map_err(|e| e.to_string())?;
        lua.set_named_registry_value("vstore_pure_modules", loaded)
            .map_err(|e| e.to_string())?;
        set("require", LuaValue::Function(require))?;
        let operations = source_of("Operations").unwrap_or_default();
        let migrations = source_of("Migrations").unwrap_or_default();
        set("__Operations", load(&operations, "Operations")?)?;
        set("__Migrations", load(&migrations, "Migrations")?)?;
        let steps = lua.create_table().map_err(|e| e.to_string())?;
        for m in &store.migrations {
            let step = load(&m.source, &m.file.display().to_string())?;
            let step = match step {
                LuaValue::Function(f) => f,
                _ => return Err(format!("{} must return a function(data)", m.file.display())),
            };
            steps.set(m.to, step).map_err(|e| e.to_string())?;
        }
        set("__Steps", LuaValue::Table(steps))?;
        let handlers = lua.create_table().map_err(|e| e.to_string())?;
        for op in &store.operations {
            let handler = match load(&op.source, &op.file.display().to_string())? {
                LuaValue::Function(f) => f,
                LuaValue::Table(t) => t.get::<Function>(op.name.as_str()).map_err(|_| {
                    format!(
                        "{} returns a table without a `{}` function",
                        op.file.display(),
                        op.name
                    )
                })?,
                _ => {
                    return Err(format!(
                        "{} must return a function(profile, payload)",
                        op.file.display()
                    ))
                }
            };
            handlers
                .set(op.name.as_str(), handler)
                .map_err(|e| e.to_string())?;
        }
        set("__Handlers", LuaValue::Table(handlers))?;
        let _ = project;
        drop(_budget);
        Ok(Vm { lua })
    }

    fn migrate(&self, data: &Value, from: u32, to: u32) -> Result<Value, String> {
        let lua = &self.lua;
        let migrations: Table = lua
            .globals()
            .get("__Migrations")
            .map_err(|e| e.to_string())?;
        let run: Function = migrations.get("run").map_err(|e| e.to_string())?;
        let steps: Table = lua.globals().get("__Steps").map_err(|e| e.to_string())?;
        let input = lua.to_value(data).map_err(|e| e.to_string())?;
        let _budget = crate::sim::budget::enter(lua);
        let (out, err): (LuaValue, Option<String>) = run
            .call((input, from, to, steps))
            .map_err(|e| e.to_string())?;
        if let Some(err) = err {
            return Err(err);
        }
        lua.from_value(out)
            .map_err(|e| format!("migration to version {to} returned data that is not JSON: {e}"))
    }

    /// Queues the same operation ID twice on a fresh envelope over `base`,
    /// processes, queues it once more and processes again.
    fn apply_twice(
        &self,
        store: &Store,
        name: &str,
        base: &Value,
        payload: &Value,
    ) -> Result<Applied, String> {
        let lua = &self.lua;
        let ops: Table = lua
            .globals()
            .get("__Operations")
            .map_err(|e| e.to_string())?;
        let handlers: Table = lua.globals().get("__Handlers").map_err(|e| e.to_string())?;
        let queue: Function = ops.get("queue").map_err(|e| e.to_string())?;
        let process: Function = ops.get("process").map_err(|e| e.to_string())?;
        let envelope = lua.create_table().map_err(|e| e.to_string())?;
        envelope
            .set("Data", lua.to_value(base).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        envelope
            .set("Meta", lua.create_table().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let settings = lua
            .to_value(&Value::Object(store.settings.clone().into_iter().collect()))
            .map_err(|e| e.to_string())?;
        let op = lua.create_table().map_err(|e| e.to_string())?;
        op.set("Id", "verify:1").map_err(|e| e.to_string())?;
        op.set("Name", name).map_err(|e| e.to_string())?;
        op.set("Payload", lua.to_value(payload).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let validate = lua
            .create_function(|_, _: LuaValue| Ok((true, LuaValue::Nil)))
            .map_err(|e| e.to_string())?;
        let mut applied = 0;
        let mut paths = Vec::new();
        let mut error = String::new();
        let _budget = crate::sim::budget::enter(lua);
        for now in [1, 2] {
            queue
                .call::<LuaValue>((&envelope, &op, &settings, now))
                .map_err(|e| e.to_string())?;
            queue
                .call::<LuaValue>((&envelope, &op, &settings, now))
                .map_err(|e| e.to_string())?;
            let result: Table = process
                .call((&envelope, &handlers, &settings, now, &validate))
                .map_err(|e| e.to_string())?;
            let done: Table = result.get("Applied").map_err(|e| e.to_string())?;
            applied += done.raw_len();
            let changed: Vec<Vec<String>> = lua
                .from_value(result.get::<LuaValue>("Paths").map_err(|e| e.to_string())?)
                .unwrap_or_default();
            paths.extend(changed);
        }
        if applied == 0 {
            let ledgers: Value = lua
                .from_value(LuaValue::Table(envelope.clone()))
                .map_err(|e| e.to_string())?;
            error = ledgers
                .pointer("/Meta/Operations/Pending/0/LastError")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
        }
        let mut snapshot: Value = lua
            .from_value(LuaValue::Table(envelope))
            .map_err(|e| e.to_string())?;
        if let Some(pending) = snapshot.pointer_mut("/Meta/Operations/Pending") {
            // Error text may carry a line number; the comparison is about data.
            if let Some(list) = pending.as_array_mut() {
                for p in list {
                    if let Some(o) = p.as_object_mut() {
                        o.remove("LastError");
                    }
                }
            }
        }
        Ok(Applied {
            envelope: values::canonical(&snapshot),
            applied,
            paths,
            error,
        })
    }
}
