//! `vstore init` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct InitArgs {}

pub fn run(_args: InitArgs) -> Outcome {
    eprintln!("vstore init: not implemented yet");
    Outcome::Usage
}
