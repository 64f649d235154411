//! `vstore sim` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct SimArgs {}

pub fn run(_args: SimArgs) -> Outcome {
    eprintln!("vstore sim: not implemented yet");
    Outcome::Usage
}
