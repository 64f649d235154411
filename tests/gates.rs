//! Quality gates on Luau that vstore ships: StyLua formatting, selene with the
//! pinned Roblox std, and Luau strict type checking (`vstore-typecheck`, built
//! by cargo for this test run).
//!
//! A gate whose tool is not installed is reported `ignored` with the tool
//! named (and a notice on stderr) locally; with `CI` set it fails.
//!
//! This file is also the harness of the other files that need one (one test
//! binary links the crate and Luau once for all of them): each module's
//! gates are named `<module>::<gate>`, so `cargo test --test gates petsim::`
//! runs one file's.

mod gates_support;

mod gates_rojo;
mod gates_typescript;
mod gates_typing;
mod init_layout;
mod petsim;

use std::process::ExitCode;

use gates_support::{
    built_example, built_project, gate_all, gates_main, package_from_runtime, Gate,
};

/// A module's list of gates.
type Gates = fn() -> Vec<Gate>;

fn main() -> ExitCode {
    let mut all = own_gates();
    let modules: [(&str, Gates); 5] = [
        ("gates_rojo", gates_rojo::gates),
        ("gates_typescript", gates_typescript::gates),
        ("gates_typing", gates_typing::gates),
        ("init_layout", init_layout::gates),
        ("petsim", petsim::gates),
    ];
    for (module, gates) in modules {
        for (name, body) in gates() {
            let name: &'static str = Box::leak(format!("{module}::{name}").into_boxed_str());
            all.push((name, body));
        }
    }
    gates_main(&all)
}

fn own_gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        (
            "runtime_library_passes_stylua_selene_and_strict_types",
            || gate_all(&package_from_runtime("runtime")),
        ),
        (
            "client_library_passes_stylua_selene_and_strict_types",
            || gate_all(&package_from_runtime("client")),
        ),
        (
            "basic_example_build_passes_stylua_selene_and_strict_types",
            || gate_all(&built_example("basic")),
        ),
        (
            "advanced_example_build_passes_stylua_selene_and_strict_types",
            || gate_all(&built_example("advanced")),
        ),
        (
            "petsim_example_build_passes_stylua_selene_and_strict_types",
            || gate_all(&built_example("petsim")),
        ),
        (
            "leaderboard_project_build_passes_stylua_selene_and_strict_types",
            || {
                gate_all(&built_project(
                    "leaderboards",
                    &gates_support::repo().join("tests/leaderboards"),
                ))
            },
        ),
    ];
    gates.to_vec()
}
