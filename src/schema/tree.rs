//! A TOML document as a tree of values that each keep their exact byte span,
//! so every later check can point at the key or value it is about.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

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

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED, SPANNED_FIELDS, ItemVisitor)
    }
}

/// Accepts both a spanned value and, for implicit tables the parser cannot
/// span, a plain one (its span is then the start of the file).
struct ItemVisitor;

fn unspanned(node: Node) -> Item {
    Item {
        node,
        span: Span::default(),
    }
}

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Item, E> {
        NodeVisitor.visit_bool(v).map(unspanned)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Item, E> {
        NodeVisitor.visit_i64(v).map(unspanned)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Item, E> {
        NodeVisitor.visit_u64(v).map(unspanned)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Item, E> {
        NodeVisitor.visit_f64(v).map(unspanned)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Item, E> {
        NodeVisitor.visit_str(v).map(unspanned)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Item, E> {
        NodeVisitor.visit_string(v).map(unspanned)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Item, A::Error> {
        NodeVisitor.visit_seq(seq).map(unspanned)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let Some(first) = map.next_key::<Key>()? else {
            return Ok(unspanned(Node::Table(Vec::new())));
        };
        if first.0 == SPANNED_FIELDS[0] {
            let start: usize = map.next_value()?;
            let (mut end, mut node) = (start, None);
            while let Some(k) = map.next_key::<String>()? {
                if k == SPANNED_FIELDS[1] {
                    end = map.next_value()?;
                } else {
                    node = Some(map.next_value::<Node>()?);
                }
            }
            let node = node.ok_or_else(|| de::Error::custom("spanned value without a value"))?;
            return Ok(Item {
                node,
                span: Span { start, end },
            });
        }
        if first.0 == DATETIME_KEY {
            let text: String = map.next_value()?;
            return Ok(unspanned(Node::Datetime(text)));
        }
        let mut entries = Vec::new();
        let mut key = Some(first);
        while let Some(k) = key {
            let value = map.next_value::<Item>()?;
            entries.push(Entry {
                key: k.0,
                key_span: k.1.unwrap_or(Span {
                    start: usize::MAX,
                    end: usize::MAX,
                }),
                value,
            });
            key = map.next_key::<Key>()?;
        }
        Ok(unspanned(Node::Table(entries)))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

const DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        i64::try_from(v)
            .map(Node::Int)
            .map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Item>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            if key.0 == DATETIME_KEY {
                let text: String = map.next_value()?;
                return Ok(Node::Datetime(text));
            }
            let value = map.next_value::<Item>()?;
            // Keys of implicit tables (`[a.b]` headers) come without a span; `locate` fills them in.
            entries.push(Entry {
                key: key.0,
                key_span: key.1.unwrap_or(Span {
                    start: usize::MAX,
                    end: usize::MAX,
                }),
                value,
            });
        }
        Ok(Node::Table(entries))
    }
}

/// A key and its span, when the parser knows it.
struct Key(String, Option<Span>);

const SPANNED: &str = "$__serde_spanned_private_Spanned";
const SPANNED_FIELDS: &[&str] = &[
    "$__serde_spanned_private_start",
    "$__serde_spanned_private_end",
    "$__serde_spanned_private_value",
];

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED, SPANNED_FIELDS, KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned(), None))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(Key(v, None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        let (mut start, mut end, mut value) = (None, None, None);
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "$__serde_spanned_private_start" => start = Some(map.next_value::<usize>()?),
                "$__serde_spanned_private_end" => end = Some(map.next_value::<usize>()?),
                _ => value = Some(map.next_value::<String>()?),
            }
        }
        let value = value.ok_or_else(|| de::Error::custom("key without a value"))?;
        let span = match (start, end) {
            (Some(start), Some(end)) => Some(Span { start, end }),
            _ => None,
        };
        Ok(Key(value, span))
    }
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
    match toml::from_str::<Node>(text) {
        Ok(Node::Table(mut entries)) => {
            locate(text, &mut entries, 0);
            Ok(entries)
        }
        Ok(_) => Err(SyntaxError {
            message: "the document is not a table".into(),
            span: Span::default(),
        }),
        Err(e) => {
            let span = e
                .span()
                .map(|r| Span {
                    start: r.start,
                    end: r.end,
                })
                .unwrap_or_default();
            Err(SyntaxError {
                message: e.message().trim().to_owned(),
                span,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
