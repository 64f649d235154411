//! `virtualstore.toml` read into a spanned model: every table, key and value
//! the checks need, each with the span it is written at. Reading is driven by
//! the key table in `keys` and reports only structural problems: invalid TOML
//! (VS1001, VS1005), unknown keys (VS1002), values of the wrong kind (VS1003),
//! missing keys (VS1004), unknown store kinds (VS1006) and template keys that
//! are not dotted paths (VS3004). What the values mean is checked by
//! `check::rules`; this module must not judge them.

use std::collections::BTreeSet;

use crate::diagnostic::{closest, Diagnostic, SourceFile, Span};

use super::keys::{self, Key, Table, Value};
use super::model::StoreKind;
use super::tree::{self, Entry, Item, Node};

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A string in the type language, with what is needed to point inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeText {
    pub text: String,
    /// The whole string literal, quotes included.
    pub span: Span,
}

impl TypeText {
    /// Maps a span inside the decoded string back into the file.
    pub fn inner_span(&self, src: &str, inner: Span) -> Span {
        let raw = src.get(self.span.start..self.span.end).unwrap_or("");
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let body = raw
            .get(quote..raw.len().saturating_sub(quote))
            .unwrap_or("");
        let base = self.span.start + quote;
        if body == self.text {
            return Span::new(base + inner.start, base + inner.end);
        }
        // A basic string with escapes: map decoded offsets back through them.
        match escaped_offsets(body, &self.text) {
            Some(map) => {
                let at = |i: usize| base + map.get(i).copied().unwrap_or(body.len());
                Span::new(at(inner.start), at(inner.end))
            }
            None => self.span,
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

/// `[project]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectDecl {
    pub out: Option<Spanned<String>>,
    pub typescript: Option<bool>,
}

/// One `[types]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    pub name: Spanned<String>,
    /// `None` when the value is not a string (already reported).
    pub ty: Option<TypeText>,
}

/// A setting as written; `check::rules::settings` judges it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingDecl {
    pub name: Spanned<String>,
    pub value: Item,
}

/// One template field (a dotted key whose value is a field table).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The full data path: the keys of enclosing groups, then this key's segments.
    pub path: Vec<String>,
    /// The key as written (this entry's own part of the path).
    pub key: Span,
    /// The key written directly under the template that this field is in
    /// (its own key for a field that is not inside a group).
    pub root_key: Span,
    /// True for a key written directly under the template (not inside a group).
    pub top_level: bool,
    pub ty: Option<TypeText>,
    pub default: Option<Item>,
    pub min: Option<Entry>,
    pub max: Option<Entry>,
    pub max_length: Option<Entry>,
    pub private: Option<bool>,
    /// A structural problem was already reported: the field is unusable.
    pub broken: bool,
    /// Keys that a misspelt key most likely meant: their absence is not
    /// reported again.
    pub misspelt: BTreeSet<&'static str>,
}

/// `[stores.X.template]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateDecl {
    /// The `template` key.
    pub key: Span,
    pub fields: Vec<FieldDecl>,
    /// Template keys that are not valid dotted paths (already reported, VS3004):
    /// their prefixes are known to the user, so nothing may report them as unknown.
    pub invalid: Vec<String>,
}

/// `[stores.X.public]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicDecl {
    pub paths: Vec<Spanned<String>>,
    pub channel: Option<Spanned<String>>,
}

/// One `[[stores.X.migrations]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationDecl {
    /// The whole table.
    pub span: Span,
    pub to: Option<Spanned<i64>>,
    pub file: Option<Spanned<String>>,
}

/// One `[stores.X.operations.Name]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationDecl {
    pub name: Spanned<String>,
    pub payload: Option<TypeText>,
    /// `None` when `writes` is missing or not an array (already reported).
    pub writes: Option<Vec<Spanned<String>>>,
    pub file: Option<Spanned<String>>,
}

/// One `[stores.X.leaderboards.Name]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardDecl {
    pub name: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub ascending: bool,
    pub settings: Vec<SettingDecl>,
}

/// One `[stores.X]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreDecl {
    pub name: Spanned<String>,
    pub kind: Option<StoreKind>,
    /// `None` when missing or not an integer (already reported).
    pub version: Option<Spanned<i64>>,
    pub settings: Vec<SettingDecl>,
    pub template: Option<TemplateDecl>,
    pub public: PublicDecl,
    pub migrations: Vec<MigrationDecl>,
    pub operations: Vec<OperationDecl>,
    pub leaderboards: Vec<LeaderboardDecl>,
}

impl StoreDecl {
    /// Where diagnostics about the version point: its value, or the store's name.
    pub fn version_span(&self) -> Span {
        self.version.as_ref().map_or(self.name.span, |v| v.span)
    }
}

/// The whole file.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: SourceFile,
    pub project: ProjectDecl,
    pub types: Vec<TypeDecl>,
    pub stores: Vec<StoreDecl>,
    /// Structural problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the text of a `virtualstore.toml`.
pub fn read(source: SourceFile) -> Document {
    let mut r = Reader {
        src: &source,
        diags: Vec::new(),
    };
    let mut doc = Document {
        source: source.clone(),
        project: ProjectDecl::default(),
        types: Vec::new(),
        stores: Vec::new(),
        diagnostics: Vec::new(),
    };
    match tree::parse(source.text()) {
        Err(e) => r.syntax(e),
        Ok(root) => {
            let at = root
                .first()
                .map_or(Span::new(0, source.text().len().min(1)), |e| e.key_span);
            let f = r.fields(&root, &keys::ROOT, at);
            if let Some(entries) = f.table("project") {
                let p = r.fields(entries, &keys::PROJECT, f.key_span("project"));
                doc.project.out = p.string("out");
                doc.project.typescript = p.boolean("typescript");
            }
            if let Some(entries) = f.table("types") {
                for e in entries {
                    doc.types.push(TypeDecl {
                        name: spanned_key(e),
                        ty: r.type_text(&e.value, &e.key),
                    });
                }
            }
            if let Some(entries) = f.table("stores") {
                if entries.is_empty() {
                    r.missing(
                        f.key_span("stores"),
                        "a store",
                        "[stores]",
                        "a store such as `[stores.PlayerData]`",
                    );
                }
                for e in entries {
                    if let Some(store) = r.store(e) {
                        doc.stores.push(store);
                    }
                }
            }
        }
    }
    doc.diagnostics = r.diags;
    doc
}

fn spanned_key(e: &Entry) -> Spanned<String> {
    Spanned {
        value: e.key.clone(),
        span: e.key_span,
    }
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// The entries of one table, after its keys were checked against the key table:
/// only known keys whose values have the right kind are handed out.
struct Fields<'a> {
    ok: Vec<(&'static Key, &'a Entry)>,
    /// Known keys that a misspelt key most likely meant.
    misspelt: BTreeSet<&'static str>,
    /// A required key was missing or a value had the wrong kind.
    broken: bool,
}

impl<'a> Fields<'a> {
    fn entry(&self, name: &str) -> Option<&'a Entry> {
        self.ok
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, e)| *e)
    }

    fn key_span(&self, name: &str) -> Span {
        self.entry(name).map(|e| e.key_span).unwrap_or_default()
    }

    fn string(&self, name: &str) -> Option<Spanned<String>> {
        let e = self.entry(name)?;
        match &e.value.node {
            Node::Str(s) => Some(Spanned {
                value: s.clone(),
                span: e.value.span,
            }),
            _ => None,
        }
    }

    fn boolean(&self, name: &str) -> Option<bool> {
        match self.entry(name)?.value.node {
            Node::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn integer(&self, name: &str) -> Option<Spanned<i64>> {
        let e = self.entry(name)?;
        match e.value.node {
            Node::Int(n) => Some(Spanned {
                value: n,
                span: e.value.span,
            }),
            _ => None,
        }
    }

    fn table(&self, name: &str) -> Option<&'a [Entry]> {
        match &self.entry(name)?.value.node {
            Node::Table(t) => Some(t),
            _ => None,
        }
    }
}

struct Reader<'s> {
    src: &'s SourceFile,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
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

    fn syntax(&mut self, e: tree::SyntaxError) {
        let (code, label, help) = if e.message.contains("duplicate key") {
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
            Span::new(e.span.start, e.span.start + 1)
        } else {
            e.span
        };
        self.error(
            code,
            span,
            format!("invalid TOML: {}", e.message),
            label,
            help,
        );
    }

    fn wrong_kind(&mut self, item: &Item, what: &str, expected: &str) {
        self.error(
            "VS1003",
            item.span,
            format!("`{what}` must be {expected}, found {}", item.node.kind()),
            format!("expected {expected}"),
            format!("write `{what}` as {expected}"),
        );
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

    /// Checks `entries` against `table`: unknown keys, value kinds and missing
    /// required keys (reported at `at`, the table's own key). A misspelt key
    /// suggests the key it meant, whose absence is then not reported again.
    fn fields<'a>(&mut self, entries: &'a [Entry], table: &Table, at: Span) -> Fields<'a> {
        self.fields_within(entries, table, at, table.what, "")
    }

    /// `within` names the table in messages; `name` replaces `<Name>` in examples.
    fn fields_within<'a>(
        &mut self,
        entries: &'a [Entry],
        table: &Table,
        at: Span,
        within: &str,
        name: &str,
    ) -> Fields<'a> {
        let mut f = Fields {
            ok: Vec::new(),
            misspelt: BTreeSet::new(),
            broken: false,
        };
        let names: Vec<&str> = table.names().collect();
        for e in entries {
            let Some(key) = table.key(&e.key) else {
                let suggestion = closest(&e.key, names.iter().copied());
                let help = match suggestion {
                    Some(s) => {
                        format!("did you mean `{s}`? {within} accepts: {}", names.join(", "))
                    }
                    None => format!("{within} accepts: {}", names.join(", ")),
                };
                if let Some(k) = suggestion.and_then(|s| table.key(s)) {
                    f.misspelt.insert(k.name);
                }
                self.error(
                    "VS1002",
                    e.key_span,
                    format!("unknown key `{}` in {within}", e.key),
                    "not a known key",
                    help,
                );
                continue;
            };
            if self.kind_ok(key, e) {
                f.ok.push((key, e));
            } else {
                f.broken = true;
            }
        }
        let mut reported: Vec<&str> = Vec::new();
        for key in table.keys.iter().filter(|k| k.required) {
            let present = entries.iter().any(|e| e.key == key.name);
            if present || f.misspelt.contains(key.name) {
                continue;
            }
            f.broken = true;
            // Keys sharing one example are reported once: the help names both.
            if reported.contains(&key.example) {
                continue;
            }
            reported.push(key.example);
            self.missing(at, key.name, within, &key.example.replace("<Name>", name));
        }
        f
    }

    /// Reports a value of the wrong kind for `key`; true when it is usable.
    fn kind_ok(&mut self, key: &Key, e: &Entry) -> bool {
        let node = &e.value.node;
        let expected = match key.value {
            Value::String { .. } | Value::File | Value::TypeExpr | Value::DataPath => {
                (!matches!(node, Node::Str(_))).then_some("a string")
            }
            Value::Choice(_) => (!matches!(node, Node::Str(_))).then_some("a string"),
            Value::Boolean { .. } => (!matches!(node, Node::Bool(_))).then_some("a boolean"),
            Value::Integer { .. } => (!matches!(node, Node::Int(_))).then_some("an integer"),
            Value::Number => (!matches!(node, Node::Int(_) | Node::Float(_))).then_some("a number"),
            Value::DataPaths { .. } => {
                (!matches!(node, Node::Array(_))).then_some("an array of strings")
            }
            Value::Tables(_) => (!matches!(node, Node::Array(_)))
                .then_some("an array of tables (`[[stores.X.migrations]]`)"),
            Value::Table(_)
            | Value::Named(..)
            | Value::Settings(_)
            | Value::Types
            | Value::Stores
            | Value::Template => (!matches!(node, Node::Table(_))).then_some("a table"),
            Value::Any => None,
        };
        match expected {
            Some(expected) => {
                let (label, help) = key.wrong_kind;
                if label.is_empty() {
                    self.wrong_kind(&e.value, &e.key, expected);
                } else {
                    self.error(
                        "VS1003",
                        e.value.span,
                        format!("`{}` must be {expected}, found {}", e.key, node.kind()),
                        label,
                        help,
                    );
                }
                false
            }
            None => true,
        }
    }

    fn type_text(&mut self, item: &Item, what: &str) -> Option<TypeText> {
        match &item.node {
            Node::Str(s) => Some(TypeText {
                text: s.clone(),
                span: item.span,
            }),
            _ => {
                self.wrong_kind(item, what, "a string");
                None
            }
        }
    }

    fn table_of<'a>(&mut self, item: &'a Item, what: &str) -> Option<&'a [Entry]> {
        match &item.node {
            Node::Table(t) => Some(t),
            _ => {
                self.wrong_kind(item, what, "a table");
                None
            }
        }
    }

    fn settings(&mut self, entries: Option<&[Entry]>) -> Vec<SettingDecl> {
        entries
            .unwrap_or_default()
            .iter()
            .map(|e| SettingDecl {
                name: spanned_key(e),
                value: e.value.clone(),
            })
            .collect()
    }

    /// An array of path strings; items that are not strings are reported.
    fn paths(&mut self, item: &Item, what: &str) -> Vec<Spanned<String>> {
        let Node::Array(items) = &item.node else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for i in items {
            match &i.node {
                Node::Str(s) => out.push(Spanned {
                    value: s.clone(),
                    span: i.span,
                }),
                _ => self.wrong_kind(i, what, "a string"),
            }
        }
        out
    }

    fn store(&mut self, e: &Entry) -> Option<StoreDecl> {
        let entries = self.table_of(&e.value, &format!("stores.{}", e.key))?;
        let within = format!("[stores.{}]", e.key);
        let f = self.fields_within(entries, &keys::STORE, e.key_span, &within, &e.key);
        let kind = match f.entry("kind").map(|k| &k.value) {
            None => None,
            Some(Item {
                node: Node::Str(s),
                span,
            }) => match s.as_str() {
                "players" => Some(StoreKind::Players),
                "keyed" => Some(StoreKind::Keyed),
                other => {
                    self.error(
                        "VS1006",
                        *span,
                        format!("unknown store kind \"{other}\""),
                        "not a store kind",
                        "use \"players\" (player facade over Player_<UserId>) or \"keyed\" (core Store)",
                    );
                    None
                }
            },
            Some(_) => None,
        };
        let template = f.entry("template").and_then(|t| {
            let Node::Table(entries) = &t.value.node else {
                return None;
            };
            let mut decl = TemplateDecl {
                key: t.key_span,
                fields: Vec::new(),
                invalid: Vec::new(),
            };
            self.template(entries, &[], None, &mut decl);
            if decl.fields.is_empty() && decl.invalid.is_empty() {
                self.missing(
                    t.key_span,
                    "a field",
                    &format!("[stores.{}.template]", e.key),
                    "a field such as `\"Wallet.Coins\" = { type = \"integer\", default = 0 }`",
                );
            }
            Some(decl)
        });
        let public = match f.table("public") {
            None => PublicDecl::default(),
            Some(entries) => {
                let p = self.fields_within(
                    entries,
                    &keys::PUBLIC,
                    f.key_span("public"),
                    &format!("[stores.{}.public]", e.key),
                    &e.key,
                );
                PublicDecl {
                    paths: p
                        .entry("paths")
                        .map(|paths| self.paths(&paths.value, "public path"))
                        .unwrap_or_default(),
                    channel: p.string("channel"),
                }
            }
        };
        let migrations = match f.entry("migrations").map(|m| &m.value.node) {
            Some(Node::Array(items)) => items
                .iter()
                .filter_map(|m| {
                    let entries = self.table_of(m, "migration")?;
                    let mf = self.fields(entries, &keys::MIGRATION, m.span);
                    Some(MigrationDecl {
                        span: m.span,
                        to: mf.integer("to"),
                        file: mf.string("file"),
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut operations = Vec::new();
        for op in f.table("operations").unwrap_or_default() {
            let Some(entries) = self.table_of(&op.value, &op.key) else {
                continue;
            };
            let within = format!("operation `{}`", op.key);
            let of = self.fields_within(entries, &keys::OPERATION, op.key_span, &within, &op.key);
            operations.push(OperationDecl {
                name: spanned_key(op),
                payload: of.entry("payload").and_then(|p| match &p.value.node {
                    Node::Str(s) => Some(TypeText {
                        text: s.clone(),
                        span: p.value.span,
                    }),
                    _ => None,
                }),
                writes: of
                    .entry("writes")
                    .map(|w| self.paths(&w.value, "write path")),
                file: of.string("file"),
            });
        }
        let mut leaderboards = Vec::new();
        for lb in f.table("leaderboards").unwrap_or_default() {
            let Some(entries) = self.table_of(&lb.value, &format!("leaderboards.{}", lb.key))
            else {
                continue;
            };
            let within = format!("[stores.{}.leaderboards.{}]", e.key, lb.key);
            let lf = self.fields_within(entries, &keys::LEADERBOARD, lb.key_span, &within, &lb.key);
            let settings = self.settings(lf.table("settings"));
            leaderboards.push(LeaderboardDecl {
                name: spanned_key(lb),
                path: lf.string("path"),
                ascending: lf.boolean("ascending").unwrap_or(false),
                settings,
            });
        }
        Some(StoreDecl {
            name: spanned_key(e),
            kind,
            version: f.integer("version"),
            settings: self.settings(f.table("settings")),
            template,
            public,
            migrations,
            operations,
            leaderboards,
        })
    }

    fn template(
        &mut self,
        entries: &[Entry],
        prefix: &[String],
        root_key: Option<Span>,
        out: &mut TemplateDecl,
    ) {
        for e in entries {
            let root = root_key.unwrap_or(e.key_span);
            let segs: Vec<&str> = e.key.split('.').collect();
            let mut path: Vec<String> = prefix.to_vec();
            path.extend(segs.iter().map(|s| s.to_string()));
            if segs.iter().any(|s| !is_ident(s)) {
                self.error(
                    "VS3004",
                    e.key_span,
                    format!("`{}` is not a valid data path", e.key),
                    "invalid path",
                    "paths are dot-separated identifiers such as `Wallet.Coins`",
                );
                out.invalid.push(path.join("."));
                continue;
            }
            let Node::Table(fe) = &e.value.node else {
                self.wrong_kind(
                    &e.value,
                    &e.key,
                    "a field table like `{ type = \"integer\", default = 0 }`",
                );
                out.invalid.push(path.join("."));
                continue;
            };
            let is_group = !fe.iter().any(|x| x.key == "type")
                && !fe.is_empty()
                && fe.iter().all(|x| matches!(x.value.node, Node::Table(_)));
            if is_group {
                self.template(fe, &path, Some(root), out);
                continue;
            }
            let within = format!("template field `{}`", path.join("."));
            let mut f = self.fields_within(fe, &keys::FIELD, e.key_span, &within, "");
            let private = f.boolean("private");
            let broken = f.broken;
            out.fields.push(FieldDecl {
                path,
                key: e.key_span,
                root_key: root,
                top_level: prefix.is_empty(),
                ty: f.entry("type").and_then(|t| match &t.value.node {
                    Node::Str(s) => Some(TypeText {
                        text: s.clone(),
                        span: t.value.span,
                    }),
                    _ => None,
                }),
                default: f.entry("default").map(|d| d.value.clone()),
                min: f.entry("min").cloned(),
                max: f.entry("max").cloned(),
                max_length: f.entry("maxLength").cloned(),
                private,
                broken,
                misspelt: std::mem::take(&mut f.misspelt),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        read(SourceFile::new("virtualstore.toml", text.to_owned()))
    }

    const STORE: &str = "[stores.S]\nkind = \"keyed\"\nversion = 1\n\n[stores.S.template]\n";

    #[test]
    fn dotted_keys_and_quoted_paths_give_the_same_field_path() {
        let a = doc(&format!(
            "{STORE}\"Wallet.Coins\" = {{ type = \"integer\", default = 0 }}\n"
        ));
        let b = doc(&format!(
            "{STORE}Wallet.Coins = {{ type = \"integer\", default = 0 }}\n"
        ));
        let path = |d: &Document| {
            d.stores[0].template.as_ref().unwrap().fields[0]
                .path
                .clone()
        };
        assert!(a.diagnostics.is_empty() && b.diagnostics.is_empty());
        assert_eq!(path(&a), ["Wallet", "Coins"]);
        assert_eq!(path(&a), path(&b));
    }

    #[test]
    fn a_misspelt_key_is_one_diagnostic_not_also_a_missing_key() {
        let d = doc(
            &format!("{STORE}Coins = {{ tpye = \"integer\", default = 0 }}\n")
                .replace("version = 1", "verson = 1"),
        );
        let codes: Vec<_> = d
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        // `tpye` is too far from `type` to be a typo; `verson` is one.
        assert_eq!(
            codes,
            [
                ("VS1002", "unknown key `verson` in [stores.S]".to_owned()),
                (
                    "VS1002",
                    "unknown key `tpye` in template field `Coins`".to_owned()
                ),
                (
                    "VS1004",
                    "template field `Coins` is missing `type`".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn spans_inside_type_strings_map_through_escapes() {
        let text = format!("{STORE}Rank = {{ type = \"\\\"B\\\" | Silverr\", default = \"B\" }}\n");
        let d = doc(&text);
        let ty = d.stores[0].template.as_ref().unwrap().fields[0]
            .ty
            .clone()
            .unwrap();
        let at = ty.text.find("Silverr").unwrap();
        let span = ty.inner_span(&text, Span::new(at, at + 7));
        assert_eq!(&text[span.start..span.end], "Silverr");
    }
}
