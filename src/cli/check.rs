//! `vstore check [--project DIR]`: loads and checks the project, prints every
//! diagnostic to stderr, exits 1 on errors and 2 when the project cannot be read.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::Outcome;
use crate::check::{self, Diagnostic};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Project folder containing virtualstore.toml.
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
}

/// Prints diagnostics as miette reports (colour only on a terminal).
pub fn print(diags: &[Diagnostic]) {
    let theme = if std::io::stderr().is_terminal() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    eprint!("{}", crate::diagnostic::render(diags, theme, None));
}

pub fn run(args: CheckArgs) -> Outcome {
    match check::check_project(&args.project) {
        Ok(checked) => {
            print(&checked.warnings);
            let stores = checked.project.stores.len();
            eprintln!(
                "vstore check: {stores} store(s) ok, {} warning(s)",
                checked.warnings.len()
            );
            Outcome::Ok
        }
        Err(failed) => {
            print(&failed.diagnostics);
            if failed.is_io() {
                return Outcome::Usage;
            }
            let errors = failed.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("vstore check: {errors} error(s)");
            Outcome::UserErrors
        }
    }
}
