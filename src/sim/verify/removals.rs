//! The removal check of `vstore test`: a migration step must not lose a field
//! it does not declare (`--@removes A.B, Pets[].Kind` lines in its file).
//!
//! Fields are compared by schema path, read from each side's shape: the
//! elements of an array and the entries of a map are one container level
//! (`Pets[]`), never named by a key from the fixture, so a map of records
//! migrated to an array of the same records keeps `Pets[].Kind`. A field is
//! lost when its schema path is gone from the migrated data and one of its
//! values appears nowhere in it (a moved or renamed field keeps its values).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::schema::model::Type;
use crate::schema::types::TypeTable;

use super::values::canonical;

/// The segment that stands for every element of an array or entry of a map.
const ELEMENTS: &str = "[]";

/// A schema path as people write it: `Wallet.Coins`, `Pets[].Kind`.
pub fn show(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        if seg == ELEMENTS {
            out.push_str(ELEMENTS);
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// Reads `Pets[].Kind` back into segments.
fn parse(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let mut name = part;
        let mut elements = 0;
        while let Some(rest) = name.strip_suffix(ELEMENTS) {
            name = rest;
            elements += 1;
        }
        if !name.is_empty() {
            out.push(name.to_owned());
        }
        out.extend(std::iter::repeat_n(ELEMENTS.to_owned(), elements));
    }
    out
}

/// Fields a migration declares it removes: `--@removes A.B, C` lines.
pub fn declared(source: &str) -> Vec<Vec<String>> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--@removes"))
        .flat_map(|rest| {
            rest.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every scalar of `value` with its schema path. `shape` says which objects
/// are maps; without it every object is read as a record.
fn leaves(
    value: &Value,
    shape: Option<&Type>,
    types: &TypeTable,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    let ty = shape.map(|t| types.plain(t));
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let (seg, inner) = match ty {
                    Some(Type::Map(inner)) => (ELEMENTS.to_owned(), Some(&**inner)),
                    Some(Type::Record(fields)) => (
                        k.clone(),
                        fields.iter().find(|f| &f.name == k).map(|f| &f.ty),
                    ),
                    _ => (k.clone(), None),
                };
                path.push(seg);
                leaves(v, inner, types, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            let inner = match ty {
                Some(Type::Array(inner)) | Some(Type::Map(inner)) => Some(&**inner),
                _ => None,
            };
            for v in items {
                path.push(ELEMENTS.to_owned());
                leaves(v, inner, types, path, out);
                path.pop();
            }
        }
        _ if !path.is_empty() => out.push((path.clone(), canonical(value))),
        _ => {}
    }
}

/// The schema paths of `before` (shaped by `before_shape`) that `after`
/// (shaped by `after_shape`) lost, each once, not covered by `removes`.
pub fn undeclared(
    before: &Value,
    before_shape: Option<&Type>,
    after: &Value,
    after_shape: Option<&Type>,
    types: &TypeTable,
    removes: &[Vec<String>],
) -> Vec<String> {
    let mut old = Vec::new();
    leaves(before, before_shape, types, &mut Vec::new(), &mut old);
    let mut new = Vec::new();
    leaves(after, after_shape, types, &mut Vec::new(), &mut new);
    let kept_paths: BTreeSet<&Vec<String>> = new.iter().map(|(p, _)| p).collect();
    let kept_values: BTreeSet<String> = new.iter().map(|(_, v)| v.to_string()).collect();
    let mut lost: BTreeSet<Vec<String>> = BTreeSet::new();
    for (path, value) in &old {
        if kept_paths.contains(path) || kept_values.contains(&value.to_string()) {
            continue;
        }
        if removes.iter().any(|r| path.starts_with(r)) {
            continue;
        }
        lost.insert(path.clone());
    }
    lost.iter().map(|p| show(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::types;
    use serde_json::json;

    fn ty(t: &str) -> Type {
        types::parse(t).unwrap().ty
    }

    #[test]
    fn a_map_of_records_migrated_to_an_array_keeps_its_fields() {
        let v1 = ty("{ Pets: {[string]: { Kind: string, Level: integer }} }");
        let v2 = ty("{ Pets: {{ Id: string, Kind: string, Level: integer }} }");
        let before = json!({ "Pets": { "p1": { "Kind": "Cat", "Level": 3 }, "p2": { "Kind": "Dog", "Level": 1 } } });
        let after = json!({ "Pets": [ { "Id": "p1", "Kind": "Cat", "Level": 3 }, { "Id": "p2", "Kind": "Dog", "Level": 1 } ] });
        let t = TypeTable::default();
        assert!(undeclared(&before, Some(&v1), &after, Some(&v2), &t, &[]).is_empty());
    }

    #[test]
    fn every_lost_field_is_named_by_its_schema_path_once() {
        let v1 = ty("{ Pets: {[string]: { Kind: string, Level: integer }}, Gold: integer }");
        let v2 = ty("{ Pets: {{ Id: string }} }");
        let before = json!({ "Gold": 7, "Pets": { "p1": { "Kind": "Cat", "Level": 3 }, "p2": { "Kind": "Dog", "Level": 4 } } });
        let after = json!({ "Pets": [ { "Id": "p1" }, { "Id": "p2" } ] });
        let t = TypeTable::default();
        assert_eq!(
            undeclared(&before, Some(&v1), &after, Some(&v2), &t, &[]),
            ["Gold", "Pets[].Kind", "Pets[].Level"]
        );
        let removes = declared("--@removes Pets[].Kind, Gold\n");
        assert_eq!(
            undeclared(&before, Some(&v1), &after, Some(&v2), &t, &removes),
            ["Pets[].Level"]
        );
    }

    #[test]
    fn removal_declarations_are_read_from_migration_comments() {
        let src = "--@removes Gold, Old.Field, Pets[].Kind\nreturn function(d) return d end";
        assert_eq!(
            declared(src),
            vec![
                vec!["Gold".to_string()],
                vec!["Old".to_string(), "Field".to_string()],
                vec!["Pets".to_string(), "[]".to_string(), "Kind".to_string()],
            ]
        );
        assert_eq!(show(&parse("Pets[].Kind")), "Pets[].Kind");
    }
}
