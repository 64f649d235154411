//! Template paths never start with a name the record envelope or the
//! runtime's ledgers use (VS3008, any letter case).

use std::collections::HashSet;

use crate::check::rule::{Context, Rule};

pub struct TemplateReserved;

/// Names that belong to the stored record envelope or to the runtime's
/// ledgers, leases and saga journal (docs/envelope.md), with what each holds.
/// They may not start a template path or a public path (any letter case).
pub const RESERVED: &[(&str, &str)] = &[
    ("Format", "the envelope's format marker"),
    ("FormatVersion", "the envelope's layout version"),
    ("SchemaVersion", "the envelope's schema version"),
    ("Data", "the envelope key that holds the template's data"),
    (
        "Meta",
        "the envelope's metadata (revisions, lease, write receipts, operation ledgers, trade journal)",
    ),
    ("Lease", "the session lease kept in `Meta.Lease`"),
    ("WriteReceipts", "the write-receipt ledger kept in `Meta.WriteReceipts`"),
    (
        "Operations",
        "the durable operation ledgers (pending, receipts, dedupe, dead letters) kept in `Meta.Operations`",
    ),
    ("Trades", "the trade saga journal and escrow kept in `Meta.Trades`"),
];

/// The reserved name `segment` spells (ignoring case) and what it holds.
pub fn reserved(segment: &str) -> Option<(&'static str, &'static str)> {
    RESERVED
        .iter()
        .copied()
        .find(|(name, _)| name.eq_ignore_ascii_case(segment))
}

impl Rule for TemplateReserved {
    fn name(&self) -> &'static str {
        "template_reserved"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3008"]
    }

    fn check(&self, cx: &mut Context) {
        for s in &mut cx.stores {
            let Some(template) = &s.decl.template else {
                continue;
            };
            let mut reported = HashSet::new();
            for f in &template.fields {
                let Some((name, holds)) = reserved(&f.path[0]) else {
                    continue;
                };
                s.broken.push(f.path.clone());
                if !reported.insert(f.root_key) {
                    continue;
                }
                let key = &cx.doc.source.text()[f.root_key.start..f.root_key.end];
                let shown = if f.key == f.root_key {
                    f.path.join(".")
                } else {
                    key.trim_matches('"').to_owned()
                };
                cx.out.error(
                    "VS3008",
                    f.root_key,
                    format!("template path `{shown}` starts with the reserved name `{name}`"),
                    "reserved for the record envelope",
                    format!("rename the field: `{name}` is {holds}, which the runtime owns and never replicates"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reserved;

    #[test]
    fn reserved_names_match_ignoring_case() {
        assert_eq!(reserved("meta").map(|r| r.0), Some("Meta"));
        assert_eq!(
            reserved("WRITERECEIPTS").map(|r| r.0),
            Some("WriteReceipts")
        );
        assert_eq!(reserved("Metadata"), None);
    }
}
