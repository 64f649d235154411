//! Public paths name exact template fields: known fields (VS3101), no
//! wildcards or paths into collections (VS3102), nothing past a scalar
//! (VS3104), each once (VS3105), never the envelope or a ledger (VS3108);
//! the replication channel is not empty (VS3106). A path that reaches a
//! template field already reported as broken is not reported again.

use std::collections::HashSet;

use crate::check::rule::{Context, Report, Rule, StoreWork};
use crate::diagnostic::Span;
use crate::schema::document::Spanned;
use crate::schema::model::DataPath;
use crate::schema::paths::{self, PathProblem};
use crate::schema::types::TypeTable;

use super::template_reserved::reserved;

pub struct PublicPaths;

impl Rule for PublicPaths {
    fn name(&self) -> &'static str {
        "public_paths"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3101", "VS3102", "VS3104", "VS3105", "VS3106", "VS3108"]
    }

    fn check(&self, cx: &mut Context) {
        let table = TypeTable::new(&cx.types);
        for s in &mut cx.stores {
            let public = &s.decl.public;
            if let Some(c) = &public.channel {
                if c.value.is_empty() {
                    cx.out.error(
                        "VS3106",
                        c.span,
                        "the replication channel name is empty",
                        "empty channel",
                        "omit `channel` to use the store name, or give a name",
                    );
                } else {
                    s.store.channel = c.value.clone();
                }
            }
            let mut resolved = Vec::new();
            for (text, span) in unique(&mut cx.out, &public.paths) {
                let head = text.split('.').next().unwrap_or_default();
                if let Some((name, holds)) = reserved(head) {
                    cx.out.error(
                        "VS3108",
                        span,
                        format!("public path `{text}` reaches `{name}`, operational data outside the template"),
                        "operational data",
                        format!("`{name}` is {holds}; it is never replicated, so publish gameplay fields from the template only"),
                    );
                    continue;
                }
                if let Some(path) = resolve(&mut cx.out, s, &table, text, span, "public path") {
                    resolved.push((path, span));
                }
            }
            s.store.public = resolved.iter().map(|(p, _)| p.clone()).collect();
            s.public_spans = resolved;
        }
    }
}

/// The listed paths with duplicates reported (VS3105) and left out.
pub fn unique<'a>(out: &mut Report, listed: &'a [Spanned<String>]) -> Vec<(&'a str, Span)> {
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    for p in listed {
        if !seen.insert(p.value.as_str()) {
            out.error(
                "VS3105",
                p.span,
                format!("`{}` is listed twice", p.value),
                "duplicate path",
                "list each path once",
            );
            continue;
        }
        kept.push((p.value.as_str(), p.span));
    }
    kept
}

/// Resolves a path against the store's shape; reports why it does not name a
/// field unless it reaches a field that was already reported.
pub fn resolve(
    out: &mut Report,
    s: &StoreWork,
    table: &TypeTable,
    text: &str,
    span: Span,
    what: &str,
) -> Option<DataPath> {
    match paths::resolve(&s.store.shape, text, table) {
        Ok(path) => Some(path),
        Err(problem) => {
            let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
            let invalid = s.decl.template.as_ref().is_some_and(|t| {
                t.invalid.iter().any(|k| {
                    let k: Vec<&str> = k.split('.').collect();
                    segments
                        .iter()
                        .map(String::as_str)
                        .zip(&k)
                        .all(|(a, b)| a == *b)
                })
            });
            if !(s.reaches_broken(&segments) || invalid) {
                report(out, span, text, problem, what);
            }
            None
        }
    }
}

/// Reports a path problem for a public path, a declared write or a leaderboard.
pub fn report(out: &mut Report, span: Span, text: &str, problem: PathProblem, what: &str) {
    match problem {
        PathProblem::Malformed => out.error("VS3102", span, format!("{what} `{text}` is not an exact path"), "not an exact path", "write a dot-separated path of field names such as `Wallet.Coins` (no wildcards, indices or empty segments)"),
        PathProblem::Unknown { segment, suggestion } => {
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? Paths must name template fields"),
                None => "paths must name fields declared in the template".into(),
            };
            out.error("VS3101", span, format!("{what} `{text}` names an unknown field `{segment}`"), "no such field", help)
        }
        PathProblem::IntoNothing { leaf } => out.error("VS3104", span, format!("{what} `{text}` goes past `{leaf}`, which has no fields"), "path into nothing", format!("end the path at `{leaf}`")),
        PathProblem::IntoCollection { collection } => out.error(
            "VS3102",
            span,
            format!("{what} `{text}` reaches into the elements of `{collection}`"),
            "not an exact path",
            format!("name the whole collection `{collection}`; elements are not addressable by the schema"),
        ),
    }
}
