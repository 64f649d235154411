//! Quality gates on Luau that vstore ships: StyLua formatting, selene with the
//! pinned Roblox std, and Luau strict type checking (`vstore-typecheck`).
//!
//! A missing tool skips its gate with a loud message locally; with `CI` set a
//! missing tool fails the test.

mod gates_support;

use gates_support::{built_example, built_project, gate_all, package_from_runtime};

#[test]
fn runtime_library_passes_stylua_selene_and_strict_types() {
    let Some(pkg) = package_from_runtime("runtime") else {
        return;
    };
    gate_all(&pkg);
}

#[test]
fn client_library_passes_stylua_selene_and_strict_types() {
    let Some(pkg) = package_from_runtime("client") else {
        return;
    };
    gate_all(&pkg);
}

#[test]
fn basic_example_build_passes_stylua_selene_and_strict_types() {
    gate_all(&built_example("basic"));
}

#[test]
fn advanced_example_build_passes_stylua_selene_and_strict_types() {
    gate_all(&built_example("advanced"));
}

#[test]
fn leaderboard_project_build_passes_stylua_selene_and_strict_types() {
    gate_all(&built_project(
        "leaderboards",
        &gates_support::repo().join("tests/leaderboards"),
    ));
}
