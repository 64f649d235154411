//! Schema inputs that can never work, or that used to take minutes, are
//! refused with one diagnostic each: long chains of named types, template
//! paths deeper than a DataStore stores, keys past the TOML parser's nesting.
//! How fast is measured by `benches/toolchain.rs`, not here.

use std::fmt::Write as _;
use std::path::PathBuf;

use vstore::check::check_text;

const HEADER: &str = "[stores.S]\nkind = \"keyed\"\nversion = 1\n\n[stores.S.template]\nName = { type = \"string\", default = \"\" }\n";

fn root() -> PathBuf {
    PathBuf::from("tests/malformed/none")
}

fn codes(text: String) -> Vec<(&'static str, String)> {
    match check_text(&root(), text) {
        Ok(_) => Vec::new(),
        Err(f) => f
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect(),
    }
}

#[test]
fn a_chain_of_twenty_thousand_named_types_is_one_diagnostic() {
    let mut text = String::from("[types]\n");
    for i in 0..20_000 {
        writeln!(text, "T{i} = \"T{}\"", i + 1).unwrap();
    }
    text.push_str("T20000 = \"integer\"\n\n");
    text.push_str(HEADER);
    text.push_str("Coins = { type = \"T0\", default = 0 }\n");
    let found = codes(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "VS2009");
    assert!(
        found[0].1.contains("reaches 33 named types deep"),
        "{}",
        found[0].1
    );
}

#[test]
fn a_template_path_of_twenty_thousand_segments_is_one_diagnostic() {
    let path = vec!["A"; 20_000].join(".");
    let text = format!(
        "{HEADER}\"{path}\" = {{ type = \"integer\", default = 0 }}\n\n[stores.S.public]\npaths = [\"{path}\"]\n"
    );
    let found = codes(text);
    assert_eq!(
        found.len(),
        1,
        "{:?}",
        found.iter().map(|f| f.0).collect::<Vec<_>>()
    );
    assert_eq!(found[0].0, "VS3009");
}

#[test]
fn a_template_120_levels_deep_is_refused_by_the_datastore_nesting_limit() {
    let path = vec!["L"; 120].join(".");
    let found = codes(format!(
        "{HEADER}\"{path}\" = {{ type = \"integer\", default = 0 }}\n"
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "VS3009");
    assert!(
        found[0].1.contains("would be stored 121 tables deep"),
        "{}",
        found[0].1
    );
    let within = vec!["L"; 98].join(".");
    assert!(
        codes(format!(
            "{HEADER}\"{within}\" = {{ type = \"integer\", default = 0 }}\n"
        ))
        .is_empty(),
        "98 segments are 99 tables with the envelope and Data, within the limit"
    );
}

#[test]
fn a_bare_dotted_key_past_the_parser_nesting_points_at_the_key() {
    let key = vec!["A"; 100].join(".");
    let text = format!("{HEADER}{key} = {{ type = \"integer\", default = 0 }}\n");
    let failed = check_text(&root(), text.clone()).unwrap_err();
    assert_eq!(failed.diagnostics.len(), 1);
    let d = &failed.diagnostics[0];
    assert_eq!(d.code, "VS1001");
    assert_eq!(d.span.start, text.find("A.A").unwrap());
}
