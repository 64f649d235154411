//! A TOML document as a tree of values that each keep their exact byte span,
//! so every later check can point at the key or value it is about. Parsed by
//! `toml_edit`, which keeps the spans of what it reads.

use super::model::Span;

/// A TOML value with the spans of its children.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Item>),
    Table(Vec<Entry>),
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub node: Node,
    pub span: Span,
}

/// A table entry: key (with span) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Item,
}

impl Node {
    /// What a user would call this kind of value.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a float",
            Node::Bool(_) => "a boolean",
            Node::Datetime(_) => "a date-time",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }

    /// The value as JSON (date-times become strings).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Node::Str(s) | Node::Datetime(s) => serde_json::Value::String(s.clone()),
            Node::Int(i) => serde_json::Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Node::Bool(b) => serde_json::Value::Bool(*b),
            Node::Array(items) => {
                serde_json::Value::Array(items.iter().map(|i| i.node.to_json()).collect())
            }
            Node::Table(entries) => {
                let mut map = serde_json::Map::new();
                for e in entries {
                    map.insert(e.key.clone(), e.value.node.to_json());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

fn span_of(range: Option<std::ops::Range<usize>>) -> Option<Span> {
    range.map(|r| Span {
        start: r.start,
        end: r.end,
    })
}

/// A key the parser could not place gets `MISSING`; `locate` fills it in.
const MISSING: Span = Span {
    start: usize::MAX,
    end: usize::MAX,
};

fn value(v: &toml_edit::Value) -> Item {
    use toml_edit::Value as V;
    let node = match v {
        V::String(s) => Node::Str(s.value().clone()),
        V::Integer(i) => Node::Int(*i.value()),
        V::Float(f) => Node::Float(*f.value()),
        V::Boolean(b) => Node::Bool(*b.value()),
        V::Datetime(d) => Node::Datetime(d.value().to_string()),
        V::Array(a) => Node::Array(a.iter().map(value).collect()),
        V::InlineTable(t) => Node::Table(
            t.iter()
                .map(|(k, v)| Entry {
                    key: k.to_owned(),
                    key_span: t.key(k).and_then(|k| span_of(k.span())).unwrap_or(MISSING),
                    value: value(v),
                })
                .collect(),
        ),
    };
    Item {
        node,
        span: span_of(v.span()).unwrap_or_default(),
    }
}

fn table(t: &toml_edit::Table) -> Vec<Entry> {
    t.iter()
        .map(|(k, v)| Entry {
            key: k.to_owned(),
            key_span: t.key(k).and_then(|k| span_of(k.span())).unwrap_or(MISSING),
            value: item(v),
        })
        .collect()
}

fn item(i: &toml_edit::Item) -> Item {
    match i {
        toml_edit::Item::Value(v) => value(v),
        toml_edit::Item::Table(t) => Item {
            node: Node::Table(table(t)),
            span: span_of(t.span()).unwrap_or_default(),
        },
        toml_edit::Item::ArrayOfTables(a) => Item {
            node: Node::Array(
                a.iter()
                    .map(|t| Item {
                        node: Node::Table(table(t)),
                        span: span_of(t.span()).unwrap_or_default(),
                    })
                    .collect(),
            ),
            span: span_of(a.span()).unwrap_or_default(),
        },
        toml_edit::Item::None => Item {
            node: Node::Table(Vec::new()),
            span: Span::default(),
        },
    }
}

/// How deeply the TOML parser lets keys and values nest.
const NESTING: usize = 80;

/// Where `text` first nests deeper than the parser allows: a dotted key with
/// too many segments, or too many open brackets. Strings are skipped.
fn too_deep(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    let (mut depth, mut dots, mut i) = (0usize, 0usize, 0usize);
    let mut line_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' && q == b'"' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' => {
                dots = 0;
                line_start = i + 1;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'.' => dots += 1,
            b'=' | b',' => dots = 0,
            _ => {}
        }
        if depth >= NESTING || dots + 1 >= NESTING {
            return Some(Span {
                start: if depth >= NESTING { i } else { line_start },
                end: i + 1,
            });
        }
        i += 1;
    }
    None
}

/// Gives keys that came without a span (implicit tables from `[a.b]` headers)
/// the span of their first spelling in the text at or after `from`.
fn locate(text: &str, entries: &mut [Entry], from: usize) {
    for e in entries.iter_mut() {
        if e.key_span.start == usize::MAX {
            e.key_span = find_key(text, &e.key, from).unwrap_or(Span {
                start: from.min(text.len()),
                end: from.min(text.len()),
            });
        }
        let next = e.key_span.start.min(text.len());
        match &mut e.value.node {
            Node::Table(children) => locate(text, children, next),
            Node::Array(items) => {
                for i in items {
                    if let Node::Table(children) = &mut i.node {
                        locate(text, children, i.span.start.min(text.len()));
                    }
                }
            }
            _ => {}
        }
    }
}

fn find_key(text: &str, key: &str, from: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut at = from.min(text.len());
    while let Some(i) = text.get(at..).and_then(|t| t.find(key)).map(|i| i + at) {
        let before = i.checked_sub(1).map(|b| bytes[b]);
        let after = bytes.get(i + key.len()).copied();
        let quoted = before == Some(b'"') && after == Some(b'"');
        let ok_before = matches!(before, None | Some(b'.' | b'[' | b' ' | b'\t' | b'\n'));
        let ok_after = matches!(
            after,
            None | Some(b'.' | b']' | b' ' | b'\t' | b'=' | b'\r' | b'\n')
        );
        if quoted {
            return Some(Span {
                start: i - 1,
                end: i + key.len() + 1,
            });
        }
        if ok_before && ok_after {
            return Some(Span {
                start: i,
                end: i + key.len(),
            });
        }
        at = i + 1;
    }
    None
}

/// A TOML syntax error with the span the parser reported.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Parses a whole document into its root table.
pub fn parse(text: &str) -> Result<Vec<Entry>, SyntaxError> {
    match toml_edit::Document::parse(text) {
        Ok(doc) => {
            let mut entries = table(doc.as_table());
            locate(text, &mut entries, 0);
            Ok(entries)
        }
        Err(e) => {
            let span = span_of(e.span()).unwrap_or_default();
            let mut message = e.message().trim().to_owned();
            let mut span = span;
            if message == "duplicate key" {
                if let Some(key) = text.get(span.start..span.end) {
                    message = format!("duplicate key `{}`", key.trim_matches(['"', '\'']));
                }
            }
            if message.contains("recursion") {
                // The parser gives no position for this one; find it.
                message = format!("a key or value nests more than {NESTING} levels deep");
                span = too_deep(text).unwrap_or(span);
            }
            Err(SyntaxError { message, span })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_past_the_parser_limit_points_at_the_key() {
        let key = vec!["A"; 100].join(".");
        let text = format!("[s]\nok = 1\n{key} = 1\n");
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nests more than 80"), "{}", e.message);
        assert_eq!(e.span.start, text.find("A.A").unwrap());
        let text = format!("x = {}1{}\n", "[".repeat(200), "]".repeat(200));
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nests more than 80"), "{}", e.message);
        assert_eq!(e.span.start, 4 + 79);
    }

    #[test]
    fn keys_and_values_keep_their_byte_spans() {
        let text = "[a]\n\"b.c\" = { type = \"x\" }\nd = [1, 2]\n";
        let root = parse(text).unwrap();
        let a = &root[0];
        let Node::Table(entries) = &a.value.node else {
            panic!()
        };
        assert_eq!(
            &text[entries[0].key_span.start..entries[0].key_span.end],
            "\"b.c\""
        );
        assert_eq!(
            &text[entries[0].value.span.start..entries[0].value.span.end],
            "{ type = \"x\" }"
        );
        let Node::Array(items) = &entries[1].value.node else {
            panic!()
        };
        assert_eq!(&text[items[1].span.start..items[1].span.end], "2");
    }
}
