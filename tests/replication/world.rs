//! The replication stand-in world shared by the replication tests and the
//! replication benchmark: `harness.luau` in a fresh Luau VM, with the server
//! `Replication.luau` module loaded in the harness's server environment.

use mlua::{Lua, Table};

const HARNESS: &str = include_str!("harness.luau");
const REPLICATION: &str = include_str!("../../templates/runtime/Replication.luau");
/// The pure runtime modules `Replication.luau` requires through `script.Parent`.
const SIBLINGS: &[(&str, &str)] = &[
    ("Path", include_str!("../../templates/runtime/Path.luau")),
    ("Types", include_str!("../../templates/runtime/Types.luau")),
    (
        "Constants",
        include_str!("../../templates/runtime/Constants.luau"),
    ),
];
/// Source of the client package, handed to the harness's client VMs.
pub const CLIENT: &str = include_str!("../../templates/client/init.luau");
/// The client package's `Signal.luau`, which `init.luau` requires.
const CLIENT_SIGNAL: &str = include_str!("../../templates/client/Signal.luau");

/// Loads the harness and the Replication module into `lua`.
pub fn load(lua: &Lua) -> mlua::Result<(Table, Table)> {
    let compile = lua.create_function(|lua, (source, name, env): (String, String, Table)| {
        lua.load(source)
            .set_name(format!("={name}"))
            .set_environment(env)
            .into_function()
    })?;
    lua.globals().set("compile", compile)?;
    lua.globals().set("ClientSignalSource", CLIENT_SIGNAL)?;
    let harness: Table = lua.load(HARNESS).set_name("=harness").eval()?;
    let server_env: Table = harness.get("serverEnv")?;
    // `script.Parent.<Name>` names a sibling; `require` loads it in the server env.
    let parent = lua.create_table()?;
    for (name, _) in SIBLINGS {
        parent.set(*name, *name)?;
    }
    let script = lua.create_table()?;
    script.set("Parent", parent)?;
    server_env.set("script", script)?;
    let env = server_env.clone();
    let require = lua.create_function(move |lua, name: String| {
        let source = SIBLINGS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| mlua::Error::runtime(format!("no runtime module {name}")))?;
        lua.load(source)
            .set_name(format!("={name}"))
            .set_environment(env.clone())
            .eval::<mlua::Value>()
    })?;
    server_env.set("require", require)?;
    let replication: Table = lua
        .load(REPLICATION)
        .set_name("=Replication")
        .set_environment(server_env)
        .eval()?;
    Ok((harness, replication))
}
