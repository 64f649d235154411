//! Quality gates on Luau that vstore ships: StyLua formatting, selene with the
//! pinned Roblox std, and Luau strict type checking (`vstore-typecheck`, built
//! by cargo for this test run).
//!
//! A gate whose tool is not installed is reported `ignored` with the tool
//! named (and a notice on stderr) locally; with `CI` set it fails.

mod gates_support;

use std::process::ExitCode;

use gates_support::{built_example, built_project, gate_all, gates_main, package_from_runtime};

fn main() -> ExitCode {
    gates_main(&[
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
    ])
}
