//! Reads `virtualstore.toml` into `model::Project`, reporting every structural
//! problem (unknown keys, wrong value types, bad types, defaults, paths,
//! settings) with the exact span. Semantic checks that need the whole project
//! (Luau files, history) live in `check`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::check::diagnostic::{Diagnostic, SourceFile};
use crate::core::settings::{self, ROBLOX_MAX_KEY_CHARS};

use super::exposure;
use super::model::{
    Field, Migration, Operation, Project, Span, Store, StoreKind, TemplateField, Type,
};
use super::paths::{self, PathProblem};
use super::tree::{self, Entry, Item, Node};
use super::types;

mod leaderboards;

/// Where the parts of one store are written, for checks that run after loading.
#[derive(Debug, Clone, Default)]
pub struct StoreSpans {
    pub name: Span,
    pub version: Span,
    /// `(to span, file span)` per migration, in the order of `Store::migrations`.
    pub migrations: Vec<(Span, Span)>,
    /// `(name span, file span, writes spans)` per operation, in order.
    pub operations: Vec<(Span, Span, Vec<Span>)>,
}

/// The loaded project, the spans of its stores, and what was wrong with it.
pub struct Loaded {
    pub project: Project,
    pub spans: Vec<StoreSpans>,
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// Luau sources: `(relative file name, text)` for migrations and handlers that exist.
    pub files: BTreeMap<PathBuf, SourceFile>,
}

pub const PROJECT_FILE: &str = "virtualstore.toml";

struct Cx<'a> {
    src: &'a SourceFile,
    diags: Vec<Diagnostic>,
    root: &'a Path,
    files: BTreeMap<PathBuf, SourceFile>,
}

impl Cx<'_> {
    fn error(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::error(code, self.src, span, msg)
                .label(label)
                .help(help),
        );
    }

    fn warn(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::warning(code, self.src, span, msg)
                .label(label)
                .help(help),
        );
    }

    fn wrong_type(&mut self, item: &Item, what: &str, expected: &str) {
        self.error(
            "VS1003",
            item.span,
            format!("`{what}` must be {expected}, found {}", item.node.kind()),
            format!("expected {expected}"),
            format!("write `{what}` as {expected}"),
        );
    }

    fn table<'i>(&mut self, item: &'i Item, what: &str) -> Option<&'i [Entry]> {
        match &item.node {
            Node::Table(e) => Some(e),
            _ => {
                self.wrong_type(item, what, "a table");
                None
            }
        }
    }

    fn string<'i>(&mut self, item: &'i Item, what: &str) -> Option<&'i str> {
        match &item.node {
            Node::Str(s) => Some(s),
            _ => {
                self.wrong_type(item, what, "a string");
                None
            }
        }
    }

    fn known(&mut self, entries: &[Entry], allowed: &[&str], within: &str) {
        for e in entries {
            if !allowed.contains(&e.key.as_str()) {
                let help = match closest(&e.key, allowed.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? {within} accepts: {}",
                        allowed.join(", ")
                    ),
                    None => format!("{within} accepts: {}", allowed.join(", ")),
                };
                self.error(
                    "VS1002",
                    e.key_span,
                    format!("unknown key `{}` in {within}", e.key),
                    "not a known key",
                    help,
                );
            }
        }
    }

    fn missing(&mut self, span: Span, key: &str, within: &str, example: &str) {
        self.error(
            "VS1004",
            span,
            format!("{within} is missing `{key}`"),
            format!("`{key}` is required here"),
            format!("add {example}"),
        );
    }

    /// Maps a span inside a string value back into the file.
    fn inner_span(&self, item: &Item, inner: Span) -> Span {
        let text = self.src.text();
        let raw = text.get(item.span.start..item.span.end).unwrap_or("");
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let body = raw
            .get(quote..raw.len().saturating_sub(quote))
            .unwrap_or("");
        let Node::Str(value) = &item.node else {
            return item.span;
        };
        if body == value {
            return Span {
                start: item.span.start + quote + inner.start,
                end: item.span.start + quote + inner.end,
            };
        }
        // A basic string with escapes: map decoded offsets back through them.
        match escaped_offsets(body, value) {
            Some(map) => {
                let at =
                    |i: usize| item.span.start + quote + map.get(i).copied().unwrap_or(body.len());
                Span {
                    start: at(inner.start),
                    end: at(inner.end),
                }
            }
            None => item.span,
        }
    }
}

/// For each byte offset of the decoded `value` (and one past its end), the
/// offset in the raw string `body`; `None` if the escapes are not understood.
fn escaped_offsets(body: &str, value: &str) -> Option<Vec<usize>> {
    let raw = body.as_bytes();
    let mut map = Vec::with_capacity(value.len() + 1);
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            let (len, decoded) = match raw.get(i + 1)? {
                b'u' => (
                    6,
                    char::from_u32(u32::from_str_radix(body.get(i + 2..i + 6)?, 16).ok()?)?
                        .len_utf8(),
                ),
                b'U' => (
                    10,
                    char::from_u32(u32::from_str_radix(body.get(i + 2..i + 10)?, 16).ok()?)?
                        .len_utf8(),
                ),
                b'"' | b'\\' | b'n' | b't' | b'r' | b'b' | b'f' | b'e' => (2, 1),
                _ => return None,
            };
            map.extend(std::iter::repeat_n(i, decoded));
            i += len;
        } else {
            map.push(i);
            i += 1;
        }
    }
    map.push(raw.len());
    (map.len() == value.len() + 1).then_some(map)
}

fn get<'e>(entries: &'e [Entry], key: &str) -> Option<&'e Entry> {
    entries.iter().find(|e| e.key == key)
}

/// The allowed word closest to `word`, if it is a plausible typo.
pub fn closest<'a>(word: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lw = word.to_lowercase();
    options
        .map(|o| (distance(&lw, &o.to_lowercase()), o))
        .filter(|(d, o)| *d <= (o.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Loads and checks `virtualstore.toml` under `root`. `Err` only when the file cannot be read.
pub fn load(root: &Path) -> Result<Loaded, Diagnostic> {
    let path = root.join(PROJECT_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::io(
            "VS0001",
            format!("cannot read {PROJECT_FILE} in {}: {e}", root.display()),
            "run `vstore init` to create a project, or pass `--project DIR`",
        )
    })?;
    Ok(load_str(root, text))
}

/// Loads a project from its text (the root is used to find Luau files).
pub fn load_str(root: &Path, text: String) -> Loaded {
    let src = SourceFile::new(PROJECT_FILE, text);
    let mut cx = Cx {
        src: &src,
        diags: Vec::new(),
        root,
        files: BTreeMap::new(),
    };
    let mut project = Project {
        root: root.to_path_buf(),
        out: PathBuf::from("build"),
        types: Vec::new(),
        stores: Vec::new(),
        typescript: false,
    };
    let mut spans = Vec::new();
    match tree::parse(src.text()) {
        Err(e) => {
            let dup = e.message.contains("duplicate key");
            let (code, label, help) = if dup {
                (
                    "VS1005",
                    "defined again here",
                    "each name may be defined once; rename or merge the two definitions",
                )
            } else {
                (
                    "VS1001",
                    "invalid TOML",
                    "fix the TOML syntax at this point",
                )
            };
            let span = if e.span.start == e.span.end {
                Span {
                    start: e.span.start,
                    end: e.span.start + 1,
                }
            } else {
                e.span
            };
            cx.error(
                code,
                span,
                format!("invalid TOML: {}", e.message),
                label,
                help,
            );
        }
        Ok(root_entries) => {
            cx.known(
                &root_entries,
                &["project", "types", "stores"],
                "the project file",
            );
            if let Some(p) = get(&root_entries, "project") {
                if let Some(entries) = cx.table(&p.value, "project") {
                    cx.known(entries, &["out", "typescript"], "[project]");
                    if let Some(out) = get(entries, "out") {
                        if let Some(s) = cx.string(&out.value, "out") {
                            if s.is_empty()
                                || Path::new(s).is_absolute()
                                || s.split(['/', '\\']).any(|c| c == "..")
                            {
                                cx.error(
                                    "VS3007",
                                    out.value.span,
                                    "`out` must be a relative folder inside the project",
                                    "not a project-relative folder",
                                    "write a folder name such as `out = \"build\"`",
                                );
                            } else {
                                project.out = PathBuf::from(s);
                            }
                        }
                    }
                    if let Some(ts) = get(entries, "typescript") {
                        match ts.value.node {
                            Node::Bool(b) => project.typescript = b,
                            _ => cx.wrong_type(&ts.value, "typescript", "a boolean"),
                        }
                    }
                }
            }
            let mut type_spans = Vec::new();
            if let Some(t) = get(&root_entries, "types") {
                if let Some(entries) = cx.table(&t.value, "types") {
                    load_types(&mut cx, entries, &mut project, &mut type_spans);
                }
            }
            match get(&root_entries, "stores") {
                None => cx.missing(root_entries.first().map(|e| e.key_span).unwrap_or(Span { start: 0, end: src.text().len().min(1) }), "stores", "the project file", "a store such as `[stores.PlayerData]` with `kind`, `version` and a `[stores.PlayerData.template]`"),
                Some(s) => {
                    if let Some(entries) = cx.table(&s.value, "stores") {
                        if entries.is_empty() {
                            cx.missing(s.key_span, "a store", "[stores]", "a store such as `[stores.PlayerData]`");
                        }
                        for e in entries {
                            if let Some((store, sp)) = load_store(&mut cx, e, &project.types) {
                                project.stores.push(store);
                                spans.push(sp);
                            }
                        }
                    }
                }
            }
        }
    }
    let files = std::mem::take(&mut cx.files);
    let diagnostics = cx.diags;
    Loaded {
        project,
        spans,
        source: src,
        diagnostics,
        files,
    }
}

const BUILTINS: &[&str] = &["integer", "number", "string", "boolean"];

/// Type names the generated modules export beside the schema's own types
/// (`Types.luau`, the store module, the client module), and Luau's built-in
/// type names: a `[types]` entry or an operation (whose payload type takes
/// its name) called one of these would clash with them.
const GENERATED_TYPE_NAMES: &[&str] = &[
    "Data",
    "PublicData",
    "PublicPath",
    "State",
    "Connection",
    "Path",
    "Replica",
    "Session",
    "Store",
    "Facade",
    "Signal",
    "LoadState",
    "VirtualError",
    "any",
    "nil",
    "never",
    "unknown",
    "thread",
    "buffer",
    "vector",
    "userdata",
    "true",
    "false",
];

/// Why `name` cannot become an exported Luau type name, if it cannot.
fn generated_name_clash(name: &str) -> Option<String> {
    if GENERATED_TYPE_NAMES.contains(&name) {
        return Some(format!(
            "the generated modules already export a type named `{name}`"
        ));
    }
    let digits = name.strip_prefix('V')?;
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!(
            "`V<n>` names are the generated per-version data types (`{name}` is version {digits})"
        ));
    }
    None
}

fn load_types(cx: &mut Cx, entries: &[Entry], project: &mut Project, type_spans: &mut Vec<Span>) {
    let mut refs: Vec<(usize, Vec<(String, Span)>)> = Vec::new();
    for e in entries {
        if !is_ident(&e.key) || BUILTINS.contains(&e.key.as_str()) {
            cx.error(
                "VS2008",
                e.key_span,
                format!("`{}` cannot name a type", e.key),
                "invalid type name",
                "type names are identifiers (letters, digits, `_`) other than the built-in types",
            );
            continue;
        }
        if let Some(why) = generated_name_clash(&e.key) {
            cx.error(
                "VS2008",
                e.key_span,
                format!("`{}` cannot name a type: {why}", e.key),
                "clashes with a generated type",
                "rename the type, for example with a game-specific prefix",
            );
            continue;
        }
        let Some(text) = cx.string(&e.value, &e.key) else {
            continue;
        };
        if let Some(p) = parse_type(cx, &e.value, text) {
            let mapped = p
                .names
                .iter()
                .map(|(n, s)| (n.clone(), cx.inner_span(&e.value, *s)))
                .collect();
            refs.push((project.types.len(), mapped));
            project.types.push((e.key.clone(), p.ty));
            type_spans.push(e.key_span);
        }
    }
    for (_, names) in &refs {
        for (n, span) in names {
            unknown_name(cx, n, *span, &project.types);
        }
    }
    // Cycles: a named type that can reach itself can never be stored.
    let graph: Vec<Vec<usize>> = refs
        .iter()
        .map(|(_, names)| {
            names
                .iter()
                .filter_map(|(n, _)| project.types.iter().position(|(k, _)| k == n))
                .collect()
        })
        .collect();
    let mut reported = BTreeSet::new();
    for (start, start_span) in type_spans.iter().copied().enumerate() {
        let mut stack = vec![(start, vec![start])];
        let mut seen = BTreeSet::new();
        while let Some((node, trail)) = stack.pop() {
            for &next in &graph[node] {
                if next == start {
                    if trail.iter().all(|t| !reported.contains(t)) {
                        reported.extend(trail.iter().copied());
                        let names: Vec<&str> = trail
                            .iter()
                            .map(|&i| project.types[i].0.as_str())
                            .chain([project.types[start].0.as_str()])
                            .collect();
                        let (_, names_in) = &refs[node];
                        let span = names_in
                            .iter()
                            .find(|(n, _)| *n == project.types[start].0)
                            .map(|(_, s)| *s)
                            .unwrap_or(start_span);
                        cx.error(
                            "VS2005",
                            span,
                            format!("named type `{}` refers to itself: {}", project.types[start].0, names.join(" -> ")),
                            "this reference closes the cycle",
                            "stored data must be finite: refer to the other value by an id (a string) and keep those values in a map",
                        );
                    }
                } else if seen.insert(next) {
                    let mut t = trail.clone();
                    t.push(next);
                    stack.push((next, t));
                }
            }
        }
    }
}

fn unknown_name(cx: &mut Cx, name: &str, span: Span, types: &[(String, Type)]) {
    if types.iter().any(|(k, _)| k == name) {
        return;
    }
    let all: Vec<&str> = BUILTINS
        .iter()
        .copied()
        .chain(types.iter().map(|(k, _)| k.as_str()))
        .collect();
    let help = match closest(name, all.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? Declare named types under [types]"),
        None => {
            "declare it under [types], or use a built-in type: integer, number, string, boolean"
                .into()
        }
    };
    cx.error(
        "VS2004",
        span,
        format!("unknown type `{name}`"),
        "not a built-in or declared type",
        help,
    );
}

/// Reads a type string at `item`, parses it and reports names that are not
/// declared under `[types]`; `None` when any of that failed (already reported).
/// Returns the parsed type and its source text.
fn declared_type<'i>(
    cx: &mut Cx,
    item: &'i Item,
    what: &str,
    types: &[(String, Type)],
) -> Option<(types::Parsed, &'i str)> {
    let text = cx.string(item, what)?;
    let parsed = parse_type(cx, item, text)?;
    let mut bad = false;
    for (n, s) in &parsed.names {
        if !types.iter().any(|(k, _)| k == n) {
            let span = cx.inner_span(item, *s);
            unknown_name(cx, n, span, types);
            bad = true;
        }
    }
    (!bad).then_some((parsed, text))
}

fn parse_type(cx: &mut Cx, item: &Item, text: &str) -> Option<types::Parsed> {
    match types::parse(text) {
        Ok(p) => Some(p),
        Err(e) => {
            let span = cx.inner_span(item, e.span);
            cx.error(
                e.code,
                span,
                format!("invalid type: {}", e.message),
                "here",
                e.help,
            );
            None
        }
    }
}

fn load_store(cx: &mut Cx, e: &Entry, types: &[(String, Type)]) -> Option<(Store, StoreSpans)> {
    let name = e.key.clone();
    let entries = cx.table(&e.value, &format!("stores.{name}"))?;
    let within = format!("[stores.{name}]");
    cx.known(
        entries,
        &[
            "kind",
            "version",
            "settings",
            "template",
            "public",
            "migrations",
            "operations",
            "leaderboards",
        ],
        &within,
    );
    if name.chars().count() > ROBLOX_MAX_KEY_CHARS {
        cx.error(
            "VS3201",
            e.key_span,
            format!(
                "store name `{name}` is {} characters; Roblox allows {ROBLOX_MAX_KEY_CHARS}",
                name.chars().count()
            ),
            "too long for a DataStore name",
            format!("shorten the store name to at most {ROBLOX_MAX_KEY_CHARS} characters"),
        );
    } else if !is_ident(&name) {
        cx.error("VS3202", e.key_span, format!("store name `{name}` is not an identifier"), "invalid store name", "store names become Luau module names: use letters, digits and `_`, starting with a letter");
    }
    let mut spans = StoreSpans {
        name: e.key_span,
        version: e.key_span,
        ..Default::default()
    };
    let kind = match get(entries, "kind") {
        None => {
            cx.missing(
                e.key_span,
                "kind",
                &within,
                "`kind = \"players\"` or `kind = \"keyed\"`",
            );
            StoreKind::Players
        }
        Some(k) => match &k.value.node {
            Node::Str(s) if s == "players" => StoreKind::Players,
            Node::Str(s) if s == "keyed" => StoreKind::Keyed,
            Node::Str(s) => {
                cx.error("VS1006", k.value.span, format!("unknown store kind \"{s}\""), "not a store kind", "use \"players\" (player facade over Player_<UserId>) or \"keyed\" (core Store)");
                StoreKind::Players
            }
            _ => {
                cx.wrong_type(&k.value, "kind", "a string");
                StoreKind::Players
            }
        },
    };
    let version = match get(entries, "version") {
        None => {
            cx.missing(e.key_span, "version", &within, "`version = 1`");
            1
        }
        Some(v) => {
            spans.version = v.value.span;
            match v.value.node {
                Node::Int(n) if (1..=i64::from(u32::MAX)).contains(&n) => n as u32,
                Node::Int(_) => {
                    cx.error(
                        "VS3006",
                        v.value.span,
                        "`version` must be at least 1",
                        "out of range",
                        "schema versions start at 1 and go up by one per migration",
                    );
                    1
                }
                _ => {
                    cx.wrong_type(&v.value, "version", "an integer");
                    1
                }
            }
        }
    };
    let mut store = Store {
        name: name.clone(),
        kind,
        version,
        settings: BTreeMap::new(),
        shape: Type::Record(Vec::new()),
        template: Vec::new(),
        defaults: serde_json::Value::Object(Default::default()),
        public: Vec::new(),
        channel: name.clone(),
        migrations: Vec::new(),
        operations: Vec::new(),
        leaderboards: Vec::new(),
    };
    if let Some(s) = get(entries, "settings") {
        if let Some(se) = cx.table(&s.value, "settings") {
            load_settings(cx, se, &mut store);
        }
    }
    match get(entries, "template") {
        None => cx.missing(
            e.key_span,
            "template",
            &within,
            &format!("a `[stores.{name}.template]` table with at least one field"),
        ),
        Some(t) => {
            if let Some(te) = cx.table(&t.value, "template") {
                let mut fields = Vec::new();
                load_template(cx, te, &[], types, &mut fields);
                if fields.is_empty() {
                    cx.missing(
                        t.key_span,
                        "a field",
                        &format!("[stores.{name}.template]"),
                        "a field such as `\"Wallet.Coins\" = { type = \"integer\", default = 0 }`",
                    );
                }
                build_shape(cx, &mut store, fields);
            }
        }
    }
    if let Some(p) = get(entries, "public") {
        if let Some(pe) = cx.table(&p.value, "public") {
            load_public(cx, pe, &mut store, types);
        }
    }
    if let Some(m) = get(entries, "migrations") {
        load_migrations(cx, &m.value, &mut store, &mut spans);
    }
    if let Some(o) = get(entries, "operations") {
        if let Some(oe) = cx.table(&o.value, "operations") {
            load_operations(cx, oe, &mut store, &mut spans, types);
        }
    }
    if let Some(l) = get(entries, "leaderboards") {
        if let Some(le) = cx.table(&l.value, "leaderboards") {
            leaderboards::load(cx, le, &mut store, types);
        }
    }
    Some((store, spans))
}

/// `settings = {...}` checked by `core::settings::validate` against `table`
/// (kinds, choices, bounds, then the cross-setting rules); each finding is
/// one diagnostic at the entry it names: VS3301 unknown name (`unknown` gives
/// its message, label and help), VS3302 wrong type, VS3303 not accepted or
/// out of range, VS3304 a broken rule. Returns the accepted values.
fn checked_settings(
    cx: &mut Cx,
    entries: &[Entry],
    table: &settings::SettingsTable,
    unknown: impl Fn(&str) -> (String, &'static str, String),
) -> BTreeMap<String, serde_json::Value> {
    let inputs: Vec<(&str, settings::Input)> = entries
        .iter()
        .map(|e| {
            let input = match &e.value.node {
                Node::Bool(b) => settings::Input::Bool(*b),
                Node::Int(i) => settings::Input::Int(*i),
                Node::Float(f) => settings::Input::Float(*f),
                Node::Str(s) => settings::Input::Str(s),
                _ => settings::Input::Other,
            };
            (e.key.as_str(), input)
        })
        .collect();
    let checked = settings::validate(table, &inputs);
    for finding in &checked.findings {
        let entry = finding.entry.map(|i| &entries[i]);
        let span = entry.map(|e| e.value.span).unwrap_or_default();
        let key = entry.map(|e| e.key.as_str()).unwrap_or_default();
        match &finding.problem {
            settings::Problem::Unknown => {
                let (message, label, help) = unknown(key);
                let key_span = entry.map(|e| e.key_span).unwrap_or_default();
                cx.error("VS3301", key_span, message, label, help);
            }
            settings::Problem::WrongType { expected } => {
                let found = entry.map(|e| e.value.node.kind()).unwrap_or_default();
                cx.error(
                    "VS3302",
                    span,
                    format!("setting `{key}` must be {expected}, found {found}"),
                    format!("expected {expected}"),
                    format!("write `{key}` as {expected}"),
                );
            }
            settings::Problem::NotAChoice { choices } => cx.error(
                "VS3303",
                span,
                format!("`{key}` must be one of {}", choices.join(", ")),
                "not an accepted value",
                format!("use one of: {}", choices.join(", ")),
            ),
            settings::Problem::OutOfRange { value, range } => cx.error(
                "VS3303",
                span,
                format!("setting `{key}` = {value} is out of range"),
                format!("must be {range}"),
                format!("use a value {range}"),
            ),
            settings::Problem::Rule { rule, value, other } => cx.error(
                "VS3304",
                span,
                rule.message(*value, *other),
                rule.consequence,
                rule.help_for(*other),
            ),
        }
    }
    checked.values
}

fn load_settings(cx: &mut Cx, entries: &[Entry], store: &mut Store) {
    store.settings = checked_settings(cx, entries, &settings::STORE, |key| {
        let help = match closest(key, settings::STORE_SETTINGS.iter().map(|s| s.name)) {
            Some(s) => {
                format!("did you mean `{s}`? Settings are spelled exactly as in the settings table")
            }
            None => "see docs/diagnostics.md for the list of store settings".into(),
        };
        (
            format!("unknown setting `{key}`"),
            "not a store setting",
            help,
        )
    });
}

struct RawField {
    path: Vec<String>,
    key_span: Span,
    ty: Type,
    default: serde_json::Value,
    private: Option<bool>,
}

/// The keys a template field table accepts.
pub const TEMPLATE_FIELD_KEYS: &[&str] = &["type", "default", "min", "max", "maxLength", "private"];

fn load_template(
    cx: &mut Cx,
    entries: &[Entry],
    prefix: &[String],
    types: &[(String, Type)],
    out: &mut Vec<RawField>,
) {
    for e in entries {
        let mut path: Vec<String> = prefix.to_vec();
        let segs: Vec<&str> = e.key.split('.').collect();
        if segs.iter().any(|s| !is_ident(s)) {
            cx.error(
                "VS3004",
                e.key_span,
                format!("`{}` is not a valid data path", e.key),
                "invalid path",
                "paths are dot-separated identifiers such as `Wallet.Coins`",
            );
            continue;
        }
        path.extend(segs.iter().map(|s| s.to_string()));
        if let Some((name, holds)) = exposure::reserved(&path[0]).filter(|_| prefix.is_empty()) {
            cx.error(
                "VS3008",
                e.key_span,
                format!("template path `{}` starts with the reserved name `{name}`", path.join(".")),
                "reserved for the record envelope",
                format!("rename the field: `{name}` is {holds}, which the runtime owns and never replicates"),
            );
            continue;
        }
        let Node::Table(fe) = &e.value.node else {
            cx.wrong_type(
                &e.value,
                &e.key,
                "a field table like `{ type = \"integer\", default = 0 }`",
            );
            continue;
        };
        if get(fe, "type").is_none()
            && !fe.is_empty()
            && fe.iter().all(|x| matches!(x.value.node, Node::Table(_)))
        {
            load_template(cx, fe, &path, types, out);
            continue;
        }
        cx.known(
            fe,
            TEMPLATE_FIELD_KEYS,
            &format!("template field `{}`", path.join(".")),
        );
        let private = match get(fe, "private") {
            None => None,
            Some(p) => match p.value.node {
                Node::Bool(b) => Some(b),
                _ => {
                    cx.error(
                        "VS1003",
                        p.value.span,
                        format!("`private` must be a boolean, found {}", p.value.node.kind()),
                        "expected `true` or `false`",
                        "write `private = true` to keep the field off every public path, or `private = false` to declare it safe to publish",
                    );
                    continue;
                }
            },
        };
        let Some(te) = get(fe, "type") else {
            cx.missing(
                e.key_span,
                "type",
                &format!("template field `{}`", path.join(".")),
                "`type = \"integer\"` (or another type)",
            );
            continue;
        };
        let Some((parsed, text)) = declared_type(cx, &te.value, "type", types) else {
            continue;
        };
        let Some(ty) = apply_constraints(cx, parsed.ty, fe, types) else {
            continue;
        };
        let default = match get(fe, "default") {
            Some(d) => {
                let json = d.value.node.to_json();
                if let Err(why) = paths::value_matches(&ty, &json, types) {
                    cx.error(
                        "VS3003",
                        d.value.span,
                        format!(
                            "default of `{}` does not match its type `{text}`: {why}",
                            path.join(".")
                        ),
                        "bad default",
                        "change the default so it satisfies the type and its constraints",
                    );
                    continue;
                }
                json
            }
            None if matches!(ty, Type::Optional(_)) => serde_json::Value::Null,
            None => {
                cx.missing(
                    e.key_span,
                    "default",
                    &format!("template field `{}`", path.join(".")),
                    "a `default` that matches the type (only optional `T?` fields may omit it)",
                );
                continue;
            }
        };
        out.push(RawField {
            path,
            key_span: e.key_span,
            ty,
            default,
            private,
        });
    }
}

fn apply_constraints(
    cx: &mut Cx,
    ty: Type,
    fe: &[Entry],
    types: &[(String, Type)],
) -> Option<Type> {
    let (optional, base) = match ty {
        Type::Optional(inner) => (true, *inner),
        t => (false, t),
    };
    let min = get(fe, "min");
    let max = get(fe, "max");
    let max_len = get(fe, "maxLength");
    if min.is_none() && max.is_none() && max_len.is_none() {
        let t = base;
        return Some(if optional {
            Type::Optional(Box::new(t))
        } else {
            t
        });
    }
    let resolved = match &base {
        Type::Named(n) => types
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, t)| t.clone())
            .unwrap_or(base.clone()),
        _ => base.clone(),
    };
    let num = |cx: &mut Cx, e: Option<&Entry>, int: bool| -> Result<Option<f64>, ()> {
        let Some(e) = e else { return Ok(None) };
        match e.value.node {
            Node::Int(i) => Ok(Some(i as f64)),
            Node::Float(f) if !int && f.is_finite() => Ok(Some(f)),
            _ => {
                cx.wrong_type(
                    &e.value,
                    &e.key,
                    if int { "an integer" } else { "a finite number" },
                );
                Err(())
            }
        }
    };
    let misplaced = |cx: &mut Cx, e: &Entry, needs: &str| {
        cx.error(
            "VS2006",
            e.key_span,
            format!("`{}` does not apply to this type", e.key),
            format!("only for {needs}"),
            format!("remove `{}`, or change the type to {needs}", e.key),
        );
    };
    let out = match resolved {
        Type::Integer { .. } | Type::Number { .. } => {
            let int = matches!(resolved, Type::Integer { .. });
            if let Some(l) = max_len {
                misplaced(cx, l, "string");
                return None;
            }
            let lo = num(cx, min, int).ok()?;
            let hi = num(cx, max, int).ok()?;
            if let (Some(a), Some(b)) = (lo, hi) {
                if a > b {
                    cx.error(
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
                misplaced(cx, e, "integer or number");
                return None;
            }
            let l = max_len?;
            match l.value.node {
                Node::Int(n) if n > 0 => Type::String {
                    max_len: Some(n as usize),
                },
                _ => {
                    cx.error(
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
            misplaced(
                cx,
                e,
                if e.key == "maxLength" {
                    "string"
                } else {
                    "integer or number"
                },
            );
            return None;
        }
    };
    Some(if optional {
        Type::Optional(Box::new(out))
    } else {
        out
    })
}

fn build_shape(cx: &mut Cx, store: &mut Store, fields: Vec<RawField>) {
    let mut kept: Vec<RawField> = Vec::new();
    for f in fields {
        let clash = kept.iter().find(|k| {
            let n = k.path.len().min(f.path.len());
            k.path[..n] == f.path[..n]
        });
        if let Some(k) = clash {
            let what = if k.path == f.path {
                "is declared twice"
            } else {
                "overlaps another field"
            };
            cx.error(
                "VS3005",
                f.key_span,
                format!("template path `{}` {what} (`{}`)", f.path.join("."), k.path.join(".")),
                "duplicate or overlapping path",
                "a path may be declared once, and never both as a field and as the parent of other fields",
            );
            continue;
        }
        kept.push(f);
    }
    let mut shape = Vec::new();
    let mut defaults = serde_json::Map::new();
    for f in &kept {
        insert_field(&mut shape, &f.path, f.ty.clone());
        let mut obj = &mut defaults;
        for seg in &f.path[..f.path.len() - 1] {
            let entry = obj
                .entry(seg.clone())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            match entry {
                serde_json::Value::Object(m) => obj = m,
                _ => unreachable!("overlapping paths were rejected above"),
            }
        }
        if !f.default.is_null() {
            obj.insert(f.path[f.path.len() - 1].clone(), f.default.clone());
        }
    }
    store.shape = Type::Record(shape);
    store.defaults = serde_json::Value::Object(defaults);
    store.template = kept
        .into_iter()
        .map(|f| TemplateField {
            path: f.path,
            ty: f.ty,
            default: f.default,
            span: f.key_span,
            private: f.private,
        })
        .collect();
}

fn insert_field(fields: &mut Vec<Field>, path: &[String], ty: Type) {
    if path.len() == 1 {
        fields.push(Field {
            name: path[0].clone(),
            ty,
        });
        return;
    }
    let idx = match fields.iter().position(|f| f.name == path[0]) {
        Some(i) => i,
        None => {
            fields.push(Field {
                name: path[0].clone(),
                ty: Type::Record(Vec::new()),
            });
            fields.len() - 1
        }
    };
    if let Type::Record(inner) = &mut fields[idx].ty {
        insert_field(inner, &path[1..], ty);
    }
}

/// Reports a path problem for a public path or a declared write.
fn report_path(cx: &mut Cx, span: Span, text: &str, problem: PathProblem, what: &str) {
    match problem {
        PathProblem::Malformed => cx.error("VS3102", span, format!("{what} `{text}` is not an exact path"), "not an exact path", "write a dot-separated path of field names such as `Wallet.Coins` (no wildcards, indices or empty segments)"),
        PathProblem::Unknown { segment, suggestion } => {
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`? Paths must name template fields"),
                None => "paths must name fields declared in the template".into(),
            };
            cx.error("VS3101", span, format!("{what} `{text}` names an unknown field `{segment}`"), "no such field", help)
        }
        PathProblem::IntoNothing { leaf } => cx.error("VS3104", span, format!("{what} `{text}` goes past `{leaf}`, which has no fields"), "path into nothing", format!("end the path at `{leaf}`")),
        PathProblem::IntoCollection { collection } => cx.error(
            "VS3102",
            span,
            format!("{what} `{text}` reaches into the elements of `{collection}`"),
            "not an exact path",
            format!("name the whole collection `{collection}`; elements are not addressable by the schema"),
        ),
    }
}

fn string_paths(cx: &mut Cx, item: &Item, what: &str) -> Vec<(String, Span)> {
    let Node::Array(items) = &item.node else {
        cx.wrong_type(item, what, "an array of strings");
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in items {
        if let Some(s) = cx.string(i, what) {
            if out.iter().any(|(p, _): &(String, Span)| p == s) {
                cx.error(
                    "VS3105",
                    i.span,
                    format!("`{s}` is listed twice"),
                    "duplicate path",
                    "list each path once",
                );
                continue;
            }
            out.push((s.to_owned(), i.span));
        }
    }
    out
}

fn load_public(cx: &mut Cx, entries: &[Entry], store: &mut Store, types: &[(String, Type)]) {
    cx.known(
        entries,
        &["paths", "channel"],
        &format!("[stores.{}.public]", store.name),
    );
    if let Some(c) = get(entries, "channel") {
        if let Some(s) = cx.string(&c.value, "channel") {
            if s.is_empty() {
                cx.error(
                    "VS3106",
                    c.value.span,
                    "the replication channel name is empty",
                    "empty channel",
                    "omit `channel` to use the store name, or give a name",
                );
            } else {
                store.channel = s.to_owned();
            }
        }
    }
    let Some(p) = get(entries, "paths") else {
        return;
    };
    let listed = string_paths(cx, &p.value, "public path");
    let mut ok: Vec<(Vec<String>, Span)> = Vec::new();
    for (text, span) in &listed {
        let head = text.split('.').next().unwrap_or_default();
        if let Some((name, holds)) = exposure::reserved(head) {
            cx.error(
                "VS3108",
                *span,
                format!("public path `{text}` reaches `{name}`, operational data outside the template"),
                "operational data",
                format!("`{name}` is {holds}; it is never replicated, so publish gameplay fields from the template only"),
            );
            continue;
        }
        match paths::resolve(&store.shape, text, types) {
            Ok(path) => ok.push((path, *span)),
            Err(problem) => report_path(cx, *span, text, problem, "public path"),
        }
    }
    for x in exposure::check_public(&store.template, types, &ok) {
        if x.error {
            cx.error(x.code, x.span, x.message, x.label, x.help);
        } else {
            cx.warn(x.code, x.span, x.message, x.label, x.help);
        }
    }
    store.public = ok.into_iter().map(|(p, _)| p).collect();
}

fn luau_file(
    cx: &mut Cx,
    item: &Item,
    what: &str,
    code: &'static str,
) -> Option<(PathBuf, String)> {
    let text = cx.string(item, "file")?;
    let rel = PathBuf::from(text);
    if rel.is_absolute() || text.split(['/', '\\']).any(|c| c == "..") {
        cx.error(
            code,
            item.span,
            format!("{what} file `{text}` is outside the project"),
            "not a project-relative path",
            "keep Luau files inside the project folder, e.g. `migrations/2.luau`",
        );
        return None;
    }
    match std::fs::read_to_string(cx.root.join(&rel)) {
        Ok(source) => {
            let name = text.replace('\\', "/");
            cx.files
                .insert(rel.clone(), SourceFile::new(&name, source.clone()));
            Some((rel, source))
        }
        Err(_) => {
            cx.error(
                code,
                item.span,
                format!("{what} file `{text}` does not exist"),
                "missing file",
                format!("create `{text}`, or fix the path (it is relative to the project folder)"),
            );
            None
        }
    }
}

fn load_migrations(cx: &mut Cx, item: &Item, store: &mut Store, spans: &mut StoreSpans) {
    let Node::Array(items) = &item.node else {
        cx.wrong_type(
            item,
            "migrations",
            "an array of tables (`[[stores.X.migrations]]`)",
        );
        return;
    };
    for m in items {
        let Some(me) = cx.table(m, "migration") else {
            continue;
        };
        cx.known(me, &["to", "file"], "a migration");
        let (Some(to), Some(file)) = (get(me, "to"), get(me, "file")) else {
            let key = if get(me, "to").is_none() {
                "to"
            } else {
                "file"
            };
            cx.missing(
                m.span,
                key,
                "a migration",
                "both `to = N` (destination version) and `file = \"migrations/N.luau\"`",
            );
            continue;
        };
        let Node::Int(n) = to.value.node else {
            cx.wrong_type(&to.value, "to", "an integer");
            continue;
        };
        if n < 2 || n > i64::from(store.version) {
            cx.error(
                "VS3402",
                to.value.span,
                format!("migration to version {n} is outside 2..={}", store.version),
                "no such step",
                format!("a migration's `to` is the version it produces: between 2 and the store's version {}", store.version),
            );
            continue;
        }
        if store.migrations.iter().any(|x| i64::from(x.to) == n) {
            cx.error(
                "VS3403",
                to.value.span,
                format!("two migrations produce version {n}"),
                "duplicate step",
                "keep one migration per destination version",
            );
            continue;
        }
        let Some((file_path, source)) = luau_file(cx, &file.value, "migration", "VS3401") else {
            continue;
        };
        store.migrations.push(Migration {
            to: n as u32,
            file: file_path,
            source,
        });
        spans.migrations.push((to.value.span, file.value.span));
    }
}

fn load_operations(
    cx: &mut Cx,
    entries: &[Entry],
    store: &mut Store,
    spans: &mut StoreSpans,
    types: &[(String, Type)],
) {
    for e in entries {
        if !is_ident(&e.key) {
            cx.error(
                "VS3503",
                e.key_span,
                format!("operation name `{}` is not an identifier", e.key),
                "invalid name",
                "operation names become Luau identifiers: letters, digits and `_`",
            );
            continue;
        }
        if e.key.starts_with("__") {
            cx.error(
                "VS3504",
                e.key_span,
                format!("operation name `{}` is reserved", e.key),
                "reserved name",
                "names starting with `__` belong to the runtime's built-in operations (such as `__TradeEscrow`); rename the operation",
            );
            continue;
        }
        let clash = generated_name_clash(&e.key).or_else(|| {
            types
                .iter()
                .any(|(name, _)| *name == e.key)
                .then(|| format!("a type under [types] is also named `{}`", e.key))
        });
        if let Some(why) = clash {
            cx.error(
                "VS3504",
                e.key_span,
                format!(
                    "operation `{}` clashes with another type name: {why}",
                    e.key
                ),
                "clashes with a type name",
                "each operation's payload type is exported under the operation's name; rename the operation or the type",
            );
            continue;
        }
        let Some(oe) = cx.table(&e.value, &e.key) else {
            continue;
        };
        let within = format!("operation `{}`", e.key);
        cx.known(oe, &["payload", "writes", "file"], &within);
        let payload = match get(oe, "payload") {
            None => {
                cx.missing(
                    e.key_span,
                    "payload",
                    &within,
                    "`payload = \"{ Coins: integer }\"`",
                );
                continue;
            }
            Some(p) => {
                let Some((parsed, _)) = declared_type(cx, &p.value, "payload", types) else {
                    continue;
                };
                parsed.ty
            }
        };
        let mut writes = Vec::new();
        let mut write_spans = Vec::new();
        match get(oe, "writes") {
            None => cx.missing(
                e.key_span,
                "writes",
                &within,
                "`writes = [\"Wallet.Coins\"]`, the paths the handler may change",
            ),
            Some(w) => {
                for (text, span) in string_paths(cx, &w.value, "write path") {
                    match paths::resolve(&store.shape, &text, types) {
                        Ok(p) => {
                            writes.push(p);
                            write_spans.push(span);
                        }
                        Err(problem) => report_path(cx, span, &text, problem, "write path"),
                    }
                }
            }
        }
        let Some(f) = get(oe, "file") else {
            cx.missing(
                e.key_span,
                "file",
                &within,
                &format!("`file = \"operations/{}.luau\"`", e.key),
            );
            continue;
        };
        let Some((file, source)) = luau_file(cx, &f.value, "handler", "VS3501") else {
            continue;
        };
        store.operations.push(Operation {
            name: e.key.clone(),
            payload,
            writes,
            file,
            source,
        });
        spans
            .operations
            .push((e.key_span, f.value.span, write_spans));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(text: &str) -> (String, &'static str) {
        let loaded = load_str(Path::new("."), text.to_owned());
        let d = loaded
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        (text[d.span.start..d.span.end].to_owned(), d.code)
    }

    const STORE: &str = "[stores.S]\nkind = \"keyed\"\nversion = 1\n\n[stores.S.template]\n";

    #[test]
    fn spans_inside_type_strings_point_at_the_exact_name() {
        let text = format!(
            "{STORE}Rank = {{ type = \"\\\"Bronze\\\" | Silverr\", default = \"Bronze\" }}\n"
        );
        assert_eq!(first_error(&text), ("Silverr".to_owned(), "VS2003"));
        let text = format!("{STORE}Pets = {{ type = '{{[string]: Pett}}', default = {{}} }}\n");
        assert_eq!(first_error(&text), ("Pett".to_owned(), "VS2004"));
    }

    #[test]
    fn unspecified_settings_use_their_defaults_in_cross_checks() {
        let text = STORE.replace(
            "version = 1",
            "version = 1\nsettings = { AutoSaveInterval = 90 }",
        ) + "A = { type = \"integer\", default = 0 }\n";
        assert_eq!(first_error(&text), ("90".to_owned(), "VS3304"));
        let ok = STORE.replace(
            "version = 1",
            "version = 1\nsettings = { AutoSaveInterval = 89 }",
        ) + "A = { type = \"integer\", default = 0 }\n";
        assert!(load_str(Path::new("."), ok).diagnostics.is_empty());
    }

    #[test]
    fn a_reserved_group_is_reported_once_at_its_own_key() {
        let text = format!(
            "{STORE}A = {{ type = \"integer\", default = 0 }}\n\n[stores.S.template.meta]\nNotes = {{ type = \"string\", default = \"\" }}\nJoined = {{ type = \"integer\", default = 0 }}\n"
        );
        let loaded = load_str(Path::new("."), text.clone());
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code, "VS3008");
        assert_eq!(&text[errors[0].span.start..errors[0].span.end], "meta");
        // Below the top level the names are ordinary: `Wallet.Lease` is a field.
        let nested = format!("{STORE}\"Wallet.Lease\" = {{ type = \"integer\", default = 0 }}\n");
        assert!(load_str(Path::new("."), nested).diagnostics.is_empty());
    }

    #[test]
    fn dotted_keys_and_quoted_paths_build_the_same_shape() {
        let a = load_str(
            Path::new("."),
            format!("{STORE}\"Wallet.Coins\" = {{ type = \"integer\", default = 0 }}\n"),
        );
        let b = load_str(
            Path::new("."),
            format!("{STORE}Wallet.Coins = {{ type = \"integer\", default = 0 }}\n"),
        );
        assert!(a.diagnostics.is_empty() && b.diagnostics.is_empty());
        assert_eq!(a.project.stores[0].shape, b.project.stores[0].shape);
        assert_eq!(
            a.project.stores[0].defaults,
            serde_json::json!({ "Wallet": { "Coins": 0 } })
        );
    }
}

#[cfg(test)]
mod generated_names {
    use super::generated_name_clash;

    #[test]
    fn version_types_and_generated_exports_are_reserved_but_similar_names_are_not() {
        assert!(generated_name_clash("V3").is_some());
        assert!(generated_name_clash("Replica").is_some());
        assert!(generated_name_clash("unknown").is_some());
        assert!(generated_name_clash("V").is_none());
        assert!(generated_name_clash("Vault").is_none());
        assert!(generated_name_clash("V2Item").is_none());
        assert!(generated_name_clash("Item").is_none());
    }
}
