//! Semantic checks over a loaded project: Luau analysis of handlers and
//! migrations, schema history against `vstore.lock`, and the strict type
//! check of handlers and migrations against the generated types. Every finding is a
//! `Diagnostic` with a stable code (see `docs/diagnostics.md`).

pub mod diagnostic;
pub mod game_paths;
pub mod history;
pub mod luau;
pub mod typecheck;

use std::path::Path;

pub use diagnostic::Diagnostic;

use crate::schema::{load, lock, model::Project};

/// A project with no errors; warnings still deserve printing.
#[derive(Debug)]
pub struct Checked {
    pub project: Project,
    pub warnings: Vec<Diagnostic>,
}

/// At least one error (warnings included, in file order).
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
}

impl Failed {
    /// True when the project could not be read at all (exit code 2).
    pub fn is_io(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code.starts_with("VS0"))
    }
}

/// Loads `virtualstore.toml` under `root` with its Luau files and `vstore.lock`
/// and runs every check.
pub fn check_project(root: &Path) -> Result<Checked, Failed> {
    let loaded = load::load(root).map_err(|d| Failed {
        diagnostics: vec![d],
    })?;
    finish(root, loaded)
}

/// Runs the checks on project text already in memory (the Luau files and the
/// lock are still read from `root`).
pub fn check_text(root: &Path, text: String) -> Result<Checked, Failed> {
    finish(root, load::load_str(root, text))
}

fn finish(root: &Path, loaded: load::Loaded) -> Result<Checked, Failed> {
    let mut diags = loaded.diagnostics;
    for store in &loaded.project.stores {
        for m in &store.migrations {
            if let Some(src) = loaded.files.get(&m.file) {
                luau::analyze_migration(src, m.to, &mut diags);
            }
        }
        for op in &store.operations {
            if let Some(src) = loaded.files.get(&op.file) {
                luau::analyze_handler(src, &op.writes, &mut diags);
            }
        }
    }
    let structurally_ok = !diags.iter().any(Diagnostic::is_error);
    let lock = lock::read(root);
    match &lock {
        Err(d) => diags.push(d.clone()),
        // History is only meaningful once the shapes themselves are valid.
        Ok(lock) if structurally_ok => history::check(
            &loaded.project,
            &loaded.spans,
            &loaded.source,
            lock,
            &mut diags,
        ),
        Ok(_) => {}
    }
    // Types are only checked once everything else holds: one mistake, one diagnostic.
    if let (Ok(lock), false) = (&lock, diags.iter().any(Diagnostic::is_error)) {
        let history = lock::history(lock);
        typecheck::check(&loaded.project, &loaded.files, &history, &mut diags);
    }
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.file() != Some(load::PROJECT_FILE),
                d.file().map(str::to_owned),
                d.span.start,
                d.span.end,
            )
        };
        key(a).cmp(&key(b))
    });
    if diags.iter().any(Diagnostic::is_error) {
        Err(Failed { diagnostics: diags })
    } else {
        Ok(Checked {
            project: loaded.project,
            warnings: diags,
        })
    }
}
