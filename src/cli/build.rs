//! `vstore build`: check the project and write the Rojo-ready package, typing
//! migrations against the released shapes in `vstore.lock`. Building never
//! writes the lock (releasing is `vstore release`). With `--check` it writes
//! nothing and exits 1 when the package on disk differs from what would be
//! written, or when the lock records a released version of a store that the
//! schema has changed since (`vstore release` would record it again).

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::check;
use crate::codegen::{self, Drift, History};
use crate::schema::lock;

#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    /// Project folder holding `virtualstore.toml`.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Output folder (defaults to `[project] out` from `virtualstore.toml`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Compare the emitted tree with the disk instead of writing; exit 1 on any difference.
    #[arg(long)]
    pub check: bool,
    /// Rebuild whenever the schema, migrations or handlers change (see `watch`).
    #[arg(long, conflicts_with = "check")]
    pub watch: bool,
}

pub fn run(args: BuildArgs) -> Outcome {
    if args.watch {
        return super::watch::run_build(&args);
    }
    match build(&args) {
        Ok(summary) => {
            println!("{summary}");
            Outcome::Ok
        }
        Err(outcome) => outcome,
    }
}

/// Checks, then writes (or with `--check` compares) the package once.
/// Diagnostics go to stderr; the one-line summary is returned rather than
/// printed, so `--watch` can print exactly one line per rebuild.
pub fn build(args: &BuildArgs) -> Result<String, Outcome> {
    let checked = match check::check_project(&args.project) {
        Ok(checked) => checked,
        Err(failed) => {
            super::check::print(&failed.diagnostics);
            if failed.is_io() {
                return Err(Outcome::Usage);
            }
            let errors = failed.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("vstore build: {errors} error(s); nothing written");
            return Err(Outcome::UserErrors);
        }
    };
    super::check::print(&checked.warnings);
    let out = match &args.out {
        Some(out) => out.clone(),
        None => args.project.join(&checked.project.out),
    };
    let files = codegen::generate_with_history(&checked.project, &history(&checked.lock));
    if args.check {
        let package = compare(&files, &out);
        let released = stale_releases(&checked);
        return match (package, released) {
            (Ok(summary), true) => Ok(summary),
            (Err(outcome), _) => Err(outcome),
            (Ok(_), false) => Err(Outcome::UserErrors),
        };
    }
    match codegen::write_files(&files, &out) {
        Ok(()) => Ok(format!("wrote {} files to {}", files.len(), out.display())),
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            Err(Outcome::Usage)
        }
    }
}

/// Old shapes recorded in the lock, so migrations see `V<N>` as real types.
pub fn history(lock: &lock::Lock) -> History {
    lock::history(lock)
}

/// True when no released version has changed since it was released.
fn stale_releases(checked: &check::Checked) -> bool {
    let mut ok = true;
    for store in &checked.project.stores {
        if let Some(v) = lock::unreleased_changes(store, &checked.project, &checked.lock) {
            ok = false;
            println!(
                "differs: {} records {} version {v} as released, but its shape, public paths or privacy changed since",
                lock::LOCK_FILE,
                store.name
            );
        }
    }
    if !ok {
        eprintln!(
            "error: {} is out of date; run `vstore release` to record the compatible changes (or bump the version)",
            lock::LOCK_FILE
        );
    }
    ok
}

/// The package on disk against what would be written: a summary line, or
/// the differences listed and `UserErrors`.
fn compare(files: &[codegen::OutFile], out: &Path) -> Result<String, Outcome> {
    let drift = codegen::compare(files, out);
    if drift.is_empty() {
        return Ok(format!(
            "{}: up to date ({} files)",
            out.display(),
            files.len()
        ));
    }
    for d in &drift {
        match d {
            Drift::Differs(p) => println!("differs: {p}"),
            Drift::Missing(p) => println!("missing: {p}"),
            Drift::Extra(p) => println!("stale:   {p}"),
        }
    }
    eprintln!(
        "error: {} generated file(s) in {} are out of date; run `vstore build`",
        drift.len(),
        out.display()
    );
    Err(Outcome::UserErrors)
}
