//! `[stores.X.leaderboards.Name]`: the name is an identifier of at most 50
//! characters (VS3602, it becomes the OrderedDataStore name) and `path` names
//! a non-optional integer field (VS3601; the path codes of `public_paths`).

use crate::check::rule::{Context, Rule};
use crate::core::settings::ROBLOX_MAX_KEY_CHARS;
use crate::schema::model::{Leaderboard, Type};
use crate::schema::types::{self, TypeTable};

use super::public_paths::resolve;
use super::type_names::is_ident;

pub struct Leaderboards;

impl Rule for Leaderboards {
    fn name(&self) -> &'static str {
        "leaderboards"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3101", "VS3102", "VS3104", "VS3601", "VS3602"]
    }

    fn check(&self, cx: &mut Context) {
        let table = TypeTable::new(&cx.types);
        for i in 0..cx.stores.len() {
            let decl = cx.stores[i].decl;
            for lb in &decl.leaderboards {
                let name = &lb.name.value;
                let name_ok = is_ident(name) && name.chars().count() <= ROBLOX_MAX_KEY_CHARS;
                if !name_ok {
                    cx.out.error(
                        "VS3602",
                        lb.name.span,
                        format!("leaderboard name `{name}` is not an identifier of at most {ROBLOX_MAX_KEY_CHARS} characters"),
                        "invalid leaderboard name",
                        "the name is the OrderedDataStore name and a Luau field: use letters, digits and `_`, starting with a letter",
                    );
                }
                let Some(p) = &lb.path else {
                    continue;
                };
                let s = &cx.stores[i];
                let Some(path) =
                    resolve(&mut cx.out, s, &table, &p.value, p.span, "leaderboard path")
                else {
                    continue;
                };
                let found = field_type(&s.store.shape, &path, &table);
                if !matches!(found, Some(Type::Integer { .. })) {
                    let text = &p.value;
                    let message = match found {
                        Some(ty @ Type::Optional(_)) => format!(
                            "leaderboard path `{text}` is optional (`{}`) and may be nil",
                            types::render(ty)
                        ),
                        Some(ty) => format!(
                            "leaderboard path `{text}` is of type `{}`, not an integer",
                            types::render(ty)
                        ),
                        None => format!("leaderboard path `{text}` is not a field"),
                    };
                    cx.out.error(
                        "VS3601",
                        p.span,
                        message,
                        "not an integer field",
                        "OrderedDataStore stores integers only: project a non-optional `integer` field such as `Wallet.Coins`",
                    );
                    continue;
                }
                if name_ok {
                    let settings = cx.stores[i]
                        .board_settings
                        .get(name)
                        .cloned()
                        .unwrap_or_default();
                    cx.stores[i].store.leaderboards.push(Leaderboard {
                        name: name.clone(),
                        path,
                        ascending: lb.ascending,
                        settings,
                    });
                }
            }
        }
    }
}

/// The declared type at `path` with named types resolved (optional kept).
fn field_type<'t>(shape: &'t Type, path: &[String], table: &'t TypeTable) -> Option<&'t Type> {
    let mut ty = table.resolve(shape);
    for segment in path {
        let Type::Record(fields) = ty else {
            return None;
        };
        ty = table.resolve(&fields.iter().find(|f| &f.name == segment)?.ty);
    }
    Some(ty)
}
