//! Named-type references resolve: every name used in a type string is
//! declared under `[types]` (VS2004), no named type contains itself (VS2005),
//! and no chain of names is deeper than `types::MAX_NAMED_DEPTH` (VS2009).
//! Resolves `[types]` once, in time linear in the schema: the valid types go
//! into the context, a type that depends on a broken one is left out without
//! a second report.

use std::collections::{HashMap, VecDeque};

use crate::check::rule::{Context, Rule};
use crate::diagnostic::{closest, Span};
use crate::schema::document::TypeText;
use crate::schema::model::Type;
use crate::schema::types::MAX_NAMED_DEPTH;

use super::type_names::BUILTINS;
use super::type_syntax::type_texts;

pub struct TypeReferences;

/// Unknown names past this many get no "did you mean": the search is linear
/// in the number of types, and a file full of unknown names stays linear.
const SUGGESTIONS: usize = 100;

struct Graph {
    /// Declared name -> index in `doc.types`.
    index: HashMap<String, usize>,
    /// References of each type: (target, span of the reference in the file).
    edges: Vec<Vec<(usize, Span)>>,
    broken: Vec<bool>,
}

impl Rule for TypeReferences {
    fn name(&self) -> &'static str {
        "type_references"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS2004", "VS2005", "VS2009"]
    }

    fn check(&self, cx: &mut Context) {
        let doc = cx.doc;
        let text = doc.source.text();
        let mut g = Graph {
            index: doc
                .types
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.value.clone(), i))
                .collect(),
            edges: vec![Vec::new(); doc.types.len()],
            broken: vec![false; doc.types.len()],
        };
        let mut suggestions = SUGGESTIONS;
        // Unknown names anywhere, reported once each where they are written.
        let parsed_map = &cx.parsed;
        for t in type_texts(doc) {
            let Some(Ok(parsed)) = parsed_map.get(&t.span) else {
                continue;
            };
            for (n, s) in &parsed.names {
                if !g.index.contains_key(n) {
                    let span = t.inner_span(text, *s);
                    let help = match (suggestions > 0)
                        .then(|| {
                            suggestions -= 1;
                            closest(
                                n,
                                BUILTINS
                                    .iter()
                                    .copied()
                                    .chain(doc.types.iter().map(|d| d.name.value.as_str())),
                            )
                        })
                        .flatten()
                    {
                        Some(s) => format!("did you mean `{s}`? Declare named types under [types]"),
                        None => "declare it under [types], or use a built-in type: integer, number, string, boolean".into(),
                    };
                    cx.out.error(
                        "VS2004",
                        span,
                        format!("unknown type `{n}`"),
                        "not a built-in or declared type",
                        help,
                    );
                }
            }
        }
        for (i, decl) in doc.types.iter().enumerate() {
            let parsed = decl.ty.as_ref().and_then(|t| cx.parsed(t).map(|p| (t, p)));
            let Some((t, parsed)) = parsed else {
                g.broken[i] = true;
                continue;
            };
            if cx.broken_types.contains(&decl.name.value) {
                g.broken[i] = true;
            }
            for (n, s) in &parsed.names {
                match g.index.get(n) {
                    Some(&j) => g.edges[i].push((j, t.inner_span(text, *s))),
                    None => g.broken[i] = true,
                }
            }
        }
        propagate(&mut g);
        let order = tarjan(&g);
        for scc in &order {
            let cyclic = scc.len() > 1 || g.edges[scc[0]].iter().any(|(j, _)| *j == scc[0]);
            if cyclic && scc.iter().all(|&i| !g.broken[i]) {
                report_cycle(cx, &g, scc);
                for &i in scc {
                    g.broken[i] = true;
                }
            }
        }
        propagate(&mut g);
        // Chains and nesting, dependencies first (Tarjan emits them first).
        let mut chain = vec![0usize; doc.types.len()];
        let mut tables = vec![0usize; doc.types.len()];
        for scc in &order {
            for &i in scc {
                if g.broken[i] {
                    continue;
                }
                if g.edges[i].iter().any(|(j, _)| g.broken[*j]) {
                    g.broken[i] = true;
                    continue;
                }
                chain[i] = g.edges[i]
                    .iter()
                    .map(|(j, _)| chain[*j] + 1)
                    .max()
                    .unwrap_or(0);
                if chain[i] > MAX_NAMED_DEPTH {
                    let decl = &doc.types[i];
                    cx.out.error(
                        "VS2009",
                        decl.name.span,
                        format!(
                            "named type `{}` reaches {} named types deep",
                            decl.name.value, chain[i]
                        ),
                        "too deep a chain of names",
                        format!("a chain of named types may be at most {MAX_NAMED_DEPTH} deep: refer to the inner definitions directly"),
                    );
                    g.broken[i] = true;
                    continue;
                }
                let ty = decl_type(cx, i);
                tables[i] = ty.map_or(0, |ty| {
                    table_depth(ty, &|n| g.index.get(n).map_or(0, |&j| tables[j]))
                });
            }
        }
        for (i, decl) in doc.types.iter().enumerate() {
            if g.broken[i] {
                cx.broken_types.insert(decl.name.value.clone());
                continue;
            }
            if let Some(ty) = decl_type(cx, i) {
                cx.types.push((decl.name.value.clone(), ty.clone()));
                cx.type_tables.insert(decl.name.value.clone(), tables[i]);
            }
        }
    }
}

fn decl_type<'c>(cx: &'c Context, i: usize) -> Option<&'c Type> {
    let t: &TypeText = cx.doc.types[i].ty.as_ref()?;
    cx.parsed(t).map(|p| &p.ty)
}

/// The deepest nesting of tables (records, arrays, maps) a value of `ty`
/// holds, with the depth of each named type from `named`.
pub fn table_depth(ty: &Type, named: &dyn Fn(&str) -> usize) -> usize {
    match ty {
        Type::Record(fields) => {
            1 + fields
                .iter()
                .map(|f| table_depth(&f.ty, named))
                .max()
                .unwrap_or(0)
        }
        Type::Array(inner) | Type::Map(inner) => 1 + table_depth(inner, named),
        Type::Optional(inner) => table_depth(inner, named),
        Type::Named(n) => named(n),
        _ => 0,
    }
}

/// Marks every type that reaches a broken one as broken too.
fn propagate(g: &mut Graph) {
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); g.edges.len()];
    for (i, out) in g.edges.iter().enumerate() {
        for (j, _) in out {
            users[*j].push(i);
        }
    }
    let mut queue: VecDeque<usize> = (0..g.broken.len()).filter(|&i| g.broken[i]).collect();
    while let Some(j) = queue.pop_front() {
        for &i in &users[j] {
            if !g.broken[i] {
                g.broken[i] = true;
                queue.push_back(i);
            }
        }
    }
}

/// Strongly connected components over the types that are not broken, each a
/// list of indices, dependencies before their users. Iterative, so a chain of
/// twenty thousand names cannot exhaust the stack.
fn tarjan(g: &Graph) -> Vec<Vec<usize>> {
    let n = g.edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if g.broken[root] || index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut at)) = work.last_mut() {
            if let Some(&(w, _)) = g.edges[v].get(*at) {
                *at += 1;
                if g.broken[w] {
                    continue;
                }
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                scc.sort_unstable();
                out.push(scc);
            }
        }
    }
    out
}

/// Reports one cycle of a strongly connected component, starting at its
/// first declared type, at the reference that closes it.
fn report_cycle(cx: &mut Context, g: &Graph, scc: &[usize]) {
    let start = scc[0];
    let inside: std::collections::HashSet<usize> = scc.iter().copied().collect();
    // Shortest way back to `start`, breadth first within the component.
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(v) = queue.pop_front() {
        for &(w, span) in &g.edges[v] {
            if w == start {
                closing = Some((v, span));
                break 'search;
            }
            if inside.contains(&w) && w != start && !prev.contains_key(&w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let Some((last, span)) = closing else {
        return;
    };
    let mut trail = vec![last];
    while let Some(&p) = prev.get(trail.last().unwrap_or(&start)) {
        trail.push(p);
    }
    if *trail.last().unwrap_or(&start) != start {
        trail.push(start);
    }
    trail.reverse();
    let names: Vec<&str> = trail
        .iter()
        .map(|&i| cx.doc.types[i].name.value.as_str())
        .chain([cx.doc.types[start].name.value.as_str()])
        .collect();
    cx.out.error(
        "VS2005",
        span,
        format!(
            "named type `{}` refers to itself: {}",
            cx.doc.types[start].name.value,
            names.join(" -> ")
        ),
        "this reference closes the cycle",
        "stored data must be finite: refer to the other value by an id (a string) and keep those values in a map",
    );
}
