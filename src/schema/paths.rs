//! Data paths (`Wallet.Coins`) resolved against a store's shape, and values
//! (template defaults) checked against types.

use crate::diagnostic::closest;

use super::model::{DataPath, Type};
use super::types::TypeTable;

/// Why a path does not name a field.
#[derive(Debug, Clone, PartialEq)]
pub enum PathProblem {
    /// Empty segments, wildcards, indices or other non-name text.
    Malformed,
    /// A segment names no field; the closest field name, if any.
    Unknown {
        segment: String,
        suggestion: Option<String>,
    },
    /// The path continues past a scalar field.
    IntoNothing { leaf: String },
    /// The path continues into an array or map.
    IntoCollection { collection: String },
}

/// Resolves `text` against `shape`; returns the segments when every one names a field.
pub fn resolve(shape: &Type, text: &str, types: &TypeTable) -> Result<DataPath, PathProblem> {
    let segs: Vec<&str> = text.split('.').collect();
    if segs
        .iter()
        .any(|s| s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(PathProblem::Malformed);
    }
    let mut ty = shape;
    for (i, seg) in segs.iter().enumerate() {
        match types.plain(ty) {
            Type::Record(fields) => match fields.iter().find(|f| f.name == *seg) {
                Some(f) => ty = &f.ty,
                None => {
                    let suggestion =
                        closest(seg, fields.iter().map(|f| f.name.as_str())).map(str::to_owned);
                    return Err(PathProblem::Unknown {
                        segment: seg.to_string(),
                        suggestion,
                    });
                }
            },
            Type::Array(_) | Type::Map(_) => {
                return Err(PathProblem::IntoCollection {
                    collection: segs[..i].join("."),
                })
            }
            _ => {
                return Err(PathProblem::IntoNothing {
                    leaf: segs[..i].join("."),
                })
            }
        }
    }
    Ok(segs.into_iter().map(str::to_owned).collect())
}

/// Checks a JSON value against a type and its constraints; `Err` says why not.
pub fn value_matches(ty: &Type, v: &serde_json::Value, types: &TypeTable) -> Result<(), String> {
    use serde_json::Value as J;
    match (types.resolve(ty), v) {
        (Type::Optional(_), J::Null) => Ok(()),
        (Type::Optional(t), _) => value_matches(t, v, types),
        (Type::Named(n), _) => Err(format!("unknown type `{n}`")),
        (Type::Integer { min, max }, J::Number(n)) => {
            let Some(i) = n.as_i64() else {
                return Err(format!("{n} is not an integer"));
            };
            if min.is_some_and(|m| i < m) {
                return Err(format!("{i} is below min {}", min.unwrap_or_default()));
            }
            if max.is_some_and(|m| i > m) {
                return Err(format!("{i} is above max {}", max.unwrap_or_default()));
            }
            Ok(())
        }
        (Type::Number { min, max }, J::Number(n)) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() {
                return Err("numbers must be finite".into());
            }
            if min.is_some_and(|m| f < m) {
                return Err(format!("{f} is below min {}", min.unwrap_or_default()));
            }
            if max.is_some_and(|m| f > m) {
                return Err(format!("{f} is above max {}", max.unwrap_or_default()));
            }
            Ok(())
        }
        (Type::String { max_len }, J::String(s)) => match max_len {
            Some(m) if s.chars().count() > *m => {
                Err(format!("\"{s}\" is longer than maxLength {m}"))
            }
            _ => Ok(()),
        },
        (Type::Boolean, J::Bool(_)) => Ok(()),
        (Type::Enum(vs), J::String(s)) => {
            if vs.contains(s) {
                Ok(())
            } else {
                Err(format!(
                    "\"{s}\" is not one of {}",
                    vs.iter()
                        .map(|v| format!("\"{v}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        (Type::Array(t), J::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                value_matches(t, item, types).map_err(|e| format!("element {}: {e}", i + 1))?;
            }
            Ok(())
        }
        (Type::Map(t), J::Object(m)) => {
            for (k, item) in m {
                value_matches(t, item, types).map_err(|e| format!("entry `{k}`: {e}"))?;
            }
            Ok(())
        }
        (Type::Record(fields), J::Object(m)) => {
            for f in fields {
                match m.get(&f.name) {
                    Some(item) => value_matches(&f.ty, item, types)
                        .map_err(|e| format!("field `{}`: {e}", f.name))?,
                    None if matches!(types.resolve(&f.ty), Type::Optional(_)) => {}
                    None => return Err(format!("field `{}` is missing", f.name)),
                }
            }
            if let Some(k) = m.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                return Err(format!("`{k}` is not a field of this record"));
            }
            Ok(())
        }
        (Type::Map(_) | Type::Record(_), J::Array(a)) if a.is_empty() => {
            Err("an empty array is not a table with keys; use `{}`".into())
        }
        (ty, _) => Err(format!("expected {}, found {}", expected(ty), found(v))),
    }
}

fn expected(ty: &Type) -> &'static str {
    match ty {
        Type::Integer { .. } => "an integer",
        Type::Number { .. } => "a number",
        Type::String { .. } => "a string",
        Type::Boolean => "a boolean",
        Type::Array(_) => "an array",
        Type::Map(_) => "a table of named entries",
        Type::Record(_) => "a table of fields",
        Type::Optional(_) => "an optional value",
        Type::Enum(_) => "one of the enum's strings",
        Type::Named(_) => "a named type",
    }
}

fn found(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(n) if n.is_i64() => "an integer",
        serde_json::Value::Number(_) => "a float",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "a table",
    }
}
