//! The public projection of a profile: the part of `Data` a client may see.
//! The simulator's oracle compares every client mirror with this, so it must
//! agree exactly with `templates/runtime/Replication.luau`'s projection: a
//! listed path copies the value found there (and nothing beside it), missing
//! paths are left out, and a path through a non-table value yields nothing.

use serde_json::{Map, Value};

/// Returns the sub-tree of `data` reachable through `paths`, keeping each
/// path's nesting. A path listed together with one of its ancestors adds
/// nothing, since the ancestor already carries the whole sub-tree.
pub fn public_projection(data: &Value, paths: &[Vec<String>]) -> Value {
    let mut out = Value::Object(Map::new());
    for path in paths {
        if path.is_empty() {
            continue;
        }
        if let Some(value) = lookup(data, path) {
            place(&mut out, path, value.clone());
        }
    }
    out
}

fn lookup<'a>(data: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(data, |node, key| match node {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key
            .parse::<usize>()
            .ok()
            .and_then(|index| index.checked_sub(1))
            .and_then(|index| items.get(index)),
        _ => None,
    })
}

fn place(out: &mut Value, path: &[String], value: Value) {
    let mut node = out;
    for (depth, key) in path.iter().enumerate() {
        let Value::Object(map) = node else {
            // An ancestor path was already copied whole; it covers this one.
            return;
        };
        if depth + 1 == path.len() {
            map.insert(key.clone(), value);
            return;
        }
        node = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if depth + 1 < path.len() && !node.is_object() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|part| part.to_string()).collect()
    }

    #[test]
    fn nested_leaf_is_published_without_its_siblings() {
        let data = json!({"Wallet": {"Coins": 10, "Reserved": 5, "Escrow": {"A": 1}}});
        let projected = public_projection(&data, &[p(&["Wallet", "Coins"])]);
        assert_eq!(projected, json!({"Wallet": {"Coins": 10}}));
    }

    #[test]
    fn top_level_path_copies_the_whole_subtree() {
        let data = json!({"Inventory": ["Sword", "Shield"], "Secret": 1});
        let projected = public_projection(&data, &[p(&["Inventory"])]);
        assert_eq!(projected, json!({"Inventory": ["Sword", "Shield"]}));
    }

    #[test]
    fn missing_paths_are_left_out() {
        let data = json!({"Wallet": {"Coins": 1}});
        let projected = public_projection(&data, &[p(&["Progress", "Level"]), p(&["Gems"])]);
        assert_eq!(projected, json!({}));
    }

    #[test]
    fn path_through_a_scalar_yields_nothing() {
        let data = json!({"Wallet": 3});
        let projected = public_projection(&data, &[p(&["Wallet", "Coins"])]);
        assert_eq!(projected, json!({}));
    }

    #[test]
    fn ancestor_and_descendant_paths_in_either_order_give_the_ancestor() {
        let data = json!({"Wallet": {"Coins": 1, "Gems": 2}});
        let expected = json!({"Wallet": {"Coins": 1, "Gems": 2}});
        let child_first = public_projection(&data, &[p(&["Wallet", "Coins"]), p(&["Wallet"])]);
        let parent_first = public_projection(&data, &[p(&["Wallet"]), p(&["Wallet", "Coins"])]);
        assert_eq!(child_first, expected);
        assert_eq!(parent_first, expected);
    }

    #[test]
    fn sibling_public_paths_share_their_parent() {
        let data = json!({"Progress": {"Level": 4, "XP": 90, "Hidden": true}});
        let projected =
            public_projection(&data, &[p(&["Progress", "Level"]), p(&["Progress", "XP"])]);
        assert_eq!(projected, json!({"Progress": {"Level": 4, "XP": 90}}));
    }

    #[test]
    fn array_elements_are_addressed_by_one_based_index() {
        let data = json!({"Slots": [{"Id": "a"}, {"Id": "b"}]});
        let projected = public_projection(&data, &[p(&["Slots", "2", "Id"])]);
        assert_eq!(projected, json!({"Slots": {"2": {"Id": "b"}}}));
    }

    #[test]
    fn empty_path_is_ignored() {
        let data = json!({"Coins": 1});
        assert_eq!(public_projection(&data, &[vec![]]), json!({}));
    }
}
