//! A handler writes only the profile paths its operation declares in `writes`
//! (VS4006). Writes are tracked through the handler's first parameter
//! (`profile.A.B = ...`, `+=`, `table.insert/remove/clear/sort(profile.X, ...)`);
//! a write through a dynamic key counts as a write to the path before it, and
//! aliases are not followed. Not checked while `writes` itself is missing or
//! names no field: that one mistake is reported once, where it is.

use full_moon::ast::{self, Expression, Suffix, Var};
use full_moon::tokenizer::TokenReference;
use full_moon::visitors::Visitor;

use crate::check::luau::{root_name, span_of, steps, Step};
use crate::check::rule::{Context, Role, Rule};
use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::schema::model::DataPath;

use super::handler_shape;

pub struct HandlerWrites;

impl Rule for HandlerWrites {
    fn name(&self) -> &'static str {
        "handler_writes"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS4006"]
    }

    fn check(&self, cx: &mut Context) {
        for file in cx.files.values() {
            let Some(ast) = &file.ast else {
                continue;
            };
            for role in &file.roles {
                let Role::Handler { store, operation } = role else {
                    continue;
                };
                let declared = cx.stores[*store].declared_writes.get(operation);
                let Some(Some(writes)) = declared else {
                    continue;
                };
                // The shape rule reports a file without a usable profile parameter.
                let Some(profile) = handler_shape::check_file(&file.source, ast, &mut Vec::new())
                else {
                    continue;
                };
                check_file(&file.source, ast, &profile, writes, &mut cx.out.diags);
            }
        }
    }
}

pub fn check_file(
    src: &SourceFile,
    ast: &ast::Ast,
    profile: &str,
    writes: &[DataPath],
    diags: &mut Vec<Diagnostic>,
) {
    let mut v = Writes {
        src,
        diags,
        profile,
        writes,
    };
    v.visit_ast(ast);
}

struct Writes<'a> {
    src: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
    profile: &'a str,
    writes: &'a [DataPath],
}

impl Writes<'_> {
    /// The literal profile path a write targets, if it is rooted at the profile parameter.
    fn profile_path(&self, root: &TokenReference, steps: &[Step]) -> Option<DataPath> {
        if root.token().to_string() != self.profile {
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

impl Visitor for Writes<'_> {
    fn visit_function_call(&mut self, call: &ast::FunctionCall) {
        let Some(root) = root_name(call.prefix()) else {
            return;
        };
        let st = steps(call.suffixes());
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
            Some(Expression::Var(Var::Name(t))) if t.token().to_string() == self.profile => {
                self.check_write(span_of(t), Vec::new())
            }
            _ => {}
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

    #[test]
    fn writes_below_a_declared_path_are_allowed_and_others_rejected() {
        let code = "return function(profile, payload)\n\tprofile.Quests[payload.Id] = {}\n\ttable.insert(profile.Inventory, payload.Item)\n\tprofile.Wallet.Gems -= 1\nend\n";
        let src = SourceFile::new("operations/H.luau", code.to_owned());
        let ast = full_moon::parse_fallible(code, full_moon::LuaVersion::luau()).into_ast();
        let writes: Vec<DataPath> = vec![vec!["Quests".into()], vec!["Inventory".into()]];
        let mut diags = Vec::new();
        check_file(&src, &ast, "profile", &writes, &mut diags);
        assert_eq!(diags.iter().map(|d| d.code).collect::<Vec<_>>(), ["VS4006"]);
    }
}
