//! The runtime core: the one source of truth for the record envelope, settings
//! and their defaults, error codes and states. Codegen emits Luau constants from
//! it; the simulator's oracles decode stored records with it. It must not depend
//! on the schema front end or the simulator.

pub mod codes;
pub mod envelope;
pub mod projection;
pub mod settings;
