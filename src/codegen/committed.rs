//! The files the repository commits that are rendered from the Rust tables:
//! the runtime's `Constants.luau`, the generated tables of `docs/api.md` and
//! the editor JSON Schema. `tests/generated_files.rs` fails when one is stale
//! and rewrites them all with `UPDATE_GENERATED=1`. Nothing here writes files.

use std::path::Path;

/// One committed generated file: its path from the repository root and the
/// text it must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub path: &'static str,
    pub contents: String,
}

/// The API reference, whose tables are generated between hand-written text.
pub const API_DOCS: &str = "docs/api.md";

/// Every committed generated file, rendered for the repository at `root`
/// (`docs/api.md` is read from there and returned with its generated tables
/// replaced). Fails when the page lacks a table's markers.
pub fn render(root: &Path) -> Result<Vec<Committed>, String> {
    let page =
        std::fs::read_to_string(root.join(API_DOCS)).map_err(|e| format!("{API_DOCS}: {e}"))?;
    let docs = super::api::docs::splice(&page).map_err(|e| e.0)?;
    Ok(vec![
        Committed {
            path: super::constants::PATH,
            contents: super::constants::render(),
        },
        Committed {
            path: crate::editor_schema::PATH,
            contents: crate::editor_schema::render(),
        },
        Committed {
            path: API_DOCS,
            contents: docs,
        },
    ])
}
