//! Conversion between Luau values and JSON, with the DataStore storability rules:
//! arrays are tables keyed 1..n, dictionaries have string keys only, no mixed
//! tables, no functions or other userdata, no NaN or infinities, UTF-8 strings.
//! Every value that crosses between VMs or into the emulated DataStore passes
//! through here, which is also what deep-copies it.

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::{Map, Number, Value};

const MAX_DEPTH: usize = 100;

/// Why a Luau value cannot be stored or sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NotStorable {
    pub reason: String,
}

impl std::fmt::Display for NotStorable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

fn bad(path: &str, what: &str) -> NotStorable {
    let at = if path.is_empty() {
        "the value".to_string()
    } else {
        format!("`{path}`")
    };
    NotStorable {
        reason: format!("{at} {what}"),
    }
}

/// Converts a Luau value into JSON, failing on anything a DataStore rejects.
pub fn to_json(value: &LuaValue) -> Result<Value, NotStorable> {
    convert(value, "", 0)
}

fn number(n: f64, path: &str) -> Result<Value, NotStorable> {
    if !n.is_finite() {
        return Err(bad(path, "is NaN or infinite"));
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        return Ok(Value::Number(Number::from(n as i64)));
    }
    Ok(Number::from_f64(n)
        .map(Value::Number)
        .unwrap_or(Value::Null))
}

fn convert(value: &LuaValue, path: &str, depth: usize) -> Result<Value, NotStorable> {
    match value {
        LuaValue::Nil => Ok(Value::Null),
        LuaValue::Boolean(b) => Ok(Value::Bool(*b)),
        LuaValue::Integer(i) => Ok(Value::Number(Number::from(*i as i64))),
        LuaValue::Number(n) => number(*n, path),
        LuaValue::String(s) => match s.to_str() {
            Ok(s) => Ok(Value::String(s.to_string())),
            Err(_) => Err(bad(path, "is not valid UTF-8")),
        },
        LuaValue::Table(t) => table(t, path, depth),
        LuaValue::Function(_) => Err(bad(path, "is a function")),
        LuaValue::Thread(_) => Err(bad(path, "is a thread")),
        LuaValue::UserData(_) | LuaValue::LightUserData(_) => Err(bad(path, "is userdata")),
        LuaValue::Vector(_) => Err(bad(path, "is a vector")),
        LuaValue::Buffer(_) => Err(bad(path, "is a buffer")),
        other => Err(bad(
            path,
            &format!("has the unsupported type {}", other.type_name()),
        )),
    }
}

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn table(t: &Table, path: &str, depth: usize) -> Result<Value, NotStorable> {
    if depth > MAX_DEPTH {
        return Err(bad(path, "is nested too deeply (or is cyclic)"));
    }
    let mut ints: Vec<(i64, LuaValue)> = Vec::new();
    let mut strs: Vec<(String, LuaValue)> = Vec::new();
    for pair in t.clone().pairs::<LuaValue, LuaValue>() {
        let (k, v) = pair.map_err(|e| bad(path, &format!("cannot be read: {e}")))?;
        match &k {
            LuaValue::String(s) => match s.to_str() {
                Ok(s) => strs.push((s.to_string(), v)),
                Err(_) => return Err(bad(path, "has a key that is not valid UTF-8")),
            },
            LuaValue::Integer(i) => ints.push((*i as i64, v)),
            LuaValue::Number(n) if n.fract() == 0.0 && n.is_finite() => ints.push((*n as i64, v)),
            _ => return Err(bad(path, &format!("has a {} key", k.type_name()))),
        }
    }
    if !ints.is_empty() && !strs.is_empty() {
        return Err(bad(path, "mixes array and dictionary keys"));
    }
    if !strs.is_empty() {
        strs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut map = Map::new();
        for (k, v) in strs {
            let p = child_path(path, &k);
            map.insert(k, convert(&v, &p, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    ints.sort_by_key(|(i, _)| *i);
    let mut arr = Vec::with_capacity(ints.len());
    for (n, (i, v)) in ints.into_iter().enumerate() {
        if i != n as i64 + 1 {
            return Err(bad(path, "is an array with holes or non-positive indices"));
        }
        arr.push(convert(&v, &child_path(path, &i.to_string()), depth + 1)?);
    }
    Ok(Value::Array(arr))
}

/// Builds a fresh Luau value (a deep copy) from JSON.
pub fn to_lua(lua: &Lua, value: &Value) -> mlua::Result<LuaValue> {
    Ok(match value {
        Value::Null => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(*b),
        Value::Number(n) => LuaValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => LuaValue::String(lua.create_string(s)?),
        Value::Array(a) => {
            let t = lua.create_table_with_capacity(a.len(), 0)?;
            for (i, v) in a.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, v)?)?;
            }
            LuaValue::Table(t)
        }
        Value::Object(m) => {
            let t = lua.create_table_with_capacity(0, m.len())?;
            for (k, v) in m {
                t.raw_set(k.as_str(), to_lua(lua, v)?)?;
            }
            LuaValue::Table(t)
        }
    })
}

/// Length of the JSON encoding, the measure DataStore limits use.
pub fn encoded_len(value: &Value) -> usize {
    serde_json::to_string(value)
        .map(|s| s.chars().count())
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_dictionaries_round_trip_and_mixed_tables_are_rejected() {
        let lua = Lua::new();
        let v: LuaValue = lua
            .load("return {a = {1, 2, 3}, b = 'x', c = 1.5}")
            .eval()
            .unwrap();
        let j = to_json(&v).unwrap();
        assert_eq!(j, serde_json::json!({"a": [1, 2, 3], "b": "x", "c": 1.5}));
        let mixed: LuaValue = lua.load("return {1, 2, x = 3}").eval().unwrap();
        assert!(to_json(&mixed).unwrap_err().reason.contains("mixes"));
        let holes: LuaValue = lua.load("return {[1] = 1, [3] = 3}").eval().unwrap();
        assert!(to_json(&holes).is_err());
        let f: LuaValue = lua.load("return {f = function() end}").eval().unwrap();
        assert_eq!(to_json(&f).unwrap_err().reason, "`f` is a function");
        let nan: LuaValue = lua.load("return {n = 0/0}").eval().unwrap();
        assert!(to_json(&nan).is_err());
    }
}
