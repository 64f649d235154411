//! A store's `version` is at least 1 (VS3006).

use crate::check::rule::{Context, Rule};

pub struct StoreVersion;

impl Rule for StoreVersion {
    fn name(&self) -> &'static str {
        "store_version"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3006"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &mut cx.stores {
            let Some(v) = &s.decl.version else {
                continue;
            };
            if (1..=i64::from(u32::MAX)).contains(&v.value) {
                s.version_ok = true;
            } else {
                cx.out.error(
                    "VS3006",
                    v.span,
                    "`version` must be at least 1",
                    "out of range",
                    "schema versions start at 1 and go up by one per migration",
                );
            }
        }
    }
}
