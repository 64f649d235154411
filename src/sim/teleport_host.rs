//! The host side of `TeleportService:TeleportAsync`: players leave this
//! server and join another running server (the one `ServerInstanceId` names,
//! else one chosen by the seed, else a new one), carrying their teleport data,
//! which `Player:GetJoinData()` returns there.

use mlua::{Lua, Table, Value as LuaValue};

use super::host::{add_player, remove_player, spawn_server};
use super::json::{to_json, to_lua};
use super::world::{VmKind, WeakShared};

/// Installs `teleport` and `joinData` into `host` for VM `vm`.
pub fn install(lua: &Lua, host: &Table, world: &WeakShared, vm: usize) -> mlua::Result<()> {
    let weak = world.clone();
    host.raw_set(
        "teleport",
        lua.create_function(
            move |_, (users, data, target_job): (Vec<i64>, LuaValue, Option<String>)| {
                let rc = weak
                    .upgrade()
                    .ok_or_else(|| mlua::Error::runtime("the simulated universe has ended"))?;
                let data = match to_json(&data) {
                    Ok(v) => v,
                    Err(_) => {
                        return Ok((
                            None,
                            Some("The teleport data is not serializable".to_string()),
                        ))
                    }
                };
                let target = {
                    let mut w = rc.borrow_mut();
                    let servers: Vec<usize> = (0..w.vms.len())
                        .filter(|&i| i != vm && w.vms[i].alive && w.vms[i].kind == VmKind::Server)
                        .collect();
                    match &target_job {
                        Some(job) => match servers.iter().find(|&&i| &w.vms[i].job_id == job) {
                            Some(&i) => Some(i),
                            None => {
                                return Ok((
                                    None,
                                    Some(format!(
                                        "Teleport failed: no server has the ServerInstanceId {job}"
                                    )),
                                ))
                            }
                        },
                        None if servers.is_empty() => None,
                        None => {
                            let k = w.rng.range(0, servers.len() as u64 - 1) as usize;
                            Some(servers[k])
                        }
                    }
                };
                let target = match target {
                    Some(t) => t,
                    None => spawn_server(&rc)?,
                };
                for user in users {
                    remove_player(&rc, vm, user);
                    rc.borrow_mut()
                        .join_data
                        .insert((target, user), data.clone());
                    // the player's client VM (when one starts) reads it too
                    let client = add_player(&rc, target, user)?;
                    rc.borrow_mut()
                        .join_data
                        .insert((client, user), data.clone());
                }
                let job = rc.borrow().vms[target].job_id.clone();
                Ok((Some(job), None))
            },
        )?,
    )?;
    let weak = world.clone();
    host.raw_set(
        "joinData",
        lua.create_function(move |lua, user: i64| {
            let rc = weak
                .upgrade()
                .ok_or_else(|| mlua::Error::runtime("the simulated universe has ended"))?;
            let w = rc.borrow();
            match w.join_data.get(&(vm, user)) {
                Some(v) => to_lua(lua, v),
                None => Ok(LuaValue::Nil),
            }
        })?,
    )?;
    Ok(())
}
