//! `vstore-typecheck DIR...`: type-checks every `.luau` module of a built
//! VirtualStore package in Luau strict mode, with cross-module `require` types
//! resolved and the Roblox API declared from `roblox/globals.d.luau`.
//! Prints `file:line:col: message` per problem; exit 1 on any error, 2 on IO
//! or usage errors. `VSTORE_TYPECHECK_BUNDLE=FILE` writes the single chunk the
//! checker sees, for debugging the bundler.

use std::path::Path;
use std::process::ExitCode;

use vstore_typecheck::{check_package, Severity};

fn main() -> ExitCode {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() || dirs.iter().any(|d| d == "-h" || d == "--help") {
        eprintln!("usage: vstore-typecheck <package-dir>...");
        return ExitCode::from(2);
    }
    let mut errors = 0;
    for dir in &dirs {
        let report = match check_package(Path::new(dir)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {dir}: {e}");
                return ExitCode::from(2);
            }
        };
        for d in &report.diagnostics {
            let tag = if d.severity == Severity::Error {
                ""
            } else {
                "warning: "
            };
            println!(
                "{}/{}:{}:{}: {tag}{}",
                dir.trim_end_matches('/'),
                d.file,
                d.line,
                d.col,
                d.message
            );
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
