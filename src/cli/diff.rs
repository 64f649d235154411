//! `vstore diff`: compares the current schema with the last released one
//! (`vstore.lock`, or `--against FILE`) and classifies every change with a
//! stable code (see `crate::diff`). Exit 1 when any finding is breaking.

use std::path::PathBuf;

use super::Outcome;
use crate::diff::{self, render, Severity};
use crate::schema::{load, lock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette reports with source snippets.
    Human,
    /// One JSON document for tools.
    Json,
    /// GitHub Actions workflow commands (inline annotations).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Project folder holding `virtualstore.toml`.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Released schema to compare with (defaults to the project's `vstore.lock`).
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: DiffArgs) -> Outcome {
    let (old, new, source) = match load(&args) {
        Ok(sides) => sides,
        Err(outcome) => return outcome,
    };
    let findings = match &old {
        Released::Project(old) => diff::compare(old, &new, &source),
        Released::Lock(lock) => {
            match diff::compare_with_lock(lock, &new, &source) {
                Ok(f) => f,
                Err(message) => {
                    eprintln!("error[VSD000]: {message}");
                    eprintln!("  help: restore vstore.lock from version control; `vstore build` writes it");
                    return Outcome::Usage;
                }
            }
        }
    };
    let file = "virtualstore.toml";
    let text = match args.format {
        Format::Human => render::human(&findings, file, &source),
        Format::Json => render::json(&findings, file, &source),
        Format::Github => render::github(&findings, file, &source),
    };
    print!("{text}");
    if findings.iter().any(|f| f.severity == Severity::Breaking) {
        Outcome::UserErrors
    } else {
        Outcome::Ok
    }
}

/// Prints load problems; `Err` when the project cannot be compared.
fn report(diags: &[crate::check::Diagnostic]) -> Result<(), Outcome> {
    if diags.is_empty() {
        return Ok(());
    }
    eprint!("{}", crate::check::diagnostic::render_plain(diags, 100));
    if diags.iter().any(|d| d.is_error()) {
        let io = diags.iter().any(|d| d.code.starts_with("VS0"));
        return Err(if io {
            Outcome::Usage
        } else {
            Outcome::UserErrors
        });
    }
    Ok(())
}

enum Released {
    Lock(lock::Lock),
    Project(crate::schema::model::Project),
}

fn load(args: &DiffArgs) -> Result<(Released, crate::schema::model::Project, String), Outcome> {
    let root = &args.project;
    let current = load::load(root).map_err(|d| {
        let _ = report(&[d]);
        Outcome::Usage
    })?;
    report(&current.diagnostics)?;
    let source = current.source.text().to_string();
    let released = match &args.against {
        None => {
            let lock = lock::read(root).map_err(|d| {
                let _ = report(&[d]);
                Outcome::Usage
            })?;
            if lock.stores.is_empty() {
                eprintln!(
                    "vstore diff: {} has no released versions yet; nothing to compare",
                    lock::LOCK_FILE
                );
            }
            Released::Lock(lock)
        }
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| {
                eprintln!("error[VSD000]: cannot read {}: {e}", file.display());
                eprintln!("  help: pass a vstore.lock or an older virtualstore.toml");
                Outcome::Usage
            })?;
            // A lock file, or an older `virtualstore.toml` (full comparison).
            match lock::parse(text.clone()) {
                Ok(l) if !l.stores.is_empty() => Released::Lock(l),
                _ => {
                    let old = load::load_str(root, text);
                    if old
                        .diagnostics
                        .iter()
                        .any(|d| d.is_error() && !d.message.contains("does not exist"))
                    {
                        eprintln!(
                            "error[VSD000]: {} does not load as a schema:",
                            file.display()
                        );
                        let _ = report(&old.diagnostics);
                        return Err(Outcome::Usage);
                    }
                    Released::Project(old.project)
                }
            }
        }
    };
    Ok((released, current.project, source))
}
