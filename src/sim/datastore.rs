//! The emulated DataStore backend shared by every simulated server: keys with
//! versions kept per UTC hour, key info (version, times, UserIds, metadata),
//! ordered stores, per-server request budgets with 30-deep queues, and the
//! seeded fault plan. Pure Rust with no Luau in sight, so each rule is tested
//! directly; `host` adds the yielding, latency and Luau conversion.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::limits::Throttle;
use super::rng::Rng;

/// Largest stored value, measured on its JSON encoding.
pub const MAX_VALUE_CHARS: usize = 4_194_304;
/// Longest data store name, scope or key.
pub const MAX_NAME_CHARS: usize = 50;
/// Queued requests per queue before requests fail.
pub const QUEUE_DEPTH: u32 = 30;

/// The budget a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetKind {
    StandardRead = 0,
    StandardWrite = 1,
    StandardRemove = 2,
    StandardList = 3,
    OrderedRead = 4,
    OrderedWrite = 5,
    OrderedRemove = 6,
    OrderedList = 7,
}

pub const BUDGET_KINDS: [BudgetKind; 8] = [
    BudgetKind::StandardRead,
    BudgetKind::StandardWrite,
    BudgetKind::StandardRemove,
    BudgetKind::StandardList,
    BudgetKind::OrderedRead,
    BudgetKind::OrderedWrite,
    BudgetKind::OrderedRemove,
    BudgetKind::OrderedList,
];

impl BudgetKind {
    /// Requests per minute for a server with `players` players.
    pub fn per_minute(self, players: usize) -> f64 {
        let p = players as f64;
        match self {
            BudgetKind::StandardRead
            | BudgetKind::StandardWrite
            | BudgetKind::StandardRemove
            | BudgetKind::OrderedRead => 60.0 + 40.0 * p,
            BudgetKind::StandardList | BudgetKind::OrderedList => 5.0 + 2.0 * p,
            BudgetKind::OrderedWrite | BudgetKind::OrderedRemove => 30.0 + 5.0 * p,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BudgetKind::StandardRead => "StandardRead",
            BudgetKind::StandardWrite => "StandardWrite",
            BudgetKind::StandardRemove => "StandardRemove",
            BudgetKind::StandardList => "StandardList",
            BudgetKind::OrderedRead => "OrderedRead",
            BudgetKind::OrderedWrite => "OrderedWrite",
            BudgetKind::OrderedRemove => "OrderedRemove",
            BudgetKind::OrderedList => "OrderedList",
        }
    }

    /// The budgets a `GetRequestBudgetForRequestType` request type draws on
    /// (its budget is the smallest of them).
    pub fn for_request_type(kind: &str) -> Vec<BudgetKind> {
        match kind {
            "GetAsync" | "GetVersionAsync" | "OnUpdate" => vec![BudgetKind::StandardRead],
            "SetIncrementAsync" => vec![BudgetKind::StandardWrite],
            "UpdateAsync" => vec![BudgetKind::StandardRead, BudgetKind::StandardWrite],
            "GetSortedAsync" => vec![BudgetKind::OrderedList],
            "SetIncrementSortedAsync" => vec![BudgetKind::OrderedWrite],
            "ListAsync" => vec![BudgetKind::StandardList],
            "RemoveVersionAsync" => vec![BudgetKind::StandardRemove],
            other => BudgetKind::from_name(other).into_iter().collect(),
        }
    }

    pub fn from_name(name: &str) -> Option<BudgetKind> {
        BUDGET_KINDS.iter().copied().find(|k| k.name() == name)
    }
}

/// What a request method costs and where it queues.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub kinds: &'static [BudgetKind],
    pub queue: usize,
    pub queue_full_code: u16,
}

/// The cost of `method` on a standard or ordered store; `None` for unknown methods.
pub fn cost(method: &str, ordered: bool) -> Option<Cost> {
    use BudgetKind::*;
    let c = |kinds: &'static [BudgetKind], queue: usize, code: u16| {
        Some(Cost {
            kinds,
            queue_full_code: code,
            queue,
        })
    };
    // queues: 0 Get, 1 Set, 2 OrderedGet, 3 OrderedSet
    if ordered {
        return match method {
            "GetAsync" => c(&[OrderedRead], 2, 301),
            "SetAsync" => c(&[OrderedWrite], 3, 302),
            "IncrementAsync" => c(&[OrderedWrite], 3, 303),
            "UpdateAsync" => c(&[OrderedRead, OrderedWrite], 3, 304),
            "RemoveAsync" => c(&[OrderedRemove], 3, 306),
            "GetSortedAsync" | "AdvanceToNextPageAsync" => c(&[OrderedList], 2, 305),
            _ => None,
        };
    }
    match method {
        "GetAsync" | "GetVersionAsync" | "GetVersionAtTimeAsync" => c(&[StandardRead], 0, 301),
        "SetAsync" => c(&[StandardWrite], 1, 302),
        "IncrementAsync" => c(&[StandardWrite], 1, 303),
        "UpdateAsync" => c(&[StandardRead, StandardWrite], 1, 304),
        "RemoveAsync" => c(&[StandardRemove], 1, 306),
        "ListVersionsAsync" | "ListKeysAsync" | "AdvanceToNextPageAsync" => {
            c(&[StandardList], 0, 301)
        }
        _ => None,
    }
}

/// The request budgets and queues of one server.
#[derive(Debug, Clone)]
pub struct Budgets {
    values: [f64; 8],
    last: f64,
    pub queued: [u32; 4],
}

/// Outcome of asking for budget.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    Go,
    /// Queued: try again after this many seconds.
    Wait(f64),
    /// The queue is full: fail with this code.
    QueueFull(u16),
}

impl Budgets {
    /// A new server starts with one minute's worth of every budget.
    pub fn new(now: f64, players: usize) -> Budgets {
        let mut values = [0.0; 8];
        for k in BUDGET_KINDS {
            values[k as usize] = k.per_minute(players);
        }
        Budgets {
            values,
            last: now,
            queued: [0; 4],
        }
    }

    fn refill(&mut self, now: f64, players: usize) {
        let dt = (now - self.last).max(0.0);
        self.last = now;
        for k in BUDGET_KINDS {
            let rate = k.per_minute(players);
            let v = &mut self.values[k as usize];
            *v = (*v + rate * dt / 60.0).min(rate * 3.0);
        }
    }

    /// Whole requests currently available for `kind`.
    pub fn available(&mut self, kind: BudgetKind, now: f64, players: usize) -> f64 {
        self.refill(now, players);
        self.values[kind as usize].floor().max(0.0)
    }

    /// Admits a request now, queues it, or fails it when its queue is full.
    /// `queued` is true when the caller already holds a queue slot.
    pub fn admit(&mut self, cost: Cost, now: f64, players: usize, queued: bool) -> Admission {
        self.refill(now, players);
        let enough = cost.kinds.iter().all(|k| self.values[*k as usize] >= 1.0);
        let ahead = if queued { 0 } else { self.queued[cost.queue] };
        if enough && ahead == 0 {
            for k in cost.kinds {
                self.values[*k as usize] -= 1.0;
            }
            if queued {
                self.queued[cost.queue] = self.queued[cost.queue].saturating_sub(1);
            }
            return Admission::Go;
        }
        if !queued && self.queued[cost.queue] >= QUEUE_DEPTH {
            return Admission::QueueFull(cost.queue_full_code);
        }
        if !queued {
            self.queued[cost.queue] += 1;
        }
        let position = if queued {
            1.0
        } else {
            self.queued[cost.queue] as f64
        };
        let wait = cost
            .kinds
            .iter()
            .map(|k| {
                let rate = k.per_minute(players) / 60.0;
                ((position - self.values[*k as usize]) / rate).max(0.05)
            })
            .fold(0.05, f64::max);
        Admission::Wait(wait)
    }
}

/// Key info as `DataStoreKeyInfo` exposes it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyInfo {
    pub version: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub user_ids: Vec<i64>,
    pub metadata: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct VersionRecord {
    pub version: String,
    pub created_ms: i64,
    pub hour: i64,
    pub deleted: bool,
    pub value: Option<Value>,
    pub info: KeyInfo,
}

#[derive(Debug, Clone, Default)]
pub struct KeyRecord {
    /// The live value and its info; `None` when never written or removed.
    pub current: Option<(Value, KeyInfo)>,
    pub versions: Vec<VersionRecord>,
    /// Bumped on every write; UpdateAsync compares it to detect conflicts.
    pub stamp: u64,
    pub created_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub name: String,
    pub scope: String,
    pub ordered: bool,
    pub keys: BTreeMap<String, KeyRecord>,
}

/// Every data store of the universe.
#[derive(Debug, Default)]
pub struct Backend {
    pub stores: Vec<Store>,
    next_version: u64,
}

impl Backend {
    pub fn open(&mut self, name: &str, scope: &str, ordered: bool) -> usize {
        if let Some(i) = self
            .stores
            .iter()
            .position(|s| s.name == name && s.scope == scope && s.ordered == ordered)
        {
            return i;
        }
        self.stores.push(Store {
            name: name.into(),
            scope: scope.into(),
            ordered,
            keys: BTreeMap::new(),
        });
        self.stores.len() - 1
    }

    pub fn find(&self, name: &str, scope: &str, ordered: bool) -> Option<usize> {
        self.stores
            .iter()
            .position(|s| s.name == name && s.scope == scope && s.ordered == ordered)
    }

    pub fn get(&self, store: usize, key: &str) -> Option<&(Value, KeyInfo)> {
        self.stores[store]
            .keys
            .get(key)
            .and_then(|k| k.current.as_ref())
    }

    pub fn stamp(&self, store: usize, key: &str) -> u64 {
        self.stores[store]
            .keys
            .get(key)
            .map(|k| k.stamp)
            .unwrap_or(0)
    }

    /// Writes `value` as the new version of `key` at `now` (UTC seconds).
    /// Only the first write of each UTC hour keeps its own backup; later
    /// writes in the same hour replace that hour's version.
    pub fn write(
        &mut self,
        store: usize,
        key: &str,
        value: Value,
        user_ids: Vec<i64>,
        metadata: Map<String, Value>,
        now: f64,
    ) -> KeyInfo {
        self.next_version += 1;
        let version = format!(
            "{:016X}.{:010}",
            0x08DB_0000_0000_0000u64 + self.next_version,
            self.next_version
        );
        let now_ms = (now * 1000.0) as i64;
        let hour = (now / 3600.0).floor() as i64;
        let rec = self.stores[store].keys.entry(key.to_string()).or_default();
        if rec.current.is_none() {
            rec.created_ms = now_ms;
        }
        rec.stamp += 1;
        let info = KeyInfo {
            version: version.clone(),
            created_ms: rec.created_ms,
            updated_ms: now_ms,
            user_ids,
            metadata,
        };
        let vr = VersionRecord {
            version,
            created_ms: now_ms,
            hour,
            deleted: false,
            value: Some(value.clone()),
            info: info.clone(),
        };
        match rec.versions.last_mut() {
            Some(last) if last.hour == hour => *last = vr,
            _ => rec.versions.push(vr),
        }
        rec.current = Some((value, info.clone()));
        info
    }

    /// Removes `key`, leaving a tombstone version; returns the old value.
    pub fn remove(&mut self, store: usize, key: &str, now: f64) -> Option<(Value, KeyInfo)> {
        let rec = self.stores[store].keys.get_mut(key)?;
        let old = rec.current.take()?;
        self.next_version += 1;
        let now_ms = (now * 1000.0) as i64;
        let hour = (now / 3600.0).floor() as i64;
        rec.stamp += 1;
        let version = format!(
            "{:016X}.{:010}",
            0x08DB_0000_0000_0000u64 + self.next_version,
            self.next_version
        );
        let info = KeyInfo {
            version: version.clone(),
            created_ms: rec.created_ms,
            updated_ms: now_ms,
            user_ids: vec![],
            metadata: Map::new(),
        };
        let vr = VersionRecord {
            version,
            created_ms: now_ms,
            hour,
            deleted: true,
            value: None,
            info,
        };
        // the tombstone never replaces the hour's backup: the removed value stays readable
        rec.versions.push(vr);
        Some(old)
    }

    /// The keys of a store that start with `prefix` and hold a value, in key
    /// order (what `ListKeysAsync` pages through).
    pub fn keys_with_prefix<'a>(
        &'a self,
        store: usize,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.stores[store]
            .keys
            .iter()
            .filter(move |(k, rec)| k.starts_with(prefix) && rec.current.is_some())
            .map(|(k, _)| k.as_str())
    }

    /// An ordered store's entries between `min` and `max` (inclusive), sorted
    /// by value in the asked direction and then by key (`GetSortedAsync`).
    pub fn sorted(
        &self,
        store: usize,
        ascending: bool,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Vec<(f64, &str)> {
        let mut rows: Vec<(f64, &str)> = self.stores[store]
            .keys
            .iter()
            .filter_map(|(k, r)| {
                r.current
                    .as_ref()
                    .and_then(|(v, _)| v.as_f64())
                    .map(|v| (v, k.as_str()))
            })
            .filter(|(v, _)| min.is_none_or(|m| *v >= m) && max.is_none_or(|m| *v <= m))
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        if !ascending {
            rows.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        }
        rows
    }

    pub fn versions(&self, store: usize, key: &str) -> &[VersionRecord] {
        self.stores[store]
            .keys
            .get(key)
            .map(|k| k.versions.as_slice())
            .unwrap_or(&[])
    }

    pub fn version(&self, store: usize, key: &str, version: &str) -> Option<&VersionRecord> {
        self.versions(store, key)
            .iter()
            .find(|v| v.version == version)
    }

    /// The version that was current at `ms` (UTC milliseconds).
    pub fn version_at(&self, store: usize, key: &str, ms: i64) -> Option<&VersionRecord> {
        self.versions(store, key)
            .iter()
            .rev()
            .find(|v| v.created_ms <= ms)
    }
}

/// One scripted fault: the next `remaining` matching requests fail with `code`.
/// Rules with the shutdown codes 401 and 402 only match requests from a
/// server that is shutting down, the only time Roblox returns them.
#[derive(Debug, Clone)]
pub struct FaultRule {
    pub remaining: u32,
    pub method: Option<String>,
    pub code: u16,
    pub after_commit: bool,
}

impl FaultRule {
    fn matches(&self, method: &str, closing: bool) -> bool {
        self.remaining > 0
            && self.method.as_deref().is_none_or(|m| m == method)
            && (closing || !is_shutdown_code(self.code))
    }
}

/// 401 (DataModel inaccessible) and 402 (LuaWebService inaccessible).
pub fn is_shutdown_code(code: u16) -> bool {
    matches!(code, 401 | 402)
}

/// The fault plan of a universe.
#[derive(Debug, Clone)]
pub struct Faults {
    pub rules: Vec<FaultRule>,
    pub outage: Option<(f64, f64)>,
    pub latency: (f64, f64),
    /// Seeded random failure probability per request, and of those the share that commit first.
    pub error_rate: f64,
    pub ambiguous_share: f64,
    /// Seeded probability that a request from a server shutting down fails
    /// with 401 or 402 (`sim.datastore.closingErrors`); 0 by default, so
    /// BindToClose saves go through as they normally do on Roblox.
    pub closing_error_rate: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rules: Vec::new(),
            outage: None,
            latency: (0.02, 0.2),
            error_rate: 0.0,
            ambiguous_share: 0.0,
            closing_error_rate: 0.0,
        }
    }
}

/// Where a request comes from, as the fault plan sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin {
    /// The server is cut off from the backend.
    pub partitioned: bool,
    /// The server is shutting down (BindToClose is running).
    pub closing: bool,
}

/// What happens to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub latency: f64,
    pub fail: Option<u16>,
    /// Refused by an experience-wide limit (fails before reaching the data).
    pub throttle: Option<Throttle>,
    pub after_commit: bool,
}

impl Plan {
    /// The error string the caller sees, if the request fails.
    pub fn error(&self, method: &str) -> Option<String> {
        match (self.throttle, self.fail) {
            (Some(t), _) => Some(t.message()),
            (None, Some(code)) => Some(error_message(code, method)),
            (None, None) => None,
        }
    }
}

impl Faults {
    /// Decides the fate of one request. In order: a partitioned server or an
    /// outage fails it with 503 (it never reaches the backend); then the
    /// experience-wide limits (`admit_experience`) may refuse it; then
    /// scripted faults, shutdown errors and the seeded error rate apply.
    pub fn plan(
        &mut self,
        method: &str,
        now: f64,
        origin: Origin,
        rng: &mut Rng,
        admit_experience: impl FnOnce() -> Result<(), Throttle>,
    ) -> Plan {
        let latency = self.latency.0 + (self.latency.1 - self.latency.0).max(0.0) * rng.next_f64();
        let fail = |code: u16, after_commit: bool| Plan {
            latency,
            fail: Some(code),
            throttle: None,
            after_commit,
        };
        let in_outage = self
            .outage
            .is_some_and(|(from, to)| now >= from && now < to);
        if origin.partitioned || in_outage {
            return fail(503, false);
        }
        if let Err(t) = admit_experience() {
            return Plan {
                latency,
                fail: None,
                throttle: Some(t),
                after_commit: false,
            };
        }
        if let Some(rule) = self
            .rules
            .iter_mut()
            .find(|r| r.matches(method, origin.closing))
        {
            rule.remaining -= 1;
            let after = rule.after_commit && is_write(method) && !is_shutdown_code(rule.code);
            let plan = fail(rule.code, after);
            self.rules.retain(|r| r.remaining > 0);
            return plan;
        }
        if origin.closing
            && self.closing_error_rate > 0.0
            && rng.next_f64() < self.closing_error_rate
        {
            let code = if rng.next_f64() < 0.5 { 401 } else { 402 };
            return fail(code, false);
        }
        if self.error_rate > 0.0 && rng.next_f64() < self.error_rate {
            let after = is_write(method) && rng.next_f64() < self.ambiguous_share;
            return fail(if after { 504 } else { 503 }, after);
        }
        Plan {
            latency,
            fail: None,
            throttle: None,
            after_commit: false,
        }
    }
}

pub fn is_write(method: &str) -> bool {
    matches!(
        method,
        "SetAsync" | "UpdateAsync" | "IncrementAsync" | "RemoveAsync"
    )
}

/// The message Roblox attaches to an error code.
pub fn error_message(code: u16, method: &str) -> String {
    let text = match code {
        101 => "Key name can't be empty.".to_string(),
        102 => "Key name exceeds the 50 character limit.".to_string(),
        103 => "Value is not allowed in a data store.".to_string(),
        104 => "Cannot store this value in a data store.".to_string(),
        105 => "Serialized value exceeds 4MB limit.".to_string(),
        301..=306 => format!("{method} request dropped. Request was throttled, but throttled request queue was full."),
        401 => "Request failed: the DataModel is inaccessible while the game is shutting down.".to_string(),
        402 => "Request failed: LuaWebService is inaccessible while the game is shutting down.".to_string(),
        501 | 505 => "Internal error. Please try again later.".to_string(),
        502 => "API Services rejected request with error. HTTP 429 (Too Many Requests)".to_string(),
        503 => "DataStore request failed: service unavailable. Please try again.".to_string(),
        504 => "DataStore request timed out; the result of the request is unknown.".to_string(),
        511 => "Attribute metadata exceeds size limit.".to_string(),
        512 => "UserID size exceeds limit.".to_string(),
        _ => "DataStore request failed.".to_string(),
    };
    format!("{code}: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_first_write_of_each_utc_hour_keeps_its_own_version() {
        let mut b = Backend::default();
        let s = b.open("S", "global", false);
        let t0 = 1_767_225_600.0; // an hour boundary
        b.write(s, "k", json!(1), vec![], Map::new(), t0 + 10.0);
        b.write(s, "k", json!(2), vec![], Map::new(), t0 + 20.0);
        b.write(s, "k", json!(3), vec![], Map::new(), t0 + 3700.0);
        let vs = b.versions(s, "k");
        assert_eq!(vs.len(), 2);
        assert_eq!(vs[0].value, Some(json!(2)));
        assert_eq!(vs[1].value, Some(json!(3)));
        assert_eq!(
            b.version_at(s, "k", ((t0 + 100.0) * 1000.0) as i64)
                .unwrap()
                .value,
            Some(json!(2))
        );
        b.remove(s, "k", t0 + 7300.0);
        assert!(b.get(s, "k").is_none());
        assert!(b.versions(s, "k")[2].deleted);
        b.write(s, "k", json!(4), vec![], Map::new(), t0 + 7310.0);
        assert_eq!(b.versions(s, "k").len(), 3);
        assert_eq!(b.versions(s, "k")[1].value, Some(json!(3)));
    }

    #[test]
    fn exhausted_budget_queues_thirty_requests_then_fails_with_the_method_code() {
        let mut budgets = Budgets::new(0.0, 0);
        let get = cost("GetAsync", false).unwrap();
        for _ in 0..60 {
            assert_eq!(budgets.admit(get, 0.0, 0, false), Admission::Go);
        }
        for _ in 0..QUEUE_DEPTH {
            assert!(matches!(
                budgets.admit(get, 0.0, 0, false),
                Admission::Wait(_)
            ));
        }
        assert_eq!(budgets.admit(get, 0.0, 0, false), Admission::QueueFull(301));
        let update = cost("UpdateAsync", false).unwrap();
        let mut b2 = Budgets::new(0.0, 0);
        for _ in 0..60 {
            b2.admit(update, 0.0, 0, false);
        }
        for _ in 0..QUEUE_DEPTH {
            b2.admit(update, 0.0, 0, false);
        }
        assert_eq!(b2.admit(update, 0.0, 0, false), Admission::QueueFull(304));
        // a queued request goes once the budget refilled
        assert_eq!(budgets.admit(get, 2.0, 0, true), Admission::Go);
    }

    #[test]
    fn budgets_refill_per_minute_up_to_three_minutes_worth() {
        let mut b = Budgets::new(0.0, 2);
        assert_eq!(b.available(BudgetKind::StandardRead, 0.0, 2), 140.0);
        assert_eq!(b.available(BudgetKind::StandardRead, 600.0, 2), 420.0);
        assert_eq!(b.available(BudgetKind::OrderedWrite, 600.0, 2), 120.0);
    }

    #[test]
    fn scripted_faults_match_method_and_are_consumed() {
        let mut f = Faults::default();
        let mut rng = Rng::new(1);
        f.rules.push(FaultRule {
            remaining: 1,
            method: Some("UpdateAsync".into()),
            code: 502,
            after_commit: true,
        });
        let running = Origin::default();
        let ok = || Ok(());
        assert_eq!(f.plan("GetAsync", 0.0, running, &mut rng, ok).fail, None);
        let p = f.plan("UpdateAsync", 0.0, running, &mut rng, ok);
        assert_eq!((p.fail, p.after_commit), (Some(502), true));
        assert_eq!(f.plan("UpdateAsync", 0.0, running, &mut rng, ok).fail, None);
        f.outage = Some((10.0, 20.0));
        assert_eq!(
            f.plan("GetAsync", 15.0, running, &mut rng, ok).fail,
            Some(503)
        );
        let partitioned = Origin {
            partitioned: true,
            closing: false,
        };
        assert_eq!(
            f.plan("GetAsync", 25.0, partitioned, &mut rng, ok).fail,
            Some(503)
        );
    }

    #[test]
    fn shutdown_errors_only_hit_requests_from_a_closing_server() {
        let mut f = Faults::default();
        let mut rng = Rng::new(1);
        let running = Origin::default();
        let closing = Origin {
            partitioned: false,
            closing: true,
        };
        let ok = || Ok(());
        f.rules.push(FaultRule {
            remaining: 1,
            method: None,
            code: 401,
            after_commit: true,
        });
        assert_eq!(f.plan("SetAsync", 0.0, running, &mut rng, ok).fail, None);
        let p = f.plan("SetAsync", 0.0, closing, &mut rng, ok);
        // a shutdown error means the request never left the server
        assert_eq!((p.fail, p.after_commit), (Some(401), false));
        assert_eq!(f.plan("SetAsync", 0.0, closing, &mut rng, ok).fail, None);
        f.closing_error_rate = 1.0;
        assert_eq!(f.plan("GetAsync", 0.0, running, &mut rng, ok).fail, None);
        let codes: Vec<_> = (0..20)
            .map(|_| f.plan("GetAsync", 0.0, closing, &mut rng, ok).fail.unwrap())
            .collect();
        assert!(codes.contains(&401) && codes.contains(&402));
        assert!(codes.iter().all(|c| is_shutdown_code(*c)));
    }

    #[test]
    fn an_experience_throttle_fails_the_request_without_using_a_scripted_fault() {
        let mut f = Faults::default();
        let mut rng = Rng::new(1);
        f.rules.push(FaultRule {
            remaining: 1,
            method: None,
            code: 503,
            after_commit: false,
        });
        let p = f.plan("SetAsync", 0.0, Origin::default(), &mut rng, || {
            Err(Throttle::ExperienceWrite)
        });
        assert_eq!(
            (p.throttle, p.fail),
            (Some(Throttle::ExperienceWrite), None)
        );
        assert!(p.error("SetAsync").unwrap().starts_with("502: "));
        assert_eq!(f.rules.len(), 1);
    }
}
