//! `<Store>/init.luau`: the configured facade (`kind = "players"`) or Store
//! (`kind = "keyed"`) of one store, returned with types from the API table in
//! `core::api`: `Session`, `KeyedStore` and `Facade` typed with this schema,
//! the named types they use, and the typed per-field helpers `Fields`.

use minijinja::context;

use super::api::luau::{field_methods, field_types, named_type, owner_type, Names};
use super::api::used_types;
use super::shape::resolve;
use super::{luau, payload_type_name, OutFile, StoreCx};
use crate::core::api::Owner;
use crate::schema::model::{StoreKind, Type};

/// How the store module spells the table's names.
fn store_name(name: &str) -> String {
    match name {
        "integer" => "number".to_string(),
        "Path" | "NumberPath" | "ListPath" => "Path".to_string(),
        "Value" | "Element" => "any".to_string(),
        "Store" => "KeyedStore".to_string(),
        other => other.to_string(),
    }
}

const NAMES: Names<'static> = Names {
    name: &store_name,
    signal: "Signal",
};

/// The helper type of one template field (`NumberField`, `ListField<T, E>`
/// or `Field<T>`), user types reached through `Types`.
fn field_type(cx: &StoreCx, ty: &Type) -> String {
    let expr = |t: &Type| luau::qualified_type_expr(t, 1, "Types");
    match resolve(cx.project, ty) {
        Type::Integer { .. } | Type::Number { .. } => "NumberField".to_string(),
        Type::Array(inner) => format!("ListField<{}, {}>", expr(ty), expr(inner)),
        _ => format!("Field<{}>", expr(ty)),
    }
}

pub(super) fn render(cx: &StoreCx) -> OutFile {
    let store = cx.store;
    let players = store.kind == StoreKind::Players;
    let settings = (!store.settings.is_empty()).then(|| {
        let map: serde_json::Map<String, serde_json::Value> = store
            .settings
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        luau::value(&serde_json::Value::Object(map), 1)
    });
    let owners: &[Owner] = if players {
        &[Owner::Session, Owner::Store, Owner::Facade]
    } else {
        &[Owner::Session, Owner::Store]
    };
    let named: Vec<String> = used_types(owners, &["Connection"])
        .into_iter()
        .map(|t| named_type(t, &NAMES))
        .collect();
    let helpers_of = if players {
        Owner::Facade
    } else {
        Owner::Session
    };
    let fields: Vec<_> = cx
        .fields
        .iter()
        .map(|f| context! { name => &f.name, ty => field_type(cx, &f.field.ty) })
        .collect();
    let fields_entry = "\tFields: FieldHelpers,\n";
    let leaderboards: Vec<_> = store
        .leaderboards
        .iter()
        .map(|b| {
            context! {
                target => luau::index("Leaderboards", &b.name),
                segments => b.path.iter().map(|s| luau::string(s)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let operations: Vec<_> = cx
        .operations
        .iter()
        .map(|op| {
            context! {
                key => luau::table_key(&op.name),
                payload => payload_type_name(&op.name),
                module => luau::string(&op.name),
            }
        })
        .collect();
    let contents = cx.render(
        "store_init.luau",
        context! {
            header => &cx.header,
            store => &store.name,
            factory => if players { "players" } else { "new" },
            players => players,
            name => luau::string(&store.name),
            version => store.version,
            template => luau::value(&store.defaults, 1),
            settings => settings,
            migrations => cx.migrations.iter().map(|m| context! { to => m.to, module => luau::string(&m.to.to_string()) }).collect::<Vec<_>>(),
            operations => operations,
            channel => luau::string(&store.channel),
            paths => store.public.iter().map(|p| luau::path(p)).collect::<Vec<_>>(),
            operation_name => luau::union(
                "export type OperationName = ",
                &cx.operations.iter().map(|op| luau::string(&op.name)).collect::<Vec<_>>(),
            ),
            operation_payload => luau::union(
                "export type OperationPayload = ",
                &cx.operations.iter().map(|op| format!("Types.{}", payload_type_name(&op.name))).collect::<Vec<_>>(),
            ),
            named => named,
            session => owner_type(Owner::Session, "Session", &NAMES, ""),
            keyed_store => owner_type(Owner::Store, "KeyedStore", &NAMES, if players { "" } else { fields_entry }),
            facade => players.then(|| owner_type(Owner::Facade, "Facade", &NAMES, fields_entry)),
            field_types => field_types(helpers_of, &NAMES),
            field_methods => field_methods(helpers_of, "facade"),
            fields => fields,
            leaderboards => leaderboards,
        },
    );
    OutFile {
        path: cx.path("init.luau"),
        contents,
    }
}
