//! The simulated Roblox world around the engine, one test per documented
//! behaviour: the place Rojo 7 builds from a project (create.roblox.com and
//! the Rojo 7 sync documentation), client VMs, and the services a data-heavy
//! game touches (MemoryStoreService, TeleportService, CollectionService, ...).

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::json;
use vstore::sim::mount::{build_project, Node};
use vstore::sim::specs::{game_package, run_spec_file, SpecOptions, TestResult};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn wally_game() -> PathBuf {
    repo().join("tests/fixtures/wally_game")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vstore-world-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The node at a dotted path (`ReplicatedStorage.Packages.Promise`).
fn at<'a>(root: &'a Node, path: &str) -> &'a Node {
    let mut cur = root;
    for part in path.split('/') {
        cur = cur.child(part).unwrap_or_else(|| {
            panic!(
                "no `{part}` in `{}` (path {path}): {:?}",
                cur.name,
                names(cur)
            )
        });
    }
    cur
}

fn names(n: &Node) -> Vec<String> {
    n.children
        .iter()
        .map(|c| format!("{} ({})", c.name, c.class))
        .collect()
}

/// The fixture game's place, with the package generated for the run.
fn wally_tree() -> Node {
    let game = wally_game();
    game_package(&game, None, Some(&game.join("default.project.json"))).unwrap()
}

fn run_specs(package: Node, name: &str, body: &str) -> Vec<TestResult> {
    let dir = temp(&format!("spec-{name}"));
    let file = dir.join(format!("{name}.spec.luau"));
    std::fs::write(&file, body).unwrap();
    let results = run_spec_file(
        &Rc::new(package),
        &file,
        &SpecOptions {
            filter: None,
            seed: 7,
            echo: false,
        },
    )
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    results
}

/// Runs `body` (the inside of a `describe`) in a bare world.
#[allow(dead_code)]
fn run(name: &str, body: &str) -> Vec<TestResult> {
    let source = format!(
        "local MSS = game:GetService(\"MemoryStoreService\")\ndescribe(\"{name}\", function()\n{body}\nend)\n"
    );
    run_specs(Node::folder("game", "DataModel"), name, &source)
}

fn assert_green(results: &[TestResult]) {
    assert!(!results.is_empty(), "no tests ran");
    for r in results {
        assert!(
            r.passed,
            "{} failed: {}\n{}\n{:?}",
            r.name, r.message, r.trace, r.errors
        );
    }
}

// Rojo 7 project semantics -----------------------------------------------------

#[test]
fn a_path_to_a_folder_with_default_project_json_mounts_that_project_named_after_the_folder() {
    // Rojo: a directory holding default.project.json is that project; the
    // instance takes the folder's name (wally's `_Index/<scope>_<name>@<ver>/<name>`)
    let tree = wally_tree();
    let promise = at(
        &tree,
        "ReplicatedStorage/Packages/_Index/vstorefixtures_promise@1.2.0/promise",
    );
    assert_eq!(promise.class, "ModuleScript");
    assert!(promise.source.as_deref().unwrap().contains("Promise.new"));
    let testkit = at(
        &tree,
        "ReplicatedStorage/Packages/_Index/vstorefixtures_testkit@0.3.1/testkit",
    );
    assert_eq!(testkit.class, "ModuleScript");
    assert_eq!(at(testkit, "Expect").class, "ModuleScript");
    // the link modules wally writes are plain ModuleScripts beside `_Index`
    let link = at(&tree, "ReplicatedStorage/Packages/Promise");
    assert_eq!(link.class, "ModuleScript");
    assert_eq!(
        at(
            &tree,
            "ReplicatedStorage/Packages/_Index/vstorefixtures_testkit@0.3.1/Promise"
        )
        .class,
        "ModuleScript"
    );
}

#[test]
fn a_wally_package_project_runs_unmodified_in_vstore_test() {
    // the fixture game's own server script runs its Testkit suite over the
    // Promise package through the link modules; its spec file checks the
    // report and every Rojo file kind at run time
    let game = wally_game();
    let package = game_package(&game, None, Some(&game.join("default.project.json"))).unwrap();
    let spec = std::fs::read_to_string(game.join("tests/World.spec.luau")).unwrap();
    let results = run_specs(package, "World", &spec);
    assert_eq!(results.len(), 11, "{results:?}");
    assert_green(&results);
}

#[test]
fn init_server_luau_makes_its_folder_that_script_with_the_other_files_as_children() {
    let tree = wally_tree();
    let greeter = at(&tree, "ServerScriptService/Greeter");
    assert_eq!(greeter.class, "Script");
    assert_eq!(at(greeter, "Words").class, "ModuleScript");
}

#[test]
fn a_meta_json_beside_a_script_sets_its_properties() {
    let tree = wally_tree();
    let quiet = at(&tree, "ServerScriptService/Quiet");
    assert_eq!(quiet.class, "Script");
    assert_eq!(quiet.property("Disabled"), Some(&json!(true)));
    // the meta file itself is no instance
    assert!(tree
        .child("ServerScriptService")
        .unwrap()
        .children
        .iter()
        .all(|c| !c.name.contains("meta")));
}

#[test]
fn project_properties_and_attributes_are_applied_to_the_instance() {
    let tree = wally_tree();
    let round = at(&tree, "ReplicatedStorage/Round");
    assert_eq!(round.class, "IntValue");
    assert_eq!(round.property("Value"), Some(&json!(5)));
    assert!(round
        .attributes
        .contains(&("Mode".to_string(), json!("Classic"))));
    let switched = at(&tree, "ServerScriptService/Switched");
    assert_eq!(switched.class, "Script");
    assert_eq!(switched.property("Disabled"), Some(&json!(true)));
}

#[test]
fn txt_json_toml_and_model_json_files_become_what_rojo_makes_of_them() {
    let tree = wally_tree();
    let motd = at(&tree, "ReplicatedStorage/Shared/Motd");
    assert_eq!(motd.class, "StringValue");
    assert_eq!(
        motd.property("Value"),
        Some(&json!("Welcome to the game!\n"))
    );
    for module in ["Config", "Tuning"] {
        let m = at(&tree, &format!("ReplicatedStorage/Shared/{module}"));
        assert_eq!(m.class, "ModuleScript");
        assert!(m.source.as_deref().unwrap().starts_with("return {"));
    }
    let shop = at(&tree, "ReplicatedStorage/Shared/Shop");
    assert_eq!(shop.class, "Folder");
    assert_eq!(at(shop, "Price").property("Value"), Some(&json!(40)));
    assert_eq!(at(shop, "Buy").class, "RemoteEvent");
}

#[test]
fn init_meta_json_gives_a_folder_its_class_name_and_attributes() {
    let tree = wally_tree();
    let flags = at(&tree, "ReplicatedStorage/Shared/Flags");
    assert_eq!(flags.class, "Configuration");
    assert_eq!(flags.attributes, vec![("Beta".to_string(), json!(true))]);
    assert_eq!(at(flags, "Limit").class, "StringValue");
}

#[test]
fn init_meta_json_cannot_give_a_script_folder_another_class() {
    // Rojo: className in init.meta.json only applies to what would be a Folder
    let dir = temp("meta-class");
    write(&dir, "src/Thing/init.server.luau", "print(1)\n");
    write(
        &dir,
        "src/Thing/init.meta.json",
        r#"{ "className": "Model" }"#,
    );
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel", "ServerScriptService": { "$path": "src" } } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(err.message.contains("className"), "{err}");
}

#[test]
fn duplicate_top_level_services_stay_two_instances_as_rojo_builds_them() {
    // a second ServerScriptService under another name is a second instance of
    // that class, not a merge into the first
    let dir = temp("dup-services");
    write(&dir, "a/One.server.luau", "print(1)\n");
    write(&dir, "b/Two.server.luau", "print(2)\n");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel",
            "ServerScriptService": { "$path": "a" },
            "Extra": { "$className": "ServerScriptService", "$path": "b" } } }"#,
    );
    let tree = build_project(&dir.join("default.project.json"), None).unwrap();
    let services: Vec<(&str, &str)> = tree
        .children
        .iter()
        .map(|c| (c.name.as_str(), c.class.as_str()))
        .collect();
    assert_eq!(
        services,
        [
            ("Extra", "ServerScriptService"),
            ("ServerScriptService", "ServerScriptService")
        ]
    );
    assert!(tree.child("Extra").unwrap().child("Two").is_some());
    assert!(tree
        .child("ServerScriptService")
        .unwrap()
        .child("Two")
        .is_none());
}

#[test]
fn a_class_name_with_a_path_to_a_script_file_is_refused() {
    // Rojo: with both $className and $path, $path must be a folder
    let dir = temp("class-and-file");
    write(&dir, "x.server.luau", "print(1)\n");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel",
            "ServerScriptService": { "X": { "$className": "Folder", "$path": "x.server.luau" } } } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(
        err.message.contains("$path must refer to a folder"),
        "{err}"
    );
}

#[test]
fn a_project_entry_without_class_path_or_service_name_is_refused() {
    let dir = temp("no-class");
    write(
        &dir,
        "default.project.json",
        r#"{ "name": "T", "tree": { "$className": "DataModel", "NotAService": {} } }"#,
    );
    let err = build_project(&dir.join("default.project.json"), None).unwrap_err();
    assert!(err.message.contains("NotAService"), "{err}");
}
