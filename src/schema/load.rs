//! Reading the project's files from disk: `virtualstore.toml`, `vstore.lock`
//! and the Luau files the schema names. Only regular files are read: a FIFO
//! or a device would block the read forever, and a file past
//! `MAX_SOURCE_BYTES` is refused before it is read. Judging the text is for
//! `document` and `check`.

use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceFile};

pub use super::keys::TEMPLATE_FIELD_KEYS;

pub const PROJECT_FILE: &str = "virtualstore.toml";

/// The largest project, lock or Luau file read (64 MiB).
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum FileProblem {
    /// The path is absolute or climbs out of the project with `..`.
    Outside,
    Missing,
    /// A directory, FIFO, socket or device: what it is.
    NotAFile(&'static str),
    TooLarge(u64),
    Unreadable(String),
}

impl FileProblem {
    /// How the problem reads after "file `x` ".
    pub fn describe(&self) -> String {
        match self {
            FileProblem::Outside => "is outside the project".into(),
            FileProblem::Missing => "does not exist".into(),
            FileProblem::NotAFile(kind) => format!("is {kind}, not a regular file"),
            FileProblem::TooLarge(n) => {
                format!("is {n} bytes, more than the {MAX_SOURCE_BYTES} bytes vstore reads")
            }
            FileProblem::Unreadable(e) => format!("cannot be read: {e}"),
        }
    }
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file as UTF-8 text, refusing anything else without opening it.
pub fn read_regular(path: &Path) -> Result<String, FileProblem> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileProblem::Missing),
        Err(e) => return Err(FileProblem::Unreadable(e.to_string())),
    };
    if !meta.is_file() {
        return Err(FileProblem::NotAFile(kind_of(&meta)));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(FileProblem::TooLarge(meta.len()));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SOURCE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    Ok(text)
}

/// Reads a file the schema names, relative to the project root.
pub fn read_relative(root: &Path, rel: &str) -> Result<String, FileProblem> {
    if Path::new(rel).is_absolute() || rel.split(['/', '\\']).any(|c| c == "..") {
        return Err(FileProblem::Outside);
    }
    read_regular(&root.join(rel))
}

/// Reads `virtualstore.toml` under `root`.
pub fn read_project(root: &Path) -> Result<SourceFile, Diagnostic> {
    match read_regular(&root.join(PROJECT_FILE)) {
        Ok(text) => Ok(SourceFile::new(PROJECT_FILE, text)),
        Err(problem) => Err(Diagnostic::io(
            "VS0001",
            format!(
                "cannot read {PROJECT_FILE} in {}: it {}",
                root.display(),
                problem.describe()
            ),
            "run `vstore init` to create a project, or pass `--project DIR`",
        )),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_without_being_opened() {
        let dir = std::env::temp_dir().join(format!("vstore-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("h.luau");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        assert_eq!(
            read_relative(&dir, "h.luau"),
            Err(FileProblem::NotAFile("a FIFO"))
        );
        assert_eq!(read_relative(&dir, "../h.luau"), Err(FileProblem::Outside));
        assert_eq!(read_relative(&dir, "none.luau"), Err(FileProblem::Missing));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
