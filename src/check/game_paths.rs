//! `vstore check --rojo FILE`: data paths written as literals in the game's
//! own scripts (`Data:Add(player, {"Wallet", "Coin"}, 1)`,
//! `session:Set({"Inventory"}, items)`) checked against the template of the
//! project's stores (VS4201, with the closest field as a suggestion).
//!
//! Owns finding the game's Luau files through the Rojo project file (the
//! package under the `out` folder is left out) and matching facade and
//! session calls with full_moon. It does not check the schema itself, and a
//! path built at run time is not followed.

use std::path::{Path, PathBuf};

use full_moon::ast::{self, Call, Expression, Field, FunctionArgs, Suffix};
use full_moon::node::Node;
use full_moon::tokenizer::TokenType;
use full_moon::visitors::Visitor;
use full_moon::LuaVersion;

use crate::schema::model::{Project, Span, Type};
use crate::schema::types;

use super::diagnostic::{Diagnostic, SourceFile};

/// Methods of the player facade and of a session that take a data path:
/// `Data:Add(player, path, ...)` and `session:Add(path, ...)`.
const PATH_METHODS: &[&str] = &[
    "Add",
    "Increment",
    "Set",
    "Patch",
    "Insert",
    "Remove",
    "GetPath",
];

/// Checks every game script the project file mounts; `Err` when the project
/// file cannot be read (one diagnostic, exit 2).
pub fn check(
    project: &Project,
    project_file: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), Diagnostic> {
    let unreadable = |why: String| {
        Diagnostic::io(
            "VS0003",
            format!(
                "cannot read the Rojo project {}: {why}",
                project_file.display()
            ),
            "pass the game's project file, e.g. `vstore check --rojo default.project.json`",
        )
    };
    let text = std::fs::read_to_string(project_file).map_err(|e| unreadable(e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| unreadable(format!("not valid JSON: {e}")))?;
    let base = project_file.parent().unwrap_or(Path::new("."));
    let out = project.root.join(&project.out).canonicalize().ok();
    let mut roots = Vec::new();
    mounted_paths(&json["tree"], base, &mut roots);
    let shapes: Vec<(&str, Type)> = project
        .stores
        .iter()
        .map(|s| (s.name.as_str(), types::expand(&s.shape, &project.types)))
        .collect();
    let mut files: Vec<PathBuf> = roots
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".project.json"))
        .filter(|p| {
            let canonical = p.canonicalize().ok();
            !matches!((&out, canonical), (Some(o), Some(c)) if c.starts_with(o))
        })
        .flat_map(|p| {
            walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .flatten()
        })
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "luau" || e == "lua"))
        .collect();
    files.sort();
    files.dedup();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file
            .strip_prefix(&project.root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let src = SourceFile::new(&shown, text);
        // A file that does not parse is the Luau tools' to report.
        let parsed = full_moon::parse_fallible(src.text(), LuaVersion::luau());
        if !parsed.errors().is_empty() {
            continue;
        }
        let ast = parsed.into_ast();
        let mut calls = Calls(Vec::new());
        calls.visit_ast(&ast);
        for (span, segments) in calls.0 {
            if let Some(d) = unknown_path(&src, span, &segments, &shapes) {
                diags.push(d);
            }
        }
    }
    Ok(())
}

fn mounted_paths(node: &serde_json::Value, base: &Path, out: &mut Vec<PathBuf>) {
    let Some(obj) = node.as_object() else {
        return;
    };
    if let Some(p) = obj.get("$path").and_then(serde_json::Value::as_str) {
        out.push(base.join(p));
    }
    for (k, v) in obj {
        if !k.starts_with('$') {
            mounted_paths(v, base, out);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index,
}

/// `(span, segments)` of every literal path passed to a path method.
struct Calls(Vec<(Span, Vec<Segment>)>);

impl Visitor for Calls {
    fn visit_function_call(&mut self, call: &ast::FunctionCall) {
        for suffix in call.suffixes() {
            let Suffix::Call(Call::MethodCall(m)) = suffix else {
                continue;
            };
            if !PATH_METHODS.contains(&m.name().token().to_string().as_str()) {
                continue;
            }
            let FunctionArgs::Parentheses { arguments, .. } = m.args() else {
                continue;
            };
            let args: Vec<&Expression> = arguments.iter().collect();
            // `Data:Add(player, path, ...)`: a literal in second place is a
            // path, string or table; `session:Add(path, ...)`: only a table
            // literal in first place is taken for one.
            let path = match args.as_slice() {
                [first, ..] if table_path(first).is_some() => Some(*first),
                [_, second, ..] => Some(*second),
                _ => None,
            };
            let Some(path) = path else {
                continue;
            };
            let segments = table_path(path).or_else(|| string(path).map(|s| vec![Segment::Key(s)]));
            if let (Some(segments), Some((a, b))) = (segments, path.range()) {
                self.0.push((
                    Span {
                        start: a.bytes(),
                        end: b.bytes(),
                    },
                    segments,
                ));
            }
        }
    }
}

fn string(e: &Expression) -> Option<String> {
    match e {
        Expression::String(t) => match t.token_type() {
            TokenType::StringLiteral { literal, .. } => Some(literal.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `{"Wallet", "Coins"}` or `{"Inventory", 1}`: every field a literal.
fn table_path(e: &Expression) -> Option<Vec<Segment>> {
    let Expression::TableConstructor(t) = e else {
        return None;
    };
    let segments: Option<Vec<Segment>> = t
        .fields()
        .iter()
        .map(|f| match f {
            Field::NoKey(Expression::Number(_)) => Some(Segment::Index),
            Field::NoKey(value) => string(value).map(Segment::Key),
            _ => None,
        })
        .collect();
    segments.filter(|s| !s.is_empty())
}

/// How far `segments` get into `shape`: `Ok` when all resolve, else the index
/// of the first that does not and the field names allowed there.
fn walk(shape: &Type, segments: &[Segment]) -> Result<(), (usize, Vec<String>)> {
    let mut ty = shape;
    for (i, seg) in segments.iter().enumerate() {
        while let Type::Optional(inner) = ty {
            ty = inner;
        }
        ty = match (ty, seg) {
            (Type::Record(fields), Segment::Key(k)) => match fields.iter().find(|f| &f.name == k) {
                Some(f) => &f.ty,
                None => return Err((i, fields.iter().map(|f| f.name.clone()).collect())),
            },
            (Type::Record(fields), Segment::Index) => {
                return Err((i, fields.iter().map(|f| f.name.clone()).collect()))
            }
            (Type::Map(value), Segment::Key(_)) | (Type::Array(value), Segment::Index) => value,
            _ => return Err((i, Vec::new())),
        };
    }
    Ok(())
}

fn unknown_path(
    src: &SourceFile,
    span: Span,
    segments: &[Segment],
    shapes: &[(&str, Type)],
) -> Option<Diagnostic> {
    let mut deepest: Option<(usize, &str, Vec<String>)> = None;
    for (store, shape) in shapes {
        match walk(shape, segments) {
            Ok(()) => return None,
            Err((at, fields)) => {
                if deepest.as_ref().is_none_or(|(d, _, _)| at > *d) {
                    deepest = Some((at, store, fields));
                }
            }
        }
    }
    let (at, store, fields) = deepest?;
    let shown = render(segments);
    let parent = dotted(&segments[..at]);
    let bad = match &segments[at] {
        Segment::Key(k) => k.clone(),
        Segment::Index => "a number".to_string(),
    };
    let (message, help) = if fields.is_empty() {
        (
            format!("`{shown}` names no field of the schema: `{parent}` has no fields to index"),
            format!("end the path at `{parent}`, a value of store `{store}`"),
        )
    } else {
        let suggestion = crate::diagnostic::closest(&bad, fields.iter().map(String::as_str));
        let help = match suggestion {
            Some(s) => {
                let mut fixed = segments.to_vec();
                fixed[at] = Segment::Key(s.to_string());
                format!("did you mean `{}`? (store `{store}`)", render(&fixed))
            }
            None => format!(
                "the fields there are: {} (store `{store}`)",
                fields.join(", ")
            ),
        };
        let within = if at == 0 {
            "the template".to_string()
        } else {
            format!("`{parent}`")
        };
        (
            format!("`{shown}` names no field of the schema: {within} has no field `{bad}`"),
            help,
        )
    };
    Some(
        Diagnostic::error("VS4201", src, span, message)
            .label("not a template path")
            .help(help),
    )
}

/// `Wallet.Coins`, `Inventory[]` for a message.
fn dotted(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) if out.is_empty() => out.push_str(k),
            Segment::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Segment::Index => out.push_str("[]"),
        }
    }
    out
}

fn render(segments: &[Segment]) -> String {
    let parts: Vec<String> = segments
        .iter()
        .map(|s| match s {
            Segment::Key(k) => format!("\"{k}\""),
            Segment::Index => "1".to_string(),
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}
