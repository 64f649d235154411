//! Roblox's rate limits that are not per-server request budgets: per-key
//! DataStore throughput, the experience-wide DataStore limits shared by every
//! server, and the MessagingService send, receive and subscription limits.
//! Each counts over a rolling one-minute window on the virtual clock. Pure
//! Rust, so each rule is tested directly; `host` applies them to requests.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::datastore::BudgetKind;

/// Length of the rolling window every limit here counts over, in seconds.
pub const WINDOW: f64 = 60.0;
/// Per-key read throughput: 25 MB per minute, counted in whole kilobytes.
pub const KEY_READ_KB_PER_MINUTE: u64 = 25 * 1024;
/// Per-key write throughput: 4 MB per minute, counted in whole kilobytes.
pub const KEY_WRITE_KB_PER_MINUTE: u64 = 4 * 1024;
/// Subscribe requests one server may make per minute.
pub const SUBSCRIBE_REQUESTS_PER_MINUTE: u64 = 240;

/// Amounts spent over the last minute.
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    entries: VecDeque<(f64, u64)>,
    total: u64,
}

impl RateWindow {
    fn prune(&mut self, now: f64) {
        while let Some(&(at, amount)) = self.entries.front() {
            if at > now - WINDOW {
                break;
            }
            self.entries.pop_front();
            self.total -= amount;
        }
    }

    /// What was spent in the minute up to `now`.
    pub fn used(&mut self, now: f64) -> u64 {
        self.prune(now);
        self.total
    }

    /// Whether `amount` more stays within `limit`.
    pub fn fits(&mut self, now: f64, amount: u64, limit: u64) -> bool {
        self.used(now) + amount <= limit
    }

    pub fn spend(&mut self, now: f64, amount: u64) {
        self.prune(now);
        self.entries.push_back((now, amount));
        self.total += amount;
    }

    /// Spends `amount` when it stays within `limit`; spends nothing and
    /// returns false otherwise.
    pub fn try_spend(&mut self, now: f64, amount: u64, limit: u64) -> bool {
        if !self.fits(now, amount, limit) {
            return false;
        }
        self.spend(now, amount);
        true
    }
}

/// A request size as the throughput limits count it: whole kilobytes,
/// rounded up, at least one.
pub fn kilobytes(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(1024).max(1)
}

/// A limit that refused a request or dropped a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    KeyRead,
    KeyWrite,
    ExperienceRead,
    ExperienceWrite,
    ExperienceList,
    Publish,
    SubscribeRequests,
    Subscriptions,
}

impl Throttle {
    /// The name world stats and `vstore sim` print.
    pub fn name(self) -> &'static str {
        match self {
            Throttle::KeyRead => "key read throughput",
            Throttle::KeyWrite => "key write throughput",
            Throttle::ExperienceRead => "experience reads",
            Throttle::ExperienceWrite => "experience writes",
            Throttle::ExperienceList => "experience lists",
            Throttle::Publish => "message sends",
            Throttle::SubscribeRequests => "subscribe requests",
            Throttle::Subscriptions => "subscriptions",
        }
    }

    /// The error string a refused request raises. DataStore throttles the
    /// backend applies (per key, per experience) come back from the web API as
    /// HTTP 429, which the engine reports as 502; the name after the colon
    /// says which limit it was.
    pub fn message(self) -> String {
        let reason = match self {
            Throttle::KeyRead => "KeyThrottled: this key's read throughput (25 MB per minute) is used up",
            Throttle::KeyWrite => "KeyThrottled: this key's write throughput (4 MB per minute) is used up",
            Throttle::ExperienceRead => "DatastoreThrottled: the experience's reads (300 + 40 x CCU per minute) are used up",
            Throttle::ExperienceWrite => "DatastoreThrottled: the experience's writes (300 + 20 x CCU per minute) are used up",
            Throttle::ExperienceList => "DatastoreThrottled: the experience's list requests (300 + 2 x CCU per minute) are used up",
            Throttle::Publish => return "PublishAsync request was throttled: too many messages (600 + 240 x players per minute per server).".into(),
            Throttle::SubscribeRequests => return "SubscribeAsync request was throttled: too many subscribe requests (240 per minute per server).".into(),
            Throttle::Subscriptions => return "SubscribeAsync failed: too many subscriptions on this server (20 + 8 x players).".into(),
        };
        format!("502: API Services rejected request with error. HTTP 429 (Too Many Requests). {reason}.")
    }
}

/// Direction of a per-key throughput charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Read,
    Write,
}

/// Per-key DataStore throughput, keyed by (store, key).
#[derive(Debug, Default)]
pub struct KeyThroughput {
    windows: HashMap<(usize, String), [RateWindow; 2]>,
}

impl KeyThroughput {
    /// Charges a request of `bytes` to `key`; refuses it, charging nothing,
    /// when the key's minute would go over its limit.
    pub fn charge(
        &mut self,
        store: usize,
        key: &str,
        flow: Flow,
        bytes: usize,
        now: f64,
    ) -> Result<(), Throttle> {
        let windows = self.windows.entry((store, key.to_string())).or_default();
        let (window, limit, throttle) = match flow {
            Flow::Read => (&mut windows[0], KEY_READ_KB_PER_MINUTE, Throttle::KeyRead),
            Flow::Write => (&mut windows[1], KEY_WRITE_KB_PER_MINUTE, Throttle::KeyWrite),
        };
        if window.try_spend(now, kilobytes(bytes), limit) {
            Ok(())
        } else {
            Err(throttle)
        }
    }
}

/// The experience-wide DataStore request limits every server shares.
///
/// The limits scale with the experience's CCU, a figure Roblox aggregates
/// rather than samples per request; the emulation uses the highest CCU seen
/// in the last minute, so the saves of players leaving together are not
/// judged against the emptier experience they leave behind.
#[derive(Debug, Default)]
pub struct ExperienceLimits {
    /// read, write, list
    windows: [RateWindow; 3],
    /// (time, CCU) observations, CCU strictly decreasing from the front: the
    /// front is the highest CCU of the last minute.
    ccu_peaks: VecDeque<(f64, usize)>,
}

fn experience_slot(kind: BudgetKind) -> usize {
    match kind {
        BudgetKind::StandardRead | BudgetKind::OrderedRead => 0,
        BudgetKind::StandardWrite
        | BudgetKind::StandardRemove
        | BudgetKind::OrderedWrite
        | BudgetKind::OrderedRemove => 1,
        BudgetKind::StandardList | BudgetKind::OrderedList => 2,
    }
}

impl ExperienceLimits {
    /// Requests per minute of each slot with `ccu` players online in the experience.
    pub fn per_minute(slot: usize, ccu: usize) -> u64 {
        let ccu = ccu as u64;
        match slot {
            0 => 300 + 40 * ccu,
            1 => 300 + 20 * ccu,
            _ => 300 + 2 * ccu,
        }
    }

    /// Records the experience's CCU at `now` (call before players leave).
    pub fn observe_ccu(&mut self, now: f64, ccu: usize) {
        while self.ccu_peaks.back().is_some_and(|&(_, c)| c <= ccu) {
            self.ccu_peaks.pop_back();
        }
        self.ccu_peaks.push_back((now, ccu));
    }

    /// The CCU the limits use at `now`: the highest seen in the last minute.
    pub fn ccu(&mut self, now: f64) -> usize {
        while self
            .ccu_peaks
            .front()
            .is_some_and(|&(at, _)| at <= now - WINDOW)
        {
            self.ccu_peaks.pop_front();
        }
        self.ccu_peaks.front().map_or(0, |&(_, c)| c)
    }

    /// Admits a request drawing on `kinds` (UpdateAsync counts as a read and
    /// a write) with `ccu` players online now, or names the limit it would
    /// exceed; a refused request counts against nothing.
    pub fn admit(&mut self, kinds: &[BudgetKind], now: f64, ccu: usize) -> Result<(), Throttle> {
        self.observe_ccu(now, ccu);
        let ccu = self.ccu(now);
        for kind in kinds {
            let slot = experience_slot(*kind);
            if !self.windows[slot].fits(now, 1, Self::per_minute(slot, ccu)) {
                return Err(match slot {
                    0 => Throttle::ExperienceRead,
                    1 => Throttle::ExperienceWrite,
                    _ => Throttle::ExperienceList,
                });
            }
        }
        for kind in kinds {
            self.windows[experience_slot(*kind)].spend(now, 1);
        }
        Ok(())
    }
}

/// Why a published message did not reach a subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The seeded loss rate (`sim.messaging.dropRate`).
    Loss,
    /// The receiving server is partitioned.
    Partition,
    /// The topic received 40 + 80 x servers messages in the last minute.
    TopicReceiveLimit,
    /// The experience received 400 + 200 x servers messages in the last minute.
    GameReceiveLimit,
}

impl DropReason {
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "lost",
            DropReason::Partition => "partitioned receiver",
            DropReason::TopicReceiveLimit => "topic receive limit",
            DropReason::GameReceiveLimit => "game receive limit",
        }
    }
}

/// MessagingService limits: sends and subscribe requests per server, and
/// receives per topic and per experience.
#[derive(Debug, Default)]
pub struct MessagingLimits {
    sends: HashMap<usize, RateWindow>,
    subscribe_requests: HashMap<usize, RateWindow>,
    topic_receives: HashMap<String, RateWindow>,
    game_receives: RateWindow,
}

impl MessagingLimits {
    pub fn send_per_minute(players: usize) -> u64 {
        600 + 240 * players as u64
    }

    pub fn subscriptions_allowed(players: usize) -> usize {
        20 + 8 * players
    }

    pub fn topic_receives_per_minute(servers: usize) -> u64 {
        40 + 80 * servers as u64
    }

    pub fn game_receives_per_minute(servers: usize) -> u64 {
        400 + 200 * servers as u64
    }

    /// One PublishAsync from `server` with `players` players.
    pub fn send(&mut self, server: usize, players: usize, now: f64) -> Result<(), Throttle> {
        let limit = Self::send_per_minute(players);
        if self
            .sends
            .entry(server)
            .or_default()
            .try_spend(now, 1, limit)
        {
            Ok(())
        } else {
            Err(Throttle::Publish)
        }
    }

    /// One SubscribeAsync from `server`, which holds `active` subscriptions.
    pub fn subscribe(
        &mut self,
        server: usize,
        players: usize,
        active: usize,
        now: f64,
    ) -> Result<(), Throttle> {
        let window = self.subscribe_requests.entry(server).or_default();
        if !window.try_spend(now, 1, SUBSCRIBE_REQUESTS_PER_MINUTE) {
            return Err(Throttle::SubscribeRequests);
        }
        if active >= Self::subscriptions_allowed(players) {
            return Err(Throttle::Subscriptions);
        }
        Ok(())
    }

    /// One delivery of a message on `topic` to a subscriber, with `servers`
    /// servers running: admitted, or the limit that drops it.
    pub fn receive(&mut self, topic: &str, servers: usize, now: f64) -> Result<(), DropReason> {
        let topic_limit = Self::topic_receives_per_minute(servers);
        let game_limit = Self::game_receives_per_minute(servers);
        let window = self.topic_receives.entry(topic.to_string()).or_default();
        if !window.fits(now, 1, topic_limit) {
            return Err(DropReason::TopicReceiveLimit);
        }
        if !self.game_receives.fits(now, 1, game_limit) {
            return Err(DropReason::GameReceiveLimit);
        }
        window.spend(now, 1);
        self.game_receives.spend(now, 1);
        Ok(())
    }

    /// Forgets a stopped server's windows.
    pub fn forget(&mut self, server: usize) {
        self.sends.remove(&server);
        self.subscribe_requests.remove(&server);
    }
}

/// What the limits refused or dropped over a run, for reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LimitStats {
    /// Requests refused, by the limit's name.
    pub throttled: BTreeMap<String, u64>,
    /// Messages dropped before delivery, by reason.
    pub dropped_messages: BTreeMap<String, u64>,
}

impl LimitStats {
    pub fn throttle(&mut self, t: Throttle) {
        *self.throttled.entry(t.name().to_string()).or_default() += 1;
    }

    pub fn drop_message(&mut self, d: DropReason) {
        *self
            .dropped_messages
            .entry(d.name().to_string())
            .or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rolling_window_forgets_spending_older_than_a_minute() {
        let mut w = RateWindow::default();
        assert!(w.try_spend(0.0, 3, 4));
        assert!(!w.try_spend(30.0, 2, 4));
        assert!(w.try_spend(30.0, 1, 4));
        assert!(!w.try_spend(59.9, 1, 4));
        // the first spend leaves the window at t = 60
        assert!(w.try_spend(60.0, 3, 4));
        assert_eq!(w.used(60.0), 4);
        assert_eq!(w.used(120.0), 0);
    }

    #[test]
    fn requests_count_in_whole_kilobytes_rounded_up() {
        assert_eq!(kilobytes(0), 1);
        assert_eq!(kilobytes(1), 1);
        assert_eq!(kilobytes(1024), 1);
        assert_eq!(kilobytes(1025), 2);
        assert_eq!(kilobytes(4_194_304), 4096);
    }

    #[test]
    fn a_key_takes_four_megabytes_of_writes_per_minute_and_reads_separately() {
        let mut t = KeyThroughput::default();
        for _ in 0..4096 {
            t.charge(0, "k", Flow::Write, 10, 0.0).unwrap();
        }
        assert_eq!(
            t.charge(0, "k", Flow::Write, 10, 1.0),
            Err(Throttle::KeyWrite)
        );
        // other keys and stores, and reads of the same key, are separate
        t.charge(0, "other", Flow::Write, 10, 1.0).unwrap();
        t.charge(1, "k", Flow::Write, 10, 1.0).unwrap();
        t.charge(0, "k", Flow::Read, 25 * 1024 * 1024, 1.0).unwrap();
        assert_eq!(t.charge(0, "k", Flow::Read, 1, 2.0), Err(Throttle::KeyRead));
        t.charge(0, "k", Flow::Write, 10, 60.0).unwrap();
    }

    #[test]
    fn experience_limits_grow_with_ccu_and_update_needs_read_and_write() {
        let mut e = ExperienceLimits::default();
        let write = [BudgetKind::StandardWrite];
        for _ in 0..320 {
            e.admit(&write, 0.0, 1).unwrap();
        }
        assert_eq!(e.admit(&write, 0.0, 1), Err(Throttle::ExperienceWrite));
        // one more player online raises the write limit by 20 (to 340)
        for _ in 0..20 {
            e.admit(&write, 0.0, 2).unwrap();
        }
        let update = [BudgetKind::StandardRead, BudgetKind::StandardWrite];
        assert_eq!(e.admit(&update, 0.0, 2), Err(Throttle::ExperienceWrite));
        // the refused UpdateAsync spent no read either: 380 reads remain
        for _ in 0..380 {
            e.admit(&[BudgetKind::OrderedRead], 0.0, 2).unwrap();
        }
        assert_eq!(
            e.admit(&[BudgetKind::StandardRead], 0.0, 2),
            Err(Throttle::ExperienceRead)
        );
        for _ in 0..304 {
            e.admit(&[BudgetKind::OrderedList], 0.0, 2).unwrap();
        }
        assert_eq!(
            e.admit(&[BudgetKind::StandardList], 0.0, 2),
            Err(Throttle::ExperienceList)
        );
        e.admit(&update, 61.0, 0).unwrap();
    }

    #[test]
    fn experience_limits_use_the_highest_ccu_of_the_last_minute() {
        let mut e = ExperienceLimits::default();
        let write = [BudgetKind::StandardWrite];
        e.observe_ccu(0.0, 10);
        e.observe_ccu(1.0, 0);
        // everyone left, but the minute still counts ten players: 500 writes
        for _ in 0..500 {
            e.admit(&write, 2.0, 0).unwrap();
        }
        assert_eq!(e.admit(&write, 2.0, 0), Err(Throttle::ExperienceWrite));
        assert_eq!(e.ccu(59.0), 10);
        assert_eq!(e.ccu(60.5), 0);
        e.observe_ccu(70.0, 3);
        e.observe_ccu(80.0, 5);
        e.observe_ccu(90.0, 4);
        assert_eq!(e.ccu(100.0), 5);
        assert_eq!(e.ccu(140.5), 4);
    }

    #[test]
    fn messaging_limits_scale_with_players_and_servers() {
        let mut m = MessagingLimits::default();
        for _ in 0..840 {
            m.send(0, 1, 0.0).unwrap();
        }
        assert_eq!(m.send(0, 1, 0.0), Err(Throttle::Publish));
        m.send(1, 0, 0.0).unwrap();
        assert_eq!(m.subscribe(0, 1, 28, 0.0), Err(Throttle::Subscriptions));
        m.subscribe(0, 1, 27, 0.0).unwrap();
        for _ in 0..238 {
            m.subscribe(0, 0, 0, 1.0).unwrap();
        }
        assert_eq!(m.subscribe(0, 0, 0, 2.0), Err(Throttle::SubscribeRequests));
        for _ in 0..120 {
            m.receive("t", 1, 0.0).unwrap();
        }
        assert_eq!(m.receive("t", 1, 0.0), Err(DropReason::TopicReceiveLimit));
        for i in 0..480 {
            m.receive(&format!("u{i}"), 1, 0.0).unwrap();
        }
        assert_eq!(
            m.receive("fresh", 1, 0.0),
            Err(DropReason::GameReceiveLimit)
        );
        m.receive("t", 1, 60.0).unwrap();
    }
}
