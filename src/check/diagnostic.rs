//! The one diagnostic type every check reports: a stable code, a severity, the
//! file it points into, the exact byte span, a label and a help line.

use std::fmt;
use std::sync::Arc;

use miette::{
    LabeledSpan, MietteError, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::schema::model::Span;

/// A source file shared by every diagnostic that points into it.
#[derive(Clone, Debug)]
pub struct SourceFile(Arc<NamedSource<String>>);

impl SourceFile {
    /// `name` is the path shown to the user (relative to the project root).
    pub fn new(name: &str, text: String) -> Self {
        let lang = if name.ends_with(".luau") {
            "luau"
        } else {
            "toml"
        };
        SourceFile(Arc::new(NamedSource::new(name, text).with_language(lang)))
    }

    pub fn name(&self) -> &str {
        self.0.name()
    }

    pub fn text(&self) -> &str {
        self.0.inner()
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.0.read_span(span, before, after)
    }
}

/// One error or warning about the user's project.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code, e.g. `VS1002`; documented in `docs/diagnostics.md`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub label: String,
    pub help: String,
    pub span: Span,
    /// `None` only for project-level IO problems (no file to point into).
    pub source: Option<SourceFile>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        src: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            label: String::new(),
            help: String::new(),
            span: clamp(span, src.text().len()),
            source: Some(src.clone()),
        }
    }

    pub fn warning(
        code: &'static str,
        src: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, src, span, message)
        }
    }

    /// A problem with no file to point into (missing project file, unreadable folder).
    pub fn io(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            label: String::new(),
            help: help.into(),
            span: Span::default(),
            source: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The file this diagnostic points into, if any.
    pub fn file(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.name())
    }
}

fn clamp(span: Span, len: usize) -> Span {
    let start = span.start.min(len);
    Span {
        start,
        end: span.end.clamp(start, len),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        let span = LabeledSpan::new_primary_with_span(
            label,
            (self.span.start, self.span.end - self.span.start),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

/// Renders diagnostics as plain text (no colour, fixed width): used by tests and
/// when stderr is not a terminal.
pub fn render_plain(diags: &[Diagnostic], width: usize) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(width);
    let mut out = String::new();
    for d in diags {
        if handler.render_report(&mut out, d).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}
