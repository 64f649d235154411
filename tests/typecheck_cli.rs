//! The `vstore-typecheck` binary's contract (it is a bin of this package, so
//! the one install command brings it): `file:line:col: message` lines, the
//! `--json` lines `vstore check` reads, and exit codes.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vstore-typecheck"))
}

#[test]
fn clean_package_exits_zero() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/vstore-typecheck/tests/fixtures/Package");
    let out = bin().arg(&fixture).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 modules checked, 0 errors"));
}

#[test]
fn type_error_prints_file_line_col_and_exits_one() {
    let dir = std::env::temp_dir()
        .join(format!("vstore-typecheck-cli-{}", std::process::id()))
        .join("Pkg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("init.luau"),
        "--!strict\nlocal n: number = \"text\"\nreturn n\n",
    )
    .unwrap();
    let out = bin().arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(&format!("{}/init.luau:2:", dir.display())),
        "{stdout}"
    );
    assert!(line.contains("string"), "{stdout}");
}

#[test]
fn json_output_gives_the_range_and_message_of_each_error() {
    let dir = std::env::temp_dir()
        .join(format!("vstore-typecheck-json-{}", std::process::id()))
        .join("Pkg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("init.luau"),
        "--!strict\nlocal t = { Gems = 1 }\nlocal n: number = t.Coins\nreturn n\n",
    )
    .unwrap();
    let out = bin().arg("--json").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let d = &lines[0];
    assert_eq!(d["file"], "init.luau");
    assert_eq!(d["severity"], "error");
    assert_eq!((d["line"].as_u64(), d["col"].as_u64()), (Some(3), Some(19)));
    assert_eq!(
        (d["end_line"].as_u64(), d["end_col"].as_u64()),
        (Some(3), Some(26)),
        "the range covers `t.Coins`"
    );
    assert!(d["message"].as_str().unwrap().contains("Coins"), "{d}");
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[test]
fn missing_argument_is_a_usage_error() {
    assert_eq!(bin().output().unwrap().status.code(), Some(2));
}

/// The runtime's Roblox handles are typed with the declared classes, so the
/// type gate sees a wrong call on them (with `any` it would pass).
#[test]
fn wrong_calls_on_the_runtime_roblox_handles_are_type_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project =
        std::env::temp_dir().join(format!("vstore-typecheck-handles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    vstore::sim::mount::copy_tree(&root.join("schema-examples/advanced"), &project).unwrap();
    let built = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(["build", "--project"])
        .arg(&project)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let runtime = project.join("build/VirtualStore");
    let clean = bin().arg(project.join("build")).output().unwrap();
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let edits = [
        (
            "Adapters/DataStore.luau",
            "self._store:UpdateAsync(key, transform)",
            "self._store:UpdateAsyncs(key, transform)",
        ),
        (
            "Adapters/OrderedDataStore.luau",
            "self._store:GetSortedAsync(",
            "self._store:GetSorted(",
        ),
        (
            "Adapters/MessagingService.luau",
            "service:SubscribeAsync(topic,",
            "service:Subscribe(topic,",
        ),
        (
            "Replication.luau",
            "channel.Remote:FireClient(state.Player, {\n\t\tKind = \"Snapshot\"",
            "channel.Remote:FireAllClient(state.Player, {\n\t\tKind = \"Snapshot\"",
        ),
    ];
    for (file, from, to) in edits {
        let path = runtime.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    let out = bin().arg(project.join("build")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for (class, key) in [
        ("DataStore", "UpdateAsyncs"),
        ("OrderedDataStore", "GetSorted"),
        ("MessagingService", "Subscribe"),
        ("RemoteEvent", "FireAllClient"),
    ] {
        assert!(
            stdout.contains(&format!("Key '{key}' not found in class '{class}'")),
            "{class}.{key}: {stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&project);
}
