//! Budgets of user Luau: each call from Rust into a VM (a scheduled resume, a
//! host event, a migration or handler run of the release checks) may run for
//! at most `call_seconds` of wall time without yielding back, and each VM's
//! heap is capped at `MEMORY_LIMIT` bytes. Code over the time budget fails
//! with an error naming the file, line and function it was running; over the
//! memory limit Luau raises "not enough memory". Either error is an ordinary
//! Luau error in that thread: the tool reports it and ends, never hangs or
//! aborts.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{Lua, VmState};

/// Most bytes one VM's Luau heap may hold.
pub const MEMORY_LIMIT: usize = 512 * 1024 * 1024;
/// Wall time one call into a VM may run without yielding.
pub const CALL_SECONDS: f64 = 10.0;
/// The environment variable that overrides `CALL_SECONDS` (a number of
/// seconds), for slow machines and for tests of the budget itself.
pub const CALL_SECONDS_VAR: &str = "VSTORE_LUAU_CALL_SECONDS";
/// The clock is read once per this many interrupts (function calls and loop
/// back edges), which keeps the check cheap.
const CHECK_EVERY: u32 = 4096;

struct Budget {
    limit: Duration,
    started: Cell<Option<Instant>>,
    ticks: Cell<u32>,
    /// Over budget already: the code that caught the first error gets
    /// `CHECK_EVERY` more interrupts to report it, then errors again, so a
    /// retry loop around the runaway code cannot run on unbounded.
    tripped: Cell<bool>,
}

fn call_limit() -> Duration {
    let secs = std::env::var(CALL_SECONDS_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(CALL_SECONDS);
    Duration::from_secs_f64(secs)
}

/// Gives a VM its memory limit and the time budget of its calls.
pub fn install(lua: &Lua) -> mlua::Result<()> {
    // an allocator without memory control is not an error worth failing on
    let _ = lua.set_memory_limit(MEMORY_LIMIT);
    let budget = Rc::new(Budget {
        limit: call_limit(),
        started: Cell::new(None),
        ticks: Cell::new(0),
        tripped: Cell::new(false),
    });
    lua.set_app_data(budget.clone());
    // The interrupt runs at every Luau safepoint (calls and loop back edges):
    // it holds its own handle on the budget instead of looking the app data
    // up each time.
    lua.set_interrupt(move |lua| {
        let b = &*budget;
        let Some(started) = b.started.get() else {
            return Ok(VmState::Continue);
        };
        let t = b.ticks.get().wrapping_add(1);
        b.ticks.set(t);
        if !t.is_multiple_of(CHECK_EVERY) || (!b.tripped.get() && started.elapsed() < b.limit) {
            return Ok(VmState::Continue);
        }
        b.tripped.set(true);
        Err(mlua::Error::runtime(exhausted(lua, b.limit)))
    });
    Ok(())
}

fn exhausted(lua: &Lua, limit: Duration) -> String {
    let at = (0..8)
        .filter_map(|level| {
            lua.inspect_stack(level, |d| {
                let src = d.source();
                let file = src.short_src.as_deref().unwrap_or("?").to_string();
                let line = d.current_line().unwrap_or(0);
                let name = d.names().name.as_deref().unwrap_or("?").to_string();
                (file, line, name)
            })
        })
        .find(|(file, line, _)| *line > 0 && file != "[C]");
    let place = match at {
        Some((file, line, name)) => format!("{file}:{line} in function {name}"),
        None => "an unknown place".to_string(),
    };
    format!(
        "Script timeout: exhausted allowed execution time ({:.0} s without yielding) at {place}; \
         user Luau must yield (for example task.wait) or finish",
        limit.as_secs_f64()
    )
}

/// The time budget runs while the guard lives; calls nested inside an outer
/// call share the outer budget.
pub struct Entered<'a> {
    lua: &'a Lua,
    outer: bool,
}

/// Starts the time budget of one call into `lua`.
pub fn enter(lua: &Lua) -> Entered<'_> {
    let mut outer = false;
    if let Some(b) = lua.app_data_ref::<Rc<Budget>>() {
        if b.started.get().is_none() {
            b.started.set(Some(Instant::now()));
            b.ticks.set(0);
            b.tripped.set(false);
            outer = true;
        }
    }
    Entered { lua, outer }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        if self.outer {
            if let Some(b) = self.lua.app_data_ref::<Rc<Budget>>() {
                b.started.set(None);
                b.tripped.set(false);
            }
        }
    }
}
