//! Handlers and migrations run inside `UpdateAsync` transforms, so they are
//! pure: no yields (VS4003), no time or randomness (VS4004), no services or
//! globals (VS4005). Names the file declares locally shadow the globals.

use std::collections::BTreeSet;

use full_moon::ast;
use full_moon::tokenizer::TokenReference;
use full_moon::visitors::Visitor;

use crate::check::luau::{locals, root_name, span_of, steps, Step};
use crate::check::rule::{Context, Rule};
use crate::diagnostic::{Diagnostic, SourceFile, Span};

pub struct Purity;

impl Rule for Purity {
    fn name(&self) -> &'static str {
        "purity"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS4003", "VS4004", "VS4005"]
    }

    fn check(&self, cx: &mut Context) {
        for file in cx.files.values() {
            if let Some(ast) = &file.ast {
                check_file(&file.source, ast, &mut cx.out.diags);
            }
        }
    }
}

const GLOBALS: &[&str] = &[
    "game",
    "workspace",
    "require",
    "_G",
    "shared",
    "script",
    "plugin",
];

const PURE: &str = "handlers and migrations run inside UpdateAsync transforms: they must be pure, fast and must not yield";
const DETERMINISTIC: &str =
    "pass times and random choices in the payload so every retry computes the same result";

pub fn check_file(src: &SourceFile, ast: &ast::Ast, diags: &mut Vec<Diagnostic>) {
    let mut v = Chains {
        src,
        diags,
        locals: locals(ast),
    };
    v.visit_ast(ast);
}

struct Chains<'a> {
    src: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
    locals: BTreeSet<String>,
}

impl Chains<'_> {
    fn report(&mut self, code: &'static str, span: Span, msg: String, help: &str) {
        let label = match code {
            "VS4003" => "yields",
            "VS4004" => "not deterministic",
            _ => "not available here",
        };
        self.diags.push(
            Diagnostic::error(code, self.src, span, msg)
                .label(label)
                .help(help),
        );
    }

    fn chain(&mut self, root: &TokenReference, steps: &[Step]) {
        let name = root.token().to_string();
        let span = span_of(root);
        let first = match steps.first() {
            Some(Step::Field(f, s)) => Some((f.as_str(), Span::new(span.start, s.end))),
            _ => None,
        };
        if self.locals.contains(&name) {
            // A local of the same name shadows the global.
        } else if GLOBALS.contains(&name.as_str()) {
            self.report(
                "VS4005",
                span,
                format!("`{name}` is not available in handlers and migrations"),
                "compute what you need before queuing the operation and pass it in the payload",
            );
        } else if ["tick", "DateTime", "Random", "time", "elapsedTime"].contains(&name.as_str()) {
            self.report(
                "VS4004",
                span,
                format!("`{name}` reads time or randomness"),
                DETERMINISTIC,
            );
        } else if ["wait", "delay", "spawn"].contains(&name.as_str()) {
            self.report("VS4003", span, format!("`{name}` yields"), PURE);
        } else if let Some((f, s)) = first {
            match (name.as_str(), f) {
                ("os", "time" | "clock" | "date") | ("math", "random" | "randomseed") => self
                    .report(
                        "VS4004",
                        s,
                        format!("`{name}.{f}` reads time or randomness"),
                        DETERMINISTIC,
                    ),
                ("task", "wait" | "delay" | "spawn" | "defer")
                | ("coroutine", "yield" | "wrap" | "resume") => {
                    self.report("VS4003", s, format!("`{name}.{f}` yields"), PURE)
                }
                _ => {}
            }
        }
        for (i, st) in steps.iter().enumerate() {
            let async_name = match st {
                Step::Method(m, s) if m.ends_with("Async") => Some((m, *s)),
                Step::Field(m, s)
                    if m.ends_with("Async") && matches!(steps.get(i + 1), Some(Step::Call)) =>
                {
                    Some((m, *s))
                }
                _ => None,
            };
            if let Some((m, s)) = async_name {
                self.report(
                    "VS4003",
                    s,
                    format!("`{m}` is an async call and yields"),
                    PURE,
                );
            }
        }
    }
}

impl Visitor for Chains<'_> {
    fn visit_function_call(&mut self, call: &ast::FunctionCall) {
        if let Some(root) = root_name(call.prefix()) {
            let st = steps(call.suffixes());
            self.chain(root, &st);
        }
    }

    fn visit_var_expression(&mut self, ve: &ast::VarExpression) {
        if let Some(root) = root_name(ve.prefix()) {
            let st = steps(ve.suffixes());
            self.chain(root, &st);
        }
    }

    fn visit_var(&mut self, var: &ast::Var) {
        if let ast::Var::Name(t) = var {
            self.chain(t, &[]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(code: &str) -> Vec<&'static str> {
        let src = SourceFile::new("operations/H.luau", code.to_owned());
        let ast = full_moon::parse(code).unwrap();
        let mut diags = Vec::new();
        check_file(&src, &ast, &mut diags);
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn locals_shadow_the_globals_the_rules_look_for() {
        let code = "return function(profile, payload)\n\tlocal time = payload.Now\n\tprofile.Wallet.Coins = time\nend\n";
        assert!(codes(code).is_empty());
    }

    #[test]
    fn dot_called_async_functions_yield_too() {
        let code = "return function(profile, payload)\n\tpayload.Store.GetAsync(payload.Store, \"k\")\nend\n";
        assert_eq!(codes(code), ["VS4003"]);
    }
}
