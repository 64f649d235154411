//! vstore: a schema toolchain, the VirtualStore Luau runtime and a simulator.
//!
//! The pipeline reads top to bottom: `schema` (TOML model) -> `check` (semantic
//! checks, diagnostics) -> `codegen` (Luau package). `diagnostic` is the leaf
//! every stage reports with; `diff` classifies schema changes; `core` is the
//! runtime's single source of truth shared by codegen and the simulator; `sim`
//! runs the generated Luau against an emulated Roblox; `cli` wires the commands.

pub mod check;
pub mod cli;
pub mod codegen;
pub mod core;
pub mod diagnostic;
pub mod diff;
pub mod editor_schema;
pub mod schema;
pub mod sim;
