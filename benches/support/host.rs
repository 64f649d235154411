//! A minimal Luau host for the runtime: loads `templates/runtime` under an
//! emulated `ServerScriptService.VirtualStore` with a virtual-clock `task`
//! library (see `prelude.luau`). Used by the `runtime_add` and `record_cost` benchmarks.

use std::path::Path;

use mlua::{Lua, LuaSerdeExt, Table, Value};

/// Creates a VM with the runtime mounted at `ServerScriptService.VirtualStore`.
pub fn new_vm(runtime_dir: &Path) -> mlua::Result<Lua> {
    let lua = Lua::new();
    let compile = lua.create_function(|lua, (source, name, env): (String, String, Table)| {
        lua.load(source)
            .set_name(name)
            .set_environment(env)
            .into_function()
    })?;
    lua.globals().set("__compile", compile)?;
    let encode = lua.create_function(|lua, value: Value| {
        let json: serde_json::Value = lua.from_value(value)?;
        Ok(json.to_string())
    })?;
    lua.globals().set("__jsonEncode", encode)?;
    let decode = lua.create_function(|lua, text: String| {
        let json: serde_json::Value = serde_json::from_str(&text).map_err(mlua::Error::external)?;
        lua.to_value(&json)
    })?;
    lua.globals().set("__jsonDecode", decode)?;
    lua.load(include_str!("prelude.luau"))
        .set_name("@prelude")
        .exec()?;

    let files = lua.create_table()?;
    for entry in walk(runtime_dir) {
        let rel = entry.strip_prefix(runtime_dir).expect("walked under root");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let source = std::fs::read_to_string(&entry).map_err(mlua::Error::external)?;
        files.set(rel, source)?;
    }
    let mount: mlua::Function = lua.globals().get("__mount")?;
    let game: Table = lua.globals().get("game")?;
    let get_service: mlua::Function = game.get("GetService")?;
    let sss: Table = get_service.call((game.clone(), "ServerScriptService"))?;
    mount.call::<Table>((files, sss, "VirtualStore"))?;
    Ok(lua)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "luau") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
