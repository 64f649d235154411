//! Durable operations: identifier names (VS3503) that are neither reserved for
//! built-in operations nor clash with a type name (VS3504); a payload type
//! whose names resolve and that fits the DataStore nesting limit where pending
//! payloads are kept (VS3009); `writes` that name template fields (the path
//! codes of `public_paths`); and a readable handler file (VS3501).

use crate::check::rule::{Context, Role, Rule};
use crate::schema::model::Operation;
use crate::schema::types::TypeTable;

use super::migrations::{luau_file, FileKind};
use super::nesting::{depth_of, ABOVE_PAYLOAD, DATASTORE_MAX_DEPTH};
use super::public_paths::{resolve, unique};
use super::type_names::{generated_name_clash, is_ident};

pub struct Operations;

const HANDLER_FILE: FileKind = FileKind {
    what: "handler",
    code: "VS3501",
};

impl Rule for Operations {
    fn name(&self) -> &'static str {
        "operations"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "VS3009", "VS3101", "VS3102", "VS3104", "VS3105", "VS3501", "VS3503", "VS3504",
        ]
    }

    fn check(&self, cx: &mut Context) {
        let table = TypeTable::new(&cx.types);
        let declared_types: std::collections::HashSet<&str> =
            cx.doc.types.iter().map(|t| t.name.value.as_str()).collect();
        for i in 0..cx.stores.len() {
            let decl = cx.stores[i].decl;
            for op in &decl.operations {
                let name = &op.name.value;
                if !is_ident(name) {
                    cx.out.error(
                        "VS3503",
                        op.name.span,
                        format!("operation name `{name}` is not an identifier"),
                        "invalid name",
                        "operation names become Luau identifiers: letters, digits and `_`",
                    );
                    continue;
                }
                if name.starts_with("__") {
                    cx.out.error(
                        "VS3504",
                        op.name.span,
                        format!("operation name `{name}` is reserved"),
                        "reserved name",
                        "names starting with `__` belong to the runtime's built-in operations (such as `__TradeEscrow`); rename the operation",
                    );
                    continue;
                }
                let clash = generated_name_clash(name).or_else(|| {
                    declared_types
                        .contains(name.as_str())
                        .then(|| format!("a type under [types] is also named `{name}`"))
                });
                if let Some(why) = clash {
                    cx.out.error(
                        "VS3504",
                        op.name.span,
                        format!("operation `{name}` clashes with another type name: {why}"),
                        "clashes with a type name",
                        "each operation's payload type is exported under the operation's name; rename the operation or the type",
                    );
                    continue;
                }
                let payload = op.payload.as_ref().and_then(|t| {
                    let p = cx.parsed(t)?;
                    p.names
                        .iter()
                        .all(|(n, _)| table.contains(n))
                        .then(|| (t, p.ty.clone()))
                });
                let mut usable = payload.is_some();
                if let Some((text, ty)) = &payload {
                    let depth = ABOVE_PAYLOAD + depth_of(cx, ty);
                    if depth > DATASTORE_MAX_DEPTH {
                        cx.out.error(
                            "VS3009",
                            text.span,
                            format!("pending payloads of `{name}` would be stored {depth} tables deep; Roblox DataStores refuse values nested deeper than {DATASTORE_MAX_DEPTH}"),
                            "nested too deeply to store",
                            format!("pending operations keep their payload {ABOVE_PAYLOAD} tables deep in the record envelope: flatten the payload type"),
                        );
                        usable = false;
                    }
                }
                let mut resolved = Vec::new();
                let mut writes_ok = op.writes.is_some();
                for (text, span) in unique(&mut cx.out, op.writes.as_deref().unwrap_or_default()) {
                    match resolve(&mut cx.out, &cx.stores[i], &table, text, span, "write path") {
                        Some(p) => resolved.push(p),
                        None => writes_ok = false,
                    }
                }
                usable &= writes_ok;
                // What the handler may write is unknown until `writes` is fixed.
                cx.stores[i]
                    .declared_writes
                    .insert(name.clone(), writes_ok.then(|| resolved.clone()));
                let Some(f) = &op.file else {
                    continue;
                };
                let read = luau_file(
                    &mut cx.out,
                    &mut cx.files,
                    cx.root,
                    cx.options,
                    f,
                    &HANDLER_FILE,
                    Role::Handler {
                        store: i,
                        operation: name.clone(),
                    },
                );
                let (Some((file, source)), Some((_, payload)), true) = (read, payload, usable)
                else {
                    continue;
                };
                cx.stores[i].store.operations.push(Operation {
                    name: name.clone(),
                    payload,
                    writes: resolved,
                    file,
                    source,
                });
            }
        }
    }
}
