//! Each template field's bounds fit its type (VS2006 a bound on the wrong
//! type, VS2007 an empty or invalid bound, VS1003 a bound of the wrong kind)
//! and its default satisfies type and bounds (VS3003); only optional fields
//! may leave the default out (VS1004). A field whose type string is broken
//! was reported by the type rules and is left out silently.

use crate::check::rule::{Context, FieldWork, Report, Rule};
use crate::schema::document::FieldDecl;
use crate::schema::model::Type;
use crate::schema::paths;
use crate::schema::tree::{Entry, Node};
use crate::schema::types::TypeTable;

use super::template_reserved::reserved;

pub struct TemplateFields;

impl Rule for TemplateFields {
    fn name(&self) -> &'static str {
        "template_fields"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS1003", "VS1004", "VS2006", "VS2007", "VS3003"]
    }

    fn check(&self, cx: &mut Context) {
        let table = TypeTable::new(&cx.types);
        for s in &mut cx.stores {
            let Some(template) = &s.decl.template else {
                continue;
            };
            for f in &template.fields {
                if f.broken || reserved(&f.path[0]).is_some() {
                    s.broken.push(f.path.clone());
                    continue;
                }
                let parsed =
                    f.ty.as_ref()
                        .and_then(|t| Some((t, cx.parsed.get(&t.span)?.as_ref().ok()?)));
                let usable = parsed.filter(|(_, p)| p.names.iter().all(|(n, _)| table.contains(n)));
                let Some((text, parsed)) = usable else {
                    s.broken.push(f.path.clone());
                    continue;
                };
                match field(&mut cx.out, f, parsed.ty.clone(), &text.text, &table) {
                    Some(work) => s.fields.push(work),
                    None => s.broken.push(f.path.clone()),
                }
            }
        }
    }
}

fn field(
    out: &mut Report,
    f: &FieldDecl,
    ty: Type,
    text: &str,
    table: &TypeTable,
) -> Option<FieldWork> {
    let ty = constraints(out, ty, f, table)?;
    let dotted = f.path.join(".");
    let default = match &f.default {
        Some(d) => {
            let json = d.node.to_json();
            if let Err(why) = paths::value_matches(&ty, &json, table) {
                out.error(
                    "VS3003",
                    d.span,
                    format!("default of `{dotted}` does not match its type `{text}`: {why}"),
                    "bad default",
                    "change the default so it satisfies the type and its constraints",
                );
                return None;
            }
            json
        }
        None if matches!(ty, Type::Optional(_)) => serde_json::Value::Null,
        None => {
            if !f.misspelt.contains("default") {
                out.error(
                    "VS1004",
                    f.key,
                    format!("template field `{dotted}` is missing `default`"),
                    "`default` is required here",
                    "add a `default` that matches the type (only optional `T?` fields may omit it)",
                );
            }
            return None;
        }
    };
    Some(FieldWork {
        path: f.path.clone(),
        key: f.key,
        ty,
        default,
        private: f.private,
    })
}

/// The field's type with `min`, `max` and `maxLength` applied.
fn constraints(out: &mut Report, ty: Type, f: &FieldDecl, table: &TypeTable) -> Option<Type> {
    let (optional, base) = match ty {
        Type::Optional(inner) => (true, *inner),
        t => (false, t),
    };
    let (min, max, max_len) = (f.min.as_ref(), f.max.as_ref(), f.max_length.as_ref());
    let wrap = |t: Type| {
        if optional {
            Type::Optional(Box::new(t))
        } else {
            t
        }
    };
    if min.is_none() && max.is_none() && max_len.is_none() {
        return Some(wrap(base));
    }
    let resolved = table.resolve(&base).clone();
    let num = |out: &mut Report, e: Option<&Entry>, int: bool| -> Result<Option<f64>, ()> {
        let Some(e) = e else { return Ok(None) };
        match e.value.node {
            Node::Int(i) => Ok(Some(i as f64)),
            Node::Float(x) if !int && x.is_finite() => Ok(Some(x)),
            _ => {
                let expected = if int { "an integer" } else { "a finite number" };
                out.error(
                    "VS1003",
                    e.value.span,
                    format!(
                        "`{}` must be {expected}, found {}",
                        e.key,
                        e.value.node.kind()
                    ),
                    format!("expected {expected}"),
                    format!("write `{}` as {expected}", e.key),
                );
                Err(())
            }
        }
    };
    let misplaced = |out: &mut Report, e: &Entry, needs: &str| {
        out.error(
            "VS2006",
            e.key_span,
            format!("`{}` does not apply to this type", e.key),
            format!("only for {needs}"),
            format!("remove `{}`, or change the type to {needs}", e.key),
        );
    };
    let bounded = match resolved {
        Type::Integer { .. } | Type::Number { .. } => {
            let int = matches!(resolved, Type::Integer { .. });
            if let Some(l) = max_len {
                misplaced(out, l, "string");
                return None;
            }
            let lo = num(out, min, int).ok()?;
            let hi = num(out, max, int).ok()?;
            if let (Some(a), Some(b)) = (lo, hi) {
                if a > b {
                    out.error(
                        "VS2007",
                        min.map(|m| m.value.span).unwrap_or_default(),
                        format!("min ({a}) is greater than max ({b})"),
                        "empty range",
                        "make `min` at most `max`",
                    );
                    return None;
                }
            }
            if int {
                Type::Integer {
                    min: lo.map(|v| v as i64),
                    max: hi.map(|v| v as i64),
                }
            } else {
                Type::Number { min: lo, max: hi }
            }
        }
        Type::String { .. } => {
            if let Some(e) = min.or(max) {
                misplaced(out, e, "integer or number");
                return None;
            }
            let l = max_len?;
            match l.value.node {
                Node::Int(n) if n > 0 => Type::String {
                    max_len: Some(n as usize),
                },
                _ => {
                    out.error(
                        "VS2007",
                        l.value.span,
                        "`maxLength` must be a positive integer",
                        "not a positive integer",
                        "write e.g. `maxLength = 32`",
                    );
                    return None;
                }
            }
        }
        _ => {
            let e = min.or(max).or(max_len)?;
            let needs = if e.key == "maxLength" {
                "string"
            } else {
                "integer or number"
            };
            misplaced(out, e, needs);
            return None;
        }
    };
    Some(wrap(bounded))
}
