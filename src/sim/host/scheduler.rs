//! Host functions of the scheduler: the virtual clock, wake-ups of threads,
//! output lines, the seeded randomness and script compilation.

use mlua::{Thread, Value as LuaValue, Variadic};

use super::Cx;
use crate::sim::world::Wake;

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // clock, scheduler, output, randomness
    func!(cx, "now", |_l, w, (): ()| { Ok(w.now) });
    func!(cx, "elapsed", |_l, w, (): ()| {
        Ok(w.now - w.vms[vm].started)
    });
    func!(cx, "schedule", |_l,
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
    func!(cx, "cancel", |_l, w, thread: Thread| {
        w.cancel(&thread);
        Ok(())
    });
    func!(cx, "output", |_l, w, (level, text): (String, String)| {
        let level = match level.as_str() {
            "warn" => "warn",
            "error" => "error",
            _ => "print",
        };
        w.output(vm, level, text);
        Ok(())
    });
    func!(cx, "guid", |_l, w, braces: Option<bool>| {
        Ok(w.rng.guid(braces.unwrap_or(true)))
    });
    func!(cx, "random", |_l, w, (): ()| { Ok(w.rng.next_f64()) });
    cx.host.raw_set(
        "compile",
        cx.lua.create_function(
            |lua, (src, chunk, env): (mlua::LuaString, String, Option<mlua::Table>)| {
                let name = format!("@{chunk}");
                match crate::sim::bytecode::load_in(lua, &src.as_bytes(), &name, env) {
                    Ok(f) => Ok((Some(f), None)),
                    Err(e) => Ok((None, Some(e.to_string()))),
                }
            },
        )?,
    )?;

    Ok(())
}
