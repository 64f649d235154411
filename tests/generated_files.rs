//! Files rendered from the Rust tables are committed, never hand-edited: each
//! must equal what `vstore::codegen::committed::render` produces today. After
//! changing a table in `src/core` (a setting's default, a code, an API member),
//! regenerate them all with `UPDATE_GENERATED=1 cargo test --test generated_files`.

use std::path::Path;

#[test]
fn committed_generated_files_equal_their_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for file in vstore::codegen::committed::render(root).unwrap_or_else(|e| panic!("{e}")) {
        let path = root.join(file.path);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != file.contents {
            stale.push(file.path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {}; run `UPDATE_GENERATED=1 cargo test --test generated_files` and commit them",
        stale.join(", ")
    );
}
