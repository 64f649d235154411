//! `<Store>/Migrations/<to>.luau` and `<Store>/Operations/<Name>.luau`: the
//! user's migration and handler files behind the type aliases they are
//! written against (`V<n-1>` and `V<n>`; `Data` and `Payload`).

use minijinja::context;

use super::{payload_type_name, OutFile, StoreCx};

/// The user's text without its own mode line (the generated module supplies
/// `--!strict` after the header).
fn user_source(source: &str) -> String {
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.peek() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("--!") {
            lines.next();
        } else {
            break;
        }
    }
    lines.collect::<Vec<_>>().join("\n").trim_end().to_string()
}

fn module(cx: &StoreCx, aliases: &[(String, String)], source: &str) -> String {
    let aliases: Vec<_> = aliases
        .iter()
        .map(|(name, target)| context! { name => name, target => target })
        .collect();
    cx.render(
        "user_module.luau",
        context! { header => &cx.header, aliases => aliases, source => user_source(source) },
    )
}

pub(super) fn render(cx: &StoreCx) -> Vec<OutFile> {
    let mut out = Vec::new();
    for m in &cx.migrations {
        let old = format!("V{}", m.to.saturating_sub(1));
        let new = format!("V{}", m.to);
        out.push(OutFile {
            path: cx.path(&format!("Migrations/{}.luau", m.to)),
            contents: module(cx, &[(old.clone(), old), (new.clone(), new)], &m.source),
        });
    }
    for op in &cx.operations {
        let aliases = [
            ("Data".to_string(), "Data".to_string()),
            ("Payload".to_string(), payload_type_name(&op.name)),
        ];
        out.push(OutFile {
            path: cx.path(&format!("Operations/{}.luau", op.name)),
            contents: module(cx, &aliases, &op.source),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::user_source;

    #[test]
    fn the_users_mode_line_and_leading_blank_lines_are_dropped() {
        assert_eq!(user_source("--!strict\n\nreturn 1\n\n"), "return 1");
        assert_eq!(user_source("-- keep\nreturn 1"), "-- keep\nreturn 1");
    }
}
