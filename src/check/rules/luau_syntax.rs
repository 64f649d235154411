//! Every migration and handler file parses as Luau (VS4001). Parses each file
//! once for the Luau rules after it.

use full_moon::LuaVersion;

use crate::check::rule::{Context, Rule};
use crate::diagnostic::{Diagnostic, Span};

pub struct LuauSyntax;

impl Rule for LuauSyntax {
    fn name(&self) -> &'static str {
        "luau_syntax"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS4001"]
    }

    fn check(&self, cx: &mut Context) {
        for file in cx.files.values_mut() {
            let result = full_moon::parse_fallible(file.source.text(), LuaVersion::luau());
            if result.errors().is_empty() {
                file.ast = Some(result.into_ast());
                continue;
            }
            for e in result.errors() {
                let (a, b) = e.range();
                let span = Span::new(a.bytes(), b.bytes().max(a.bytes() + 1));
                cx.out.diags.push(
                    Diagnostic::error(
                        "VS4001",
                        &file.source,
                        span,
                        format!("Luau syntax error: {}", e.error_message()),
                    )
                    .label("here")
                    .help("fix the Luau syntax; the file must parse as Luau"),
                );
            }
        }
    }
}
