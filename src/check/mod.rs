//! Semantic checks over a project: reads `virtualstore.toml` into the spanned
//! document (`schema::document`), runs every rule of `rules` over it (types,
//! template, paths, settings, migrations, operations, leaderboards, the Luau
//! files, the released history) and returns the checked `model::Project` or
//! the diagnostics. When every rule passes, handlers and migrations are
//! type-checked in strict mode against the generated types (`typecheck`).
//! `game_paths` checks path literals in the game's own scripts
//! (`vstore check --rojo`). Every finding is a `Diagnostic` with a stable
//! code (see `docs/diagnostics.md`).

pub mod game_paths;
pub mod luau;
pub mod rule;
pub mod rules;
pub mod typecheck;

use std::path::Path;

pub use crate::diagnostic;
pub use crate::diagnostic::Diagnostic;
pub use rule::Options;

use crate::diagnostic::SourceFile;
use crate::schema::lock::Lock;
use crate::schema::model::Project;
use crate::schema::{document, load};

/// A project with no errors; warnings still deserve printing.
#[derive(Debug)]
pub struct Checked {
    pub project: Project,
    pub warnings: Vec<Diagnostic>,
    /// The released history the project was checked against (empty when
    /// nothing was released, or when history was not checked).
    pub lock: Lock,
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
    check_project_with(root, Options::ALL)
}

/// `check_project` reading only what `options` asks for.
pub fn check_project_with(root: &Path, options: Options) -> Result<Checked, Failed> {
    let source = load::read_project(root).map_err(|d| Failed {
        diagnostics: vec![d],
    })?;
    check_source(root, source, options)
}

/// Runs the checks on project text already in memory (the Luau files and the
/// lock are still read from `root`).
pub fn check_text(root: &Path, text: String) -> Result<Checked, Failed> {
    check_source(
        root,
        SourceFile::new(load::PROJECT_FILE, text),
        Options::ALL,
    )
}

/// Runs every rule over `source`, the text of `root`'s `virtualstore.toml`.
pub fn check_source(root: &Path, source: SourceFile, options: Options) -> Result<Checked, Failed> {
    let doc = document::read(source);
    let mut cx = rule::Context::new(root, &doc, options);
    for r in rules::RULES {
        r.check(&mut cx);
    }
    let lock = cx.lock.take().unwrap_or_default();
    let project = Project {
        root: root.to_path_buf(),
        out: cx.project_out.clone(),
        types: std::mem::take(&mut cx.types),
        stores: cx.stores.into_iter().map(|s| s.store).collect(),
        typescript: cx.typescript,
    };
    let mut diags = cx.out.diags;
    // Types are only checked once everything else holds: one mistake, one diagnostic.
    if options.files && !diags.iter().any(Diagnostic::is_error) {
        let sources = cx
            .files
            .iter()
            .map(|(path, file)| (path.clone(), file.source.clone()))
            .collect();
        let history = crate::schema::lock::history(&lock);
        typecheck::check(&project, &sources, &history, &mut diags);
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
            project,
            warnings: diags,
            lock,
        })
    }
}
