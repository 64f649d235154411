//! Runs the replication specs (`emulated.luau`) against the server
//! `Replication.luau` and the client package, each in a fresh Luau VM built
//! by `harness.luau`.

mod world;

use mlua::{Function, Lua, Table, Value};
use world::CLIENT;

const SPECS: &str = include_str!("emulated.luau");

fn world() -> mlua::Result<(Lua, Table)> {
    let lua = Lua::new();
    let (harness, replication) = world::load(&lua)?;
    let clock: Function = harness.get("clock")?;
    replication.set("clock", clock)?;
    let env = lua.create_table()?;
    env.set("Harness", harness)?;
    env.set("Replication", replication)?;
    env.set("ClientSource", CLIENT)?;
    Ok((lua, env))
}

fn run(spec: &str) {
    let (lua, env) = world().expect("world builds");
    let spec_env = lua.create_table().unwrap();
    let meta = lua.create_table().unwrap();
    meta.set("__index", lua.globals()).unwrap();
    spec_env.set_metatable(Some(meta)).unwrap();
    let specs: Table = lua
        .load(SPECS)
        .set_name("=emulated")
        .set_environment(spec_env)
        .eval()
        .expect("specs load");
    let body: Function = specs
        .get(spec)
        .unwrap_or_else(|_| panic!("no spec named {spec}"));
    let runner: Function = lua
        .load(
            r#"
            local body, env = ...
            local thread = coroutine.create(body)
            local ok, err = coroutine.resume(thread, env)
            if not ok then error(debug.traceback(thread, tostring(err)), 0) end
            if coroutine.status(thread) ~= "dead" then error("spec yielded forever", 0) end
            "#,
        )
        .into_function()
        .unwrap();
    if let Err(err) = runner.call::<Value>((body, env)) {
        panic!("{spec} failed:\n{err}");
    }
}

macro_rules! specs {
    ($($name:ident),* $(,)?) => {
        $(#[test]
        fn $name() {
            run(stringify!($name));
        })*
    };
}

specs!(
    initial_snapshot_equals_public_projection,
    mirror_follows_every_kind_of_mutation,
    private_changes_send_nothing,
    private_field_beside_public_one_never_reaches_client,
    dropped_patch_leads_to_resync,
    other_players_never_receive_this_players_data,
    malformed_and_flooding_requests_are_ignored_and_counted,
    replica_is_read_only,
    observe_fires_with_current_value_and_on_changes_at_or_below,
    replicate_now_and_transforms,
    await_times_out_and_disconnect_stops_updates,
);
