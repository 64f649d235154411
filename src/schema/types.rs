//! The type language: `integer`, `number`, `string`, `boolean`, `{T}`,
//! `{[string]: T}`, `{ A: T, B: U }`, `T?`, `"a" | "b"` and names from `[types]`.
//! Spans are byte offsets into the type string; callers shift them into the file.
//! Also the shape notation of `vstore.lock`, the same language with bounds
//! (`integer(0..)`, `number(..1.5)`, `string(..32)`), and `TypeTable`, the one
//! place named types are resolved.

use std::collections::HashMap;

use super::model::{Field, Span, Type};

/// A syntax or naming problem inside one type string.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    /// `VS2001` syntax, `VS2002` duplicate record field, `VS2003` bad union.
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub help: String,
}

/// A parsed type and every named type it refers to (for unknown-name and cycle checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub ty: Type,
    pub names: Vec<(String, Span)>,
}

const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Parsed, TypeError> {
    parse_with(text, false)
}

/// Parses a shape as `vstore.lock` records it: the type language with bounds.
pub fn parse_shape(text: &str) -> Result<Parsed, TypeError> {
    parse_with(text, true)
}

fn parse_with(text: &str, bounds: bool) -> Result<Parsed, TypeError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        names: Vec::new(),
        depth: 0,
        bounds,
    };
    let ty = p.union()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err(
            p.pos,
            text.len(),
            "unexpected text after the type",
            "remove it, or join types with `|` only for string literals",
        ));
    }
    Ok(Parsed { ty, names: p.names })
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    names: Vec<(String, Span)>,
    depth: usize,
    /// Accept `(lo..hi)` bounds after `integer`, `number` and `string`.
    bounds: bool,
}

impl Parser<'_> {
    fn err(&self, start: usize, end: usize, msg: &str, help: &str) -> TypeError {
        TypeError {
            code: "VS2001",
            message: msg.to_owned(),
            span: {
                let len = self.s.len();
                if end <= start {
                    let start = start.min(len.saturating_sub(1));
                    Span {
                        start,
                        end: (start + 1).min(len.max(1)),
                    }
                } else {
                    Span { start, end }
                }
            },
            help: help.to_owned(),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), TypeError> {
        if self.eat(c) {
            return Ok(());
        }
        let end = (self.pos + 1).min(self.s.len());
        Err(self.err(
            self.pos,
            end,
            &format!("expected `{}`", c as char),
            "check the brackets and separators of this type",
        ))
    }

    fn ident(&mut self) -> Option<(String, Span)> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos || self.s[start].is_ascii_digit() {
            self.pos = start;
            return None;
        }
        Some((
            String::from_utf8_lossy(&self.s[start..self.pos]).into_owned(),
            Span {
                start,
                end: self.pos,
            },
        ))
    }

    fn union(&mut self) -> Result<Type, TypeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                self.pos,
                self.pos,
                "type nests too deeply",
                "flatten it with named types",
            ));
        }
        let start = self.peek().map(|_| self.pos).unwrap_or(self.pos);
        let first = self.postfix()?;
        if self.peek() != Some(b'|') {
            self.depth -= 1;
            return Ok(first);
        }
        let mut variants = Vec::new();
        let mut optional = false;
        let mut push =
            |ty: Type, span: Span, variants: &mut Vec<String>| -> Result<(), TypeError> {
                match ty {
                    Type::Enum(v) => variants.extend(v),
                    Type::Optional(inner) if matches!(*inner, Type::Enum(_)) => {
                        optional = true;
                        if let Type::Enum(v) = *inner {
                            variants.extend(v)
                        }
                    }
                    _ => return Err(TypeError {
                        code: "VS2003",
                        message: "only string literals can be joined with `|`".into(),
                        span,
                        help:
                            "write an enum as `\"a\" | \"b\"`; other unions are not storable types"
                                .into(),
                    }),
                }
                Ok(())
            };
        push(
            first,
            Span {
                start,
                end: self.pos,
            },
            &mut variants,
        )?;
        while self.eat(b'|') {
            self.ws();
            let s = self.pos;
            let next = self.postfix()?;
            push(
                next,
                Span {
                    start: s,
                    end: self.pos,
                },
                &mut variants,
            )?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in &variants {
            if !seen.insert(v) {
                return Err(TypeError {
                    code: "VS2003",
                    message: format!("the enum lists \"{v}\" twice"),
                    span: Span {
                        start,
                        end: self.pos,
                    },
                    help: "list each string once".into(),
                });
            }
        }
        self.depth -= 1;
        let e = Type::Enum(variants);
        Ok(if optional {
            Type::Optional(Box::new(e))
        } else {
            e
        })
    }

    fn postfix(&mut self) -> Result<Type, TypeError> {
        let ty = self.primary()?;
        if !self.eat(b'?') {
            return Ok(ty);
        }
        if self.peek() == Some(b'?') {
            let at = self.pos;
            return Err(self.err(
                at,
                at + 1,
                "`?` is written twice",
                "one `?` makes a type optional: write `T?`",
            ));
        }
        Ok(match ty {
            Type::Optional(_) => ty,
            ty => Type::Optional(Box::new(ty)),
        })
    }

    /// A number where a type was expected: only ever a mistake, and inside a
    /// union the mistake is mixing numbers into an enum of strings.
    fn number_literal(&mut self) -> Option<Span> {
        self.ws();
        let start = self.pos;
        let mut i = start;
        if self.s.get(i) == Some(&b'-') {
            i += 1;
        }
        if !self.s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while self
            .s
            .get(i)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.' || *b == b'_')
        {
            i += 1;
        }
        self.pos = i;
        Some(Span { start, end: i })
    }

    fn primary(&mut self) -> Result<Type, TypeError> {
        let start = self.pos;
        match self.peek() {
            None => Err(self.err(
                start,
                self.s.len(),
                "expected a type",
                "write a type such as `integer` or `{string}`",
            )),
            Some(b'"') | Some(b'\'') => {
                let q = self.s[self.pos];
                let open = self.pos;
                self.pos += 1;
                let from = self.pos;
                while self.pos < self.s.len() && self.s[self.pos] != q {
                    self.pos += 1;
                }
                if self.pos >= self.s.len() {
                    return Err(self.err(
                        open,
                        self.s.len(),
                        "unterminated string literal",
                        "close the string with a matching quote",
                    ));
                }
                let v = String::from_utf8_lossy(&self.s[from..self.pos]).into_owned();
                self.pos += 1;
                Ok(Type::Enum(vec![v]))
            }
            Some(b'(') => {
                self.pos += 1;
                let t = self.union()?;
                self.expect(b')')?;
                Ok(t)
            }
            Some(b'{') => self.braces(),
            Some(b'0'..=b'9' | b'-') => {
                let Some(span) = self.number_literal() else {
                    let end = (self.pos + 1).min(self.s.len());
                    return Err(self.err(
                        self.pos,
                        end,
                        "expected a type",
                        "write a type such as `integer` or `{string}`",
                    ));
                };
                Err(TypeError {
                    code: "VS2003",
                    message: "a number literal is not a type".into(),
                    span,
                    help: "enums list strings only (`\"Gold\" | \"Silver\"`); store a number in a field of type `integer` or `number`, bounded with `min`/`max`".into(),
                })
            }
            Some(_) => {
                let Some((name, span)) = self.ident() else {
                    let end = (self.pos + 1).min(self.s.len());
                    return Err(self.err(
                        self.pos,
                        end,
                        "expected a type",
                        "write a type such as `integer` or `{string}`",
                    ));
                };
                let ty = match name.as_str() {
                    "integer" => Type::Integer {
                        min: None,
                        max: None,
                    },
                    "number" => Type::Number {
                        min: None,
                        max: None,
                    },
                    "string" => Type::String { max_len: None },
                    "boolean" => Type::Boolean,
                    _ => {
                        self.names.push((name.clone(), span));
                        Type::Named(name)
                    }
                };
                if self.bounds && self.peek() == Some(b'(') {
                    return self.bounded(ty);
                }
                Ok(ty)
            }
        }
    }

    /// `(lo..hi)` after a scalar in a lock shape; either end may be absent.
    fn bounded(&mut self, ty: Type) -> Result<Type, TypeError> {
        let open = self.pos;
        self.pos += 1;
        let close = self.s[open..]
            .iter()
            .position(|&b| b == b')')
            .map(|i| open + i);
        let Some(close) = close else {
            return Err(self.err(open, self.s.len(), "unclosed bounds", "write `(lo..hi)`"));
        };
        let inner = String::from_utf8_lossy(&self.s[open + 1..close]).into_owned();
        self.pos = close + 1;
        let bad = |p: &Parser| p.err(open, close + 1, "invalid bounds", "write `(lo..hi)`");
        let (lo, hi) = inner.split_once("..").ok_or_else(|| bad(self))?;
        let (lo, hi) = (lo.trim(), hi.trim());
        let num = |s: &str| -> Result<Option<f64>, ()> {
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or(())
        };
        let (lo, hi) = match (num(lo), num(hi)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return Err(bad(self)),
        };
        let whole = |v: Option<f64>| v.map(|f| f as i64);
        Ok(match ty {
            Type::Integer { .. } => Type::Integer {
                min: whole(lo),
                max: whole(hi),
            },
            Type::Number { .. } => Type::Number { min: lo, max: hi },
            Type::String { .. } if lo.is_none() => Type::String {
                max_len: hi.map(|f| f as usize),
            },
            _ => return Err(bad(self)),
        })
    }

    fn braces(&mut self) -> Result<Type, TypeError> {
        let open = self.pos;
        self.pos += 1;
        if self.eat(b'[') {
            let (key, span) = self.ident().unwrap_or_default();
            if key != "string" {
                let end = if span.end > span.start {
                    span.end
                } else {
                    (self.pos + 1).min(self.s.len())
                };
                return Err(self.err(
                    span.start.max(open),
                    end,
                    "map keys must be `string`",
                    "write a map as `{[string]: T}`",
                ));
            }
            self.expect(b']')?;
            self.expect(b':')?;
            let v = self.union()?;
            self.expect(b'}')?;
            return Ok(Type::Map(Box::new(v)));
        }
        if self.peek() == Some(b'}') {
            return Err(self.err(
                open,
                self.pos + 1,
                "empty table type",
                "write `{T}` for an array or `{ Name: T }` for a record",
            ));
        }
        // A record starts with `Name :`; anything else is an array element type.
        let save = self.pos;
        let is_record = self.ident().is_some() && self.peek() == Some(b':');
        self.pos = save;
        if !is_record {
            let elem = self.union()?;
            self.expect(b'}')?;
            return Ok(Type::Array(Box::new(elem)));
        }
        let mut fields: Vec<Field> = Vec::new();
        loop {
            if self.peek() == Some(b'}') {
                self.pos += 1;
                break;
            }
            let Some((name, span)) = self.ident() else {
                let end = (self.pos + 1).min(self.s.len());
                return Err(self.err(
                    self.pos,
                    end,
                    "expected a field name",
                    "write record fields as `Name: type`",
                ));
            };
            if fields.iter().any(|f| f.name == name) {
                return Err(TypeError {
                    code: "VS2002",
                    message: format!("the record declares `{name}` twice"),
                    span,
                    help: "give each field a distinct name".into(),
                });
            }
            self.expect(b':')?;
            let ty = self.union()?;
            fields.push(Field { name, ty });
            if !self.eat(b',') && !self.eat(b';') {
                self.expect(b'}')?;
                break;
            }
        }
        Ok(Type::Record(fields))
    }
}

/// Renders a type canonically: record fields sorted by name, named types left as names.
pub fn render(ty: &Type) -> String {
    let mut out = String::new();
    write(ty, false, &mut out);
    out
}

/// Renders a type as `vstore.lock` records it: canonical, with bounds.
pub fn render_shape(ty: &Type) -> String {
    let mut out = String::new();
    write(ty, true, &mut out);
    out
}

fn bound<T: std::fmt::Display>(lo: Option<T>, hi: Option<T>, out: &mut String) {
    if lo.is_none() && hi.is_none() {
        return;
    }
    out.push('(');
    if let Some(lo) = lo {
        out.push_str(&lo.to_string());
    }
    out.push_str("..");
    if let Some(hi) = hi {
        out.push_str(&hi.to_string());
    }
    out.push(')');
}

fn write(ty: &Type, bounds: bool, out: &mut String) {
    match ty {
        Type::Integer { min, max } => {
            out.push_str("integer");
            if bounds {
                bound(*min, *max, out);
            }
        }
        Type::Number { min, max } => {
            out.push_str("number");
            if bounds {
                bound(*min, *max, out);
            }
        }
        Type::String { max_len } => {
            out.push_str("string");
            if bounds {
                bound(None, *max_len, out);
            }
        }
        Type::Boolean => out.push_str("boolean"),
        Type::Array(t) => {
            out.push('{');
            write(t, bounds, out);
            out.push('}');
        }
        Type::Map(t) => {
            out.push_str("{[string]: ");
            write(t, bounds, out);
            out.push('}');
        }
        Type::Record(fields) => {
            let mut f: Vec<&Field> = fields.iter().collect();
            f.sort_by(|a, b| a.name.cmp(&b.name));
            out.push_str("{ ");
            for (i, field) in f.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&field.name);
                out.push_str(": ");
                write(&field.ty, bounds, out);
            }
            out.push_str(" }");
        }
        Type::Optional(t) => {
            let wrap = matches!(**t, Type::Enum(_));
            if wrap {
                out.push('(');
            }
            write(t, bounds, out);
            if wrap {
                out.push(')');
            }
            out.push('?');
        }
        Type::Enum(v) => {
            for (i, s) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                // The literal cannot hold its own quote: pick the other one.
                let q = if s.contains('"') { '\'' } else { '"' };
                out.push(q);
                out.push_str(s);
                out.push(q);
            }
        }
        Type::Named(n) => out.push_str(n),
    }
}

/// Named-type chains longer than this are refused by the checks (VS2009), so
/// every walk through `TypeTable` ends within it even before they run.
pub const MAX_NAMED_DEPTH: usize = 32;

/// The named types of a project, indexed once: the one place a `Type::Named`
/// is resolved. The checks refuse cycles and chains deeper than
/// `MAX_NAMED_DEPTH` before anything else resolves names.
#[derive(Debug, Clone, Default)]
pub struct TypeTable<'t> {
    by_name: HashMap<&'t str, &'t Type>,
}

impl<'t> TypeTable<'t> {
    pub fn new(types: &'t [(String, Type)]) -> Self {
        TypeTable {
            by_name: types.iter().map(|(n, t)| (n.as_str(), t)).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&'t Type> {
        self.by_name.get(name).copied()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// `ty` with named references followed to a structural type (an unknown
    /// name is returned as it is).
    pub fn resolve<'a>(&self, mut ty: &'a Type) -> &'a Type
    where
        't: 'a,
    {
        for _ in 0..=MAX_NAMED_DEPTH {
            match ty {
                Type::Named(n) => match self.get(n) {
                    Some(t) => ty = t,
                    None => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    /// Like `resolve`, and through optionals too: what a present value is.
    pub fn plain<'a>(&self, mut ty: &'a Type) -> &'a Type
    where
        't: 'a,
    {
        for _ in 0..=2 * MAX_NAMED_DEPTH {
            match self.resolve(ty) {
                Type::Optional(inner) => ty = inner,
                other => return other,
            }
        }
        ty
    }

    /// `ty` with every named type replaced by its definition.
    pub fn expand(&self, ty: &Type) -> Type {
        fn go(t: &TypeTable, ty: &Type, names: usize) -> Type {
            match ty {
                Type::Named(n) if names < MAX_NAMED_DEPTH => match t.get(n) {
                    Some(def) => go(t, def, names + 1),
                    None => ty.clone(),
                },
                Type::Array(inner) => Type::Array(Box::new(go(t, inner, names))),
                Type::Map(inner) => Type::Map(Box::new(go(t, inner, names))),
                Type::Optional(inner) => Type::Optional(Box::new(go(t, inner, names))),
                Type::Record(fields) => Type::Record(
                    fields
                        .iter()
                        .map(|f| Field {
                            name: f.name.clone(),
                            ty: go(t, &f.ty, names),
                        })
                        .collect(),
                ),
                other => other.clone(),
            }
        }
        go(self, ty, 0)
    }
}

/// Replaces named types by their definitions.
pub fn expand(ty: &Type, types: &[(String, Type)]) -> Type {
    TypeTable::new(types).expand(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int() -> Type {
        Type::Integer {
            min: None,
            max: None,
        }
    }

    #[test]
    fn parses_every_form_of_the_type_language() {
        assert_eq!(parse("{integer}").unwrap().ty, Type::Array(Box::new(int())));
        assert_eq!(
            parse("{[string]: boolean}").unwrap().ty,
            Type::Map(Box::new(Type::Boolean))
        );
        assert_eq!(
            parse("string?").unwrap().ty,
            Type::Optional(Box::new(Type::String { max_len: None }))
        );
        assert_eq!(
            parse("\"a\" | \"b\"").unwrap().ty,
            Type::Enum(vec!["a".into(), "b".into()])
        );
        let p = parse("{ Id: string, Count: integer, Tags: {Tag} }").unwrap();
        assert_eq!(
            p.names,
            vec![("Tag".to_owned(), Span { start: 37, end: 40 })]
        );
        assert_eq!(render(&p.ty), "{ Count: integer, Id: string, Tags: {Tag} }");
    }

    #[test]
    fn reports_the_span_of_a_syntax_error() {
        let e = parse("{ Id: string, Count integer }").unwrap_err();
        assert_eq!(e.code, "VS2001");
        assert_eq!(e.span.start, 20);
        assert_eq!(
            parse("{ A: integer, A: string }").unwrap_err().code,
            "VS2002"
        );
        assert_eq!(parse("integer | string").unwrap_err().code, "VS2003");
    }

    #[test]
    fn a_repeated_question_mark_is_a_syntax_error() {
        assert!(parse("integer?").is_ok());
        let e = parse("integer???").unwrap_err();
        assert_eq!((e.code, e.span), ("VS2001", Span { start: 8, end: 9 }));
        assert!(e.help.contains("one `?`"), "{}", e.help);
    }

    #[test]
    fn a_number_in_a_union_is_a_union_error_with_help() {
        let e = parse("\"Gold\" | 1").unwrap_err();
        assert_eq!((e.code, e.span), ("VS2003", Span { start: 9, end: 10 }));
        assert!(e.help.contains("integer"), "{}", e.help);
        assert_eq!(
            parse("-2.5 | \"a\"").unwrap_err().span,
            Span { start: 0, end: 4 }
        );
    }

    #[test]
    fn lock_shapes_keep_bounds_and_parse_back() {
        let text = "{ A: integer(0..), B: number(-1.5..2), C: string(..32), D: {integer(..9)} }";
        let ty = parse_shape(text).unwrap().ty;
        assert_eq!(render_shape(&ty), text);
        assert_eq!(
            render(&ty),
            "{ A: integer, B: number, C: string, D: {integer} }"
        );
        assert!(
            parse("integer(0..)").is_err(),
            "bounds belong to the lock only"
        );
        assert!(parse_shape("string(1..)").is_err());
    }

    #[test]
    fn enum_literals_holding_a_quote_render_with_the_other_quote() {
        let ty = parse("'say \"hi\"' | \"b\"").unwrap().ty;
        assert_eq!(parse(&render(&ty)).unwrap().ty, ty);
    }

    #[test]
    fn the_type_table_follows_names_through_optionals() {
        let types = vec![
            ("A".to_owned(), parse("B?").unwrap().ty),
            ("B".to_owned(), parse("{ X: integer }").unwrap().ty),
        ];
        let t = TypeTable::new(&types);
        let a = Type::Named("A".into());
        assert!(matches!(t.resolve(&a), Type::Optional(_)));
        assert!(matches!(t.plain(&a), Type::Record(_)));
        assert_eq!(render(&t.expand(&a)), "{ X: integer }?");
    }

    #[test]
    fn canonical_rendering_parses_back_to_the_same_type() {
        for t in [
            "{ B: {[string]: number?}, A: (\"x\" | \"y\")? }",
            "{{ Id: string }}",
        ] {
            let ty = parse(t).unwrap().ty;
            assert_eq!(
                parse(&render(&ty)).unwrap().ty.clone(),
                parse(&render(&ty)).unwrap().ty
            );
            assert_eq!(render(&parse(&render(&ty)).unwrap().ty), render(&ty));
        }
    }
}
