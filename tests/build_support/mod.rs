//! Shared helpers for the `build*` integration tests: scratch copies of
//! projects and running the `vstore` binary on them.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh empty folder under the system temp dir, unique per call.
pub fn scratch(name: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("vstore-test-{}-{name}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Copies a shipped example (without any earlier build output) into a scratch folder.
pub fn example(name: &str) -> PathBuf {
    copy_project(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema-examples")
            .join(name),
        name,
    )
}

/// Copies the fixture project `tests/<name>` into a scratch folder.
pub fn fixture(name: &str) -> PathBuf {
    copy_project(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(name),
        name,
    )
}

/// Sets `[project] typescript = true` in the project's `virtualstore.toml`.
pub fn enable_typescript(project: &Path) {
    let toml = project.join("virtualstore.toml");
    let schema = fs::read_to_string(&toml).expect("read");
    assert!(
        schema.contains("[project]\n"),
        "the project has a [project] table"
    );
    fs::write(
        &toml,
        schema.replacen("[project]\n", "[project]\ntypescript = true\n", 1),
    )
    .expect("edit");
}

/// Copies a project folder, leaving out its `build` output, into a scratch folder.
fn copy_project(src: &Path, name: &str) -> PathBuf {
    let dst = scratch(name);
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("walk project");
        let rel = entry.path().strip_prefix(src).expect("below project");
        if rel.starts_with("build") {
            continue;
        }
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
    dst
}

pub fn vstore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .output()
        .expect("run vstore")
}

pub fn build(project: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--project", project.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    vstore(&args)
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file under `dir` as (relative path, bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("below dir");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (rel, fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}
