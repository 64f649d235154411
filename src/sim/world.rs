//! The universe: every simulated server and client VM, the virtual clock and
//! its scheduler heap, the shared DataStore backend, messaging and the fault
//! plan. Everything runs on one thread; nothing reads the wall clock.
//!
//! Borrow discipline: a host callback borrows the `World` only while it reads
//! or updates Rust state and never while Luau code runs, so any Luau call goes
//! through a function that first releases the borrow.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::rc::{Rc, Weak};

use mlua::{Function, Lua, MultiValue, Thread, Value as LuaValue};
use serde_json::Value;

use super::datastore::{Backend, Budgets, Faults, KeyInfo};
use super::limits::{ExperienceLimits, KeyThroughput, LimitStats, MessagingLimits};
use super::mount::Node;
use super::rng::{Rng, Trace};

/// 2026-01-01T00:00:00Z, the virtual clock's default start.
pub const EPOCH: f64 = 1_767_225_600.0;
/// One frame at 60 Hz; the shortest wait.
pub const FRAME: f64 = 1.0 / 60.0;
/// How long BindToClose callbacks may run at shutdown.
pub const BIND_TO_CLOSE_LIMIT: f64 = 30.0;
/// One-way latency of remote events between a server and its clients.
pub const REMOTE_LATENCY: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u64, u64);

fn time_key(t: f64) -> u64 {
    // non-negative times: the IEEE bits order like the values
    t.max(0.0).to_bits()
}

/// Something the scheduler does at a point in virtual time.
pub enum Wake {
    /// Resume a parked Luau thread with arguments.
    Resume {
        vm: usize,
        thread: Thread,
        args: Vec<LuaValue>,
    },
    /// Deliver a host event to a VM's Luau dispatcher.
    Event {
        vm: usize,
        name: &'static str,
        args: Vec<Value>,
    },
    /// Stop a server (end of shutdown grace period).
    Kill { vm: usize },
}

impl Wake {
    fn vm(&self) -> usize {
        match self {
            Wake::Resume { vm, .. } | Wake::Event { vm, .. } | Wake::Kill { vm } => *vm,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmKind {
    Server,
    Client { server: usize, user_id: i64 },
}

/// One line printed by a VM.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLine {
    pub time: f64,
    pub level: &'static str,
    pub text: String,
}

pub struct Vm {
    pub lua: Option<Lua>,
    pub kind: VmKind,
    pub alive: bool,
    pub closing: bool,
    pub job_id: String,
    pub started: f64,
    pub budgets: Budgets,
    pub players: Vec<i64>,
    pub clients: BTreeMap<i64, usize>,
    pub partitioned_until: f64,
    pub output: Vec<OutputLine>,
    pub cache: HashMap<(usize, String), CachedRead>,
    pub replicated: Vec<(String, String)>,
    pub resume: Option<Function>,
    pub dispatch: Option<Function>,
    /// Futures resolved when this VM stops.
    pub on_kill: Vec<u64>,
}

/// A GetAsync result cached on one server: when it was read and what it was.
pub type CachedRead = (f64, Option<(Value, KeyInfo)>);

pub struct FutureSlot {
    pub result: Option<(bool, Vec<Value>)>,
    pub waiter: Option<(usize, Thread)>,
}

pub struct Subscription {
    pub vm: usize,
    pub id: u64,
    pub topic: String,
}

/// Per-run knobs.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub start: f64,
    /// Print VM output live instead of only capturing it.
    pub echo: bool,
    /// Start a client VM for every joining player.
    pub clients: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            start: EPOCH,
            echo: false,
            clients: true,
        }
    }
}

pub struct World {
    pub now: f64,
    pub config: Config,
    seq: u64,
    heap: BinaryHeap<Reverse<Key>>,
    wakes: HashMap<u64, Wake>,
    thread_wakes: HashMap<usize, u64>,
    pub vms: Vec<Vm>,
    pub rng: Rng,
    pub backend: Backend,
    pub faults: Faults,
    /// Per-key DataStore throughput over the last minute.
    pub key_throughput: KeyThroughput,
    /// Experience-wide DataStore request limits shared by every server.
    pub experience: ExperienceLimits,
    pub messaging: MessagingLimits,
    /// Requests the limits refused and messages they dropped.
    pub limits: LimitStats,
    /// The MemoryStoreService backend shared by every server.
    pub memory: super::memorystore::MemoryStore,
    /// Teleport data of players who arrived by `TeleportAsync`, by (server, user).
    pub join_data: BTreeMap<(usize, i64), Value>,
    pub trace: Trace,
    pub requests: BTreeMap<String, u64>,
    /// Every admitted request on a standard DataStore key: (time, key,
    /// method), for the summary's requests per player-hour.
    pub key_requests: Vec<(f64, String, String)>,
    pub futures: HashMap<u64, FutureSlot>,
    next_id: u64,
    pub subscriptions: Vec<Subscription>,
    pub drop_rate: f64,
    pub message_delay: (f64, f64),
    pub package: Rc<Node>,
    /// Source of the script every new server runs besides the package's own scripts.
    pub server_script: Option<(Rc<str>, String)>,
    /// Lines from VMs that errored while no one was watching, for reports.
    pub errors: Vec<String>,
    /// Outcomes reported by scenario drivers: (time, kind, user, value, detail).
    pub reports: Vec<(f64, String, i64, f64, String)>,
    /// Writes that moved a record's `Meta.Revision` backwards (a stale owner's overwrite).
    pub stale_writes: Vec<String>,
    /// Per record (store, key): the lease its stored value holds (token and
    /// `ExpiresAt`) and when a write first stored that exact lease.
    pub leases_seen: HashMap<(usize, String), (String, f64, f64)>,
    /// Claims of a live lease no server could have known to be free.
    pub live_lease_claims: Vec<String>,
    pub events: u64,
    /// The event log of `--trace`; `None` (recording nothing) unless asked for.
    pub log: Option<super::trace::Log>,
}

pub type Shared = Rc<RefCell<World>>;
pub type WeakShared = Weak<RefCell<World>>;

impl World {
    pub fn new(config: Config, package: Rc<Node>) -> Shared {
        let now = config.start;
        let rng = Rng::new(config.seed);
        Rc::new(RefCell::new(World {
            now,
            config,
            seq: 0,
            heap: BinaryHeap::new(),
            wakes: HashMap::new(),
            thread_wakes: HashMap::new(),
            vms: Vec::new(),
            rng,
            backend: Backend::default(),
            faults: Faults::default(),
            key_throughput: KeyThroughput::default(),
            experience: ExperienceLimits::default(),
            messaging: MessagingLimits::default(),
            limits: LimitStats::default(),
            memory: Default::default(),
            join_data: BTreeMap::new(),
            trace: Trace::default(),
            requests: BTreeMap::new(),
            key_requests: Vec::new(),
            futures: HashMap::new(),
            next_id: 1,
            subscriptions: Vec::new(),
            drop_rate: 0.0,
            message_delay: (0.2, 1.5),
            package,
            server_script: None,
            errors: Vec::new(),
            reports: Vec::new(),
            stale_writes: Vec::new(),
            leases_seen: HashMap::new(),
            live_lease_claims: Vec::new(),
            events: 0,
            log: None,
        }))
    }

    /// A future the host resolves later (see `host::futureTake`).
    pub fn new_future(&mut self) -> u64 {
        let id = self.next_id();
        self.futures.insert(
            id,
            FutureSlot {
                result: None,
                waiter: None,
            },
        );
        id
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Schedules `wake` at `now + delay`.
    pub fn schedule(&mut self, delay: f64, wake: Wake) -> u64 {
        self.seq += 1;
        let seq = self.seq;
        if let Wake::Resume { thread, .. } = &wake {
            let ptr = thread.to_pointer() as usize;
            if let Some(old) = self.thread_wakes.insert(ptr, seq) {
                self.wakes.remove(&old);
            }
        }
        self.heap
            .push(Reverse(Key(time_key(self.now + delay.max(0.0)), seq)));
        self.wakes.insert(seq, wake);
        seq
    }

    /// Drops the pending wake-up of `thread`, if any.
    pub fn cancel(&mut self, thread: &Thread) {
        if let Some(seq) = self.thread_wakes.remove(&(thread.to_pointer() as usize)) {
            self.wakes.remove(&seq);
        }
    }

    /// Time of the next pending event.
    pub fn next_time(&mut self) -> Option<f64> {
        while let Some(Reverse(Key(t, seq))) = self.heap.peek().copied() {
            if self.wakes.contains_key(&seq) {
                return Some(f64::from_bits(t));
            }
            self.heap.pop();
        }
        None
    }

    fn pop(&mut self) -> Option<Wake> {
        while let Some(Reverse(Key(t, seq))) = self.heap.pop() {
            if let Some(w) = self.wakes.remove(&seq) {
                if let Wake::Resume { thread, .. } = &w {
                    let ptr = thread.to_pointer() as usize;
                    if self.thread_wakes.get(&ptr) == Some(&seq) {
                        self.thread_wakes.remove(&ptr);
                    }
                }
                let vm = w.vm();
                if !self.vms.get(vm).is_some_and(|v| v.alive) {
                    continue;
                }
                self.now = self.now.max(f64::from_bits(t));
                return Some(w);
            }
        }
        None
    }

    pub fn output(&mut self, vm: usize, level: &'static str, text: String) {
        let time = self.now - self.config.start;
        if self.config.echo {
            eprintln!("[{time:>9.3}] vm{vm} {level}: {text}");
        }
        if level == "error" {
            self.errors.push(format!("vm{vm}: {text}"));
        }
        if let Some(v) = self.vms.get_mut(vm) {
            v.output.push(OutputLine { time, level, text });
        }
    }

    pub fn players_on(&self, vm: usize) -> usize {
        self.vms.get(vm).map(|v| v.players.len()).unwrap_or(0)
    }

    /// Players online across every running server (the experience's CCU).
    pub fn ccu(&self) -> usize {
        self.vms
            .iter()
            .filter(|v| v.alive && v.kind == VmKind::Server)
            .map(|v| v.players.len())
            .sum()
    }

    /// Stops a VM: nothing it scheduled runs any more.
    pub fn kill(&mut self, vm: usize) {
        let ccu = self.ccu();
        self.experience.observe_ccu(self.now, ccu);
        let clients: Vec<usize> = self.vms[vm].clients.values().copied().collect();
        for id in std::iter::once(vm).chain(clients) {
            let v = &mut self.vms[id];
            v.alive = false;
            v.closing = false;
            v.resume = None;
            v.dispatch = None;
            v.lua = None;
            v.cache.clear();
            self.subscriptions.retain(|s| s.vm != id);
            self.messaging.forget(id);
            self.wakes.retain(|_, w| w.vm() != id);
        }
        self.trace
            .add(format!("kill {vm} @{}", self.now).as_bytes());
    }

    /// Whether an event called `name` is scheduled for `vm`, such as a remote
    /// event still in flight to a client.
    pub fn event_pending(&self, vm: usize, name: &str) -> bool {
        self.wakes
            .values()
            .any(|w| matches!(w, Wake::Event { vm: v, name: n, .. } if *v == vm && *n == name))
    }

    /// Bytes the Luau heaps of the running VMs hold.
    pub fn lua_memory(&self) -> usize {
        self.vms
            .iter()
            .filter_map(|v| v.lua.as_ref())
            .map(Lua::used_memory)
            .sum()
    }

    pub fn alive_servers(&self) -> Vec<usize> {
        self.vms
            .iter()
            .enumerate()
            .filter(|(_, v)| v.alive && v.kind == VmKind::Server)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Runs one scheduled event; false when nothing is pending before `deadline`.
pub fn step(world: &Shared, deadline: f64) -> bool {
    let (wake, func) = {
        let mut w = world.borrow_mut();
        match w.next_time() {
            Some(t) if t <= deadline => {}
            _ => return false,
        }
        let Some(wake) = w.pop() else { return false };
        w.events += 1;
        let vm = wake.vm();
        let func = match &wake {
            Wake::Resume { .. } => w.vms[vm].resume.clone(),
            Wake::Event { .. } => w.vms[vm].dispatch.clone(),
            Wake::Kill { .. } => None,
        };
        (wake, func)
    };
    match wake {
        Wake::Resume { vm, thread, args } => {
            if let Some(f) = func {
                let lua = world.borrow().vms[vm].lua.clone();
                let _budget = lua.as_ref().map(super::budget::enter);
                let mut mv = MultiValue::new();
                mv.push_back(LuaValue::Thread(thread));
                mv.extend(args);
                if let Err(e) = f.call::<()>(mv) {
                    world.borrow_mut().output(vm, "error", e.to_string());
                }
            }
        }
        Wake::Event { vm, name, args } => {
            if let Some(f) = func {
                let lua = world.borrow().vms[vm].lua.clone();
                if let Some(lua) = lua {
                    let mut mv = MultiValue::new();
                    mv.push_back(LuaValue::String(lua.create_string(name).expect("string")));
                    for a in &args {
                        mv.push_back(super::json::to_lua(&lua, a).unwrap_or(LuaValue::Nil));
                    }
                    let _budget = super::budget::enter(&lua);
                    if let Err(e) = f.call::<()>(mv) {
                        world.borrow_mut().output(vm, "error", e.to_string());
                    }
                }
            }
        }
        Wake::Kill { vm } => super::host::kill(&mut world.borrow_mut(), vm),
    }
    true
}

/// Runs events until `stop` holds or nothing is pending before `deadline`;
/// the clock then rests at the last event (or `deadline` when `advance`).
pub fn run_until(
    world: &Shared,
    deadline: f64,
    advance: bool,
    mut stop: impl FnMut(&World) -> bool,
) {
    loop {
        if stop(&world.borrow()) {
            return;
        }
        if !step(world, deadline) {
            if advance {
                let mut w = world.borrow_mut();
                w.now = w.now.max(deadline);
            }
            return;
        }
    }
}
