//! Shared reading of handler and migration files for the Luau rules: spans
//! of full_moon nodes, the function a file returns, its parameters, index
//! chains (`profile.A.B`, `os.time`) and the names a file declares locally.
//!
//! Handler files are `return function(profile, payload) ... end`; migration
//! files are `return function(old: V<n-1>): V<n> ... end`.

use full_moon::ast::{self, Expression, FunctionBody, LastStmt, Prefix, Suffix};
use full_moon::node::Node;
use full_moon::tokenizer::{TokenReference, TokenType};
use full_moon::visitors::Visitor;

use crate::diagnostic::{Diagnostic, SourceFile, Span};

pub fn span_of(n: &impl Node) -> Span {
    match n.range() {
        Some((a, b)) => Span {
            start: a.bytes(),
            end: b.bytes(),
        },
        None => Span::default(),
    }
}

/// The function returned by the file, or a shape diagnostic.
pub fn returned_function<'a>(
    ast: &'a ast::Ast,
    src: &SourceFile,
    expected: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a FunctionBody> {
    let end = src.text().len();
    let whole = Span {
        start: end.saturating_sub(1).min(end),
        end,
    };
    let bad = |span: Span, diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::error(
                "VS4002",
                src,
                span,
                format!("the file must return one function: `{expected}`"),
            )
            .label("expected `return function(...) ... end`")
            .help(format!("end the file with `{expected}`")),
        );
        None
    };
    let Some(LastStmt::Return(ret)) = ast.nodes().last_stmt() else {
        return bad(whole, diags);
    };
    let mut values = ret.returns().iter();
    match (values.next(), values.next()) {
        (Some(Expression::Function(f)), None) => Some(&f.1),
        _ => bad(span_of(ret), diags),
    }
}

pub fn param_names(body: &FunctionBody) -> Vec<(String, Span)> {
    body.parameters()
        .iter()
        .map(|p| match p {
            ast::Parameter::Name(t) => (t.token().to_string(), span_of(t)),
            other => ("...".to_owned(), span_of(other)),
        })
        .collect()
}

pub enum Step {
    Field(String, Span),
    Dynamic,
    Call,
    Method(String, Span),
}

pub fn string_literal(e: &Expression) -> Option<String> {
    match e {
        Expression::String(t) => match t.token_type() {
            TokenType::StringLiteral { literal, .. } => Some(literal.to_string()),
            _ => None,
        },
        _ => None,
    }
}

pub fn steps<'a>(suffixes: impl Iterator<Item = &'a Suffix>) -> Vec<Step> {
    suffixes
        .map(|s| match s {
            Suffix::Index(ast::Index::Dot { name, .. }) => {
                Step::Field(name.token().to_string(), span_of(name))
            }
            Suffix::Index(ast::Index::Brackets { expression, .. }) => {
                match string_literal(expression) {
                    Some(k) => Step::Field(k, span_of(expression)),
                    None => Step::Dynamic,
                }
            }
            Suffix::Call(ast::Call::MethodCall(m)) => {
                Step::Method(m.name().token().to_string(), span_of(m.name()))
            }
            Suffix::Call(_) => Step::Call,
            _ => Step::Dynamic,
        })
        .collect()
}

pub fn root_name(prefix: &Prefix) -> Option<&TokenReference> {
    match prefix {
        Prefix::Name(t) => Some(t),
        _ => None,
    }
}

/// Every name the file declares locally: such names shadow the globals the
/// rules look for, so `local time = payload.Now` is not a clock read.
#[derive(Default)]
struct Locals(std::collections::BTreeSet<String>);

impl Visitor for Locals {
    fn visit_local_assignment(&mut self, node: &ast::LocalAssignment) {
        self.0
            .extend(node.names().iter().map(|t| t.token().to_string()));
    }
    fn visit_local_function(&mut self, node: &ast::LocalFunction) {
        self.0.insert(node.name().token().to_string());
    }
    fn visit_function_body(&mut self, node: &FunctionBody) {
        self.0.extend(param_names(node).into_iter().map(|(n, _)| n));
    }
    fn visit_generic_for(&mut self, node: &ast::GenericFor) {
        self.0
            .extend(node.names().iter().map(|t| t.token().to_string()));
    }
    fn visit_numeric_for(&mut self, node: &ast::NumericFor) {
        self.0.insert(node.index_variable().token().to_string());
    }
}

pub fn locals(ast: &ast::Ast) -> std::collections::BTreeSet<String> {
    let mut l = Locals::default();
    l.visit_ast(ast);
    l.0
}
