//! `[types]` names: identifiers that are not built-in types and do not clash
//! with a type the generated modules export (VS2008).

use crate::check::rule::{Context, Rule};

pub struct TypeNames;

/// The built-in scalar types.
pub const BUILTINS: &[&str] = &["integer", "number", "string", "boolean"];

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
pub fn generated_name_clash(name: &str) -> Option<String> {
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

pub fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

impl Rule for TypeNames {
    fn name(&self) -> &'static str {
        "type_names"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS2008"]
    }

    fn check(&self, cx: &mut Context) {
        for decl in &cx.doc.types {
            let name = &decl.name.value;
            if !is_ident(name) || BUILTINS.contains(&name.as_str()) {
                cx.out.error(
                    "VS2008",
                    decl.name.span,
                    format!("`{name}` cannot name a type"),
                    "invalid type name",
                    "type names are identifiers (letters, digits, `_`) other than the built-in types",
                );
            } else if let Some(why) = generated_name_clash(name) {
                cx.out.error(
                    "VS2008",
                    decl.name.span,
                    format!("`{name}` cannot name a type: {why}"),
                    "clashes with a generated type",
                    "rename the type, for example with a game-specific prefix",
                );
            } else {
                continue;
            }
            cx.broken_types.insert(name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
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
