//! A fresh `vstore init` project (both layouts) is a game that works the same
//! on Roblox and in the simulator: `rojo build` of its `default.project.json`
//! gives exactly one of each service with the package and the game's own
//! scripts in them, `vstore test` runs its specs against its server scripts
//! (with the package generated for the run, not a stale `build/`),
//! `vstore sim` runs those scripts on every simulated server, and its Luau
//! passes StyLua, selene and the strict type check with the generated types.

use crate::gates_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gates_support::{repo, selene, stylua, temp_dir, tool, typecheck_binary, Gate};

fn vstore(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vstore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("vstore runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `vstore init` of `layout` into a fresh folder, then `vstore build`.
fn built_starter(label: &str, layout: &str) -> PathBuf {
    let dir = temp_dir(&format!("init-{label}")).join("game");
    let (ok, text) = vstore(
        &repo(),
        &["init", dir.to_str().unwrap(), "--layout", layout],
    );
    assert!(ok, "{text}");
    let (ok, text) = vstore(&dir, &["build"]);
    assert!(ok, "{text}");
    dir
}

fn specs_drive_the_server_scripts(layout: &str) {
    let dir = built_starter(&format!("test-{layout}"), layout);
    // The project file names build/ folders; the simulator serves them from
    // the package generated for this run, so a stale build cannot leak in.
    fs::write(
        dir.join("build/PlayerData/init.luau"),
        "error(\"a stale build was mounted\")\n",
    )
    .unwrap();
    let (ok, text) = vstore(&dir, &["test"]);
    assert!(ok, "{text}");
    for name in [
        "the game's server scripts > grant coins for a ClaimCoins request",
        "the game's server scripts > sell an item only to a player who can pay for it",
    ] {
        assert!(
            text.contains(&format!("PASS ./tests/PlayerData.spec.luau > {name}")),
            "{text}"
        );
    }
    assert!(text.contains("6 passed, 0 failed"), "{text}");
}

/// Counts of each `<Item class="...">` in a place file.
fn classes(xml: &str) -> Vec<(String, String)> {
    xml.split("<Item class=\"")
        .skip(1)
        .map(|chunk| {
            let class = chunk.split('"').next().unwrap_or_default().to_string();
            let name = chunk
                .split("<string name=\"Name\">")
                .nth(1)
                .and_then(|r| r.split("</string>").next())
                .unwrap_or_default()
                .to_string();
            (class, name)
        })
        .collect()
}

fn rojo_build_has_one_of_each_service(layout: &str) {
    let Some(rojo) = tool("rojo") else { return };
    let dir = built_starter(&format!("rojo-{layout}"), layout);
    let out = Command::new(rojo)
        .current_dir(&dir)
        .args(["build", "default.project.json", "-o", "game.rbxlx"])
        .output()
        .expect("rojo starts");
    assert!(
        out.status.success(),
        "rojo build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items = classes(&fs::read_to_string(dir.join("game.rbxlx")).unwrap());
    let count = |class: &str| items.iter().filter(|(c, _)| c == class).count();
    for service in [
        "ServerScriptService",
        "ReplicatedStorage",
        "StarterPlayer",
        "StarterPlayerScripts",
    ] {
        assert_eq!(count(service), 1, "{service} in {items:?}");
    }
    let has = |class: &str, name: &str| items.iter().any(|(c, n)| c == class && n == name);
    let mut expected = vec![
        ("ModuleScript", "VirtualStore"),
        ("ModuleScript", "PlayerData"),
        ("ModuleScript", "VirtualStoreClient"),
        ("ModuleScript", "PlayerDataClient"),
        ("ModuleScript", "DataService"),
        ("ModuleScript", "Shop"),
        ("LocalScript", "Hud"),
        ("RemoteEvent", "ClaimCoins"),
        ("RemoteEvent", "BuyItem"),
    ];
    if layout == "advanced" {
        expected.push(("Script", "Bootstrap"));
        expected.push(("ModuleScript", "EconomyService"));
    } else {
        expected.push(("Script", "RemoteHandlers"));
    }
    for (class, name) in expected {
        assert!(has(class, name), "{class} {name} missing from {items:?}");
    }
}

/// The starter's Luau with the package, laid out as the place has it, for
/// StyLua, selene and the strict type check.
fn starter_luau_passes_the_gates(layout: &str) {
    let dir = built_starter(&format!("gates-{layout}"), layout);
    let src = dir.join("src");
    stylua(&src);
    selene(&src);
    stylua(&dir.join("operations"));
    let game = temp_dir(&format!("init-types-{layout}"));
    vstore::sim::mount::copy_tree(&dir.join("build"), &game.join("build")).unwrap();
    vstore::sim::mount::copy_tree(&src, &game.join("src")).unwrap();
    fs::copy(
        dir.join("default.project.json"),
        game.join("default.project.json"),
    )
    .unwrap();
    let out = Command::new(typecheck_binary())
        .arg(&game)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the starter's scripts do not type-check:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `vstore sim` runs the project's `src/server` scripts on every server:
/// a probe script there leaves one `SetAsync` per server.
fn sim_runs_the_server_scripts_on_every_server() {
    let dir = built_starter("sim", "beginner");
    fs::write(
        dir.join("src/server/Probe.server.luau"),
        "--!strict\ngame:GetService(\"DataStoreService\"):GetDataStore(\"Probe\"):SetAsync(game.JobId, true)\n",
    )
    .unwrap();
    let (ok, text) = vstore(
        &dir,
        &[
            "sim",
            "--servers",
            "3",
            "--players",
            "6",
            "--duration",
            "3m",
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("violations: 0"), "{text}");
    assert!(
        text.contains("game scripts from ./default.project.json"),
        "{text}"
    );
    let set_async = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("SetAsync "))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<usize>().ok());
    assert_eq!(set_async, Some(3), "{text}");
    assert!(
        !text.contains("errors raised in simulated threads"),
        "{text}"
    );
}

/// The gates of this file, run by the `gates` harness (`tests/gates.rs`).
pub fn gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        ("beginner_specs_drive_the_server_scripts", || {
            specs_drive_the_server_scripts("beginner")
        }),
        ("advanced_specs_drive_the_server_scripts", || {
            specs_drive_the_server_scripts("advanced")
        }),
        ("beginner_rojo_build_has_one_of_each_service", || {
            rojo_build_has_one_of_each_service("beginner")
        }),
        ("advanced_rojo_build_has_one_of_each_service", || {
            rojo_build_has_one_of_each_service("advanced")
        }),
        (
            "beginner_luau_passes_stylua_selene_and_strict_types",
            || starter_luau_passes_the_gates("beginner"),
        ),
        (
            "advanced_luau_passes_stylua_selene_and_strict_types",
            || starter_luau_passes_the_gates("advanced"),
        ),
        (
            "sim_runs_the_server_scripts_on_every_server",
            sim_runs_the_server_scripts_on_every_server,
        ),
    ];
    gates.to_vec()
}
