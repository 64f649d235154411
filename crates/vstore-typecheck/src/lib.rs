//! Strict-mode Luau type checking of a built package folder. See `bundle` for
//! how cross-module `require` types are resolved.

pub mod bundle;
mod lex;

use std::path::Path;

/// Roblox API declarations for the services the runtime uses.
pub const ROBLOX_DEFINITIONS: &str = include_str!("../../../roblox/globals.d.luau");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem at a 1-based position of a package file; `end_line`/`end_col`
/// (1-based, exclusive column) close the range Luau reported, or equal the
/// start when the range leaves the line's module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
    pub end_line: usize,
    pub end_col: usize,
}

#[derive(Debug)]
pub struct Report {
    pub modules: usize,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    Luau(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Luau(e) => write!(f, "luau: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Checks every `.luau` file under `root` as one strict program.
pub fn check_package(root: &Path) -> Result<Report, Error> {
    let bundle = bundle::build(root).map_err(Error::Io)?;
    // For debugging the bundler: `VSTORE_TYPECHECK_BUNDLE=FILE` writes the
    // single chunk the checker sees.
    if let Some(path) = std::env::var_os("VSTORE_TYPECHECK_BUNDLE") {
        std::fs::write(path, &bundle.text).map_err(Error::Io)?;
    }
    let mut checker = luau_analyze::Checker::new().map_err(|e| Error::Luau(e.to_string()))?;
    checker
        .add_definitions_with_name(ROBLOX_DEFINITIONS, "@roblox")
        .map_err(|e| Error::Luau(e.to_string()))?;
    let options = luau_analyze::CheckOptions {
        timeout: Some(std::time::Duration::from_secs(120)),
        module_name: Some("package"),
        cancellation_token: None,
    };
    let result = checker
        .check_with_options(&bundle.text, options)
        .map_err(|e| Error::Luau(e.to_string()))?;
    if result.timed_out {
        return Err(Error::Luau("type check timed out".into()));
    }
    let mut diagnostics: Vec<Diagnostic> = bundle
        .findings
        .iter()
        .map(|f| Diagnostic {
            file: f.file.clone(),
            line: f.line,
            col: f.col,
            severity: Severity::Error,
            message: f.message.clone(),
            end_line: f.line,
            end_col: f.col,
        })
        .collect();
    for d in result.diagnostics {
        let severity = match d.severity {
            luau_analyze::Severity::Error => Severity::Error,
            luau_analyze::Severity::Warning => Severity::Warning,
        };
        let origin = bundle.origin.get(d.line as usize).copied().flatten();
        let (file, line) = match origin {
            Some((k, l)) => (bundle.modules[k].rel.clone(), l + 1),
            // Lines the bundler wrote itself: attribute to the nearest module line above.
            None => {
                let near = bundle.origin[..(d.line as usize).min(bundle.origin.len())]
                    .iter()
                    .rev()
                    .flatten()
                    .next();
                match near {
                    Some(&(k, l)) => (bundle.modules[k].rel.clone(), l + 1),
                    None => ("<package>".to_string(), 1),
                }
            }
        };
        let artefact = match origin {
            None => true,
            Some((k, _)) => bundle.require_aliases[k].iter().any(|a| {
                d.message == format!("Variable '{a}' is never used; prefix with '_' to silence")
            }),
        };
        if severity == Severity::Warning && artefact {
            continue;
        }
        let col = d.col as usize + 1;
        let (end_line, end_col) = match (
            origin,
            bundle.origin.get(d.end_line as usize).copied().flatten(),
        ) {
            (Some((k, _)), Some((end_k, end_l))) if end_k == k && end_l + 1 >= line => {
                (end_l + 1, d.end_col as usize + 1)
            }
            _ => (line, col),
        };
        diagnostics.push(Diagnostic {
            file,
            line,
            col,
            severity,
            message: bundle::readable(&d.message, &bundle.modules),
            end_line,
            end_col,
        });
    }
    diagnostics.sort();
    diagnostics.dedup();
    Ok(Report {
        modules: bundle.modules.len(),
        diagnostics,
    })
}
