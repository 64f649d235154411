//! Store names fit a DataStore name (VS3201) and a Luau module name (VS3202).

use crate::check::rule::{Context, Rule};
use crate::core::settings::ROBLOX_MAX_KEY_CHARS;

use super::type_names::is_ident;

pub struct StoreNames;

impl Rule for StoreNames {
    fn name(&self) -> &'static str {
        "store_names"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3201", "VS3202"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &cx.doc.stores {
            let name = &s.name.value;
            let chars = name.chars().count();
            if chars > ROBLOX_MAX_KEY_CHARS {
                cx.out.error(
                    "VS3201",
                    s.name.span,
                    format!(
                        "store name `{name}` is {chars} characters; Roblox allows {ROBLOX_MAX_KEY_CHARS}"
                    ),
                    "too long for a DataStore name",
                    format!("shorten the store name to at most {ROBLOX_MAX_KEY_CHARS} characters"),
                );
            } else if !is_ident(name) {
                cx.out.error(
                    "VS3202",
                    s.name.span,
                    format!("store name `{name}` is not an identifier"),
                    "invalid store name",
                    "store names become Luau module names: use letters, digits and `_`, starting with a letter",
                );
            }
        }
    }
}
