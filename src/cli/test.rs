//! `vstore test`: runs `*.spec.luau` files in the simulator. With `--runtime`
//! it mounts a runtime folder directly (for developing the VirtualStore
//! library); otherwise it runs the project's `tests/` against its package.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::sim::mount::{mount_project, Node};
use crate::sim::specs::{find_specs, run_spec_file, runtime_package, SpecOptions};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Project folder holding `virtualstore.toml` (default: the current folder).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Mount this folder as `ServerScriptService.VirtualStore` instead of a generated package.
    #[arg(long)]
    pub runtime: Option<PathBuf>,
    /// Client library folder mounted as `ReplicatedStorage.VirtualStoreClient`
    /// (default: `client` beside the runtime folder, when present).
    #[arg(long)]
    pub client: Option<PathBuf>,
    /// Folder searched for `*.spec.luau` files (default: the project's `tests/`).
    #[arg(long)]
    pub specs: Option<PathBuf>,
    /// The game's Rojo project file, mounted beside the package.
    #[arg(long)]
    pub rojo: Option<PathBuf>,
    /// Only run tests whose full name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Seed for every random choice of the simulator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print everything the simulated VMs print, as it happens.
    #[arg(long)]
    pub verbose: bool,
}

fn package(args: &TestArgs, project: &Path) -> Result<Node, String> {
    let mut root = if let Some(rt) = &args.runtime {
        let client = args
            .client
            .clone()
            .or_else(|| rt.parent().map(|p| p.join("client")));
        runtime_package(rt, client.as_deref()).map_err(|e| e.to_string())?
    } else {
        crate::sim::specs::generated_package(project)?
    };
    let rojo = args.rojo.clone().or_else(|| {
        Some(project.join("default.project.json")).filter(|p| p.exists() && args.runtime.is_none())
    });
    if let Some(r) = rojo {
        mount_project(&r, &mut root).map_err(|e| e.to_string())?;
    }
    Ok(root)
}

pub fn run(args: TestArgs) -> Outcome {
    let project = args.project.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = match package(&args, &project) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    let specs_dir = args.specs.clone().unwrap_or_else(|| project.join("tests"));
    let files = find_specs(&specs_dir);
    if files.is_empty() {
        eprintln!("error: no *.spec.luau files under {}", specs_dir.display());
        return Outcome::Usage;
    }
    let package = Rc::new(root);
    let opts = SpecOptions {
        filter: args.filter.clone(),
        seed: args.seed,
        echo: args.verbose,
    };
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let results = match run_spec_file(&package, &file, &opts) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return Outcome::Usage;
            }
        };
        for r in results {
            if r.passed {
                passed += 1;
                println!("PASS {} > {}", file.display(), r.name);
                continue;
            }
            failed += 1;
            println!("FAIL {} > {}", file.display(), r.name);
            println!("     {}", r.message.replace('\n', "\n     "));
            let chunk = file.display().to_string();
            for line in r.trace.lines().filter(|l| l.contains(&chunk)) {
                println!("     at {}", line.trim());
            }
            for e in r.errors.iter().take(5) {
                println!(
                    "     (error in a simulated thread) {}",
                    e.lines().next().unwrap_or_default()
                );
            }
            for o in r.output.iter().rev().take(10).rev() {
                println!(
                    "     [{:.3}] {}: {}",
                    o.time,
                    o.level,
                    o.text.lines().next().unwrap_or_default()
                );
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        Outcome::UserErrors
    } else {
        Outcome::Ok
    }
}
