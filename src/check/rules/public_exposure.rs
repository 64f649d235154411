//! What a public path may expose (docs/replication.md): never a template
//! entry marked `private = true`, nor a parent of one (VS3107); a parent
//! published whole with children not listed warns (VS3103), and so does a
//! published name that looks like operational data no `private = false`
//! covers (VS3109).

use std::collections::{HashMap, HashSet};

use crate::check::rule::{Context, Rule};
use crate::diagnostic::Span;
use crate::schema::model::{DataPath, TemplateField, Type};
use crate::schema::types::TypeTable;

pub struct PublicExposure;

impl Rule for PublicExposure {
    fn name(&self) -> &'static str {
        "public_exposure"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["VS3103", "VS3107", "VS3109"]
    }

    fn check(&self, cx: &mut Context) {
        let table = TypeTable::new(&cx.types);
        for s in &cx.stores {
            for x in check_public(&s.store.template, &table, &s.public_spans) {
                if x.error {
                    cx.out.error(x.code, x.span, x.message, x.label, x.help);
                } else {
                    cx.out.warn(x.code, x.span, x.message, x.label, x.help);
                }
            }
        }
    }
}

/// Words that mark data the player should not see (compared ignoring case,
/// a trailing plural `s` and the split of camel case or `_`; `DeadLetter` and
/// `AntiCheat` also match as two words).
pub const OPERATIONAL_WORDS: &[&str] = &[
    "admin",
    "anticheat",
    "audit",
    "ban",
    "banned",
    "deadletter",
    "dedupe",
    "escrow",
    "journal",
    "lease",
    "ledger",
    "receipt",
    "token",
];

/// Splits an identifier into lower-case words: `AntiCheatFlags` ->
/// `anti, cheat, flags`; `HTTPToken` -> `http, token`; `dead_letters` ->
/// `dead, letters`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if c.is_ascii_uppercase() => {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            }
            Some(p) => c.is_ascii_digit() != p.is_ascii_digit() && p != '_',
            None => false,
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The operational word `name` contains, if any.
pub fn operational(name: &str) -> Option<&'static str> {
    let matches = |w: &str| {
        OPERATIONAL_WORDS
            .iter()
            .copied()
            .find(|o| *o == w || w.strip_suffix('s') == Some(o))
    };
    let ws = words(name);
    ws.iter()
        .find_map(|w| matches(w))
        .or_else(|| ws.windows(2).find_map(|p| matches(&(p[0].clone() + &p[1]))))
        .or_else(|| matches(&name.to_ascii_lowercase().replace('_', "")))
}

/// One problem with one public path.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub code: &'static str,
    /// `false` for warnings.
    pub error: bool,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

fn dotted(p: &[String]) -> String {
    p.join(".")
}

/// The template's fields by path: the fields at or below a path and the
/// fields above it are found without scanning the template, so checking every
/// public path stays linear in the schema.
struct Index<'t> {
    /// (declaration index, field), sorted by path.
    sorted: Vec<(usize, &'t TemplateField)>,
}

impl<'t> Index<'t> {
    fn new(template: &'t [TemplateField]) -> Self {
        let mut sorted: Vec<(usize, &TemplateField)> = template.iter().enumerate().collect();
        sorted.sort_by(|a, b| a.1.path.cmp(&b.1.path));
        Index { sorted }
    }

    /// The field declared at exactly `p`.
    fn at(&self, p: &[String]) -> Option<(usize, &'t TemplateField)> {
        self.sorted
            .binary_search_by(|(_, f)| f.path.as_slice().cmp(p))
            .ok()
            .map(|i| self.sorted[i])
    }

    /// Fields at `p` or below it.
    fn under(&self, p: &[String]) -> &[(usize, &'t TemplateField)] {
        let start = self.sorted.partition_point(|(_, f)| f.path.as_slice() < p);
        let len = self.sorted[start..].partition_point(|(_, f)| f.path.starts_with(p));
        &self.sorted[start..start + len]
    }

    /// Fields strictly above `p` (fields whose path is a proper prefix of it).
    fn above<'a>(
        &'a self,
        p: &'a [String],
    ) -> impl Iterator<Item = (usize, &'t TemplateField)> + 'a {
        (1..p.len()).filter_map(move |n| self.at(&p[..n]))
    }

    /// Fields above, at or below `p`, in declaration order.
    fn overlapping(&self, p: &[String]) -> Vec<&'t TemplateField> {
        let mut all: Vec<(usize, &TemplateField)> = self.above(p).collect();
        all.extend_from_slice(self.under(p));
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, f)| f).collect()
    }
}

/// The largest paths under `path` that hold no private entry: what to publish
/// instead of `path`. Empty when `path` is itself private or inside a private entry.
fn cover(ix: &Index, path: &[String]) -> Vec<DataPath> {
    let private: Vec<&TemplateField> = ix
        .overlapping(path)
        .into_iter()
        .filter(|f| f.is_private())
        .collect();
    if private.is_empty() {
        return vec![path.to_vec()];
    }
    if private.iter().any(|f| path.starts_with(&f.path)) {
        return Vec::new();
    }
    let mut below: Vec<(usize, &TemplateField)> = ix
        .under(path)
        .iter()
        .filter(|(_, f)| f.path.len() > path.len())
        .copied()
        .collect();
    below.sort_by_key(|(i, _)| *i);
    let mut children: Vec<&String> = Vec::new();
    for (_, f) in below {
        let c = &f.path[path.len()];
        if !children.contains(&c) {
            children.push(c);
        }
    }
    children
        .into_iter()
        .flat_map(|c| {
            let mut child = path.to_vec();
            child.push(c.clone());
            cover(ix, &child)
        })
        .collect()
}

/// Whether names look operational, each distinct name judged once.
#[derive(Default)]
struct Judged(HashMap<String, bool>);

impl Judged {
    fn operational(&mut self, name: &str) -> bool {
        if let Some(&b) = self.0.get(name) {
            return b;
        }
        let b = operational(name).is_some();
        self.0.insert(name.to_owned(), b);
        b
    }
}

/// Operational-looking record field names anywhere inside `ty`, as display
/// paths below `at` (`[]` marks the elements of an array or map).
fn names_in(
    ty: &Type,
    types: &TypeTable,
    at: &mut String,
    judged: &mut Judged,
    out: &mut Vec<String>,
) {
    match types.plain(ty) {
        Type::Record(fields) => {
            for f in fields {
                let len = at.len();
                at.push('.');
                at.push_str(&f.name);
                if judged.operational(&f.name) {
                    out.push(at.clone());
                }
                names_in(&f.ty, types, at, judged, out);
                at.truncate(len);
            }
        }
        Type::Array(inner) | Type::Map(inner) => {
            let len = at.len();
            at.push_str("[]");
            names_in(inner, types, at, judged, out);
            at.truncate(len);
        }
        _ => {}
    }
}

/// The type found `rest` segments below an entry of type `ty`.
fn descend<'t>(ty: &'t Type, rest: &[String], types: &TypeTable<'t>) -> Option<&'t Type> {
    rest.iter().try_fold(ty, |t, seg| match types.plain(t) {
        Type::Record(fields) => fields.iter().find(|f| &f.name == seg).map(|f| &f.ty),
        _ => None,
    })
}

/// Who owns a published name, for the `private = false` opt-out.
enum Owners<'t> {
    /// Every field above, at or below this path.
    Path(DataPath),
    One(&'t TemplateField),
}

/// Operational-looking names `path` publishes that no `private = false`
/// covers, as display paths.
fn operational_names(
    ix: &Index,
    types: &TypeTable,
    path: &[String],
    judged: &mut Judged,
) -> Vec<String> {
    let mut found: Vec<(String, Owners)> = Vec::new();
    // A segment of the path itself shows only what the path publishes.
    for i in 0..path.len() {
        if judged.operational(&path[i]) {
            found.push((dotted(&path[..=i]), Owners::Path(path.to_vec())));
        }
    }
    let mut related: Vec<(usize, &TemplateField)> = ix.above(path).collect();
    related.extend_from_slice(ix.under(path));
    related.sort_by_key(|(i, _)| *i);
    for (_, f) in related {
        let (ty, mut at) = if f.path.len() > path.len() {
            for j in path.len()..f.path.len() {
                if judged.operational(&f.path[j]) {
                    let q = &f.path[..=j];
                    found.push((dotted(q), Owners::Path(q.to_vec())));
                }
            }
            (Some(&f.ty), dotted(&f.path))
        } else {
            (descend(&f.ty, &path[f.path.len()..], types), dotted(path))
        };
        if let Some(ty) = ty {
            let mut inner = Vec::new();
            names_in(ty, types, &mut at, judged, &mut inner);
            found.extend(inner.into_iter().map(|d| (d, Owners::One(f))));
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (shown, owners) in found {
        if seen.contains(&shown) {
            continue;
        }
        let opted_out = match owners {
            Owners::One(f) => f.private == Some(false),
            Owners::Path(q) => {
                let owners = ix.overlapping(&q);
                !owners.is_empty() && owners.iter().all(|f| f.private == Some(false))
            }
        };
        if !opted_out {
            seen.insert(shown.clone());
            out.push(shown);
        }
    }
    out
}

fn quoted(paths: &[DataPath]) -> String {
    paths
        .iter()
        .map(|p| format!("\"{}\"", dotted(p)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks resolved public paths (with the span of each listed string) against
/// the template: private entries (`VS3107`), parents published with unlisted
/// children (`VS3103`) and operational-looking names (`VS3109`).
pub fn check_public(
    template: &[TemplateField],
    types: &TypeTable,
    public: &[(DataPath, Span)],
) -> Vec<Exposure> {
    let ix = Index::new(template);
    let mut judged = Judged::default();
    let listed: HashSet<&DataPath> = public.iter().map(|(p, _)| p).collect();
    let mut out = Vec::new();
    for (path, span) in public {
        let p = dotted(path);
        let private: Vec<&TemplateField> = ix
            .overlapping(path)
            .into_iter()
            .filter(|f| f.is_private())
            .collect();
        if let Some(owner) = private.iter().find(|f| path.starts_with(&f.path)) {
            let f = dotted(&owner.path);
            let message = if owner.path == *path {
                format!("public path `{p}` names the private field `{f}`")
            } else {
                format!("public path `{p}` lies inside the private field `{f}`")
            };
            out.push(Exposure {
                code: "VS3107",
                error: true,
                span: *span,
                message,
                label: "publishes private data".into(),
                help: format!(
                    "remove `{p}` from the public paths: `{f}` is marked `private = true` and never reaches the client"
                ),
            });
            continue;
        }
        if !private.is_empty() {
            let names: Vec<String> = private
                .iter()
                .map(|f| format!("`{}`", dotted(&f.path)))
                .collect();
            let cover = cover(&ix, path);
            let help = if cover.is_empty() {
                format!(
                    "nothing under `{p}` may be published: remove it, since {} is marked `private = true`",
                    names.join(", ")
                )
            } else {
                format!(
                    "{} is marked `private = true`; publish the exact paths instead: {}",
                    names.join(", "),
                    quoted(&cover)
                )
            };
            out.push(Exposure {
                code: "VS3107",
                error: true,
                span: *span,
                message: format!(
                    "public path `{p}` publishes the private field{} {}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ),
                label: "parent of private data".into(),
                help,
            });
            continue;
        }
        let mut hidden: Vec<(usize, &TemplateField)> = ix
            .under(path)
            .iter()
            .filter(|(_, f)| f.path.len() > path.len() && !listed.contains(&f.path))
            .copied()
            .collect();
        hidden.sort_by_key(|(i, _)| *i);
        if !hidden.is_empty() {
            let hidden: Vec<String> = hidden.iter().map(|(_, f)| dotted(&f.path)).collect();
            out.push(Exposure {
                code: "VS3103",
                error: false,
                span: *span,
                message: format!("public path `{p}` also publishes {}", hidden.join(", ")),
                label: "publishes fields that are not listed as public".into(),
                help: "list the exact child paths you mean to publish instead of their parent"
                    .into(),
            });
        }
        let names = operational_names(&ix, types, path, &mut judged);
        if !names.is_empty() {
            out.push(Exposure {
                code: "VS3109",
                error: false,
                span: *span,
                message: format!(
                    "public path `{p}` publishes data that looks operational: {}",
                    names.join(", ")
                ),
                label: "looks like operational data".into(),
                help: "keep such data on the server (mark its template field `private = true`); if the player may see it, mark the field `private = false`".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str, ty: Type, private: Option<bool>) -> TemplateField {
        TemplateField {
            path: path.split('.').map(str::to_owned).collect(),
            ty,
            default: serde_json::Value::Null,
            span: Span::default(),
            private,
        }
    }

    fn path(p: &str) -> DataPath {
        p.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn identifiers_split_into_words_at_case_digit_and_underscore_boundaries() {
        assert_eq!(words("AntiCheatFlags"), ["anti", "cheat", "flags"]);
        assert_eq!(words("HTTPToken"), ["http", "token"]);
        assert_eq!(words("dead_letters"), ["dead", "letters"]);
        assert_eq!(words("Level2Boss"), ["level", "2", "boss"]);
        assert_eq!(words("ADMIN"), ["admin"]);
    }

    #[test]
    fn operational_words_match_whole_words_and_plurals_only() {
        for name in [
            "Receipts",
            "PurchaseReceipt",
            "TradeEscrow",
            "AntiCheat",
            "anticheat_flags",
            "DeadLetters",
            "AdminNotes",
            "BanReason",
            "Banned",
            "SessionToken",
            "LEASE",
            "Ledgers",
        ] {
            assert!(operational(name).is_some(), "{name} should match");
        }
        for name in [
            "Coins",
            "Banner",
            "Bandana",
            "Administrator2",
            "Leaser",
            "Tokenomics",
            "Cheats",
            "Letters",
        ] {
            assert_eq!(operational(name), None, "{name} should not match");
        }
    }

    #[test]
    fn the_safe_cover_descends_only_where_private_entries_are() {
        let t = vec![
            field("Flags.AntiCheat", Type::Boolean, Some(true)),
            field("Flags.Tutorial", Type::Boolean, None),
            field("Flags.Music.Volume", Type::Boolean, None),
            field("Flags.Music.Muted", Type::Boolean, None),
            field("Coins", Type::Boolean, None),
        ];
        assert_eq!(
            cover(&Index::new(&t), &path("Flags")),
            [path("Flags.Tutorial"), path("Flags.Music")]
        );
        assert_eq!(cover(&Index::new(&t), &path("Coins")), [path("Coins")]);
        assert!(cover(&Index::new(&t), &path("Flags.AntiCheat")).is_empty());
    }

    #[test]
    fn a_private_entry_makes_its_record_type_private_too() {
        let secret = Type::Record(vec![crate::schema::model::Field {
            name: "Score".into(),
            ty: Type::Integer {
                min: None,
                max: None,
            },
        }]);
        let t = vec![field("Hidden", secret, Some(true))];
        let found = check_public(
            &t,
            &TypeTable::default(),
            &[(path("Hidden.Score"), Span::default())],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "VS3107");
        assert!(found[0]
            .message
            .contains("inside the private field `Hidden`"));
    }

    #[test]
    fn names_inside_named_record_types_are_checked_and_private_false_opts_out() {
        let types = vec![(
            "Offer".to_string(),
            Type::Record(vec![crate::schema::model::Field {
                name: "EscrowId".into(),
                ty: Type::String { max_len: None },
            }]),
        )];
        let offers = Type::Array(Box::new(Type::Named("Offer".into())));
        let t = vec![field("Offers", offers.clone(), None)];
        let found = check_public(
            &t,
            &TypeTable::new(&types),
            &[(path("Offers"), Span::default())],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "VS3109");
        assert!(found[0].message.ends_with("Offers[].EscrowId"));
        let t = vec![field("Offers", offers, Some(false))];
        assert!(check_public(
            &t,
            &TypeTable::new(&types),
            &[(path("Offers"), Span::default())]
        )
        .is_empty());
    }

    #[test]
    fn a_group_name_is_opted_out_only_when_every_entry_under_it_is() {
        let t = vec![
            field("Admin.Rank", Type::Boolean, Some(false)),
            field("Admin.Notes", Type::Boolean, None),
        ];
        let public = [
            (path("Admin.Rank"), Span::default()),
            (path("Admin.Notes"), Span::default()),
        ];
        let found = check_public(&t, &TypeTable::default(), &public);
        assert_eq!(
            found.iter().map(|e| e.code).collect::<Vec<_>>(),
            ["VS3109"],
            "{found:#?}"
        );
        assert!(found[0].message.contains("`Admin.Notes`"));
        assert!(found[0].message.ends_with("looks operational: Admin"));
    }
}
