//! The runtime core: the one source of truth for the record envelope, the
//! settings with their defaults and rules, error codes, states, Roblox's limits
//! and the public API. Codegen emits the runtime's `Constants.luau`, the typed
//! declarations, the roblox-ts typings and the docs' tables from it; `vstore
//! check` validates settings with it; the simulator's oracles decode stored
//! records with it. It must not depend on the schema front end, codegen or the
//! simulator.

pub mod api;
pub mod codes;
pub mod envelope;
pub mod projection;
pub mod settings;

/// The version of the runtime and of the toolchain that emits it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
