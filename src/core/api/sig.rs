//! The type language of the API table: the schema's types (`{T}`,
//! `{[string]: T}`, `{ A: T }`, `T?`, `"a" | "b"`, names) plus what a
//! signature needs (`number`, `any`, `unknown`, unions of any types, function
//! types `(a: T, b: U?) -> R`, several returns `(A, B?)`, `()` for none and
//! `...T` for a variadic tail) and overloads joined by `&`. Parsing only;
//! rendering belongs to each output (codegen, docs, the conformance probe).

/// A type in a signature.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A primitive (`number`, `string`, `any`, ...) or a named type.
    Name(String),
    /// A string singleton, `"Save"`.
    Literal(String),
    Optional(Box<Ty>),
    Array(Box<Ty>),
    /// `{ [string]: T }`.
    Map(Box<Ty>),
    Record(Vec<(String, Ty)>),
    Union(Vec<Ty>),
    Function(Box<Func>),
}

/// One parameter; `name` is `self` for a method of a record type.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
}

/// What a function returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Returns {
    /// Zero or more values; `()` is none.
    Values(Vec<Ty>),
    /// Any number of values of one type (`...any`).
    Variadic(Ty),
}

/// A function type, or one overload of a member.
#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    pub params: Vec<Param>,
    /// The type of `...` at the end of the parameters, if any.
    pub rest: Option<Ty>,
    pub returns: Returns,
}

impl Ty {
    /// Every named type this type mentions, in order, with repeats.
    pub fn names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Ty::Name(n) => out.push(n),
            Ty::Literal(_) => {}
            Ty::Optional(t) | Ty::Array(t) | Ty::Map(t) => t.names(out),
            Ty::Record(fields) => fields.iter().for_each(|(_, t)| t.names(out)),
            Ty::Union(members) => members.iter().for_each(|t| t.names(out)),
            Ty::Function(f) => f.names(out),
        }
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
            || matches!(self, Ty::Name(n) if n == "any" || n == "unknown")
    }
}

impl Func {
    pub fn names<'a>(&'a self, out: &mut Vec<&'a str>) {
        self.params.iter().for_each(|p| p.ty.names(out));
        if let Some(rest) = &self.rest {
            rest.names(out);
        }
        match &self.returns {
            Returns::Values(v) => v.iter().for_each(|t| t.names(out)),
            Returns::Variadic(t) => t.names(out),
        }
    }
}

/// A syntax error in a table entry (a bug in the table, reported by its test).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub at: usize,
    pub message: String,
}

/// Parses a member signature: one function type, or several joined by `&`.
pub fn parse_overloads(text: &str) -> Result<Vec<Func>, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let mut out = vec![p.func()?];
    while p.eat(b'&') {
        out.push(p.func()?);
    }
    p.end()?;
    Ok(out)
}

/// Parses a signal payload: a parenthesised parameter list.
pub fn parse_params(text: &str) -> Result<Vec<Param>, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    p.expect(b'(')?;
    let (params, rest) = p.params()?;
    if rest.is_some() {
        return Err(p.error("a payload has no `...`"));
    }
    p.end()?;
    Ok(params)
}

/// Parses one type (a field's or a named type's).
pub fn parse_type(text: &str) -> Result<Ty, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let ty = p.ty()?;
    p.end()?;
    Ok(ty)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            at: self.pos,
            message: message.to_string(),
        }
    }

    fn peek(&mut self) -> Option<u8> {
        while self.s.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
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

    fn eat_str(&mut self, token: &str) -> bool {
        self.peek();
        if self.s[self.pos..].starts_with(token.as_bytes()) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), SyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", c as char)))
        }
    }

    fn end(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("unexpected text")),
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.peek();
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// `(params) -> returns`; a function without `->` returns nothing.
    fn func(&mut self) -> Result<Func, SyntaxError> {
        self.expect(b'(')?;
        let (params, rest) = self.params()?;
        let returns = if self.eat_str("->") {
            self.returns()?
        } else {
            Returns::Values(Vec::new())
        };
        Ok(Func {
            params,
            rest,
            returns,
        })
    }

    /// Parameters up to and including `)`.
    fn params(&mut self) -> Result<(Vec<Param>, Option<Ty>), SyntaxError> {
        let mut params = Vec::new();
        let mut rest = None;
        if self.eat(b')') {
            return Ok((params, rest));
        }
        loop {
            if self.eat_str("...") {
                rest = Some(self.ty()?);
                self.expect(b')')?;
                return Ok((params, rest));
            }
            let name = self
                .ident()
                .ok_or_else(|| self.error("expected a parameter name"))?;
            self.expect(b':')?;
            params.push(Param {
                name,
                ty: self.ty()?,
            });
            if self.eat(b')') {
                return Ok((params, rest));
            }
            self.expect(b',')?;
        }
    }

    fn returns(&mut self) -> Result<Returns, SyntaxError> {
        if self.eat_str("...") {
            return Ok(Returns::Variadic(self.ty()?));
        }
        let save = self.pos;
        if self.eat(b'(') {
            // `(A, B?)` is a list of returns unless it is a function type.
            match self.value_list() {
                Ok(values) if !self.peek_arrow() => {
                    if !self.eat(b'?') {
                        return Ok(Returns::Values(values));
                    }
                    // `(A | B)?` is one optional value.
                    let [one] = <[Ty; 1]>::try_from(values)
                        .map_err(|_| self.error("`?` after a list of returns"))?;
                    return Ok(Returns::Values(vec![Ty::Optional(Box::new(one))]));
                }
                _ => self.pos = save,
            }
        }
        Ok(Returns::Values(vec![self.ty()?]))
    }

    /// Types up to and including `)`.
    fn value_list(&mut self) -> Result<Vec<Ty>, SyntaxError> {
        let mut values = Vec::new();
        if self.eat(b')') {
            return Ok(values);
        }
        loop {
            values.push(self.ty()?);
            if self.eat(b')') {
                return Ok(values);
            }
            self.expect(b',')?;
        }
    }

    fn peek_arrow(&mut self) -> bool {
        self.peek();
        self.s[self.pos..].starts_with(b"->")
    }

    fn ty(&mut self) -> Result<Ty, SyntaxError> {
        let mut members = vec![self.postfix()?];
        while self.eat(b'|') {
            members.push(self.postfix()?);
        }
        Ok(if members.len() == 1 {
            members.pop().unwrap()
        } else {
            Ty::Union(members)
        })
    }

    fn postfix(&mut self) -> Result<Ty, SyntaxError> {
        let mut ty = self.primary()?;
        while self.eat(b'?') {
            ty = Ty::Optional(Box::new(ty));
        }
        Ok(ty)
    }

    fn primary(&mut self) -> Result<Ty, SyntaxError> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                let start = self.pos;
                while self.s.get(self.pos).is_some_and(|c| *c != b'"') {
                    self.pos += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                self.expect(b'"')?;
                Ok(Ty::Literal(text))
            }
            Some(b'{') => {
                self.pos += 1;
                self.table()
            }
            Some(b'(') => {
                let save = self.pos;
                self.pos += 1;
                // A parenthesised type, or a function type.
                if let Ok(inner) = self.ty() {
                    if self.eat(b')') && !self.peek_arrow() {
                        return Ok(inner);
                    }
                }
                self.pos = save;
                Ok(Ty::Function(Box::new(self.func()?)))
            }
            _ => self
                .ident()
                .map(Ty::Name)
                .ok_or_else(|| self.error("expected a type")),
        }
    }

    /// After `{`: an array, a map or a record.
    fn table(&mut self) -> Result<Ty, SyntaxError> {
        if self.eat(b'[') {
            let key = self.ident();
            if key.as_deref() != Some("string") {
                return Err(self.error("maps are keyed by string"));
            }
            self.expect(b']')?;
            self.expect(b':')?;
            let value = self.ty()?;
            self.expect(b'}')?;
            return Ok(Ty::Map(Box::new(value)));
        }
        let save = self.pos;
        if let Some(name) = self.ident() {
            if self.eat(b':') {
                let mut fields = vec![(name, self.ty()?)];
                while self.eat(b',') {
                    if self.peek() == Some(b'}') {
                        break;
                    }
                    let name = self.ident().ok_or_else(|| self.error("expected a field"))?;
                    self.expect(b':')?;
                    fields.push((name, self.ty()?));
                }
                self.expect(b'}')?;
                return Ok(Ty::Record(fields));
            }
        }
        self.pos = save;
        let element = self.ty()?;
        self.expect(b'}')?;
        Ok(Ty::Array(Box::new(element)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Ty {
        Ty::Name(n.into())
    }

    #[test]
    fn a_method_signature_parses_into_parameters_and_returns() {
        let f = &parse_overloads(
            "(player: Player, path: Path, delta: number, options: MutationOptions?) -> (boolean, VirtualError?)",
        )
        .unwrap()[0];
        assert_eq!(f.params.len(), 4);
        assert_eq!(
            f.params[3].ty,
            Ty::Optional(Box::new(name("MutationOptions")))
        );
        assert_eq!(
            f.returns,
            Returns::Values(vec![
                name("boolean"),
                Ty::Optional(Box::new(name("VirtualError")))
            ])
        );
    }

    #[test]
    fn callbacks_overloads_unions_and_variadics_parse() {
        let get = parse_overloads("() -> Data & (path: Path) -> Value").unwrap();
        assert_eq!(get.len(), 2);
        assert_eq!(get[1].params[0].name, "path");
        let edit =
            &parse_overloads("(callback: (profile: Data) -> ...any, target: Player | number)")
                .unwrap()[0];
        let Ty::Function(cb) = &edit.params[0].ty else {
            panic!("{edit:?}")
        };
        assert_eq!(cb.returns, Returns::Variadic(name("any")));
        assert_eq!(
            edit.params[1].ty,
            Ty::Union(vec![name("Player"), name("number")])
        );
        assert_eq!(edit.returns, Returns::Values(vec![]));
        let locks = &parse_overloads("(sessions: {Session}, ...any) -> ()").unwrap()[0];
        assert_eq!(locks.rest, Some(name("any")));
        let wait =
            &parse_overloads("(timeout: number?) -> (boolean, (\"Timeout\" | \"Disconnected\")?)")
                .unwrap()[0];
        let Returns::Values(v) = &wait.returns else {
            panic!()
        };
        assert!(matches!(&v[1], Ty::Optional(inner) if matches!(inner.as_ref(), Ty::Union(_))));
    }

    #[test]
    fn tables_parse_as_arrays_maps_and_records() {
        assert_eq!(
            parse_type("{ { string | number } }").unwrap(),
            Ty::Array(Box::new(Ty::Array(Box::new(Ty::Union(vec![
                name("string"),
                name("number")
            ])))))
        );
        assert_eq!(
            parse_type("{ [string]: any }").unwrap(),
            Ty::Map(Box::new(name("any")))
        );
        let rec =
            parse_type("{ Connected: boolean, Disconnect: (self: Connection) -> (), }").unwrap();
        let Ty::Record(fields) = rec else { panic!() };
        assert_eq!(fields[1].0, "Disconnect");
        assert!(parse_type("{ A: }").is_err());
        assert!(parse_overloads("(a: number").is_err());
    }
}
