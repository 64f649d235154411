//! Host functions behind DataStoreService: admission against the budgets and
//! the fault plan, reads, writes, versions and listings of the shared backend
//! (`datastore.rs` owns the backend logic), with the storability rules.

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::{Map, Value};

use super::Cx;
use crate::sim::datastore::{
    self, error_message, Admission, BudgetKind, KeyInfo, Origin, MAX_VALUE_CHARS,
};
use crate::sim::json::{encoded_len, to_json, to_lua};
use crate::sim::limits::{Flow, Throttle};
use crate::sim::world::World;

pub(super) type Reply = (LuaValue, LuaValue, LuaValue);

/// A read's `(value, keyInfo, nil)`; nils where there is no value or record.
pub(super) fn record_reply(
    lua: &Lua,
    value: Option<&Value>,
    info: Option<&KeyInfo>,
) -> mlua::Result<Reply> {
    Ok((
        value
            .map(|v| to_lua(lua, v))
            .transpose()?
            .unwrap_or(LuaValue::Nil),
        match info {
            Some(info) => LuaValue::Table(info_to_lua(lua, info)?),
            None => LuaValue::Nil,
        },
        LuaValue::Nil,
    ))
}

/// A write's `("error", message, nil)`.
pub(super) fn error_reply(lua: &Lua, message: &str) -> mlua::Result<(String, LuaValue, LuaValue)> {
    Ok((
        "error".into(),
        LuaValue::String(lua.create_string(message)?),
        LuaValue::Nil,
    ))
}

/// `(nil, nil, message)` for a request a throughput limit refused.
pub(super) fn throttled_reply(lua: &Lua, t: Throttle) -> mlua::Result<Reply> {
    Ok((
        LuaValue::Nil,
        LuaValue::Nil,
        LuaValue::String(lua.create_string(t.message())?),
    ))
}

pub(super) fn info_to_lua(lua: &Lua, info: &KeyInfo) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("Version", info.version.as_str())?;
    t.raw_set("CreatedTime", info.created_ms)?;
    t.raw_set("UpdatedTime", info.updated_ms)?;
    let ids = lua.create_table()?;
    for (i, id) in info.user_ids.iter().enumerate() {
        ids.raw_set(i + 1, *id)?;
    }
    t.raw_set("UserIds", ids)?;
    t.raw_set(
        "Metadata",
        to_lua(lua, &Value::Object(info.metadata.clone()))?,
    )?;
    Ok(t)
}

/// Checks metadata and UserIds limits; `Err` carries the Roblox error string.
pub(super) fn key_extras(
    user_ids: &LuaValue,
    metadata: &LuaValue,
) -> Result<(Vec<i64>, Map<String, Value>), String> {
    let ids = match to_json(user_ids) {
        Ok(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_f64().map(|f| f as i64).ok_or(()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| error_message(512, ""))?,
        Ok(Value::Null) => Vec::new(),
        Ok(Value::Object(o)) if o.is_empty() => Vec::new(),
        _ => return Err(error_message(512, "")),
    };
    if ids.len() > 4 {
        return Err(error_message(512, ""));
    }
    let meta = match to_json(metadata) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Null) | Ok(Value::Array(_)) => Map::new(),
        _ => return Err(error_message(511, "")),
    };
    let total = encoded_len(&Value::Object(meta.clone()));
    if total > 300
        || meta
            .iter()
            .any(|(k, v)| k.chars().count() > 50 || encoded_len(v) > 250)
    {
        return Err(error_message(511, ""));
    }
    Ok((ids, meta))
}

/// A value's size on the wire, as the throughput limits count it: the bytes
/// of its JSON encoding.
pub(super) fn encoded_bytes(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(0, |b| b.len())
}

pub(super) fn storable(value: &LuaValue) -> Result<Value, String> {
    let v =
        to_json(value).map_err(|e| format!("104: Cannot store the value in a data store: {e}."))?;
    if encoded_len(&v) > MAX_VALUE_CHARS {
        return Err(error_message(105, ""));
    }
    Ok(v)
}

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // DataStore
    func!(cx, "dsOpen", |_l,
                         w,
                         (name, scope, ordered): (
        String,
        String,
        bool
    )| {
        Ok(w.backend.open(&name, &scope, ordered))
    });
    func!(cx, "dsAdmit", |_l,
                          w,
                          (method, ordered, queued, key): (
        String,
        bool,
        bool,
        Option<String>
    )| {
        let Some(cost) = datastore::cost(&method, ordered) else {
            return Ok(("error".to_string(), LuaValue::Nil, LuaValue::Nil, false));
        };
        let now = w.now;
        let players = w.players_on(vm);
        match w.vms[vm].budgets.admit(cost, now, players, queued) {
            Admission::Go => {
                let origin = Origin {
                    partitioned: w.vms[vm].partitioned_until > now,
                    closing: w.vms[vm].closing,
                };
                let ccu = w.ccu();
                let World {
                    faults,
                    rng,
                    experience,
                    ..
                } = &mut *w;
                let plan = faults.plan(&method, now, origin, rng, || {
                    experience.admit(cost.kinds, now, ccu)
                });
                if let Some(t) = plan.throttle {
                    w.limits.throttle(t);
                }
                *w.requests.entry(method.clone()).or_default() += 1;
                if let Some(key) = key.filter(|_| !ordered) {
                    w.key_requests.push((now, key, method.clone()));
                }
                w.trace.add(method.as_bytes());
                let fail = plan.error(&method);
                crate::sim::trace::fault(&mut w, vm, &method, fail.as_deref(), plan.after_commit);
                Ok((
                    "go".into(),
                    LuaValue::Number(plan.latency),
                    fail.map(|f| LuaValue::String(_l.create_string(f).expect("s")))
                        .unwrap_or(LuaValue::Nil),
                    plan.after_commit,
                ))
            }
            Admission::Wait(s) => Ok(("wait".into(), LuaValue::Number(s), LuaValue::Nil, false)),
            Admission::QueueFull(code) => {
                let msg = _l.create_string(error_message(code, &method))?;
                Ok(("error".into(), LuaValue::String(msg), LuaValue::Nil, false))
            }
        }
    });
    func!(cx, "dsCached", |l, w, (store, key): (usize, String)| {
        let now = w.now;
        match w.vms[vm].cache.get(&(store, key)) {
            Some((at, entry)) if now - at < 4.0 => match entry {
                Some((v, info)) => {
                    Ok((true, to_lua(l, v)?, LuaValue::Table(info_to_lua(l, info)?)))
                }
                None => Ok((true, LuaValue::Nil, LuaValue::Nil)),
            },
            _ => Ok((false, LuaValue::Nil, LuaValue::Nil)),
        }
    });
    // `charge`: the read counts against the key's read throughput (and fails
    // with the throttle error as the fourth result when it is used up)
    func!(cx, "dsGet", |l,
                        w,
                        (store, key, cache, charge): (
        usize,
        String,
        bool,
        Option<bool>
    )| {
        let stamp = w.backend.stamp(store, &key);
        let entry = w.backend.get(store, &key).cloned();
        if charge.unwrap_or(true) {
            let bytes = entry.as_ref().map_or(0, |(v, _)| encoded_bytes(v));
            let now = w.now;
            if let Err(t) = w.key_throughput.charge(store, &key, Flow::Read, bytes, now) {
                w.limits.throttle(t);
                let msg = l.create_string(t.message())?;
                return Ok((LuaValue::Nil, LuaValue::Nil, stamp, LuaValue::String(msg)));
            }
        }
        crate::sim::trace::read(&mut w, vm, &key, entry.as_ref().map(|e| &e.0));
        let out = match &entry {
            Some((v, info)) => (
                to_lua(l, v)?,
                LuaValue::Table(info_to_lua(l, info)?),
                stamp,
                LuaValue::Nil,
            ),
            None => (LuaValue::Nil, LuaValue::Nil, stamp, LuaValue::Nil),
        };
        if cache {
            let now = w.now;
            w.vms[vm].cache.insert((store, key), (now, entry));
        }
        Ok(out)
    });
    func!(cx, "dsWrite", |l,
                          w,
                          (
        store,
        key,
        value,
        user_ids,
        metadata,
        expect,
    ): (
        usize,
        String,
        LuaValue,
        LuaValue,
        LuaValue,
        Option<u64>
    )| {
        if let Some(s) = expect {
            if w.backend.stamp(store, &key) != s {
                return Ok(("conflict".to_string(), LuaValue::Nil, LuaValue::Nil));
            }
        }
        let v = match storable(&value) {
            Ok(v) => v,
            Err(e) => return error_reply(l, &e),
        };
        let (ids, meta) = match key_extras(&user_ids, &metadata) {
            Ok(x) => x,
            Err(e) => return error_reply(l, &e),
        };
        let now = w.now;
        if let Err(t) = w
            .key_throughput
            .charge(store, &key, Flow::Write, encoded_bytes(&v), now)
        {
            w.limits.throttle(t);
            return error_reply(l, &t.message());
        }
        let revision = |v: &Value| v.pointer("/Meta/Revision").and_then(Value::as_i64);
        if let (Some(prev), Some(next)) = (
            w.backend.get(store, &key).and_then(|(p, _)| revision(p)),
            revision(&v),
        ) {
            if next < prev {
                let name = w.backend.stores[store].name.clone();
                let at = now - w.config.start;
                w.stale_writes.push(format!("{name}/{key}: a write moved Meta.Revision back from {prev} to {next} at t+{at:.1}s"));
            }
        }
        check_lease_claim(&mut w, vm, store, &key, &v, now);
        let info = w.backend.write(store, &key, v.clone(), ids, meta, now);
        crate::sim::trace::write(&mut w, vm, &key, &v);
        w.trace.add(key.as_bytes());
        w.trace.add(&info.updated_ms.to_le_bytes());
        let copy = to_lua(l, &v)?;
        w.vms[vm]
            .cache
            .insert((store, key), (now, Some((v, info.clone()))));
        Ok(("ok".into(), LuaValue::Table(info_to_lua(l, &info)?), copy))
    });
    // a removal counts as a one-kilobyte write of the key
    func!(cx, "dsRemove", |l, w, (store, key): (usize, String)| {
        let now = w.now;
        if let Err(t) = w.key_throughput.charge(store, &key, Flow::Write, 0, now) {
            w.limits.throttle(t);
            return throttled_reply(l, t);
        }
        let old = w.backend.remove(store, &key, now);
        crate::sim::trace::remove(&mut w, vm, &key);
        w.vms[vm].cache.insert((store, key.clone()), (now, None));
        w.trace.add(format!("remove {key}").as_bytes());
        record_reply(
            l,
            old.as_ref().map(|(v, _)| v),
            old.as_ref().map(|(_, i)| i),
        )
    });
    func!(cx, "dsVersions", |l, w, (store, key): (usize, String)| {
        let t = l.create_table()?;
        for (i, v) in w.backend.versions(store, &key).iter().enumerate() {
            let e = l.create_table()?;
            e.raw_set("Version", v.version.as_str())?;
            e.raw_set("CreatedTime", v.created_ms)?;
            e.raw_set("IsDeleted", v.deleted)?;
            t.raw_set(i + 1, e)?;
        }
        Ok(t)
    });
    func!(cx, "dsVersion", |l,
                            w,
                            (store, key, version, at): (
        usize,
        String,
        Option<String>,
        Option<i64>
    )| {
        let rec = match (version, at) {
            (Some(v), _) => w.backend.version(store, &key, &v),
            (None, Some(ms)) => w.backend.version_at(store, &key, ms),
            _ => None,
        }
        .filter(|r| !r.deleted)
        .cloned();
        let bytes = rec
            .as_ref()
            .and_then(|r| r.value.as_ref())
            .map_or(0, encoded_bytes);
        let now = w.now;
        if let Err(t) = w.key_throughput.charge(store, &key, Flow::Read, bytes, now) {
            w.limits.throttle(t);
            return throttled_reply(l, t);
        }
        record_reply(
            l,
            rec.as_ref().and_then(|r| r.value.as_ref()),
            rec.as_ref().map(|r| &r.info),
        )
    });
    func!(cx, "dsKeys", |l, w, (store, prefix): (usize, String)| {
        let t = l.create_table()?;
        for (i, k) in w.backend.keys_with_prefix(store, &prefix).enumerate() {
            t.raw_set(i + 1, k)?;
        }
        Ok(t)
    });
    func!(cx, "dsSorted", |l,
                           w,
                           (store, ascending, min, max): (
        usize,
        bool,
        Option<f64>,
        Option<f64>
    )| {
        let rows = w.backend.sorted(store, ascending, min, max);
        let t = l.create_table_with_capacity(rows.len(), 0)?;
        for (i, (v, k)) in rows.iter().enumerate() {
            let e = l.create_table()?;
            e.raw_set("key", *k)?;
            e.raw_set("value", *v)?;
            t.raw_set(i + 1, e)?;
        }
        Ok(t)
    });
    func!(cx, "dsBudget", |_l, w, kind: String| {
        let now = w.now;
        let players = w.players_on(vm);
        let kinds = BudgetKind::for_request_type(&kind);
        let b = &mut w.vms[vm].budgets;
        Ok(kinds
            .iter()
            .map(|k| b.available(*k, now, players))
            .fold(f64::INFINITY, f64::min)
            .min(1e9))
    });

    Ok(())
}

/// The live-lease oracle, at every write of a record: a write that replaces
/// another owner's unexpired lease with its own is a claim, and a claim is
/// legitimate only when the lease said its owner keeps a server liveness entry
/// (`Live`) and that entry lapsed at some moment since the lease was stored
/// (the claiming server may have read it gone; with MemoryStore failing it
/// cannot know). Tracks when each stored lease first appeared.
fn check_lease_claim(w: &mut World, vm: usize, store: usize, key: &str, next: &Value, now: f64) {
    fn lease(v: &Value) -> Option<(String, f64, String, bool)> {
        let l = v.pointer("/Meta/Lease")?;
        Some((
            l.get("Token")?.as_str()?.to_string(),
            l.get("ExpiresAt")?.as_f64()?,
            l.get("JobId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            l.get("Live").and_then(Value::as_bool).unwrap_or(false),
        ))
    }
    let id = (store, key.to_string());
    let prev = w.backend.get(store, key).and_then(|(p, _)| lease(p));
    let new = lease(next);
    if let (Some((token, expires, job, live)), Some((new_token, ..))) = (&prev, &new) {
        if token != new_token && now + 1.0 < *expires {
            let since = match w.leases_seen.get(&id) {
                Some((t, e, at)) if t == token && e == expires => *at,
                // stored by other means (a spec's direct write): no claim to judge
                _ => f64::INFINITY,
            };
            let lapsed = !w.memory.present_throughout(
                crate::sim::memorystore::Kind::HashMap,
                crate::core::settings::LIVENESS_MAP,
                job,
                since,
                now,
            );
            if since.is_finite() && !(*live && lapsed) {
                let name = w.backend.stores[store].name.clone();
                let at = now - w.config.start;
                let why = if *live {
                    "its owner's liveness entry never lapsed while the lease was stored"
                } else {
                    "its owner keeps no liveness entry"
                };
                w.live_lease_claims.push(format!(
                    "{name}/{key}: server {vm} claimed the lease of JobId {job} {:.1}s before it expired at t+{at:.1}s, but {why}",
                    expires - now
                ));
            }
        }
    }
    match new {
        Some((token, expires, ..)) => {
            let keep =
                matches!(w.leases_seen.get(&id), Some((t, e, _)) if *t == token && *e == expires);
            if !keep {
                w.leases_seen.insert(id, (token, expires, now));
            }
        }
        None => {
            w.leases_seen.remove(&id);
        }
    }
}
