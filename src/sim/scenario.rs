//! `vstore sim` scenarios: seeded players join, play, checkpoint, receive
//! durable rewards, teleport between servers and leave under a fault plan.
//! The oracles read stored records through `crate::core`, never through the
//! Luau code under test: during the run (every session open is checked
//! against the stored record; sampled players' client mirrors are compared
//! with the public projection of their server session) and afterwards (every
//! record decodes, no confirmed checkpoint is lost, no operation is applied
//! twice, by receipt or by data).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::{json, Value};

use super::host::{add_player_with_client, eval_now, remove_player, shutdown, spawn_server};
use super::limits::LimitStats;
use super::mount::Node;
use super::rng::Rng;
use super::swarm::FaultMix;
use super::trace::{self, Event, Log};
use super::verify::values::validate;
use super::workload::{GameSim, InvariantStats, WorkloadStats, CHECKPOINT_INTERVAL};
use super::world::{run_until, Config, Shared, World};
use crate::core::envelope::Envelope;
use crate::core::projection::public_projection;
use crate::core::settings::store_default_number;
use crate::schema::model::{DataPath, Project, Store, Type};

const DRIVER: &str = include_str!("driver.luau");

/// Connects a client VM's mirror; `CHANNEL` is replaced by the channel name.
const CLIENT_DRIVER: &str = r#"
local folder = game:GetService("ReplicatedStorage"):FindFirstChild("VirtualStoreClient")
if folder == nil then
	error("ReplicatedStorage.VirtualStoreClient is missing")
end
_G.__vstoreSimReplica = require(folder).connect(CHANNEL)
"#;

/// Reads a client VM's mirror: its state, and its data when Ready.
const CLIENT_READ: &str = r#"
local replica = _G.__vstoreSimReplica
if replica == nil then
	return "Missing", nil
end
local state = replica:GetState()
if state ~= "Ready" then
	return state, nil
end
return state, replica:Get()
"#;

/// Reads a copy of a player's live session data on a server VM; `USER` is replaced.
const SERVER_READ: &str = r#"
local Data = _G.__vstoreSimData
local player = game:GetService("Players"):GetPlayerByUserId(USER)
if Data == nil or player == nil then
	return nil
end
local session = Data:GetSession(player)
if session == nil then
	return nil
end
if type(session._snapshot) ~= "function" then
	error("the session has no _snapshot to read its data from")
end
return (session:_snapshot())
"#;

/// Seconds between periodic client mirror comparisons.
const MIRROR_INTERVAL: f64 = 30.0;
/// A sampled client still without a Ready mirror this long after its session
/// opened (and with nothing in flight to it) is a violation.
const MIRROR_READY_LIMIT: f64 = 10.0;
/// Coins per reward delivery, before clamping to the payload field's bounds.
const REWARD_AMOUNT: i64 = 250;

/// What the driver does with the project's schema, and what the oracles check.
#[derive(Debug, Clone, PartialEq)]
pub struct StorePlan {
    /// Replication channel of the store.
    pub channel: String,
    /// Public paths of the store; the client mirror oracle projects with these.
    pub public: Vec<DataPath>,
    /// Integer path gameplay increments (`Data:Add`) and no operation writes.
    pub counter: DataPath,
    /// The counter's template default.
    pub counter_default: f64,
    pub reward: Option<RewardPlan>,
    pub receipt_limit: usize,
    pub dedupe_limit: usize,
    /// The project and the store's data shape, to validate stored data.
    pub schema: Option<Rc<(Project, Type)>>,
    /// The game's workload and invariants (`sim/`), when it has any.
    pub game: Rc<GameSim>,
}

/// The durable reward the driver delivers: `operation` with payload
/// `{[field] = amount}` adds `amount` to `path`, which gameplay never touches.
#[derive(Debug, Clone, PartialEq)]
pub struct RewardPlan {
    pub operation: String,
    pub field: String,
    pub amount: i64,
    pub path: DataPath,
    /// The reward path's template default.
    pub base: f64,
}

fn overlaps(a: &[String], b: &[String]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

fn is_integer(ty: &Type) -> bool {
    matches!(ty, Type::Integer { .. })
}

impl StorePlan {
    /// For projects without a schema at hand: gameplay on `Wallet.Coins`, no
    /// rewards, nothing published.
    pub fn fallback(store: &str) -> StorePlan {
        StorePlan {
            channel: store.to_string(),
            public: Vec::new(),
            counter: vec!["Wallet".into(), "Coins".into()],
            counter_default: 0.0,
            reward: None,
            receipt_limit: store_default_number("OperationReceiptLimit") as usize,
            dedupe_limit: store_default_number("OperationDedupeLimit") as usize,
            schema: None,
            game: Rc::default(),
        }
    }

    /// Derives the plan from a checked store: the reward is the first
    /// operation whose payload has an integer field and which writes exactly
    /// one integer template path; the counter is the first unbounded integer
    /// template path that no operation writes. Stored data is validated
    /// against the store's shape.
    pub fn from_store(project: &Project, store: &Store) -> StorePlan {
        let field_of = |path: &[String]| store.template.iter().find(|f| f.path == path);
        let reward = store.operations.iter().find_map(|op| {
            let [path] = op.writes.as_slice() else {
                return None;
            };
            let target = field_of(path).filter(|f| is_integer(&f.ty))?;
            let Type::Record(fields) = &op.payload else {
                return None;
            };
            let (field, amount) = fields.iter().find_map(|f| match f.ty {
                Type::Integer { min, max } => Some((
                    f.name.clone(),
                    REWARD_AMOUNT
                        .max(min.unwrap_or(i64::MIN))
                        .min(max.unwrap_or(i64::MAX)),
                )),
                _ => None,
            })?;
            Some(RewardPlan {
                operation: op.name.clone(),
                field,
                amount,
                path: path.clone(),
                base: target.default.as_f64().unwrap_or(0.0),
            })
        });
        let written: Vec<&DataPath> = store.operations.iter().flat_map(|o| &o.writes).collect();
        let counter = store.template.iter().find(|f| {
            matches!(f.ty, Type::Integer { max: None, .. })
                && !written.iter().any(|w| overlaps(w, &f.path))
        });
        let setting = |name: &str| {
            store
                .settings
                .get(name)
                .and_then(Value::as_f64)
                .unwrap_or_else(|| store_default_number(name)) as usize
        };
        let mut plan = StorePlan::fallback(&store.name);
        plan.channel = store.channel.clone();
        plan.public = store.public.clone();
        if let Some(c) = counter {
            plan.counter = c.path.clone();
            plan.counter_default = c.default.as_f64().unwrap_or(0.0);
        }
        // Without an integer field of its own, gameplay falls back to a path
        // the reward may write; the reward ledger cannot be compared with data
        // the gameplay also changes, so the reward is left out.
        plan.reward = reward.filter(|r| counter.is_some() || !overlaps(&r.path, &plan.counter));
        plan.receipt_limit = setting("OperationReceiptLimit");
        plan.dedupe_limit = setting("OperationDedupeLimit");
        plan.schema = Some(Rc::new((project.clone(), store.shape.clone())));
        plan
    }

    /// The record paths a trace shows on every read and write: the counter
    /// and the reward path, as (dotted label, JSON pointer into the record).
    pub fn watched_paths(&self) -> Vec<(String, String)> {
        std::iter::once(&self.counter)
            .chain(self.reward.as_ref().map(|r| &r.path))
            .map(|p| (dotted(p), format!("/Data{}", pointer(p))))
            .collect()
    }

    /// The driver's `CONFIG` table, as JSON.
    fn driver_config(&self, store: &str) -> Value {
        json!({
            "Store": store,
            "Counter": self.counter,
            "Reward": self.reward.as_ref().map(|r| json!({
                "Operation": r.operation,
                "Field": r.field,
                "Amount": r.amount,
            })),
        })
    }
}

/// A dotted path for messages.
pub fn dotted(path: &[String]) -> String {
    path.join(".")
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[derive(Debug, Clone)]
pub struct ScenarioOptions {
    pub scenario: String,
    pub servers: usize,
    pub players: usize,
    pub duration: f64,
    pub seed: u64,
    pub store: String,
    /// Players (sampled by seed) who get a client VM; 0 turns the client
    /// mirror oracle off.
    pub clients: usize,
    pub plan: StorePlan,
    /// The faults to inject; `None` runs the scenario's preset mix.
    pub faults: Option<FaultMix>,
    /// Keep an event log and return it as `Summary::trace`.
    pub trace: bool,
    /// The share of players (chosen by the seed) who join at the start, stay
    /// to the end and never play: idle sessions for the cost figures.
    pub idle: f64,
}

impl ScenarioOptions {
    /// The default number of sampled clients for `players` players.
    pub fn default_clients(players: usize) -> usize {
        players.min(16)
    }

    /// The fault mix this run injects.
    pub fn mix(&self) -> FaultMix {
        self.faults
            .clone()
            .unwrap_or_else(|| FaultMix::preset(&self.scenario))
    }
}

/// One oracle's finding: which oracle saw it (`ack-lost`, `mirror-differs`,
/// ...; shrinking keeps a reproduction only while the same oracle fires) and
/// what it saw, naming the key, the path and the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub oracle: String,
    pub text: String,
}

impl Violation {
    pub fn new(oracle: &str, text: String) -> Violation {
        Violation {
            oracle: oracle.to_string(),
            text,
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub requests: BTreeMap<String, u64>,
    /// MemoryStoreService requests, request units and failures by status code.
    pub memorystore: super::memorystore::Stats,
    pub open_p50: f64,
    pub open_p99: f64,
    /// Teleports: from leaving one server to Ready on the next, p50 / p99.
    pub handoff_p50: f64,
    pub handoff_p99: f64,
    pub handoffs: usize,
    /// Players of a crashed server: from the crash to `Ready` again, p50 /
    /// p99 over those who got there, and how many did not by the end.
    pub crash_recovery_p50: f64,
    pub crash_recovery_p99: f64,
    pub crash_recoveries: usize,
    pub crash_unrecovered: usize,
    /// `Player:Kick` calls by message.
    pub kicks: BTreeMap<String, usize>,
    /// Player-hours of the run: players present or reconnecting, players x
    /// duration (the denominator of whole-run request rates).
    pub player_hours: f64,
    pub sessions: usize,
    /// Failed opens by error code (`timeout` when `Data:Wait` gave up).
    pub open_failure_codes: BTreeMap<String, usize>,
    pub deliveries: usize,
    pub acks: usize,
    /// Releases that reported success (each an acknowledged save).
    pub release_acks: usize,
    pub violations: Vec<Violation>,
    pub trace_hash: u64,
    pub thread_errors: usize,
    pub first_errors: Vec<String>,
    /// Session opens compared with the stored record at that moment.
    pub opens_checked: usize,
    /// Players given a client VM.
    pub clients_sampled: usize,
    /// Client mirror comparisons made.
    pub mirror_checks: usize,
    /// Comparisons put off because a remote event was in flight to the
    /// client or its mirror was not ready yet.
    pub mirror_deferred: usize,
    /// Why the client mirror oracle did not run, when it did not.
    pub mirror_skipped: Option<String>,
    /// Records whose reward path was checked against their ledger.
    pub reward_checked: usize,
    /// Records whose ledger may have been pruned (not checked at data level).
    pub reward_pruned: usize,
    /// Requests the emulated limits refused and messages they dropped.
    pub limits: LimitStats,
    /// Most bytes the Luau heaps of the world held at once, sampled at every
    /// scenario step.
    pub peak_lua_memory: usize,
    /// With `ScenarioOptions::trace`: the events about the players the
    /// violations name (all events when there are none), in time order.
    pub trace: Vec<Event>,
    /// What the game's workload did, when one ran.
    pub workload: Option<WorkloadStats>,
    /// What the game's invariants checked, when it has any.
    pub invariants: Option<InvariantStats>,
    /// Requests on the players' records while their sessions were open.
    pub cost: Cost,
}

/// What the players' records cost: requests per player-hour by method while
/// a session was open (from `Ready` to leaving, so the claim and the release
/// are not in it), for all, idle and active players, and the stored
/// envelope's size beyond `Data` at the end of the run.
#[derive(Debug, Clone, Default)]
pub struct Cost {
    pub all: Usage,
    pub idle: Usage,
    pub active: Usage,
    /// Bytes of each stored record beyond its `Data` (JSON, as stored), sorted.
    pub envelope_bytes: Vec<usize>,
    /// The same for the idle players' records.
    pub idle_envelope_bytes: Vec<usize>,
}

/// Session hours and the requests made in them, by method.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub hours: f64,
    pub requests: BTreeMap<String, u64>,
}

impl Usage {
    /// Requests of `method` (all methods with `None`) per player-hour.
    pub fn per_hour(&self, method: Option<&str>) -> f64 {
        if self.hours <= 0.0 {
            return 0.0;
        }
        let n: u64 = match method {
            Some(m) => self.requests.get(m).copied().unwrap_or(0),
            None => self.requests.values().sum(),
        };
        n as f64 / self.hours
    }
}

/// The `p` quantile of sorted sizes (0 when there are none).
pub fn size_percentile(sorted: &[usize], p: f64) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

impl Summary {
    /// Failed opens of every code.
    pub fn open_failures(&self) -> usize {
        self.open_failure_codes.values().sum()
    }
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

/// Keeps the highest value reported for `user`.
fn raise(map: &mut HashMap<i64, f64>, user: i64, value: f64) {
    let e = map.entry(user).or_insert(value);
    *e = e.max(value);
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The oracles that run while the scenario does.
struct Live<'a> {
    opts: &'a ScenarioOptions,
    /// Driver reports already looked at.
    seen: usize,
    /// (user, server) -> when the driver reported the session open.
    opened: HashMap<(i64, usize), f64>,
    /// What the live oracles found, and when.
    violations: Vec<(f64, Violation)>,
    opens_checked: usize,
    /// user -> the highest counter a confirmed checkpoint ("ack") and a
    /// reported release ("releaseAck") acknowledged so far.
    acked: HashMap<i64, f64>,
    released: HashMap<i64, f64>,
    mirror_checks: usize,
    mirror_deferred: usize,
}

impl Live<'_> {
    /// Runs the world to `deadline`, stopping after every event that produced
    /// driver reports to check them against the store as it is at that moment.
    fn advance(&mut self, world: &Shared, deadline: f64) {
        loop {
            let seen = self.seen;
            run_until(world, deadline, true, |w| w.reports.len() > seen);
            let w = world.borrow();
            if w.reports.len() == seen {
                return;
            }
            for i in seen..w.reports.len() {
                let (at, kind, user, value, detail) = &w.reports[i];
                match kind.as_str() {
                    "opened" => {
                        if let Ok(server) = detail.parse::<usize>() {
                            self.opened.insert((*user, server), *at);
                        }
                        self.check_open(&w, *user, *value);
                    }
                    "ack" => raise(&mut self.acked, *user, *value),
                    "releaseAck" => raise(&mut self.released, *user, *value),
                    _ => {}
                }
            }
            self.seen = w.reports.len();
        }
    }

    /// No blank or stale open: the data a session opened with is not older
    /// than the stored record. No lost acknowledgement: nor older than what
    /// an earlier session's confirmed checkpoint or release acknowledged (the
    /// end-of-run check misses a lost save that later play overtakes).
    fn check_open(&mut self, w: &World, user: i64, opened: f64) {
        self.opens_checked += 1;
        if !self.check_open_against_store(w, user, opened) && opened >= 0.0 {
            self.check_open_against_acks(w, user, opened);
        }
    }

    /// A blank or stale open (below the stored record); true when found.
    fn check_open_against_store(&mut self, w: &World, user: i64, opened: f64) -> bool {
        let plan = &self.opts.plan;
        let key = format!("Player_{user}");
        let path = dotted(&plan.counter);
        let Some(stored) = w
            .backend
            .find(&self.opts.store, "global", false)
            .and_then(|st| w.backend.get(st, &key))
            .and_then(|(v, _)| Envelope::decode(v).ok())
            .and_then(|env| {
                env.data
                    .pointer(&pointer(&plan.counter))
                    .and_then(Value::as_f64)
            })
        else {
            return false;
        };
        if opened >= stored {
            return false;
        }
        let shown = if opened < 0.0 {
            "nothing".to_string()
        } else {
            format!("{path} = {opened}")
        };
        let violation = if opened < 0.0 || opened == plan.counter_default {
            Violation::new(
                "blank-open",
                format!(
                    "{key}: blank open after failed load: the session opened with {shown} (the template) while the stored record holds {path} = {stored}"
                ),
            )
        } else {
            Violation::new(
                "stale-open",
                format!(
                    "{key}: stale open: the session opened with {shown}, older than the stored record's {path} = {stored}"
                ),
            )
        };
        self.violations.push((w.now, violation));
        true
    }

    /// An open below what an earlier confirmed checkpoint or release
    /// acknowledged: that save was lost, even if the store agrees.
    fn check_open_against_acks(&mut self, w: &World, user: i64, opened: f64) {
        let path = dotted(&self.opts.plan.counter);
        let lost = [
            ("ack-lost", "checkpoint confirmed", self.acked.get(&user)),
            (
                "release-ack-lost",
                "a release reported success with",
                self.released.get(&user),
            ),
        ];
        if let Some((code, what, a)) = lost
            .into_iter()
            .find_map(|(code, what, a)| a.filter(|a| opened < **a).map(|a| (code, what, *a)))
        {
            self.violations.push((
                w.now,
                Violation::new(
                    code,
                    format!("Player_{user}: acknowledged save lost: {what} {path} = {a}, a later session opened with {path} = {opened}"),
                ),
            ));
        }
    }

    /// Client mirror == public projection of the server session, for one
    /// sampled player, when nothing is in flight to their client.
    fn compare_mirror(&mut self, world: &Shared, user: i64, server: usize) {
        let (client, opened_at, now) = {
            let w = world.borrow();
            let Some(client) = w
                .vms
                .get(server)
                .and_then(|v| v.clients.get(&user).copied())
            else {
                return;
            };
            let Some(at) = self.opened.get(&(user, server)).copied() else {
                return;
            };
            if !w.vms[client].alive {
                return;
            }
            if w.event_pending(client, "remote") {
                self.mirror_deferred += 1;
                return;
            }
            (client, at, w.now)
        };
        let key = format!("Player_{user}");
        let mirror = match eval_now(world, client, CLIENT_READ) {
            Ok(values) => values,
            Err(e) => {
                self.violations.push((
                    now,
                    Violation::new(
                        "mirror-unreadable",
                        format!("{key}: the client mirror could not be read: {e}"),
                    ),
                ));
                return;
            }
        };
        let state = mirror.first().and_then(Value::as_str).unwrap_or("Missing");
        if state != "Ready" {
            if now - opened_at > MIRROR_READY_LIMIT {
                self.violations.push((
now,
Violation::new(
"mirror-not-ready",
format!(
                    "{key}: client mirror is {state} {:.0}s after the session opened, with nothing in flight to it",
                    now - opened_at
                ))));
            } else {
                self.mirror_deferred += 1;
            }
            return;
        }
        let source = SERVER_READ.replace("USER", &user.to_string());
        let data = match eval_now(world, server, &source) {
            Ok(values) => values.into_iter().next().unwrap_or(Value::Null),
            Err(e) => {
                self.violations.push((
                    now,
                    Violation::new(
                        "mirror-unreadable",
                        format!("{key}: the server session could not be read: {e}"),
                    ),
                ));
                return;
            }
        };
        if data.is_null() {
            // the session ended (lease lost or released) but the player is still here
            return;
        }
        self.mirror_checks += 1;
        let expected = public_projection(&data, &self.opts.plan.public);
        let client_data = mirror.get(1).cloned().unwrap_or(Value::Null);
        let mut path = Vec::new();
        if let Some((at, seen, want)) = first_difference(&client_data, &expected, &mut path) {
            self.violations.push((
now,
Violation::new(
"mirror-differs",
format!(
                "{key}: client mirror differs from the public projection at {}: client has {seen}, server session has {want}",
                if at.is_empty() { "the root".to_string() } else { at }
            ))));
        }
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(v) => v.to_string(),
    }
}

/// Tables are equal when their contents are; an empty Luau table reads as
/// either `{}` or `[]`, and numbers compare by value.
fn first_difference(
    client: &Value,
    server: &Value,
    path: &mut Vec<String>,
) -> Option<(String, String, String)> {
    let empty = |v: &Value| match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    match (client, server) {
        (a, b) if empty(a) && empty(b) => None,
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => None,
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                path.push(k.clone());
                let diff = match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => first_difference(x, y, path),
                    (x, y) => Some((dotted(path), show(x), show(y))),
                };
                path.pop();
                if diff.is_some() {
                    return diff;
                }
            }
            None
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                path.push((i + 1).to_string());
                let diff = match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => first_difference(x, y, path),
                    (x, y) => Some((dotted(path), show(x), show(y))),
                };
                path.pop();
                if diff.is_some() {
                    return diff;
                }
            }
            None
        }
        (a, b) if a == b => None,
        (a, b) => Some((dotted(path), a.to_string(), b.to_string())),
    }
}

/// Why the client mirror oracle cannot run on this package and plan, if so.
fn mirror_unavailable(package: &Node, opts: &ScenarioOptions) -> Option<String> {
    if opts.clients == 0 {
        return Some("--clients 0".into());
    }
    if opts.plan.public.is_empty() {
        return Some(format!("store {} publishes no paths", opts.store));
    }
    let has_client = package
        .children
        .iter()
        .filter(|c| c.name == "ReplicatedStorage")
        .any(|rs| rs.children.iter().any(|c| c.name == "VirtualStoreClient"));
    if !has_client {
        return Some("the package has no ReplicatedStorage.VirtualStoreClient".into());
    }
    None
}

/// `count` distinct player indices out of `players`, chosen by `seed`.
fn sample(players: usize, count: usize, seed: u64) -> BTreeSet<usize> {
    let mut rng = Rng::new(seed ^ 0xC11E_4715);
    let mut all: Vec<usize> = (0..players).collect();
    for i in 0..count.min(players) {
        let j = rng.range(i as u64, players as u64 - 1) as usize;
        all.swap(i, j);
    }
    all.truncate(count.min(players));
    all.into_iter().collect()
}

/// Runs one scenario and checks the oracles.
pub fn run(package: Rc<Node>, opts: &ScenarioOptions) -> Result<Summary, String> {
    let mirror_skipped = mirror_unavailable(&package, opts);
    let sampled = if mirror_skipped.is_none() {
        sample(opts.players, opts.clients, opts.seed)
    } else {
        BTreeSet::new()
    };
    let world = World::new(
        Config {
            seed: opts.seed,
            clients: false,
            ..Config::default()
        },
        package,
    );
    let idle_count = (opts.idle.clamp(0.0, 1.0) * opts.players as f64).round() as usize;
    let idle = sample(opts.players, idle_count, opts.seed ^ 0x1D1E);
    let mut config = opts.plan.driver_config(&opts.store);
    config["Idle"] = json!(idle.iter().map(|i| 1000 + *i as i64).collect::<Vec<_>>());
    let config = config.to_string();
    let driver = format!("local CONFIG = game:GetService(\"HttpService\"):JSONDecode([=====[{config}]=====])\n{DRIVER}");
    world.borrow_mut().server_script = Some((Rc::from(driver), "vstore/driver.luau".to_string()));
    let client_driver = CLIENT_DRIVER.replace(
        "CHANNEL",
        &Value::String(opts.plan.channel.clone()).to_string(),
    );
    let game = opts.plan.game.clone();
    let workload_source = game.workload.as_ref().map(|w| w.client_source());
    let mut invariants = game.invariants.start()?;
    let mut workload_clients = 0usize;
    let mut live = Live {
        opts,
        seen: 0,
        opened: HashMap::new(),
        violations: Vec::new(),
        opens_checked: 0,
        acked: HashMap::new(),
        released: HashMap::new(),
        mirror_checks: 0,
        mirror_deferred: 0,
    };
    let mut rng = Rng::new(opts.seed ^ 0x5EED);
    let mix = opts.mix();
    {
        let mut w = world.borrow_mut();
        w.faults.error_rate = mix.errors;
        w.faults.ambiguous_share = mix.ambiguous;
        w.faults.closing_error_rate = mix.closing;
        w.faults.latency.1 = mix.latency;
        w.drop_rate = mix.loss;
        if opts.trace {
            w.log = Some(Log {
                events: Vec::new(),
                watch: opts.plan.watched_paths(),
            });
        }
    }
    let mut servers: Vec<usize> = Vec::new();
    for _ in 0..opts.servers.max(1) {
        servers.push(start_server(&world)?);
    }
    let start = world.borrow().now;
    let end = start + opts.duration;
    let teleport_rate = mix.teleports;
    // per player: where they are and when they act next
    let mut state: Vec<(Where, f64)> = (0..opts.players)
        .map(|i| {
            let at = start + rng.next_f64() * opts.duration.min(600.0);
            // idle players are all there within the first ten seconds
            let at = if idle.contains(&i) {
                start + (at - start) / 60.0
            } else {
                at
            };
            (Where::Offline, at)
        })
        .collect();
    // (user, when the session ended): leaving, or its server crashing
    let mut ended: Vec<(i64, f64)> = Vec::new();
    // crashes evenly spaced: the preset's three fall at each quarter
    let crash_every = opts.duration / (mix.crashes as f64 + 1.0);
    let mut crashes_left = mix.crashes;
    let mut next_crash = if crashes_left > 0 {
        start + crash_every
    } else {
        f64::INFINITY
    };
    let outage_at = if mix.outage > 0.0 {
        start + opts.duration / 3.0
    } else {
        f64::INFINITY
    };
    let mut partition_at = if mix.partition > 0.0 {
        start + opts.duration * 2.0 / 3.0
    } else {
        f64::INFINITY
    };
    {
        // MemoryStoreService faults are set up front: the backend keeps their times
        let mut w = world.borrow_mut();
        w.memory.faults.error_rate = mix.ms_errors;
        if mix.ms_outage > 0.0 {
            let at = start + opts.duration / 2.0;
            w.memory.faults.outage = Some((at, at + mix.ms_outage));
        }
    }
    let mut ms_partition_at = if mix.ms_partition > 0.0 {
        start + opts.duration * 3.0 / 5.0
    } else {
        f64::INFINITY
    };
    let mut peak_memory = 0usize;
    let mut next_mirror = if sampled.is_empty() {
        f64::INFINITY
    } else {
        start + MIRROR_INTERVAL
    };
    let mut next_check = if invariants.is_some() {
        start + CHECKPOINT_INTERVAL
    } else {
        f64::INFINITY
    };
    let mut outage_done = false;
    let mut sessions = 0usize;
    // every join: the user, when, and when they left their last server if
    // this join is a teleport
    let mut joins: Vec<(i64, f64, Option<f64>)> = Vec::new();
    let mut teleporting: BTreeMap<i64, f64> = BTreeMap::new();
    // players of a crashed server and when it crashed
    let mut crashed: Vec<(i64, f64)> = Vec::new();
    let mut kicks_seen = 0usize;
    loop {
        let next_player = state.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let outage_next = if outage_done {
            f64::INFINITY
        } else {
            outage_at
        };
        let t = next_player
            .min(next_crash)
            .min(outage_next)
            .min(partition_at)
            .min(ms_partition_at)
            .min(next_mirror)
            .min(next_check);
        if t >= end {
            break;
        }
        live.advance(&world, t);
        // a kicked player is disconnected and reconnects 5 s later
        let kicked: Vec<(f64, i64, usize)> = {
            let w = world.borrow();
            let found = w.reports[kicks_seen..]
                .iter()
                .filter(|r| r.1 == "kicked")
                .map(|r| (r.0, r.2, r.3 as usize))
                .collect();
            kicks_seen = w.reports.len();
            found
        };
        for (at, user, server) in kicked {
            let i = (user - 1000) as usize;
            if i < state.len() && state[i].0 == Where::On(server) {
                state[i] = (Where::Offline, (at + 5.0).max(t));
                ended.push((user, at));
                live.opened.remove(&(user, server));
                trace::note(&mut world.borrow_mut(), || {
                    Event::new("leave")
                        .player(user)
                        .server(server)
                        .detail("kicked")
                });
            }
        }
        peak_memory = peak_memory.max(world.borrow().lua_memory());
        if t == next_mirror {
            next_mirror += MIRROR_INTERVAL;
            for &i in &sampled {
                if let Where::On(server) = state[i].0 {
                    live.compare_mirror(&world, 1000 + i as i64, server);
                }
            }
            continue;
        }
        if t == next_check {
            next_check += CHECKPOINT_INTERVAL;
            if let Some(inv) = invariants.as_mut() {
                let found = inv.check(&world.borrow(), &opts.store, false);
                live.violations.extend(found.into_iter().map(|v| (t, v)));
            }
            continue;
        }
        if t == outage_next {
            outage_done = true;
            let mut w = world.borrow_mut();
            let now = w.now;
            w.faults.outage = Some((now, now + mix.outage));
            trace::note(&mut w, || {
                Event::new("outage").detail(format!("DataStore answers 503 for {}s", mix.outage))
            });
            continue;
        }
        if t == partition_at {
            partition_at = f64::INFINITY;
            let alive: Vec<usize> = world.borrow().alive_servers();
            if !alive.is_empty() {
                let victim = alive[rng.range(0, alive.len() as u64 - 1) as usize];
                let mut w = world.borrow_mut();
                let now = w.now;
                w.vms[victim].partitioned_until = now + mix.partition;
                w.trace.add(format!("partition {victim}").as_bytes());
                trace::note(&mut w, || {
                    Event::new("partition")
                        .server(victim)
                        .detail(format!("cut off from the DataStore for {}s", mix.partition))
                });
            }
            continue;
        }
        if t == ms_partition_at {
            ms_partition_at = f64::INFINITY;
            let alive: Vec<usize> = world.borrow().alive_servers();
            if !alive.is_empty() {
                let victim = alive[rng.range(0, alive.len() as u64 - 1) as usize];
                let mut w = world.borrow_mut();
                let now = w.now;
                w.memory
                    .faults
                    .partitioned
                    .insert(victim, now + mix.ms_partition);
                w.trace.add(format!("ms-partition {victim}").as_bytes());
                trace::note(&mut w, || {
                    Event::new("partition").server(victim).detail(format!(
                        "cut off from MemoryStoreService for {}s",
                        mix.ms_partition
                    ))
                });
            }
            continue;
        }
        if t == next_crash {
            crashes_left -= 1;
            next_crash = if crashes_left > 0 {
                next_crash + crash_every
            } else {
                f64::INFINITY
            };
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
                trace::note(&mut world.borrow_mut(), || {
                    Event::new("server-crash").server(victim)
                });
                for (i, s) in state.iter_mut().enumerate() {
                    if s.0 == Where::On(victim) {
                        // players reconnect about 5 s after their server dies
                        *s = (Where::Offline, t + 5.0 + rng.next_f64());
                        ended.push((1000 + i as i64, t));
                        crashed.push((1000 + i as i64, t));
                    }
                }
                live.opened.retain(|(_, server), _| *server != victim);
                let replacement = start_server(&world)?;
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
                let with_client = sampled.contains(&i) || workload_source.is_some();
                let vm = add_player_with_client(&world, server, user_id, with_client)
                    .map_err(|e| e.to_string())?;
                if sampled.contains(&i) {
                    eval_now(&world, vm, &client_driver)
                        .map_err(|e| format!("starting the client of Player_{user_id}: {e}"))?;
                }
                if let Some(source) = &workload_source {
                    eval_now(&world, vm, source).map_err(|e| {
                        format!("starting the workload on the client of Player_{user_id}: {e}")
                    })?;
                    workload_clients += 1;
                }
                sessions += 1;
                let teleport = teleporting.remove(&user_id);
                trace::note(&mut world.borrow_mut(), || {
                    let how = if teleport.is_some() { "teleport" } else { "" };
                    Event::new("join")
                        .player(user_id)
                        .server(server)
                        .detail(how)
                });
                joins.push((user_id, t, teleport));
                let leave_at = t + 60.0 + rng.next_f64() * 540.0;
                // an idle player stays to the end
                let leave_at = if idle.contains(&i) {
                    f64::INFINITY
                } else {
                    leave_at
                };
                state[i] = (Where::On(server), leave_at);
            }
            Where::On(server) => {
                if world.borrow().vms[server].alive {
                    if sampled.contains(&i) {
                        live.compare_mirror(&world, user_id, server);
                    }
                    remove_player(&world, server, user_id);
                }
                trace::note(&mut world.borrow_mut(), || {
                    Event::new("leave").player(user_id).server(server)
                });
                ended.push((user_id, t));
                live.opened.remove(&(user_id, server));
                if rng.next_f64() < teleport_rate {
                    teleporting.insert(user_id, t);
                    state[i] = (Where::Offline, t + 1.0);
                } else {
                    state[i] = (Where::Offline, t + 10.0 + rng.next_f64() * 110.0);
                }
            }
        }
    }
    // play runs to the end of the duration; then everyone leaves and every
    // server shuts down gracefully
    live.advance(&world, end);
    for (i, s) in state.iter().enumerate() {
        if let Where::On(server) = s.0 {
            if world.borrow().vms[server].alive {
                if sampled.contains(&i) {
                    live.compare_mirror(&world, 1000 + i as i64, server);
                }
                remove_player(&world, server, 1000 + i as i64);
                trace::note(&mut world.borrow_mut(), || {
                    Event::new("leave").player(1000 + i as i64).server(server)
                });
                ended.push((1000 + i as i64, end));
            }
        }
    }
    live.opened.clear();
    let now = world.borrow().now;
    live.advance(&world, now + 120.0);
    for s in servers.iter().copied() {
        shutdown(&world, s);
        trace::note(&mut world.borrow_mut(), || {
            Event::new("server-shutdown").server(s)
        });
    }
    let now = world.borrow().now;
    run_until(&world, now + 40.0, true, |w| w.alive_servers().is_empty());
    let mut s = summarize(&world, opts, sessions);
    s.cost = cost(&world, opts, &idle, &ended, end);
    check_availability(&mut s, &mix);
    if let Some(mut inv) = invariants {
        s.violations
            .extend(inv.check(&world.borrow(), &opts.store, true));
        s.invariants = Some(inv.stats);
    }
    if let Some(w) = &game.workload {
        s.workload = Some(WorkloadStats::from_reports(
            &w.file.name,
            workload_clients,
            &world.borrow().reports,
        ));
    }
    let mut handoffs = handoff_latencies(&world.borrow().reports, &joins);
    handoffs.sort_by(f64::total_cmp);
    s.handoffs = handoffs.len();
    s.handoff_p50 = percentile(&handoffs, 0.5);
    s.handoff_p99 = percentile(&handoffs, 0.99);
    let (mut recoveries, unrecovered) = crash_recoveries(&world.borrow().reports, &crashed);
    recoveries.sort_by(f64::total_cmp);
    s.crash_recoveries = recoveries.len();
    s.crash_unrecovered = unrecovered;
    s.crash_recovery_p50 = percentile(&recoveries, 0.5);
    s.crash_recovery_p99 = percentile(&recoveries, 0.99);
    s.player_hours = opts.players as f64 * opts.duration / 3600.0;
    for (_, kind, _, _, message) in &world.borrow().reports {
        if kind == "kicked" {
            *s.kicks.entry(message.clone()).or_default() += 1;
        }
    }
    let found_live: Vec<(f64, Violation)> = live.violations;
    if opts.trace {
        s.trace = assemble_trace(&world, &found_live, &s.violations, start);
    }
    s.violations
        .splice(0..0, found_live.into_iter().map(|(_, v)| v));
    s.peak_lua_memory = peak_memory;
    s.opens_checked = live.opens_checked;
    s.clients_sampled = sampled.len();
    s.mirror_checks = live.mirror_checks;
    s.mirror_deferred = live.mirror_deferred;
    s.mirror_skipped = mirror_skipped;
    Ok(s)
}

/// Requests per player-hour on the players' records while their sessions
/// were open, and the envelope sizes at the end (see [`Cost`]).
fn cost(
    world: &Shared,
    opts: &ScenarioOptions,
    idle: &BTreeSet<usize>,
    ended: &[(i64, f64)],
    end: f64,
) -> Cost {
    let w = world.borrow();
    let mut by_key: HashMap<&str, Vec<(f64, &str)>> = HashMap::new();
    for (t, key, method) in &w.key_requests {
        by_key
            .entry(key.as_str())
            .or_default()
            .push((*t, method.as_str()));
    }
    let is_idle = |user: i64| user >= 1000 && idle.contains(&((user - 1000) as usize));
    let mut c = Cost::default();
    for (at, kind, user, ..) in &w.reports {
        if kind != "open" {
            continue;
        }
        let until = ended
            .iter()
            .filter(|(u, t)| u == user && t >= at)
            .map(|(_, t)| *t)
            .fold(end, f64::min);
        let hours = (until - at).max(0.0) / 3600.0;
        let key = format!("Player_{user}");
        let group = if is_idle(*user) {
            &mut c.idle
        } else {
            &mut c.active
        };
        for usage in [&mut c.all, group] {
            usage.hours += hours;
            for (t, method) in by_key.get(key.as_str()).into_iter().flatten() {
                if t >= at && *t < until {
                    *usage.requests.entry(method.to_string()).or_default() += 1;
                }
            }
        }
    }
    if let Some(store) = w.backend.find(&opts.store, "global", false) {
        for (key, rec) in &w.backend.stores[store].keys {
            let Some((value, _)) = &rec.current else {
                continue;
            };
            let total = serde_json::to_string(value).map_or(0, |t| t.len());
            let data = value
                .get("Data")
                .and_then(|d| serde_json::to_string(d).ok())
                .map_or(0, |t| t.len());
            let bytes = total.saturating_sub(data);
            c.envelope_bytes.push(bytes);
            let user: i64 = key.trim_start_matches("Player_").parse().unwrap_or(-1);
            if is_idle(user) {
                c.idle_envelope_bytes.push(bytes);
            }
        }
    }
    c.envelope_bytes.sort_unstable();
    c.idle_envelope_bytes.sort_unstable();
    c
}

/// Starts a server, noted in the trace.
fn start_server(world: &Shared) -> Result<usize, String> {
    let vm = spawn_server(world).map_err(|e| e.to_string())?;
    trace::note(&mut world.borrow_mut(), || {
        Event::new("server-start").server(vm)
    });
    Ok(vm)
}

/// The run's events with the driver's reports and the violations, in time
/// order, kept to the players the first violation names: the one a shrunk
/// reproduction is about.
fn assemble_trace(
    world: &Shared,
    live: &[(f64, Violation)],
    after: &[Violation],
    start: f64,
) -> Vec<Event> {
    let mut w = world.borrow_mut();
    let mut events = w.log.take().map(|l| l.events).unwrap_or_default();
    events.extend(trace::reports(&w.reports, start));
    // the checks after the run see the world as it ended
    let at_end = w.now - start;
    let all: Vec<(f64, &Violation)> = live
        .iter()
        .map(|(t, v)| (t - start, v))
        .chain(after.iter().map(|v| (at_end, v)))
        .collect();
    let players = all
        .first()
        .map(|(_, v)| trace::players_named(&v.text))
        .unwrap_or_default();
    for (t, v) in all {
        events.push(
            Event::new("violation")
                .at(t)
                .detail(format!("[{}] {}", v.oracle, v.text)),
        );
    }
    // stable: events logged at one instant keep their order
    events.sort_by(|a, b| a.t.total_cmp(&b.t));
    trace::involving(&events, &players)
}

/// For each teleport join that opened, the virtual seconds from leaving the
/// last server to Ready on the new one. An `open` report at time `r` after
/// `d` seconds belongs to the join of that user at `r - d`.
fn handoff_latencies(
    reports: &[(f64, String, i64, f64, String)],
    joins: &[(i64, f64, Option<f64>)],
) -> Vec<f64> {
    reports
        .iter()
        .filter(|(_, kind, ..)| kind == "open")
        .filter_map(|(at, _, user, waited, _)| {
            let joined = at - waited;
            let (_, _, left) = joins
                .iter()
                .filter(|(u, t, _)| u == user && (t - joined).abs() < 0.5)
                .min_by(|a, b| (a.1 - joined).abs().total_cmp(&(b.1 - joined).abs()))?;
            left.map(|left| at - left)
        })
        .collect()
}

/// From each crash to its player's next `Ready` on another server (the
/// driver's `opened` report), and how many players never got there.
fn crash_recoveries(
    reports: &[(f64, String, i64, f64, String)],
    crashed: &[(i64, f64)],
) -> (Vec<f64>, usize) {
    let mut times = Vec::new();
    let mut missing = 0;
    for (user, at) in crashed {
        match reports
            .iter()
            .find(|(t, kind, u, ..)| kind == "opened" && u == user && t > at)
        {
            Some((t, ..)) => times.push(t - at),
            None => missing += 1,
        }
    }
    (times, missing)
}

fn summarize(world: &Shared, opts: &ScenarioOptions, sessions: usize) -> Summary {
    let w = world.borrow();
    let plan = &opts.plan;
    let mut s = Summary {
        requests: w.requests.clone(),
        sessions,
        trace_hash: w.trace.value(),
        thread_errors: w.errors.len(),
        limits: w.limits.clone(),
        memorystore: w.memory.stats.clone(),
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
    let mut released: BTreeMap<i64, f64> = BTreeMap::new();
    for (_, kind, user, value, detail) in &w.reports {
        match kind.as_str() {
            "open" => opens.push(*value),
            "openFailed" => {
                *s.open_failure_codes.entry(detail.clone()).or_default() += 1;
            }
            "ack" => {
                s.acks += 1;
                let e = acked.entry(*user).or_insert(0.0);
                *e = e.max(*value);
            }
            // A release that reported success acknowledges its final data.
            "releaseAck" => {
                s.release_acks += 1;
                let e = released.entry(*user).or_insert(0.0);
                *e = e.max(*value);
            }
            "deliver" => s.deliveries += 1,
            _ => {}
        }
    }
    opens.sort_by(f64::total_cmp);
    s.open_p50 = percentile(&opens, 0.5);
    s.open_p99 = percentile(&opens, 0.99);
    for claim in &w.live_lease_claims {
        s.violations
            .push(Violation::new("live-lease-taken", claim.clone()));
    }
    for stale in &w.stale_writes {
        s.violations.push(Violation::new(
            "stale-overwrite",
            format!("stale overwrite: {stale}"),
        ));
    }
    // oracles: read the stored records through the Rust core only
    let counter = dotted(&plan.counter);
    let store = w.backend.find(&opts.store, "global", false);
    for (user, a) in &acked {
        let key = format!("Player_{user}");
        if store.and_then(|st| w.backend.get(st, &key)).is_none() {
            s.violations.push(Violation::new(
"ack-lost",
format!(
                "{key}: acknowledged save lost: checkpoint confirmed {counter} = {a}, nothing is stored"
            )));
        }
    }
    for (user, a) in &released {
        let key = format!("Player_{user}");
        if store.and_then(|st| w.backend.get(st, &key)).is_none() {
            s.violations.push(Violation::new(
                "release-ack-lost",
                format!("{key}: acknowledged release lost: a release reported success with {counter} = {a}, nothing is stored"),
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
                s.violations.push(Violation::new(
                    "undecodable",
                    format!("{key}: stored record does not decode: {e}"),
                ));
                continue;
            }
        };
        if let Some(schema) = &plan.schema {
            if let Err(e) = validate(&schema.0, &schema.1, &env.data) {
                s.violations.push(Violation::new(
                    "invalid-data",
                    format!("{key}: stored data does not validate against the schema: {e}"),
                ));
            }
        }
        let user: i64 = key.trim_start_matches("Player_").parse().unwrap_or(-1);
        let held = env
            .data
            .pointer(&pointer(&plan.counter))
            .and_then(Value::as_f64)
            .unwrap_or(-1.0);
        if let Some(a) = acked.get(&user) {
            if held < *a {
                s.violations.push(Violation::new(
"ack-lost",
format!(
                    "{key}: acknowledged save lost: checkpoint confirmed {counter} = {a}, store holds {held}"
                )));
            }
        }
        if let Some(a) = released.get(&user).filter(|a| held < **a) {
            s.violations.push(Violation::new(
                "release-ack-lost",
                format!("{key}: acknowledged release lost: a release reported success with {counter} = {a}, store holds {held}"),
            ));
        }
        let ops = &env.meta.operations;
        let mut seen = BTreeSet::new();
        for r in ops.receipts.iter().filter(|r| r.status == "Applied") {
            if !seen.insert(r.id.clone()) {
                s.violations.push(Violation::new(
                    "double-apply",
                    format!("{key}: operation {} applied twice", r.id),
                ));
            }
        }
        if let Some(reward) = &plan.reward {
            if ops.receipts.len() >= plan.receipt_limit || ops.dedupe.len() >= plan.dedupe_limit {
                s.reward_pruned += 1;
                continue;
            }
            check_reward(&mut s, key, &env, reward);
        }
    }
    s
}

/// Availability: without server crashes, partitions or outages every
/// release and handoff can complete, so an open refused with `LockTimeout`
/// (a lease nobody gave back) or `SessionOpen` (a session this server never
/// closed) means one did not happen. Runs with those faults are not judged:
/// a crashed or cut-off owner legitimately holds its lease until it expires.
pub fn check_availability(s: &mut Summary, mix: &FaultMix) {
    if mix.crashes > 0 || mix.partition > 0.0 || mix.outage > 0.0 {
        return;
    }
    for code in ["LockTimeout", "SessionOpen"] {
        if let Some(n) = s.open_failure_codes.get(code).filter(|n| **n > 0) {
            s.violations.push(Violation::new(
                "unavailable",
                format!(
                    "{n} open(s) failed with {code} in a run without crashes, partitions or outages: a release or handoff did not happen"
                ),
            ));
        }
    }
}

/// Data-level double apply: the reward path holds its template default plus
/// the reward amount once per distinct applied operation ID in the ledger
/// (receipts and dedupe tombstones), since gameplay never touches it.
fn check_reward(s: &mut Summary, key: &str, env: &Envelope, reward: &RewardPlan) {
    s.reward_checked += 1;
    let ops = &env.meta.operations;
    let foreign: BTreeSet<&str> = ops
        .receipts
        .iter()
        .filter(|r| r.name != reward.operation)
        .map(|r| r.id.as_str())
        .collect();
    let applied: BTreeSet<&str> = ops
        .receipts
        .iter()
        .filter(|r| r.status == "Applied" && r.name == reward.operation)
        .map(|r| r.id.as_str())
        .chain(
            ops.dedupe
                .iter()
                .filter(|d| d.status == "Applied" && !foreign.contains(d.id.as_str()))
                .map(|d| d.id.as_str()),
        )
        .collect();
    let path = dotted(&reward.path);
    let Some(held) = env
        .data
        .pointer(&pointer(&reward.path))
        .and_then(Value::as_f64)
    else {
        s.violations.push(Violation::new(
            "reward-path-missing",
            format!("{key}: the reward path {path} is missing from the stored data"),
        ));
        return;
    };
    let n = applied.len();
    let expected = reward.base + reward.amount as f64 * n as f64;
    if held > expected {
        s.violations.push(Violation::new(
"double-apply-data",
format!(
            "{key}: operation applied twice at data level: {path} = {held}, but the ledger records {n} applied {} operation(s) of {} (expected {expected})",
            reward.operation, reward.amount
        )));
    } else if held < expected {
        s.violations.push(Violation::new(
"apply-missing",
format!(
            "{key}: applied operation missing from data: {path} = {held}, but the ledger records {n} applied {} operation(s) of {} (expected {expected})",
            reward.operation, reward.amount
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_latency_runs_from_leaving_to_ready_and_only_for_teleport_joins() {
        let report =
            |at: f64, user: i64, waited: f64| (at, "open".to_string(), user, waited, String::new());
        let reports = vec![
            report(100.5, 7, 0.5),   // teleport: left at 99, joined at 100
            report(300.25, 7, 0.25), // a fresh join of the same user
            report(50.2, 8, 0.2),    // never teleported
            (
                60.0,
                "openFailed".to_string(),
                8,
                20.0,
                "LockTimeout".to_string(),
            ),
        ];
        let joins = vec![(7, 100.0, Some(99.0)), (7, 300.0, None), (8, 50.0, None)];
        assert_eq!(handoff_latencies(&reports, &joins), vec![1.5]);
    }

    fn diff(a: Value, b: Value) -> Option<(String, String, String)> {
        first_difference(&a, &b, &mut Vec::new())
    }

    #[test]
    fn empty_tables_and_equal_numbers_are_no_difference() {
        assert_eq!(
            diff(json!({"Inventory": []}), json!({"Inventory": {}})),
            None
        );
        assert_eq!(diff(json!({"Coins": 3}), json!({"Coins": 3.0})), None);
    }

    #[test]
    fn the_first_difference_names_its_path_and_both_values() {
        let client = json!({"Wallet": {"Coins": 5}, "Inventory": [{"Id": "a"}]});
        let server = json!({"Wallet": {"Coins": 6}, "Inventory": [{"Id": "a"}, {"Id": "b"}]});
        assert_eq!(
            diff(client.clone(), server.clone()),
            Some((
                "Inventory.2".into(),
                "nothing".into(),
                r#"{"Id":"b"}"#.into()
            ))
        );
        let server = json!({"Wallet": {"Coins": 6}, "Inventory": [{"Id": "a"}]});
        assert_eq!(
            diff(client, server),
            Some(("Wallet.Coins".into(), "5".into(), "6".into()))
        );
    }

    #[test]
    fn sampling_is_seeded_distinct_and_bounded() {
        let a = sample(200, 16, 1);
        assert_eq!(a.len(), 16);
        assert!(a.iter().all(|i| *i < 200));
        assert_eq!(a, sample(200, 16, 1));
        assert_ne!(a, sample(200, 16, 2));
        assert_eq!(sample(5, 16, 1).len(), 5);
        assert!(sample(0, 16, 1).is_empty());
    }
}
