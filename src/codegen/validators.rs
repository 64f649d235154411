//! `<Store>/Validators.luau`: one specialised checking function per declared
//! type (named types, the store's data shape and each operation payload).
//! Each check is unrolled for its type, so the runtime never interprets a
//! schema; failures name the offending path.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use minijinja::context;

use super::{luau, payload_type_name, OutFile, StoreCx};
use crate::schema::model::Type;

pub(super) fn render(cx: &StoreCx) -> OutFile {
    let mut functions = Vec::new();
    let mut exported = Vec::new();
    for (name, ty) in dependency_order(&cx.project.types) {
        functions.push(function(&check_fn(name), ty));
        exported.push(context! { name => luau::pascal(std::slice::from_ref(name)), check => check_fn(name), root => luau::string(name) });
    }
    functions.push(data_function("checkData", &cx.store.shape));
    // Old versions whose shape the lock records, and the current one when a
    // migration leads to it: checked before and after migrating.
    let mut stored_versions = Vec::new();
    for v in 1..=cx.store.version {
        let shape = if v == cx.store.version {
            (cx.store.version > 1).then_some(&cx.store.shape)
        } else {
            cx.history.get(&(cx.store.name.clone(), v))
        };
        if let Some(shape) = shape {
            let check = format!("checkVersion{v}");
            functions.push(stored_function(&check, shape));
            stored_versions.push(context! { version => v, check => check });
        }
    }
    for op in &cx.operations {
        let name = payload_type_name(&op.name);
        functions.push(function(&check_fn(&name), &op.payload));
        exported.push(
            context! { name => &name, check => check_fn(&name), root => luau::string("payload") },
        );
    }
    OutFile {
        path: cx.path("Validators.luau"),
        contents: cx.render(
            "validators.luau",
            context! { header => &cx.header, functions => functions, exported => exported, versions => stored_versions },
        ),
    }
}

/// Where a value sits, as Luau code that produces its display path.
#[derive(Clone)]
enum PathExpr {
    /// Known at generation time, e.g. `Wallet.Coins` ("" is the root).
    Static(String),
    /// A run-time Luau expression followed by a known suffix such as `.Id`.
    Dynamic { expr: String, suffix: String },
}

impl PathExpr {
    fn field(&self, name: &str) -> PathExpr {
        match self {
            PathExpr::Static(p) if p.is_empty() => PathExpr::Static(name.to_string()),
            PathExpr::Static(p) => PathExpr::Static(format!("{p}.{name}")),
            PathExpr::Dynamic { expr, suffix } => PathExpr::Dynamic {
                expr: expr.clone(),
                suffix: format!("{suffix}.{name}"),
            },
        }
    }

    fn element(&self, key_expr: &str, quoted: bool) -> PathExpr {
        let key = if quoted {
            format!("string.format(\"%q\", {key_expr})")
        } else {
            format!("tostring({key_expr})")
        };
        let expr = match self {
            PathExpr::Static(p) => format!(
                "{} .. {key} .. \"]\"",
                luau::stylua_string(&format!("{}[", self.shown(p)))
            ),
            PathExpr::Dynamic { expr, suffix } => format!(
                "{expr} .. {} .. {key} .. \"]\"",
                luau::stylua_string(&format!("{suffix}["))
            ),
        };
        PathExpr::Dynamic {
            expr,
            suffix: String::new(),
        }
    }

    fn shown<'a>(&self, p: &'a str) -> &'a str {
        if p.is_empty() {
            "data"
        } else {
            p
        }
    }

    /// Luau expression for the path followed by `text`.
    fn with(&self, text: &str) -> String {
        match self {
            PathExpr::Static(p) => luau::stylua_string(&format!("{}{text}", self.shown(p))),
            PathExpr::Dynamic { expr, suffix } => {
                format!(
                    "{expr} .. {}",
                    luau::stylua_string(&format!("{suffix}{text}"))
                )
            }
        }
    }

    /// Luau expression for the path alone.
    fn display(&self) -> String {
        match self {
            PathExpr::Dynamic { expr, suffix } if suffix.is_empty() => expr.clone(),
            _ => self.with(""),
        }
    }
}

/// The function name that checks a named type.
pub fn check_fn(name: &str) -> String {
    format!("check{}", luau::pascal(&[name.to_string()]))
}

struct Emitter {
    out: String,
    counter: usize,
    /// The function's name, which prefixes its lookup sets.
    name: String,
    /// Module-level lookup sets the checks index (accepted strings of an
    /// enum, known fields of a record), emitted before the function.
    sets: String,
    set_count: usize,
    /// Missing record fields pass (stored data of a schema version, before
    /// template defaults fill them).
    lenient: bool,
}

impl Emitter {
    fn line(&mut self, indent: usize, text: &str) {
        self.out.push_str(&"\t".repeat(indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn fresh(&mut self, base: &str) -> String {
        self.counter += 1;
        format!("{base}{}", self.counter)
    }

    /// A module-level set of `members`, one per line; returns its name.
    fn set(&mut self, kind: &str, members: &[String]) -> String {
        self.set_count += 1;
        let name = format!("{}{kind}{}", self.name, self.set_count);
        if members.is_empty() {
            let _ = writeln!(self.sets, "local {name}: {{ [any]: boolean }} = {{}}\n");
            return name;
        }
        let _ = writeln!(self.sets, "local {name}: {{ [any]: boolean }} = {{");
        for m in members {
            let _ = writeln!(self.sets, "\t{}true,", luau::table_key(m));
        }
        let _ = writeln!(self.sets, "}}\n");
        name
    }

    fn fail(&mut self, indent: usize, path: &PathExpr, msg: &str) {
        self.line(
            indent,
            &format!("return {}", path.with(&format!(": {msg}"))),
        );
    }

    fn fail_got(&mut self, indent: usize, path: &PathExpr, msg: &str, value: &str) {
        self.line(
            indent,
            &format!(
                "return {} .. typeof({value})",
                path.with(&format!(": {msg}, got "))
            ),
        );
    }

    fn number_bounds(
        &mut self,
        indent: usize,
        v: &str,
        path: &PathExpr,
        min: Option<String>,
        max: Option<String>,
    ) {
        if let Some(min) = min {
            self.line(indent, &format!("if {v} < {min} then"));
            self.fail(indent + 1, path, &format!("must be at least {min}"));
            self.line(indent, "end");
        }
        if let Some(max) = max {
            self.line(indent, &format!("if {v} > {max} then"));
            self.fail(indent + 1, path, &format!("must be at most {max}"));
            self.line(indent, "end");
        }
    }

    /// Emits statements that `return` an error message when `v` does not fit `ty`.
    fn check(&mut self, ty: &Type, v: &str, path: &PathExpr, indent: usize) {
        match ty {
            Type::Integer { min, max } => {
                self.line(indent, &format!("if typeof({v}) ~= \"number\" then"));
                self.fail_got(indent + 1, path, "expected an integer", v);
                self.line(indent, "end");
                self.line(
                    indent,
                    &format!(
                        "if math.floor({v}) ~= {v} or {v} == math.huge or {v} == -math.huge then"
                    ),
                );
                self.fail(indent + 1, path, "expected a whole number");
                self.line(indent, "end");
                self.number_bounds(
                    indent,
                    v,
                    path,
                    min.map(|m| m.to_string()),
                    max.map(|m| m.to_string()),
                );
            }
            Type::Number { min, max } => {
                self.line(indent, &format!("if typeof({v}) ~= \"number\" then"));
                self.fail_got(indent + 1, path, "expected a number", v);
                self.line(indent, "end");
                self.line(
                    indent,
                    &format!("if {v} ~= {v} or {v} == math.huge or {v} == -math.huge then"),
                );
                self.fail(indent + 1, path, "expected a finite number");
                self.line(indent, "end");
                let fmt = |f: &f64| luau::value(&serde_json::json!(f), 0);
                self.number_bounds(
                    indent,
                    v,
                    path,
                    min.as_ref().map(fmt),
                    max.as_ref().map(fmt),
                );
            }
            Type::String { max_len } => {
                self.line(indent, &format!("if typeof({v}) ~= \"string\" then"));
                self.fail_got(indent + 1, path, "expected a string", v);
                self.line(indent, "end");
                if let Some(max) = max_len {
                    let len = self.fresh("length");
                    self.line(indent, &format!("local {len} = utf8.len({v})"));
                    self.line(indent, &format!("if {len} == nil then"));
                    self.fail(indent + 1, path, "expected valid UTF-8 text");
                    self.line(indent, "end");
                    self.line(indent, &format!("if {len} > {max} then"));
                    self.fail(
                        indent + 1,
                        path,
                        &format!("must be at most {max} characters"),
                    );
                    self.line(indent, "end");
                }
            }
            Type::Boolean => {
                self.line(indent, &format!("if typeof({v}) ~= \"boolean\" then"));
                self.fail_got(indent + 1, path, "expected a boolean", v);
                self.line(indent, "end");
            }
            Type::Enum(options) => {
                let accepted = self.set("Values", options);
                self.line(indent, &format!("if not {accepted}[{v}] then"));
                let names: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                self.fail(
                    indent + 1,
                    path,
                    &format!("expected one of {}", names.join(", ")),
                );
                self.line(indent, "end");
            }
            Type::Optional(inner) => {
                self.line(indent, &format!("if {v} ~= nil then"));
                self.check(inner, v, path, indent + 1);
                self.line(indent, "end");
            }
            Type::Named(name) => {
                let err = self.fresh("err");
                self.line(
                    indent,
                    &format!("local {err} = {}({v}, {})", check_fn(name), path.display()),
                );
                self.line(indent, &format!("if {err} ~= nil then"));
                self.line(indent + 1, &format!("return {err}"));
                self.line(indent, "end");
            }
            Type::Array(inner) => {
                self.table_check(indent, v, path, "an array");
                let count = self.fresh("count");
                let key = self.fresh("index");
                let item = self.fresh("item");
                self.line(indent, &format!("local {count} = #{v}"));
                self.line(indent, &format!("for {key}, {item} in {v} do"));
                self.line(indent + 1, &format!("if typeof({key}) ~= \"number\" or {key} < 1 or {key} > {count} or math.floor({key}) ~= {key} then"));
                self.fail(
                    indent + 2,
                    path,
                    "expected an array without holes or string keys",
                );
                self.line(indent + 1, "end");
                let element = path.element(&key, false);
                self.check(inner, &item, &element, indent + 1);
                self.line(indent, "end");
            }
            Type::Map(inner) => {
                self.table_check(indent, v, path, "a map");
                let key = self.fresh("key");
                let item = self.fresh("item");
                self.line(indent, &format!("for {key}, {item} in {v} do"));
                self.line(indent + 1, &format!("if typeof({key}) ~= \"string\" then"));
                self.fail(indent + 2, path, "expected string keys only");
                self.line(indent + 1, "end");
                let element = path.element(&key, true);
                self.check(inner, &item, &element, indent + 1);
                self.line(indent, "end");
            }
            Type::Record(fields) => {
                self.table_check(indent, v, path, "a table");
                let key = self.fresh("key");
                self.line(indent, &format!("for {key} in {v} do"));
                let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
                let known = self.set("Fields", &names);
                self.line(indent + 1, &format!("if not {known}[{key}] then"));
                let base = match path {
                    PathExpr::Static(p) if p.is_empty() => String::new(),
                    other => format!("{} .. ", other.with(".")),
                };
                self.line(
                    indent + 2,
                    &format!("return {base}tostring({key}) .. \": is not a field of this record\""),
                );
                self.line(indent + 1, "end");
                self.line(indent, "end");
                for f in fields {
                    let local = self.fresh("field");
                    self.line(
                        indent,
                        &format!("local {local} = {}", luau::index(v, &f.name)),
                    );
                    if self.lenient && !matches!(f.ty, Type::Optional(_)) {
                        self.line(indent, &format!("if {local} ~= nil then"));
                        self.check(&f.ty, &local, &path.field(&f.name), indent + 1);
                        self.line(indent, "end");
                    } else {
                        self.check(&f.ty, &local, &path.field(&f.name), indent);
                    }
                }
            }
        }
    }

    fn table_check(&mut self, indent: usize, v: &str, path: &PathExpr, what: &str) {
        self.line(indent, &format!("if typeof({v}) ~= \"table\" then"));
        self.fail_got(indent + 1, path, &format!("expected {what}"), v);
        self.line(indent, "end");
    }
}

fn named_refs(ty: &Type, out: &mut BTreeSet<String>) {
    match ty {
        Type::Named(n) => {
            out.insert(n.clone());
        }
        Type::Array(t) | Type::Map(t) | Type::Optional(t) => named_refs(t, out),
        Type::Record(fields) => fields.iter().for_each(|f| named_refs(&f.ty, out)),
        _ => {}
    }
}

/// Named types ordered so that each comes after the types it uses. The checker
/// rejects cycles; if one slips through, the remaining order is declaration order.
pub fn dependency_order(types: &[(String, Type)]) -> Vec<&(String, Type)> {
    let by_name: BTreeMap<&str, &(String, Type)> =
        types.iter().map(|t| (t.0.as_str(), t)).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut visiting: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::new();
    fn visit<'a>(
        name: &'a str,
        by_name: &BTreeMap<&'a str, &'a (String, Type)>,
        done: &mut BTreeSet<&'a str>,
        visiting: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a (String, Type)>,
    ) {
        if done.contains(name) || visiting.contains(name) {
            return;
        }
        let Some(entry) = by_name.get(name) else {
            return;
        };
        visiting.insert(name);
        let mut refs = BTreeSet::new();
        named_refs(&entry.1, &mut refs);
        for r in &refs {
            if let Some((key, _)) = by_name.get_key_value(r.as_str()) {
                visit(key, by_name, done, visiting, order);
            }
        }
        visiting.remove(name);
        done.insert(name);
        order.push(entry);
    }
    for (name, _) in types {
        visit(name, &by_name, &mut done, &mut visiting, &mut order);
    }
    order
}

/// One `local function` that returns an error message or nil for `ty`.
pub fn function(name: &str, ty: &Type) -> String {
    let mut e = Emitter {
        out: String::new(),
        counter: 0,
        name: name.to_string(),
        sets: String::new(),
        set_count: 0,
        lenient: false,
    };
    e.line(
        0,
        &format!("local function {name}(value: any, path: string): string?"),
    );
    e.check(
        ty,
        "value",
        &PathExpr::Dynamic {
            expr: "path".to_string(),
            suffix: String::new(),
        },
        1,
    );
    e.line(1, "return nil");
    e.line(0, "end");
    e.sets + &e.out
}

/// The store's data check: paths are spelled statically from the root.
pub fn data_function(name: &str, shape: &Type) -> String {
    root_function(name, shape, false)
}

/// The check of data stored at one schema version, before it migrates: a
/// field that is there must have that version's type, a missing one passes
/// (template defaults fill it when the record opens).
pub fn stored_function(name: &str, shape: &Type) -> String {
    root_function(name, shape, true)
}

fn root_function(name: &str, shape: &Type, lenient: bool) -> String {
    let mut e = Emitter {
        out: String::new(),
        counter: 0,
        name: name.to_string(),
        sets: String::new(),
        set_count: 0,
        lenient,
    };
    e.line(0, &format!("local function {name}(value: any): string?"));
    e.check(shape, "value", &PathExpr::Static(String::new()), 1);
    e.line(1, "return nil");
    e.line(0, "end");
    e.sets + &e.out
}

/// Writes the `name = type` list of referenced named types, transitively, in dependency order.
pub fn referenced_types<'a>(
    types: &'a [(String, Type)],
    roots: &[&Type],
) -> Vec<&'a (String, Type)> {
    let mut wanted = BTreeSet::new();
    let mut stack: Vec<Type> = roots.iter().map(|t| (*t).clone()).collect();
    while let Some(t) = stack.pop() {
        let mut refs = BTreeSet::new();
        named_refs(&t, &mut refs);
        for r in refs {
            if wanted.insert(r.clone()) {
                if let Some((_, ty)) = types.iter().find(|(n, _)| *n == r) {
                    stack.push(ty.clone());
                }
            }
        }
    }
    dependency_order(types)
        .into_iter()
        .filter(|(n, _)| wanted.contains(n))
        .collect()
}
