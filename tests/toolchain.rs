//! The toolchain's integration tests, one binary: every file below is a module
//! (its tests are named `<file>::<test>`, so `cargo test --test toolchain
//! check_cli::` runs one file's). Each test binary links the crate and Luau,
//! so the files share one instead of linking their own.

mod cli_support;
mod gates_support;

// `vstore check`, the schema front end and `vstore diff`
mod check_cli;
mod check_fuzz;
mod check_limits;
mod check_private;
mod check_valid;
mod diff_cli;
mod game_paths;
mod typecheck_cli;
mod typecheck_user_code;

// built packages, `vstore test` and the release checks
mod stored_version_checks;
mod test_cli;
mod verify_fixtures;
mod verify_ops_specs;

// the runtime against the `core` tables and the spec
mod envelope_agreement;
mod runtime_settings;
mod runtime_shared_modules;
mod spec_conformance;

// the editor schema, `build --watch` and the gate harness itself
mod gates_harness;
mod gates_schema;
mod gates_watch;

/// With `autotests = false` a file under `tests/` runs only if a binary takes
/// it in: each top-level `tests/*.rs` is a `[[test]]` of Cargo.toml or a
/// `mod` of one, so a new test file cannot sit there unrun.
#[test]
fn every_test_file_belongs_to_a_test_binary() {
    use std::collections::BTreeSet;
    use std::path::Path;

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let binaries: Vec<String> = manifest["test"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| match t.get("path").and_then(|p| p.as_str()) {
            Some(path) => path.to_string(),
            None => format!("tests/{}.rs", t["name"].as_str().unwrap()),
        })
        .collect();
    let mut taken: BTreeSet<String> = binaries.iter().cloned().collect();
    for binary in &binaries {
        let text = std::fs::read_to_string(root.join(binary))
            .unwrap_or_else(|e| panic!("{binary}, a [[test]] of Cargo.toml: {e}"));
        for line in text.lines() {
            if let Some(module) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
                taken.insert(format!("tests/{module}.rs"));
            }
        }
    }
    let mut unrun = Vec::new();
    for entry in std::fs::read_dir(root.join("tests")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") && !taken.contains(&format!("tests/{name}")) {
            unrun.push(name);
        }
    }
    assert!(
        unrun.is_empty(),
        "these files under tests/ are in no test binary (add a `mod` line to tests/toolchain.rs, tests/sim.rs or tests/gates.rs): {unrun:?}"
    );
}
