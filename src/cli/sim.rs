//! `vstore sim`: seeded multi-server scenarios against the project's
//! generated package, then the invariant oracles; one seed with its full
//! summary, or a sweep of many seeds on every core (`--seeds`, `--jobs`,
//! `--shard`, `--swarm`) with a per-seed table; a failure is shrunk to the
//! smallest command that still fails the same way, and `--trace` writes the
//! events of a run. The machinery lives in `sim::{sweep, shrink, swarm,
//! trace}`; this module parses, prints and picks the exit code.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::sim::datastore::{self, BudgetKind};
use crate::sim::scenario::{dotted, size_percentile, Cost, StorePlan, SCENARIOS};
use crate::sim::shrink::{shrink, Shrunk};
use crate::sim::specs::game_package;
use crate::sim::swarm::FaultMix;
use crate::sim::sweep::{
    machine, parse_seeds, parse_shard, run_one, shard, with_pool, Job, Pool, Prepared, RunOptions,
    SeedRun, Setup, Tree,
};
use crate::sim::trace;
use crate::sim::workload::GameSim;

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
    /// Run many seeds: `200` (seeds 1 to 200), `1..200`, or a list such as
    /// `3,17,40..45`; prints a line per seed and the failing seeds.
    #[arg(long, conflicts_with = "seed")]
    pub seeds: Option<String>,
    /// Worlds run at once, one per thread (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run shard K of N of the sweep (every N-th seed from the K-th), to
    /// spread a sweep over a CI matrix.
    #[arg(long, requires = "seeds")]
    pub shard: Option<String>,
    /// Each seed draws its own fault mix (which faults are on, at what
    /// rates); the seed reproduces it.
    #[arg(long, conflicts_with = "faults")]
    pub swarm: bool,
    /// The fault mix, instead of the scenario's: `errors=0.05,crashes=2`
    /// (faults not named are off), or `none`. Names: errors, ambiguous,
    /// closing, latency, loss, outage, crashes, partition, teleports.
    #[arg(long)]
    pub faults: Option<String>,
    /// Write the run's events (in a sweep: the smallest reproduction's) to
    /// FILE, as JSON lines when it ends in `.jsonl`, else as a table.
    #[arg(long)]
    pub trace: Option<PathBuf>,
    /// Most runs shrinking a failure may make; 0 turns shrinking off.
    #[arg(long, default_value_t = 40)]
    pub shrink_runs: usize,
    /// No progress bar (it is also off when stdout is not a terminal).
    #[arg(long)]
    pub ci: bool,
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
    /// The share of players (0-1, chosen by seed) who join at the start, stay
    /// to the end and never play, for the idle cost figures.
    #[arg(long, default_value_t = 0.0)]
    pub idle: f64,
    /// Every simulated player performs the project's `sim/NAME.workload.luau`
    /// from their client VM (the game's invariants, `sim/*.invariant.luau`,
    /// run with or without it).
    #[arg(long)]
    pub workload: Option<String>,
}

/// The schema-derived plan for the store the oracles read, with the game's
/// workload (when `workload` names one) and invariants.
fn game_plan(project: &Path, store: &str, workload: Option<&str>) -> Result<StorePlan, String> {
    let mut plan = store_plan(project, store)?;
    plan.game = Rc::new(GameSim::load(project, workload)?);
    Ok(plan)
}

/// The schema-derived plan for the store the oracles read.
fn store_plan(project: &Path, store: &str) -> Result<StorePlan, String> {
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
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    Some(match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    })
}

fn usage(message: impl std::fmt::Display) -> Outcome {
    eprintln!("error: {message}");
    Outcome::Usage
}

/// The game under test, as the main thread loaded it.
struct Game {
    project: PathBuf,
    store: String,
    rojo: Option<PathBuf>,
    package: crate::sim::mount::Node,
    plan: StorePlan,
    /// Arguments every replay command repeats.
    fixed: Vec<String>,
}

fn load_game(args: &SimArgs) -> Result<Game, String> {
    let project = args.project.clone().unwrap_or_else(|| PathBuf::from("."));
    let rojo = args
        .rojo
        .clone()
        .or_else(|| Some(project.join("default.project.json")).filter(|p| p.exists()));
    let package = game_package(&project, args.runtime.as_deref(), None, rojo.as_deref())?;
    let plan = game_plan(&project, &args.store, args.workload.as_deref())?;
    let mut fixed = Vec::new();
    let mut flag = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            fixed.push(format!("--{name}"));
            fixed.push(v);
        }
    };
    let shown = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    flag("project", shown(&args.project));
    flag("runtime", shown(&args.runtime));
    flag("rojo", shown(&args.rojo));
    flag(
        "store",
        Some(args.store.clone()).filter(|s| s != "PlayerData"),
    );
    flag("workload", args.workload.clone());
    Ok(Game {
        project,
        store: args.store.clone(),
        rojo,
        package,
        plan,
        fixed,
    })
}

fn base_options(args: &SimArgs, duration: f64) -> Result<RunOptions, String> {
    let faults = match &args.faults {
        Some(text) => Some(FaultMix::parse(text).map_err(|e| format!("--faults {e}"))?),
        None => None,
    };
    Ok(RunOptions {
        scenario: args.scenario.clone(),
        servers: args.servers,
        players: args.players,
        duration,
        clients: args.clients,
        faults,
        swarm: args.swarm,
        idle: args.idle,
    })
}

pub fn run(args: SimArgs) -> Outcome {
    if !(0.0..=1.0).contains(&args.idle) {
        return usage(format!(
            "--idle takes a share of the players from 0 to 1, not {}",
            args.idle
        ));
    }
    if !SCENARIOS.contains(&args.scenario.as_str()) {
        return usage(format!(
            "unknown scenario `{}`; choose one of {}",
            args.scenario,
            SCENARIOS.join(", ")
        ));
    }
    let Some(duration) = parse_duration(&args.duration) else {
        return usage(format!(
            "`{}` is not a duration such as 90s, 30m or 1h",
            args.duration
        ));
    };
    let base = match base_options(&args, duration) {
        Ok(b) => b,
        Err(e) => return usage(e),
    };
    let jobs = match args.jobs {
        Some(0) => return usage("--jobs must be at least 1"),
        Some(n) => n,
        None => machine::cores(),
    };
    let seeds = match &args.seeds {
        Some(text) => match parse_seeds(text) {
            Ok(s) => Some(s),
            Err(e) => return usage(e),
        },
        None => None,
    };
    let seeds = match (seeds, &args.shard) {
        (Some(s), Some(text)) => match parse_shard(text) {
            Ok((k, n)) => Some((shard(&s, k, n), Some((k, n, s.len())))),
            Err(e) => return usage(e),
        },
        (s, _) => s.map(|s| (s, None)),
    };
    let game = match load_game(&args) {
        Ok(g) => g,
        Err(e) => return usage(e),
    };
    let tree = Tree::freeze(&game.package);
    let (project, store) = (game.project.clone(), game.store.clone());
    let workload = args.workload.clone();
    let setup = move || -> Result<Prepared, String> {
        Ok(Prepared {
            package: Rc::new(tree.thaw()),
            plan: game_plan(&project, &store, workload.as_deref())?,
            store: store.clone(),
        })
    };
    let ui = Ui {
        bars: !args.ci && std::io::stdout().is_terminal(),
    };
    let result = match seeds {
        None => single(&args, &game, base, jobs, &setup, &ui),
        Some((seeds, shard)) => sweep(&args, &game, base, seeds, shard, jobs, &setup, &ui),
    };
    result.unwrap_or_else(|e| usage(format!("the simulation could not start: {e}")))
}

/// Progress bars, when stdout is a terminal and `--ci` is off.
struct Ui {
    bars: bool,
}

impl Ui {
    fn bar(&self, len: usize, what: &str) -> ProgressBar {
        if !self.bars {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len as u64);
        let template = format!("{{bar:20}} {{pos}}/{{len}} {what}, {{msg}}eta {{eta}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }
}

/// One seed: the full summary, then the shrunk reproduction if it failed.
fn single(
    args: &SimArgs,
    game: &Game,
    base: RunOptions,
    jobs: usize,
    setup: &Setup,
    ui: &Ui,
) -> Result<Outcome, String> {
    let prep = Prepared {
        package: Rc::new(game.package.clone()),
        plan: game.plan.clone(),
        store: game.store.clone(),
    };
    let job = Job {
        opts: base,
        seed: args.seed,
        trace: args.trace.is_some(),
    };
    let run = run_one(&prep, &job)?;
    print_summary(&run, game);
    if let Some(path) = &args.trace {
        write_trace(path, &run, &game.fixed, "")?;
    }
    if !run.failed() {
        return Ok(Outcome::Ok);
    }
    println!("replay: {}", run.opts.command(run.seed, &game.fixed));
    if args.shrink_runs > 0 {
        with_pool(jobs, setup, |pool| {
            report_shrink(pool, &run, args.shrink_runs, &game.fixed, ui)
        })?;
    }
    Ok(Outcome::UserErrors)
}

/// Requests per player-hour on the players' records by method, and the
/// stored envelope's size beyond `Data`.
fn print_cost(c: &Cost) {
    let methods: Vec<&String> = c.all.requests.keys().collect();
    println!("requests per player-hour on player records while in session (claim and release not counted):");
    let mut head = format!("  {:<8} {:>8} {:>8}", "players", "hours", "total");
    for m in &methods {
        head.push_str(&format!(" {m:>12}"));
    }
    println!("{head}");
    for (label, usage) in [("all", &c.all), ("idle", &c.idle), ("active", &c.active)] {
        if usage.hours <= 0.0 {
            continue;
        }
        let mut row = format!(
            "  {label:<8} {:>8.2} {:>8.1}",
            usage.hours,
            usage.per_hour(None)
        );
        for m in &methods {
            row.push_str(&format!(" {:>12.1}", usage.per_hour(Some(m))));
        }
        println!("{row}");
    }
    for (label, sizes) in [
        ("all records", &c.envelope_bytes),
        ("idle players' records", &c.idle_envelope_bytes),
    ] {
        if sizes.is_empty() {
            continue;
        }
        println!(
            "envelope beyond Data at the end ({label}, {}): p50 {} B  p99 {} B  max {} B",
            sizes.len(),
            size_percentile(sizes, 0.5),
            size_percentile(sizes, 0.99),
            sizes.last().copied().unwrap_or(0)
        );
    }
}

/// The single-run summary: requests, latencies, what each oracle checked.
fn print_summary(run: &SeedRun, game: &Game) {
    let s = &run.summary;
    let o = &run.opts;
    println!(
        "scenario {} servers {} players {} duration {}s seed {}",
        o.scenario, o.servers, o.players, o.duration, run.seed
    );
    println!("fault mix: {}", run.mix);
    println!("engine: Luau {}", crate::sim::LUAU_VERSION);
    let per_server_minutes = o.duration / 60.0 * o.servers as f64;
    if s.memorystore.requests > 0 {
        let failures: Vec<String> = s
            .memorystore
            .failures
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        println!(
            "MemoryStoreService: {} requests, {} request units, failures: {}",
            s.memorystore.requests,
            s.memorystore.units,
            if failures.is_empty() {
                "none".to_string()
            } else {
                failures.join(", ")
            }
        );
    }
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
                let budget = k.per_minute(o.players / o.servers.max(1)) * per_server_minutes;
                println!(
                    "  {method:<24} {n:>8}  ({:.1}% of {} budget)",
                    *n as f64 / budget * 100.0,
                    k.name()
                );
            }
            None => println!("  {method:<24} {n:>8}"),
        }
    }
    print_cost(&s.cost);
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
    if s.crash_recoveries + s.crash_unrecovered > 0 {
        println!(
            "crash to playable (server crash, Ready on another server; reconnect after 5 s): p50 {:.1}s p99 {:.1}s over {} players, {} not playable by the end (virtual)",
            s.crash_recovery_p50, s.crash_recovery_p99, s.crash_recoveries, s.crash_unrecovered
        );
    }
    let kicks: usize = s.kicks.values().sum();
    if kicks == 0 {
        println!("kicks: 0");
    } else {
        println!("kicks: {kicks}");
        for (message, n) in &s.kicks {
            println!("  {n:>6}  {message}");
        }
    }
    if s.player_hours > 0.0 {
        // DataStore methods only: PublishAsync and SubscribeAsync are MessagingService's
        let total: u64 = s
            .requests
            .iter()
            .filter(|(method, _)| {
                datastore::cost(method, false).is_some() || datastore::cost(method, true).is_some()
            })
            .map(|(_, n)| n)
            .sum();
        println!(
            "DataStore requests per player-hour, whole run (joins, waits, releases included): {:.1}",
            total as f64 / s.player_hours
        );
    }
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
        "sessions {}  failed opens {}{failure_codes}  operations delivered {}  confirmed checkpoints {}  acknowledged releases {}",
        s.sessions,
        s.open_failures(),
        s.deliveries,
        s.acks,
        s.release_acks
    );
    let plan = &game.plan;
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
    if let Some(r) = &game.rojo {
        println!("game scripts from {}", r.display());
    }
    print_game(std::slice::from_ref(s));
    if s.thread_errors > 0 {
        println!("errors raised in simulated threads: {}", s.thread_errors);
        for e in &s.first_errors {
            println!("  {e}");
        }
    }
    println!(
        "time: {:.2}s wall{}; Luau heap peak {}",
        run.wall.as_secs_f64(),
        run.cpu
            .map(|c| format!(", {:.2}s CPU", c.as_secs_f64()))
            .unwrap_or_default(),
        megabytes(s.peak_lua_memory as u64)
    );
    println!("violations: {}", s.violations.len());
    for v in &s.violations {
        println!("  {v}");
    }
    println!("trace hash {:016x}", s.trace_hash);
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// Writes `run`'s trace to `path`; `what` says which run it is.
fn write_trace(path: &Path, run: &SeedRun, fixed: &[String], what: &str) -> Result<(), String> {
    let events = &run.summary.trace;
    let header = format!(
        "{}\n{} events{}; t is virtual seconds from the start of the run",
        run.opts.command(run.seed, fixed),
        events.len(),
        involved(run)
    );
    std::fs::write(path, trace::render(path, events, &header))
        .map_err(|e| format!("writing the trace to {}: {e}", path.display()))?;
    println!(
        "trace{what}: {} events{} written to {}",
        events.len(),
        involved(run),
        path.display()
    );
    Ok(())
}

/// ` about Player_1003` when the first violation names players: the
/// trace keeps their events.
fn involved(run: &SeedRun) -> String {
    let players = run
        .summary
        .violations
        .first()
        .map(|v| trace::players_named(&v.text))
        .unwrap_or_default();
    if players.is_empty() {
        return String::new();
    }
    let names: Vec<String> = players.iter().map(|p| format!("Player_{p}")).collect();
    format!(" about {}", names.join(", "))
}

/// Shrinks `failing` and prints the smallest reproduction.
fn report_shrink(
    pool: &Pool,
    failing: &SeedRun,
    budget: usize,
    fixed: &[String],
    ui: &Ui,
) -> Result<Shrunk, String> {
    let bar = ui.bar(budget, &format!("runs shrinking seed {}", failing.seed));
    let shrunk = shrink(pool, failing, budget, |n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    let steps = if shrunk.steps.is_empty() {
        "nothing smaller failed the same way".to_string()
    } else {
        shrunk.steps.join(", ")
    };
    println!(
        "shrunk seed {} ({}) in {} runs: {steps}",
        failing.seed, shrunk.oracle, shrunk.runs
    );
    let smallest = &shrunk.smallest;
    println!(
        "smallest reproduction: {}",
        smallest.opts.command(smallest.seed, fixed)
    );
    if let Some(v) = smallest
        .summary
        .violations
        .iter()
        .find(|v| v.oracle == shrunk.oracle)
    {
        println!("  [{}] {v}", v.oracle);
    }
    Ok(shrunk)
}

#[allow(clippy::too_many_arguments)]
fn sweep(
    args: &SimArgs,
    game: &Game,
    base: RunOptions,
    seeds: Vec<u64>,
    shard: Option<(usize, usize, usize)>,
    jobs: usize,
    setup: &Setup,
    ui: &Ui,
) -> Result<Outcome, String> {
    let faults = match (&base.faults, base.swarm) {
        (_, true) => "swarm (each seed draws its own)".to_string(),
        (Some(m), _) => m.to_string(),
        (None, _) => FaultMix::preset(&base.scenario).to_string(),
    };
    let part = match shard {
        Some((k, n, total)) => format!(" (shard {k}/{n} of {total})"),
        None => String::new(),
    };
    println!(
        "sweep: scenario {} servers {} players {} duration {}s, {} seeds{part}, --jobs {jobs}",
        base.scenario,
        base.servers,
        base.players,
        base.duration,
        seeds.len()
    );
    println!("fault mix: {faults}");
    if seeds.is_empty() {
        println!("this shard has no seeds");
        return Ok(Outcome::Ok);
    }
    let load_before = machine::load();
    let cpu_before = machine::process_cpu();
    let started = Instant::now();
    let todo: Vec<Job> = seeds
        .iter()
        .map(|&seed| Job {
            opts: base.clone(),
            seed,
            trace: false,
        })
        .collect();
    with_pool(jobs, setup, |pool| {
        let bar = ui.bar(todo.len(), "seeds");
        let mut violations = 0usize;
        let mut failing = 0usize;
        bar.set_message("violations 0, ");
        let runs = pool.run(todo, |r| {
            if r.failed() {
                failing += 1;
                violations += r.summary.violations.len();
                bar.set_message(format!("violations {violations} in {failing} seed(s), "));
            }
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        let wall = started.elapsed();
        let cpu = machine::process_cpu()
            .zip(cpu_before)
            .map(|(b, a)| b.saturating_sub(a));
        print_sweep(&runs, game);
        let minutes = wall.as_secs_f64() / 60.0;
        println!(
            "time: {:.1}s wall{}, {:.1} seeds/minute with --jobs {jobs} on {} cores{}",
            wall.as_secs_f64(),
            cpu.map(|c| format!(", {:.1}s CPU", c.as_secs_f64()))
                .unwrap_or_default(),
            runs.len() as f64 / minutes.max(1e-9),
            machine::cores(),
            match (load_before, machine::load()) {
                (Some((a, _)), Some((b, _))) =>
                    format!(" (load average {a:.2} at the start, {b:.2} at the end)"),
                _ => String::new(),
            }
        );
        let peaks: Vec<u64> = runs
            .iter()
            .map(|r| r.summary.peak_lua_memory as u64)
            .collect();
        let mean = peaks.iter().sum::<u64>() / peaks.len().max(1) as u64;
        println!(
            "memory: Luau heap per world peak {} (mean of the seeds' peaks {}){}",
            megabytes(peaks.iter().copied().max().unwrap_or(0)),
            megabytes(mean),
            machine::peak_rss()
                .map(|b| format!(
                    "; process peak RSS {} for {jobs} worlds at a time",
                    megabytes(b)
                ))
                .unwrap_or_default()
        );
        let failed: Vec<&SeedRun> = runs.iter().filter(|r| r.failed()).collect();
        if failed.is_empty() {
            println!("failing seeds: none");
            if args.trace.is_some() {
                println!("trace: no seed failed, so there is no reproduction to trace");
            }
            return Ok(Outcome::Ok);
        }
        print_failures(&failed, &game.fixed);
        // one reproduction per oracle: the first seed it failed first
        let mut firsts: BTreeMap<&str, &SeedRun> = BTreeMap::new();
        for r in &failed {
            if let Some(o) = r.oracle() {
                firsts.entry(o).or_insert(r);
            }
        }
        let mut traced = false;
        for r in firsts.values() {
            let smallest = if args.shrink_runs > 0 {
                report_shrink(pool, r, args.shrink_runs, &game.fixed, ui)?.smallest
            } else {
                (*r).clone()
            };
            if let (Some(path), false) = (&args.trace, traced) {
                traced = true;
                let again = pool.run(
                    vec![Job {
                        opts: smallest.opts.clone(),
                        seed: smallest.seed,
                        trace: true,
                    }],
                    |_| {},
                )?;
                let what = if args.shrink_runs > 0 {
                    " of the smallest reproduction"
                } else {
                    ""
                };
                write_trace(path, &again[0], &game.fixed, what)?;
            }
        }
        Ok(Outcome::UserErrors)
    })
}

/// One line per seed, then the totals.
fn print_sweep(runs: &[SeedRun], game: &Game) {
    println!(
        "{:>8}  {:<16}  {:>8}  {:>12}  {:>10}  {:>8}  {:>9}",
        "seed", "trace hash", "sessions", "failed opens", "violations", "wall", "Luau peak"
    );
    for r in runs {
        let s = &r.summary;
        println!(
            "{:>8}  {:016x}  {:>8}  {:>12}  {:>10}  {:>7.2}s  {:>9}",
            r.seed,
            s.trace_hash,
            s.sessions,
            s.open_failures(),
            s.violations.len(),
            r.wall.as_secs_f64(),
            megabytes(s.peak_lua_memory as u64)
        );
    }
    let sum = |f: &dyn Fn(&SeedRun) -> usize| runs.iter().map(f).sum::<usize>();
    println!(
        "overall: {} seeds, {} failing; sessions {}, failed opens {}, operations delivered {}, confirmed checkpoints {}, opens checked {}, mirror comparisons {}, errors raised in simulated threads {}",
        runs.len(),
        runs.iter().filter(|r| r.failed()).count(),
        sum(&|r| r.summary.sessions),
        sum(&|r| r.summary.open_failures()),
        sum(&|r| r.summary.deliveries),
        sum(&|r| r.summary.acks),
        sum(&|r| r.summary.opens_checked),
        sum(&|r| r.summary.mirror_checks),
        sum(&|r| r.summary.thread_errors),
    );
    let mut by_oracle: BTreeMap<&str, (usize, Vec<u64>)> = BTreeMap::new();
    for r in runs {
        for v in &r.summary.violations {
            let e = by_oracle.entry(v.oracle.as_str()).or_default();
            e.0 += 1;
            if e.1.last() != Some(&r.seed) {
                e.1.push(r.seed);
            }
        }
    }
    if !by_oracle.is_empty() {
        let parts: Vec<String> = by_oracle
            .iter()
            .map(|(o, (n, seeds))| format!("{o} {n} in {} seed(s)", seeds.len()))
            .collect();
        println!("violations by oracle: {}", parts.join(", "));
    }
    if let Some(r) = &game.rojo {
        println!("game scripts from {}", r.display());
    }
    let summaries: Vec<_> = runs.iter().map(|r| r.summary.clone()).collect();
    print_game(&summaries);
}

/// Shown in full for at most this many failing seeds.
const FAILURES_SHOWN: usize = 20;
/// Violations listed per failing seed.
const VIOLATIONS_SHOWN: usize = 3;

fn print_failures(failed: &[&SeedRun], fixed: &[String]) {
    let list: Vec<String> = failed.iter().map(|r| r.seed.to_string()).collect();
    println!("failing seeds: {}", list.join(", "));
    for r in failed.iter().take(FAILURES_SHOWN) {
        let v = &r.summary.violations;
        println!("seed {}: {} violation(s)", r.seed, v.len());
        println!("  fault mix: {}", r.mix);
        for v in v.iter().take(VIOLATIONS_SHOWN) {
            println!("  [{}] {v}", v.oracle);
        }
        if v.len() > VIOLATIONS_SHOWN {
            println!("  ... and {} more", v.len() - VIOLATIONS_SHOWN);
        }
        println!("  replay: {}", r.opts.command(r.seed, fixed));
    }
    if failed.len() > FAILURES_SHOWN {
        println!(
            "... and {} more failing seeds (replay them with --seeds)",
            failed.len() - FAILURES_SHOWN
        );
    }
}

/// What the game's workload did and its invariants checked, over `runs`.
fn print_game(runs: &[crate::sim::scenario::Summary]) {
    let workloads: Vec<_> = runs.iter().filter_map(|s| s.workload.as_ref()).collect();
    if let Some(first) = workloads.first() {
        let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &workloads {
            for (k, n) in &w.actions {
                *actions.entry(k.as_str()).or_default() += n;
            }
        }
        let total: usize = actions.values().sum();
        let each: Vec<String> = actions.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "workload {}: {total} actions from {} client VMs ({}), {} raised",
            first.name,
            workloads.iter().map(|w| w.clients).sum::<usize>(),
            if each.is_empty() {
                "none".to_string()
            } else {
                each.join(", ")
            },
            workloads.iter().map(|w| w.failures).sum::<usize>()
        );
        for f in workloads.iter().flat_map(|w| &w.first_failures).take(3) {
            println!("  {f}");
        }
    }
    let checked: Vec<_> = runs.iter().filter_map(|s| s.invariants.as_ref()).collect();
    if let Some(first) = checked.first() {
        println!(
            "game invariants: {} per record, {} over the store, at {} checkpoints ({} record evaluations)",
            first.record,
            first.store,
            checked.iter().map(|i| i.checkpoints).sum::<usize>(),
            checked.iter().map(|i| i.evaluations).sum::<usize>()
        );
    }
}
