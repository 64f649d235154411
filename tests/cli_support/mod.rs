//! Shared by the tests that drive the real `vstore` binary: running it, and
//! runtime libraries with one deliberate bug.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `vstore` from the crate root; success and stdout + stderr.
pub fn vstore(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run vstore");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A copy of the runtime library with one source edit, removed on drop.
pub struct Mutant(PathBuf);

impl Mutant {
    pub fn new(label: &str, file: &str, from: &str, to: &str) -> Mutant {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/runtime");
        // one test binary runs many files' tests at once: the counter keeps
        // two mutants of one label apart
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dst =
            std::env::temp_dir().join(format!("vstore-mutant-{}-{label}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dst);
        vstore::sim::mount::copy_tree(&src, &dst).unwrap();
        let path = dst.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "the mutation anchor must occur once in {file}"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        Mutant(dst)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Mutant {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
