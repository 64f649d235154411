//! A handler file returns one function taking `(profile, payload)` (VS4002).

use crate::check::luau::{param_names, returned_function, span_of};
use crate::check::rule::{Context, Role, Rule};
use crate::diagnostic::{Diagnostic, SourceFile};

pub struct HandlerShape;

pub const HANDLER: &str = "return function(profile, payload) ... end";

impl Rule for HandlerShape {
    fn name(&self) -> &'static str {
        "handler_shape"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS4002"]
    }

    fn check(&self, cx: &mut Context) {
        for file in cx.files.values() {
            let (Some(ast), true) = (
                &file.ast,
                file.roles.iter().any(|r| matches!(r, Role::Handler { .. })),
            ) else {
                continue;
            };
            check_file(&file.source, ast, &mut cx.out.diags);
        }
    }
}

/// The name of the handler's profile parameter, when the file has the
/// expected shape; reports what is wrong otherwise.
pub fn check_file(
    src: &SourceFile,
    ast: &full_moon::ast::Ast,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let body = returned_function(ast, src, HANDLER, diags)?;
    let params = param_names(body);
    if params.is_empty() || params.len() > 2 || params.iter().any(|(n, _)| n == "...") {
        diags.push(
            Diagnostic::error(
                "VS4002",
                src,
                span_of(body.parameters_parentheses()),
                "a handler takes `(profile, payload)`",
            )
            .label("wrong parameters")
            .help(format!("write the handler as `{HANDLER}`")),
        );
        return None;
    }
    Some(params[0].0.clone())
}
