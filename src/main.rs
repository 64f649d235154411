use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = vstore::cli::Cli::parse();
    vstore::cli::run(cli)
}
