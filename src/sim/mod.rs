//! The native simulator: real Luau VMs (one per simulated server and client)
//! on one thread under a virtual clock, against an emulated, fault-injecting
//! Roblox. It owns the emulation (`engine/*.luau` over the host functions in
//! `host/`), the DataStore backend, the spec runner, the scenarios, and the
//! sweeps that run many seeded worlds on worker threads (one world per thread
//! at a time, nothing shared between worlds but compiled bytecode); it reads
//! stored records only through `crate::core`, never through the Luau under test.

/// The Luau release the VMs run: the one vendored by mlua's `luau0-src`
/// (shown in the `vstore sim` summary; a test keeps it equal to Cargo.lock).
pub const LUAU_VERSION: &str = "0.740";

pub mod budget;
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
pub mod teleport_host;
pub mod trace;
pub mod verify;
pub mod workload;
pub mod world;

#[cfg(test)]
mod tests {
    #[test]
    fn the_recorded_luau_version_is_the_vendored_one() {
        let lock = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"));
        let vendored = lock
            .lines()
            .find_map(|l| {
                l.strip_prefix("version = \"")
                    .filter(|v| v.contains("+luau"))
            })
            .expect("luau0-src in Cargo.lock");
        assert_eq!(
            vendored.trim_end_matches('"').split("+luau").nth(1),
            super::LUAU_VERSION.strip_prefix("0.")
        );
    }
}
