//! The roblox-ts typings (`typescript = true`) are valid TypeScript against the
//! pinned `@rbxts/types` and `@rbxts/compiler-types`, and they bite: `tsc
//! --noEmit` over the emitted `index.d.ts` files, a correct usage file and a
//! wrong one must report exactly the wrong file's errors, by code and line;
//! for the advanced example's player facade and for the keyed `Guilds` store
//! of `tests/keyed`.
//!
//! `.ci/install-tools` installs the pinned packages into `$VSTORE_RBXTS_DIR`
//! (default `~/.cache/vstore/rbxts`). Without them the gate is reported
//! ignored, and fails under CI, like the StyLua/selene/Rojo gates.

use crate::gates_support;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use gates_support::{
    built_example_with_typescript, built_with_typescript, missing, repo, temp_dir, Gate,
};

fn rbxts_dir() -> PathBuf {
    std::env::var_os("VSTORE_RBXTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/vstore/rbxts")
        })
}

/// The folder holding `node_modules/.bin/tsc` and `node_modules/@rbxts`, or
/// `None` after `gates_support::missing` (the gate is reported ignored; a
/// panic under CI).
fn rbxts() -> Option<PathBuf> {
    let dir = rbxts_dir();
    let ready = dir.join("node_modules/.bin/tsc").is_file()
        && dir.join("node_modules/@rbxts/types").is_dir()
        && dir.join("node_modules/@rbxts/compiler-types").is_dir();
    if ready {
        return Some(dir);
    }
    missing(&format!(
        "typescript with the @rbxts typings (in {}; needs npm)",
        dir.display()
    ));
    None
}

const CORRECT: &str = r#"import PlayerData = require("./build/PlayerData");
import * as Client from "./build/PlayerDataClient";

game.GetService("Players").PlayerAdded.Connect((player) => {
	const [data, err] = PlayerData.Get(player);
	if (data) {
		const coins: number = data.Wallet.Coins;
		print(coins, err?.Code);
	}
	PlayerData.Set(player, ["Wallet", "Coins"], 5);
	PlayerData.Add(player, ["Progress", "XP"], 10, { Reason: "Quest" });
	PlayerData.Insert(player, "Inventory", { Id: "sword", Count: 1 });
	PlayerData.Set(player, ["Quests", "FirstSteps", "Completed"], true);
	const [level] = PlayerData.GetPath(player, ["Progress", "Level"]);
	print(level !== undefined ? level + 1 : 0);
	PlayerData.DeliverAsync(player, "reward-1", "GrantMatchReward", { Coins: 5 });
});
PlayerData.Loaded.Connect((player, profile) => print(player.Name, profile.Wallet.Gems));

const replica = Client.connect();
const [ok, reason] = replica.Await(10);
const state: Client.State = replica.GetState();
print(ok, reason, state, replica.Get().Progress.Level);
Client.ObserveWalletCoins(replica, (coins) => {
	const shown: number = coins + 1;
	print(shown);
});
Client.Observe(replica, "Inventory", (items) => print(items.size()));
replica.StateChanged.Connect((now, previous) => print(now, previous));
game.GetService("Players").PlayerAdded.Connect((player) => {
	PlayerData.Fields.WalletCoins.Add(player, 5);
	PlayerData.Fields.Inventory.Insert(player, { Id: "shield", Count: 1 });
	const [gems] = PlayerData.Fields.WalletGems.Get(player);
	print(gems);
});
"#;

const WRONG: &str = r#"import PlayerData = require("./build/PlayerData");
import * as Client from "./build/PlayerDataClient";

game.GetService("Players").PlayerAdded.Connect((player) => {
	PlayerData.Set(player, ["Wallet", "Coins"], "lots");
});
const replica = Client.connect();
Client.ObserveWalletCoins(replica, (coins) => {
	const label: string = coins;
	print(label);
});
Client.Observe(replica, "Quests", (quests) => print(quests));
replica.Get().Wallet.Coins = 1;
game.GetService("Players").PlayerAdded.Connect((player) => {
	PlayerData.Fields.WalletCoins.Set(player, "ten");
});
"#;

/// One `file(line,col): error TSxxxx: message` line of tsc output.
#[derive(Debug)]
struct TsError {
    file: String,
    line: usize,
    code: String,
    message: String,
}

fn parse(output: &str) -> Vec<TsError> {
    output
        .lines()
        .filter_map(|l| {
            let (place, rest) = l.split_once("): error ")?;
            let (file, pos) = place.rsplit_once('(')?;
            let line = pos.split(',').next()?.parse().ok()?;
            let (code, message) = rest.split_once(": ")?;
            Some(TsError {
                file: file.to_string(),
                line,
                code: code.to_string(),
                message: message.to_string(),
            })
        })
        .collect()
}

/// Runs `tsc --noEmit` over `usage.ts`, `wrong.ts` and the package moved to
/// `<dir>/build`; returns our findings (outside node_modules) and the output.
fn tsc(
    rbxts: &std::path::Path,
    pkg: &std::path::Path,
    dir: &std::path::Path,
    correct: &str,
    wrong: &str,
) -> (Vec<TsError>, String) {
    fs::rename(pkg, dir.join("build")).unwrap();
    fs::write(dir.join("usage.ts"), correct).unwrap();
    fs::write(dir.join("wrong.ts"), wrong).unwrap();
    let roots = rbxts.join("node_modules/@rbxts");
    fs::write(
        dir.join("tsconfig.json"),
        format!(
            r#"{{
	"compilerOptions": {{
		"strict": true,
		"noEmit": true,
		"noLib": true,
		"target": "ESNext",
		"module": "CommonJS",
		"moduleResolution": "Node",
		"moduleDetection": "force",
		"allowSyntheticDefaultImports": true,
		"typeRoots": [{}],
		"types": ["types", "compiler-types"]
	}},
	"include": ["usage.ts", "wrong.ts", "build/**/*.d.ts"]
}}
"#,
            serde_json::to_string(&roots.to_string_lossy()).unwrap()
        ),
    )
    .unwrap();
    let out = Command::new(rbxts.join("node_modules/.bin/tsc"))
        .current_dir(dir)
        .args(["-p", "."])
        .output()
        .expect("tsc starts (needs node)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    // The pinned @rbxts/types has a few findings of its own; ours are outside node_modules.
    let ours: Vec<TsError> = parse(&stdout)
        .into_iter()
        .filter(|e| !e.file.contains("node_modules"))
        .collect();
    let outside_wrong: Vec<&TsError> = ours.iter().filter(|e| e.file != "wrong.ts").collect();
    assert!(
        outside_wrong.is_empty(),
        "the typings and the correct usage must check clean: {outside_wrong:#?}\n{stdout}"
    );
    (ours, stdout)
}

/// The gates of this file, run by the `gates` harness (`tests/gates.rs`).
pub fn gates() -> Vec<Gate> {
    let gates: &[Gate] = &[
        (
            "roblox_ts_typings_check_with_tsc_and_reject_wrong_usage",
            roblox_ts_typings_check_with_tsc_and_reject_wrong_usage,
        ),
        (
            "keyed_store_typings_check_with_tsc_and_reject_wrong_usage",
            keyed_store_typings_check_with_tsc_and_reject_wrong_usage,
        ),
    ];
    gates.to_vec()
}

fn roblox_ts_typings_check_with_tsc_and_reject_wrong_usage() {
    let Some(rbxts) = rbxts() else { return };
    let pkg = built_example_with_typescript("advanced");
    for file in ["PlayerData/index.d.ts", "PlayerDataClient/index.d.ts"] {
        assert!(pkg.join(file).is_file(), "{file} emitted");
    }
    let dir = temp_dir("tsc");
    let (ours, stdout) = tsc(&rbxts, &pkg, &dir, CORRECT, WRONG);
    let found: Vec<(usize, &str)> = ours.iter().map(|e| (e.line, e.code.as_str())).collect();
    assert_eq!(
        found,
        vec![
            (5, "TS2769"),
            (9, "TS2322"),
            (12, "TS2345"),
            (13, "TS2540"),
            (15, "TS2345")
        ],
        "{stdout}"
    );
    assert_eq!(ours[0].message, "No overload matches this call.");
    assert_eq!(
        ours[1].message,
        "Type 'number' is not assignable to type 'string'."
    );
    assert_eq!(
        ours[2].message,
        "Argument of type '\"Quests\"' is not assignable to parameter of type 'keyof PublicValues'."
    );
    assert_eq!(
        ours[3].message,
        "Cannot assign to 'Coins' because it is a read-only property."
    );
    assert_eq!(
        ours[4].message,
        "Argument of type 'string' is not assignable to parameter of type 'number'."
    );
}

const KEYED_CORRECT: &str = r#"import Guilds = require("./build/Guilds");

const [session, err] = Guilds.OpenAsync("Red");
if (session) {
	const coins: number = session.Data.Bank.Coins;
	const rank = session.GetData().Members.get("7")?.Rank;
	print(coins, rank, session.Key);
	session.Transaction((guild) => {
		guild.Bank.Coins += 5;
	});
	session.Increment(["Bank", "Coins"], 1);
	session.QueueOperationAsync("deposit-1", "Deposit", { Coins: 5 });
	session.ReleaseAsync();
}
print(err?.Code);
const [viewed] = Guilds.ViewAsync("Red");
print(viewed?.Name);
const [updated] = Guilds.UpdateAsync("Blue", (guild) => {
	guild.Bank.Coins += 1;
});
print(updated?.Bank.Coins);
Guilds.QueueOperationAsync("Blue", "deposit-2", "Deposit", { Coins: 10 });
const [status] = Guilds.AwaitOperationAsync("Blue", "deposit-2", 5);
print(status);
Guilds.SessionOpened.Connect((opened) => print(opened.Key, opened.Data.Bank.Coins));
const [restored] = Guilds.RestoreVersionAsync("Red", "v1");
print(restored?.Name, Guilds.DeleteAsync("Red", Guilds.GetDeleteConfirmation("Red")));
"#;

const KEYED_WRONG: &str = r#"import Guilds = require("./build/Guilds");

const [viewed] = Guilds.ViewAsync("Red");
const label: string | undefined = viewed?.Bank.Coins;
Guilds.QueueOperationAsync("Blue", "deposit-1", "Withdraw", { Coins: 10 });
Guilds.QueueOperationAsync("Blue", "deposit-2", "Deposit", { Coins: "10" });
Guilds.UpdateAsync("Blue", (guild) => {
	guild.Bank.Coins = "lots";
});
print(label);
"#;

fn keyed_store_typings_check_with_tsc_and_reject_wrong_usage() {
    let Some(rbxts) = rbxts() else { return };
    let pkg = built_with_typescript(&repo().join("tests/keyed"), "keyed");
    assert!(
        pkg.join("Guilds/index.d.ts").is_file(),
        "Guilds/index.d.ts emitted"
    );
    let dir = temp_dir("tsc-keyed");
    let (ours, stdout) = tsc(&rbxts, &pkg, &dir, KEYED_CORRECT, KEYED_WRONG);
    let found: Vec<(usize, &str, &str)> = ours
        .iter()
        .map(|e| (e.line, e.code.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                4,
                "TS2322",
                "Type 'number | undefined' is not assignable to type 'string | undefined'."
            ),
            (
                5,
                "TS2345",
                "Argument of type '\"Withdraw\"' is not assignable to parameter of type '\"Deposit\"'."
            ),
            (6, "TS2322", "Type 'string' is not assignable to type 'number'."),
            (8, "TS2322", "Type 'string' is not assignable to type 'number'."),
        ],
        "{stdout}"
    );
}
