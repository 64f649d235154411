//! The API table as Luau: type expressions, the table types of the owners
//! (`Facade`, `KeyedStore`, `Session`, `Replica`), the named types, and the
//! per-field helpers of a generated store module (their types and the
//! forwarding methods), all from `core::api`.

use std::fmt::Write as _;

use crate::codegen::luau as text;
use crate::core::api::sig::{Func, Param, Returns, Ty};
use crate::core::api::{self, Kind, Member, NamedType, Owner};

use super::{all_names, helper_func, helpers, path_kind, FieldKind};

/// How one module spells the table's names.
pub(crate) struct Names<'a> {
    /// The Luau type for a name of the table (`Store` -> `KeyedStore`).
    pub name: &'a dyn Fn(&str) -> String,
    /// The generic signal type (`Signal`, or `VirtualStoreClient.Signal`).
    pub signal: &'a str,
}

/// What `Value` and `Element` stand for while rendering (`any` outside a
/// per-field helper).
#[derive(Clone, Copy)]
struct Subst<'a> {
    value: &'a str,
    element: &'a str,
}

const UNTYPED: Subst<'static> = Subst {
    value: "any",
    element: "any",
};

pub(crate) fn ty(t: &Ty, n: &Names) -> String {
    ty_in(t, n, UNTYPED)
}

fn ty_in(t: &Ty, n: &Names, s: Subst) -> String {
    match t {
        Ty::Name(name) if name == "Value" => s.value.to_string(),
        Ty::Name(name) if name == "Element" => s.element.to_string(),
        Ty::Name(name) => (n.name)(name),
        Ty::Literal(l) => text::string(l),
        Ty::Optional(inner) => match inner.as_ref() {
            Ty::Union(_) | Ty::Function(_) => format!("({})?", ty_in(inner, n, s)),
            _ => format!("{}?", ty_in(inner, n, s)),
        },
        Ty::Array(inner) => format!("{{ {} }}", ty_in(inner, n, s)),
        Ty::Map(inner) => format!("{{ [string]: {} }}", ty_in(inner, n, s)),
        Ty::Record(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}{}", text::type_key(k), ty_in(v, n, s)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Ty::Union(members) => members
            .iter()
            .map(|m| ty_in(m, n, s))
            .collect::<Vec<_>>()
            .join(" | "),
        Ty::Function(f) => {
            let (params, returns) = func_parts(f, None, n, s);
            format!("({}) -> {returns}", params.join(", "))
        }
    }
}

fn returns(r: &Returns, n: &Names, s: Subst) -> String {
    match r {
        Returns::Variadic(t) => format!("...{}", ty_in(t, n, s)),
        Returns::Values(values) => match values.as_slice() {
            [one] if !matches!(one, Ty::Union(_) | Ty::Function(_)) => ty_in(one, n, s),
            many => format!(
                "({})",
                many.iter()
                    .map(|t| ty_in(t, n, s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

fn param(p: &Param, n: &Names, s: Subst) -> String {
    format!("{}: {}", p.name, ty_in(&p.ty, n, s))
}

/// The parameters (with `self` first when given) and the returns of a function.
fn func_parts(f: &Func, self_ty: Option<&str>, n: &Names, s: Subst) -> (Vec<String>, String) {
    let mut params: Vec<String> = self_ty.map(|t| format!("self: {t}")).into_iter().collect();
    params.extend(f.params.iter().map(|p| param(p, n, s)));
    if let Some(rest) = &f.rest {
        params.push(format!("...{}", ty_in(rest, n, s)));
    }
    (params, returns(&f.returns, n, s))
}

/// One entry of a table type, one tab in: `Name: (params) -> returns,`, or,
/// when that is wider than the formatter allows, one parameter per line the
/// way StyLua lays out a function type that does not fit.
fn entry(name: &str, params: &[String], returns: &str) -> String {
    let key = text::type_key(name);
    let one_line = format!("{key}({}) -> {returns},", params.join(", "));
    if text::width(1, &one_line) <= text::COLUMN_WIDTH {
        return format!("\t{one_line}\n");
    }
    let mut out = format!("\t{key}(\n");
    for (i, p) in params.iter().enumerate() {
        let comma = if i + 1 < params.len() { "," } else { "" };
        let _ = writeln!(out, "\t\t{p}{comma}");
    }
    let _ = writeln!(out, "\t) -> {returns},");
    out
}

/// The entries of one member (one per name, aliases included).
fn member_entries(m: &Member, self_ty: &str, n: &Names) -> String {
    let mut out = String::new();
    for name in all_names(m) {
        let key = text::type_key(name);
        match m.kind {
            Kind::Field => {
                let _ = writeln!(out, "\t{key}{},", ty(&m.field_type(), n));
            }
            Kind::Signal => {
                let payload: Vec<String> = m.payload().iter().map(|p| ty(&p.ty, n)).collect();
                let pack = if payload.is_empty() {
                    "()".to_string()
                } else {
                    payload.join(", ")
                };
                let _ = writeln!(out, "\t{key}{}<{pack}>,", n.signal);
            }
            Kind::Method | Kind::Function => {
                let receiver = (m.kind == Kind::Method).then_some(self_ty);
                let overloads = m.overloads();
                if let [one] = overloads.as_slice() {
                    let (params, ret) = func_parts(one, receiver, n, UNTYPED);
                    out.push_str(&entry(name, &params, &ret));
                } else {
                    let parts: Vec<String> = overloads
                        .iter()
                        .map(|f| {
                            let (params, ret) = func_parts(f, receiver, n, UNTYPED);
                            format!("(({}) -> {ret})", params.join(", "))
                        })
                        .collect();
                    let _ = writeln!(out, "\t{key}{},", parts.join(" & "));
                }
            }
        }
    }
    out
}

/// `export type <name> = { ... }` for one owner, with `extra` entries (one
/// tab in, each ending in a newline) after the table's own members.
pub(crate) fn owner_type(owner: Owner, type_name: &str, n: &Names, extra: &str) -> String {
    let mut out = format!("export type {type_name} = {{\n");
    for m in api::members(owner) {
        out.push_str(&member_entries(m, type_name, n));
    }
    out.push_str(extra);
    out.push('}');
    out
}

/// `-- doc` and `export type <Name> = ...`; records one field per line.
pub(crate) fn named_type(t: &NamedType, n: &Names) -> String {
    let body = match super::named_type(t) {
        Ty::Record(fields) => {
            let mut out = String::from("{\n");
            for (k, v) in &fields {
                let _ = writeln!(out, "\t{}{},", text::type_key(k), ty(v, n));
            }
            out.push('}');
            out
        }
        other => ty(&other, n),
    };
    format!("-- {}\nexport type {} = {body}", t.doc, t.name)
}

/// `export type Field<T>`, `NumberField` and `ListField<T, E>`: the typed
/// helpers of `owner`'s path-taking members, the value typed per field.
pub(crate) fn field_types(owner: Owner, n: &Names) -> String {
    let helpers = helpers(owner);
    let mut out = String::new();
    for kind in [FieldKind::Plain, FieldKind::Number, FieldKind::List] {
        let (name, value) = kind.luau_name();
        let element = if kind == FieldKind::List { "E" } else { "any" };
        let subst = Subst { value, element };
        let _ = writeln!(out, "export type {name} = {{");
        out.push_str("\tPath: { string },\n");
        for h in helpers.iter().filter(|h| kind.accepts(h.path)) {
            let (params, ret) = func_parts(&helper_func(owner, h), Some(name), n, subst);
            out.push_str(&entry(&h.name, &params, &ret));
        }
        out.push_str("}\n\n");
    }
    out.truncate(out.trim_end().len());
    out
}

/// The forwarding methods behind the helpers: `function FieldMethods.Add(...)`
/// calling the member on `receiver` (the facade) or on the session, with
/// `self.Path` in place of the path.
pub(crate) fn field_methods(owner: Owner, receiver: &str) -> String {
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for h in helpers(owner) {
        if !seen.insert(h.name.clone()) {
            continue;
        }
        let func = helper_func(owner, &h);
        let mut params = vec!["self: any".to_string()];
        params.extend(func.params.iter().map(|p| format!("{}: any", p.name)));
        let mut args: Vec<String> = Vec::new();
        for p in &h.func.params {
            args.push(if path_kind(&p.ty).is_some() {
                "self.Path".to_string()
            } else {
                p.name.clone()
            });
        }
        let (call_on, args) = match owner {
            Owner::Session => ("session".to_string(), args),
            _ => (receiver.to_string(), args),
        };
        let _ = write!(
            out,
            "\nfunction FieldMethods.{}({})\n\treturn {call_on}:{}({})\nend\n",
            h.name,
            params.join(", "),
            h.member,
            args.join(", ")
        );
    }
    out
}
