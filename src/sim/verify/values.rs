//! JSON helpers for the verification: shape validation against the schema
//! types, seeded payload generation, leaf paths and differences. Luau has one
//! number type and one table type, so values coming back from the VM are
//! canonicalised (whole floats become integers, `{}` may stand for `[]`).

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value};

use crate::schema::model::{Project, Type};
use crate::schema::types::TypeTable;

/// Whole numbers as integers, so values read back from Luau compare equal.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                Value::Number(Number::from(f as i64))
            }
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), canonical(v))).collect())
        }
        _ => value.clone(),
    }
}

/// A readable path to the first place two values differ.
pub fn first_difference(a: &Value, b: &Value) -> String {
    fn walk(a: &Value, b: &Value, path: &mut Vec<String>) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    path.push(k.clone());
                    let found = walk(
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        path,
                    );
                    path.pop();
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            _ if a == b => None,
            _ => Some(format!(
                "`{}` ({a} vs {b})",
                if path.is_empty() {
                    "<root>".to_string()
                } else {
                    path.join(".")
                }
            )),
        }
    }
    walk(a, b, &mut Vec::new()).unwrap_or_else(|| "<nowhere>".to_string())
}

fn empty_table(value: &Value) -> bool {
    matches!(value, Value::Object(m) if m.is_empty())
        || matches!(value, Value::Array(a) if a.is_empty())
}

/// Checks `value` against `ty`; the error names the first bad path.
pub fn validate(project: &Project, ty: &Type, value: &Value) -> Result<(), String> {
    fn check(types: &TypeTable, ty: &Type, value: &Value, path: &str) -> Result<(), String> {
        let at = if path.is_empty() {
            "the record".to_string()
        } else {
            format!("`{path}`")
        };
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match types.resolve(ty) {
            Type::Optional(inner) => {
                if value.is_null() {
                    Ok(())
                } else {
                    check(types, inner, value, path)
                }
            }
            Type::Integer { min, max } => {
                let n = value
                    .as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .ok_or(format!("{at} must be an integer, found {value}"))?;
                if min.is_some_and(|m| n < m as f64) || max.is_some_and(|m| n > m as f64) {
                    return Err(format!("{at} = {value} is out of range"));
                }
                Ok(())
            }
            Type::Number { min, max } => {
                let n = value
                    .as_f64()
                    .ok_or(format!("{at} must be a number, found {value}"))?;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    return Err(format!("{at} = {value} is out of range"));
                }
                Ok(())
            }
            Type::String { max_len } => {
                let s = value
                    .as_str()
                    .ok_or(format!("{at} must be a string, found {value}"))?;
                if max_len.is_some_and(|m| s.len() > m) {
                    return Err(format!(
                        "{at} is longer than {} characters",
                        max_len.unwrap_or(0)
                    ));
                }
                Ok(())
            }
            Type::Boolean => value
                .as_bool()
                .map(|_| ())
                .ok_or(format!("{at} must be a boolean, found {value}")),
            Type::Enum(names) => match value.as_str() {
                Some(s) if names.iter().any(|n| n == s) => Ok(()),
                _ => Err(format!(
                    "{at} must be one of {}, found {value}",
                    names.join(", ")
                )),
            },
            Type::Array(inner) => {
                if empty_table(value) {
                    return Ok(());
                }
                let items = value
                    .as_array()
                    .ok_or(format!("{at} must be an array, found {value}"))?;
                for (i, item) in items.iter().enumerate() {
                    check(types, inner, item, &join(&(i + 1).to_string()))?;
                }
                Ok(())
            }
            Type::Map(inner) => {
                if empty_table(value) {
                    return Ok(());
                }
                let map = value
                    .as_object()
                    .ok_or(format!("{at} must be a map, found {value}"))?;
                for (k, v) in map {
                    check(types, inner, v, &join(k))?;
                }
                Ok(())
            }
            Type::Record(fields) => {
                let empty = Map::new();
                let map = if empty_table(value) {
                    &empty
                } else {
                    value
                        .as_object()
                        .ok_or(format!("{at} must be a record, found {value}"))?
                };
                for field in fields {
                    check(
                        types,
                        &field.ty,
                        map.get(&field.name).unwrap_or(&Value::Null),
                        &join(&field.name),
                    )?;
                }
                if let Some(extra) = map.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                    return Err(format!("`{}` is not in the schema", join(extra)));
                }
                Ok(())
            }
            Type::Named(name) => Err(format!("{at} uses the unknown type {name}")),
        }
    }
    check(&TypeTable::new(&project.types), ty, value, "")
}

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same payloads on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// A value of type `ty`, small and within its bounds.
pub fn generate(project: &Project, ty: &Type, rng: &mut Rng) -> Value {
    generate_in(&TypeTable::new(&project.types), ty, rng)
}

fn generate_in(types: &TypeTable, ty: &Type, rng: &mut Rng) -> Value {
    match types.resolve(ty) {
        Type::Integer { min, max } => {
            let lo = min.unwrap_or(0).max(-1000);
            let hi = max
                .unwrap_or(lo.saturating_add(1000))
                .min(lo.saturating_add(1_000_000))
                .max(lo);
            Value::from(lo + rng.below((hi - lo) as u64 + 1) as i64)
        }
        Type::Number { min, max } => {
            let lo = min.unwrap_or(0.0);
            let hi = max.unwrap_or(lo + 1000.0);
            let f = lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0);
            Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::from(0))
        }
        Type::String { max_len } => {
            let len = rng.below(max_len.unwrap_or(12).min(12) as u64 + 1) as usize;
            Value::String(
                (0..len)
                    .map(|_| (b'a' + rng.below(26) as u8) as char)
                    .collect(),
            )
        }
        Type::Boolean => Value::Bool(rng.below(2) == 1),
        Type::Enum(names) => Value::String(names[rng.below(names.len() as u64) as usize].clone()),
        Type::Optional(inner) => {
            if rng.below(4) == 0 {
                Value::Null
            } else {
                generate_in(types, inner, rng)
            }
        }
        Type::Array(inner) => Value::Array(
            (0..rng.below(4))
                .map(|_| generate_in(types, inner, rng))
                .collect(),
        ),
        Type::Map(inner) => Value::Object(
            (0..rng.below(3))
                .map(|i| (format!("k{i}"), generate_in(types, inner, rng)))
                .collect(),
        ),
        Type::Record(fields) => {
            let mut map = Map::new();
            for f in fields {
                let v = generate_in(types, &f.ty, rng);
                if !v.is_null() {
                    map.insert(f.name.clone(), v);
                }
            }
            Value::Object(map)
        }
        Type::Named(_) => Value::Null,
    }
}
