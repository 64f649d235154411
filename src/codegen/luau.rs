//! Small Luau text helpers shared by the emitters: identifiers, string and
//! table literals from JSON values, and Luau type expressions from the schema's
//! type language. Output is StyLua-shaped: tabs, double quotes, trailing commas.

use std::fmt::Write as _;

use crate::schema::model::Type;

const KEYWORDS: &[&str] = &[
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in", "local",
    "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
];

/// Whether `name` can be written bare as a Luau identifier or table key.
pub fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !KEYWORDS.contains(&name)
}

/// A double-quoted Luau string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\{}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string literal quoted the way StyLua's `AutoPreferDouble` writes it:
/// double quotes, unless the text holds more double than single quotes.
pub fn stylua_string(s: &str) -> String {
    let doubles = s.matches('"').count();
    let singles = s.matches('\'').count();
    if doubles <= singles {
        return string(s);
    }
    let double = string(s);
    let body = &double[1..double.len() - 1];
    format!("'{}'", body.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// A table key in a constructor: `Name = ` or `["odd name"] = `.
pub fn table_key(name: &str) -> String {
    if is_ident(name) {
        format!("{name} = ")
    } else {
        format!("[{}] = ", string(name))
    }
}

/// A property in a table type: `Name: ` or `["odd name"]: `.
pub fn type_key(name: &str) -> String {
    if is_ident(name) {
        format!("{name}: ")
    } else {
        format!("[{}]: ", string(name))
    }
}

/// Indexing an expression by a field name: `x.Name` or `x["odd name"]`.
pub fn index(expr: &str, name: &str) -> String {
    if is_ident(name) {
        format!("{expr}.{name}")
    } else {
        format!("{expr}[{}]", string(name))
    }
}

/// Display width of a line as StyLua measures it (a tab counts as 4 columns).
pub fn width(indent: usize, text: &str) -> usize {
    indent * 4 + text.chars().count()
}

/// StyLua's column limit for generated code.
pub const COLUMN_WIDTH: usize = 120;

/// A PascalCase identifier built from path segments, e.g. `WalletCoins`.
pub fn pascal(segments: &[String]) -> String {
    let mut out = String::new();
    for seg in segments {
        let mut upper = true;
        for c in seg.chars() {
            if c.is_ascii_alphanumeric() {
                if upper {
                    out.push(c.to_ascii_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            } else {
                upper = true;
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `<head><a> | <b> | ...`, or one `| option` per line when too wide (StyLua's
/// layout of a long union type alias).
pub fn union(head: &str, options: &[String]) -> String {
    if options.is_empty() {
        return format!("{head}never");
    }
    let one_line = format!("{head}{}", options.join(" | "));
    if width(0, &one_line) <= COLUMN_WIDTH {
        return one_line;
    }
    let mut out = head.trim_end().to_string();
    for o in options {
        out.push_str(&format!("\n\t| {o}"));
    }
    out
}

/// A path literal `{ "Wallet", "Coins" }`.
pub fn path(segments: &[String]) -> String {
    let parts: Vec<String> = segments.iter().map(|s| string(s)).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

fn is_scalar(v: &serde_json::Value) -> bool {
    !matches!(
        v,
        serde_json::Value::Array(_) | serde_json::Value::Object(_)
    )
}

/// A Luau literal for a JSON value, laid out at `indent` tabs. Null object
/// members are left out: a nil field in a table constructor means nothing.
pub fn value(v: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "nil".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s),
        Value::Array(items) if items.is_empty() => "{}".to_string(),
        Value::Array(items) if items.iter().all(is_scalar) => {
            let parts: Vec<String> = items.iter().map(|i| value(i, indent)).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(items) => {
            let tabs = "\t".repeat(indent + 1);
            let mut out = String::from("{\n");
            for item in items {
                let _ = writeln!(out, "{tabs}{},", value(item, indent + 1));
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
            out
        }
        Value::Object(map) => {
            let members: Vec<_> = map.iter().filter(|(_, v)| !v.is_null()).collect();
            if members.is_empty() {
                return "{}".to_string();
            }
            let tabs = "\t".repeat(indent + 1);
            let mut out = String::from("{\n");
            for (k, v) in members {
                let _ = writeln!(out, "{tabs}{}{},", table_key(k), value(v, indent + 1));
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
            out
        }
    }
}

/// The Luau type expression for a schema type, laid out at `indent` tabs.
pub fn type_expr(ty: &Type, indent: usize) -> String {
    typed(ty, indent, "", "")
}

/// Like `type_expr`, for a module other than `Types`: named types are
/// reached through `<module>.` (`Types.Item`).
pub fn qualified_type_expr(ty: &Type, indent: usize, module: &str) -> String {
    typed(ty, indent, "", &format!("{module}."))
}

/// Like `type_expr`, with every record property `read`-only: Luau reports a
/// write through the type ("Property X of table ... is read-only"). Array and
/// map indexers cannot carry `read` in this Luau version and stay writable.
pub fn readonly_type_expr(ty: &Type, indent: usize) -> String {
    typed(ty, indent, "read ", "")
}

/// `{ T }` or `{ [string]: T }` on one line, or broken over lines the way
/// StyLua writes them when `T` spans lines (`trailing` after the element).
fn collection(
    inner: &Type,
    indent: usize,
    access: &str,
    names: &str,
    key: &str,
    trailing: &str,
) -> String {
    let one_line = typed(inner, indent, access, names);
    if !one_line.contains('\n') {
        return format!("{{ {key}{one_line} }}");
    }
    let tabs = "\t".repeat(indent + 1);
    format!(
        "{{\n{tabs}{key}{}{trailing}\n{}}}",
        typed(inner, indent + 1, access, names),
        "\t".repeat(indent)
    )
}

/// `access` prefixes record properties (`read `); `names` prefixes named types.
fn typed(ty: &Type, indent: usize, access: &str, names: &str) -> String {
    match ty {
        Type::Integer { .. } | Type::Number { .. } => "number".to_string(),
        Type::String { .. } => "string".to_string(),
        Type::Boolean => "boolean".to_string(),
        Type::Array(inner) => collection(inner, indent, access, names, "", ""),
        Type::Map(inner) => collection(inner, indent, access, names, "[string]: ", ","),
        Type::Record(fields) if fields.is_empty() => "{}".to_string(),
        Type::Record(fields) => {
            let tabs = "\t".repeat(indent + 1);
            let mut out = String::from("{\n");
            for f in fields {
                let _ = writeln!(
                    out,
                    "{tabs}{access}{}{},",
                    type_key(&f.name),
                    typed(&f.ty, indent + 1, access, names)
                );
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
            out
        }
        Type::Optional(inner) => match inner.as_ref() {
            Type::Enum(_) => format!("({})?", typed(inner, indent, access, names)),
            Type::Optional(_) => typed(inner, indent, access, names),
            _ => format!("{}?", typed(inner, indent, access, names)),
        },
        Type::Enum(options) => {
            let parts: Vec<String> = options.iter().map(|o| string(o)).collect();
            parts.join(" | ")
        }
        Type::Named(name) => format!("{names}{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::model::Field;

    #[test]
    fn keywords_and_odd_names_are_quoted_as_keys() {
        assert_eq!(table_key("Coins"), "Coins = ");
        assert_eq!(table_key("end"), "[\"end\"] = ");
        assert_eq!(table_key("two words"), "[\"two words\"] = ");
        assert_eq!(index("data", "1st"), "data[\"1st\"]");
    }

    #[test]
    fn messages_with_double_quotes_take_single_quotes_like_stylua() {
        assert_eq!(stylua_string("plain"), "\"plain\"");
        assert_eq!(
            stylua_string("one of \"A\", \"B\""),
            "'one of \"A\", \"B\"'"
        );
        // StyLua's own output for these three literals.
        assert_eq!(stylua_string("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(stylua_string("one \"x\" 'y'"), "\"one \\\"x\\\" 'y'\"");
        assert_eq!(
            stylua_string("\"a\" \"b\" 'c'\n"),
            "'\"a\" \"b\" \\'c\\'\\n'"
        );
    }

    #[test]
    fn strings_escape_quotes_and_control_characters() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\1\"");
    }

    #[test]
    fn nested_defaults_become_tab_indented_tables() {
        let v = serde_json::json!({ "Wallet": { "Coins": 0 }, "Inventory": [], "Tags": ["a", "b"], "Gone": null });
        assert_eq!(value(&v, 0), "{\n\tInventory = {},\n\tTags = { \"a\", \"b\" },\n\tWallet = {\n\t\tCoins = 0,\n\t},\n}");
    }

    #[test]
    fn optional_enums_are_parenthesised() {
        let ty = Type::Optional(Box::new(Type::Enum(vec!["A".into(), "B".into()])));
        assert_eq!(type_expr(&ty, 0), "(\"A\" | \"B\")?");
        let rec = Type::Record(vec![Field {
            name: "Items".into(),
            ty: Type::Map(Box::new(Type::Named("Item".into()))),
        }]);
        assert_eq!(type_expr(&rec, 0), "{\n\tItems: { [string]: Item },\n}");
    }

    #[test]
    fn readonly_types_mark_every_record_property_read() {
        let rec = Type::Record(vec![Field {
            name: "Wallet".into(),
            ty: Type::Record(vec![Field {
                name: "end".into(),
                ty: Type::Array(Box::new(Type::Integer {
                    min: None,
                    max: None,
                })),
            }]),
        }]);
        assert_eq!(
            readonly_type_expr(&rec, 0),
            "{\n\tread Wallet: {\n\t\tread [\"end\"]: { number },\n\t},\n}"
        );
    }
}
