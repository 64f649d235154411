//! Embeds every file under `templates/runtime` and `templates/client` into the
//! binary, so a new runtime module is emitted by `vstore build` without a code
//! change. The table is sorted by path for deterministic output.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.is_file() {
            let rel = path.strip_prefix(root).expect("walked below root");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
}

fn table(name: &str, folder: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(folder);
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut s = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for (rel, path) in files {
        s.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    s.push_str("];\n");
    s
}

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=build.rs");
    let mut src = table("RUNTIME_FILES", "runtime");
    src.push_str(&table("CLIENT_FILES", "client"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_templates.rs");
    fs::write(out, src).expect("write embedded template table");
}
