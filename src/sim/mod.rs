//! The native simulator: real Luau VMs (one per simulated server and client)
//! on one thread under a virtual clock, against an emulated, fault-injecting
//! Roblox. It owns the emulation (`roblox.luau` over the host functions in
//! `host`), the DataStore backend, the spec runner, the scenarios, and the
//! sweeps that run many seeded worlds on worker threads (one world per thread
//! at a time, nothing shared between worlds but compiled bytecode); it reads
//! stored records only through `crate::core`, never through the Luau under test.

pub mod bytecode;
pub mod datastore;
pub mod host;
pub mod json;
pub mod limits;
pub mod memorystore;
pub mod memorystore_host;
pub mod mount;
pub mod rng;
pub mod scenario;
pub mod shrink;
pub mod specs;
pub mod swarm;
pub mod sweep;
pub mod trace;
pub mod verify;
pub mod workload;
pub mod world;
