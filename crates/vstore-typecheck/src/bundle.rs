//! Turns a built package folder into one strict Luau chunk so a single-file
//! checker sees real cross-module types.
//!
//! Every module becomes a loader function called once, in dependency order;
//! each `require(...)` of a package module is replaced by the loader's result.
//! A module keeps its own type aliases in place (`export` is blanked, since it
//! is only legal at a chunk's top level). Each exported non-generic type also
//! leaves the loader as a typed witness value, `(nil :: any) :: T`, and becomes
//! `type __vs_<module>_T = typeof(witness)` at the top level, so `Other.T`
//! in a dependent module has the exact type, class types built with
//! `typeof(setmetatable(...))` included. Generic exported types are copied to
//! the top level with their names rewritten. Lines of module bodies are kept
//! 1:1 so diagnostics map back to `file:line:col`.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::lex::{tokenize, Kind, Token};

/// One `.luau` file of the package.
#[derive(Debug)]
pub struct Module {
    /// Path relative to the package root, with `/` separators.
    pub rel: String,
    /// Instance path (Rojo folder semantics), starting with the root folder name.
    pub inst: Vec<String>,
    pub source: String,
    /// `false` for `.server.luau` / `.client.luau` scripts.
    pub is_module: bool,
}

/// A finding with a 1-based position in a package file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

#[derive(Debug)]
pub struct Bundle {
    pub text: String,
    /// For every bundle line: the module index and zero-based source line.
    pub origin: Vec<Option<(usize, usize)>>,
    pub modules: Vec<Module>,
    /// Problems found while bundling (unresolved requires, missing `--!strict`).
    pub findings: Vec<Finding>,
    /// Per module: locals bound to a `require` (their type uses are rewritten,
    /// so "never used" lints on them are artefacts of bundling).
    pub require_aliases: Vec<Vec<String>>,
}

pub fn load(root: &Path) -> std::io::Result<Vec<Module>> {
    let root_name = root
        .canonicalize()?
        .file_name()
        .map_or_else(|| "root".to_string(), |n| n.to_string_lossy().into_owned());
    let mut modules = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !entry.file_type().is_file() || !(ext == "luau" || ext == "lua") {
            continue;
        }
        let rel: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let mut inst = vec![root_name.clone()];
        let comps: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        inst.extend(comps[..comps.len() - 1].iter().cloned());
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (name, is_module) = match stem
            .strip_suffix(".server")
            .or_else(|| stem.strip_suffix(".client"))
        {
            Some(n) => (n.to_string(), false),
            None => (stem, true),
        };
        if name != "init" {
            inst.push(name);
        }
        modules.push(Module {
            rel: comps.join("/"),
            inst,
            source: fs::read_to_string(path)?,
            is_module,
        });
    }
    Ok(modules)
}

/// Maps `game` service paths to package folders using `*.project.json` files in the root.
fn project_mounts(root: &Path, root_name: &str) -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(
        node: &serde_json::Value,
        game_path: &mut Vec<String>,
        root_name: &str,
        out: &mut Vec<(Vec<String>, Vec<String>)>,
    ) {
        if let Some(p) = node.get("$path").and_then(serde_json::Value::as_str) {
            let mut inst = vec![root_name.to_string()];
            inst.extend(
                p.split('/')
                    .filter(|c| !c.is_empty() && *c != ".")
                    .map(str::to_string),
            );
            let last = inst.last().cloned().unwrap_or_default();
            if let Some(stripped) = last
                .strip_suffix(".luau")
                .or_else(|| last.strip_suffix(".lua"))
            {
                *inst.last_mut().unwrap() = stripped.to_string();
            }
            if p == "." || p.is_empty() {
                inst.truncate(1);
            }
            out.push((game_path.clone(), inst));
        }
        for (k, v) in node.as_object().into_iter().flatten() {
            if !k.starts_with('$') {
                game_path.push(k.clone());
                walk(v, game_path, root_name, out);
                game_path.pop();
            }
        }
    }
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir(root) else {
        return out;
    };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".project.json") {
            continue;
        }
        let Some(json) = fs::read_to_string(e.path())
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        if let Some(tree) = json.get("tree") {
            let mut gp = Vec::new();
            let is_game =
                tree.get("$className").and_then(serde_json::Value::as_str) == Some("DataModel");
            if is_game {
                gp.push("game".to_string());
            }
            walk(tree, &mut gp, root_name, &mut out);
        }
    }
    out
}

/// A top-level `type` / `export type` statement.
#[derive(Debug)]
struct TypeStmt {
    name: String,
    /// `<T, U...>` with defaults as declared, or empty.
    generics_decl: String,
    first_tok: usize,
    last_tok: usize,
}

fn is_sym(toks: &[Token], src: &str, i: usize, s: &str) -> bool {
    toks.get(i)
        .is_some_and(|t| t.kind == Kind::Symbol && t.text(src) == s)
}

fn is_ident(toks: &[Token], src: &str, i: usize, s: &str) -> bool {
    toks.get(i)
        .is_some_and(|t| t.kind == Kind::Ident && t.text(src) == s)
}

/// Index of the token closing the bracket opened at `open`.
fn matching(toks: &[Token], src: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.kind != Kind::Symbol {
            continue;
        }
        match t.text(src) {
            "(" | "{" | "[" => depth += 1,
            ")" | "}" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn type_statements(toks: &[Token], src: &str) -> Vec<TypeStmt> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let at_col0 = t.col == 0 && t.kind == Kind::Ident;
        let head = if at_col0 && t.text(src) == "export" && is_ident(toks, src, i + 1, "type") {
            Some(i + 2)
        } else if at_col0 && t.text(src) == "type" {
            Some(i + 1)
        } else {
            None
        };
        let Some(name_i) = head else {
            i += 1;
            continue;
        };
        if toks
            .get(name_i)
            .is_none_or(|n| n.kind != Kind::Ident || n.text(src) == "function")
        {
            i += 1;
            continue;
        }
        let name = toks[name_i].text(src).to_string();
        let mut j = name_i + 1;
        let mut generics_decl = String::new();
        if is_sym(toks, src, j, "<") {
            let close = (j..toks.len())
                .find(|&k| is_sym(toks, src, k, ">"))
                .unwrap_or(j);
            generics_decl = src[toks[j].start..toks[close].end].to_string();
            j = close + 1;
        }
        if !is_sym(toks, src, j, "=") {
            i += 1;
            continue;
        }
        let mut depth = 0i32;
        let mut last = j;
        let mut k = j + 1;
        while k < toks.len() {
            let tk = &toks[k];
            let text = tk.text(src);
            let continues = matches!(text, "|" | "&" | ")" | "}" | "]" | ">" | "->" | "?");
            if depth <= 0 && k > j + 1 && tk.line > toks[k - 1].line && tk.col == 0 && !continues {
                break;
            }
            if tk.kind == Kind::Symbol {
                match text {
                    "(" | "{" | "[" | "<" => depth += 1,
                    ")" | "}" | "]" | ">" => depth -= 1,
                    _ => {}
                }
            }
            last = k;
            k += 1;
        }
        out.push(TypeStmt {
            name,
            generics_decl,
            first_tok: i,
            last_tok: last,
        });
        i = last + 1;
    }
    out
}

/// Evaluates an instance expression starting at token `i`; returns the path and the next token index.
fn eval_instance(
    toks: &[Token],
    src: &str,
    mut i: usize,
    me: &[String],
    bindings: &HashMap<String, Vec<String>>,
) -> Option<(Vec<String>, usize)> {
    let t = toks.get(i)?;
    if t.kind != Kind::Ident {
        return None;
    }
    let mut path = match t.text(src) {
        "script" => me.to_vec(),
        "game" if is_sym(toks, src, i + 1, ":") && is_ident(toks, src, i + 2, "GetService") => {
            let s = toks.get(i + 4).filter(|s| s.kind == Kind::Str)?;
            i += 5;
            vec!["game".to_string(), unquote(s.text(src))]
        }
        name => bindings.get(name)?.clone(),
    };
    i += 1;
    loop {
        if is_sym(toks, src, i, ".") && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Ident) {
            let name = toks[i + 1].text(src);
            if name == "Parent" {
                path.pop()?;
            } else {
                path.push(name.to_string());
            }
            i += 2;
        } else if is_sym(toks, src, i, "[")
            && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Str)
            && is_sym(toks, src, i + 2, "]")
        {
            path.push(unquote(toks[i + 1].text(src)));
            i += 3;
        } else if is_sym(toks, src, i, ":")
            && (is_ident(toks, src, i + 1, "WaitForChild")
                || is_ident(toks, src, i + 1, "FindFirstChild"))
            && is_sym(toks, src, i + 2, "(")
        {
            let s = toks.get(i + 3).filter(|s| s.kind == Kind::Str)?;
            path.push(unquote(s.text(src)));
            i = matching(toks, src, i + 2)? + 1;
        } else {
            return Some((path, i));
        }
    }
}

fn unquote(s: &str) -> String {
    s.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

struct Parsed {
    toks: Vec<Token>,
    types: Vec<TypeStmt>,
    /// (first token, last token, target module) per resolved require.
    requires: Vec<(usize, usize, usize)>,
    /// local alias -> module index.
    aliases: HashMap<String, usize>,
    /// (first token, last token) per unresolved require (already reported).
    unresolved: Vec<(usize, usize)>,
}

fn mangled(k: usize, name: &str) -> String {
    format!("__vs_{k}_{name}")
}

/// Rewrites bundler names in a checker message back to `Module.Name`.
pub fn readable(message: &str, modules: &[Module]) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("__vs_") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 5..];
        let tail = tail
            .strip_prefix("mod_")
            .or_else(|| tail.strip_prefix("w_"))
            .unwrap_or(tail);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let module = tail[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|k| modules.get(k));
        let after = &tail[digits..];
        let name_len = after.strip_prefix('_').map_or(0, |n| {
            1 + n
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .count()
        });
        let module_name = module
            .and_then(|m| m.inst.last())
            .cloned()
            .unwrap_or_default();
        if name_len > 0 {
            out.push_str(&format!("{module_name}.{}", &after[1..name_len]));
        } else {
            out.push_str(&module_name);
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

pub fn build(root: &Path) -> std::io::Result<Bundle> {
    let modules = load(root)?;
    let root_name = modules
        .first()
        .map(|m| m.inst[0].clone())
        .unwrap_or_default();
    let mounts = project_mounts(root, &root_name);
    let by_inst: HashMap<Vec<String>, usize> = modules
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_module)
        .map(|(i, m)| (m.inst.clone(), i))
        .collect();
    let mut findings = Vec::new();
    let mut parsed = Vec::new();

    for m in &modules {
        let src = &m.source;
        let head: Vec<&str> = src
            .lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with("--"))
            .collect();
        if !head.iter().any(|l| l.trim() == "--!strict") {
            findings.push(Finding {
                file: m.rel.clone(),
                line: 1,
                col: 1,
                message: "module is not `--!strict`".into(),
            });
        }
        let toks = tokenize(src);
        let types = type_statements(&toks, src);
        let mut requires = Vec::new();
        let mut unresolved = Vec::new();
        let mut aliases = HashMap::new();
        let mut bindings: HashMap<String, Vec<String>> = HashMap::new();
        let mut i = 0;
        while i < toks.len() {
            // local Name = <instance expression>  (not a require)
            if is_ident(&toks, src, i, "local")
                && toks.get(i + 1).is_some_and(|t| t.kind == Kind::Ident)
                && is_sym(&toks, src, i + 2, "=")
                && !is_ident(&toks, src, i + 3, "require")
            {
                if let Some((p, _)) = eval_instance(&toks, src, i + 3, &m.inst, &bindings) {
                    bindings.insert(toks[i + 1].text(src).to_string(), p);
                }
            }
            if is_ident(&toks, src, i, "require") && is_sym(&toks, src, i + 1, "(") {
                let close = matching(&toks, src, i + 1).unwrap_or(i + 1);
                let target = eval_instance(&toks, src, i + 2, &m.inst, &bindings)
                    .filter(|(_, end)| *end == close)
                    .map(|(p, _)| translate(p, &mounts))
                    .and_then(|p| by_inst.get(&p).copied());
                match target {
                    Some(j) => {
                        requires.push((i, close, j));
                        if i >= 3
                            && is_sym(&toks, src, i - 1, "=")
                            && toks[i - 2].kind == Kind::Ident
                            && is_ident(&toks, src, i - 3, "local")
                        {
                            aliases.insert(toks[i - 2].text(src).to_string(), j);
                        }
                    }
                    None => {
                        unresolved.push((i, close));
                        findings.push(Finding {
                            file: m.rel.clone(),
                            line: toks[i].line + 1,
                            col: toks[i].col + 1,
                            message: format!(
                                "cannot resolve `{}` to a module of this package",
                                &src[toks[i].start..toks[close].end]
                            ),
                        })
                    }
                }
                i = close + 1;
                continue;
            }
            i += 1;
        }
        parsed.push(Parsed {
            toks,
            types,
            requires,
            aliases,
            unresolved,
        });
    }

    // Dependency order (depth-first); cycles are reported.
    let mut order = Vec::new();
    let mut state = vec![0u8; modules.len()];
    fn visit(
        k: usize,
        parsed: &[Parsed],
        state: &mut [u8],
        order: &mut Vec<usize>,
        cyc: &mut Vec<usize>,
    ) {
        match state[k] {
            2 => return,
            1 => {
                cyc.push(k);
                return;
            }
            _ => {}
        }
        state[k] = 1;
        for &(_, _, j) in &parsed[k].requires {
            visit(j, parsed, state, order, cyc);
        }
        state[k] = 2;
        order.push(k);
    }
    let mut cycles = Vec::new();
    for k in 0..modules.len() {
        visit(k, &parsed, &mut state, &mut order, &mut cycles);
    }
    for k in cycles {
        findings.push(Finding {
            file: modules[k].rel.clone(),
            line: 1,
            col: 1,
            message: "cyclic require".into(),
        });
    }

    // Exported type names per module (what `Alias.Name` may refer to).
    let type_names: Vec<BTreeMap<&str, ()>> = parsed
        .iter()
        .zip(&modules)
        .map(|(p, m)| {
            p.types
                .iter()
                .filter(|t| is_ident(&p.toks, &m.source, t.first_tok, "export"))
                .map(|t| (t.name.as_str(), ()))
                .collect()
        })
        .collect();

    let mut lines: Vec<(String, Option<(usize, usize)>)> = vec![("--!strict".into(), None)];
    for &k in &order {
        let (m, p) = (&modules[k], &parsed[k]);
        let src = &m.source;
        let mut edits = Vec::new();
        // `export` is only legal at a chunk's top level; blank it (columns stay put).
        for ts in &p.types {
            let t = &p.toks[ts.first_tok];
            if t.text(src) == "export" {
                edits.push((t.start, t.end, " ".repeat(t.end - t.start)));
            }
        }
        for (n, line) in src
            .lines()
            .enumerate()
            .take_while(|(_, l)| l.trim().is_empty() || l.trim_start().starts_with("--"))
        {
            if line.trim_start().starts_with("--!") {
                let a = src.lines().take(n).map(|l| l.len() + 1).sum::<usize>();
                edits.push((a, a + line.len(), String::new()));
            }
        }
        // Reported once above; `any` keeps the checker from repeating it.
        for &(a, b) in &p.unresolved {
            edits.push((p.toks[a].start, p.toks[b].end, "(nil :: any)".to_string()));
        }
        for &(a, b, j) in &p.requires {
            edits.push((p.toks[a].start, p.toks[b].end, format!("__vs_mod_{j}")));
        }
        if !p.toks.is_empty() {
            rename_types(
                k,
                p,
                src,
                &type_names,
                0,
                p.toks.len() - 1,
                false,
                &mut edits,
            );
        }
        // Exported non-generic types leave the loader as typed witnesses:
        // `type __vs_k_T = typeof(witness)` then carries the exact type,
        // including `typeof(setmetatable(...))` class types.
        let exported: Vec<&TypeStmt> = p
            .types
            .iter()
            .filter(|t| type_names[k].contains_key(t.name.as_str()))
            .collect();
        let witnesses: Vec<&TypeStmt> = exported
            .iter()
            .copied()
            .filter(|t| t.generics_decl.is_empty())
            .collect();
        let final_return = final_return(&p.toks, src);
        if m.is_module && !witnesses.is_empty() {
            if let Some(end) = final_return {
                let extra: String = witnesses
                    .iter()
                    .map(|t| format!(", (nil :: any) :: {}", t.name))
                    .collect();
                edits.push((end, end, extra));
            }
        }
        let body = apply(src, 0, edits);
        let opener = if m.is_module {
            format!("local function __vs_load_{k}()")
        } else {
            "do".to_string()
        };
        lines.push((opener, None));
        for (n, l) in body.lines().enumerate() {
            lines.push((l.to_string(), Some((k, n))));
        }
        lines.push(("end".into(), None));
        if !m.is_module {
            continue;
        }
        let names: String = if final_return.is_some() {
            witnesses
                .iter()
                .map(|t| format!(", __vs_w_{k}_{}", t.name))
                .collect()
        } else {
            String::new()
        };
        lines.push((format!("local __vs_mod_{k}{names} = __vs_load_{k}()"), None));
        if final_return.is_some() {
            for t in &witnesses {
                lines.push((
                    format!(
                        "type {} = typeof(__vs_w_{k}_{})",
                        mangled(k, &t.name),
                        t.name
                    ),
                    None,
                ));
            }
        }
        // Generic exported types are copied with their names rewritten.
        for ts in exported.iter().filter(|t| !t.generics_decl.is_empty()) {
            let mut edits = Vec::new();
            let first = &p.toks[ts.first_tok];
            edits.push((first.start, p.toks[ts.first_tok + 1].start, String::new()));
            rename_types(
                k,
                p,
                src,
                &type_names,
                ts.first_tok,
                ts.last_tok,
                true,
                &mut edits,
            );
            let text = apply(
                &src[first.start..p.toks[ts.last_tok].end],
                first.start,
                edits,
            );
            for (n, l) in text.lines().enumerate() {
                lines.push((l.to_string(), Some((k, first.line + n))));
            }
        }
    }
    let text = lines
        .iter()
        .map(|(l, _)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let origin = lines.into_iter().map(|(_, o)| o).collect();
    let require_aliases = parsed
        .iter()
        .map(|p| p.aliases.keys().cloned().collect())
        .collect();
    Ok(Bundle {
        text,
        origin,
        modules,
        findings,
        require_aliases,
    })
}

/// Byte offset just after the module's final top-level `return <expr>`.
fn final_return(toks: &[Token], src: &str) -> Option<usize> {
    let at = toks
        .iter()
        .rposition(|t| t.col == 0 && t.kind == Kind::Ident && t.text(src) == "return")?;
    (at + 1 < toks.len())
        .then(|| toks.last().map(|t| t.end))
        .flatten()
}

/// Rewrites type names between tokens `from..=to`: `Alias.Name` for an
/// exported type of a required module, and (in hoisted text) bare local type
/// names of module `k`.
#[allow(clippy::too_many_arguments)]
fn rename_types(
    k: usize,
    p: &Parsed,
    src: &str,
    type_names: &[BTreeMap<&str, ()>],
    from: usize,
    to: usize,
    hoisted: bool,
    edits: &mut Vec<(usize, usize, String)>,
) {
    let toks = &p.toks;
    let mut i = from;
    while i <= to {
        let t = &toks[i];
        if t.kind == Kind::Ident {
            let name = t.text(src);
            let after_dot = i > 0 && is_sym(toks, src, i - 1, ".");
            if let Some(&j) = p.aliases.get(name).filter(|_| !after_dot) {
                if is_sym(toks, src, i + 1, ".") && i + 2 <= to {
                    let field = toks[i + 2].text(src);
                    let next = toks.get(i + 3).map(|n| n.text(src)).unwrap_or("");
                    let value_use = matches!(next, "(" | "." | "[" | "=" | ":" | "{")
                        || toks.get(i + 3).is_some_and(|n| n.kind == Kind::Str);
                    // After `:` (annotation), `::` (cast) or `->` (return
                    // type) the name is a type even when `=` follows, as in
                    // `local s: Module.T = value`.
                    let annotated = i > 0
                        && toks[i - 1].kind == Kind::Symbol
                        && matches!(toks[i - 1].text(src), ":" | "::" | "->");
                    if type_names[j].contains_key(field) && (hoisted || annotated || !value_use) {
                        edits.push((t.start, toks[i + 2].end, mangled(j, field)));
                        i += 3;
                        continue;
                    }
                }
            }
            if hoisted
                && !after_dot
                && type_names[k].contains_key(name)
                && !is_sym(toks, src, i + 1, ":")
            {
                edits.push((t.start, t.end, mangled(k, name)));
            }
        }
        i += 1;
    }
}

/// Maps a `game` path through the mount with the longest matching prefix: a
/// project node's own `$path` children sit inside a service that itself has
/// a `$path` (`ServerScriptService` from `src/server`, with `VirtualStore`
/// from `build/VirtualStore` beside the folder's files), as in Rojo.
fn translate(path: Vec<String>, mounts: &[(Vec<String>, Vec<String>)]) -> Vec<String> {
    let best = mounts
        .iter()
        .filter(|(game, _)| path.len() >= game.len() && path[..game.len()] == game[..])
        .max_by_key(|(game, _)| game.len());
    match best {
        Some((game, inst)) => {
            let mut out = inst.clone();
            out.extend(path[game.len()..].iter().cloned());
            out
        }
        None => path,
    }
}

fn apply(text: &str, base: usize, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len());
    let mut pos = base;
    for (a, b, r) in edits {
        if a < pos {
            continue;
        }
        out.push_str(&text[pos - base..a - base]);
        out.push_str(&r);
        pos = b;
    }
    out.push_str(&text[pos - base..]);
    out
}
