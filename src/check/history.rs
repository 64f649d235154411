//! Schema history: the current shapes against the released ones in
//! `vstore.lock`. A changed shape needs a version bump, and every version step
//! from the oldest released version to the current one needs a migration.

use crate::schema::load::StoreSpans;
use crate::schema::lock::{self, Lock};
use crate::schema::model::Project;

use super::diagnostic::{Diagnostic, SourceFile};

pub fn check(
    project: &Project,
    spans: &[StoreSpans],
    src: &SourceFile,
    lock: &Lock,
    diags: &mut Vec<Diagnostic>,
) {
    for (store, sp) in project.stores.iter().zip(spans) {
        let Some(released) = lock.stores.get(&store.name) else {
            continue;
        };
        let Some((&lowest, _)) = released.iter().next() else {
            continue;
        };
        let highest = released.keys().next_back().copied().unwrap_or(lowest);
        let current = lock::shape_of(store, project);
        if store.version < highest {
            diags.push(
                Diagnostic::error(
                    "VS5004",
                    src,
                    sp.version,
                    format!(
                        "store `{}` is at version {} but version {highest} was already released",
                        store.name, store.version
                    ),
                )
                .label("older than the released version")
                .help(format!(
                    "versions only go up: set `version = {}` or higher with a migration",
                    highest + 1
                )),
            );
            continue;
        }
        if let Some(locked) = released.get(&store.version) {
            if *locked != current {
                diags.push(
                    Diagnostic::error("VS5001", src, sp.version, format!("the shape of `{}` changed but version {} was already released with another shape", store.name, store.version))
                        .label(format!("still version {}", store.version))
                        .help(format!("bump to `version = {}` and add a migration with `to = {}`, or revert the template change (released: {locked})", store.version + 1, store.version + 1)),
                );
            }
        }
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
                        "the migration chain of `{}` is missing the step {} -> {step}",
                        store.name,
                        step - 1
                    ),
                )
            };
            diags.push(
                Diagnostic::error(code, src, sp.version, msg)
                    .label("no migration produces this step")
                    .help(format!("add `[[stores.{}.migrations]]` with `to = {step}` and `file = \"migrations/{}/{step}.luau\"`", store.name, store.name)),
            );
        }
    }
}
