//! `vstore diff`: compares the current schema with the last released one
//! (`vstore.lock`, or `--against FILE`) and classifies every change with a
//! stable code (see `crate::diff`). Exit 1 when any finding is breaking.

use std::path::PathBuf;

use super::Outcome;
use crate::check::{self, Options};
use crate::diagnostic::SourceFile;
use crate::diff::{self, render, Severity};
use crate::schema::model::Project;
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
    /// Released schema to compare with: a lock file or an older
    /// `virtualstore.toml` (defaults to the last release in the project's `vstore.lock`).
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
            for store in &new.stores {
                let Some(versions) = lock.stores.get(&store.name) else {
                    continue;
                };
                let pick = versions
                    .range(..=store.version)
                    .next_back()
                    .or_else(|| versions.iter().next_back());
                if let Some((v, _)) = pick.filter(|(_, r)| r.legacy) {
                    eprintln!(
                        "note: {} records version {v} of {} with its shape only (written before `vstore release`): public paths, privacy and bounds are not compared; `vstore release` records them",
                        lock::LOCK_FILE,
                        store.name
                    );
                }
            }
            diff::compare_with_lock(lock, &new, &source)
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
fn report(diags: &[crate::check::Diagnostic]) -> Outcome {
    eprint!("{}", crate::diagnostic::render_plain(diags, 100));
    let io = diags.iter().any(|d| d.code.starts_with("VS0"));
    if io {
        Outcome::Usage
    } else {
        Outcome::UserErrors
    }
}

enum Released {
    Lock(lock::Lock),
    Project(Project),
}

fn load(args: &DiffArgs) -> Result<(Released, Project, String), Outcome> {
    let root = &args.project;
    let current = check::check_project_with(root, Options::SCHEMA)
        .map_err(|failed| report(&failed.diagnostics))?;
    if !current.warnings.is_empty() {
        eprint!(
            "{}",
            crate::diagnostic::render_plain(&current.warnings, 100)
        );
    }
    let source = load::read_project(root)
        .map_err(|d| report(&[d]))?
        .text()
        .to_string();
    let released = match &args.against {
        None => {
            let lock = lock::read(root).map_err(|d| report(&[d]))?;
            if lock.stores.is_empty() {
                eprintln!(
                    "vstore diff: {} has no released versions yet; nothing to compare (`vstore release` records them)",
                    lock::LOCK_FILE
                );
            }
            Released::Lock(lock)
        }
        Some(file) => {
            let text = load::read_regular(file).map_err(|problem| {
                eprintln!(
                    "error[VSD000]: cannot read {}: it {}",
                    file.display(),
                    problem.describe()
                );
                eprintln!("  help: pass a vstore.lock or an older virtualstore.toml");
                Outcome::Usage
            })?;
            // A lock file, or an older `virtualstore.toml` (full comparison).
            match lock::parse(text.clone()) {
                Ok(l) if !l.stores.is_empty() => Released::Lock(l),
                _ => {
                    let name = file.display().to_string();
                    match check::check_source(root, SourceFile::new(&name, text), Options::SCHEMA) {
                        Ok(old) => Released::Project(old.project),
                        Err(failed) => {
                            eprintln!(
                                "error[VSD000]: {} does not load as a schema:",
                                file.display()
                            );
                            let _ = report(&failed.diagnostics);
                            return Err(Outcome::Usage);
                        }
                    }
                }
            }
        }
    };
    Ok((released, current.project, source))
}
