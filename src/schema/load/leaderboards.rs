//! `[stores.X.leaderboards.Name]`: OrderedIndex leaderboards that project one
//! integer template field after each save. The name is the OrderedDataStore
//! name; `path` must name a non-optional integer field.

use std::collections::BTreeMap;

use crate::core::settings::{self, ORDERED_INDEX_SETTINGS, ROBLOX_MAX_KEY_CHARS};
use crate::schema::model::{Leaderboard, Store, Type};
use crate::schema::paths;
use crate::schema::tree::{Entry, Node};

use super::{checked_settings, closest, get, is_ident, report_path, Cx};

pub(super) fn load(cx: &mut Cx, entries: &[Entry], store: &mut Store, types: &[(String, Type)]) {
    for e in entries {
        let within = format!("[stores.{}.leaderboards.{}]", store.name, e.key);
        let Some(fields) = cx.table(&e.value, &format!("leaderboards.{}", e.key)) else {
            continue;
        };
        cx.known(fields, &["path", "ascending", "settings"], &within);
        let name_ok = is_ident(&e.key) && e.key.chars().count() <= ROBLOX_MAX_KEY_CHARS;
        if !name_ok {
            cx.error(
                "VS3602",
                e.key_span,
                format!("leaderboard name `{}` is not an identifier of at most {ROBLOX_MAX_KEY_CHARS} characters", e.key),
                "invalid leaderboard name",
                "the name is the OrderedDataStore name and a Luau field: use letters, digits and `_`, starting with a letter",
            );
        }
        let ascending = match get(fields, "ascending") {
            None => false,
            Some(a) => match a.value.node {
                Node::Bool(b) => b,
                _ => {
                    cx.wrong_type(&a.value, "ascending", "a boolean");
                    false
                }
            },
        };
        let settings = match get(fields, "settings") {
            None => BTreeMap::new(),
            Some(s) => match cx.table(&s.value, "settings") {
                Some(se) => settings(cx, se),
                None => BTreeMap::new(),
            },
        };
        let Some(p) = get(fields, "path") else {
            cx.missing(
                e.key_span,
                "path",
                &within,
                "`path = \"Wallet.Coins\"`, an integer template field",
            );
            continue;
        };
        let Some(text) = cx.string(&p.value, "path") else {
            continue;
        };
        let path = match paths::resolve(&store.shape, text, types) {
            Ok(path) => path,
            Err(problem) => {
                report_path(cx, p.value.span, text, problem, "leaderboard path");
                continue;
            }
        };
        match field_type(&store.shape, &path, types) {
            Some(Type::Integer { .. }) => {}
            found => {
                let message = match found {
                    Some(ty @ Type::Optional(_)) => format!(
                        "leaderboard path `{text}` is optional (`{}`) and may be nil",
                        crate::schema::types::render(ty)
                    ),
                    Some(ty) => format!(
                        "leaderboard path `{text}` is of type `{}`, not an integer",
                        crate::schema::types::render(ty)
                    ),
                    None => format!("leaderboard path `{text}` is not a field"),
                };
                cx.error(
                    "VS3601",
                    p.value.span,
                    message,
                    "not an integer field",
                    "OrderedDataStore stores integers only: project a non-optional `integer` field such as `Wallet.Coins`",
                );
                continue;
            }
        }
        if name_ok {
            store.leaderboards.push(Leaderboard {
                name: e.key.clone(),
                path,
                ascending,
                settings,
            });
        }
    }
}

/// The declared type at `path` with named types resolved (optional kept).
fn field_type<'t>(
    shape: &'t Type,
    path: &[String],
    types: &'t [(String, Type)],
) -> Option<&'t Type> {
    let mut ty = resolve(shape, types);
    for segment in path {
        let Type::Record(fields) = ty else {
            return None;
        };
        ty = resolve(&fields.iter().find(|f| &f.name == segment)?.ty, types);
    }
    Some(ty)
}

fn resolve<'t>(mut ty: &'t Type, types: &'t [(String, Type)]) -> &'t Type {
    for _ in 0..64 {
        match ty {
            Type::Named(n) => match types.iter().find(|(k, _)| k == n) {
                Some((_, t)) => ty = t,
                None => break,
            },
            _ => break,
        }
    }
    ty
}

/// OrderedIndex settings, checked against `core::settings::ORDERED_INDEX`
/// with the store settings' codes.
fn settings(cx: &mut Cx, entries: &[Entry]) -> BTreeMap<String, serde_json::Value> {
    checked_settings(cx, entries, &settings::ORDERED_INDEX, |key| {
        let help = match closest(key, ORDERED_INDEX_SETTINGS.iter().map(|s| s.name)) {
            Some(s) => {
                format!("did you mean `{s}`? Leaderboards accept the OrderedIndex settings")
            }
            None => format!(
                "leaderboards accept the OrderedIndex settings: {}",
                ORDERED_INDEX_SETTINGS
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        (
            format!("unknown OrderedIndex setting `{key}`"),
            "not an OrderedIndex setting",
            help,
        )
    })
}
