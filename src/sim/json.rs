//! Conversion between Luau values and JSON, with the DataStore storability rules:
//! arrays are tables keyed 1..n, dictionaries have string keys only, no mixed
//! tables, no functions or other userdata, no NaN or infinities, UTF-8 strings.
//! Every value that crosses between VMs or into the emulated DataStore passes
//! through here, which is also what deep-copies it.

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::{Map, Number, Value};

const MAX_DEPTH: usize = crate::core::settings::ROBLOX_MAX_VALUE_DEPTH;

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

/// Where a value sits inside the converted one, built up only when a
/// conversion fails: most values convert, and naming every element's path on
/// the way down cost more than the conversion itself.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, i64),
}

impl At<'_> {
    fn render(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, key) => join(parent.render(), key),
            At::Index(parent, i) => join(parent.render(), &i.to_string()),
        }
    }
}

fn join(path: String, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn bad(at: &At, what: &str) -> NotStorable {
    let path = at.render();
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
    convert(value, &At::Root, 0)
}

fn number(n: f64, at: &At) -> Result<Value, NotStorable> {
    if !n.is_finite() {
        return Err(bad(at, "is NaN or infinite"));
    }
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        return Ok(Value::Number(Number::from(n as i64)));
    }
    Ok(Number::from_f64(n)
        .map(Value::Number)
        .unwrap_or(Value::Null))
}

fn convert(value: &LuaValue, at: &At, depth: usize) -> Result<Value, NotStorable> {
    match value {
        LuaValue::Nil => Ok(Value::Null),
        LuaValue::Boolean(b) => Ok(Value::Bool(*b)),
        LuaValue::Integer(i) => Ok(Value::Number(Number::from(*i))),
        LuaValue::Number(n) => number(*n, at),
        LuaValue::String(s) => match s.to_str() {
            Ok(s) => Ok(Value::String(s.to_string())),
            Err(_) => Err(bad(at, "is not valid UTF-8")),
        },
        LuaValue::Table(t) => table(t, at, depth),
        LuaValue::Function(_) => Err(bad(at, "is a function")),
        LuaValue::Thread(_) => Err(bad(at, "is a thread")),
        LuaValue::UserData(_) | LuaValue::LightUserData(_) => Err(bad(at, "is userdata")),
        LuaValue::Vector(_) => Err(bad(at, "is a vector")),
        LuaValue::Buffer(_) => Err(bad(at, "is a buffer")),
        other => Err(bad(
            at,
            &format!("has the unsupported type {}", other.type_name()),
        )),
    }
}

fn table(t: &Table, at: &At, depth: usize) -> Result<Value, NotStorable> {
    if depth > MAX_DEPTH {
        return Err(bad(at, "is nested too deeply (or is cyclic)"));
    }
    let mut ints: Vec<(i64, LuaValue)> = Vec::new();
    let mut strs: Vec<(String, LuaValue)> = Vec::new();
    for pair in t.clone().pairs::<LuaValue, LuaValue>() {
        let (k, v) = pair.map_err(|e| bad(at, &format!("cannot be read: {e}")))?;
        match &k {
            LuaValue::String(s) => match s.to_str() {
                Ok(s) => strs.push((s.to_string(), v)),
                Err(_) => return Err(bad(at, "has a key that is not valid UTF-8")),
            },
            LuaValue::Integer(i) => ints.push((*i, v)),
            LuaValue::Number(n) if n.fract() == 0.0 && n.is_finite() => ints.push((*n as i64, v)),
            _ => return Err(bad(at, &format!("has a {} key", k.type_name()))),
        }
    }
    if !ints.is_empty() && !strs.is_empty() {
        return Err(bad(at, "mixes array and dictionary keys"));
    }
    if !strs.is_empty() {
        strs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut map = Map::new();
        for (k, v) in strs {
            let converted = convert(&v, &At::Key(at, &k), depth + 1)?;
            map.insert(k, converted);
        }
        return Ok(Value::Object(map));
    }
    ints.sort_by_key(|(i, _)| *i);
    let mut arr = Vec::with_capacity(ints.len());
    for (n, (i, v)) in ints.into_iter().enumerate() {
        if i != n as i64 + 1 {
            return Err(bad(at, "is an array with holes or non-positive indices"));
        }
        arr.push(convert(&v, &At::Index(at, i), depth + 1)?);
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
        let deep: LuaValue = lua
            .load("return {a = {{}, {b = {1, 2, function() end}}}}")
            .eval()
            .unwrap();
        assert_eq!(
            to_json(&deep).unwrap_err().reason,
            "`a.2.b.3` is a function"
        );
        let nan: LuaValue = lua.load("return {n = 0/0}").eval().unwrap();
        assert!(to_json(&nan).is_err());
    }
}
