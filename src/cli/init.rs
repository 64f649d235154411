//! `vstore init [DIR] [--layout beginner|advanced]`: writes a starter game
//! that `check`, `build`, `test`, `sim` and `rojo build` accept unchanged:
//! the schema, a handler, a spec, and the game's own `src/server`,
//! `src/client` and `src/shared` mounted with the generated package by one
//! `default.project.json` (one of each service). It never overwrites an
//! existing `virtualstore.toml`. The starter files live under
//! `templates/init`; this module only chooses and writes them.

use std::fs;
use std::path::{Path, PathBuf};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder to create the project in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How the game's server code is organised.
    #[arg(long, value_enum, default_value_t = Layout::Beginner)]
    pub layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// A DataService module and one script of remote handlers that call Add and Edit.
    Beginner,
    /// A Bootstrap script that wires domain services, each owning its profile paths.
    Advanced,
}

macro_rules! starter {
    ($($path:literal => $file:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../templates/init/", $file)))),*]
    };
}

/// Files of every layout: `(path in the project, text)`.
const COMMON: &[(&str, &str)] = starter![
    "virtualstore.toml" => "common/virtualstore.toml",
    "default.project.json" => "common/default.project.json",
    "operations/GrantCoins.luau" => "common/operations/GrantCoins.luau",
    "tests/PlayerData.spec.luau" => "common/tests/PlayerData.spec.luau",
    "src/server/DataService.luau" => "common/src/server/DataService.luau",
    "src/shared/Shop.luau" => "common/src/shared/Shop.luau",
    "src/client/Hud.client.luau" => "common/src/client/Hud.client.luau",
    ".gitignore" => "common/gitignore",
    "migrations/PlayerData/.gitkeep" => "common/gitkeep",
    "fixtures/PlayerData/.gitkeep" => "common/gitkeep",
];

const BEGINNER: &[(&str, &str)] = starter![
    "src/server/RemoteHandlers.server.luau" => "beginner/src/server/RemoteHandlers.server.luau",
];

const ADVANCED: &[(&str, &str)] = starter![
    "src/server/Bootstrap.server.luau" => "advanced/src/server/Bootstrap.server.luau",
    "src/server/Services/EconomyService.luau" => "advanced/src/server/Services/EconomyService.luau",
    "src/server/Services/InventoryService.luau" => "advanced/src/server/Services/InventoryService.luau",
];

/// Every file `vstore init` writes for `layout`.
pub fn starter_files(layout: Layout) -> Vec<(&'static str, &'static str)> {
    let own = match layout {
        Layout::Beginner => BEGINNER,
        Layout::Advanced => ADVANCED,
    };
    COMMON.iter().chain(own).copied().collect()
}

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
    match write_starter(&args.dir, args.layout) {
        Ok(()) => {
            let layout = match args.layout {
                Layout::Beginner => "beginner",
                Layout::Advanced => "advanced",
            };
            println!(
                "created a vstore project ({layout} layout) in {}",
                args.dir.display()
            );
            println!(
                "next: vstore build --project {0} && vstore test --project {0}, then `rojo build` or `rojo serve` in {0}",
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

fn write_starter(dir: &Path, layout: Layout) -> std::io::Result<()> {
    for (rel, text) in starter_files(layout) {
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
