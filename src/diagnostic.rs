//! The one diagnostic type every stage reports (the schema front end, the
//! checks, `vstore.lock`, `vstore diff`): a stable code, a severity, the file
//! it points into, the exact byte span, a label and a help line; plus their
//! rendering and the "did you mean" suggestion. A leaf module: it imports
//! nothing else of the crate, so `schema` and `check` both build on it.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, NamedSource, Severity,
    SourceCode, SourceSpan, SpanContents,
};

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

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
            span: clamp(span, src.text()),
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

/// Keeps a span inside the text and on character boundaries, so rendering
/// never slices through a multi-byte character.
fn clamp(span: Span, text: &str) -> Span {
    let len = text.len();
    let mut start = span.start.min(len);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, len);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span { start, end }
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

/// Longest source line (in bytes) the graphical renderer is given. miette pads
/// labels with `{:width$}`, and Rust refuses widths past 65,535, so a label far
/// out on one line would abort the process; such lines are shown in plain form.
pub const MAX_RENDERED_LINE: usize = 1_000;

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// True when every line the span touches is short enough to draw.
pub fn drawable(text: &str, span: Span) -> bool {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
    text[line_start..line_end]
        .split('\n')
        .all(|line| line.len() <= MAX_RENDERED_LINE)
}

/// Renders one miette diagnostic whose labels point into `text`: graphically
/// when every labelled line can be drawn, otherwise as plain text naming the
/// file, line and column.
pub fn render_one(
    handler: &GraphicalReportHandler,
    out: &mut String,
    d: &dyn miette::Diagnostic,
    file: Option<&str>,
    text: Option<&str>,
) {
    let spans: Vec<Span> = d
        .labels()
        .map(|labels| {
            labels
                .map(|l| Span::new(l.offset(), l.offset() + l.len()))
                .collect()
        })
        .unwrap_or_default();
    let drawable = text.is_none_or(|t| spans.iter().all(|s| drawable(t, *s)));
    if drawable && handler.render_report(out, d).is_ok() {
        return;
    }
    render_text(out, d, file, text, &spans);
}

/// The plain form: `error[CODE]: message`, the location, the label and the help.
fn render_text(
    out: &mut String,
    d: &dyn miette::Diagnostic,
    file: Option<&str>,
    text: Option<&str>,
    spans: &[Span],
) {
    let level = match d.severity() {
        Some(Severity::Warning) => "warning",
        Some(Severity::Advice) => "advice",
        _ => "error",
    };
    let code = d.code().map(|c| c.to_string()).unwrap_or_default();
    out.push_str(&format!("{level}[{code}]: {d}\n"));
    if let (Some(file), Some(text), Some(span)) = (file, text, spans.first()) {
        let (line, col) = line_col(text, span.start);
        out.push_str(&format!(
            "  --> {file}:{line}:{col} (the line is too long to show)\n"
        ));
    }
    if let Some(labels) = d.labels() {
        for l in labels {
            if let Some(label) = l.label() {
                out.push_str(&format!("  = {label}\n"));
            }
        }
    }
    if let Some(help) = d.help() {
        out.push_str(&format!("  help: {help}\n"));
    }
}

/// Renders diagnostics with miette's graphical handler in `theme`.
pub fn render(diags: &[Diagnostic], theme: GraphicalTheme, width: Option<usize>) -> String {
    let mut handler = GraphicalReportHandler::new_themed(theme);
    if let Some(width) = width {
        handler = handler.with_width(width);
    }
    let mut out = String::new();
    for d in diags {
        render_one(
            &handler,
            &mut out,
            d,
            d.file(),
            d.source.as_ref().map(SourceFile::text),
        );
        out.push('\n');
    }
    out
}

/// Renders diagnostics as plain text (no colour, fixed width): used by tests and
/// when stderr is not a terminal.
pub fn render_plain(diags: &[Diagnostic], width: usize) -> String {
    render(diags, GraphicalTheme::unicode_nocolor(), Some(width))
}

/// The allowed word closest to `word`, if it is a plausible typo.
pub fn closest<'a>(word: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lw = word.to_lowercase();
    // Longer words cannot be a typo of `word` within the allowed distance.
    let limit = |o: &str| (o.len() / 3).max(1);
    options
        .filter(|o| o.len().abs_diff(word.len()) <= limit(o))
        .map(|o| (distance(&lw, &o.to_lowercase()), o))
        .filter(|(d, o)| *d <= limit(o))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = Vec::with_capacity(b.len() + 1);
    for (i, ca) in a.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_past_column_65535_renders_in_plain_form_instead_of_panicking() {
        let line = format!("x = \"{}\" nope\n", "a".repeat(70_000));
        let src = SourceFile::new("virtualstore.toml", line.clone());
        let at = line.find("nope").unwrap();
        let d = Diagnostic::error("VS1001", &src, Span::new(at, at + 4), "invalid TOML")
            .label("here")
            .help("fix it");
        let out = render_plain(&[d], 100);
        assert!(out.starts_with("error[VS1001]: invalid TOML\n"), "{out}");
        assert!(out.contains("virtualstore.toml:1:70008"), "{out}");
        assert!(out.contains("  = here\n  help: fix it\n"), "{out}");
    }

    #[test]
    fn short_lines_keep_the_graphical_rendering() {
        let src = SourceFile::new("virtualstore.toml", "a = 1\n".into());
        let d = Diagnostic::error("VS1002", &src, Span::new(0, 1), "unknown key `a`").label("here");
        let out = render_plain(&[d], 100);
        assert!(out.contains("╭─[virtualstore.toml:1:1]"), "{out}");
    }

    #[test]
    fn spans_are_kept_on_character_boundaries() {
        let src = SourceFile::new("x.toml", "é = 1".into());
        let d = Diagnostic::error("VS1002", &src, Span::new(1, 1), "m");
        assert_eq!(d.span, Span::new(0, 2));
    }

    #[test]
    fn closest_suggests_only_plausible_typos() {
        let keys = ["default", "type", "private"];
        assert_eq!(closest("defualt", keys.iter().copied()), Some("default"));
        assert_eq!(closest("typ", keys.iter().copied()), Some("type"));
        assert_eq!(closest("colour", keys.iter().copied()), None);
    }
}
