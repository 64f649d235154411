//! A migration file returns one function (VS4002) taking exactly the old
//! data, annotated `V<to-1>` -> `V<to>` when annotated at all (VS4007).

use full_moon::ast;

use crate::check::luau::{param_names, returned_function, span_of};
use crate::check::rule::{Context, Role, Rule};
use crate::diagnostic::{Diagnostic, SourceFile};

pub struct MigrationShape;

impl Rule for MigrationShape {
    fn name(&self) -> &'static str {
        "migration_shape"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS4002", "VS4007"]
    }

    fn check(&self, cx: &mut Context) {
        for file in cx.files.values() {
            let Some(ast) = &file.ast else {
                continue;
            };
            for role in &file.roles {
                if let Role::Migration { to } = role {
                    check_file(&file.source, ast, *to, &mut cx.out.diags);
                }
            }
        }
    }
}

/// Checks a migration file producing version `to`.
pub fn check_file(src: &SourceFile, ast: &ast::Ast, to: u32, diags: &mut Vec<Diagnostic>) {
    let (from_t, to_t) = (format!("V{}", to.saturating_sub(1)), format!("V{to}"));
    let expected = format!("return function(old: {from_t}): {to_t} ... end");
    let Some(body) = returned_function(ast, src, &expected, diags) else {
        return;
    };
    let params = param_names(body);
    if params.len() != 1 || params[0].0 == "..." {
        diags.push(
            Diagnostic::error(
                "VS4007",
                src,
                span_of(body.parameters_parentheses()),
                "a migration takes exactly one parameter, the old data",
            )
            .label("wrong parameters")
            .help(format!("write the migration as `{expected}`")),
        );
    }
    let mut annotated = |ts: Option<&ast::luau::TypeSpecifier>, want: &str, what: &str| {
        let Some(ts) = ts else { return };
        let ok = matches!(ts.type_info(), ast::luau::TypeInfo::Basic(t) if t.token().to_string() == want);
        if !ok {
            diags.push(
                Diagnostic::error(
                    "VS4007",
                    src,
                    span_of(ts.type_info()),
                    format!("the migration's {what} type must be `{want}`"),
                )
                .label(format!("expected `{want}`"))
                .help(format!(
                    "a migration to version {to} maps `{from_t}` to `{to_t}`: `{expected}`"
                )),
            );
        }
    };
    annotated(
        body.type_specifiers().next().flatten(),
        &from_t,
        "parameter",
    );
    annotated(body.return_type(), &to_t, "return");
}
