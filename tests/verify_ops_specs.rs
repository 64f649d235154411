//! Runs the Luau specs under `tests/ops/` against the runtime's pure
//! Operations and Migrations modules in a plain Luau VM: these modules must
//! work without any Roblox service, so no emulated DataModel is needed (a
//! module's `require(script.Parent.X)` loads the sibling file `X.luau`).

use std::path::{Path, PathBuf};

use mlua::{Function, Lua, Table, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vm() -> Lua {
    let lua = Lua::new();
    let require = lua
        .create_function(|lua, name: String| {
            let file = root()
                .join("templates/runtime")
                .join(format!("{name}.luau"));
            let source = std::fs::read_to_string(&file).map_err(mlua::Error::external)?;
            lua.load(source).set_name(name).eval::<Value>()
        })
        .unwrap();
    lua.globals().set("require", require).unwrap();
    // `require(script.Parent.X)` inside a module names the sibling file `X`.
    lua.load(
        "script = { Parent = setmetatable({}, { __index = function(_, name) return name end }) }",
    )
    .exec()
    .unwrap();
    lua
}

fn run_spec(file: &Path) -> Vec<String> {
    let lua = vm();
    let source = std::fs::read_to_string(file).unwrap();
    let tests: Table = lua
        .load(source)
        .set_name(file.display().to_string())
        .eval()
        .unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for pair in tests.pairs::<String, Function>() {
        let (name, test) = pair.unwrap();
        count += 1;
        if let Err(e) = test.call::<()>(()) {
            failures.push(format!("{}: {name}: {e}", file.display()));
        }
    }
    assert!(count > 0, "{} defines no tests", file.display());
    failures
}

#[test]
fn operations_specs_pass() {
    let failures = run_spec(&root().join("tests/ops/operations.spec.luau"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn migrations_specs_pass() {
    let failures = run_spec(&root().join("tests/ops/migrations.spec.luau"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
