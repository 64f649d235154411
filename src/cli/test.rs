//! `vstore test` (placeholder until its owner lands it).

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct TestArgs {}

pub fn run(_args: TestArgs) -> Outcome {
    eprintln!("vstore test: not implemented yet");
    Outcome::Usage
}
