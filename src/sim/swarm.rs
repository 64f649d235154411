//! Fault mixes: which faults a `vstore sim` run injects and how hard. Each
//! named scenario is a preset mix; `--faults` gives the whole mix instead
//! (what is not named is off); `--swarm` draws a whole mix from the seed, as swarm
//! testing does, so each seed of a sweep tries its own combination. It owns
//! the mix, its text form (`errors=0.02,crashes=3`) and the swarm draw; the
//! scenario applies a mix, and nothing here touches a world.

use super::rng::Rng;

/// Salt of the swarm draw's generator, so drawing a mix takes nothing from
/// the world's or the scenario's random streams.
const SWARM_SALT: u64 = 0x5A4A_12B0_7E57_0001;

/// One run's faults. Zero turns a fault off.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultMix {
    /// Share of DataStore requests that fail (seeded per request).
    pub errors: f64,
    /// Of those failures, the share whose write lands before the error.
    pub ambiguous: f64,
    /// Share of requests from a server that is shutting down failing with 401/402.
    pub closing: f64,
    /// Longest DataStore request latency in seconds (the shortest stays 20 ms).
    pub latency: f64,
    /// Share of MessagingService messages lost.
    pub loss: f64,
    /// Seconds of DataStore outage (503) starting a third into the run.
    pub outage: f64,
    /// Server crashes, evenly spaced over the run; each is replaced.
    pub crashes: u32,
    /// Seconds one server is cut off from the DataStore, two thirds into the run.
    pub partition: f64,
    /// Share of departures that rejoin another server a second later.
    pub teleports: f64,
    /// Share of MemoryStoreService requests that fail with `InternalError`.
    pub ms_errors: f64,
    /// Seconds of MemoryStoreService outage starting halfway into the run.
    pub ms_outage: f64,
    /// Seconds one server is cut off from MemoryStoreService (not from the
    /// DataStore), three fifths into the run.
    pub ms_partition: f64,
}

/// Default request latency ceiling and teleport share: no fault.
const BASE_LATENCY: f64 = 0.2;
const BASE_TELEPORTS: f64 = 0.3;

impl Default for FaultMix {
    fn default() -> Self {
        FaultMix {
            errors: 0.0,
            ambiguous: 0.0,
            closing: 0.0,
            latency: BASE_LATENCY,
            loss: 0.0,
            outage: 0.0,
            crashes: 0,
            partition: 0.0,
            teleports: BASE_TELEPORTS,
            ms_errors: 0.0,
            ms_outage: 0.0,
            ms_partition: 0.0,
        }
    }
}

/// A field of the mix by its name in `--faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Errors,
    Ambiguous,
    Closing,
    Latency,
    Loss,
    Outage,
    Crashes,
    Partition,
    Teleports,
    MsErrors,
    MsOutage,
    MsPartition,
}

pub const FAULTS: &[Fault] = &[
    Fault::Errors,
    Fault::Ambiguous,
    Fault::Closing,
    Fault::Latency,
    Fault::Loss,
    Fault::Outage,
    Fault::Crashes,
    Fault::Partition,
    Fault::Teleports,
    Fault::MsErrors,
    Fault::MsOutage,
    Fault::MsPartition,
];

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Errors => "errors",
            Fault::Ambiguous => "ambiguous",
            Fault::Closing => "closing",
            Fault::Latency => "latency",
            Fault::Loss => "loss",
            Fault::Outage => "outage",
            Fault::Crashes => "crashes",
            Fault::Partition => "partition",
            Fault::Teleports => "teleports",
            Fault::MsErrors => "ms-errors",
            Fault::MsOutage => "ms-outage",
            Fault::MsPartition => "ms-partition",
        }
    }

    /// Largest value accepted, and whether the value is a share (at most 1).
    fn max(self) -> f64 {
        match self {
            Fault::Errors
            | Fault::Ambiguous
            | Fault::Closing
            | Fault::Loss
            | Fault::Teleports
            | Fault::MsErrors => 1.0,
            Fault::Latency => 30.0,
            Fault::Outage | Fault::Partition | Fault::MsOutage | Fault::MsPartition => 86_400.0,
            Fault::Crashes => 100.0,
        }
    }
}

impl FaultMix {
    /// The mix a named scenario runs (see `scenario::SCENARIOS`).
    pub fn preset(scenario: &str) -> FaultMix {
        let mut m = FaultMix::default();
        match scenario {
            "teleport-storm" => m.teleports = 0.7,
            "outage" => m.outage = 60.0,
            "crashes" => m.crashes = 3,
            "ambiguous" => {
                m.errors = 0.05;
                m.ambiguous = 0.6;
            }
            "chaos" => {
                m.errors = 0.02;
                m.ambiguous = 0.3;
                m.loss = 0.1;
                m.outage = 60.0;
                m.crashes = 3;
            }
            _ => {}
        }
        m
    }

    pub fn get(&self, f: Fault) -> f64 {
        match f {
            Fault::Errors => self.errors,
            Fault::Ambiguous => self.ambiguous,
            Fault::Closing => self.closing,
            Fault::Latency => self.latency,
            Fault::Loss => self.loss,
            Fault::Outage => self.outage,
            Fault::Crashes => self.crashes as f64,
            Fault::Partition => self.partition,
            Fault::Teleports => self.teleports,
            Fault::MsErrors => self.ms_errors,
            Fault::MsOutage => self.ms_outage,
            Fault::MsPartition => self.ms_partition,
        }
    }

    pub fn set(&mut self, f: Fault, v: f64) {
        match f {
            Fault::Errors => self.errors = v,
            Fault::Ambiguous => self.ambiguous = v,
            Fault::Closing => self.closing = v,
            Fault::Latency => self.latency = v,
            Fault::Loss => self.loss = v,
            Fault::Outage => self.outage = v,
            Fault::Crashes => self.crashes = v as u32,
            Fault::Partition => self.partition = v,
            Fault::Teleports => self.teleports = v,
            Fault::MsErrors => self.ms_errors = v,
            Fault::MsOutage => self.ms_outage = v,
            Fault::MsPartition => self.ms_partition = v,
        }
    }

    /// The value that means "this fault is off".
    pub fn off(f: Fault) -> f64 {
        FaultMix::default().get(f)
    }

    /// The faults of this mix that are on.
    pub fn active(&self) -> Vec<Fault> {
        FAULTS
            .iter()
            .copied()
            .filter(|f| self.get(*f) != FaultMix::off(*f))
            .collect()
    }

    /// This mix with `f` turned off (`ambiguous` goes with `errors`).
    pub fn without(&self, f: Fault) -> FaultMix {
        let mut m = self.clone();
        m.set(f, FaultMix::off(f));
        if f == Fault::Errors {
            m.ambiguous = 0.0;
        }
        m
    }

    /// Reads `--faults` text: `errors=0.05,crashes=2` (every fault not named
    /// is off), or `none`. It is the form `Display` prints.
    pub fn parse(text: &str) -> Result<FaultMix, String> {
        let mut mix = FaultMix::default();
        let text = text.trim();
        if text == "none" {
            return Ok(mix);
        }
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(format!(
                    "`{part}` is not NAME=VALUE; names: {}",
                    names().join(", ")
                ));
            };
            let Some(f) = FAULTS.iter().copied().find(|f| f.name() == name.trim()) else {
                return Err(format!(
                    "`{}` is not a fault; choose from {}",
                    name.trim(),
                    names().join(", ")
                ));
            };
            let v: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v <= f.max())
                .ok_or_else(|| {
                    format!("`{part}`: the value must be a number from 0 to {}", f.max())
                })?;
            if f == Fault::Crashes && v.fract() != 0.0 {
                return Err(format!("`{part}`: crashes is a whole number"));
            }
            mix.set(f, v);
        }
        Ok(mix)
    }

    /// The mix `--swarm` runs for `seed`: each fault is on or off by a coin
    /// flip and, when on, gets a rate drawn from a range that stays a
    /// plausible production day. Values are rounded so the printed mix
    /// reproduces it exactly.
    pub fn swarm(seed: u64) -> FaultMix {
        let mut rng = Rng::new(seed ^ SWARM_SALT);
        let mut m = FaultMix::default();
        // a value is `k / scale` for a whole `k` in `lo..=hi`: short decimals
        // that print and parse back to the same number
        let mut draw = |lo: u64, hi: u64, scale: f64| -> Option<f64> {
            let on = rng.next_u64() & 1 == 1;
            let k = rng.range(lo, hi);
            on.then_some(k as f64 / scale)
        };
        if let Some(v) = draw(5, 100, 1000.0) {
            m.errors = v;
            m.ambiguous = draw(10, 90, 100.0).unwrap_or(0.0);
        }
        m.closing = draw(5, 50, 100.0).unwrap_or(0.0);
        m.latency = draw(5, 30, 10.0).unwrap_or(BASE_LATENCY);
        m.loss = draw(1, 30, 100.0).unwrap_or(0.0);
        m.outage = draw(15, 120, 1.0).unwrap_or(0.0);
        m.crashes = draw(1, 4, 1.0).unwrap_or(0.0) as u32;
        m.partition = draw(10, 90, 1.0).unwrap_or(0.0);
        m.teleports = draw(50, 90, 100.0).unwrap_or(BASE_TELEPORTS);
        // drawn last, so the DataStore faults of a seed's mix stay what they were
        m.ms_errors = draw(5, 100, 1000.0).unwrap_or(0.0);
        m.ms_outage = draw(15, 120, 1.0).unwrap_or(0.0);
        m.ms_partition = draw(10, 90, 1.0).unwrap_or(0.0);
        m
    }
}

fn names() -> Vec<&'static str> {
    FAULTS.iter().map(|f| f.name()).collect()
}

impl std::fmt::Display for FaultMix {
    /// Every fault that is on, in `--faults` form; `none` when all are off.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let active = self.active();
        if active.is_empty() {
            return f.write_str("none");
        }
        let parts: Vec<String> = active
            .iter()
            .map(|x| format!("{}={}", x.name(), self.get(*x)))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_preset_reads_back_from_its_text() {
        for s in super::super::scenario::SCENARIOS {
            let preset = FaultMix::preset(s);
            assert_eq!(
                FaultMix::parse(&preset.to_string()).unwrap(),
                preset,
                "{s}: {preset}"
            );
        }
        assert_eq!(
            FaultMix::preset("chaos").to_string(),
            "errors=0.02,ambiguous=0.3,loss=0.1,outage=60,crashes=3"
        );
        assert_eq!(FaultMix::preset("steady").to_string(), "none");
        let less = FaultMix::preset("chaos").without(Fault::Errors);
        assert_eq!(less.to_string(), "loss=0.1,outage=60,crashes=3");
        assert_eq!(FaultMix::parse(" none ").unwrap(), FaultMix::default());
    }

    #[test]
    fn bad_fault_text_names_the_part_and_the_choices() {
        let e = FaultMix::parse("errors=2").unwrap_err();
        assert!(e.contains("`errors=2`") && e.contains("from 0 to 1"), "{e}");
        let e = FaultMix::parse("quakes=1").unwrap_err();
        assert!(
            e.contains("`quakes`") && e.contains("errors, ambiguous"),
            "{e}"
        );
        let e = FaultMix::parse("crashes").unwrap_err();
        assert!(e.contains("NAME=VALUE"), "{e}");
        assert!(FaultMix::parse("crashes=1.5").is_err());
        assert!(FaultMix::parse("latency=-1").is_err());
    }

    #[test]
    fn the_swarm_mix_is_a_function_of_the_seed_and_prints_exactly() {
        let mixes: Vec<FaultMix> = (1..=64).map(FaultMix::swarm).collect();
        assert_eq!(mixes[6], FaultMix::swarm(7));
        for (i, m) in mixes.iter().enumerate() {
            assert_eq!(
                &FaultMix::parse(&m.to_string()).unwrap(),
                m,
                "seed {}",
                i + 1
            );
            assert!(m.errors <= 0.1 && m.crashes <= 4 && m.teleports <= 0.9);
            if m.errors == 0.0 {
                assert_eq!(m.ambiguous, 0.0);
            }
        }
        // seeds draw different combinations, and each fault is on in some
        // seeds and off in others
        let distinct: std::collections::BTreeSet<String> =
            mixes.iter().map(|m| m.to_string()).collect();
        assert!(distinct.len() > 50, "{distinct:?}");
        for f in FAULTS {
            let on = mixes.iter().filter(|m| m.active().contains(f)).count();
            assert!(on > 5 && on < 59, "{} on in {on} of 64", f.name());
        }
    }
}
