//! `vstore sim` scenarios: seeded players join, play, checkpoint, receive
//! durable rewards, teleport between servers and leave under a fault plan;
//! afterwards the oracles read every stored record through `crate::core`.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde_json::Value;

use super::host::{add_player, remove_player, shutdown, spawn_server};
use super::limits::LimitStats;
use super::mount::Node;
use super::rng::Rng;
use super::world::{run_until, Config, Shared, World};
use crate::core::envelope::Envelope;

const DRIVER: &str = include_str!("driver.luau");

#[derive(Debug, Clone)]
pub struct ScenarioOptions {
    pub scenario: String,
    pub servers: usize,
    pub players: usize,
    pub duration: f64,
    pub seed: u64,
    pub store: String,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub requests: BTreeMap<String, u64>,
    pub open_p50: f64,
    pub open_p99: f64,
    pub sessions: usize,
    pub open_failures: usize,
    pub deliveries: usize,
    pub acks: usize,
    pub violations: Vec<String>,
    pub trace_hash: u64,
    pub thread_errors: usize,
    pub first_errors: Vec<String>,
    /// Requests the emulated limits refused and messages they dropped.
    pub limits: LimitStats,
}

pub const SCENARIOS: &[&str] = &[
    "steady",
    "teleport-storm",
    "outage",
    "crashes",
    "ambiguous",
    "chaos",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Where {
    Offline,
    On(usize),
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs one scenario and checks the oracles.
pub fn run(package: Rc<Node>, opts: &ScenarioOptions) -> Result<Summary, String> {
    let world = World::new(
        Config {
            seed: opts.seed,
            clients: false,
            ..Config::default()
        },
        package,
    );
    world.borrow_mut().server_script = Some((Rc::from(DRIVER), "vstore/driver.luau".to_string()));
    let mut rng = Rng::new(opts.seed ^ 0x5EED);
    let chaos = opts.scenario == "chaos";
    {
        let mut w = world.borrow_mut();
        match opts.scenario.as_str() {
            "ambiguous" => {
                w.faults.error_rate = 0.05;
                w.faults.ambiguous_share = 0.6;
            }
            "chaos" => {
                w.faults.error_rate = 0.02;
                w.faults.ambiguous_share = 0.3;
                w.drop_rate = 0.1;
            }
            _ => {}
        }
    }
    let mut servers: Vec<usize> = Vec::new();
    for _ in 0..opts.servers.max(1) {
        servers.push(spawn_server(&world).map_err(|e| e.to_string())?);
    }
    let start = world.borrow().now;
    let end = start + opts.duration;
    let teleport_rate = if opts.scenario == "teleport-storm" {
        0.7
    } else {
        0.3
    };
    // per player: where they are and when they act next
    let mut state: Vec<(Where, f64)> = (0..opts.players)
        .map(|_| {
            (
                Where::Offline,
                start + rng.next_f64() * opts.duration.min(600.0),
            )
        })
        .collect();
    let mut next_crash = if chaos || opts.scenario == "crashes" {
        start + opts.duration / 4.0
    } else {
        f64::INFINITY
    };
    let outage_at = if chaos || opts.scenario == "outage" {
        start + opts.duration / 3.0
    } else {
        f64::INFINITY
    };
    let mut outage_done = false;
    let mut sessions = 0usize;
    loop {
        let next_player = state.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let outage_next = if outage_done {
            f64::INFINITY
        } else {
            outage_at
        };
        let t = next_player.min(next_crash).min(outage_next);
        if t >= end {
            break;
        }
        run_until(&world, t, true, |_| false);
        if t == outage_next {
            outage_done = true;
            let mut w = world.borrow_mut();
            let now = w.now;
            w.faults.outage = Some((now, now + 60.0));
            continue;
        }
        if t == next_crash {
            next_crash += opts.duration / 4.0;
            let alive: Vec<usize> = servers
                .iter()
                .copied()
                .filter(|s| world.borrow().vms[*s].alive)
                .collect();
            if let Some(victim) = alive
                .get(rng.range(0, alive.len() as u64 - 1) as usize)
                .copied()
            {
                super::host::kill(&mut world.borrow_mut(), victim);
                for s in state.iter_mut() {
                    if s.0 == Where::On(victim) {
                        *s = (Where::Offline, t + 5.0 + rng.next_f64() * 30.0);
                    }
                }
                let replacement = spawn_server(&world).map_err(|e| e.to_string())?;
                servers.retain(|s| *s != victim);
                servers.push(replacement);
            }
            continue;
        }
        let i = state
            .iter()
            .position(|s| s.1 == next_player)
            .expect("a player acts");
        let user_id = 1000 + i as i64;
        match state[i].0 {
            Where::Offline => {
                let server = servers[rng.range(0, servers.len() as u64 - 1) as usize];
                add_player(&world, server, user_id).map_err(|e| e.to_string())?;
                sessions += 1;
                state[i] = (Where::On(server), t + 60.0 + rng.next_f64() * 540.0);
            }
            Where::On(server) => {
                if world.borrow().vms[server].alive {
                    remove_player(&world, server, user_id);
                }
                if rng.next_f64() < teleport_rate {
                    state[i] = (Where::Offline, t + 1.0);
                } else {
                    state[i] = (Where::Offline, t + 10.0 + rng.next_f64() * 110.0);
                }
            }
        }
    }
    // everyone leaves, then every server shuts down gracefully
    for (i, s) in state.iter().enumerate() {
        if let Where::On(server) = s.0 {
            if world.borrow().vms[server].alive {
                remove_player(&world, server, 1000 + i as i64);
            }
        }
    }
    let now = world.borrow().now;
    run_until(&world, now + 120.0, true, |_| false);
    for s in servers.iter().copied() {
        shutdown(&world, s);
    }
    let now = world.borrow().now;
    run_until(&world, now + 40.0, true, |w| w.alive_servers().is_empty());
    Ok(summarize(&world, opts, sessions))
}

fn summarize(world: &Shared, opts: &ScenarioOptions, sessions: usize) -> Summary {
    let w = world.borrow();
    let mut s = Summary {
        requests: w.requests.clone(),
        sessions,
        trace_hash: w.trace.value(),
        thread_errors: w.errors.len(),
        limits: w.limits.clone(),
        ..Summary::default()
    };
    s.first_errors = w
        .errors
        .iter()
        .take(3)
        .map(|e| e.lines().take(3).collect::<Vec<_>>().join(" | "))
        .collect();
    let mut opens: Vec<f64> = Vec::new();
    let mut acked: BTreeMap<i64, f64> = BTreeMap::new();
    let mut delivered: BTreeSet<String> = BTreeSet::new();
    for (_, kind, user, value, detail) in &w.reports {
        match kind.as_str() {
            "open" => opens.push(*value),
            "openFailed" => s.open_failures += 1,
            "ack" => {
                s.acks += 1;
                let e = acked.entry(*user).or_insert(0.0);
                *e = e.max(*value);
            }
            "deliver" => {
                s.deliveries += 1;
                delivered.insert(detail.clone());
            }
            _ => {}
        }
    }
    opens.sort_by(f64::total_cmp);
    s.open_p50 = percentile(&opens, 0.5);
    s.open_p99 = percentile(&opens, 0.99);
    for stale in &w.stale_writes {
        s.violations.push(format!("stale overwrite: {stale}"));
    }
    // oracles: read the stored records through the Rust core only
    let store = w.backend.find(&opts.store, "global", false);
    for (user, a) in &acked {
        let key = format!("Player_{user}");
        if store.and_then(|st| w.backend.get(st, &key)).is_none() {
            s.violations.push(format!(
                "{key}: acknowledged save lost: checkpoint confirmed {a} coins, nothing is stored"
            ));
        }
    }
    let Some(store) = store else { return s };
    for (key, rec) in &w.backend.stores[store].keys {
        let Some((value, _)) = &rec.current else {
            continue;
        };
        let env = match Envelope::decode(value) {
            Ok(e) => e,
            Err(e) => {
                s.violations
                    .push(format!("{key}: stored record does not decode: {e}"));
                continue;
            }
        };
        let user: i64 = key.trim_start_matches("Player_").parse().unwrap_or(-1);
        let coins = env
            .data
            .pointer("/Wallet/Coins")
            .and_then(Value::as_f64)
            .unwrap_or(-1.0);
        if let Some(a) = acked.get(&user) {
            if coins < *a {
                s.violations.push(format!("{key}: acknowledged save lost: checkpoint confirmed {a} coins, store holds {coins}"));
            }
        }
        let mut seen = BTreeSet::new();
        for r in env
            .meta
            .operations
            .receipts
            .iter()
            .filter(|r| r.status == "Applied")
        {
            if !seen.insert(r.id.clone()) {
                s.violations
                    .push(format!("{key}: operation {} applied twice", r.id));
            }
        }
    }
    s
}
