//! Host functions of the `sim` API that spec files drive: servers, players,
//! crashes, partitions, faults, direct reads and writes of the backend.

use mlua::Value as LuaValue;
use serde_json::{Map, Value};

use super::datastore::storable;
use super::Cx;
use super::{add_player, kill, remove_player, resolve_future, shutdown, spawn_server};
use crate::sim::datastore::FaultRule;
use crate::sim::json::to_lua;
use crate::sim::world::{FutureSlot, VmKind, Wake};

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // the `sim` API of spec files
    func_rc!(cx, "simStartServer", |_l,
                                    rc,
                                    (src, chunk): (
        Option<String>,
        Option<String>
    )| {
        let id = spawn_server(&rc)?;
        if let Some(src) = src {
            let args = vec![
                Value::String(src),
                Value::String(chunk.unwrap_or_else(|| "startServer".into())),
            ];
            rc.borrow_mut().schedule(
                0.0,
                Wake::Event {
                    vm: id,
                    name: "runScript",
                    args,
                },
            );
        }
        Ok(id)
    });
    func_rc!(cx, "simAddPlayer", |_l,
                                  rc,
                                  (user_id, server): (
        i64,
        Option<usize>
    )| {
        let server = server.unwrap_or(vm);
        if !rc
            .borrow()
            .vms
            .get(server)
            .is_some_and(|v| v.alive && v.kind == VmKind::Server)
        {
            return Ok(Some("that server is not running".to_string()));
        }
        add_player(&rc, server, user_id)?;
        Ok(None)
    });
    func_rc!(
        cx,
        "simRemovePlayer",
        |_l, rc, (user_id, server): (i64, usize)| {
            remove_player(&rc, server, user_id);
            Ok(())
        }
    );
    func!(cx, "simEval", |_l, w, (target, src): (usize, String)| {
        let id = w.next_id();
        w.futures.insert(
            id,
            FutureSlot {
                result: None,
                waiter: None,
            },
        );
        if !w.vms.get(target).is_some_and(|v| v.alive) {
            resolve_future(
                &mut w,
                id,
                false,
                vec![Value::String("the server is not running".into())],
                0.0,
            );
            return Ok(id);
        }
        w.schedule(
            0.0,
            Wake::Event {
                vm: target,
                name: "eval",
                args: vec![Value::String(src), Value::from(id)],
            },
        );
        Ok(id)
    });
    func!(cx, "simCrash", |_l, w, target: usize| {
        if target == vm {
            w.schedule(0.0, Wake::Kill { vm: target });
        } else if w.vms.get(target).is_some_and(|v| v.alive) {
            kill(&mut w, target);
        }
        Ok(())
    });
    func_rc!(cx, "simShutdown", |_l, rc, target: usize| {
        let id = {
            let mut w = rc.borrow_mut();
            let id = w.next_id();
            w.futures.insert(
                id,
                FutureSlot {
                    result: None,
                    waiter: None,
                },
            );
            if w.vms.get(target).is_some_and(|v| v.alive) {
                w.vms[target].on_kill.push(id);
            } else {
                resolve_future(&mut w, id, true, vec![], 0.0);
            }
            id
        };
        shutdown(&rc, target);
        Ok(id)
    });
    func!(
        cx,
        "simPartition",
        |_l, w, (target, seconds): (usize, f64)| {
            let now = w.now;
            w.vms[target].partitioned_until = now + seconds;
            w.trace.add(format!("partition {target}").as_bytes());
            Ok(())
        }
    );
    func!(cx, "simAlive", |_l, w, target: usize| {
        Ok(w.vms.get(target).is_some_and(|v| v.alive))
    });
    func!(cx, "simClient", |_l, w, (server, user_id): (usize, i64)| {
        Ok(w.vms
            .get(server)
            .and_then(|v| v.clients.get(&user_id).copied()))
    });
    func!(cx, "simRead", |l,
                          w,
                          (name, key, scope): (
        String,
        String,
        Option<String>
    )| {
        let scope = scope.unwrap_or_else(|| "global".into());
        match w
            .backend
            .find(&name, &scope, false)
            .and_then(|s| w.backend.get(s, &key))
        {
            Some((v, _)) => to_lua(l, v),
            None => Ok(LuaValue::Nil),
        }
    });
    func!(cx, "simWrite", |l,
                           w,
                           (name, key, value, scope): (
        String,
        String,
        LuaValue,
        Option<String>
    )| {
        let scope = scope.unwrap_or_else(|| "global".into());
        let store = w.backend.open(&name, &scope, false);
        let now = w.now;
        if value.is_nil() {
            w.backend.remove(store, &key, now);
            return Ok(None);
        }
        match storable(&value) {
            Ok(v) => {
                w.backend.write(store, &key, v, vec![], Map::new(), now);
                for v in w.vms.iter_mut() {
                    v.cache.remove(&(store, key.clone()));
                }
                Ok(None)
            }
            Err(e) => Ok(Some(l.create_string(e)?)),
        }
    });
    func!(cx, "simFailNext", |_l,
                              w,
                              (count, method, code, after): (
        u32,
        Option<String>,
        Option<u16>,
        Option<bool>
    )| {
        w.faults.rules.push(FaultRule {
            remaining: count,
            method,
            code: code.unwrap_or(502),
            after_commit: after.unwrap_or(false),
        });
        Ok(())
    });
    func!(cx, "simOutage", |_l, w, seconds: f64| {
        let now = w.now;
        w.faults.outage = Some((now, now + seconds));
        Ok(())
    });
    func!(cx, "simLatency", |_l, w, (lo, hi): (f64, Option<f64>)| {
        w.faults.latency = (lo, hi.unwrap_or(lo));
        Ok(())
    });
    func!(cx, "simRequests", |_l, w, method: Option<String>| {
        Ok(match method {
            Some(m) => w.requests.get(&m).copied().unwrap_or(0),
            None => w.requests.values().sum(),
        })
    });
    func!(cx, "simClosingErrors", |_l, w, p: f64| {
        w.faults.closing_error_rate = p.clamp(0.0, 1.0);
        Ok(())
    });
    func!(cx, "simLimits", |l, w, (): ()| {
        let t = l.create_table()?;
        let throttled = l.create_table()?;
        for (k, n) in &w.limits.throttled {
            throttled.raw_set(k.as_str(), *n)?;
        }
        let dropped = l.create_table()?;
        for (k, n) in &w.limits.dropped_messages {
            dropped.raw_set(k.as_str(), *n)?;
        }
        t.raw_set("throttled", throttled)?;
        t.raw_set("droppedMessages", dropped)?;
        Ok(t)
    });
    func!(cx, "simDropRate", |_l, w, p: f64| {
        w.drop_rate = p.clamp(0.0, 1.0);
        Ok(())
    });
    Ok(())
}
