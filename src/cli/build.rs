//! `vstore build`: check the project, update `vstore.lock`, and write the
//! Rojo-ready package (or, with `--check`, compare it with the disk).

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::check;
use crate::codegen::{self, Drift, History};
use crate::schema::{lock, types};

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
    let project = checked.project;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => args.project.join(&project.out),
    };
    let old_lock = match lock::read(&args.project) {
        Ok(l) => l,
        Err(d) => {
            super::check::print(&[d]);
            return Err(Outcome::UserErrors);
        }
    };
    let files = codegen::generate_with_history(&project, &history(&old_lock));
    if args.check {
        return compare(&files, &out);
    }
    let new_lock = lock::updated(&project, &old_lock);
    if lock::render(&new_lock)
        != old_lock
            .source
            .as_ref()
            .map(|s| s.text().to_string())
            .unwrap_or_default()
    {
        if let Err(e) = lock::write(&args.project, &new_lock) {
            eprintln!(
                "error: cannot write {}: {e}",
                args.project.join(lock::LOCK_FILE).display()
            );
            return Err(Outcome::Usage);
        }
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
    let mut history = History::new();
    for (store, versions) in &lock.stores {
        for (version, shape) in versions {
            if let Ok(parsed) = types::parse(shape) {
                history.insert((store.clone(), *version), parsed.ty);
            }
        }
    }
    history
}

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
