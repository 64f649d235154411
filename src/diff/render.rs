//! Output of `vstore diff` findings: miette reports for people, JSON for
//! tools, and GitHub Actions workflow commands for inline annotations.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{Finding, Severity};

pub use crate::diagnostic::line_col;

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Breaking => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// The finding as a miette diagnostic pointing into the schema file.
pub fn diagnostic(f: &Finding) -> MietteDiagnostic {
    MietteDiagnostic::new(f.message.clone())
        .with_code(f.code)
        .with_severity(miette_severity(f.severity))
        .with_help(f.help.clone())
        .with_label(LabeledSpan::new_primary_with_span(
            Some(f.severity.as_str().to_string()),
            (f.span.start, f.span.end.saturating_sub(f.span.start)),
        ))
}

/// Human output: one miette report per finding, then a summary line.
pub fn human(findings: &[Finding], file: &str, source: &str) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for f in findings {
        let report = miette::Report::new(diagnostic(f))
            .with_source_code(NamedSource::new(file, source.to_string()));
        crate::diagnostic::render_one(
            &handler,
            &mut out,
            report.as_ref(),
            Some(file),
            Some(source),
        );
        out.push('\n');
    }
    out.push_str(&summary(findings));
    out.push('\n');
    out
}

pub fn summary(findings: &[Finding]) -> String {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "vstore diff: {} breaking, {} warnings, {} info",
        count(Severity::Breaking),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

/// JSON output: `{ "findings": [...], "breaking": n }`.
pub fn json(findings: &[Finding], file: &str, source: &str) -> String {
    let items: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let (line, column) = line_col(source, f.span.start);
            serde_json::json!({
                "code": f.code,
                "severity": f.severity.as_str(),
                "store": f.store,
                "message": f.message,
                "help": f.help,
                "file": file,
                "span": { "start": f.span.start, "end": f.span.end },
                "line": line,
                "column": column,
            })
        })
        .collect();
    let breaking = findings
        .iter()
        .filter(|f| f.severity == Severity::Breaking)
        .count();
    let doc = serde_json::json!({ "findings": items, "breaking": breaking });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// GitHub Actions annotations (`::error file=...,line=...::message`).
pub fn github(findings: &[Finding], file: &str, source: &str) -> String {
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut out = String::new();
    for f in findings {
        let (line, col) = line_col(source, f.span.start);
        let level = match f.severity {
            Severity::Breaking => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        out.push_str(&format!(
            "::{level} file={file},line={line},col={col},title={}::{}\n",
            f.code,
            escape(&format!("{} ({})", f.message, f.help))
        ));
    }
    out
}
