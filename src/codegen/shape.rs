//! Questions about a store's data shape that several outputs ask: named types
//! resolved, the type at a path, the public projection the owning client
//! receives and the paths it can observe. Pure functions of the model.

use std::collections::BTreeSet;

use crate::schema::model::{Project, Store, Type};
use crate::schema::types::TypeTable;

use super::luau;

/// `ty` with named references followed (the one resolution, `TypeTable`).
pub(crate) fn resolve<'a>(project: &'a Project, ty: &'a Type) -> &'a Type {
    match ty {
        Type::Named(_) => TypeTable::new(&project.types).resolve(ty),
        _ => ty,
    }
}

/// The type at `path` inside `shape`, following named types.
pub(crate) fn type_at<'a>(
    project: &'a Project,
    shape: &'a Type,
    path: &[String],
) -> Option<&'a Type> {
    let mut ty = shape;
    for seg in path {
        let mut t = resolve(project, ty);
        if let Type::Optional(inner) = t {
            t = resolve(project, inner);
        }
        ty = match t {
            Type::Record(fields) => &fields.iter().find(|f| &f.name == seg)?.ty,
            Type::Map(inner) => inner,
            _ => return None,
        };
    }
    Some(ty)
}

/// One typed observe helper of a client module: a public path, or a record
/// field below one (a "nested public leaf").
pub(crate) struct Observed {
    /// PascalCase helper suffix, unique within the store.
    pub name: String,
    /// The dotted path name (`"Wallet.Coins"`), the key of `Bindings.Paths`.
    pub key: String,
    pub path: Vec<String>,
    /// The schema type of the value the callback receives.
    pub ty: Type,
}

/// Every public path, then the record fields below each, in schema order.
pub(crate) fn observed_paths(project: &Project, store: &Store) -> Vec<Observed> {
    fn below(
        project: &Project,
        path: &[String],
        ty: &Type,
        optional: bool,
        out: &mut Vec<(Vec<String>, Type)>,
    ) {
        let mut t = resolve(project, ty);
        let mut optional = optional;
        if let Type::Optional(inner) = t {
            t = resolve(project, inner);
            optional = true;
        }
        if let Type::Record(fields) = t {
            for f in fields {
                let mut p = path.to_vec();
                p.push(f.name.clone());
                let fty = if optional && !matches!(f.ty, Type::Optional(_)) {
                    Type::Optional(Box::new(f.ty.clone()))
                } else {
                    f.ty.clone()
                };
                out.push((p.clone(), fty));
                below(project, &p, &f.ty, optional, out);
            }
        }
    }
    let mut entries: Vec<(Vec<String>, Type)> = Vec::new();
    for p in &store.public {
        let ty = type_at(project, &store.shape, p)
            .cloned()
            .unwrap_or(Type::Record(Vec::new()));
        entries.push((p.clone(), ty));
    }
    for p in &store.public {
        let ty = type_at(project, &store.shape, p)
            .cloned()
            .unwrap_or(Type::Record(Vec::new()));
        below(project, p, &ty, false, &mut entries);
    }
    let mut seen_paths = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut out = Vec::new();
    for (path, ty) in entries {
        if !seen_paths.insert(path.clone()) {
            continue;
        }
        let mut name = luau::pascal(&path);
        while !used.insert(name.clone()) {
            name.push('_');
        }
        out.push(Observed {
            name,
            key: path.join("."),
            path,
            ty,
        });
    }
    out
}

/// The part of the data shape the owning client receives: records along public
/// paths keep only their public children; a public path keeps its whole type.
pub(crate) fn public_projection(project: &Project, store: &Store) -> Type {
    #[derive(Default)]
    struct Node {
        whole: bool,
        children: Vec<(String, Node)>,
    }
    fn insert(node: &mut Node, path: &[String]) {
        match path.split_first() {
            None => node.whole = true,
            Some((head, rest)) => {
                let idx = match node.children.iter().position(|(n, _)| n == head) {
                    Some(i) => i,
                    None => {
                        node.children.push((head.clone(), Node::default()));
                        node.children.len() - 1
                    }
                };
                insert(&mut node.children[idx].1, rest);
            }
        }
    }
    fn project_ty(project: &Project, ty: &Type, node: &Node) -> Type {
        if node.whole {
            return ty.clone();
        }
        match resolve(project, ty) {
            Type::Optional(inner) => Type::Optional(Box::new(project_ty(project, inner, node))),
            Type::Record(fields) => {
                let kept = fields
                    .iter()
                    .filter_map(|f| {
                        node.children
                            .iter()
                            .find(|(n, _)| *n == f.name)
                            .map(|(_, child)| crate::schema::model::Field {
                                name: f.name.clone(),
                                ty: project_ty(project, &f.ty, child),
                            })
                    })
                    .collect();
                Type::Record(kept)
            }
            Type::Map(inner) => {
                // A path through a map names one key: the client sees those keys only.
                let kept = node
                    .children
                    .iter()
                    .map(|(n, child)| crate::schema::model::Field {
                        name: n.clone(),
                        ty: Type::Optional(Box::new(project_ty(project, inner, child))),
                    })
                    .collect();
                Type::Record(kept)
            }
            other => other.clone(),
        }
    }
    let mut root = Node::default();
    for p in &store.public {
        insert(&mut root, p);
    }
    project_ty(project, &store.shape, &root)
}
