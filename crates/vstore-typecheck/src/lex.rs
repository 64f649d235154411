//! A small Luau tokenizer: just enough to find `require` calls, top-level type
//! statements and identifiers while skipping strings and comments.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Str,
    Number,
    Symbol,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// Zero-based line of the first byte.
    pub line: usize,
    /// Zero-based column of the first byte.
    pub col: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

/// Length of a long bracket opener `[==[` at `i`, with its level.
fn long_bracket(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'=') {
        j += 1;
    }
    (bytes.get(j) == Some(&b'[')).then_some((j + 1 - i, j - i - 1))
}

fn skip_long(bytes: &[u8], mut i: usize, level: usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == b']' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] == b'=' {
                j += 1;
            }
            if j - i - 1 == level && bytes.get(j) == Some(&b']') {
                return j + 1;
            }
        }
        i += 1;
    }
    bytes.len()
}

pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 0;
    let mut line_start = 0;
    let count_lines = |from: usize, to: usize, line: &mut usize, line_start: &mut usize| {
        for (k, b) in bytes[from..to].iter().enumerate() {
            if *b == b'\n' {
                *line += 1;
                *line_start = from + k + 1;
            }
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("--") {
            let end = match long_bracket(bytes, i + 2) {
                Some((len, level)) => skip_long(bytes, i + 2 + len, level),
                None => src[i..].find('\n').map_or(bytes.len(), |n| i + n),
            };
            count_lines(i, end, &mut line, &mut line_start);
            i = end;
            continue;
        }
        let start = i;
        let (tl, tc) = (line, i - line_start);
        let kind;
        if b == b'"' || b == b'\'' || b == b'`' {
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            kind = Kind::Str;
        } else if let Some((len, level)) = long_bracket(bytes, i) {
            i = skip_long(bytes, i + len, level);
            kind = Kind::Str;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            kind = Kind::Ident;
        } else if b.is_ascii_digit() {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
            {
                i += 1;
            }
            kind = Kind::Number;
        } else {
            let three = ["...", "//="];
            let two = [
                "->", "::", "==", "~=", "<=", ">=", "..", "+=", "-=", "*=", "/=", "%=", "^=", "//",
            ];
            let rest = &src[i..];
            i += if three.iter().any(|s| rest.starts_with(s)) {
                3
            } else if two.iter().any(|s| rest.starts_with(s)) {
                2
            } else {
                rest.chars().next().map_or(1, char::len_utf8)
            };
            kind = Kind::Symbol;
        }
        count_lines(start, i, &mut line, &mut line_start);
        out.push(Token {
            kind,
            start,
            end: i,
            line: tl,
            col: tc,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_hide_their_contents() {
        let src =
            "local a = \"require(x)\" -- require(y)\n--[[ require(z) ]] local b = [[require]]";
        let toks = tokenize(src);
        let idents: Vec<_> = toks
            .iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| t.text(src))
            .collect();
        assert_eq!(idents, ["local", "a", "local", "b"]);
        assert_eq!(toks.last().unwrap().line, 1);
    }
}
