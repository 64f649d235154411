//! Many seeds on many threads: the run options a sweep varies and prints,
//! the seed list (`--seeds`, `--shard`), and a pool of worker threads that
//! each build their own package and worlds and run one seed at a time. Only
//! options and summaries cross threads; every world is single-threaded and
//! fixed by its seed, so a seed's trace hash does not depend on `--jobs`.
//!
//! It owns the pool and the replay command. The scenario (`scenario::run`)
//! and its oracles stay where they are, and shrinking (`shrink`) drives this
//! pool. A run is described by two parts: [`RunOptions`], what a shrinker may
//! reduce (servers, players, duration, clients, faults), and the fixed
//! arguments that name the game under test (`--project`, `--runtime`,
//! `--rojo`, `--store`): an option that shapes the game rather than the load
//! (a workload, invariants) belongs with the fixed arguments, copied into
//! every replay command and into the setup each worker runs.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::mount::Node;
use super::scenario::{run as run_scenario, ScenarioOptions, StorePlan, Summary};
use super::swarm::FaultMix;

/// What one run varies: everything but the seed and the game.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub scenario: String,
    pub servers: usize,
    pub players: usize,
    /// Virtual seconds of play.
    pub duration: f64,
    /// Sampled client VMs; `None` is the default for the player count.
    pub clients: Option<usize>,
    /// The fault mix; `None` runs the scenario's preset (or the swarm draw).
    pub faults: Option<FaultMix>,
    /// Draw the fault mix from the seed (`--swarm`) when `faults` is `None`.
    pub swarm: bool,
}

impl RunOptions {
    /// The fault mix `seed` runs with.
    pub fn mix(&self, seed: u64) -> FaultMix {
        match (&self.faults, self.swarm) {
            (Some(m), _) => m.clone(),
            (None, true) => FaultMix::swarm(seed),
            (None, false) => FaultMix::preset(&self.scenario),
        }
    }

    pub fn clients(&self) -> usize {
        self.clients
            .unwrap_or_else(|| ScenarioOptions::default_clients(self.players))
    }

    /// The `vstore sim` command that runs exactly this run of `seed`.
    pub fn command(&self, seed: u64, fixed: &[String]) -> String {
        let mut cmd = format!(
            "vstore sim --scenario {} --servers {} --players {} --duration {} --seed {seed}",
            self.scenario,
            self.servers,
            self.players,
            duration_text(self.duration)
        );
        match &self.faults {
            Some(m) if *m != FaultMix::preset(&self.scenario) => {
                cmd.push_str(&format!(" --faults {m}"));
            }
            Some(_) => {}
            None if self.swarm => cmd.push_str(" --swarm"),
            None => {}
        }
        if let Some(c) = self.clients {
            cmd.push_str(&format!(" --clients {c}"));
        }
        for a in fixed {
            cmd.push(' ');
            cmd.push_str(&quote(a));
        }
        cmd
    }
}

/// `3600` -> `1h`, `1800` -> `30m`, `90` -> `90s`.
pub fn duration_text(seconds: f64) -> String {
    if seconds > 0.0 && seconds % 3600.0 == 0.0 {
        format!("{}h", seconds / 3600.0)
    } else if seconds > 0.0 && seconds % 60.0 == 0.0 {
        format!("{}m", seconds / 60.0)
    } else {
        format!("{seconds}s")
    }
}

fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+".contains(c))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Seeds from `--seeds`: `N` is the first N seeds (`1..N`); `A..B` is A to B
/// inclusive; a comma list (`3,7,20..25`) names seeds. Sorted, no repeats.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let bad = || {
        format!("`{text}` is not a seed list such as 200 (seeds 1 to 200), 1..200, or 3,17,40..45")
    };
    let text = text.trim();
    let num = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
    let mut seeds = Vec::new();
    if !text.contains(',') && !text.contains("..") {
        let n = num(text)?;
        if n == 0 {
            return Err(bad());
        }
        seeds.extend(1..=n);
        return Ok(seeds);
    }
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b.trim_start_matches('='))?);
                if a > b || b - a >= 10_000_000 {
                    return Err(bad());
                }
                seeds.extend(a..=b);
            }
            None => seeds.push(num(part)?),
        }
    }
    if seeds.is_empty() {
        return Err(bad());
    }
    seeds.sort_unstable();
    seeds.dedup();
    Ok(seeds)
}

/// `--shard K/N`: K from 1 to N.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{text}` is not a shard such as 1/4 (the first of four)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Shard `k` of `n` takes every n-th seed of the sweep, starting at the
/// k-th, so shards are within one seed of each other in size and cost.
pub fn shard(seeds: &[u64], k: usize, n: usize) -> Vec<u64> {
    seeds
        .iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, s)| *s)
        .collect()
}

/// A DataModel tree that can cross threads; each worker thaws its own copy.
#[derive(Debug, Clone)]
pub struct Tree {
    name: String,
    class: String,
    source: Option<Arc<str>>,
    chunk: String,
    children: Vec<Tree>,
    properties: Vec<(String, serde_json::Value)>,
    attributes: Vec<(String, serde_json::Value)>,
}

impl Tree {
    pub fn freeze(node: &Node) -> Tree {
        Tree {
            name: node.name.clone(),
            class: node.class.clone(),
            source: node.source.as_deref().map(Arc::from),
            chunk: node.chunk.clone(),
            children: node.children.iter().map(Tree::freeze).collect(),
            properties: node.properties.clone(),
            attributes: node.attributes.clone(),
        }
    }

    pub fn thaw(&self) -> Node {
        Node {
            name: self.name.clone(),
            class: self.class.clone(),
            source: self.source.as_deref().map(Rc::from),
            chunk: self.chunk.clone(),
            children: self.children.iter().map(Tree::thaw).collect(),
            properties: self.properties.clone(),
            attributes: self.attributes.clone(),
        }
    }
}

/// What a worker builds once and every run on it shares.
pub struct Prepared {
    pub package: Rc<Node>,
    pub plan: StorePlan,
    pub store: String,
}

/// Builds a worker's [`Prepared`]; called once on each worker thread.
pub type Setup<'a> = dyn Fn() -> Result<Prepared, String> + Sync + 'a;

/// One run to make.
#[derive(Debug, Clone)]
pub struct Job {
    pub opts: RunOptions,
    pub seed: u64,
    /// Keep the event log (`--trace`).
    pub trace: bool,
}

/// One finished run.
#[derive(Debug, Clone)]
pub struct SeedRun {
    pub opts: RunOptions,
    pub seed: u64,
    pub mix: FaultMix,
    pub summary: Summary,
    pub wall: Duration,
    /// CPU time of the thread that ran it, where the platform says.
    pub cpu: Option<Duration>,
}

impl SeedRun {
    pub fn failed(&self) -> bool {
        !self.summary.violations.is_empty()
    }

    /// The oracle of the first violation.
    pub fn oracle(&self) -> Option<&str> {
        self.summary.violations.first().map(|v| v.oracle.as_str())
    }
}

/// Runs one job in a fresh world on this thread.
pub fn run_one(prep: &Prepared, job: &Job) -> Result<SeedRun, String> {
    let mix = job.opts.mix(job.seed);
    let opts = ScenarioOptions {
        scenario: job.opts.scenario.clone(),
        servers: job.opts.servers,
        players: job.opts.players,
        duration: job.opts.duration,
        seed: job.seed,
        store: prep.store.clone(),
        clients: job.opts.clients(),
        plan: prep.plan.clone(),
        faults: Some(mix.clone()),
        trace: job.trace,
    };
    let cpu0 = thread_cpu();
    let t0 = Instant::now();
    let summary = run_scenario(prep.package.clone(), &opts)?;
    Ok(SeedRun {
        opts: job.opts.clone(),
        seed: job.seed,
        mix,
        summary,
        wall: t0.elapsed(),
        cpu: thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a)),
    })
}

type Reply = (usize, Result<SeedRun, String>);

/// Worker threads, each with its own [`Prepared`], taking jobs in order.
pub struct Pool {
    width: usize,
    jobs: mpsc::Sender<(usize, Job)>,
    replies: mpsc::Receiver<Reply>,
    /// Set once a run fails to start or the caller is done: workers skip
    /// what is left.
    stop: Arc<AtomicBool>,
}

/// Worker stacks: Luau calls nest through Rust callbacks on the C stack.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Runs `f` with a pool of `width` workers; they end when `f` returns.
pub fn with_pool<T>(width: usize, setup: &Setup, f: impl FnOnce(&Pool) -> T) -> T {
    let width = width.max(1);
    let (job_tx, job_rx) = mpsc::channel::<(usize, Job)>();
    let (reply_tx, reply_rx) = mpsc::channel::<Reply>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        for i in 0..width {
            let job_rx = job_rx.clone();
            let reply_tx = reply_tx.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("sim-{i}"))
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || worker(setup, &job_rx, &reply_tx, &stop))
                .expect("start a simulation thread");
        }
        drop(reply_tx);
        let pool = Pool {
            width,
            jobs: job_tx,
            replies: reply_rx,
            stop,
        };
        let out = f(&pool);
        pool.stop.store(true, Ordering::Relaxed);
        drop(pool);
        out
    })
}

fn worker(
    setup: &Setup,
    jobs: &Mutex<mpsc::Receiver<(usize, Job)>>,
    replies: &mpsc::Sender<Reply>,
    stop: &AtomicBool,
) {
    let prepared = setup();
    loop {
        let next = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((i, job)) = next else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let result = match &prepared {
            Ok(p) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_one(p, &job)))
                .unwrap_or_else(|panic| {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Err(format!(
                        "the simulation of seed {} panicked: {why}",
                        job.seed
                    ))
                }),
            Err(e) => Err(e.clone()),
        };
        if replies.send((i, result)).is_err() {
            return;
        }
    }
}

impl Pool {
    /// How many runs go at once.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Runs `jobs`, calling `done` as each finishes (in finishing order);
    /// the results come back in the order of `jobs`. The first error stops
    /// the batch.
    pub fn run(
        &self,
        jobs: Vec<Job>,
        mut done: impl FnMut(&SeedRun),
    ) -> Result<Vec<SeedRun>, String> {
        let n = jobs.len();
        for (i, job) in jobs.into_iter().enumerate() {
            self.jobs
                .send((i, job))
                .map_err(|_| "the simulation threads stopped".to_string())?;
        }
        let mut out: Vec<Option<SeedRun>> = vec![None; n];
        let mut error = None;
        for _ in 0..n {
            let Ok((i, r)) = self.replies.recv() else {
                return Err("the simulation threads stopped".into());
            };
            match r {
                Ok(run) => {
                    done(&run);
                    out[i] = Some(run);
                }
                Err(e) => {
                    // later jobs of this batch are skipped by the workers
                    self.stop.store(true, Ordering::Relaxed);
                    error.get_or_insert(e);
                    break;
                }
            }
        }
        if let Some(e) = error {
            return Err(e);
        }
        Ok(out
            .into_iter()
            .map(|r| r.expect("every job answered"))
            .collect())
    }
}

/// Readings of this process from the platform, for the sweep summary.
pub mod machine {
    use super::*;

    /// Clock ticks per second of `/proc/*/stat` (fixed at 100 for Linux user space).
    const TICKS: f64 = 100.0;

    fn stat_cpu(path: &str) -> Option<Duration> {
        let text = std::fs::read_to_string(path).ok()?;
        // fields after the command name, which may hold spaces: state is
        // the first, utime the twelfth, stime the thirteenth
        let rest = &text[text.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
        Some(Duration::from_secs_f64(ticks / TICKS))
    }

    /// CPU time (user + system) of the whole process so far.
    pub fn process_cpu() -> Option<Duration> {
        stat_cpu("/proc/self/stat")
    }

    /// Peak resident memory of the process, in bytes.
    pub fn peak_rss() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    /// The 1-minute load average and the number of cores.
    pub fn load() -> Option<(f64, usize)> {
        let text = std::fs::read_to_string("/proc/loadavg").ok()?;
        let one: f64 = text.split_whitespace().next()?.parse().ok()?;
        Some((one, cores()))
    }

    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    pub(super) fn thread_cpu() -> Option<Duration> {
        stat_cpu("/proc/thread-self/stat")
    }
}

use machine::thread_cpu;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_lists_count_range_and_name_seeds() {
        assert_eq!(parse_seeds("3").unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_seeds("5..8").unwrap(), vec![5, 6, 7, 8]);
        assert_eq!(parse_seeds("9,2..3,2").unwrap(), vec![2, 3, 9]);
        assert_eq!(parse_seeds("4..4").unwrap(), vec![4]);
        for bad in ["0", "x", "5..2", "", ",", "1..x"] {
            let e = parse_seeds(bad).unwrap_err();
            assert!(e.contains("is not a seed list"), "{bad}: {e}");
        }
    }

    #[test]
    fn shards_partition_the_sweep_evenly() {
        let seeds: Vec<u64> = (1..=10).collect();
        let parts: Vec<Vec<u64>> = (1..=3).map(|k| shard(&seeds, k, 3)).collect();
        assert_eq!(parts[0], vec![1, 4, 7, 10]);
        assert_eq!(parts[1], vec![2, 5, 8]);
        let mut all: Vec<u64> = parts.concat();
        all.sort_unstable();
        assert_eq!(all, seeds);
        assert_eq!(parse_shard("2/3").unwrap(), (2, 3));
        for bad in ["0/3", "4/3", "1/0", "2", "a/b"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_replay_command_names_every_option_that_changes_the_run() {
        let mut o = RunOptions {
            scenario: "chaos".into(),
            servers: 4,
            players: 200,
            duration: 3600.0,
            clients: None,
            faults: None,
            swarm: false,
        };
        let fixed = vec!["--project".to_string(), "my game".to_string()];
        assert_eq!(
            o.command(7, &fixed),
            "vstore sim --scenario chaos --servers 4 --players 200 --duration 1h --seed 7 --project 'my game'"
        );
        o.faults = Some(FaultMix::preset("chaos").without(super::super::swarm::Fault::Crashes));
        o.clients = Some(0);
        o.duration = 450.0;
        assert_eq!(
            o.command(7, &[]),
            "vstore sim --scenario chaos --servers 4 --players 200 --duration 450s --seed 7 --faults errors=0.02,ambiguous=0.3,loss=0.1,outage=60 --clients 0"
        );
        o.faults = None;
        o.swarm = true;
        assert!(o.command(7, &[]).ends_with("--seed 7 --swarm --clients 0"));
        assert_eq!(o.mix(7), FaultMix::swarm(7));
        assert_eq!(duration_text(1800.0), "30m");
        assert_eq!(duration_text(90.0), "90s");
    }

    #[test]
    fn a_frozen_package_thaws_into_the_same_tree() {
        let mut root = Node::folder("game", "DataModel");
        root.child_mut("ServerScriptService", "ServerScriptService")
            .children
            .push(Node::script(
                "Shop",
                "Script",
                "print(1)",
                "src/Shop.server.luau",
            ));
        let back = Tree::freeze(&root).thaw();
        let shop = &back.children[0].children[0];
        assert_eq!(
            (shop.name.as_str(), shop.class.as_str(), shop.chunk.as_str()),
            ("Shop", "Script", "src/Shop.server.luau")
        );
        assert_eq!(shop.source.as_deref(), Some("print(1)"));
    }
}
