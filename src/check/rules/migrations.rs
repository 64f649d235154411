//! Migrations: one per destination version (VS3403), each producing a version
//! in `2..=version` (VS3402), each file inside the project and readable as a
//! regular file (VS3401).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::rule::{Context, LuauFile, Options, Report, Role, Rule};
use crate::diagnostic::SourceFile;
use crate::schema::document::Spanned;
use crate::schema::load::{self, FileProblem};
use crate::schema::model::Migration;

pub struct Migrations;

impl Rule for Migrations {
    fn name(&self) -> &'static str {
        "migrations"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3401", "VS3402", "VS3403"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &mut cx.stores {
            let version = s.store.version;
            for m in &s.decl.migrations {
                let (Some(to), Some(file)) = (&m.to, &m.file) else {
                    continue;
                };
                if !s.version_ok {
                    continue;
                }
                let n = to.value;
                if n < 2 || n > i64::from(version) {
                    cx.out.error(
                        "VS3402",
                        to.span,
                        format!("migration to version {n} is outside 2..={version}"),
                        "no such step",
                        format!("a migration's `to` is the version it produces: between 2 and the store's version {version}"),
                    );
                    continue;
                }
                if s.store.migrations.iter().any(|x| i64::from(x.to) == n) {
                    cx.out.error(
                        "VS3403",
                        to.span,
                        format!("two migrations produce version {n}"),
                        "duplicate step",
                        "keep one migration per destination version",
                    );
                    continue;
                }
                let Some((file, source)) = luau_file(
                    &mut cx.out,
                    &mut cx.files,
                    cx.root,
                    cx.options,
                    file,
                    &MIGRATION_FILE,
                    Role::Migration { to: n as u32 },
                ) else {
                    continue;
                };
                s.store.migrations.push(Migration {
                    to: n as u32,
                    file,
                    source,
                });
            }
        }
    }
}

/// What kind of Luau file a key names: how messages call it, and the code a
/// file that cannot be read is reported with.
pub struct FileKind {
    pub what: &'static str,
    pub code: &'static str,
}

pub const MIGRATION_FILE: FileKind = FileKind {
    what: "migration",
    code: "VS3401",
};

/// Reads a migration or handler file the schema names and registers it for
/// the Luau rules; reports why it cannot be read. Without `Options::files`
/// the file is not read and its source is empty.
pub fn luau_file(
    out: &mut Report,
    files: &mut BTreeMap<PathBuf, LuauFile>,
    root: &Path,
    options: Options,
    file: &Spanned<String>,
    kind: &FileKind,
    role: Role,
) -> Option<(PathBuf, String)> {
    let FileKind { what, code } = *kind;
    let text = &file.value;
    let rel = PathBuf::from(text);
    if !options.files {
        return Some((rel, String::new()));
    }
    match load::read_relative(root, text) {
        Ok(source) => {
            let name = text.replace('\\', "/");
            files
                .entry(rel.clone())
                .or_insert_with(|| LuauFile {
                    source: SourceFile::new(&name, source.clone()),
                    roles: Vec::new(),
                    ast: None,
                })
                .roles
                .push(role);
            Some((rel, source))
        }
        Err(problem) => {
            let (label, help) = match problem {
                FileProblem::Outside => (
                    "not a project-relative path",
                    "keep Luau files inside the project folder, e.g. `migrations/2.luau`"
                        .to_owned(),
                ),
                FileProblem::Missing => (
                    "missing file",
                    format!(
                        "create `{text}`, or fix the path (it is relative to the project folder)"
                    ),
                ),
                _ => (
                    "not a readable Luau file",
                    format!(
                        "point `file` at a regular Luau file; `{text}` {}",
                        problem.describe()
                    ),
                ),
            };
            out.error(
                code,
                file.span,
                format!("{what} file `{text}` {}", problem.describe()),
                label,
                help,
            );
            None
        }
    }
}
