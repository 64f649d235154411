//! roblox-ts typings (`typescript = true` in `[project]`): one `index.d.ts`
//! beside each generated store module (`server`) and each client module
//! (`client`), so a roblox-ts game imports them like any `@rbxts` package
//! (`init.luau` + `index.d.ts`). This module holds what both share: schema
//! types as TypeScript and the places a data path can name.
//!
//! Multiple Luau returns are `LuaTuple`s; methods called with `:` are
//! interface methods, module functions are `declare function`s.

pub(super) mod client;
pub(super) mod server;

use std::fmt::Write as _;

use crate::schema::model::{Project, Type};

use super::api::typescript::PathSite;
use super::header;
use super::shape::resolve;

/// A path segment as the typings spell it.
#[derive(Clone)]
enum Seg {
    Key(String),
    AnyKey,
    Index,
}

/// A path into the data with the type found there.
struct Site {
    segs: Vec<Seg>,
    ty: Type,
}

pub(super) fn ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

pub(super) fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn key(name: &str) -> String {
    if ident(name) {
        name.to_string()
    } else {
        string(name)
    }
}

/// The TypeScript type of a schema type at `indent` tabs. `ro` makes every
/// property, array and map read-only (the client's frozen mirror).
pub(super) fn ts(ty: &Type, indent: usize, ro: bool) -> String {
    let readonly = if ro { "readonly " } else { "" };
    match ty {
        Type::Integer { .. } | Type::Number { .. } => "number".to_string(),
        Type::String { .. } => "string".to_string(),
        Type::Boolean => "boolean".to_string(),
        Type::Array(inner) => {
            let array = if ro { "ReadonlyArray" } else { "Array" };
            format!("{array}<{}>", ts(inner, indent, ro))
        }
        Type::Map(inner) => {
            let map = if ro { "ReadonlyMap" } else { "Map" };
            format!("{map}<string, {}>", ts(inner, indent, ro))
        }
        Type::Record(fields) if fields.is_empty() => "{}".to_string(),
        Type::Record(fields) => {
            let tabs = "\t".repeat(indent + 1);
            let mut out = String::from("{\n");
            for f in fields {
                let (optional, inner) = match &f.ty {
                    Type::Optional(inner) => ("?", inner.as_ref()),
                    other => ("", other),
                };
                let _ = writeln!(
                    out,
                    "{tabs}{readonly}{}{optional}: {};",
                    key(&f.name),
                    ts(inner, indent + 1, ro)
                );
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
            out
        }
        Type::Optional(inner) => match inner.as_ref() {
            Type::Optional(_) => ts(inner, indent, ro),
            _ => format!("{} | undefined", ts(inner, indent, ro)),
        },
        Type::Enum(options) => options
            .iter()
            .map(|o| string(o))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Named(name) => name.clone(),
    }
}

/// `interface Name { ... }` for records, `type Name = ...;` otherwise.
pub(super) fn declaration(
    project: &Project,
    name: &str,
    ty: &Type,
    indent: usize,
    ro: bool,
) -> String {
    let tabs = "\t".repeat(indent);
    match resolve(project, ty) {
        Type::Record(_) if !matches!(ty, Type::Named(_)) => {
            format!("{tabs}interface {name} {}", ts(ty, indent, ro))
        }
        _ => format!("{tabs}type {name} = {};", ts(ty, indent, ro)),
    }
}

/// Every place in the data a path can name, through records (a field),
/// maps (any string key) and arrays (a one-based index).
fn sites(project: &Project, shape: &Type) -> Vec<Site> {
    fn walk(project: &Project, segs: &mut Vec<Seg>, ty: &Type, out: &mut Vec<Site>, depth: usize) {
        if !segs.is_empty() {
            out.push(Site {
                segs: segs.clone(),
                ty: ty.clone(),
            });
        }
        if depth > 16 {
            return;
        }
        let mut t = resolve(project, ty);
        if let Type::Optional(inner) = t {
            t = resolve(project, inner);
        }
        match t {
            Type::Record(fields) => {
                for f in fields {
                    segs.push(Seg::Key(f.name.clone()));
                    walk(project, segs, &f.ty, out, depth + 1);
                    segs.pop();
                }
            }
            Type::Map(inner) => {
                segs.push(Seg::AnyKey);
                walk(project, segs, inner, out, depth + 1);
                segs.pop();
            }
            Type::Array(inner) => {
                segs.push(Seg::Index);
                walk(project, segs, inner, out, depth + 1);
                segs.pop();
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(project, &mut Vec::new(), shape, &mut out, 0);
    out
}

/// The path parameter type: `"Inventory" | readonly ["Inventory"]` for a
/// top-level key, `readonly ["Wallet", "Coins"]` below it.
fn path_type(segs: &[Seg]) -> String {
    let parts: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::Key(k) => string(k),
            Seg::AnyKey => "string".to_string(),
            Seg::Index => "number".to_string(),
        })
        .collect();
    let tuple = format!("readonly [{}]", parts.join(", "));
    match segs {
        [Seg::Key(k)] => format!("{} | {tuple}", string(k)),
        _ => tuple,
    }
}

fn numeric(project: &Project, ty: &Type) -> bool {
    matches!(
        resolve(project, ty),
        Type::Integer { .. } | Type::Number { .. }
    )
}

fn element(project: &Project, ty: &Type) -> Option<Type> {
    match resolve(project, ty) {
        Type::Array(inner) => Some(inner.as_ref().clone()),
        _ => None,
    }
}

/// Every path site of a store's data as the API renderer types it, values
/// laid out `indent` tabs in.
pub(super) fn path_sites(project: &Project, shape: &Type, indent: usize) -> Vec<PathSite> {
    sites(project, shape)
        .into_iter()
        .map(|s| PathSite {
            path: path_type(&s.segs),
            value: ts(&s.ty, indent, false),
            element: element(project, &s.ty).map(|t| ts(&t, indent, false)),
            numeric: numeric(project, &s.ty),
        })
        .collect()
}

pub(super) fn ts_header() -> String {
    header().trim_start_matches("-- ").to_string()
}
