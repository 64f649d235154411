//! Renders the API table of `core::api` for each output: typed Luau
//! declarations for the generated modules (`luau`), roblox-ts interfaces
//! (`typescript`) and the API tables of `docs/api.md` (`docs`). The table is
//! the only description of the API; these modules only spell it.

pub mod docs;
pub(crate) mod luau;
pub(crate) mod typescript;

use crate::core::api::{self, sig::Ty, Member, NamedType, Owner};

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
