//! `vstore sim`: a seeded multi-server scenario against the project's
//! generated package, then the invariant oracles.

use std::path::PathBuf;
use std::rc::Rc;

use crate::sim::datastore::BudgetKind;
use crate::sim::scenario::{run as run_scenario, ScenarioOptions, SCENARIOS};
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
    let package = match generated_package_with_runtime(&project, args.runtime.as_deref()) {
        Ok(p) => Rc::new(p),
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
        "sessions {}  failed opens {}  operations delivered {}  confirmed checkpoints {}",
        s.sessions, s.open_failures, s.deliveries, s.acks
    );
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
        println!(
            "replay: vstore sim --scenario {} --servers {} --players {} --duration {} --seed {}{extra}",
            opts.scenario, opts.servers, opts.players, args.duration, opts.seed
        );
        return Outcome::UserErrors;
    }
    Outcome::Ok
}
