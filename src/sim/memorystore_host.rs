//! The `ms*` host functions the emulated MemoryStoreService is built on,
//! over the world's [`MemoryStore`](super::memorystore::MemoryStore). They
//! never raise: a refused request returns its `"<StatusCode>: text"` error.

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::Value;

use super::json::{to_json, to_lua};
use super::memorystore::{Call, Kind, MsError, SortKey};
use super::world::{WeakShared, World};

fn kind(name: &str) -> mlua::Result<Kind> {
    match name {
        "HashMap" => Ok(Kind::HashMap),
        "SortedMap" => Ok(Kind::SortedMap),
        "Queue" => Ok(Kind::Queue),
        other => Err(mlua::Error::runtime(format!(
            "unknown memory store kind {other}"
        ))),
    }
}

fn call(w: &mut World, vm: usize) -> Call {
    let draw = w.rng.next_f64();
    Call {
        now: w.now,
        vm,
        users: w.ccu() as u64,
        draw,
    }
}

fn sort_key(v: &LuaValue) -> Option<SortKey> {
    match v {
        LuaValue::Integer(i) => Some(SortKey::Number(*i as f64)),
        LuaValue::Number(n) => Some(SortKey::Number(*n)),
        LuaValue::String(s) => Some(SortKey::Text(s.to_string_lossy().to_string())),
        _ => None,
    }
}

fn sort_key_lua(lua: &Lua, k: &Option<SortKey>) -> mlua::Result<LuaValue> {
    Ok(match k {
        Some(SortKey::Number(n)) => LuaValue::Number(*n),
        Some(SortKey::Text(s)) => LuaValue::String(lua.create_string(s)?),
        None => LuaValue::Nil,
    })
}

fn json_value(v: &LuaValue) -> Result<Value, MsError> {
    to_json(v).map_err(|_| MsError {
        code: "InvalidRequest",
        message: "Unable to convert value to json.".into(),
    })
}

/// Installs the `ms*` functions into `host` for VM `vm`.
pub fn install(lua: &Lua, host: &Table, world: &WeakShared, vm: usize) -> mlua::Result<()> {
    macro_rules! func {
        ($name:expr, |$lua:ident, $w:ident, $args:tt : $ty:ty| $body:block) => {{
            let weak = world.clone();
            host.raw_set(
                $name,
                lua.create_function(move |$lua, $args: $ty| {
                    let rc = weak
                        .upgrade()
                        .ok_or_else(|| mlua::Error::runtime("the simulated universe has ended"))?;
                    #[allow(unused_mut)]
                    let mut $w = rc.borrow_mut();
                    $body
                })?,
            )?;
        }};
    }

    // admission: (latency, error?)
    func!(
        "msRequest",
        |_l, w, (k, name, units): (String, String, u64)| {
            let k = kind(&k)?;
            let c = call(&mut w, vm);
            let latency = 0.01 + w.rng.next_f64() * 0.04;
            *w.requests.entry(format!("MemoryStore {k:?}")).or_default() += 1;
            match w.memory.admit(c, k, &name, units) {
                Ok(()) => Ok((latency, None)),
                Err(e) => Ok((latency, Some(e.text()))),
            }
        }
    );
    func!(
        "msCharge",
        |_l, w, (k, name, units): (String, String, u64)| {
            let k = kind(&k)?;
            let now = w.now;
            w.memory.charge(now, k, &name, units);
            Ok(())
        }
    );
    // (value, sortKey, version): version 0 when absent
    func!("msGet", |l, w, (k, name, key): (String, String, String)| {
        let k = kind(&k)?;
        let now = w.now;
        match w.memory.get(k, &name, &key, now) {
            Some(item) => Ok((
                to_lua(l, &item.value)?,
                sort_key_lua(l, &item.sort_key)?,
                item.version,
            )),
            None => Ok((LuaValue::Nil, LuaValue::Nil, 0)),
        }
    });
    // ("new" | "updated" | "conflict" | nil, error?)
    func!(
        "msSet",
        |_l,
         w,
         (k, name, key, value, sk, expiration, expect): (
            String,
            String,
            String,
            LuaValue,
            LuaValue,
            f64,
            Option<u64>
        )| {
            let k = kind(&k)?;
            let value = match json_value(&value) {
                Ok(v) => v,
                Err(e) => return Ok((None, Some(e.text()))),
            };
            let c = call(&mut w, vm);
            match w
                .memory
                .set(c, k, &name, &key, value, sort_key(&sk), expiration, expect)
            {
                Ok(Some(true)) => Ok((Some("new"), None)),
                Ok(Some(false)) => Ok((Some("updated"), None)),
                Ok(None) => Ok((Some("conflict"), None)),
                Err(e) => Ok((None, Some(e.text()))),
            }
        }
    );
    func!(
        "msRemove",
        |_l, w, (k, name, key): (String, String, String)| {
            let k = kind(&k)?;
            let now = w.now;
            Ok(w.memory.remove(k, &name, &key, now, None).is_ok())
        }
    );
    func!("msList", |l, w, (k, name): (String, String)| {
        let k = kind(&k)?;
        let now = w.now;
        let out = l.create_table()?;
        for key in w.memory.keys(k, &name, now) {
            if let Some(item) = w.memory.get(k, &name, &key, now) {
                let e = l.create_table()?;
                e.raw_set("key", key.as_str())?;
                e.raw_set("value", to_lua(l, &item.value)?)?;
                out.raw_push(e)?;
            }
        }
        Ok(out)
    });
    func!("msRange", |l,
                      w,
                      (name, descending, count, lk, ls, uk, us): (
        String,
        bool,
        usize,
        Option<String>,
        LuaValue,
        Option<String>,
        LuaValue
    )| {
        let now = w.now;
        // a bound with only a sort key is the lowest (or highest) key of it
        let lower = (lk.is_some() || !ls.is_nil()).then(|| (sort_key(&ls), lk.unwrap_or_default()));
        let upper = (uk.is_some() || !us.is_nil()).then(|| {
            (
                sort_key(&us),
                uk.unwrap_or_else(|| "\u{10FFFF}".repeat(129)),
            )
        });
        let out = l.create_table()?;
        for (key, item) in w.memory.range(&name, now, descending, count, lower, upper) {
            let e = l.create_table()?;
            e.raw_set("key", key.as_str())?;
            e.raw_set("value", to_lua(l, &item.value)?)?;
            e.raw_set("sortKey", sort_key_lua(l, &item.sort_key)?)?;
            out.raw_push(e)?;
        }
        Ok(out)
    });
    func!(
        "msSize",
        |_l, w, (k, name, visible): (String, String, bool)| {
            let k = kind(&k)?;
            let now = w.now;
            Ok(w.memory.size(k, &name, now, visible))
        }
    );
    func!("msEnqueue", |_l,
                        w,
                        (name, value, expiration, priority): (
        String,
        LuaValue,
        f64,
        f64
    )| {
        let value = match json_value(&value) {
            Ok(v) => v,
            Err(e) => return Ok(Some(e.text())),
        };
        let c = call(&mut w, vm);
        Ok(w.memory
            .enqueue(c, &name, value, expiration, priority)
            .err()
            .map(|e| e.text()))
    });
    func!("msDequeue", |l,
                        w,
                        (name, count, all, invisibility): (
        String,
        usize,
        bool,
        f64
    )| {
        let now = w.now;
        let id = w.rng.guid(false);
        let items = w.memory.dequeue(&name, now, count, all, invisibility, &id);
        let out = l.create_table()?;
        for v in &items {
            out.raw_push(to_lua(l, v)?)?;
        }
        Ok((out, if items.is_empty() { None } else { Some(id) }))
    });
    func!("msRemoveRead", |_l, w, (name, id): (String, String)| {
        let now = w.now;
        Ok(w.memory.remove_read(&name, now, &id))
    });
    // faults and figures, for specs (`sim.memorystore`) and scenarios
    func!("msFailNext", |_l, w, (n, code): (u32, String)| {
        let code = super::memorystore::static_code(&code);
        w.memory.faults.fail_next.push((n, code));
        Ok(())
    });
    func!("msOutage", |_l, w, seconds: f64| {
        let now = w.now;
        w.memory.faults.outage = Some((now, now + seconds));
        Ok(())
    });
    func!("msErrorRate", |_l, w, p: f64| {
        w.memory.faults.error_rate = p;
        Ok(())
    });
    func!(
        "msPartition",
        |_l, w, (target, seconds): (Option<usize>, f64)| {
            let now = w.now;
            w.memory
                .faults
                .partitioned
                .insert(target.unwrap_or(vm), now + seconds);
            Ok(())
        }
    );
    func!("msStats", |l, w, (): ()| {
        let t = l.create_table()?;
        t.raw_set("requests", w.memory.stats.requests)?;
        t.raw_set("units", w.memory.stats.units)?;
        let now = w.now;
        t.raw_set("memory", w.memory.memory_used(now))?;
        let failures = l.create_table()?;
        for (code, n) in &w.memory.stats.failures {
            failures.raw_set(code.as_str(), *n)?;
        }
        t.raw_set("failures", failures)?;
        Ok(t)
    });
    Ok(())
}
