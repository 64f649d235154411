//! Static analysis of handler and migration files with full_moon: parse
//! errors, file shape, yields, time and randomness, services and globals, and
//! profile writes outside an operation's declared `writes`.
//!
//! Handler files are `return function(profile, payload) ... end`; migration
//! files are `return function(old: V<n-1>): V<n> ... end`. Writes are tracked
//! through the handler's first parameter (`profile.A.B = ...`, `+=`,
//! `table.insert/remove/clear/sort(profile.X, ...)`); aliases are not followed.

use full_moon::ast::{self, Expression, FunctionBody, LastStmt, Prefix, Suffix, Var};
use full_moon::node::Node;
use full_moon::tokenizer::{TokenReference, TokenType};
use full_moon::visitors::Visitor;
use full_moon::LuaVersion;

use crate::schema::model::{DataPath, Span};

use super::diagnostic::{Diagnostic, SourceFile};

fn span_of(n: &impl Node) -> Span {
    match n.range() {
        Some((a, b)) => Span {
            start: a.bytes(),
            end: b.bytes(),
        },
        None => Span::default(),
    }
}

fn parse(src: &SourceFile, diags: &mut Vec<Diagnostic>) -> Option<ast::Ast> {
    let result = full_moon::parse_fallible(src.text(), LuaVersion::luau());
    if result.errors().is_empty() {
        return Some(result.into_ast());
    }
    for e in result.errors() {
        let (a, b) = e.range();
        let span = Span {
            start: a.bytes(),
            end: b.bytes().max(a.bytes() + 1),
        };
        diags.push(
            Diagnostic::error(
                "VS4001",
                src,
                span,
                format!("Luau syntax error: {}", e.error_message()),
            )
            .label("here")
            .help("fix the Luau syntax; the file must parse as Luau"),
        );
    }
    None
}

/// The function returned by the file, or a shape diagnostic.
fn returned_function<'a>(
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

fn param_names(body: &FunctionBody) -> Vec<(String, Span)> {
    body.parameters()
        .iter()
        .map(|p| match p {
            ast::Parameter::Name(t) => (t.token().to_string(), span_of(t)),
            other => ("...".to_owned(), span_of(other)),
        })
        .collect()
}

/// Checks a handler file against its operation's declared writes.
pub fn analyze_handler(src: &SourceFile, writes: &[DataPath], diags: &mut Vec<Diagnostic>) {
    let Some(ast) = parse(src, diags) else { return };
    let expected = "return function(profile, payload) ... end";
    let mut profile = None;
    if let Some(body) = returned_function(&ast, src, expected, diags) {
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
                .help(format!("write the handler as `{expected}`")),
            );
        } else {
            profile = Some(params[0].0.clone());
        }
    }
    let mut v = Rules {
        src,
        diags: Vec::new(),
        profile,
        writes,
        locals: locals(&ast),
    };
    v.visit_ast(&ast);
    diags.extend(v.diags);
}

/// Checks a migration file producing version `to`.
pub fn analyze_migration(src: &SourceFile, to: u32, diags: &mut Vec<Diagnostic>) {
    let Some(ast) = parse(src, diags) else { return };
    let (from_t, to_t) = (format!("V{}", to.saturating_sub(1)), format!("V{to}"));
    let expected = format!("return function(old: {from_t}): {to_t} ... end");
    if let Some(body) = returned_function(&ast, src, &expected, diags) {
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
        let annotated = |ts: Option<&ast::luau::TypeSpecifier>,
                         want: &str,
                         what: &str,
                         diags: &mut Vec<Diagnostic>| {
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
            diags,
        );
        annotated(body.return_type(), &to_t, "return", diags);
    }
    let mut v = Rules {
        src,
        diags: Vec::new(),
        profile: None,
        writes: &[],
        locals: locals(&ast),
    };
    v.visit_ast(&ast);
    diags.extend(v.diags);
}

enum Step {
    Field(String, Span),
    Dynamic,
    Call,
    Method(String, Span),
}

fn string_literal(e: &Expression) -> Option<String> {
    match e {
        Expression::String(t) => match t.token_type() {
            TokenType::StringLiteral { literal, .. } => Some(literal.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn steps<'a>(suffixes: impl Iterator<Item = &'a Suffix>) -> Vec<Step> {
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

fn root_name(prefix: &Prefix) -> Option<&TokenReference> {
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

fn locals(ast: &ast::Ast) -> std::collections::BTreeSet<String> {
    let mut l = Locals::default();
    l.visit_ast(ast);
    l.0
}

struct Rules<'a> {
    src: &'a SourceFile,
    diags: Vec<Diagnostic>,
    profile: Option<String>,
    writes: &'a [DataPath],
    locals: std::collections::BTreeSet<String>,
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

impl Rules<'_> {
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
            Some(Step::Field(f, s)) => Some((
                f.as_str(),
                Span {
                    start: span.start,
                    end: s.end,
                },
            )),
            _ => None,
        };
        const PURE: &str = "handlers and migrations run inside UpdateAsync transforms: they must be pure, fast and must not yield";
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
            self.report("VS4004", span, format!("`{name}` reads time or randomness"), "pass times and random choices in the payload so every retry computes the same result");
        } else if ["wait", "delay", "spawn"].contains(&name.as_str()) {
            self.report("VS4003", span, format!("`{name}` yields"), PURE);
        } else if let Some((f, s)) = first {
            match (name.as_str(), f) {
                ("os", "time" | "clock" | "date") | ("math", "random" | "randomseed") => {
                    self.report("VS4004", s, format!("`{name}.{f}` reads time or randomness"), "pass times and random choices in the payload so every retry computes the same result")
                }
                ("task", "wait" | "delay" | "spawn" | "defer") | ("coroutine", "yield" | "wrap" | "resume") => self.report("VS4003", s, format!("`{name}.{f}` yields"), PURE),
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

    /// The literal profile path a write targets, if it is rooted at the profile parameter.
    fn profile_path(&self, root: &TokenReference, steps: &[Step]) -> Option<DataPath> {
        let profile = self.profile.as_deref()?;
        if root.token().to_string() != profile {
            return None;
        }
        let mut path = Vec::new();
        for st in steps {
            match st {
                Step::Field(f, _) => path.push(f.clone()),
                _ => break,
            }
        }
        Some(path)
    }

    fn check_write(&mut self, span: Span, path: DataPath) {
        if self
            .writes
            .iter()
            .any(|w| path.len() >= w.len() && path.starts_with(w))
        {
            return;
        }
        let shown = if path.is_empty() {
            "the whole profile".to_owned()
        } else {
            format!("`{}`", path.join("."))
        };
        let declared = if self.writes.is_empty() {
            "nothing".to_owned()
        } else {
            self.writes
                .iter()
                .map(|w| w.join("."))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.diags.push(
            Diagnostic::error(
                "VS4006",
                self.src,
                span,
                format!("the handler writes {shown}, outside its declared writes ({declared})"),
            )
            .label("undeclared write")
            .help(
                "add the path to the operation's `writes` in virtualstore.toml, or stop writing it",
            ),
        );
    }

    fn var_write(&mut self, var: &Var) {
        if let Var::Expression(ve) = var {
            if let Some(root) = root_name(ve.prefix()) {
                let st = steps(ve.suffixes());
                if let Some(path) = self.profile_path(root, &st) {
                    self.check_write(span_of(ve.as_ref()), path);
                }
            }
        }
    }
}

impl Visitor for Rules<'_> {
    fn visit_function_call(&mut self, call: &ast::FunctionCall) {
        let Some(root) = root_name(call.prefix()) else {
            return;
        };
        let st = steps(call.suffixes());
        self.chain(root, &st);
        let is_table_write = root.token().to_string() == "table"
            && matches!(st.first(), Some(Step::Field(f, _)) if ["insert", "remove", "clear", "sort"].contains(&f.as_str()));
        if !is_table_write {
            return;
        }
        let Some(Suffix::Call(ast::Call::AnonymousCall(ast::FunctionArgs::Parentheses {
            arguments,
            ..
        }))) = call.suffixes().nth(1)
        else {
            return;
        };
        match arguments.iter().next() {
            Some(Expression::Var(v @ Var::Expression(_))) => self.var_write(v),
            Some(Expression::Var(Var::Name(t)))
                if self.profile.as_deref() == Some(t.token().to_string().as_str()) =>
            {
                self.check_write(span_of(t), Vec::new())
            }
            _ => {}
        }
    }

    fn visit_var_expression(&mut self, ve: &ast::VarExpression) {
        if let Some(root) = root_name(ve.prefix()) {
            let st = steps(ve.suffixes());
            self.chain(root, &st);
        }
    }

    fn visit_var(&mut self, var: &Var) {
        if let Var::Name(t) = var {
            self.chain(t, &[]);
        }
    }

    fn visit_assignment(&mut self, a: &ast::Assignment) {
        for var in a.variables() {
            self.var_write(var);
        }
    }

    fn visit_compound_assignment(&mut self, a: &ast::luau::CompoundAssignment) {
        self.var_write(a.lhs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler_codes(code: &str, writes: &[&str]) -> Vec<&'static str> {
        let src = SourceFile::new("operations/H.luau", code.to_owned());
        let writes: Vec<DataPath> = writes
            .iter()
            .map(|w| w.split('.').map(str::to_owned).collect())
            .collect();
        let mut diags = Vec::new();
        analyze_handler(&src, &writes, &mut diags);
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn locals_shadow_the_globals_the_rules_look_for() {
        let code = "return function(profile, payload)\n\tlocal time = payload.Now\n\tprofile.Wallet.Coins = time\nend\n";
        assert!(handler_codes(code, &["Wallet.Coins"]).is_empty());
    }

    #[test]
    fn writes_below_a_declared_path_are_allowed_and_others_rejected() {
        let code = "return function(profile, payload)\n\tprofile.Quests[payload.Id] = {}\n\ttable.insert(profile.Inventory, payload.Item)\n\tprofile.Wallet.Gems -= 1\nend\n";
        assert_eq!(handler_codes(code, &["Quests", "Inventory"]), ["VS4006"]);
    }

    #[test]
    fn dot_called_async_functions_yield_too() {
        let code = "return function(profile, payload)\n\tpayload.Store.GetAsync(payload.Store, \"k\")\nend\n";
        assert_eq!(handler_codes(code, &[]), ["VS4003"]);
    }
}
