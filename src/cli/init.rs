//! `vstore init [DIR]`: writes a starter project that `check` and `build`
//! accept unchanged. It never overwrites an existing `virtualstore.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to create the project in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const SCHEMA: &str = r#"# vstore project: the schema of your saved data.
# `vstore check` validates it, `vstore build` writes the Luau package to `out`.
[project]
out = "build"

[stores.PlayerData]
kind = "players"
version = 1

[stores.PlayerData.template]
"Wallet.Coins" = { type = "integer", default = 0, min = 0 }
Inventory = { type = "{string}", default = [] }

[stores.PlayerData.public]
paths = ["Wallet.Coins", "Inventory"]

[stores.PlayerData.operations.GrantCoins]
payload = "{ Coins: integer }"
writes = ["Wallet.Coins"]
file = "operations/GrantCoins.luau"
"#;

const HANDLER: &str = r#"--!strict
-- A durable operation handler: it runs inside the save transform, so it must
-- not yield, read the clock or touch services. Change only declared paths.
return function(profile: Data, payload: Payload): number
	profile.Wallet.Coins += payload.Coins
	return profile.Wallet.Coins
end
"#;

const SPEC: &str = r#"-- Runs with `vstore test` in the simulator, as a server script beside the built package.
local ServerScriptService = game:GetService("ServerScriptService")
local Validators = require(ServerScriptService.PlayerData.Validators)

describe("PlayerData schema", function()
	it("accepts the starter template", function()
		local ok = Validators.Data({ Wallet = { Coins = 0 }, Inventory = {} })
		expect(ok).toBe(true)
	end)

	it("rejects a negative coin balance", function()
		local ok, err = Validators.Data({ Wallet = { Coins = -5 }, Inventory = {} })
		expect(ok).toBe(false)
		expect(err).toBe("Wallet.Coins: must be at least 0")
	end)
end)
"#;

const FILES: &[(&str, &str)] = &[
    ("virtualstore.toml", SCHEMA),
    ("operations/GrantCoins.luau", HANDLER),
    ("migrations/PlayerData/.gitkeep", ""),
    ("fixtures/PlayerData/.gitkeep", ""),
    ("tests/PlayerData.spec.luau", SPEC),
    (".gitignore", "build/\n"),
];

pub fn run(args: InitArgs) -> Outcome {
    let schema = args.dir.join("virtualstore.toml");
    if schema.exists() {
        eprintln!(
            "error: {} already exists; vstore init never overwrites a project",
            schema.display()
        );
        eprintln!("help: choose another folder, e.g. `vstore init my-game`");
        return Outcome::Usage;
    }
    match write_starter(&args.dir) {
        Ok(()) => {
            println!("created a vstore project in {}", args.dir.display());
            println!(
                "next: vstore check --project {0} && vstore build --project {0}",
                args.dir.display()
            );
            Outcome::Ok
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the starter project in {}: {e}",
                args.dir.display()
            );
            Outcome::Usage
        }
    }
}

fn write_starter(dir: &Path) -> std::io::Result<()> {
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        if !path.exists() {
            fs::write(path, text)?;
        }
    }
    Ok(())
}
