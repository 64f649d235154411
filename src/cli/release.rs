//! `vstore release [--project DIR] [--check]`: records the current version of
//! every store in `vstore.lock` (what its records hold, its public paths and
//! private fields), after a clean `vstore check`. The only command that writes
//! the lock. Until a version is released it can be edited freely; once
//! released, only changes its records survive go without a version bump. A
//! version released again after compatible changes keeps every record saved
//! under it valid: fields added since become optional in the recorded shape.
//! With `--check` nothing is written and the exit code is 1 when a release
//! would change the lock.

use std::path::PathBuf;

use super::Outcome;
use crate::check;
use crate::schema::lock;

#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// Project folder holding `virtualstore.toml`.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Write nothing; exit 1 when the current versions are not released as they are.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: ReleaseArgs) -> Outcome {
    let checked = match check::check_project(&args.project) {
        Ok(checked) => checked,
        Err(failed) => {
            super::check::print(&failed.diagnostics);
            if failed.is_io() {
                return Outcome::Usage;
            }
            let errors = failed.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("vstore release: {errors} error(s); nothing released");
            return Outcome::UserErrors;
        }
    };
    super::check::print(&checked.warnings);
    let old = &checked.lock;
    let new = lock::release(&checked.project, old);
    let mut changed = 0;
    for store in &checked.project.stores {
        let v = store.version;
        let before = old.stores.get(&store.name).and_then(|s| s.get(&v));
        let after = &new.stores[&store.name][&v];
        let what = match before {
            None => "released",
            Some(b) if b == after => "already released as it is",
            Some(b) if b.legacy => "recorded again with its bounds, public paths and privacy",
            Some(_) => "recorded again with its compatible changes",
        };
        if before != Some(after) {
            changed += 1;
        }
        let verb = if args.check && before != Some(after) {
            "would be "
        } else {
            ""
        };
        println!("{} version {v}: {verb}{what}", store.name);
    }
    if changed == 0 {
        println!("{}: nothing to release", lock::LOCK_FILE);
        return Outcome::Ok;
    }
    if args.check {
        eprintln!(
            "error: {changed} store version(s) are not released as they are; run `vstore release`"
        );
        return Outcome::UserErrors;
    }
    match lock::write(&args.project, &new) {
        Ok(()) => {
            println!("wrote {}", args.project.join(lock::LOCK_FILE).display());
            Outcome::Ok
        }
        Err(e) => {
            eprintln!(
                "error: cannot write {}: {e}",
                args.project.join(lock::LOCK_FILE).display()
            );
            Outcome::Usage
        }
    }
}
