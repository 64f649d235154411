//! The checker over a small package: clean code passes, a handler type error
//! or a broken cross-module type fails with the right file and line.

use std::fs;
use std::path::{Path, PathBuf};

use vstore_typecheck::{check_package, Severity};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/Package")
}

fn copy_fixture(name: &str) -> PathBuf {
    let dest = std::env::temp_dir()
        .join(format!("vstore-typecheck-{name}-{}", std::process::id()))
        .join("Package");
    let _ = fs::remove_dir_all(&dest);
    for e in walkdir::WalkDir::new(fixture()) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(fixture()).unwrap();
        if e.file_type().is_dir() {
            fs::create_dir_all(dest.join(rel)).unwrap();
        } else {
            fs::copy(e.path(), dest.join(rel)).unwrap();
        }
    }
    dest
}

fn errors(root: &Path) -> Vec<String> {
    let report = check_package(root).unwrap();
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
        .collect()
}

#[test]
fn bracketed_and_waitforchild_requires_resolve() {
    let root = copy_fixture("brackets");
    fs::write(
        root.join("Extra.luau"),
        "--!strict\nlocal Ops = script.Parent:WaitForChild(\"Operations\")\nlocal Grant = require(Ops[\"GrantCoins\"])\n\nreturn Grant\n",
    )
    .unwrap();
    assert_eq!(errors(&root), Vec::<String>::new());
}

#[test]
fn clean_package_with_cross_module_types_has_no_findings() {
    let report = check_package(&fixture()).unwrap();
    assert_eq!(report.modules, 3);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}

#[test]
fn type_error_in_a_handler_fails_at_its_line() {
    let root = copy_fixture("handler");
    let path = root.join("Operations/GrantCoins.luau");
    let src = fs::read_to_string(&path)
        .unwrap()
        .replace("+= payload.Amount", "= payload.Amount .. \"!\"");
    fs::write(&path, src).unwrap();
    let errs = errors(&root);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Operations/GrantCoins.luau:7:")),
        "{errs:#?}"
    );
}

#[test]
fn required_module_types_are_not_any() {
    // Misusing a field typed in another module must be caught through the require.
    let root = copy_fixture("crossmodule");
    let path = root.join("init.luau");
    let src = fs::read_to_string(&path).unwrap().replace(
        "return profile.Wallet.Coins",
        "return profile.Wallet.Diamonds",
    );
    fs::write(&path, src).unwrap();
    let errs = errors(&root);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("init.luau:12:") && e.contains("Diamonds")),
        "{errs:#?}"
    );
}

#[test]
fn unresolved_require_and_missing_strict_are_errors() {
    let root = copy_fixture("unresolved");
    fs::write(
        root.join("Extra.luau"),
        "local M = require(script.Parent.Missing)\nreturn M\n",
    )
    .unwrap();
    let errs = errors(&root);
    assert!(
        errs.contains(&"Extra.luau:1: module is not `--!strict`".to_string()),
        "{errs:#?}"
    );
    assert!(errs.iter().any(|e| e.starts_with("Extra.luau:1: cannot resolve `require(script.Parent.Missing)`")), "{errs:#?}");
}

#[test]
fn roblox_api_misuse_is_a_type_error() {
    let root = copy_fixture("roblox");
    let path = root.join("init.luau");
    let src = fs::read_to_string(&path)
        .unwrap()
        .replace("GetDataStore(\"Players\")", "GetDataStore(42)");
    fs::write(&path, src).unwrap();
    let errs = errors(&root);
    assert!(
        errs.iter().any(|e| e.starts_with("init.luau:16:")),
        "{errs:#?}"
    );
}

const COUNTER: &str = r#"--!strict
local Counter = {}
Counter.__index = Counter

export type Counter = typeof(setmetatable({} :: { Count: number }, Counter))

function Counter.new(): Counter
	return setmetatable({ Count = 0 }, Counter)
end

function Counter.add(self: Counter, by: number): number
	self.Count += by
	return self.Count
end

return Counter
"#;

fn uses(call: &str) -> String {
    format!(
        "--!strict\nlocal Counter = require(script.Parent.Counter)\n\nlocal function bump(c: Counter.Counter): number\n\treturn {call}\nend\n\nreturn bump\n"
    )
}

#[test]
fn class_types_built_with_typeof_cross_module_boundaries() {
    let root = copy_fixture("class-ok");
    fs::write(root.join("Counter.luau"), COUNTER).unwrap();
    fs::write(root.join("Uses.luau"), uses("c:add(1)")).unwrap();
    assert_eq!(errors(&root), Vec::<String>::new());

    let root = copy_fixture("class-bad");
    fs::write(root.join("Counter.luau"), COUNTER).unwrap();
    fs::write(root.join("Uses.luau"), uses("c:add(\"one\")")).unwrap();
    let errs = errors(&root);
    assert!(
        errs.iter().any(|e| e.starts_with("Uses.luau:5:")),
        "{errs:#?}"
    );
}

#[test]
fn module_qualified_types_resolve_in_annotations_followed_by_a_value() {
    let root = copy_fixture("qualified");
    fs::write(
        root.join("Use.luau"),
        "--!strict\nlocal Types = require(script.Parent.Types)\nlocal wallet: Types.Wallet = { Coins = 1, Gems = 2 }\nlocal broken: Types.Wallet = { Coins = \"many\", Gems = 2 }\nlocal function coins(w: Types.Wallet): Types.Wallet\n\treturn w\nend\nlocal cast = (nil :: any) :: Types.Wallet\n\nreturn { wallet, broken, coins, cast }\n",
    )
    .unwrap();
    let errs = errors(&root);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("Use.luau:4:"), "{errs:#?}");
    assert!(!errs[0].contains("Unknown type"), "{errs:#?}");
}
