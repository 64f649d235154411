//! The simulator's integration tests, one binary: every file below is a module
//! (its tests are named `<file>::<test>`, so `cargo test --test sim sweep::`
//! runs one file's). Each test binary links the crate and Luau, so the files
//! share one instead of linking their own.

mod cli_support;

// the emulated engine and world
mod sim_emulation;
mod sim_fidelity;
mod sim_world;

// budgets of user Luau
mod luau_budgets;

// spec suites through `vstore test`, and mutants they must catch
mod luau_specs;
mod trade_mutants;

// `vstore sim`: scenarios, oracles, sweeps
mod sim_oracles;
mod sim_scenario;
mod sweep;
