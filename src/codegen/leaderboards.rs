//! `<Store>/Leaderboards.luau`: one OrderedIndex per declared leaderboard.
//! The store module binds each to every loaded session.

use minijinja::context;

use super::{luau, OutFile, StoreCx};

pub(super) fn render(cx: &StoreCx) -> OutFile {
    let boards: Vec<_> = cx
        .store
        .leaderboards
        .iter()
        .map(|b| {
            let settings = (!b.settings.is_empty()).then(|| {
                luau::value(
                    &serde_json::Value::Object(b.settings.clone().into_iter().collect()),
                    1,
                )
            });
            context! {
                target => luau::index("Leaderboards", &b.name),
                name => luau::string(&b.name),
                ascending => if b.ascending { "true" } else { "false" },
                settings => settings,
            }
        })
        .collect();
    OutFile {
        path: cx.path("Leaderboards.luau"),
        contents: cx.render(
            "leaderboards.luau",
            context! { header => &cx.header, store => &cx.store.name, boards => boards },
        ),
    }
}
