//! Creates VMs and gives each one its host functions: the small Rust surface
//! the Luau emulation of Roblox (`roblox.luau`) is built on. Host functions
//! never raise Luau errors; they return status values and the Luau side raises
//! Roblox-shaped error strings, so `pcall` callers see plain strings.

use std::rc::Rc;

use mlua::{Function, Lua, MultiValue, Table, Thread, Value as LuaValue, Variadic};
use serde_json::{Map, Value};

use super::datastore::{
    self, error_message, Admission, BudgetKind, Budgets, FaultRule, KeyInfo, Origin,
    MAX_VALUE_CHARS,
};
use super::json::{encoded_len, to_json, to_lua};
use super::limits::{DropReason, Flow, Throttle};
use super::mount::Node;
use super::world::{
    FutureSlot, Shared, Subscription, Vm, VmKind, Wake, WeakShared, World, BIND_TO_CLOSE_LIMIT,
    REMOTE_LATENCY,
};

const PRELUDE: &str = include_str!("roblox.luau");
const HARNESS: &str = include_str!("harness.luau");
/// Services in chunks of their own, run in order after the engine.
const SERVICES: &[(&str, &str)] = &[(
    "@vstore/services/memorystore.luau",
    include_str!("services/memorystore.luau"),
)];

fn upgrade(w: &WeakShared) -> mlua::Result<Shared> {
    w.upgrade()
        .ok_or_else(|| mlua::Error::runtime("the simulated universe has ended"))
}

fn node_to_lua(lua: &Lua, node: &Node) -> mlua::Result<Table> {
    let t = node_to_lua_below(lua, node)?;
    if node.class == "DataModel" {
        // a direct child of the DataModel whose class is a service may be that service
        let children: Table = t.raw_get("Children")?;
        for (i, c) in node.children.iter().enumerate() {
            if super::mount::SERVICES.contains(&c.class.as_str()) {
                let ct: Table = children.raw_get(i + 1)?;
                ct.raw_set("IsService", true)?;
            }
        }
    }
    Ok(t)
}

fn node_to_lua_below(lua: &Lua, node: &Node) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("Name", node.name.as_str())?;
    t.raw_set("ClassName", node.class.as_str())?;
    if let Some(src) = &node.source {
        t.raw_set("Source", lua.create_string(src.as_bytes())?)?;
        t.raw_set("Chunk", node.chunk.as_str())?;
    }
    let children = lua.create_table_with_capacity(node.children.len(), 0)?;
    for (i, c) in node.children.iter().enumerate() {
        children.raw_set(i + 1, node_to_lua_below(lua, c)?)?;
    }
    t.raw_set("Children", children)?;
    for (field, pairs) in [
        ("Properties", &node.properties),
        ("Attributes", &node.attributes),
    ] {
        if pairs.is_empty() {
            continue;
        }
        let list = lua.create_table_with_capacity(pairs.len(), 0)?;
        for (k, v) in pairs {
            let pair = lua.create_table()?;
            pair.raw_set(1, k.as_str())?;
            pair.raw_set(2, to_lua(lua, v)?)?;
            list.raw_push(pair)?;
        }
        t.raw_set(field, list)?;
    }
    Ok(t)
}

type Reply = (LuaValue, LuaValue, LuaValue);

/// A read's `(value, keyInfo, nil)`; nils where there is no value or record.
fn record_reply(lua: &Lua, value: Option<&Value>, info: Option<&KeyInfo>) -> mlua::Result<Reply> {
    Ok((
        value
            .map(|v| to_lua(lua, v))
            .transpose()?
            .unwrap_or(LuaValue::Nil),
        match info {
            Some(info) => LuaValue::Table(info_to_lua(lua, info)?),
            None => LuaValue::Nil,
        },
        LuaValue::Nil,
    ))
}

/// A write's `("error", message, nil)`.
fn error_reply(lua: &Lua, message: &str) -> mlua::Result<(String, LuaValue, LuaValue)> {
    Ok((
        "error".into(),
        LuaValue::String(lua.create_string(message)?),
        LuaValue::Nil,
    ))
}

/// `(nil, nil, message)` for a request a throughput limit refused.
fn throttled_reply(lua: &Lua, t: Throttle) -> mlua::Result<Reply> {
    Ok((
        LuaValue::Nil,
        LuaValue::Nil,
        LuaValue::String(lua.create_string(t.message())?),
    ))
}

fn info_to_lua(lua: &Lua, info: &KeyInfo) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("Version", info.version.as_str())?;
    t.raw_set("CreatedTime", info.created_ms)?;
    t.raw_set("UpdatedTime", info.updated_ms)?;
    let ids = lua.create_table()?;
    for (i, id) in info.user_ids.iter().enumerate() {
        ids.raw_set(i + 1, *id)?;
    }
    t.raw_set("UserIds", ids)?;
    t.raw_set(
        "Metadata",
        to_lua(lua, &Value::Object(info.metadata.clone()))?,
    )?;
    Ok(t)
}

fn value_or_empty_table(lua: &Lua, v: LuaValue) -> mlua::Result<LuaValue> {
    if v.is_nil() {
        return Ok(LuaValue::Table(lua.create_table()?));
    }
    Ok(v)
}

/// Checks metadata and UserIds limits; `Err` carries the Roblox error string.
fn key_extras(
    user_ids: &LuaValue,
    metadata: &LuaValue,
) -> Result<(Vec<i64>, Map<String, Value>), String> {
    let ids = match to_json(user_ids) {
        Ok(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_f64().map(|f| f as i64).ok_or(()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| error_message(512, ""))?,
        Ok(Value::Null) => Vec::new(),
        Ok(Value::Object(o)) if o.is_empty() => Vec::new(),
        _ => return Err(error_message(512, "")),
    };
    if ids.len() > 4 {
        return Err(error_message(512, ""));
    }
    let meta = match to_json(metadata) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Null) | Ok(Value::Array(_)) => Map::new(),
        _ => return Err(error_message(511, "")),
    };
    let total = encoded_len(&Value::Object(meta.clone()));
    if total > 300
        || meta
            .iter()
            .any(|(k, v)| k.chars().count() > 50 || encoded_len(v) > 250)
    {
        return Err(error_message(511, ""));
    }
    Ok((ids, meta))
}

/// A value's size on the wire, as the throughput limits count it: the bytes
/// of its JSON encoding.
fn encoded_bytes(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(0, |b| b.len())
}

fn storable(value: &LuaValue) -> Result<Value, String> {
    let v =
        to_json(value).map_err(|e| format!("104: Cannot store the value in a data store: {e}."))?;
    if encoded_len(&v) > MAX_VALUE_CHARS {
        return Err(error_message(105, ""));
    }
    Ok(v)
}

/// Creates a VM, installs the emulated Roblox and mounts the package.
pub fn create_vm(world: &Shared, kind: VmKind, user_id: i64) -> mlua::Result<usize> {
    let (id, job_id, seed, package, place_scripts) = {
        let mut w = world.borrow_mut();
        let id = w.vms.len();
        let job_id = w.rng.guid(false).to_lowercase();
        let seed = w.rng.next_u64() >> 12;
        let now = w.now;
        w.vms.push(Vm {
            lua: None,
            kind,
            alive: true,
            closing: false,
            job_id: job_id.clone(),
            started: now,
            budgets: Budgets::new(now, 0),
            players: Vec::new(),
            clients: Default::default(),
            partitioned_until: 0.0,
            output: Vec::new(),
            cache: Default::default(),
            replicated: Vec::new(),
            resume: None,
            dispatch: None,
            on_kill: Vec::new(),
        });
        w.trace.add(format!("vm {id} {kind:?}").as_bytes());
        (id, job_id, seed, w.package.clone(), w.server_script.clone())
    };
    let lua = Lua::new();
    let host = install(&lua, &Rc::downgrade(world), id)?;
    super::memorystore_host::install(&lua, &host, &Rc::downgrade(world), id)?;
    let cfg = lua.create_table()?;
    cfg.raw_set("JobId", job_id)?;
    cfg.raw_set("PlaceId", 1_818_i64)?;
    cfg.raw_set("Seed", seed as f64)?;
    cfg.raw_set("IsClient", matches!(kind, VmKind::Client { .. }))?;
    cfg.raw_set("UserId", user_id)?;
    cfg.raw_set("Vm", id)?;
    let tree = node_to_lua(&lua, &package)?;
    let prelude = super::bytecode::load(&lua, PRELUDE.as_bytes(), "@vstore/roblox.luau")?;
    let (resume, dispatch): (Function, Function) = prelude.call((host, cfg, tree))?;
    for (name, source) in SERVICES {
        super::bytecode::load(&lua, source.as_bytes(), name)?.call::<()>(())?;
    }
    {
        let mut w = world.borrow_mut();
        let vm = &mut w.vms[id];
        vm.resume = Some(resume);
        vm.dispatch = Some(dispatch.clone());
        vm.lua = Some(lua.clone());
    }
    if let (VmKind::Server, Some((src, chunk))) = (kind, place_scripts) {
        let args = vec![Value::String(src.to_string()), Value::String(chunk)];
        world.borrow_mut().schedule(
            0.0,
            Wake::Event {
                vm: id,
                name: "runScript",
                args,
            },
        );
    }
    if let VmKind::Client { server, .. } = kind {
        let rep = world.borrow().vms[server].replicated.clone();
        for (path, class) in rep {
            world.borrow_mut().schedule(
                0.0,
                Wake::Event {
                    vm: id,
                    name: "replicate",
                    args: vec![Value::String(path), Value::String(class)],
                },
            );
        }
    }
    Ok(id)
}

/// Loads the spec harness (describe/it/expect/sim) into a server VM.
pub fn install_harness(world: &Shared, vm: usize) -> mlua::Result<()> {
    let lua = world.borrow().vms[vm]
        .lua
        .clone()
        .ok_or_else(|| mlua::Error::runtime("vm is gone"))?;
    lua.load(HARNESS).set_name("@vstore/harness.luau").exec()
}

/// A new server that runs the package's scripts (and `script`, if any).
pub fn spawn_server(world: &Shared) -> mlua::Result<usize> {
    create_vm(world, VmKind::Server, 0)
}

/// Adds a player to a server: PlayerAdded fires there and a client VM starts
/// when the world's `Config.clients` says so.
pub fn add_player(world: &Shared, server: usize, user_id: i64) -> mlua::Result<usize> {
    let client = world.borrow().config.clients;
    add_player_with_client(world, server, user_id, client)
}

/// Adds a player to a server, with a client VM for them only when `client`;
/// returns the client VM, or the server when there is none.
pub fn add_player_with_client(
    world: &Shared,
    server: usize,
    user_id: i64,
    client: bool,
) -> mlua::Result<usize> {
    {
        let mut w = world.borrow_mut();
        let now = w.now;
        let players = w.players_on(server);
        w.vms[server]
            .budgets
            .available(BudgetKind::StandardRead, now, players);
        w.vms[server].players.push(user_id);
        let ccu = w.ccu();
        w.experience.observe_ccu(now, ccu);
        w.schedule(
            0.0,
            Wake::Event {
                vm: server,
                name: "playerAdded",
                args: vec![Value::from(user_id)],
            },
        );
        w.trace.add(format!("join {user_id} {server}").as_bytes());
    }
    if !client {
        return Ok(server);
    }
    let client = create_vm(world, VmKind::Client { server, user_id }, user_id)?;
    world.borrow_mut().vms[server]
        .clients
        .insert(user_id, client);
    Ok(client)
}

/// Runs `source` in VM `vm` at once, between scheduled events, and returns its
/// results (a `nil` result is `Value::Null`). For oracles reading VM state: the
/// code must not yield, or the results are not ready and this returns an error.
pub fn eval_now(world: &Shared, vm: usize, source: &str) -> Result<Vec<Value>, String> {
    let (dispatch, future) = {
        let mut w = world.borrow_mut();
        let dispatch = match w.vms.get(vm) {
            Some(v) if v.alive => v.dispatch.clone(),
            _ => None,
        };
        let Some(dispatch) = dispatch else {
            return Err("the VM is not running".into());
        };
        (dispatch, w.new_future())
    };
    let called = dispatch.call::<()>(("eval", source, future as f64));
    let slot = world.borrow_mut().futures.remove(&future);
    called.map_err(|e| e.to_string())?;
    let nil = |v: Value| match v {
        Value::String(s) if s == "\0nil\0" => Value::Null,
        other => other,
    };
    match slot.and_then(|s| s.result) {
        Some((true, values)) => Ok(values.into_iter().map(nil).collect()),
        Some((false, values)) => Err(values
            .first()
            .and_then(Value::as_str)
            .unwrap_or("the code raised an error")
            .to_string()),
        None => Err("the code yielded before returning".into()),
    }
}

/// Removes a player from a server (PlayerRemoving fires; the client VM ends).
pub fn remove_player(world: &Shared, server: usize, user_id: i64) {
    let mut w = world.borrow_mut();
    w.schedule(
        0.0,
        Wake::Event {
            vm: server,
            name: "playerRemoving",
            args: vec![Value::from(user_id)],
        },
    );
}

/// Begins a graceful shutdown: players leave, BindToClose runs for up to 30 s.
pub fn shutdown(world: &Shared, server: usize) {
    let mut w = world.borrow_mut();
    if !w.vms[server].alive || w.vms[server].closing {
        return;
    }
    w.vms[server].closing = true;
    w.schedule(
        0.0,
        Wake::Event {
            vm: server,
            name: "shutdown",
            args: vec![],
        },
    );
    w.schedule(BIND_TO_CLOSE_LIMIT, Wake::Kill { vm: server });
    w.trace.add(format!("shutdown {server}").as_bytes());
}

fn resolve_future(w: &mut World, id: u64, ok: bool, results: Vec<Value>, delay: f64) {
    let slot = w.futures.entry(id).or_insert(FutureSlot {
        result: None,
        waiter: None,
    });
    slot.result = Some((ok, results));
    if let Some((vm, thread)) = slot.waiter.take() {
        w.schedule(
            delay,
            Wake::Resume {
                vm,
                thread,
                args: vec![],
            },
        );
    }
}

/// Kills a VM and resolves anything waiting for its end.
pub fn kill(w: &mut World, vm: usize) {
    let waiters = std::mem::take(&mut w.vms[vm].on_kill);
    w.kill(vm);
    for f in waiters {
        resolve_future(w, f, true, vec![], 0.0);
    }
}

fn install(lua: &Lua, world: &WeakShared, vm: usize) -> mlua::Result<Table> {
    let host = lua.create_table()?;
    macro_rules! func {
        ($name:expr, |$lua:ident, $w:ident, $args:tt : $ty:ty| $body:block) => {{
            let weak = world.clone();
            host.raw_set(
                $name,
                lua.create_function(move |$lua, $args: $ty| {
                    let rc = upgrade(&weak)?;
                    #[allow(unused_mut)]
                    let mut $w = rc.borrow_mut();
                    $body
                })?,
            )?;
        }};
    }
    macro_rules! func_rc {
        ($name:expr, |$lua:ident, $rc:ident, $args:tt : $ty:ty| $body:block) => {{
            let weak = world.clone();
            host.raw_set(
                $name,
                lua.create_function(move |$lua, $args: $ty| {
                    let $rc = upgrade(&weak)?;
                    $body
                })?,
            )?;
        }};
    }

    // clock, scheduler, output, randomness
    func!("now", |_l, w, (): ()| { Ok(w.now) });
    func!("elapsed", |_l, w, (): ()| { Ok(w.now - w.vms[vm].started) });
    func!("schedule", |_l,
                       w,
                       (thread, delay, args): (
        Thread,
        f64,
        Variadic<LuaValue>
    )| {
        w.schedule(
            delay,
            Wake::Resume {
                vm,
                thread,
                args: args.into_iter().collect(),
            },
        );
        Ok(())
    });
    func!("cancel", |_l, w, thread: Thread| {
        w.cancel(&thread);
        Ok(())
    });
    func!("output", |_l, w, (level, text): (String, String)| {
        let level = match level.as_str() {
            "warn" => "warn",
            "error" => "error",
            _ => "print",
        };
        w.output(vm, level, text);
        Ok(())
    });
    func!("guid", |_l, w, braces: Option<bool>| {
        Ok(w.rng.guid(braces.unwrap_or(true)))
    });
    func!("random", |_l, w, (): ()| { Ok(w.rng.next_f64()) });
    host.raw_set(
        "jsonEncode",
        lua.create_function(|_, v: LuaValue| match to_json(&v) {
            Ok(j) => Ok((Some(j.to_string()), None)),
            Err(e) => Ok((None, Some(format!("Can't convert to JSON: {e}")))),
        })?,
    )?;
    host.raw_set(
        "jsonDecode",
        lua.create_function(|lua, s: mlua::LuaString| {
            match serde_json::from_slice::<Value>(&s.as_bytes()) {
                Ok(j) => Ok((to_lua(lua, &j)?, None)),
                Err(e) => Ok((LuaValue::Nil, Some(format!("Can't parse JSON: {e}")))),
            }
        })?,
    )?;
    host.raw_set(
        "compile",
        lua.create_function(|lua, (src, chunk): (mlua::LuaString, String)| {
            match super::bytecode::load(lua, &src.as_bytes(), &format!("@{chunk}")) {
                Ok(f) => Ok((Some(f), None)),
                Err(e) => Ok((None, Some(e.to_string()))),
            }
        })?,
    )?;

    // DataStore
    func!("dsOpen", |_l,
                     w,
                     (name, scope, ordered): (
        String,
        String,
        bool
    )| {
        Ok(w.backend.open(&name, &scope, ordered))
    });
    func!("dsAdmit", |_l,
                      w,
                      (method, ordered, queued): (
        String,
        bool,
        bool
    )| {
        let Some(cost) = datastore::cost(&method, ordered) else {
            return Ok(("error".to_string(), LuaValue::Nil, LuaValue::Nil, false));
        };
        let now = w.now;
        let players = w.players_on(vm);
        match w.vms[vm].budgets.admit(cost, now, players, queued) {
            Admission::Go => {
                let origin = Origin {
                    partitioned: w.vms[vm].partitioned_until > now,
                    closing: w.vms[vm].closing,
                };
                let ccu = w.ccu();
                let World {
                    faults,
                    rng,
                    experience,
                    ..
                } = &mut *w;
                let plan = faults.plan(&method, now, origin, rng, || {
                    experience.admit(cost.kinds, now, ccu)
                });
                if let Some(t) = plan.throttle {
                    w.limits.throttle(t);
                }
                *w.requests.entry(method.clone()).or_default() += 1;
                w.trace.add(method.as_bytes());
                let fail = plan.error(&method);
                super::trace::fault(&mut w, vm, &method, fail.as_deref(), plan.after_commit);
                Ok((
                    "go".into(),
                    LuaValue::Number(plan.latency),
                    fail.map(|f| LuaValue::String(_l.create_string(f).expect("s")))
                        .unwrap_or(LuaValue::Nil),
                    plan.after_commit,
                ))
            }
            Admission::Wait(s) => Ok(("wait".into(), LuaValue::Number(s), LuaValue::Nil, false)),
            Admission::QueueFull(code) => {
                let msg = _l.create_string(error_message(code, &method))?;
                Ok(("error".into(), LuaValue::String(msg), LuaValue::Nil, false))
            }
        }
    });
    func!("dsCached", |l, w, (store, key): (usize, String)| {
        let now = w.now;
        match w.vms[vm].cache.get(&(store, key)) {
            Some((at, entry)) if now - at < 4.0 => match entry {
                Some((v, info)) => {
                    Ok((true, to_lua(l, v)?, LuaValue::Table(info_to_lua(l, info)?)))
                }
                None => Ok((true, LuaValue::Nil, LuaValue::Nil)),
            },
            _ => Ok((false, LuaValue::Nil, LuaValue::Nil)),
        }
    });
    // `charge`: the read counts against the key's read throughput (and fails
    // with the throttle error as the fourth result when it is used up)
    func!("dsGet", |l,
                    w,
                    (store, key, cache, charge): (
        usize,
        String,
        bool,
        Option<bool>
    )| {
        let stamp = w.backend.stamp(store, &key);
        let entry = w.backend.get(store, &key).cloned();
        if charge.unwrap_or(true) {
            let bytes = entry.as_ref().map_or(0, |(v, _)| encoded_bytes(v));
            let now = w.now;
            if let Err(t) = w.key_throughput.charge(store, &key, Flow::Read, bytes, now) {
                w.limits.throttle(t);
                let msg = l.create_string(t.message())?;
                return Ok((LuaValue::Nil, LuaValue::Nil, stamp, LuaValue::String(msg)));
            }
        }
        super::trace::read(&mut w, vm, &key, entry.as_ref().map(|e| &e.0));
        let out = match &entry {
            Some((v, info)) => (
                to_lua(l, v)?,
                LuaValue::Table(info_to_lua(l, info)?),
                stamp,
                LuaValue::Nil,
            ),
            None => (LuaValue::Nil, LuaValue::Nil, stamp, LuaValue::Nil),
        };
        if cache {
            let now = w.now;
            w.vms[vm].cache.insert((store, key), (now, entry));
        }
        Ok(out)
    });
    func!("dsWrite", |l,
                      w,
                      (
        store,
        key,
        value,
        user_ids,
        metadata,
        expect,
    ): (
        usize,
        String,
        LuaValue,
        LuaValue,
        LuaValue,
        Option<u64>
    )| {
        if let Some(s) = expect {
            if w.backend.stamp(store, &key) != s {
                return Ok(("conflict".to_string(), LuaValue::Nil, LuaValue::Nil));
            }
        }
        let v = match storable(&value) {
            Ok(v) => v,
            Err(e) => return error_reply(l, &e),
        };
        let (ids, meta) = match key_extras(&user_ids, &metadata) {
            Ok(x) => x,
            Err(e) => return error_reply(l, &e),
        };
        let now = w.now;
        if let Err(t) = w
            .key_throughput
            .charge(store, &key, Flow::Write, encoded_bytes(&v), now)
        {
            w.limits.throttle(t);
            return error_reply(l, &t.message());
        }
        let revision = |v: &Value| v.pointer("/Meta/Revision").and_then(Value::as_i64);
        if let (Some(prev), Some(next)) = (
            w.backend.get(store, &key).and_then(|(p, _)| revision(p)),
            revision(&v),
        ) {
            if next < prev {
                let name = w.backend.stores[store].name.clone();
                let at = now - w.config.start;
                w.stale_writes.push(format!("{name}/{key}: a write moved Meta.Revision back from {prev} to {next} at t+{at:.1}s"));
            }
        }
        let info = w.backend.write(store, &key, v.clone(), ids, meta, now);
        super::trace::write(&mut w, vm, &key, &v);
        w.trace.add(key.as_bytes());
        w.trace.add(&info.updated_ms.to_le_bytes());
        let copy = to_lua(l, &v)?;
        w.vms[vm]
            .cache
            .insert((store, key), (now, Some((v, info.clone()))));
        Ok(("ok".into(), LuaValue::Table(info_to_lua(l, &info)?), copy))
    });
    // a removal counts as a one-kilobyte write of the key
    func!("dsRemove", |l, w, (store, key): (usize, String)| {
        let now = w.now;
        if let Err(t) = w.key_throughput.charge(store, &key, Flow::Write, 0, now) {
            w.limits.throttle(t);
            return throttled_reply(l, t);
        }
        let old = w.backend.remove(store, &key, now);
        super::trace::remove(&mut w, vm, &key);
        w.vms[vm].cache.insert((store, key.clone()), (now, None));
        w.trace.add(format!("remove {key}").as_bytes());
        record_reply(
            l,
            old.as_ref().map(|(v, _)| v),
            old.as_ref().map(|(_, i)| i),
        )
    });
    func!("dsVersions", |l, w, (store, key): (usize, String)| {
        let t = l.create_table()?;
        for (i, v) in w.backend.versions(store, &key).iter().enumerate() {
            let e = l.create_table()?;
            e.raw_set("Version", v.version.as_str())?;
            e.raw_set("CreatedTime", v.created_ms)?;
            e.raw_set("IsDeleted", v.deleted)?;
            t.raw_set(i + 1, e)?;
        }
        Ok(t)
    });
    func!("dsVersion", |l,
                        w,
                        (store, key, version, at): (
        usize,
        String,
        Option<String>,
        Option<i64>
    )| {
        let rec = match (version, at) {
            (Some(v), _) => w.backend.version(store, &key, &v),
            (None, Some(ms)) => w.backend.version_at(store, &key, ms),
            _ => None,
        }
        .filter(|r| !r.deleted)
        .cloned();
        let bytes = rec
            .as_ref()
            .and_then(|r| r.value.as_ref())
            .map_or(0, encoded_bytes);
        let now = w.now;
        if let Err(t) = w.key_throughput.charge(store, &key, Flow::Read, bytes, now) {
            w.limits.throttle(t);
            return throttled_reply(l, t);
        }
        record_reply(
            l,
            rec.as_ref().and_then(|r| r.value.as_ref()),
            rec.as_ref().map(|r| &r.info),
        )
    });
    func!("dsKeys", |l, w, (store, prefix): (usize, String)| {
        let t = l.create_table()?;
        let mut i = 0;
        for (k, rec) in &w.backend.stores[store].keys {
            if k.starts_with(&prefix) && rec.current.is_some() {
                i += 1;
                t.raw_set(i, k.as_str())?;
            }
        }
        Ok(t)
    });
    func!("dsSorted", |l,
                       w,
                       (store, ascending, min, max): (
        usize,
        bool,
        Option<f64>,
        Option<f64>
    )| {
        let mut rows: Vec<(f64, &str)> = w.backend.stores[store]
            .keys
            .iter()
            .filter_map(|(k, r)| {
                r.current
                    .as_ref()
                    .and_then(|(v, _)| v.as_f64())
                    .map(|v| (v, k.as_str()))
            })
            .filter(|(v, _)| min.is_none_or(|m| *v >= m) && max.is_none_or(|m| *v <= m))
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        if !ascending {
            rows.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        }
        let t = l.create_table_with_capacity(rows.len(), 0)?;
        for (i, (v, k)) in rows.iter().enumerate() {
            let e = l.create_table()?;
            e.raw_set("key", *k)?;
            e.raw_set("value", *v)?;
            t.raw_set(i + 1, e)?;
        }
        Ok(t)
    });
    func!("dsBudget", |_l, w, kind: String| {
        let now = w.now;
        let players = w.players_on(vm);
        let map = |k: &str| BudgetKind::from_name(k);
        let kinds: Vec<BudgetKind> = match kind.as_str() {
            "GetAsync" | "GetVersionAsync" | "OnUpdate" => vec![BudgetKind::StandardRead],
            "SetIncrementAsync" => vec![BudgetKind::StandardWrite],
            "UpdateAsync" => vec![BudgetKind::StandardRead, BudgetKind::StandardWrite],
            "GetSortedAsync" => vec![BudgetKind::OrderedList],
            "SetIncrementSortedAsync" => vec![BudgetKind::OrderedWrite],
            "ListAsync" => vec![BudgetKind::StandardList],
            "RemoveVersionAsync" => vec![BudgetKind::StandardRemove],
            other => map(other).into_iter().collect(),
        };
        let b = &mut w.vms[vm].budgets;
        Ok(kinds
            .iter()
            .map(|k| b.available(*k, now, players))
            .fold(f64::INFINITY, f64::min)
            .min(1e9))
    });

    // MessagingService
    func!("msgPublish", |l, w, (topic, data): (String, LuaValue)| {
        let now = w.now;
        let latency = 0.02 + 0.08 * w.rng.next_f64();
        let fail = |m: &str| Ok((latency, Some(l.create_string(m)?)));
        if topic.is_empty() || topic.chars().count() > 80 {
            return fail("Topic name must be 1 to 80 characters.");
        }
        let json = match to_json(&data) {
            Ok(j) => j,
            Err(e) => return fail(&format!("Message cannot be sent: {e}.")),
        };
        if encoded_len(&json) > 1024 {
            return fail("Message size exceeds the 1kB limit.");
        }
        if w.vms[vm].partitioned_until > now {
            return fail("PublishAsync failed: request timed out.");
        }
        let players = w.players_on(vm);
        if let Err(t) = w.messaging.send(vm, players, now) {
            w.limits.throttle(t);
            return fail(&t.message());
        }
        *w.requests.entry("PublishAsync".into()).or_default() += 1;
        let servers = w.alive_servers().len();
        let targets: Vec<(usize, u64)> = w
            .subscriptions
            .iter()
            .filter(|s| s.topic == topic)
            .map(|s| (s.vm, s.id))
            .collect();
        for (target, sub) in targets {
            let (lo, hi) = w.message_delay;
            let drop = w.rng.next_f64() < w.drop_rate;
            let delay = latency + lo + (hi - lo) * w.rng.next_f64();
            let dropped = if drop {
                Err(DropReason::Loss)
            } else if w.vms[target].partitioned_until > now {
                Err(DropReason::Partition)
            } else {
                w.messaging.receive(&topic, servers, now)
            };
            if let Err(reason) = dropped {
                w.limits.drop_message(reason);
                w.trace.add(b"drop");
                continue;
            }
            w.schedule(
                delay,
                Wake::Event {
                    vm: target,
                    name: "message",
                    args: vec![Value::from(sub), json.clone(), Value::from(now)],
                },
            );
        }
        Ok((latency, None))
    });
    func!("msgSubscribe", |_l, w, topic: String| {
        if topic.is_empty() || topic.chars().count() > 80 {
            return Ok((
                None,
                Some("Topic name must be 1 to 80 characters.".to_string()),
            ));
        }
        let now = w.now;
        let players = w.players_on(vm);
        let active = w.subscriptions.iter().filter(|s| s.vm == vm).count();
        if let Err(t) = w.messaging.subscribe(vm, players, active, now) {
            w.limits.throttle(t);
            return Ok((None, Some(t.message())));
        }
        let id = w.next_id();
        w.subscriptions.push(Subscription { vm, id, topic });
        Ok((Some(id), None))
    });
    func!("msgUnsubscribe", |_l, w, id: u64| {
        w.subscriptions.retain(|s| s.id != id);
        Ok(())
    });

    // remotes between a server and its clients
    func!("replicate", |_l, w, (path, class): (String, String)| {
        w.vms[vm].replicated.push((path.clone(), class.clone()));
        let clients: Vec<usize> = w.vms[vm].clients.values().copied().collect();
        for c in clients {
            w.schedule(
                REMOTE_LATENCY,
                Wake::Event {
                    vm: c,
                    name: "replicate",
                    args: vec![Value::String(path.clone()), Value::String(class.clone())],
                },
            );
        }
        Ok(())
    });
    func!("remote", |_l,
                     w,
                     (kind, path, user_id, args, future): (
        String,
        String,
        i64,
        LuaValue,
        Option<u64>
    )| {
        let args = match to_json(&args) {
            Ok(a) => a,
            Err(e) => return Ok(Some(format!("Remote arguments cannot be sent: {e}"))),
        };
        let (target, from) = match w.vms[vm].kind {
            VmKind::Server => match w.vms[vm].clients.get(&user_id) {
                Some(c) => (*c, 0),
                None => return Ok(None),
            },
            VmKind::Client { server, user_id } => (server, user_id),
        };
        let name = if kind == "invoke" { "invoke" } else { "remote" };
        let fut = future.map(Value::from).unwrap_or(Value::Null);
        w.schedule(
            REMOTE_LATENCY,
            Wake::Event {
                vm: target,
                name,
                args: vec![Value::String(path), args, Value::from(from), fut],
            },
        );
        Ok(None)
    });

    // futures: one thread parks until another VM (or Rust) resolves the id
    func!("futureNew", |_l, w, (): ()| {
        let id = w.next_id();
        w.futures.insert(
            id,
            FutureSlot {
                result: None,
                waiter: None,
            },
        );
        Ok(id)
    });
    func!("futurePark", |_l, w, (id, thread): (u64, Thread)| {
        let ready = w.futures.get(&id).is_none_or(|f| f.result.is_some());
        if ready {
            w.schedule(
                0.0,
                Wake::Resume {
                    vm,
                    thread,
                    args: vec![],
                },
            );
        } else if let Some(f) = w.futures.get_mut(&id) {
            f.waiter = Some((vm, thread));
        }
        Ok(())
    });
    func!("futureResolve", |_l,
                            w,
                            (id, ok, results, delay): (
        u64,
        bool,
        LuaValue,
        Option<f64>
    )| {
        let results = match to_json(&results) {
            Ok(Value::Array(a)) => a,
            Ok(Value::Null) => vec![],
            Ok(Value::Object(o)) if o.is_empty() => vec![],
            Ok(other) => vec![other],
            Err(e) => return Ok(Some(format!("results cannot be sent between VMs: {e}"))),
        };
        resolve_future(&mut w, id, ok, results, delay.unwrap_or(0.0));
        Ok(None)
    });
    func!("futureTake", |l, w, id: u64| {
        let mut out = MultiValue::new();
        match w.futures.remove(&id).and_then(|f| f.result) {
            Some((ok, results)) => {
                out.push_back(LuaValue::Boolean(ok));
                out.push_back(LuaValue::Integer(results.len() as i64));
                for r in &results {
                    out.push_back(to_lua(l, r)?);
                }
            }
            None => out.push_back(LuaValue::Nil),
        }
        Ok(out)
    });

    // lifecycle notifications from the Luau side
    func!("playerLeft", |_l, w, user_id: i64| {
        let (now, ccu) = (w.now, w.ccu());
        w.experience.observe_ccu(now, ccu);
        w.vms[vm].players.retain(|p| *p != user_id);
        if let Some(c) = w.vms[vm].clients.remove(&user_id) {
            w.schedule(0.0, Wake::Kill { vm: c });
        }
        w.trace.add(format!("leave {user_id} {vm}").as_bytes());
        Ok(())
    });
    func!("closed", |_l, w, (): ()| {
        w.schedule(0.0, Wake::Kill { vm });
        Ok(())
    });
    func!("report", |_l,
                     w,
                     (kind, user, value, detail): (
        String,
        i64,
        f64,
        String
    )| {
        let now = w.now;
        w.reports.push((now, kind, user, value, detail));
        Ok(())
    });
    func!("isClosing", |_l, w, (): ()| { Ok(w.vms[vm].closing) });
    // the DataModel begins closing: BindToClose callbacks are about to run
    func!("beginClosing", |_l, w, (): ()| {
        w.vms[vm].closing = true;
        Ok(())
    });

    // the `sim` API of spec files
    func_rc!("simStartServer", |_l,
                                rc,
                                (src, chunk): (
        Option<String>,
        Option<String>
    )| {
        let id = spawn_server(&rc)?;
        if let Some(src) = src {
            let args = vec![
                Value::String(src),
                Value::String(chunk.unwrap_or_else(|| "startServer".into())),
            ];
            rc.borrow_mut().schedule(
                0.0,
                Wake::Event {
                    vm: id,
                    name: "runScript",
                    args,
                },
            );
        }
        Ok(id)
    });
    func_rc!(
        "simAddPlayer",
        |_l, rc, (user_id, server): (i64, Option<usize>)| {
            let server = server.unwrap_or(vm);
            if !rc
                .borrow()
                .vms
                .get(server)
                .is_some_and(|v| v.alive && v.kind == VmKind::Server)
            {
                return Ok(Some("that server is not running".to_string()));
            }
            add_player(&rc, server, user_id)?;
            Ok(None)
        }
    );
    func_rc!(
        "simRemovePlayer",
        |_l, rc, (user_id, server): (i64, usize)| {
            remove_player(&rc, server, user_id);
            Ok(())
        }
    );
    func!("simEval", |_l, w, (target, src): (usize, String)| {
        let id = w.next_id();
        w.futures.insert(
            id,
            FutureSlot {
                result: None,
                waiter: None,
            },
        );
        if !w.vms.get(target).is_some_and(|v| v.alive) {
            resolve_future(
                &mut w,
                id,
                false,
                vec![Value::String("the server is not running".into())],
                0.0,
            );
            return Ok(id);
        }
        w.schedule(
            0.0,
            Wake::Event {
                vm: target,
                name: "eval",
                args: vec![Value::String(src), Value::from(id)],
            },
        );
        Ok(id)
    });
    func!("simCrash", |_l, w, target: usize| {
        if target == vm {
            w.schedule(0.0, Wake::Kill { vm: target });
        } else if w.vms.get(target).is_some_and(|v| v.alive) {
            kill(&mut w, target);
        }
        Ok(())
    });
    func_rc!("simShutdown", |_l, rc, target: usize| {
        let id = {
            let mut w = rc.borrow_mut();
            let id = w.next_id();
            w.futures.insert(
                id,
                FutureSlot {
                    result: None,
                    waiter: None,
                },
            );
            if w.vms.get(target).is_some_and(|v| v.alive) {
                w.vms[target].on_kill.push(id);
            } else {
                resolve_future(&mut w, id, true, vec![], 0.0);
            }
            id
        };
        shutdown(&rc, target);
        Ok(id)
    });
    func!("simPartition", |_l, w, (target, seconds): (usize, f64)| {
        let now = w.now;
        w.vms[target].partitioned_until = now + seconds;
        w.trace.add(format!("partition {target}").as_bytes());
        Ok(())
    });
    func!("simAlive", |_l, w, target: usize| {
        Ok(w.vms.get(target).is_some_and(|v| v.alive))
    });
    func!("simClient", |_l, w, (server, user_id): (usize, i64)| {
        Ok(w.vms
            .get(server)
            .and_then(|v| v.clients.get(&user_id).copied()))
    });
    func!("simRead", |l,
                      w,
                      (name, key, scope): (
        String,
        String,
        Option<String>
    )| {
        let scope = scope.unwrap_or_else(|| "global".into());
        match w
            .backend
            .find(&name, &scope, false)
            .and_then(|s| w.backend.get(s, &key))
        {
            Some((v, _)) => to_lua(l, v),
            None => Ok(LuaValue::Nil),
        }
    });
    func!("simWrite", |l,
                       w,
                       (name, key, value, scope): (
        String,
        String,
        LuaValue,
        Option<String>
    )| {
        let scope = scope.unwrap_or_else(|| "global".into());
        let store = w.backend.open(&name, &scope, false);
        let now = w.now;
        if value.is_nil() {
            w.backend.remove(store, &key, now);
            return Ok(None);
        }
        match storable(&value) {
            Ok(v) => {
                w.backend.write(store, &key, v, vec![], Map::new(), now);
                for v in w.vms.iter_mut() {
                    v.cache.remove(&(store, key.clone()));
                }
                Ok(None)
            }
            Err(e) => Ok(Some(l.create_string(e)?)),
        }
    });
    func!("simFailNext", |_l,
                          w,
                          (count, method, code, after): (
        u32,
        Option<String>,
        Option<u16>,
        Option<bool>
    )| {
        w.faults.rules.push(FaultRule {
            remaining: count,
            method,
            code: code.unwrap_or(502),
            after_commit: after.unwrap_or(false),
        });
        Ok(())
    });
    func!("simOutage", |_l, w, seconds: f64| {
        let now = w.now;
        w.faults.outage = Some((now, now + seconds));
        Ok(())
    });
    func!("simLatency", |_l, w, (lo, hi): (f64, Option<f64>)| {
        w.faults.latency = (lo, hi.unwrap_or(lo));
        Ok(())
    });
    func!("simRequests", |_l, w, method: Option<String>| {
        Ok(match method {
            Some(m) => w.requests.get(&m).copied().unwrap_or(0),
            None => w.requests.values().sum(),
        })
    });
    func!("simClosingErrors", |_l, w, p: f64| {
        w.faults.closing_error_rate = p.clamp(0.0, 1.0);
        Ok(())
    });
    func!("simLimits", |l, w, (): ()| {
        let t = l.create_table()?;
        let throttled = l.create_table()?;
        for (k, n) in &w.limits.throttled {
            throttled.raw_set(k.as_str(), *n)?;
        }
        let dropped = l.create_table()?;
        for (k, n) in &w.limits.dropped_messages {
            dropped.raw_set(k.as_str(), *n)?;
        }
        t.raw_set("throttled", throttled)?;
        t.raw_set("droppedMessages", dropped)?;
        Ok(t)
    });
    func!("simDropRate", |_l, w, p: f64| {
        w.drop_rate = p.clamp(0.0, 1.0);
        Ok(())
    });
    let _ = value_or_empty_table;
    Ok(host)
}
