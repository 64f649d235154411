//! The schema against its released history in `vstore.lock`: versions only go
//! up (VS5004); a released version is only changed in ways its saved records
//! survive (VS5001, judged by `diff::classify`, the same classification
//! `vstore diff` reports); a version above the last release has a migration
//! for every step from the oldest release (VS5002, VS5003); the lock itself
//! reads (VS5005). Runs only when nothing else is wrong: a broken template is
//! reported once, not again as a change.

use crate::check::rule::{Context, Rule};
use crate::diff::classify::{classify, At, Side};
use crate::schema::lock;

pub struct History;

impl Rule for History {
    fn name(&self) -> &'static str {
        "history"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS5001", "VS5002", "VS5003", "VS5004", "VS5005"]
    }

    fn check(&self, cx: &mut Context) {
        if !cx.options.history {
            return;
        }
        let lock = match lock::read(cx.root) {
            Ok(lock) => lock,
            Err(d) => {
                cx.out.diags.push(d);
                return;
            }
        };
        if !cx.out.has_errors() {
            let table = crate::schema::types::TypeTable::new(&cx.types);
            for s in &cx.stores {
                if !s.version_ok {
                    continue;
                }
                let store = &s.store;
                let name = &store.name;
                let Some(released) = lock.stores.get(name) else {
                    continue;
                };
                let (Some((&lowest, _)), Some((&highest, last))) =
                    (released.iter().next(), released.iter().next_back())
                else {
                    continue;
                };
                let version_span = s.decl.version_span();
                let next = highest + 1;
                let fix = |what: &str| {
                    format!(
                        "bump to `version = {next}` and add `[[stores.{name}.migrations]]` with `to = {next}` and `file = \"migrations/{name}/{next}.luau\"` (a `return function(old: V{highest}): V{next}` that {what}), then `vstore release`; or undo the change"
                    )
                };
                if store.version < highest {
                    cx.out.error(
                        "VS5004",
                        version_span,
                        format!("store `{name}` is at version {} but version {highest} was already released", store.version),
                        "older than the released version",
                        format!("versions only go up: set `version = {next}` or higher with a migration"),
                    );
                    continue;
                }
                let changes = classify(
                    &Side::of_release(last),
                    &Side::of_store(store, &table),
                    None,
                );
                if store.version == highest {
                    for c in changes.iter().filter(|c| c.breaks_records) {
                        let (message, what) = if c.code == "VSD001" {
                            (
                                format!("field `{}` was removed, but version {highest} of `{name}` is already released and its records hold it", c.path),
                                format!("drops or moves `{}`", c.path),
                            )
                        } else {
                            (
                                format!("{}, but version {highest} of `{name}` is already released and its records may not fit", c.message),
                                format!("converts every saved `{}`", c.path),
                            )
                        };
                        let (span, label) = match c.at {
                            At::Field(span) if span != Default::default() => {
                                (span, format!("breaks records saved at version {highest}"))
                            }
                            _ => (version_span, format!("still version {highest}")),
                        };
                        cx.out.error("VS5001", span, message, label, fix(&what));
                    }
                    continue;
                }
                let compatible = !changes.iter().any(|c| c.breaks_records);
                for step in lowest + 1..=store.version {
                    if store.migrations.iter().any(|m| m.to == step) {
                        continue;
                    }
                    let (code, msg) = if step == store.version && step > highest {
                        (
                            "VS5002",
                            format!(
                                "version was bumped to {step} without a migration from {} to {step}",
                                step - 1
                            ),
                        )
                    } else {
                        (
                            "VS5003",
                            format!(
                                "the migration chain of `{name}` is missing the step {} -> {step}",
                                step - 1
                            ),
                        )
                    };
                    let mut help = format!("add `[[stores.{name}.migrations]]` with `to = {step}` and `file = \"migrations/{name}/{step}.luau\"`");
                    if code == "VS5002" && compatible && store.version == next {
                        help.push_str(&format!(
                            "; or keep `version = {highest}`: every change since version {highest} is compatible and needs no bump"
                        ));
                    }
                    cx.out.error(
                        code,
                        version_span,
                        msg,
                        "no migration produces this step",
                        help,
                    );
                }
            }
        }
        cx.lock = Some(lock);
    }
}
