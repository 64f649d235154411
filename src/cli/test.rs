//! `vstore test`: runs `*.spec.luau` files in the simulator. With `--runtime`
//! it mounts a runtime folder directly (for developing the VirtualStore
//! library); otherwise it first verifies the project's migrations and
//! operation handlers (`sim::verify`), then runs its `tests/` against its
//! package.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::sim::mount::{mount_project_over_package, Node};
use crate::sim::specs::{find_specs, run_spec_file, runtime_package, SpecOptions};
use crate::sim::verify::{self, VerifyOptions, VerifyReport};

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
    /// Print one `ok`/`FAIL` line per check with GitHub Actions `::error`
    /// annotations; exit 1 on any failure.
    #[arg(long)]
    pub ci: bool,
    /// Accept the current migrated output of every fixture as its snapshot.
    #[arg(long)]
    pub update: bool,
}

/// Generated payloads per operation and base profile during verification.
const VERIFY_PAYLOADS: usize = 8;

/// Keeps only the checks whose store and subject contain `filter`.
fn filter_report(report: VerifyReport, filter: Option<&str>) -> VerifyReport {
    let Some(filter) = filter else {
        return report;
    };
    VerifyReport {
        checks: report
            .checks
            .into_iter()
            .filter(|c| format!("{} {}", c.store, c.subject).contains(filter))
            .collect(),
    }
}

/// Runs migration and handler verification and prints its report; returns
/// `(passed, failed)`, or `None` when the project does not check.
fn run_verification(args: &TestArgs, project: &Path) -> Option<(usize, usize)> {
    let checked = match crate::check::check_project(project) {
        Ok(checked) => checked,
        Err(failed) => {
            super::check::print(&failed.diagnostics);
            eprintln!("error: the project has errors; fix them before testing");
            return None;
        }
    };
    let opts = VerifyOptions {
        update: args.update,
        seed: args.seed,
        payloads: VERIFY_PAYLOADS,
    };
    let report = filter_report(verify::run(&checked.project, &opts), args.filter.as_deref());
    if report.checks.is_empty() {
        return Some((0, 0));
    }
    if args.ci {
        print!("{}", report.render_ci());
    } else {
        println!("verification of migrations and operation handlers:");
        print!("{report}");
    }
    let failed = report.failures();
    Some((report.checks.len() - failed, failed))
}

/// A message on one line, for a GitHub Actions annotation.
fn annotation_text(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn package(args: &TestArgs, project: &Path) -> Result<Node, String> {
    if let Some(rt) = &args.runtime {
        let client = args
            .client
            .clone()
            .or_else(|| rt.parent().map(|p| p.join("client")));
        let mut root = runtime_package(rt, client.as_deref()).map_err(|e| e.to_string())?;
        if let Some(r) = &args.rojo {
            mount_project_over_package(r, &mut root).map_err(|e| e.to_string())?;
        }
        return Ok(root);
    }
    let rojo = args
        .rojo
        .clone()
        .or_else(|| Some(project.join("default.project.json")).filter(|p| p.exists()));
    crate::sim::specs::game_package(project, None, rojo.as_deref())
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
    let developer_mode = args.runtime.is_some() || args.specs.is_some();
    let (mut passed, mut failed) = (0, 0);
    if !developer_mode {
        match run_verification(&args, &project) {
            Some((p, f)) => {
                passed += p;
                failed += f;
            }
            None => return Outcome::UserErrors,
        }
    }
    let specs_dir = args.specs.clone().unwrap_or_else(|| project.join("tests"));
    let files = find_specs(&specs_dir);
    if files.is_empty() && developer_mode {
        eprintln!("error: no *.spec.luau files under {}", specs_dir.display());
        return Outcome::Usage;
    }
    let package = Rc::new(root);
    let opts = SpecOptions {
        filter: args.filter.clone(),
        seed: args.seed,
        echo: args.verbose,
    };
    let (verified_passed, verified_failed) = (passed, failed);
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
                if args.ci {
                    println!("ok   {} > {}", file.display(), r.name);
                } else {
                    println!("PASS {} > {}", file.display(), r.name);
                }
                continue;
            }
            failed += 1;
            println!("FAIL {} > {}", file.display(), r.name);
            if args.ci {
                println!(
                    "::error file={},title=vstore test::{}: {}",
                    file.display(),
                    annotation_text(&r.name),
                    annotation_text(&r.message)
                );
            }
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
    if let (Some(filter), 0) = (&args.filter, passed + failed) {
        eprintln!(
            "error: --filter `{filter}` matches no check and no test (checks are named `<Store> <subject>`, tests by their describe/it names)"
        );
        return Outcome::UserErrors;
    }
    if args.ci {
        println!(
            "{} specs, {} failed",
            passed + failed - verified_passed - verified_failed,
            failed - verified_failed
        );
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        Outcome::UserErrors
    } else {
        Outcome::Ok
    }
}
