//! Stored records stay within Roblox's DataStore nesting limit (VS3009): a
//! value nested deeper than `DATASTORE_MAX_DEPTH` tables is refused by every
//! write, so a template field that deep could never be saved (every load
//! would fail at its first commit). Counts the tables a record holds from the
//! stored envelope down: the envelope, `Data`, one table per path segment
//! above the field, then the field's own records, arrays and maps.

use crate::check::rule::{Context, Rule};
use crate::schema::model::Type;

use super::type_references::table_depth;

pub struct Nesting;

/// The deepest nesting of tables a DataStore value may have, counting the
/// outermost table as 1 (the stricter reading of Roblox's limit, see
/// `ROBLOX_MAX_VALUE_DEPTH`).
pub const DATASTORE_MAX_DEPTH: usize = crate::core::settings::ROBLOX_MAX_VALUE_DEPTH;

/// Tables above a template field's own value: the envelope and `Data`.
const ABOVE_DATA: usize = 2;

/// Tables above an operation payload in the envelope:
/// `Meta.Operations.Pending[i].Payload` (and the same depth for dead letters).
pub const ABOVE_PAYLOAD: usize = 5;

/// The tables a stored value of `ty` nests, with named types counted.
pub fn depth_of(cx: &Context, ty: &Type) -> usize {
    table_depth(ty, &|n| cx.type_tables.get(n).copied().unwrap_or(0))
}

impl Rule for Nesting {
    fn name(&self) -> &'static str {
        "nesting"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3009"]
    }

    fn check(&self, cx: &mut Context) {
        for i in 0..cx.stores.len() {
            let fields = std::mem::take(&mut cx.stores[i].fields);
            let mut kept = Vec::with_capacity(fields.len());
            for f in fields {
                let depth = ABOVE_DATA + (f.path.len() - 1) + depth_of(cx, &f.ty);
                if depth <= DATASTORE_MAX_DEPTH {
                    kept.push(f);
                    continue;
                }
                let shown = if f.path.len() > 8 {
                    format!("{}.(...{} more)", f.path[..4].join("."), f.path.len() - 4)
                } else {
                    f.path.join(".")
                };
                cx.out.error(
                    "VS3009",
                    f.key,
                    format!(
                        "template field `{shown}` would be stored {depth} tables deep; Roblox DataStores refuse values nested deeper than {DATASTORE_MAX_DEPTH}"
                    ),
                    "nested too deeply to store",
                    format!(
                        "flatten the data: the record envelope and `Data` take 2 levels, each path segment and each nested record, array or map one more, at most {DATASTORE_MAX_DEPTH} in all"
                    ),
                );
                cx.stores[i].broken.push(f.path);
            }
            cx.stores[i].fields = kept;
        }
    }
}
