//! Shrinking a failing run to a smaller one that fails the same way, as
//! QuickCheck and proptest shrinkers do: fewer players, a shorter run, fewer
//! servers, fewer client VMs, fewer faults, each step kept only while the
//! same oracle still fires (the text may differ: a smaller run fails on
//! another key or value). The seed stays; every candidate is a complete run,
//! so the command printed for the smallest one reproduces it exactly.
//!
//! It owns the order of the steps and the candidates of each; it runs them
//! on a [`Pool`] and never looks inside a world.

use super::swarm::{Fault, FaultMix};
use super::sweep::{Job, Pool, RunOptions, SeedRun};

/// Shortest run a candidate may have, in virtual seconds.
pub const MIN_DURATION: f64 = 60.0;

/// What shrinking found.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The oracle every accepted step still failed.
    pub oracle: String,
    /// The smallest failing run (the original when nothing smaller failed).
    pub smallest: SeedRun,
    /// Candidate runs made.
    pub runs: usize,
    /// Accepted steps, in order (`players 200 -> 100`).
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Players,
    Duration,
    Servers,
    Clients,
    Fault(Fault),
}

/// Whole values below `n` worth trying, most reduced first: the floor, half,
/// three quarters.
fn smaller(n: usize, floor: usize) -> Vec<usize> {
    let mut v: Vec<usize> = [floor, n / 2, n * 3 / 4]
        .into_iter()
        .filter(|c| *c >= floor && *c < n)
        .collect();
    v.dedup();
    v
}

fn candidates(cur: &RunOptions, step: Step) -> Vec<RunOptions> {
    let with = |f: &dyn Fn(&mut RunOptions)| {
        let mut o = cur.clone();
        f(&mut o);
        o
    };
    match step {
        Step::Players => smaller(cur.players, 1)
            .into_iter()
            .map(|p| with(&|o| o.players = p))
            .collect(),
        Step::Servers => smaller(cur.servers, 1)
            .into_iter()
            .map(|s| with(&|o| o.servers = s))
            .collect(),
        Step::Duration => smaller(cur.duration as usize, MIN_DURATION as usize)
            .into_iter()
            .map(|d| with(&|o| o.duration = d as f64))
            .collect(),
        Step::Clients => {
            let c = cur.clients();
            let mut v: Vec<usize> = [0, c / 2].into_iter().filter(|x| *x < c).collect();
            v.dedup();
            v.into_iter()
                .map(|c| with(&|o| o.clients = Some(c)))
                .collect()
        }
        Step::Fault(f) => {
            let mix = cur.faults.clone().unwrap_or_default();
            if !mix.active().contains(&f) {
                return Vec::new();
            }
            vec![with(&|o| o.faults = Some(mix.without(f)))]
        }
    }
}

fn describe(from: &RunOptions, to: &RunOptions) -> String {
    if from.players != to.players {
        return format!("players {} -> {}", from.players, to.players);
    }
    if from.duration != to.duration {
        return format!("duration {}s -> {}s", from.duration, to.duration);
    }
    if from.servers != to.servers {
        return format!("servers {} -> {}", from.servers, to.servers);
    }
    if from.clients() != to.clients() {
        return format!("clients {} -> {}", from.clients(), to.clients());
    }
    let (a, b) = (
        from.faults.clone().unwrap_or_default(),
        to.faults.clone().unwrap_or_default(),
    );
    let off: Vec<&str> = a
        .active()
        .into_iter()
        .filter(|f| !b.active().contains(f))
        .map(Fault::name)
        .collect();
    format!("without {}", off.join(", "))
}

/// Shrinks `failing` (a run with at least one violation) with at most
/// `budget` candidate runs; `tried` is told the number of runs so far.
pub fn shrink(
    pool: &Pool,
    failing: &SeedRun,
    budget: usize,
    mut tried: impl FnMut(usize),
) -> Result<Shrunk, String> {
    let oracle = failing
        .oracle()
        .ok_or("shrinking needs a failing run")?
        .to_string();
    let seed = failing.seed;
    // the mix becomes explicit so faults can be taken out one by one
    let mut best = failing.clone();
    best.opts.faults = Some(failing.mix.clone());
    best.opts.swarm = false;
    let mut runs = 0usize;
    let mut steps = Vec::new();
    let fails_same = |r: &SeedRun| r.summary.violations.iter().any(|v| v.oracle == oracle);
    let mut progress = true;
    while progress && runs < budget {
        progress = false;
        let mut order = vec![Step::Players, Step::Duration, Step::Servers, Step::Clients];
        order.extend(
            best.opts
                .faults
                .as_ref()
                .map(FaultMix::active)
                .unwrap_or_default()
                .into_iter()
                .map(Step::Fault),
        );
        for step in order {
            // keep taking this step while it keeps failing the same way
            'step: loop {
                let cands = candidates(&best.opts, step);
                if cands.is_empty() {
                    break;
                }
                for chunk in cands.chunks(pool.width()) {
                    let room = budget.saturating_sub(runs);
                    if room == 0 {
                        break 'step;
                    }
                    let jobs: Vec<Job> = chunk
                        .iter()
                        .take(room)
                        .map(|o| Job {
                            opts: o.clone(),
                            seed,
                            trace: false,
                        })
                        .collect();
                    let n = jobs.len();
                    let results = pool.run(jobs, |_| {})?;
                    runs += n;
                    tried(runs);
                    // candidates come most reduced first
                    if let Some(r) = results.into_iter().find(|r| fails_same(r)) {
                        steps.push(describe(&best.opts, &r.opts));
                        best = r;
                        progress = true;
                        continue 'step;
                    }
                }
                break;
            }
        }
    }
    // an untouched swarm mix prints as `--swarm` again
    if failing.opts.swarm && best.opts.faults.as_ref() == Some(&failing.mix) {
        best.opts.faults = None;
        best.opts.swarm = true;
    }
    if !failing.opts.swarm
        && failing.opts.faults.is_none()
        && best.opts.faults.as_ref() == Some(&failing.mix)
    {
        best.opts.faults = None;
    }
    Ok(Shrunk {
        oracle,
        smallest: best,
        runs,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> RunOptions {
        RunOptions {
            scenario: "chaos".into(),
            servers: 4,
            players: 200,
            duration: 3600.0,
            clients: None,
            faults: Some(FaultMix::preset("chaos")),
            swarm: false,
            idle: 0.0,
        }
    }

    #[test]
    fn candidates_come_most_reduced_first_and_stay_above_the_floors() {
        let o = opts();
        let players: Vec<usize> = candidates(&o, Step::Players)
            .iter()
            .map(|c| c.players)
            .collect();
        assert_eq!(players, vec![1, 100, 150]);
        let durations: Vec<f64> = candidates(&o, Step::Duration)
            .iter()
            .map(|c| c.duration)
            .collect();
        assert_eq!(durations, vec![60.0, 1800.0, 2700.0]);
        let mut one = o.clone();
        one.servers = 1;
        one.duration = MIN_DURATION;
        assert!(candidates(&one, Step::Servers).is_empty());
        assert!(candidates(&one, Step::Duration).is_empty());
        let clients: Vec<Option<usize>> = candidates(&o, Step::Clients)
            .iter()
            .map(|c| c.clients)
            .collect();
        assert_eq!(clients, vec![Some(0), Some(8)]);
    }

    #[test]
    fn a_fault_step_turns_one_fault_off_and_says_which() {
        let o = opts();
        let c = candidates(&o, Step::Fault(Fault::Errors));
        assert_eq!(c.len(), 1);
        let mix = c[0].faults.clone().unwrap();
        assert_eq!((mix.errors, mix.ambiguous, mix.crashes), (0.0, 0.0, 3));
        assert_eq!(describe(&o, &c[0]), "without errors, ambiguous");
        assert!(candidates(&c[0], Step::Fault(Fault::Errors)).is_empty());
        assert!(candidates(&o, Step::Fault(Fault::Partition)).is_empty());
    }
}
