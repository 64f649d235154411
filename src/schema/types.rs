//! The type language: `integer`, `number`, `string`, `boolean`, `{T}`,
//! `{[string]: T}`, `{ A: T, B: U }`, `T?`, `"a" | "b"` and names from `[types]`.
//! Spans are byte offsets into the type string; callers shift them into the file.

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
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
        names: Vec::new(),
        depth: 0,
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
        let mut ty = self.primary()?;
        while self.eat(b'?') {
            if !matches!(ty, Type::Optional(_)) {
                ty = Type::Optional(Box::new(ty));
            }
        }
        Ok(ty)
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
                Ok(match name.as_str() {
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
                })
            }
        }
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
    match ty {
        Type::Integer { .. } => "integer".into(),
        Type::Number { .. } => "number".into(),
        Type::String { .. } => "string".into(),
        Type::Boolean => "boolean".into(),
        Type::Array(t) => format!("{{{}}}", render(t)),
        Type::Map(t) => format!("{{[string]: {}}}", render(t)),
        Type::Record(fields) => {
            let mut f: Vec<&Field> = fields.iter().collect();
            f.sort_by(|a, b| a.name.cmp(&b.name));
            let inner: Vec<String> = f
                .iter()
                .map(|f| format!("{}: {}", f.name, render(&f.ty)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        Type::Optional(t) => match **t {
            Type::Enum(_) => format!("({})?", render(t)),
            _ => format!("{}?", render(t)),
        },
        Type::Enum(v) => v
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(" | "),
        Type::Named(n) => n.clone(),
    }
}

/// Replaces named types by their definitions (bounded, so cycles cannot loop).
pub fn expand(ty: &Type, types: &[(String, Type)]) -> Type {
    fn go(ty: &Type, types: &[(String, Type)], depth: usize) -> Type {
        if depth > MAX_DEPTH {
            return ty.clone();
        }
        match ty {
            Type::Named(n) => match types.iter().find(|(k, _)| k == n) {
                Some((_, t)) => go(t, types, depth + 1),
                None => ty.clone(),
            },
            Type::Array(t) => Type::Array(Box::new(go(t, types, depth + 1))),
            Type::Map(t) => Type::Map(Box::new(go(t, types, depth + 1))),
            Type::Optional(t) => Type::Optional(Box::new(go(t, types, depth + 1))),
            Type::Record(f) => Type::Record(
                f.iter()
                    .map(|f| Field {
                        name: f.name.clone(),
                        ty: go(&f.ty, types, depth + 1),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    go(ty, types, 0)
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
