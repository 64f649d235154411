//! The replication stand-in world shared by the replication tests and the
//! replication benchmark: `harness.luau` in a fresh Luau VM, with the server
//! `Replication.luau` module loaded in the harness's server environment.

use mlua::{Lua, Table};

const HARNESS: &str = include_str!("harness.luau");
const REPLICATION: &str = include_str!("../../templates/runtime/Replication.luau");
/// Source of the client package, handed to the harness's client VMs.
pub const CLIENT: &str = include_str!("../../templates/client/init.luau");

/// Loads the harness and the Replication module into `lua`.
pub fn load(lua: &Lua) -> mlua::Result<(Table, Table)> {
    let compile = lua.create_function(|lua, (source, name, env): (String, String, Table)| {
        lua.load(source)
            .set_name(format!("={name}"))
            .set_environment(env)
            .into_function()
    })?;
    lua.globals().set("compile", compile)?;
    let harness: Table = lua.load(HARNESS).set_name("=harness").eval()?;
    let server_env: Table = harness.get("serverEnv")?;
    let replication: Table = lua
        .load(REPLICATION)
        .set_name("=Replication")
        .set_environment(server_env)
        .eval()?;
    Ok((harness, replication))
}
