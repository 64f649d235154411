//! `vstore-typecheck [--json] DIR...`: type-checks every `.luau` module of a
//! built VirtualStore package in Luau strict mode, with cross-module `require`
//! types resolved and the Roblox API declared from `roblox/globals.d.luau`.
//! Prints `file:line:col: message` per problem, or with `--json` one JSON
//! object per problem and line (`dir`, `file`, `line`, `col`, `end_line`,
//! `end_col`, `severity`, `message`; the form `vstore check` reads). Exit 1 on
//! any error, 2 on IO or usage errors. `VSTORE_TYPECHECK_BUNDLE=FILE` writes
//! the single chunk the checker sees, for debugging the bundler.
//!
//! Built as a bin of the root `vstore` package (see its `Cargo.toml`), so the
//! one install command brings it; it must never link mlua.

use std::path::Path;
use std::process::ExitCode;

use vstore_typecheck::{check_package, Severity};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let dirs: Vec<&String> = args.iter().filter(|a| *a != "--json").collect();
    if dirs.is_empty() || dirs.iter().any(|d| *d == "-h" || *d == "--help") {
        eprintln!("usage: vstore-typecheck [--json] <package-dir>...");
        return ExitCode::from(2);
    }
    let mut errors = 0;
    for dir in dirs {
        let report = match check_package(Path::new(dir)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {dir}: {e}");
                return ExitCode::from(2);
            }
        };
        let root = dir.trim_end_matches('/');
        for d in &report.diagnostics {
            let warning = d.severity == Severity::Warning;
            if json {
                let line = serde_json::json!({
                    "dir": dir,
                    "file": d.file,
                    "line": d.line,
                    "col": d.col,
                    "end_line": d.end_line,
                    "end_col": d.end_col,
                    "severity": if warning { "warning" } else { "error" },
                    "message": d.message,
                });
                println!("{line}");
            } else {
                let tag = if warning { "warning: " } else { "" };
                println!("{root}/{}:{}:{}: {tag}{}", d.file, d.line, d.col, d.message);
            }
        }
        let n = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        errors += n;
        eprintln!("{dir}: {} modules checked, {n} errors", report.modules);
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
