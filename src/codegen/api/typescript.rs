//! The API table as roblox-ts declarations: interfaces of the owners and the
//! named types. A method whose signature holds a data path becomes one
//! overload per path the data has (`Value` and `Element` typed there), and one
//! whose parameters hold an operation becomes one overload per operation;
//! the caller supplies both lists, since they come from the schema.

use std::fmt::Write as _;

use crate::core::api::sig::{Func, Param, Returns, Ty};
use crate::core::api::{self, Kind, Member, NamedType, Owner};

use super::{all_names, helper_func, helpers, path_kind, FieldKind, PathKind};

/// One place a path can name, as the typings spell it.
pub(crate) struct PathSite {
    /// The path parameter type (`"Inventory" | readonly ["Inventory"]`).
    pub path: String,
    /// The value there, and the element when it is a list.
    pub value: String,
    pub element: Option<String>,
    pub numeric: bool,
}

/// One durable operation: its name literal and payload type.
pub(crate) struct OperationSite {
    pub name: String,
    pub payload: String,
}

/// How one typings file spells the table's names, and its schema lists.
pub(crate) struct Names<'a> {
    pub name: &'a dyn Fn(&str) -> String,
    pub sites: &'a [PathSite],
    pub operations: &'a [OperationSite],
}

#[derive(Clone, Copy, Default)]
struct Subst<'a> {
    path: Option<&'a str>,
    value: Option<&'a str>,
    element: Option<&'a str>,
    operation: Option<(&'a str, &'a str)>,
}

fn ty(t: &Ty, n: &Names, s: Subst) -> String {
    match t {
        Ty::Name(name) => match name.as_str() {
            "Value" => s.value.unwrap_or("unknown").to_string(),
            "Element" => s.element.unwrap_or("unknown").to_string(),
            "Path" | "NumberPath" | "ListPath" => s.path.unwrap_or("Path").to_string(),
            "OperationName" => s.operation.map_or("OperationName", |o| o.0).to_string(),
            "OperationPayload" => s.operation.map_or("OperationPayload", |o| o.1).to_string(),
            "integer" | "number" => "number".to_string(),
            "any" | "unknown" => "unknown".to_string(),
            other => (n.name)(other),
        },
        Ty::Literal(l) => serde_json::to_string(l).unwrap_or_default(),
        Ty::Optional(inner) => match inner.as_ref() {
            Ty::Function(_) => format!("({}) | undefined", ty(inner, n, s)),
            other => {
                let inner = ty(other, n, s);
                if inner.ends_with("| undefined") {
                    inner
                } else {
                    format!("{inner} | undefined")
                }
            }
        },
        Ty::Array(inner) => format!("ReadonlyArray<{}>", ty(inner, n, s)),
        Ty::Map(inner) => format!("{{ readonly [key: string]: {} }}", ty(inner, n, s)),
        Ty::Record(fields) => {
            let parts: Vec<String> = fields.iter().map(|(k, v)| property(k, v, n, s)).collect();
            format!("{{ {} }}", parts.join(" "))
        }
        Ty::Union(members) => members
            .iter()
            .map(|m| ty(m, n, s))
            .collect::<Vec<_>>()
            .join(" | "),
        Ty::Function(f) => format!(
            "({}) => {}",
            params(f, n, s).join(", "),
            returns(&f.returns, n, s)
        ),
    }
}

/// `readonly A: T;`, `readonly B?: U;` or `M(): R;` for a `self` function.
fn property(name: &str, t: &Ty, n: &Names, s: Subst) -> String {
    if let Ty::Function(f) = t {
        if f.params.first().is_some_and(|p| p.name == "self") {
            let rest = Func {
                params: f.params[1..].to_vec(),
                rest: f.rest.clone(),
                returns: f.returns.clone(),
            };
            return format!(
                "{name}({}): {};",
                params(&rest, n, s).join(", "),
                returns(&rest.returns, n, s)
            );
        }
    }
    match t {
        Ty::Optional(inner) => format!("readonly {name}?: {};", ty(inner, n, s)),
        other => format!("readonly {name}: {};", ty(other, n, s)),
    }
}

fn returns(r: &Returns, n: &Names, s: Subst) -> String {
    match r {
        Returns::Variadic(_) => "unknown".to_string(),
        Returns::Values(values) => match values.as_slice() {
            [] => "void".to_string(),
            [one] => ty(one, n, s),
            many => format!(
                "LuaTuple<[{}]>",
                many.iter()
                    .map(|t| ty(t, n, s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

fn param(p: &Param, n: &Names, s: Subst) -> String {
    match &p.ty {
        Ty::Optional(inner) => format!("{}?: {}", p.name, ty(inner, n, s)),
        other => format!("{}: {}", p.name, ty(other, n, s)),
    }
}

fn params(f: &Func, n: &Names, s: Subst) -> Vec<String> {
    let mut out: Vec<String> = f.params.iter().map(|p| param(p, n, s)).collect();
    if let Some(rest) = &f.rest {
        out.push(format!("...args: Array<{}>", ty(rest, n, s)));
    }
    out
}

fn mentions(f: &Func, name: &str) -> bool {
    let mut names = Vec::new();
    f.names(&mut names);
    names.contains(&name)
}

/// The substitutions one overload expands into: per path site when it types
/// a value at a path or takes a number or list path, per operation when it
/// takes one; none when the schema has nothing to offer (a member taking an
/// operation of a store without operations is left out).
fn expansions<'a>(f: &Func, n: &'a Names) -> Vec<Subst<'a>> {
    let mut out = vec![Subst::default()];
    let path = f.params.iter().find_map(|p| path_kind(&p.ty));
    let typed_value = mentions(f, "Value") || mentions(f, "Element");
    let typed_path = path.is_some_and(|kind| kind != PathKind::Any || typed_value);
    if let (Some(kind), true) = (path, typed_path) {
        out = n
            .sites
            .iter()
            .filter(|site| match kind {
                PathKind::Any => true,
                PathKind::Number => site.numeric,
                PathKind::List => site.element.is_some(),
            })
            .map(|site| Subst {
                path: Some(&site.path),
                value: Some(&site.value),
                element: site.element.as_deref(),
                operation: None,
            })
            .collect();
    }
    let takes_operation = f.params.iter().any(|p| {
        let mut names = Vec::new();
        p.ty.names(&mut names);
        names.contains(&"OperationName")
    });
    if takes_operation {
        out = out
            .into_iter()
            .flat_map(|s| {
                n.operations.iter().map(move |o| Subst {
                    operation: Some((o.name.as_str(), o.payload.as_str())),
                    ..s
                })
            })
            .collect();
    }
    out
}

/// The lines of one member, `tabs` in.
fn member_lines(m: &Member, n: &Names, tabs: &str) -> String {
    let mut out = String::new();
    for name in all_names(m) {
        match m.kind {
            Kind::Field => {
                let t = m.field_type();
                let _ = writeln!(out, "{tabs}{}", property(name, &t, n, Subst::default()));
            }
            Kind::Signal => {
                let payload: Vec<String> = m
                    .payload()
                    .iter()
                    .map(|p| format!("{}: {}", p.name, ty(&p.ty, n, Subst::default())))
                    .collect();
                let _ = writeln!(
                    out,
                    "{tabs}readonly {name}: Signal<[{}]>;",
                    payload.join(", ")
                );
            }
            Kind::Method => {
                for f in m.overloads() {
                    for s in expansions(&f, n) {
                        let _ = writeln!(
                            out,
                            "{tabs}{name}({}): {};",
                            params(&f, n, s).join(", "),
                            returns(&f.returns, n, s)
                        );
                    }
                }
            }
            Kind::Function => {
                for f in m.overloads() {
                    let _ = writeln!(
                        out,
                        "{tabs}readonly {name}: (this: void{}) => {};",
                        params(&f, n, Subst::default())
                            .iter()
                            .map(|p| format!(", {p}"))
                            .collect::<String>(),
                        returns(&f.returns, n, Subst::default())
                    );
                }
            }
        }
    }
    out
}

/// Where an interface is declared.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One tab in, inside `declare namespace`.
    Namespace,
    /// At the top of a module, exported.
    Module,
}

/// `interface <name> { ... }` for one owner, with `extra` lines (one level
/// deeper) after the table's members.
pub(crate) fn owner_interface(
    owner: Owner,
    name: &str,
    doc: &str,
    n: &Names,
    extra: &str,
    scope: Scope,
) -> String {
    let (outer, export) = match scope {
        Scope::Namespace => ("\t", ""),
        Scope::Module => ("", "export "),
    };
    let inner = format!("{outer}\t");
    let mut out = format!("{outer}/** {doc} */\n{outer}{export}interface {name} {{\n");
    for m in api::members(owner) {
        out.push_str(&member_lines(m, n, &inner));
    }
    out.push_str(extra);
    out.push_str(&format!("{outer}}}\n"));
    out
}

/// One named type: an interface for a record, a type otherwise.
pub(crate) fn named_declaration(t: &NamedType, n: &Names, scope: Scope) -> String {
    let (outer, export) = match scope {
        Scope::Namespace => ("\t", ""),
        Scope::Module => ("", "export "),
    };
    match super::named_type(t) {
        Ty::Record(fields) => {
            let mut out = format!(
                "{outer}/** {} */\n{outer}{export}interface {} {{\n",
                t.doc, t.name
            );
            for (k, v) in &fields {
                let _ = writeln!(out, "{outer}\t{}", property(k, v, n, Subst::default()));
            }
            out.push_str(&format!("{outer}}}\n"));
            out
        }
        other => format!(
            "{outer}/** {} */\n{outer}{export}type {} = {};\n",
            t.doc,
            t.name,
            ty(&other, n, Subst::default())
        ),
    }
}

/// `interface Field<T>`, `NumberField` and `ListField<T, E>` (one tab in):
/// the typed helpers of `owner`'s path-taking members, the value typed per
/// field.
pub(crate) fn field_interfaces(owner: Owner, n: &Names) -> String {
    let helpers = helpers(owner);
    let mut out = String::new();
    for kind in [FieldKind::Plain, FieldKind::Number, FieldKind::List] {
        let (name, value, element) = match kind {
            FieldKind::Plain => ("Field<T>", "T", None),
            FieldKind::Number => ("NumberField", "number", None),
            FieldKind::List => ("ListField<T, E>", "T", Some("E")),
        };
        let s = Subst {
            value: Some(value),
            element,
            ..Subst::default()
        };
        let _ = writeln!(
            out,
            "\t/** The typed helpers of one template field; the path is fixed. */\n\tinterface {name} {{\n\t\treadonly Path: ReadonlyArray<string>;"
        );
        for h in helpers.iter().filter(|h| kind.accepts(h.path)) {
            let f = helper_func(owner, h);
            let _ = writeln!(
                out,
                "\t\t{}({}): {};",
                h.name,
                params(&f, n, s).join(", "),
                returns(&f.returns, n, s)
            );
        }
        out.push_str("\t}\n\n");
    }
    out
}
