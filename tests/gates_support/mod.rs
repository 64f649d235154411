//! Shared gate runners for `tests/gates*.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The tool's path, or `None` after a loud skip message (a panic under CI).
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
    assert!(
        !under_ci(),
        "`{name}` is required under CI but is not installed (see .ci/run)"
    );
    eprintln!("\n!!!! SKIPPED: `{name}` is not installed, so its gate did not run. Install it (see .ci/run); under CI=true this fails. !!!!\n");
    None
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

/// `vstore-typecheck` (its own workspace member: it cannot link beside mlua).
pub fn typecheck(dir: &Path) {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(repo())
        .args(["run", "-q", "-p", "vstore-typecheck", "--"])
        .arg(dir);
    run(cmd, &format!("vstore-typecheck {}", dir.display()));
}

/// `vstore-typecheck` over `dir`: whether it passed, and its `file:line:col: message` lines.
pub fn typecheck_output(dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO"))
        .current_dir(repo())
        .args(["run", "-q", "-p", "vstore-typecheck", "--"])
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

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-gates-{name}-{}", std::process::id()));
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
pub fn package_from_runtime(name: &str) -> Option<PathBuf> {
    let src = repo().join("templates").join(name);
    if !src.is_dir() {
        assert!(!under_ci(), "templates/{name} is missing");
        eprintln!("\n!!!! SKIPPED: templates/{name} does not exist yet. !!!!\n");
        return None;
    }
    let instance = if name == "client" {
        "VirtualStoreClient"
    } else {
        "VirtualStore"
    };
    let dest = temp_dir(name).join(instance);
    copy_tree(&src, &dest);
    Some(dest)
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
