//! `vstore sim`: a seeded multi-server scenario against the project's
//! generated package, then the invariant oracles.

use std::path::PathBuf;
use std::rc::Rc;

use crate::sim::datastore::BudgetKind;
use crate::sim::mount::mount_project_over_package;
use crate::sim::scenario::{dotted, run as run_scenario, ScenarioOptions, StorePlan, SCENARIOS};
use crate::sim::specs::generated_package_with_runtime;

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// steady, teleport-storm, outage, crashes, ambiguous or chaos.
    #[arg(long, default_value = "steady")]
    pub scenario: String,
    #[arg(long, default_value_t = 2)]
    pub servers: usize,
    #[arg(long, default_value_t = 20)]
    pub players: usize,
    /// Virtual duration: `90s`, `30m`, `1h`.
    #[arg(long, default_value = "10m")]
    pub duration: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Project folder holding `virtualstore.toml`.
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// The player store the oracles read.
    #[arg(long, default_value = "PlayerData")]
    pub store: String,
    /// Run against this VirtualStore runtime folder instead of the built-in one
    /// (for testing a modified runtime).
    #[arg(long)]
    pub runtime: Option<PathBuf>,
    /// Players (chosen by seed) who get a simulated client whose mirror is
    /// compared with the public projection; 0 turns that oracle off
    /// (default: the number of players, at most 16).
    #[arg(long)]
    pub clients: Option<usize>,
    /// The game's Rojo project file; its server scripts run on every simulated
    /// server beside the driver (default: `default.project.json` beside
    /// `virtualstore.toml`, when present).
    #[arg(long)]
    pub rojo: Option<PathBuf>,
}

/// The schema-derived plan for the store the oracles read.
fn store_plan(project: &std::path::Path, store: &str) -> Result<StorePlan, String> {
    let checked = crate::check::check_project(project)
        .map_err(|_| "the project has errors; fix them before simulating".to_string())?;
    let found = checked.project.stores.iter().find(|s| s.name == store);
    match found {
        Some(s) => Ok(StorePlan::from_store(&checked.project, s)),
        None => Err(format!(
            "the project has no store named `{store}`; pass --store with one of: {}",
            checked
                .project
                .stores
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn parse_duration(text: &str) -> Option<f64> {
    let (num, unit) = text.split_at(
        text.find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len()),
    );
    let n: f64 = num.parse().ok()?;
    Some(match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    })
}

pub fn run(args: SimArgs) -> Outcome {
    if !SCENARIOS.contains(&args.scenario.as_str()) {
        eprintln!(
            "error: unknown scenario `{}`; choose one of {}",
            args.scenario,
            SCENARIOS.join(", ")
        );
        return Outcome::Usage;
    }
    let Some(duration) = parse_duration(&args.duration) else {
        eprintln!(
            "error: `{}` is not a duration such as 90s, 30m or 1h",
            args.duration
        );
        return Outcome::Usage;
    };
    let project = args.project.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut root = match generated_package_with_runtime(&project, args.runtime.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    let rojo = args
        .rojo
        .clone()
        .or_else(|| Some(project.join("default.project.json")).filter(|p| p.exists()));
    if let Some(r) = &rojo {
        let out = super::test::package_out(&project);
        if let Err(e) = mount_project_over_package(r, &mut root, out.as_deref()) {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    }
    let package = Rc::new(root);
    let plan = match store_plan(&project, &args.store) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Usage;
        }
    };
    let opts = ScenarioOptions {
        scenario: args.scenario.clone(),
        servers: args.servers,
        players: args.players,
        duration,
        seed: args.seed,
        store: args.store.clone(),
        clients: args
            .clients
            .unwrap_or_else(|| ScenarioOptions::default_clients(args.players)),
        plan,
    };
    let s = match run_scenario(package, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: the simulation could not start: {e}");
            return Outcome::Usage;
        }
    };
    println!(
        "scenario {} servers {} players {} duration {}s seed {}",
        opts.scenario, opts.servers, opts.players, duration, opts.seed
    );
    let per_server_minutes = duration / 60.0 * opts.servers as f64;
    println!("requests:");
    for (method, n) in &s.requests {
        let kind = if method == "GetAsync" {
            Some(BudgetKind::StandardRead)
        } else if method == "RemoveAsync" {
            Some(BudgetKind::StandardRemove)
        } else if method.ends_with("Async") && method != "PublishAsync" {
            Some(BudgetKind::StandardWrite)
        } else {
            None
        };
        match kind {
            Some(k) => {
                let budget = k.per_minute(opts.players / opts.servers.max(1)) * per_server_minutes;
                println!(
                    "  {method:<24} {n:>8}  ({:.1}% of {} budget)",
                    *n as f64 / budget * 100.0,
                    k.name()
                );
            }
            None => println!("  {method:<24} {n:>8}"),
        }
    }
    for (label, counts) in [
        ("throttled by limit", &s.limits.throttled),
        ("messages dropped", &s.limits.dropped_messages),
    ] {
        if !counts.is_empty() {
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!("{label}: {}", parts.join(", "));
        }
    }
    println!(
        "open latency: p50 {:.2}s p99 {:.2}s (virtual)",
        s.open_p50, s.open_p99
    );
    println!(
        "handoff latency (leave one server, Ready on the next): p50 {:.2}s p99 {:.2}s over {} teleports (virtual)",
        s.handoff_p50, s.handoff_p99, s.handoffs
    );
    let failure_codes = if s.open_failure_codes.is_empty() {
        String::new()
    } else {
        let codes: Vec<String> = s
            .open_failure_codes
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        format!(" ({})", codes.join(", "))
    };
    println!(
        "sessions {}  failed opens {}{failure_codes}  operations delivered {}  confirmed checkpoints {}",
        s.sessions,
        s.open_failures(),
        s.deliveries,
        s.acks
    );
    let plan = &opts.plan;
    println!(
        "opens checked against the stored record ({}): {}",
        dotted(&plan.counter),
        s.opens_checked
    );
    match &s.mirror_skipped {
        Some(why) => println!("client mirror oracle: skipped ({why})"),
        None => println!(
            "client mirror oracle: {} comparisons on {} sampled players ({} put off while a patch was in flight or the mirror was loading)",
            s.mirror_checks, s.clients_sampled, s.mirror_deferred
        ),
    }
    match &plan.reward {
        Some(r) => println!(
            "reward ledger vs data ({} adds {} to {}): {} records checked, {} with pruned ledgers skipped",
            r.operation,
            r.amount,
            dotted(&r.path),
            s.reward_checked,
            s.reward_pruned
        ),
        None => println!(
            "reward ledger vs data: skipped (no operation adds an integer payload field to one integer path)"
        ),
    }
    if let Some(r) = &rojo {
        println!("game scripts from {}", r.display());
    }
    if s.thread_errors > 0 {
        println!("errors raised in simulated threads: {}", s.thread_errors);
        for e in &s.first_errors {
            println!("  {e}");
        }
    }
    println!("violations: {}", s.violations.len());
    for v in &s.violations {
        println!("  {v}");
    }
    println!("trace hash {:016x}", s.trace_hash);
    if !s.violations.is_empty() {
        let mut extra = String::new();
        if let Some(p) = &args.project {
            extra.push_str(&format!(" --project {}", p.display()));
        }
        if let Some(r) = &args.runtime {
            extra.push_str(&format!(" --runtime {}", r.display()));
        }
        if let Some(r) = &args.rojo {
            extra.push_str(&format!(" --rojo {}", r.display()));
        }
        if let Some(c) = args.clients {
            extra.push_str(&format!(" --clients {c}"));
        }
        if args.store != "PlayerData" {
            extra.push_str(&format!(" --store {}", args.store));
        }
        println!(
            "replay: vstore sim --scenario {} --servers {} --players {} --duration {} --seed {}{extra}",
            opts.scenario, opts.servers, opts.players, args.duration, opts.seed
        );
        return Outcome::UserErrors;
    }
    Outcome::Ok
}
