//! `vstore diff` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {}

pub fn run(_args: DiffArgs) -> Outcome {
    eprintln!("vstore diff: not implemented yet");
    Outcome::Usage
}
