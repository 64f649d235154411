//! `vstore check` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {}

pub fn run(_args: CheckArgs) -> Outcome {
    eprintln!("vstore check: not implemented yet");
    Outcome::Usage
}
