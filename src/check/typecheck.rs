//! Strict Luau type checking of the project's migration and operation handler
//! files against the types generated from the schema (VS41xx), reported at
//! the line and column of the user's own file, never at the copy `vstore
//! build` writes.
//!
//! The checker is the `vstore-typecheck` binary (C++ Luau analysis, which
//! cannot link beside mlua's Luau), found next to the running executable or
//! on `PATH` and run as a subprocess over a scratch copy of each store's
//! generated `Types`, `Operations/` and `Migrations/`. A missing or failing
//! checker is one warning, never silence. This module does not parse Luau
//! (`check::luau` does) and does not decide what is generated (`codegen` does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::codegen::{self, History};
use crate::schema::model::{Project, Span, Store};
use crate::schema::types;

use super::diagnostic::{Diagnostic, SourceFile};

/// Overrides where the checker binary is looked for (a path to it).
pub const BINARY_ENV: &str = "VSTORE_TYPECHECK";

const BINARY: &str = if cfg!(windows) {
    "vstore-typecheck.exe"
} else {
    "vstore-typecheck"
};

/// One user Luau file as it appears in the generated package.
struct UserModule<'a> {
    store: &'a Store,
    /// Path inside the store's generated folder, e.g. `Operations/Grant.luau`.
    generated: String,
    file: &'a Path,
    what: What,
}

enum What {
    Migration { to: u32 },
    Operation { name: String },
}

/// Type-checks every migration and handler of `project` and appends the
/// findings; `files` are the loaded Luau sources by project-relative path.
pub fn check(
    project: &Project,
    files: &BTreeMap<PathBuf, SourceFile>,
    history: &History,
    diags: &mut Vec<Diagnostic>,
) {
    let modules = user_modules(project);
    let Some(first) = modules.iter().find_map(|m| files.get(m.file)) else {
        return;
    };
    let Some(binary) = find_binary() else {
        diags.push(
            Diagnostic::warning(
                "VS4102",
                first,
                first_line(first),
                "migrations and operation handlers were not type-checked: `vstore-typecheck` was not found",
            )
            .label("not type-checked")
            .help(format!(
                "install vstore with `cargo install --locked --path .` (it installs `vstore-typecheck` beside `vstore`), put `vstore-typecheck` on PATH, or set {BINARY_ENV} to its path"
            )),
        );
        return;
    };
    let generated = codegen::generate_with_history(project, history);
    let scratch = scratch_dir();
    let result = write_packages(&scratch, &modules, &generated).and_then(|dirs| {
        Command::new(&binary)
            .arg("--json")
            .args(&dirs)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let failed = |why: String, diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::warning(
                "VS4103",
                first,
                first_line(first),
                format!("migrations and operation handlers were not type-checked: {why}"),
            )
            .label("not type-checked")
            .help("run `vstore-typecheck` on the built store folder to see the problem; reinstall vstore if the binary is damaged"),
        );
    };
    let output = match result {
        Ok(output) => output,
        Err(why) => return failed(why, diags),
    };
    if !matches!(output.status.code(), Some(0 | 1)) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return failed(
            format!("{} exited with {} {why}", binary.display(), output.status),
            diags,
        );
    }
    let mut seen = Vec::new();
    let mut signature_errors = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(found) = serde_json::from_str::<Finding>(line) else {
            continue;
        };
        if found.severity != "error" || seen.contains(&found) {
            continue;
        }
        let store_of =
            |m: &&UserModule<'_>| Path::new(&found.dir).file_name() == Some(m.store.name.as_ref());
        if found.file == SIGNATURES {
            let Some(store) = modules.iter().find(store_of).map(|m| m.store) else {
                continue;
            };
            let (_, lines) = signatures(store, &modules, &generated);
            let checked = lines.iter().find(|(line, _)| *line == found.line);
            if let Some(src) = checked.and_then(|(_, m)| files.get(m.file).map(|src| (m, src))) {
                signature_errors.push(signature_error(src.0, src.1, &found));
            }
            seen.push(found);
            continue;
        }
        let module = modules
            .iter()
            .filter(store_of)
            .find(|m| found.file == m.generated);
        match module {
            Some(m) => {
                let Some(src) = files.get(m.file) else {
                    continue;
                };
                let text = generated_text(&generated, m);
                diags.push(type_error(m, src, text, &found));
            }
            None => failed(
                format!(
                    "the generated `{}/{}` has a type error (a vstore bug, please report it): {}",
                    Path::new(&found.dir)
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy(),
                    found.file,
                    found.message
                ),
                diags,
            ),
        }
        seen.push(found);
    }
    // A module's own type error explains its signature too: one mistake, one diagnostic.
    for d in signature_errors {
        if !diags
            .iter()
            .any(|e| e.code == "VS4101" && e.file() == d.file())
        {
            diags.push(d);
        }
    }
}

/// One line of `vstore-typecheck --json`.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct Finding {
    dir: String,
    file: String,
    line: usize,
    col: usize,
    end_line: usize,
    end_col: usize,
    severity: String,
    message: String,
}

fn user_modules(project: &Project) -> Vec<UserModule<'_>> {
    let mut out = Vec::new();
    for store in &project.stores {
        for m in &store.migrations {
            out.push(UserModule {
                store,
                generated: format!("Migrations/{}.luau", m.to),
                file: &m.file,
                what: What::Migration { to: m.to },
            });
        }
        for op in &store.operations {
            out.push(UserModule {
                store,
                generated: format!("Operations/{}.luau", op.name),
                file: &op.file,
                what: What::Operation {
                    name: op.name.clone(),
                },
            });
        }
    }
    out
}

/// `VSTORE_TYPECHECK`, else beside the running executable (or one folder up,
/// for test binaries under `target/*/deps`), else on `PATH`.
fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(BINARY_ENV) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let exe = std::env::current_exe().ok()?;
    let beside = exe
        .parent()
        .into_iter()
        .flat_map(|d| [d.join(BINARY), d.join("..").join(BINARY)]);
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(BINARY))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside.chain(on_path).find(|p| p.is_file())
}

fn scratch_dir() -> PathBuf {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "vstore-typecheck-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The scratch module that assigns every user module of a store to the type
/// the runtime calls it with, so an unannotated or mis-annotated function
/// (`function(old: V2): V2` for a step to 3) is a type error too.
const SIGNATURES: &str = "VstoreSignatures.luau";

/// Writes `<Store>/Types.luau`, `Operations/`, `Migrations/` and the
/// signatures module of every store with user modules; returns the store
/// folders to check.
fn write_packages(
    scratch: &Path,
    modules: &[UserModule<'_>],
    generated: &[codegen::OutFile],
) -> Result<Vec<PathBuf>, String> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for m in modules {
        let dir = scratch.join(&m.store.name);
        if dirs.contains(&dir) {
            continue;
        }
        let write = |rel: &Path, text: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap_or(&dir))
                .and_then(|()| std::fs::write(&path, text))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        for file in generated {
            let Ok(rel) = file.path.strip_prefix(&m.store.name) else {
                continue;
            };
            if rel == Path::new("Types.luau")
                || rel.starts_with("Operations")
                || rel.starts_with("Migrations")
            {
                write(rel, &file.contents)?;
            }
        }
        write(
            Path::new(SIGNATURES),
            &signatures(m.store, modules, generated).0,
        )?;
        dirs.push(dir);
    }
    Ok(dirs)
}

/// The signatures module of `store` and, per line, the user module it checks.
fn signatures<'m>(
    store: &Store,
    modules: &'m [UserModule<'m>],
    generated: &[codegen::OutFile],
) -> (String, Vec<(usize, &'m UserModule<'m>)>) {
    let mut text = "--!strict\nlocal Types = require(script.Parent.Types)\n".to_string();
    let mut lines = Vec::new();
    for m in modules.iter().filter(|m| m.store.name == store.name) {
        let module = generated_text(generated, m);
        let (params, ret) = match &m.what {
            What::Migration { to } => (
                vec![alias(module, &format!("V{}", to - 1))],
                alias(module, &format!("V{to}")),
            ),
            What::Operation { .. } => (
                vec![alias(module, "Data"), alias(module, "Payload")],
                Some("any"),
            ),
        };
        let (Some(params), Some(ret)) = (params.into_iter().collect::<Option<Vec<_>>>(), ret)
        else {
            continue;
        };
        let folder = m.generated.split('/').next().unwrap_or_default();
        let name = m
            .generated
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".luau");
        lines.push((text.lines().count() + 1, m));
        text.push_str(&format!(
            "local _{}: ({}) -> {ret} = require(script.Parent.{folder}[{name:?}])\n",
            lines.len(),
            params.join(", "),
        ));
    }
    text.push_str("return nil\n");
    (text, lines)
}

/// The target of `type <name> = <target>` in a generated module's preamble.
fn alias<'a>(module: &'a str, name: &str) -> Option<&'a str> {
    let prefix = format!("type {name} = ");
    module
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::trim)
}

fn generated_text<'a>(generated: &'a [codegen::OutFile], m: &UserModule<'_>) -> &'a str {
    let path = Path::new(&m.store.name).join(&m.generated);
    generated
        .iter()
        .find(|f| f.path == path)
        .map_or("", |f| f.contents.as_str())
}

fn type_error(
    m: &UserModule<'_>,
    src: &SourceFile,
    generated: &str,
    found: &Finding,
) -> Diagnostic {
    let span = match line_offset(generated, src.text()) {
        Some(offset) => {
            let start = position(src.text(), found.line as isize + offset, found.col);
            let end = position(src.text(), found.end_line as isize + offset, found.end_col);
            match (start, end) {
                (Some(start), Some(end)) if end > start => Span { start, end },
                (Some(start), _) => token_at(src.text(), start),
                _ => first_line(src),
            }
        }
        None => first_line(src),
    };
    let (subject, help) = match &m.what {
        What::Operation { name } => {
            let payload = m
                .store
                .operations
                .iter()
                .find(|o| &o.name == name)
                .map(|o| types::render(&o.payload))
                .unwrap_or_default();
            let fix = if found.message.contains("consider adding a type annotation") {
                "annotate the parameters, `return function(profile: Data, payload: Payload)`"
            } else {
                "use only declared fields with their types, or change the declaration in virtualstore.toml"
            };
            (
                format!("operation handler `{name}`"),
                format!(
                    "`payload: Payload` is the declared payload `{payload}` and `profile: Data` the current shape of store `{}`; {fix}",
                    m.store.name
                ),
            )
        }
        What::Migration { to } => {
            let target = if *to == m.store.version {
                format!("the current template of store `{}`", m.store.name)
            } else {
                format!("version {to} as released in vstore.lock")
            };
            let fix = if found.message.contains("consider adding a type annotation") {
                format!(
                    "annotate the parameter, `return function(old: V{}): V{to}`",
                    to - 1
                )
            } else {
                "every field needs a value of its declared type".to_string()
            };
            (
                format!("migration to version {to}"),
                format!(
                    "`old: V{}` is version {} as released in vstore.lock and the function returns `V{to}`, {target}; {fix}",
                    to - 1,
                    to - 1,
                ),
            )
        }
    };
    Diagnostic::error(
        "VS4101",
        src,
        span,
        format!(
            "type error in {subject}: {}",
            first_sentence(&found.message)
        ),
    )
    .label(label(&found.message))
    .help(help)
}

/// A user module whose function does not have the type the runtime calls it
/// with; points at the `function(...)` it returns.
fn signature_error(m: &UserModule<'_>, src: &SourceFile, found: &Finding) -> Diagnostic {
    let text = src.text();
    let span = text
        .rfind("return function")
        .map(|at| {
            let start = at + "return ".len();
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            Span { start, end }
        })
        .unwrap_or_else(|| first_line(src));
    let (subject, expected, help) = match &m.what {
        What::Migration { to } => (
            format!("migration to version {to}"),
            format!("(old: V{}) -> V{to}", to - 1),
            format!(
                "a step to version {to} receives version {} of the data and returns version {to}: write `return function(old: V{}): V{to}` and return every field of V{to}",
                to - 1,
                to - 1
            ),
        ),
        What::Operation { name } => (
            format!("operation handler `{name}`"),
            "(profile: Data, payload: Payload) -> any".to_string(),
            "a handler receives the store's data and the declared payload: write `return function(profile: Data, payload: Payload)` and use only the payload's declared fields".to_string(),
        ),
    };
    Diagnostic::error(
        "VS4101",
        src,
        span,
        format!(
            "type error in {subject}: the function is not `{expected}`: {}",
            first_sentence(&found.message)
        ),
    )
    .label(label(&found.message))
    .help(help)
}

/// How many lines the user's file is ahead of (positive) or behind the
/// generated module: found by locating the user's code, which codegen copies
/// verbatim after its own header, inside the generated text.
fn line_offset(generated: &str, user: &str) -> Option<isize> {
    let user_lines: Vec<&str> = user.lines().collect();
    let first = user_lines
        .iter()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--!"))?;
    let last = user_lines.iter().rposition(|l| !l.trim().is_empty())?;
    let body = &user_lines[first..=last];
    let gen_lines: Vec<&str> = generated.lines().collect();
    let at = (0..gen_lines.len())
        .rev()
        .find(|&p| gen_lines[p..].starts_with(body))?;
    Some(first as isize - at as isize)
}

/// Byte offset of 1-based `line` and `col` in `text`.
fn position(text: &str, line: isize, col: usize) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let this = text[start..].split('\n').next()?;
    (start < text.len() || line == 0).then(|| start + col.saturating_sub(1).min(this.len()))
}

/// The identifier or single character at `start`.
fn token_at(text: &str, start: usize) -> Span {
    let rest = &text[start..];
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len())
        .max(rest.chars().next().map_or(0, char::len_utf8));
    Span {
        start,
        end: start + len,
    }
}

fn first_line(src: &SourceFile) -> Span {
    let text = src.text();
    Span {
        start: 0,
        end: text.find('\n').unwrap_or(text.len()),
    }
}

/// Luau messages can run over several lines ("caused by: ..."); the
/// diagnostic's message keeps the first, the label the reason.
fn first_sentence(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

fn label(message: &str) -> String {
    let rest: Vec<&str> = message
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if rest.is_empty() {
        "type error".to_string()
    } else {
        rest.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_offset_finds_the_user_code_behind_a_generated_header() {
        let user = "--!strict\n-- note\nreturn function(p: Data)\n\treturn p\nend\n";
        let generated = "-- header\n--!strict\nlocal Types = require(x)\n\ntype Data = Types.Data\n\n-- note\nreturn function(p: Data)\n\treturn p\nend\n";
        // generated line 8 (`return function`) is user line 3
        assert_eq!(line_offset(generated, user), Some(3 - 8));
    }

    #[test]
    fn line_offset_is_none_when_the_code_was_not_copied() {
        assert_eq!(line_offset("return 1\n", "return 2\n"), None);
    }

    #[test]
    fn positions_are_bytes_of_one_based_lines_and_columns() {
        let text = "ab\ncd\n";
        assert_eq!(position(text, 1, 1), Some(0));
        assert_eq!(position(text, 2, 2), Some(4));
        assert_eq!(position(text, 0, 1), None);
    }
}
