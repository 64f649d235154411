//! Shared gate runners for `tests/gates*.rs`: the external tools (StyLua,
//! selene, Rojo), the `vstore-typecheck` binary cargo built for the test run,
//! built example packages, and `gates_main`, the harness that reports a gate
//! whose tool is missing as ignored.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

thread_local! {
    /// Tools the running gate needed but did not find (see `gates_main`).
    static MISSING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records that `what` is not installed, so the gate it belongs to is
/// reported as ignored, never as passed; under CI it is a failure instead.
/// The notice is written straight to stderr, past the test harness's
/// capture, so it shows in every `cargo test` run.
pub fn missing(what: &str) {
    assert!(
        !under_ci(),
        "{what} is required under CI but is not installed (see .ci/install-tools)"
    );
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("\n!!!! NOT RUN: {what} is not installed, so its gate did not run. .ci/install-tools installs it; under CI=true this fails. !!!!\n").as_bytes(),
    );
    MISSING.with(|m| m.borrow_mut().push(what.to_string()));
}

/// The tool's path, or `None` after `missing` (a panic under CI).
pub fn tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    if let Some(found) = dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file()) {
        return Some(found);
    }
    missing(&format!("`{name}`"));
    None
}

/// One gate test of a `harness = false` gate file: its name and body.
pub type Gate = (&'static str, fn());

/// The harness of the gate files (libtest-compatible arguments and output):
/// each gate is a test; one that could not run a tool because it is not
/// installed is reported `ignored` with the tool named, whatever else it
/// checked, so a missing tool never looks like a pass.
pub fn gates_main(gates: &[Gate]) -> std::process::ExitCode {
    run_gates(&libtest_mimic::Arguments::from_args(), gates).exit_code()
}

/// `gates_main` with explicit harness arguments.
pub fn run_gates(args: &libtest_mimic::Arguments, gates: &[Gate]) -> libtest_mimic::Conclusion {
    use libtest_mimic::{Completion, Trial};
    let trials = gates
        .iter()
        .map(|&(name, body)| {
            Trial::ignorable_test(name, move || {
                MISSING.with(|m| m.borrow_mut().clear());
                body();
                let missing = MISSING.with(|m| std::mem::take(&mut *m.borrow_mut()));
                Ok(if missing.is_empty() {
                    Completion::Completed
                } else {
                    Completion::ignored_with(format!(
                        "not installed: {}; .ci/install-tools installs it",
                        missing.join(", ")
                    ))
                })
            })
        })
        .collect();
    libtest_mimic::run(args, trials)
}

fn run(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `stylua --check` with the project's `stylua.toml`.
pub fn stylua(dir: &Path) {
    let Some(bin) = tool("stylua") else { return };
    let mut cmd = Command::new(bin);
    cmd.arg("--check")
        .arg("--config-path")
        .arg(repo().join("stylua.toml"))
        .arg(dir);
    run(cmd, &format!("stylua --check {}", dir.display()));
}

/// selene with the pinned std; warnings fail too.
pub fn selene(dir: &Path) {
    let Some(bin) = tool("selene") else { return };
    let mut cmd = Command::new(bin);
    cmd.current_dir(repo())
        .arg("--config")
        .arg(repo().join("selene.toml"))
        .arg("--quiet")
        .arg(dir);
    run(cmd, &format!("selene {}", dir.display()));
}

/// The `vstore-typecheck` binary cargo built for this test run (a bin of the
/// root package, so it is always there: the gates never rebuild it).
pub fn typecheck_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_vstore-typecheck"))
}

/// `vstore-typecheck` over `dir`; fails with its findings.
pub fn typecheck(dir: &Path) {
    let mut cmd = Command::new(typecheck_binary());
    cmd.arg(dir);
    run(cmd, &format!("vstore-typecheck {}", dir.display()));
}

/// `vstore-typecheck` over `dir`: whether it passed, and its `file:line:col: message` lines.
pub fn typecheck_output(dir: &Path) -> (bool, String) {
    let out = Command::new(typecheck_binary())
        .arg(dir)
        .output()
        .expect("vstore-typecheck starts");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Runs every gate and reports all failures together.
pub fn gate_all(dir: &Path) {
    let failures: Vec<String> = [stylua as fn(&Path), selene, typecheck]
        .into_iter()
        .filter_map(|gate| std::panic::catch_unwind(|| gate(dir)).err())
        .map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "gate failed".into())
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fresh scratch folder; each call gets its own, as the gates of several
/// files run in one process.
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("vstore-gates-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// `templates/<name>` copied as a package folder named like its Roblox instance.
pub fn package_from_runtime(name: &str) -> PathBuf {
    let src = repo().join("templates").join(name);
    assert!(src.is_dir(), "templates/{name} is missing");
    let instance = if name == "client" {
        "VirtualStoreClient"
    } else {
        "VirtualStore"
    };
    let dest = temp_dir(name).join(instance);
    copy_tree(&src, &dest);
    dest
}

/// Checks and builds `schema-examples/<name>` into a fresh folder; returns the package root.
pub fn built_example(name: &str) -> PathBuf {
    built_project(name, &repo().join("schema-examples").join(name))
}

/// `schema-examples/<name>` with `[project] typescript = true`, built; returns the package root.
pub fn built_example_with_typescript(name: &str) -> PathBuf {
    built_with_typescript(&repo().join("schema-examples").join(name), name)
}

/// The project folder `src` (its build output left out) with
/// `[project] typescript = true`, built; returns the package root.
pub fn built_with_typescript(src: &Path, name: &str) -> PathBuf {
    let root = temp_dir(&format!("ts-project-{name}"));
    copy_tree(src, &root);
    let _ = std::fs::remove_dir_all(root.join("build"));
    let toml = root.join("virtualstore.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("[project]\n"), "{name} has a [project] table");
    std::fs::write(
        &toml,
        text.replacen("[project]\n", "[project]\ntypescript = true\n", 1),
    )
    .unwrap();
    built_project(&format!("{name}-ts"), &root)
}

/// Checks and builds the project at `root` into a fresh folder named after `name`.
pub fn built_project(name: &str, root: &Path) -> PathBuf {
    let checked = vstore::check::check_project(root).unwrap_or_else(|failed| {
        panic!(
            "{} does not check:\n{}",
            root.display(),
            vstore::check::diagnostic::render_plain(&failed.diagnostics, 100)
        )
    });
    let out = temp_dir(&format!("example-{name}")).join("build");
    vstore::codegen::write(&checked.project, &out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    out
}
