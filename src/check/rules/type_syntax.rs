//! Every type string (named types, template fields, operation payloads) is
//! valid type-language syntax: VS2001 syntax, VS2002 a record field declared
//! twice, VS2003 a union of anything but string literals. Parses each string
//! once for the rules after it.

use crate::check::rule::{Context, Rule};
use crate::schema::document::{Document, TypeText};
use crate::schema::types;

pub struct TypeSyntax;

/// Every type string of the document.
pub fn type_texts(doc: &Document) -> Vec<&TypeText> {
    let mut out: Vec<&TypeText> = doc.types.iter().filter_map(|t| t.ty.as_ref()).collect();
    for s in &doc.stores {
        if let Some(t) = &s.template {
            out.extend(t.fields.iter().filter_map(|f| f.ty.as_ref()));
        }
        out.extend(s.operations.iter().filter_map(|o| o.payload.as_ref()));
    }
    out
}

impl Rule for TypeSyntax {
    fn name(&self) -> &'static str {
        "type_syntax"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS2001", "VS2002", "VS2003"]
    }

    fn check(&self, cx: &mut Context) {
        let text = cx.doc.source.text();
        for t in type_texts(cx.doc) {
            let parsed = types::parse(&t.text);
            if let Err(e) = &parsed {
                cx.out.error(
                    e.code,
                    t.inner_span(text, e.span),
                    format!("invalid type: {}", e.message),
                    "here",
                    e.help.clone(),
                );
            }
            cx.parsed.insert(t.span, parsed);
        }
    }
}
