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
    /// Also check the data paths the game's own scripts pass as literals
    /// (`Data:Add(player, {"Wallet", "Coins"}, 1)`) against the schema; the
    /// scripts are the ones this Rojo project mounts (default
    /// `default.project.json`; a relative path missing from the current
    /// folder is looked up in the project folder).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "default.project.json")]
    pub rojo: Option<PathBuf>,
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
        Ok(mut checked) => {
            if let Some(rojo) = &args.rojo {
                let file = if rojo.is_relative() && !rojo.exists() {
                    args.project.join(rojo)
                } else {
                    rojo.clone()
                };
                if let Err(d) =
                    check::game_paths::check(&checked.project, &file, &mut checked.warnings)
                {
                    print(&[d]);
                    return Outcome::Usage;
                }
                if checked.warnings.iter().any(Diagnostic::is_error) {
                    print(&checked.warnings);
                    let errors = checked.warnings.iter().filter(|d| d.is_error()).count();
                    eprintln!("vstore check: {errors} error(s)");
                    return Outcome::UserErrors;
                }
            }
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
