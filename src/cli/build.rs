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
    /// Compare the emitted tree and `vstore.lock` with the disk instead of writing; exit 1 on any difference.
    #[arg(long)]
    pub check: bool,
    /// Rebuild whenever the schema, migrations or handlers change (see `watch`).
    #[arg(long, conflicts_with = "check")]
    pub watch: bool,
}

pub fn run(args: BuildArgs) -> Outcome {
    if args.watch {
        let once = BuildArgs {
            watch: false,
            ..args.clone()
        };
        let rebuild = || match run(once.clone()) {
            Outcome::Ok => Ok("package is up to date".to_string()),
            _ => Err("build failed (diagnostics above)".to_string()),
        };
        super::watch::run(&args.project, super::watch::POLL_INTERVAL, rebuild, || true);
        return Outcome::Ok;
    }
    let checked = match check::check_project(&args.project) {
        Ok(checked) => checked,
        Err(failed) => {
            super::check::print(&failed.diagnostics);
            if failed.is_io() {
                return Outcome::Usage;
            }
            let errors = failed.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("vstore build: {errors} error(s); nothing written");
            return Outcome::UserErrors;
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
        return if package && released {
            Outcome::Ok
        } else {
            Outcome::UserErrors
        };
    }
    match codegen::write_files(&files, &out) {
        Ok(()) => {
            println!("wrote {} files to {}", files.len(), out.display());
            Outcome::Ok
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            Outcome::Usage
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

/// True when the package on disk is what would be written.
fn compare(files: &[codegen::OutFile], out: &Path) -> bool {
    let drift = codegen::compare(files, out);
    if drift.is_empty() {
        println!("{}: up to date ({} files)", out.display(), files.len());
        return true;
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
    false
}
