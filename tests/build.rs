//! `vstore build` and `vstore init` end to end on the shipped examples and a
//! fresh starter project: snapshots of every schema-specific file, determinism,
//! `--check` drift detection, and a full_moon re-parse of every emitted file.

mod build_support;

use std::fs;

use build_support::*;

fn assert_builds(name: &str) -> std::path::PathBuf {
    let project = example(name);
    let out = build(&project, &[]);
    assert!(
        out.status.success(),
        "build of {name} failed:\n{}",
        text(&out)
    );
    project
}

fn snapshot_generated(name: &str) {
    snapshot_built(name, &assert_builds(name));
}

fn snapshot_built(name: &str, project: &std::path::Path) {
    for (path, bytes) in tree(&project.join("build")) {
        // The runtime copies and the manifest listing them change with the runtime, not the schema.
        if path.starts_with("VirtualStore/")
            || path.starts_with("VirtualStoreClient/")
            || path == ".vstore-files"
        {
            continue;
        }
        let contents = String::from_utf8(bytes).expect("utf-8 output");
        insta::assert_snapshot!(format!("{name}__{}", path.replace('/', "__")), contents);
    }
}

#[test]
fn basic_example_generates_the_expected_modules() {
    snapshot_generated("basic");
}

#[test]
fn advanced_example_generates_the_expected_modules() {
    snapshot_generated("advanced");
}

#[test]
fn keyed_fixture_generates_a_typed_keyed_store_module() {
    let project = fixture("keyed");
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    snapshot_built("keyed", &project);
    let committed = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keyed/vstore.lock"),
    )
    .expect("committed vstore.lock");
    assert_eq!(
        fs::read_to_string(project.join("vstore.lock")).expect("lock after build"),
        committed,
        "tests/keyed/vstore.lock is stale"
    );
}

#[test]
fn keyed_projects_with_typescript_emit_typed_store_typings() {
    let project = fixture("keyed");
    enable_typescript(&project);
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let typings = fs::read_to_string(project.join("build/Guilds/index.d.ts")).expect("typings");
    assert!(
        typings.contains("declare const Guilds: Guilds.Store;\n"),
        "{typings}"
    );
    insta::assert_snapshot!("typescript_keyed__Guilds__index.d.ts", typings);
}

#[test]
fn typescript_projects_also_emit_roblox_ts_typings() {
    let project = example("advanced");
    enable_typescript(&project);
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let files: std::collections::BTreeMap<String, Vec<u8>> =
        tree(&project.join("build")).into_iter().collect();
    let typings: Vec<&String> = files.keys().filter(|p| p.ends_with(".d.ts")).collect();
    assert_eq!(
        typings,
        vec!["PlayerData/index.d.ts", "PlayerDataClient/index.d.ts"]
    );
    for path in typings {
        let contents = String::from_utf8(files[path].clone()).expect("utf-8");
        insta::assert_snapshot!(format!("typescript__{}", path.replace('/', "__")), contents);
    }
    let manifest = String::from_utf8(files[".vstore-files"].clone()).expect("utf-8");
    assert!(
        manifest.contains("PlayerDataClient/index.d.ts\n"),
        "{manifest}"
    );
}

#[test]
fn projects_without_typescript_emit_no_typings() {
    let project = assert_builds("advanced");
    assert!(tree(&project.join("build"))
        .iter()
        .all(|(p, _)| !p.ends_with(".d.ts")));
}

#[test]
fn building_twice_gives_identical_bytes() {
    let project = assert_builds("advanced");
    let first = tree(&project.join("build"));
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(first, tree(&project.join("build")));
}

#[test]
fn building_never_changes_the_committed_locks() {
    for name in ["basic", "advanced", "petsim"] {
        let project = assert_builds(name);
        let committed = fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schema-examples")
                .join(name)
                .join("vstore.lock"),
        )
        .expect("committed vstore.lock");
        assert_eq!(
            fs::read_to_string(project.join("vstore.lock")).expect("lock after build"),
            committed,
            "{name}/vstore.lock is stale"
        );
    }
}

#[test]
fn check_mode_passes_right_after_a_build() {
    let project = assert_builds("basic");
    let out = build(&project, &["--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn check_mode_fails_and_names_an_edited_file() {
    let project = assert_builds("basic");
    let edited = project.join("build/PlayerData/init.luau");
    let mut text_before = fs::read_to_string(&edited).expect("read");
    text_before.push_str("-- local edit\n");
    fs::write(&edited, text_before).expect("edit");
    let out = build(&project, &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("differs: PlayerData/init.luau"),
        "{}",
        text(&out)
    );
    assert!(
        fs::read_to_string(&edited)
            .expect("read")
            .ends_with("-- local edit\n"),
        "--check must not write"
    );
}

#[test]
fn check_mode_reports_missing_files_before_any_build() {
    let project = example("basic");
    let out = build(&project, &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("missing: PlayerData/init.luau"),
        "{}",
        text(&out)
    );
    assert!(!project.join("build").exists());
}

#[test]
fn rebuild_removes_only_stale_generated_files() {
    let project = assert_builds("advanced");
    let stray = project.join("build/PlayerData/Operations/Old.luau");
    let manifest = project.join("build/.vstore-files");
    let mut listed = fs::read_to_string(&manifest).expect("manifest");
    listed.push_str("PlayerData/Operations/Old.luau\n");
    fs::write(&manifest, listed).expect("manifest");
    fs::write(&stray, "-- from an earlier build\n").expect("stray");
    let unrelated = project.join("build/notes.txt");
    fs::write(&unrelated, "mine\n").expect("unrelated");
    let out = build(&project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!stray.exists(), "stale generated file survived");
    assert!(unrelated.exists(), "an unrelated file was deleted");
}

#[test]
fn out_flag_overrides_the_project_output_folder() {
    let project = example("basic");
    let out_dir = project.join("elsewhere");
    let out = build(&project, &["--out", out_dir.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(out_dir.join("PlayerData/init.luau").is_file());
    assert!(!project.join("build").exists());
}

#[test]
fn every_generated_luau_file_reparses_with_full_moon() {
    for name in ["basic", "advanced", "petsim"] {
        let project = assert_builds(name);
        for (path, bytes) in tree(&project.join("build")) {
            if !path.ends_with(".luau") {
                continue;
            }
            let source = String::from_utf8(bytes).expect("utf-8");
            if let Err(errors) =
                full_moon::parse_fallible(&source, full_moon::LuaVersion::luau()).into_result()
            {
                panic!("{name}: {path} does not parse: {errors:?}");
            }
        }
    }
}

#[test]
fn missing_project_is_a_usage_error() {
    let empty = scratch("empty");
    let out = build(&empty, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn init_project_checks_and_builds_unchanged() {
    let dir = scratch("init").join("game");
    let out = vstore(&["init", dir.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out));
    for file in [
        "virtualstore.toml",
        "operations/GrantCoins.luau",
        "tests/PlayerData.spec.luau",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    let out = vstore(&["check", "--project", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = build(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(dir.join("build/PlayerData/init.luau").is_file());
    assert!(
        !dir.join("vstore.lock").exists(),
        "building never records a release"
    );
    let out = build(&dir, &["--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = vstore(&["test", "--project", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("6 passed, 0 failed"), "{}", text(&out));
}

#[test]
fn init_refuses_to_overwrite_an_existing_project() {
    let dir = scratch("init-twice");
    fs::write(dir.join("virtualstore.toml"), "# mine\n").expect("write");
    let out = vstore(&["init", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    assert_eq!(
        fs::read_to_string(dir.join("virtualstore.toml")).expect("read"),
        "# mine\n"
    );
}

#[test]
fn build_refuses_a_changed_shape_without_a_version_bump() {
    let project = example("basic");
    let schema = project.join("virtualstore.toml");
    let text_before = fs::read_to_string(&schema).expect("read");
    fs::write(&schema, text_before.replace("{string}", "{integer}")).expect("edit");
    let out = build(&project, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("already released"), "{}", text(&out));
    assert!(
        !project.join("build").exists(),
        "nothing may be written on errors"
    );
}

/// `vstore <args> --project dir`, its exit code and all it printed.
fn run(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--project", dir.to_str().expect("utf-8")]);
    let out = vstore(&all);
    (out.status.code(), text(&out))
}

fn edit(dir: &std::path::Path, f: impl Fn(&str) -> String) {
    let path = dir.join("virtualstore.toml");
    let before = fs::read_to_string(&path).expect("read");
    let after = f(&before);
    assert_ne!(before, after, "the edit changed nothing");
    fs::write(path, after).expect("write");
}

#[test]
fn a_fresh_project_evolves_through_release_compatible_edits_and_a_migration() {
    let dir = scratch("evolve").join("game");
    assert_eq!(
        vstore(&["init", dir.to_str().expect("utf-8")])
            .status
            .code(),
        Some(0)
    );
    let (code, out) = run(&dir, &["release"]);
    assert_eq!(code, Some(0), "{out}");
    let lock = fs::read_to_string(dir.join("vstore.lock")).expect("release writes the lock");
    assert!(lock.contains("[stores.PlayerData.\"1\"]"), "{lock}");

    // A field with a default: no bump, no migration; the lock is behind until released.
    edit(&dir, |t| {
        t.replacen(
            "[stores.PlayerData.template]\n",
            "[stores.PlayerData.template]\nGems = { type = \"integer\", default = 0, min = 0 }\n",
            1,
        )
    });
    for args in [&["check"][..], &["build"]] {
        let (code, out) = run(&dir, args);
        assert_eq!(code, Some(0), "{args:?}: {out}");
    }
    let (code, out) = run(&dir, &["build", "--check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("run `vstore release`"), "{out}");
    assert_eq!(run(&dir, &["release"]).0, Some(0));
    let (code, out) = run(&dir, &["build", "--check"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&dir, &["release", "--check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("nothing to release"), "{out}");

    // Removing a released field needs a bump and a migration, and says exactly how.
    edit(&dir, |t| {
        t.replace("Gems = { type = \"integer\", default = 0, min = 0 }\n", "")
    });
    let (code, out) = run(&dir, &["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("VS5001"), "{out}");
    assert!(out.contains("field `Gems` was removed"), "{out}");
    let fix = "bump to `version = 2` and add `[[stores.PlayerData.migrations]]` with `to = 2` and `file = \"migrations/PlayerData/2.luau\"`";
    let flat: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(fix), "{out}");
    assert_eq!(run(&dir, &["build"]).0, Some(1), "build refuses it too");
    assert_eq!(run(&dir, &["release"]).0, Some(1), "and so does release");

    fs::write(
        dir.join("migrations/PlayerData/2.luau"),
        "--@removes Gems\nreturn function(old: V1): V2\n\told.Gems = nil\n\treturn old\nend\n",
    )
    .expect("migration");
    edit(&dir, |t| {
        t.replacen("version = 1", "version = 2", 1)
            + "\n[[stores.PlayerData.migrations]]\nto = 2\nfile = \"migrations/PlayerData/2.luau\"\n"
    });
    for args in [&["check"][..], &["build"], &["release"]] {
        let (code, out) = run(&dir, args);
        assert_eq!(code, Some(0), "{args:?}: {out}");
    }
    let lock = fs::read_to_string(dir.join("vstore.lock")).expect("lock");
    assert!(
        lock.contains("[stores.PlayerData.\"1\"]") && lock.contains("[stores.PlayerData.\"2\"]"),
        "{lock}"
    );
    assert!(
        lock.contains("Gems: integer(0..)?"),
        "version 1 records Gems as added after its first release: {lock}"
    );
}
