//! Host functions of remotes between a server and its clients, replication of
//! remote instances, and futures (a thread parked until another VM or Rust
//! resolves an id).

use mlua::{MultiValue, Thread, Value as LuaValue};
use serde_json::Value;

use super::resolve_future;
use super::Cx;
use crate::sim::json::{to_json, to_lua};
use crate::sim::world::{FutureSlot, VmKind, Wake, REMOTE_LATENCY};

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // remotes between a server and its clients
    func!(cx, "replicate", |_l, w, (path, class): (String, String)| {
        w.vms[vm].replicated.push((path.clone(), class.clone()));
        let clients: Vec<usize> = w.vms[vm].clients.values().copied().collect();
        for c in clients {
            w.schedule(
                REMOTE_LATENCY,
                Wake::Event {
                    vm: c,
                    name: "replicate",
                    args: vec![Value::String(path.clone()), Value::String(class.clone())],
                },
            );
        }
        Ok(())
    });
    func!(cx, "remote", |_l,
                         w,
                         (kind, path, user_id, args, future): (
        String,
        String,
        i64,
        LuaValue,
        Option<u64>
    )| {
        let args = match to_json(&args) {
            Ok(a) => a,
            Err(e) => return Ok(Some(format!("Remote arguments cannot be sent: {e}"))),
        };
        let (target, from) = match w.vms[vm].kind {
            VmKind::Server => match w.vms[vm].clients.get(&user_id) {
                Some(c) => (*c, 0),
                None => return Ok(None),
            },
            VmKind::Client { server, user_id } => (server, user_id),
        };
        let name = if kind == "invoke" { "invoke" } else { "remote" };
        let fut = future.map(Value::from).unwrap_or(Value::Null);
        w.schedule(
            REMOTE_LATENCY,
            Wake::Event {
                vm: target,
                name,
                args: vec![Value::String(path), args, Value::from(from), fut],
            },
        );
        Ok(None)
    });

    // futures: one thread parks until another VM (or Rust) resolves the id
    func!(cx, "futureNew", |_l, w, (): ()| {
        let id = w.next_id();
        w.futures.insert(
            id,
            FutureSlot {
                result: None,
                waiter: None,
            },
        );
        Ok(id)
    });
    func!(cx, "futurePark", |_l, w, (id, thread): (u64, Thread)| {
        let ready = w.futures.get(&id).is_none_or(|f| f.result.is_some());
        if ready {
            w.schedule(
                0.0,
                Wake::Resume {
                    vm,
                    thread,
                    args: vec![],
                },
            );
        } else if let Some(f) = w.futures.get_mut(&id) {
            f.waiter = Some((vm, thread));
        }
        Ok(())
    });
    func!(cx, "futureResolve", |_l,
                                w,
                                (id, ok, results, delay): (
        u64,
        bool,
        LuaValue,
        Option<f64>
    )| {
        let results = match to_json(&results) {
            Ok(Value::Array(a)) => a,
            Ok(Value::Null) => vec![],
            Ok(Value::Object(o)) if o.is_empty() => vec![],
            Ok(other) => vec![other],
            Err(e) => return Ok(Some(format!("results cannot be sent between VMs: {e}"))),
        };
        resolve_future(&mut w, id, ok, results, delay.unwrap_or(0.0));
        Ok(None)
    });
    func!(cx, "futureTake", |l, w, id: u64| {
        let mut out = MultiValue::new();
        match w.futures.remove(&id).and_then(|f| f.result) {
            Some((ok, results)) => {
                out.push_back(LuaValue::Boolean(ok));
                out.push_back(LuaValue::Integer(results.len() as i64));
                for r in &results {
                    out.push_back(to_lua(l, r)?);
                }
            }
            None => out.push_back(LuaValue::Nil),
        }
        Ok(out)
    });

    Ok(())
}
