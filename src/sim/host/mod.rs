//! Creates VMs and gives each one its host functions: the small Rust surface
//! the Luau emulation of Roblox (`engine/*.luau`) is built on; one module per
//! service adds its functions (`scheduler`, `http`, `datastore`, `messaging`,
//! `remotes`, `players`, `sim_api`). Host functions
//! never raise Luau errors; they return status values and the Luau side raises
//! Roblox-shaped error strings, so `pcall` callers see plain strings.

use std::rc::Rc;

use mlua::{Function, Lua, Table};
use serde_json::Value;

use super::datastore::{BudgetKind, Budgets};
use super::mount::Node;
use super::world::{FutureSlot, Shared, Vm, VmKind, Wake, WeakShared, World, BIND_TO_CLOSE_LIMIT};

/// The engine's files, joined in this order into one chunk (they share its
/// locals): each owns one concern, later files build on earlier ones.
const ENGINE: &[&str] = &[
    include_str!("../engine/prelude.luau"),
    include_str!("../engine/scheduler.luau"),
    include_str!("../engine/datatypes.luau"),
    include_str!("../engine/values.luau"),
    include_str!("../engine/signals.luau"),
    include_str!("../engine/instances.luau"),
    include_str!("../engine/remotes.luau"),
    include_str!("../engine/players.luau"),
    include_str!("../engine/runservice.luau"),
    include_str!("../engine/datastore.luau"),
    include_str!("../engine/marketplace.luau"),
    include_str!("../engine/messaging.luau"),
    include_str!("../engine/http.luau"),
    include_str!("../engine/services.luau"),
    include_str!("../engine/datamodel.luau"),
    include_str!("../engine/require.luau"),
    include_str!("../engine/scripts.luau"),
    include_str!("../engine/events.luau"),
];

/// The engine chunk: the files of `ENGINE` joined once per process.
fn engine_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| ENGINE.concat())
}
const HARNESS: &str = include_str!("../harness.luau");
/// Services in chunks of their own, run in order after the engine.
const SERVICES: &[(&str, &str)] = &[
    (
        "@vstore/services/memorystore.luau",
        include_str!("../services/memorystore.luau"),
    ),
    (
        "@vstore/services/world.luau",
        include_str!("../services/world.luau"),
    ),
];

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
            pair.raw_set(2, super::json::to_lua(lua, v)?)?;
            list.raw_push(pair)?;
        }
        t.raw_set(field, list)?;
    }
    Ok(t)
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
    super::budget::install(&lua)?;
    let host = install(&lua, &Rc::downgrade(world), id)?;
    super::memorystore_host::install(&lua, &host, &Rc::downgrade(world), id)?;
    super::teleport_host::install(&lua, &host, &Rc::downgrade(world), id)?;
    let cfg = lua.create_table()?;
    cfg.raw_set("JobId", job_id)?;
    cfg.raw_set("PlaceId", 1_818_i64)?;
    cfg.raw_set("Seed", seed as f64)?;
    cfg.raw_set("IsClient", matches!(kind, VmKind::Client { .. }))?;
    cfg.raw_set("UserId", user_id)?;
    cfg.raw_set("Vm", id)?;
    let tree = node_to_lua(&lua, &package)?;
    let prelude = super::bytecode::load(&lua, engine_source().as_bytes(), "@vstore/engine.luau")?;
    let (resume, dispatch): (Function, Function) = {
        let _budget = super::budget::enter(&lua);
        let engine: (Function, Function) = prelude.call((host, cfg, tree))?;
        for (name, source) in SERVICES {
            super::bytecode::load(&lua, source.as_bytes(), name)?.call::<()>(())?;
        }
        engine
    };
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
    let lua = world.borrow().vms[vm].lua.clone();
    let _budget = lua.as_ref().map(super::budget::enter);
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

/// What each service module's `install` adds its host functions to.
pub(super) struct Cx<'a> {
    pub lua: &'a Lua,
    pub host: &'a Table,
    pub world: &'a WeakShared,
    pub vm: usize,
}

/// Adds one host function that borrows the world mutably for its whole call.
macro_rules! func {
    ($cx:ident, $name:expr, |$lua:ident, $w:ident, $args:tt : $ty:ty| $body:block) => {{
        let weak = $cx.world.clone();
        $cx.host.raw_set(
            $name,
            $cx.lua.create_function(move |$lua, $args: $ty| {
                let rc = $crate::sim::host::upgrade(&weak)?;
                #[allow(unused_mut)]
                let mut $w = rc.borrow_mut();
                $body
            })?,
        )?;
    }};
}

/// Adds one host function that gets the shared world and borrows it itself.
macro_rules! func_rc {
    ($cx:ident, $name:expr, |$lua:ident, $rc:ident, $args:tt : $ty:ty| $body:block) => {{
        let weak = $cx.world.clone();
        $cx.host.raw_set(
            $name,
            $cx.lua.create_function(move |$lua, $args: $ty| {
                let $rc = $crate::sim::host::upgrade(&weak)?;
                $body
            })?,
        )?;
    }};
}

mod datastore;
mod http;
mod messaging;
mod players;
mod remotes;
mod scheduler;
mod sim_api;

/// `host.newObject(mt)`: a new empty userdata whose metatable is `mt`. Engine
/// objects are such userdata, as on Roblox: `type` says "userdata", and Luau
/// names the metatable's `__type` (the Roblox class) in its own error
/// messages, which it does not for `newproxy` userdata. Many objects share
/// one metatable.
unsafe extern "C-unwind" fn new_object(state: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    // SAFETY: called by Luau with its arguments on the stack; the engine passes
    // a table as the first one (`lua_setmetatable` takes a table or nil).
    unsafe {
        if mlua::ffi::lua_type(state, 1) != mlua::ffi::LUA_TTABLE {
            return 0;
        }
        mlua::ffi::lua_newuserdata(state, 0);
        mlua::ffi::lua_pushvalue(state, 1);
        mlua::ffi::lua_setmetatable(state, -2);
    }
    1
}

fn install(lua: &Lua, world: &WeakShared, vm: usize) -> mlua::Result<Table> {
    let host = lua.create_table()?;
    // SAFETY: `new_object` only uses the Lua stack as the C API documents.
    host.raw_set("newObject", unsafe { lua.create_c_function(new_object)? })?;
    let cx = Cx {
        lua,
        host: &host,
        world,
        vm,
    };
    scheduler::install(&cx)?;
    http::install(&cx)?;
    datastore::install(&cx)?;
    messaging::install(&cx)?;
    remotes::install(&cx)?;
    players::install(&cx)?;
    sim_api::install(&cx)?;
    Ok(host)
}
