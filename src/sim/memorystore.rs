//! The MemoryStoreService backend shared by every server of a world: hash
//! maps, sorted maps and queues with expiration on the virtual clock, the
//! experience's request-unit and memory quotas, the per-structure limits, and
//! the seeded faults (errors, outage, a server cut off). Pure: the caller
//! passes the time, the player count and any random draw, so the same seed
//! gives the same answers. Values are JSON (what Roblox stores); their size is
//! their JSON length.
//!
//! Documented limits (create.roblox.com, memory stores): request units per
//! minute 1000 + 120 x concurrent users for the experience; memory 64 KB +
//! 1.2 KB x users, where users leaving lowers the quota only after eight days
//! (so within a run it follows the most users seen); a sorted map or queue at
//! most 1,000,000 items, 100 MB and 100,000 request units per minute; keys
//! and sort keys at most 128 characters; values at most 32 KB; expiration
//! 0-3,888,000 seconds.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

pub const MAX_EXPIRATION: f64 = 3_888_000.0;
pub const MAX_KEY: usize = 128;
pub const MAX_VALUE: usize = 32 * 1024;
pub const MAX_ITEMS: usize = 1_000_000;
pub const MAX_STRUCTURE_BYTES: usize = 100 * 1024 * 1024;
pub const STRUCTURE_UNITS_PER_MINUTE: u64 = 100_000;

/// Request units the experience may spend per minute.
pub fn unit_quota(users: u64) -> u64 {
    1000 + 120 * users
}

/// Bytes the experience may hold.
pub fn memory_quota(users: u64) -> usize {
    64 * 1024 + (users as usize * 12 * 1024) / 10
}

/// A refused or failed request: the status code scripts see and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct MsError {
    pub code: &'static str,
    pub message: String,
}

impl MsError {
    fn new(code: &'static str, message: impl Into<String>) -> MsError {
        MsError {
            code,
            message: message.into(),
        }
    }

    /// The error string a script's `pcall` gets.
    pub fn text(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

/// The status codes a fault may inject, as the `'static` text errors carry.
pub const FAULT_CODES: &[&str] = &[
    "InternalError",
    "RequestThrottled",
    "TotalRequestsOverLimit",
    "TotalMemoryOverLimit",
    "DataUpdateConflict",
    "PartitionRequestsOverLimit",
];

/// `code` as one of [`FAULT_CODES`] (`InternalError` for any other).
pub fn static_code(code: &str) -> &'static str {
    FAULT_CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("InternalError")
}

/// The three kinds of structure; one name may be used by each kind apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    HashMap,
    SortedMap,
    Queue,
}

/// A sorted map's sort key: numbers sort before strings, and items without
/// one after both.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Number(f64),
    Text(String),
}

fn order(a: &(Option<SortKey>, String), b: &(Option<SortKey>, String)) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let rank = |k: &Option<SortKey>| match k {
        Some(SortKey::Number(_)) => 0,
        Some(SortKey::Text(_)) => 1,
        None => 2,
    };
    let by_sort = match (&a.0, &b.0) {
        (Some(SortKey::Number(x)), Some(SortKey::Number(y))) => {
            x.partial_cmp(y).unwrap_or(Ordering::Equal)
        }
        (Some(SortKey::Text(x)), Some(SortKey::Text(y))) => x.cmp(y),
        (x, y) => rank(x).cmp(&rank(y)),
    };
    by_sort.then_with(|| a.1.cmp(&b.1))
}

#[derive(Debug, Clone)]
pub struct Item {
    pub value: Value,
    pub sort_key: Option<SortKey>,
    pub bytes: usize,
    pub expires: f64,
    /// Bumped by every write; `UpdateAsync` commits only over the version it read.
    pub version: u64,
}

#[derive(Debug, Clone)]
struct QueueItem {
    seq: u64,
    priority: f64,
    value: Value,
    bytes: usize,
    expires: f64,
    invisible_until: f64,
    read_id: Option<String>,
}

#[derive(Debug, Default)]
struct Structure {
    items: BTreeMap<String, Item>,
    queue: Vec<QueueItem>,
    units: VecDeque<(f64, u64)>,
}

impl Structure {
    fn purge(&mut self, now: f64) {
        self.items.retain(|_, i| i.expires > now);
        self.queue.retain(|i| i.expires > now);
        while self.units.front().is_some_and(|(t, _)| now - t >= 60.0) {
            self.units.pop_front();
        }
    }

    fn bytes(&self) -> usize {
        self.items.values().map(|i| i.bytes).sum::<usize>()
            + self.queue.iter().map(|i| i.bytes).sum::<usize>()
    }

    fn count(&self) -> usize {
        self.items.len() + self.queue.len()
    }

    fn units(&self) -> u64 {
        self.units.iter().map(|(_, u)| u).sum()
    }
}

/// Faults a spec or scenario turns on.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Each request fails with `InternalError` with this probability.
    pub error_rate: f64,
    /// The service answers `InternalError` to everyone in `[from, to)`.
    pub outage: Option<(f64, f64)>,
    /// Servers (VM index) cut off from the service until the time given.
    pub partitioned: BTreeMap<usize, f64>,
    /// The next `n` requests fail with this code.
    pub fail_next: Vec<(u32, &'static str)>,
}

/// What happened to requests, for summaries and specs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub requests: u64,
    pub units: u64,
    /// Failures by status code.
    pub failures: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    structures: BTreeMap<(Kind, String), Structure>,
    units: VecDeque<(f64, u64)>,
    peak_users: u64,
    next_seq: u64,
    pub faults: Faults,
    pub stats: Stats,
    /// Per map item: since when it has been present without a gap, and when
    /// it expires. Ground truth for oracles (a lapse leaves no trace in the
    /// items themselves once the key is written again).
    presence: BTreeMap<(Kind, String, String), (f64, f64)>,
}

/// One request's context.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub now: f64,
    pub vm: usize,
    /// Players on every running server now.
    pub users: u64,
    /// A uniform draw in [0, 1) for the seeded error rate.
    pub draw: f64,
}

fn check_key(key: &str) -> Result<(), MsError> {
    if key.is_empty() {
        return Err(MsError::new("InvalidRequest", "The key must not be empty."));
    }
    if key.chars().count() > MAX_KEY {
        return Err(MsError::new(
            "InvalidRequest",
            format!("The key is longer than {MAX_KEY} characters."),
        ));
    }
    Ok(())
}

/// Checks an expiration argument (seconds) and gives the absolute expiry.
pub fn expiry(now: f64, seconds: f64) -> Result<f64, MsError> {
    if !(0.0..=MAX_EXPIRATION).contains(&seconds) || seconds.is_nan() {
        return Err(MsError::new(
            "InvalidExpirationTime",
            "The field 'expiration' time must be between 0 and 3,888,000.",
        ));
    }
    Ok(now + seconds)
}

fn value_bytes(value: &Value) -> Result<usize, MsError> {
    let n = value.to_string().len();
    if n > MAX_VALUE {
        return Err(MsError::new(
            "ItemValueSizeTooLarge",
            format!("Value size exceeds limit (32KB): {n} bytes."),
        ));
    }
    Ok(n)
}

impl MemoryStore {
    /// The memory every live item takes now.
    pub fn memory_used(&mut self, now: f64) -> usize {
        self.structures.values_mut().for_each(|s| s.purge(now));
        self.structures.values().map(Structure::bytes).sum()
    }

    fn units_used(&mut self, now: f64) -> u64 {
        while self.units.front().is_some_and(|(t, _)| now - t >= 60.0) {
            self.units.pop_front();
        }
        self.units.iter().map(|(_, u)| u).sum()
    }

    fn fail(&mut self, e: MsError) -> MsError {
        *self.stats.failures.entry(e.code.to_string()).or_default() += 1;
        e
    }

    /// Admits a request of `units` to structure (`kind`, `name`): faults first,
    /// then the experience's and the structure's request quotas. A refused
    /// request spends nothing.
    pub fn admit(&mut self, call: Call, kind: Kind, name: &str, units: u64) -> Result<(), MsError> {
        self.stats.requests += 1;
        self.peak_users = self.peak_users.max(call.users);
        if let Some(i) = self.faults.fail_next.iter().position(|(n, _)| *n > 0) {
            let code = self.faults.fail_next[i].1;
            self.faults.fail_next[i].0 -= 1;
            if self.faults.fail_next[i].0 == 0 {
                self.faults.fail_next.remove(i);
            }
            return Err(self.fail(MsError::new(code, "Injected failure.")));
        }
        let cut_off = self
            .faults
            .partitioned
            .get(&call.vm)
            .is_some_and(|until| call.now < *until);
        let outage = self
            .faults
            .outage
            .is_some_and(|(from, to)| call.now >= from && call.now < to);
        if cut_off || outage || call.draw < self.faults.error_rate {
            return Err(self.fail(MsError::new("InternalError", "Internal Error.")));
        }
        if self.units_used(call.now) + units > unit_quota(call.users) {
            return Err(self.fail(MsError::new(
                "RequestThrottled",
                "Recent MemoryStores requests hit one or more limits (TotalRequestsOverLimit).",
            )));
        }
        let s = self.structures.entry((kind, name.to_string())).or_default();
        s.purge(call.now);
        if kind != Kind::HashMap && s.units() + units > STRUCTURE_UNITS_PER_MINUTE {
            return Err(self.fail(MsError::new(
                "RequestThrottled",
                "Recent MemoryStores requests hit one or more limits (DataStructureRequestsOverLimit).",
            )));
        }
        s.units.push_back((call.now, units));
        self.units.push_back((call.now, units));
        self.stats.units += units;
        Ok(())
    }

    /// Charges units after the fact (items a range read returned beyond the one admitted).
    pub fn charge(&mut self, now: f64, kind: Kind, name: &str, units: u64) {
        if units == 0 {
            return;
        }
        self.units.push_back((now, units));
        self.stats.units += units;
        if let Some(s) = self.structures.get_mut(&(kind, name.to_string())) {
            s.units.push_back((now, units));
        }
    }

    /// Refuses a write that would grow memory past the quota or the structure past its limits.
    fn room(
        &mut self,
        call: Call,
        kind: Kind,
        name: &str,
        old: usize,
        new: usize,
        new_items: usize,
    ) -> Result<(), MsError> {
        if new <= old {
            return Ok(());
        }
        let used = self.memory_used(call.now);
        if used - old + new > memory_quota(self.peak_users.max(call.users)) {
            return Err(self.fail(MsError::new(
                "TotalMemoryOverLimit",
                "Exceeds universe-level memory quota.",
            )));
        }
        if kind != Kind::HashMap {
            let s = self.structures.entry((kind, name.to_string())).or_default();
            if s.bytes() - old + new > MAX_STRUCTURE_BYTES {
                return Err(self.fail(MsError::new(
                    "DataStructureMemoryOverLimit",
                    "Exceeds data structure level memory size limit (100MB).",
                )));
            }
            if s.count() + new_items > MAX_ITEMS {
                return Err(self.fail(MsError::new(
                    "DataStructureItemsOverLimit",
                    "Exceeds data structure level item count limit (1M).",
                )));
            }
        }
        Ok(())
    }

    fn structure(&mut self, kind: Kind, name: &str, now: f64) -> &mut Structure {
        let s = self.structures.entry((kind, name.to_string())).or_default();
        s.purge(now);
        s
    }

    /// A live item of a hash or sorted map.
    pub fn get(&mut self, kind: Kind, name: &str, key: &str, now: f64) -> Option<Item> {
        self.structure(kind, name, now).items.get(key).cloned()
    }

    /// Writes an item; `expect` makes it a compare-and-set over the version
    /// an `UpdateAsync` read (`Some(0)`: the key was absent). Returns whether
    /// the key is new, or `Ok(None)` on a conflict.
    #[allow(clippy::too_many_arguments)]
    pub fn set(
        &mut self,
        call: Call,
        kind: Kind,
        name: &str,
        key: &str,
        value: Value,
        sort_key: Option<SortKey>,
        expires_in: f64,
        expect: Option<u64>,
    ) -> Result<Option<bool>, MsError> {
        check_key(key).map_err(|e| self.fail(e))?;
        if let Some(SortKey::Text(s)) = &sort_key {
            if s.chars().count() > MAX_KEY {
                return Err(self.fail(MsError::new(
                    "InvalidRequest",
                    format!("The sort key is longer than {MAX_KEY} characters."),
                )));
            }
        }
        let expires = expiry(call.now, expires_in).map_err(|e| self.fail(e))?;
        let bytes = value_bytes(&value).map_err(|e| self.fail(e))? + key.len();
        let current = self.get(kind, name, key, call.now);
        let version = current.as_ref().map_or(0, |i| i.version);
        if expect.is_some_and(|v| v != version) {
            return Ok(None);
        }
        let old = current.as_ref().map_or(0, |i| i.bytes);
        self.room(call, kind, name, old, bytes, usize::from(current.is_none()))?;
        self.next_seq += 1;
        let item = Item {
            value,
            sort_key,
            bytes,
            expires,
            version: self.next_seq,
        };
        self.structure(kind, name, call.now)
            .items
            .insert(key.to_string(), item);
        let seen = self
            .presence
            .entry((kind, name.to_string(), key.to_string()))
            .or_insert((call.now, expires));
        if seen.1 <= call.now {
            seen.0 = call.now;
        }
        seen.1 = expires;
        Ok(Some(current.is_none()))
    }

    /// Removes an item; `expect` as for [`MemoryStore::set`]. `Ok(false)` on a conflict.
    pub fn remove(
        &mut self,
        kind: Kind,
        name: &str,
        key: &str,
        now: f64,
        expect: Option<u64>,
    ) -> Result<bool, MsError> {
        check_key(key).map_err(|e| self.fail(e))?;
        let s = self.structure(kind, name, now);
        let version = s.items.get(key).map_or(0, |i| i.version);
        if expect.is_some_and(|v| v != version) {
            return Ok(false);
        }
        s.items.remove(key);
        self.presence
            .remove(&(kind, name.to_string(), key.to_string()));
        Ok(true)
    }

    /// Whether the item was present at every moment of `[from, to]`: written
    /// at or before `from` and neither expired nor removed since.
    pub fn present_throughout(
        &self,
        kind: Kind,
        name: &str,
        key: &str,
        from: f64,
        to: f64,
    ) -> bool {
        self.presence
            .get(&(kind, name.to_string(), key.to_string()))
            .is_some_and(|(since, expires)| *since <= from && *expires > to)
    }

    /// A sorted map's items in order (`descending` reversed), strictly
    /// between the bounds, at most `count`.
    pub fn range(
        &mut self,
        name: &str,
        now: f64,
        descending: bool,
        count: usize,
        lower: Option<(Option<SortKey>, String)>,
        upper: Option<(Option<SortKey>, String)>,
    ) -> Vec<(String, Item)> {
        let s = self.structure(Kind::SortedMap, name, now);
        let mut all: Vec<(String, Item)> = s
            .items
            .iter()
            .map(|(k, i)| (k.clone(), i.clone()))
            .collect();
        all.sort_by(|a, b| {
            order(
                &(a.1.sort_key.clone(), a.0.clone()),
                &(b.1.sort_key.clone(), b.0.clone()),
            )
        });
        let above = |k: &(Option<SortKey>, String)| {
            lower
                .as_ref()
                .is_none_or(|l| order(k, l) == std::cmp::Ordering::Greater)
        };
        let below = |k: &(Option<SortKey>, String)| {
            upper
                .as_ref()
                .is_none_or(|u| order(k, u) == std::cmp::Ordering::Less)
        };
        let mut inside: Vec<(String, Item)> = all
            .into_iter()
            .filter(|(k, i)| {
                let pos = (i.sort_key.clone(), k.clone());
                above(&pos) && below(&pos)
            })
            .collect();
        if descending {
            inside.reverse();
        }
        inside.truncate(count);
        inside
    }

    /// Live items of a structure (a queue counts invisible items unless `visible_only`).
    pub fn size(&mut self, kind: Kind, name: &str, now: f64, visible_only: bool) -> usize {
        let s = self.structure(kind, name, now);
        match kind {
            Kind::Queue => s
                .queue
                .iter()
                .filter(|i| !visible_only || i.invisible_until <= now)
                .count(),
            _ => s.items.len(),
        }
    }

    /// A hash map's keys in order, for listing.
    pub fn keys(&mut self, kind: Kind, name: &str, now: f64) -> Vec<String> {
        self.structure(kind, name, now)
            .items
            .keys()
            .cloned()
            .collect()
    }

    /// Adds a value to a queue: higher priority is read first, then first in first out.
    pub fn enqueue(
        &mut self,
        call: Call,
        name: &str,
        value: Value,
        expires_in: f64,
        priority: f64,
    ) -> Result<(), MsError> {
        let expires = expiry(call.now, expires_in).map_err(|e| self.fail(e))?;
        let bytes = value_bytes(&value).map_err(|e| self.fail(e))?;
        self.room(call, Kind::Queue, name, 0, bytes, 1)?;
        self.next_seq += 1;
        let seq = self.next_seq;
        self.structure(Kind::Queue, name, call.now)
            .queue
            .push(QueueItem {
                seq,
                priority,
                value,
                bytes,
                expires,
                invisible_until: 0.0,
                read_id: None,
            });
        Ok(())
    }

    /// Reads up to `count` visible items and hides them for `invisibility`
    /// seconds under one read id; with `all_or_nothing`, fewer than `count`
    /// visible items read nothing.
    pub fn dequeue(
        &mut self,
        name: &str,
        now: f64,
        count: usize,
        all_or_nothing: bool,
        invisibility: f64,
        read_id: &str,
    ) -> Vec<Value> {
        let s = self.structure(Kind::Queue, name, now);
        let mut visible: Vec<usize> = (0..s.queue.len())
            .filter(|&i| s.queue[i].invisible_until <= now)
            .collect();
        visible.sort_by(|&a, &b| {
            let (x, y) = (&s.queue[a], &s.queue[b]);
            y.priority
                .partial_cmp(&x.priority)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(x.seq.cmp(&y.seq))
        });
        if all_or_nothing && visible.len() < count {
            return Vec::new();
        }
        visible.truncate(count);
        visible
            .into_iter()
            .map(|i| {
                let item = &mut s.queue[i];
                item.invisible_until = now + invisibility;
                item.read_id = Some(read_id.to_string());
                item.value.clone()
            })
            .collect()
    }

    /// Removes the items read under `read_id` that are still hidden by that
    /// read; false when the id names no such item (expired invisibility,
    /// unknown id).
    pub fn remove_read(&mut self, name: &str, now: f64, read_id: &str) -> bool {
        let s = self.structure(Kind::Queue, name, now);
        let before = s.queue.len();
        s.queue
            .retain(|i| !(i.read_id.as_deref() == Some(read_id) && i.invisible_until > now));
        s.queue.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(now: f64) -> Call {
        Call {
            now,
            vm: 0,
            users: 0,
            draw: 0.5,
        }
    }

    #[test]
    fn items_expire_on_the_virtual_clock() {
        let mut m = MemoryStore::default();
        m.set(
            call(0.0),
            Kind::HashMap,
            "h",
            "k",
            Value::from(1),
            None,
            30.0,
            None,
        )
        .unwrap();
        assert!(m.get(Kind::HashMap, "h", "k", 29.9).is_some());
        assert!(m.get(Kind::HashMap, "h", "k", 30.0).is_none());
    }

    #[test]
    fn sorted_map_orders_numbers_then_strings_then_no_sort_key() {
        let mut m = MemoryStore::default();
        for (k, sk) in [
            ("player0", None),
            ("player6", Some(SortKey::Text("s".into()))),
            ("player5", Some(SortKey::Number(1.0))),
            ("player4", Some(SortKey::Number(1.0))),
            ("player1", Some(SortKey::Number(-1.0))),
        ] {
            m.set(
                call(0.0),
                Kind::SortedMap,
                "s",
                k,
                Value::Null,
                sk,
                60.0,
                None,
            )
            .unwrap();
        }
        let keys: Vec<String> = m
            .range("s", 1.0, false, 10, None, None)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            ["player1", "player4", "player5", "player6", "player0"]
        );
    }

    #[test]
    fn a_queue_hides_read_items_until_the_invisibility_timeout() {
        let mut m = MemoryStore::default();
        m.enqueue(call(0.0), "q", Value::from("a"), 600.0, 0.0)
            .unwrap();
        assert_eq!(m.dequeue("q", 1.0, 1, false, 30.0, "r1").len(), 1);
        assert!(m.dequeue("q", 2.0, 1, false, 30.0, "r2").is_empty());
        assert_eq!(m.dequeue("q", 31.0, 1, false, 30.0, "r3").len(), 1);
        assert!(!m.remove_read("q", 32.0, "r1"));
        assert!(m.remove_read("q", 32.0, "r3"));
        assert_eq!(m.size(Kind::Queue, "q", 40.0, false), 0);
    }

    #[test]
    fn request_units_are_capped_per_minute_for_the_experience() {
        let mut m = MemoryStore::default();
        for _ in 0..1000 {
            m.admit(call(0.0), Kind::HashMap, "h", 1).unwrap();
        }
        let e = m.admit(call(1.0), Kind::HashMap, "h", 1).unwrap_err();
        assert_eq!(e.code, "RequestThrottled");
        assert!(m.admit(call(60.0), Kind::HashMap, "h", 1).is_ok());
    }

    #[test]
    fn memory_quota_refuses_growth_but_not_shrinking() {
        let mut m = MemoryStore::default();
        let big = Value::String("x".repeat(30 * 1024));
        m.set(
            call(0.0),
            Kind::HashMap,
            "h",
            "a",
            big.clone(),
            None,
            600.0,
            None,
        )
        .unwrap();
        m.set(
            call(0.0),
            Kind::HashMap,
            "h",
            "b",
            big.clone(),
            None,
            600.0,
            None,
        )
        .unwrap();
        let e = m
            .set(call(0.0), Kind::HashMap, "h", "c", big, None, 600.0, None)
            .unwrap_err();
        assert_eq!(e.code, "TotalMemoryOverLimit");
        m.set(
            call(0.0),
            Kind::HashMap,
            "h",
            "a",
            Value::from(1),
            None,
            600.0,
            None,
        )
        .unwrap();
    }
}
