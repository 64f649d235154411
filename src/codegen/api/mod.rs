//! Renders the API table of `core::api` for each output: typed Luau
//! declarations for the generated modules (`luau`), roblox-ts interfaces
//! (`typescript`) and the API tables of `docs/api.md` (`docs`). The table is
//! the only description of the API; these modules only spell it.

pub mod docs;
pub(crate) mod luau;
pub(crate) mod typescript;

use crate::core::api::sig::{Func, Param, Ty};
use crate::core::api::{self, Kind, Member, NamedType, Owner};

/// The named types the members of `owners` use (and `also`), directly or
/// through other named types, in the order of `core::api::TYPES`.
pub(crate) fn used_types(owners: &[Owner], also: &[&str]) -> Vec<&'static NamedType> {
    let mut wanted: Vec<String> = also.iter().map(|s| s.to_string()).collect();
    for owner in owners {
        for m in api::members(*owner) {
            wanted.extend(m.names());
        }
    }
    let mut seen: Vec<&'static NamedType> = Vec::new();
    while let Some(name) = wanted.pop() {
        if let Some(t) = api::named(&name) {
            if !seen.iter().any(|s| s.name == t.name) {
                seen.push(t);
                let ty = named_type(t);
                let mut inner = Vec::new();
                ty.names(&mut inner);
                wanted.extend(inner.into_iter().map(str::to_string));
            }
        }
    }
    api::TYPES
        .iter()
        .filter(|t| seen.iter().any(|s| s.name == t.name))
        .collect()
}

pub(crate) fn named_type(t: &NamedType) -> Ty {
    api::sig::parse_type(t.ty).unwrap_or_else(|e| panic!("type {}: {e:?}", t.name))
}

/// A member's names: its own, then its aliases.
pub(crate) fn all_names(m: &Member) -> impl Iterator<Item = &'static str> {
    std::iter::once(m.name).chain(m.aliases.iter().copied())
}

/// The kind of data path a parameter type asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    Any,
    Number,
    List,
}

/// `Path`, `NumberPath` or `ListPath`.
pub(crate) fn path_kind(ty: &Ty) -> Option<PathKind> {
    match ty {
        Ty::Name(n) if n == "Path" => Some(PathKind::Any),
        Ty::Name(n) if n == "NumberPath" => Some(PathKind::Number),
        Ty::Name(n) if n == "ListPath" => Some(PathKind::List),
        _ => None,
    }
}

/// The name of the per-field helper a member with a path parameter gives:
/// its own name without a trailing `Path` (`GetPath` -> `Get`).
pub(crate) fn helper_name(name: &str) -> &str {
    name.strip_suffix("Path").unwrap_or(name)
}

/// The kinds of per-field helper a template field gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// `Field<T>`: every path-taking member that works on any path.
    Plain,
    /// `NumberField`: also the members that take a number path.
    Number,
    /// `ListField<T, E>`: also the members that take a list path.
    List,
}

impl FieldKind {
    pub(crate) fn accepts(self, path: PathKind) -> bool {
        match path {
            PathKind::Any => true,
            PathKind::Number => self == FieldKind::Number,
            PathKind::List => self == FieldKind::List,
        }
    }

    /// The Luau type name of the helper and what `Value` is in it.
    pub(crate) fn luau_name(self) -> (&'static str, &'static str) {
        match self {
            FieldKind::Plain => ("Field<T>", "T"),
            FieldKind::Number => ("NumberField", "number"),
            FieldKind::List => ("ListField<T, E>", "T"),
        }
    }
}

/// One helper: a member overload with a path parameter, seen from a field.
pub(crate) struct Helper {
    pub name: String,
    pub member: &'static str,
    pub func: Func,
    pub path: PathKind,
}

/// The helpers of the members of `owner`: every overload with a `path`
/// parameter, under every name of its member.
pub(crate) fn helpers(owner: Owner) -> Vec<Helper> {
    let mut out = Vec::new();
    for m in api::members(owner).filter(|m| m.kind == Kind::Method) {
        for f in m.overloads() {
            let Some(kind) = f.params.iter().find_map(|p| path_kind(&p.ty)) else {
                continue;
            };
            for name in all_names(m) {
                out.push(Helper {
                    name: helper_name(name).to_string(),
                    member: m.name,
                    func: f.clone(),
                    path: kind,
                });
            }
        }
    }
    out
}

/// The target a helper takes first: the player for a facade member, the
/// session for a session member.
fn target(owner: Owner) -> Option<Param> {
    (owner == Owner::Session).then(|| Param {
        name: "session".into(),
        ty: Ty::Name("Session".into()),
    })
}

/// The helper's function: the member's, with the path taken from the field.
pub(crate) fn helper_func(owner: Owner, h: &Helper) -> Func {
    let mut params: Vec<Param> = target(owner).into_iter().collect();
    params.extend(
        h.func
            .params
            .iter()
            .filter(|p| path_kind(&p.ty).is_none())
            .cloned(),
    );
    Func {
        params,
        rest: h.func.rest.clone(),
        returns: h.func.returns.clone(),
    }
}
