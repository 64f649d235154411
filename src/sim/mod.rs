//! The native simulator: real Luau VMs (one per simulated server and client)
//! on one thread under a virtual clock, against an emulated, fault-injecting
//! Roblox. It owns the emulation (`roblox.luau` over the host functions in
//! `host`), the DataStore backend, the spec runner and the scenarios; it reads
//! stored records only through `crate::core`, never through the Luau under test.

pub mod bytecode;
pub mod datastore;
pub mod host;
pub mod json;
pub mod limits;
pub mod mount;
pub mod rng;
pub mod scenario;
pub mod shrink;
pub mod specs;
pub mod swarm;
pub mod sweep;
pub mod trace;
pub mod verify;
pub mod world;
