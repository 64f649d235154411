//! Host functions behind HttpService: JSON encoding and decoding with the
//! conversion rules of `json.rs`.

use mlua::Value as LuaValue;
use serde_json::Value;

use super::Cx;
use crate::sim::json::{to_json, to_lua};

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    cx.host.raw_set(
        "jsonEncode",
        cx.lua.create_function(|_, v: LuaValue| match to_json(&v) {
            Ok(j) => Ok((Some(j.to_string()), None)),
            Err(e) => Ok((None, Some(format!("Can't convert to JSON: {e}")))),
        })?,
    )?;
    cx.host.raw_set(
        "jsonDecode",
        cx.lua.create_function(|lua, s: mlua::LuaString| {
            match serde_json::from_slice::<Value>(&s.as_bytes()) {
                Ok(j) => Ok((to_lua(lua, &j)?, None)),
                Err(e) => Ok((LuaValue::Nil, Some(format!("Can't parse JSON: {e}")))),
            }
        })?,
    )?;
    Ok(())
}
