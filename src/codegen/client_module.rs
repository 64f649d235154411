//! `<Store>Client/init.luau`: the typed client bindings of one store: the
//! public projection as a read-only type, the `Replica` type (from the API
//! table), the public paths by name and one typed `Observe<Name>` helper per
//! observable path.

use minijinja::context;

use super::api::luau::{owner_type, Names};
use super::shape::{observed_paths, public_projection};
use super::{luau, validators, OutFile, StoreCx};
use crate::core::api::Owner;

fn client_name(name: &str) -> String {
    match name {
        "ReplicaState" => "State".to_string(),
        "Path" | "NumberPath" | "ListPath" => "Path".to_string(),
        "Connection" => "Connection".to_string(),
        other => other.to_string(),
    }
}

pub(super) fn render(cx: &StoreCx) -> OutFile {
    let (project, store) = (cx.project, cx.store);
    let public_ty = public_projection(project, store);
    let observed = observed_paths(project, store);
    let observers: Vec<_> = observed
        .iter()
        .map(|o| {
            context! {
                name => &o.name,
                key => luau::table_key(&o.key),
                key_text => luau::string(&o.key),
                path => luau::path(&o.path),
                ty => luau::readonly_type_expr(&o.ty, 0),
            }
        })
        .collect();
    let named: Vec<_> = validators::referenced_types(&project.types, &[&public_ty])
        .into_iter()
        .map(|(n, t)| context! { name => n, ty => luau::readonly_type_expr(t, 0) })
        .collect();
    let keys: Vec<String> = observed.iter().map(|o| luau::string(&o.key)).collect();
    let names = Names {
        name: &client_name,
        signal: "VirtualStoreClient.Signal",
    };
    let quoted = luau::string(&store.name);
    OutFile {
        path: std::path::PathBuf::from(format!("{}Client", store.name)).join("init.luau"),
        contents: cx.render(
            "client_init.luau",
            context! {
                header => &cx.header,
                store => &store.name,
                store_text => quoted[1..quoted.len() - 1].replace('%', "%%"),
                channel => luau::string(&store.channel),
                named => named,
                public => luau::readonly_type_expr(&public_ty, 0),
                path_union => luau::union("export type PublicPath = ", &keys),
                replica => owner_type(Owner::Replica, "Replica", &names, ""),
                observers => observers,
            },
        ),
    }
}
