//! Compiled Luau shared by every VM of the process: a chunk's source is
//! compiled to bytecode once and each VM loads the bytecode, instead of every
//! simulated server and client parsing and compiling the same emulation,
//! runtime and game modules again. It owns only that cache; what a chunk
//! does, its name and its environment stay with the caller.
//!
//! Loading cached bytecode gives the same function as loading the source:
//! the bytecode is compiled with the options `Lua::load` uses for text (the
//! defaults of `luacode.h`), and the chunk name is given at load time, so
//! tracebacks, error messages and the trace hash are unchanged. Source that
//! does not compile is loaded as text, so its syntax error reads as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use mlua::chunk::Compiler;
use mlua::{Function, Lua, Table};

/// Shorter chunks (one-line evals, per-user oracle reads) compile in
/// microseconds and would only fill the cache.
const MIN_CACHED: usize = 512;
/// Distinct sources kept; past it the cache starts over, which only costs
/// compiling again.
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
struct Cache {
    chunks: HashMap<Box<[u8]>, Arc<[u8]>>,
    compiled: u64,
    reused: u64,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// How often chunks were compiled and how often bytecode was reused.
pub fn stats() -> (u64, u64) {
    let c = cache().lock().unwrap_or_else(|e| e.into_inner());
    (c.compiled, c.reused)
}

/// The bytecode of `source`, compiled on first use; `None` when it does not
/// compile (or is too short to be worth keeping).
fn bytecode(source: &[u8]) -> Option<Arc<[u8]>> {
    if source.len() < MIN_CACHED {
        return None;
    }
    {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = c.chunks.get(source).cloned() {
            c.reused += 1;
            return Some(b);
        }
    }
    // compiled outside the lock so threads do not wait on each other's compiles
    let compiled: Arc<[u8]> = Compiler::new().compile(source).ok()?.into();
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.chunks.len() >= MAX_ENTRIES {
        c.chunks.clear();
    }
    c.compiled += 1;
    c.chunks.insert(source.into(), compiled.clone());
    Some(compiled)
}

/// Loads `source` as a function called `name` (`@file.luau` style) in `lua`.
pub fn load(lua: &Lua, source: &[u8], name: &str) -> mlua::Result<Function> {
    load_in(lua, source, name, None)
}

/// Like [`load`], with `env` (when given) as the function's global environment.
pub fn load_in(lua: &Lua, source: &[u8], name: &str, env: Option<Table>) -> mlua::Result<Function> {
    let compiled = bytecode(source);
    let text: &[u8] = compiled.as_deref().unwrap_or(source);
    let chunk = lua.load(text).set_name(name);
    match env {
        Some(env) => chunk.set_environment(env).into_function(),
        None => chunk.into_function(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(body: &str) -> String {
        format!("{}\n{body}", "-- padding\n".repeat(MIN_CACHED / 10))
    }

    #[test]
    fn cached_bytecode_runs_like_the_source_and_keeps_the_chunk_name() {
        let src = long("local x = ...\nif x then error('boom') end\nreturn 40 + 2");
        for _ in 0..2 {
            let lua = Lua::new();
            let f = load(&lua, src.as_bytes(), "@game/Shop.luau").unwrap();
            assert_eq!(f.call::<i64>(()).unwrap(), 42);
            let err = f.call::<i64>(true).unwrap_err().to_string();
            let line = src.lines().count() - 1;
            assert!(
                err.contains(&format!("game/Shop.luau:{line}: boom")),
                "{err}"
            );
        }
        assert!(cache().lock().unwrap().chunks.contains_key(src.as_bytes()));
    }

    #[test]
    fn a_syntax_error_reads_as_it_does_when_loading_the_source() {
        let src = long("local = 1");
        let lua = Lua::new();
        let cached = load(&lua, src.as_bytes(), "@bad.luau").unwrap_err();
        let plain = lua
            .load(src.as_bytes())
            .set_name("@bad.luau")
            .into_function()
            .unwrap_err();
        assert_eq!(cached.to_string(), plain.to_string());
        assert!(cached.to_string().contains("bad.luau:"), "{cached}");
    }
}
