//! `vstore build` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {}

pub fn run(_args: BuildArgs) -> Outcome {
    eprintln!("vstore build: not implemented yet");
    Outcome::Usage
}
