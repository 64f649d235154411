//! `<Store>/Types.luau`: the data type, every named type, one `V<n>` per
//! schema version (released shapes from `vstore.lock`), the payload types,
//! `Types.Paths` (each template field's path) and the `Types.Get<Name>`
//! accessors.

use minijinja::context;

use super::{luau, payload_type_name, OutFile, StoreCx};

pub(super) fn render(cx: &StoreCx) -> OutFile {
    let store = cx.store;
    let named: Vec<_> = cx
        .project
        .types
        .iter()
        .map(|(n, t)| context! { name => n, ty => luau::type_expr(t, 0) })
        .collect();
    let versions: Vec<_> = (1..=store.version)
        .map(|v| {
            let ty = if v == store.version {
                "Data".to_string()
            } else if let Some(shape) = cx.history.get(&(store.name.clone(), v)) {
                luau::type_expr(shape, 0)
            } else {
                "{ [string]: any }".to_string()
            };
            context! { version => v, ty => ty }
        })
        .collect();
    let accessors: Vec<_> = cx
        .fields
        .iter()
        .map(|f| {
            let expr = f
                .field
                .path
                .iter()
                .fold("data".to_string(), |e, seg| luau::index(&e, seg));
            context! {
                name => &f.name,
                path => luau::path(&f.field.path),
                ty => luau::type_expr(&f.field.ty, 0),
                expr => expr,
            }
        })
        .collect();
    let operations: Vec<_> = cx
        .operations
        .iter()
        .map(|op| context! { name => payload_type_name(&op.name), ty => luau::type_expr(&op.payload, 0) })
        .collect();
    OutFile {
        path: cx.path("Types.luau"),
        contents: cx.render(
            "types.luau",
            context! {
                header => &cx.header,
                named => named,
                data => luau::type_expr(&store.shape, 0),
                versions => versions,
                operations => operations,
                accessors => accessors,
            },
        ),
    }
}
