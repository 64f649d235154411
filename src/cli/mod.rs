//! The command-line surface: one module per subcommand, each owning its `Args`
//! and `run`. Exit codes: 0 ok, 1 user errors found, 2 usage or IO errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod build;
pub mod check;
pub mod diff;
pub mod init;
pub mod release;
pub mod sim;
pub mod test;
pub mod watch;

#[derive(Debug, Parser)]
#[command(
    name = "vstore",
    version,
    about = "Typed, generated, verified Roblox player data"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter project (virtualstore.toml, migrations/, operations/, fixtures/, tests/).
    Init(init::InitArgs),
    /// Parse and type-check the schema, migrations and handlers.
    Check(check::CheckArgs),
    /// Emit the Rojo-ready Luau package.
    Build(build::BuildArgs),
    /// Record the current version of every store as released in vstore.lock.
    Release(release::ReleaseArgs),
    /// Run fixtures, handler checks and *.spec.luau files in the simulator.
    Test(test::TestArgs),
    /// Run a seeded multi-server scenario and check the invariants.
    Sim(sim::SimArgs),
    /// Compare the schema with the last released one (vstore.lock).
    Diff(diff::DiffArgs),
}

/// Outcome of a command, mapped onto the process exit code.
pub enum Outcome {
    Ok,
    UserErrors,
    Usage,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Ok => ExitCode::SUCCESS,
            Outcome::UserErrors => ExitCode::from(1),
            Outcome::Usage => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::Init(a) => init::run(a),
        Command::Check(a) => check::run(a),
        Command::Build(a) => build::run(a),
        Command::Release(a) => release::run(a),
        Command::Test(a) => test::run(a),
        Command::Sim(a) => sim::run(a),
        Command::Diff(a) => diff::run(a),
    };
    outcome.into()
}
