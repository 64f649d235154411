//! A real `rojo build` of a small game laid out as the README documents (and
//! `vstore init` writes): one project file whose services each take the
//! game's own folder and the package's folders of that service, listed from
//! the package's generated `virtualstore.project.json`. The place file must
//! hold every emitted module as a ModuleScript, the game's own server script
//! inside the one `ServerScriptService`, and exactly one of each service.

use crate::gates_support;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use gates_support::{repo, temp_dir, tool, Gate};

/// Instance names of the package's ModuleScripts (`init.luau` names its folder).
fn expected_modules(package: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(package)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".luau")?;
            if stem.ends_with(".server") || stem.ends_with(".client") {
                return None;
            }
            Some(if stem == "init" {
                e.path()
                    .parent()?
                    .file_name()?
                    .to_string_lossy()
                    .into_owned()
            } else {
                stem.to_string()
            })
        })
        .collect()
}

/// `(class, name)` of every `<Item>` in an `.rbxlx` / `.rbxmx` document.
fn items(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in xml.split("<Item class=\"").skip(1) {
        let class = chunk.split('"').next().unwrap_or_default().to_string();
        let name = chunk
            .split("<string name=\"Name\">")
            .nth(1)
            .and_then(|r| r.split("</string>").next())
            .unwrap_or_default()
            .to_string();
        out.push((class, name));
    }
    out
}

/// The game's project: every service of the package fragment, with the
/// fragment's folders under `package/` and, for `ServerScriptService`, the
/// game's own `src/server`.
fn game_project(package: &Path) -> serde_json::Value {
    let fragment: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(package.join("virtualstore.project.json")).unwrap(),
    )
    .unwrap();
    let mut tree = serde_json::json!({ "$className": "DataModel" });
    for (service, folders) in fragment["tree"].as_object().unwrap() {
        if service.starts_with('$') {
            continue;
        }
        let mut node = serde_json::json!({});
        if service == "ServerScriptService" {
            node["$path"] = "src/server".into();
        }
        for (name, entry) in folders.as_object().unwrap() {
            if let Some(path) = entry["$path"].as_str() {
                node[name] = serde_json::json!({ "$path": format!("package/{path}") });
            }
        }
        tree[service] = node;
    }
    serde_json::json!({ "name": "VirtualStoreGame", "tree": tree })
}

/// Builds the game around `package` and checks its ModuleScripts; returns the
/// place file's text (`None` when rojo is not installed).
pub fn rojo_game_holds_every_module(label: &str, package: &Path) -> Option<String> {
    let rojo = tool("rojo")?;
    let game = temp_dir(&format!("rojo-{label}"));
    for e in walkdir::WalkDir::new(repo().join("tests/rojo"))
        .into_iter()
        .flatten()
    {
        let dest = game.join(e.path().strip_prefix(repo().join("tests/rojo")).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
    let copy = game.join("package");
    for e in walkdir::WalkDir::new(package).into_iter().flatten() {
        let dest = copy.join(e.path().strip_prefix(package).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
    fs::write(
        game.join("default.project.json"),
        serde_json::to_string_pretty(&game_project(package)).unwrap(),
    )
    .unwrap();
    let out = Command::new(rojo)
        .current_dir(&game)
        .args(["build", "default.project.json", "-o", "game.rbxlx"])
        .output()
        .expect("rojo starts");
    assert!(
        out.status.success(),
        "rojo build failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = fs::read_to_string(game.join("game.rbxlx")).unwrap();
    let items = items(&xml);
    let modules: BTreeSet<String> = items
        .iter()
        .filter(|(c, _)| c == "ModuleScript")
        .map(|(_, n)| n.clone())
        .collect();
    let expected = expected_modules(package);
    assert!(!expected.is_empty());
    let missing: Vec<_> = expected.difference(&modules).collect();
    assert!(
        missing.is_empty(),
        "ModuleScripts missing from the place: {missing:?}\nfound: {modules:?}"
    );
    assert!(
        items.iter().any(|(c, n)| c == "Script" && n == "Boot"),
        "the game's own script is there too"
    );
    for service in ["ServerScriptService", "ReplicatedStorage"] {
        let n = items.iter().filter(|(c, _)| c == service).count();
        assert!(n <= 1, "{n} instances of {service}");
    }
    assert!(
        xml.split("<Item class=\"ServerScriptService\"")
            .nth(1)
            .is_some_and(|sss| sss.contains("<string name=\"Name\">Boot</string>")),
        "the game's server script is inside ServerScriptService, where Roblox runs it"
    );
    Some(xml)
}

/// Every instance of a place file as `Parent/Child (Class)`, sorted.
fn place_instances(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut rest = xml;
    loop {
        let open = rest.find("<Item class=\"");
        let close = rest.find("</Item>");
        match (open, close) {
            (Some(o), c) if c.is_none_or(|c| o < c) => {
                let after = &rest[o + 13..];
                let class = after.split('"').next().unwrap_or_default().to_string();
                let name = after
                    .split("<string name=\"Name\">")
                    .nth(1)
                    .and_then(|r| r.split("</string>").next())
                    .unwrap_or_default()
                    .to_string();
                stack.push((name, class));
                rest = after;
            }
            (_, Some(c)) => {
                if let Some((_, class)) = stack.last() {
                    let path: Vec<&str> = stack.iter().map(|(n, _)| n.as_str()).collect();
                    out.push(format!("{} ({class})", path.join("/")));
                }
                stack.pop();
                rest = &rest[c + 7..];
            }
            _ => break,
        }
    }
    out.sort();
    out
}

fn node_instances(node: &vstore::sim::mount::Node, prefix: &str, out: &mut Vec<String>) {
    for c in &node.children {
        let path = if prefix.is_empty() {
            c.name.clone()
        } else {
            format!("{prefix}/{}", c.name)
        };
        out.push(format!("{path} ({})", c.class));
        node_instances(c, &path, out);
    }
}

/// The simulator's DataModel of the wally-layout fixture game is the place
/// `rojo build` makes of it: the same instances, names and classes.
fn the_simulator_builds_the_place_rojo_builds() {
    let Some(rojo) = tool("rojo") else { return };
    let game = temp_dir("rojo-same-place").join("game");
    vstore::sim::mount::copy_tree(&repo().join("tests/fixtures/wally_game"), &game).unwrap();
    let built = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["build", "--project"])
        .arg(&game)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = Command::new(rojo)
        .current_dir(&game)
        .args(["build", "default.project.json", "-o", "place.rbxlx"])
        .output()
        .expect("rojo starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rojo_place = place_instances(&fs::read_to_string(game.join("place.rbxlx")).unwrap());
    let tree = vstore::sim::mount::build_project(&game.join("default.project.json"), None).unwrap();
    let mut ours = Vec::new();
    node_instances(&tree, "", &mut ours);
    ours.sort();
    assert_eq!(ours, rojo_place);
}

/// The gates of this file, run by the `gates` harness (`tests/gates.rs`).
pub fn gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        (
            "the_simulator_builds_the_place_rojo_builds",
            the_simulator_builds_the_place_rojo_builds,
        ),
        (
            "rojo_builds_a_game_around_a_package_fragment",
            rojo_builds_a_game_around_a_package_fragment,
        ),
        (
            "rojo_builds_a_game_around_the_basic_example",
            rojo_builds_a_game_around_the_basic_example,
        ),
        (
            "rojo_builds_a_game_around_the_advanced_example",
            rojo_builds_a_game_around_the_advanced_example,
        ),
        (
            "rojo_builds_a_typescript_package_and_leaves_the_typings_out",
            rojo_builds_a_typescript_package_and_leaves_the_typings_out,
        ),
    ];
    gates.to_vec()
}

fn rojo_builds_a_game_around_a_package_fragment() {
    // A package laid out like `vstore build` output, with its project fragment.
    let pkg = temp_dir("rojo-fixture-pkg").join("build");
    let fixture = repo().join("crates/vstore-typecheck/tests/fixtures/Package");
    for e in walkdir::WalkDir::new(&fixture).into_iter().flatten() {
        let dest = pkg
            .join("VirtualStore")
            .join(e.path().strip_prefix(&fixture).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
    fs::write(
        pkg.join("virtualstore.project.json"),
        r#"{ "name": "VirtualStore", "tree": { "$className": "DataModel",
            "ServerScriptService": { "VirtualStore": { "$path": "VirtualStore" } } } }"#,
    )
    .unwrap();
    rojo_game_holds_every_module("fixture", &pkg);
}

fn rojo_builds_a_game_around_the_basic_example() {
    rojo_game_holds_every_module("basic", &gates_support::built_example("basic"));
}

fn rojo_builds_a_game_around_the_advanced_example() {
    rojo_game_holds_every_module("advanced", &gates_support::built_example("advanced"));
}

fn rojo_builds_a_typescript_package_and_leaves_the_typings_out() {
    let pkg = gates_support::built_example_with_typescript("advanced");
    assert!(pkg.join("PlayerDataClient/index.d.ts").is_file());
    let Some(xml) = rojo_game_holds_every_module("advanced-ts", &pkg) else {
        return;
    };
    assert!(xml.contains("<string name=\"Name\">PlayerDataClient</string>"));
    assert!(
        !xml.contains("index.d"),
        "typings must not become instances"
    );
}
