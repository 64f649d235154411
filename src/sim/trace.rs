//! Event traces of a `vstore sim` run (`--trace FILE`), to read a
//! reproduction: players joining and leaving, the driver's outcomes, every
//! read and write of a record, injected faults, crashes and outages, and the
//! violations, in virtual time. It owns the event log a world carries when a
//! trace is asked for, the calls that fill it, and the two file formats; it
//! never changes what a run does (the log is off unless asked for, and the
//! trace hash never sees it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{json, Value};

use super::world::World;

/// One thing that happened, `t` virtual seconds after the run started.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub t: f64,
    pub kind: &'static str,
    pub player: Option<i64>,
    /// The VM of the server it happened on.
    pub server: Option<usize>,
    /// The DataStore key it touched.
    pub key: Option<String>,
    pub detail: String,
}

impl Event {
    pub fn new(kind: &'static str) -> Event {
        Event {
            t: 0.0,
            kind,
            player: None,
            server: None,
            key: None,
            detail: String::new(),
        }
    }

    pub fn at(mut self, t: f64) -> Event {
        self.t = t;
        self
    }

    pub fn player(mut self, user_id: i64) -> Event {
        self.player = Some(user_id);
        self
    }

    pub fn server(mut self, vm: usize) -> Event {
        self.server = Some(vm);
        self
    }

    pub fn key(mut self, key: &str) -> Event {
        self.key = Some(key.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Event {
        self.detail = detail.into();
        self
    }

    /// The player this event is about: its own, or the one its key names.
    fn user(&self) -> Option<i64> {
        self.player
            .or_else(|| self.key.as_deref().and_then(user_of_key))
    }

    fn json(&self) -> Value {
        let mut o = json!({"t": round_ms(self.t), "event": self.kind});
        if let Some(p) = self.player {
            o["player"] = json!(p);
        }
        if let Some(s) = self.server {
            o["server"] = json!(s);
        }
        if let Some(k) = &self.key {
            o["key"] = json!(k);
        }
        if !self.detail.is_empty() {
            o["detail"] = json!(self.detail);
        }
        o
    }
}

fn round_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}

/// `Player_1003` -> 1003, the key convention of the scenario driver.
pub fn user_of_key(key: &str) -> Option<i64> {
    key.strip_prefix("Player_")?.parse().ok()
}

/// The events a world records while a trace is asked for, and the record
/// paths whose values each write shows.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub events: Vec<Event>,
    /// (label, JSON pointer into the stored record), such as
    /// `("Wallet.Gems", "/Data/Wallet/Gems")`.
    pub watch: Vec<(String, String)>,
}

fn push(w: &mut World, event: Event) {
    let t = w.now - w.config.start;
    if let Some(log) = w.log.as_mut() {
        log.events.push(event.at(t));
    }
}

/// Records `event` at the world's current time, when the world keeps a log.
pub fn note(w: &mut World, event: impl FnOnce() -> Event) {
    if w.log.is_some() {
        push(w, event());
    }
}

/// A request the fault plan failed (`error`), on server `vm`.
pub fn fault(w: &mut World, vm: usize, method: &str, error: Option<&str>, after_commit: bool) {
    let Some(error) = error.filter(|_| w.log.is_some()) else {
        return;
    };
    let landed = if after_commit {
        " (the write lands first)"
    } else {
        ""
    };
    let e = Event::new("fault")
        .server(vm)
        .detail(format!("{method} fails: {error}{landed}"));
    push(w, e);
}

/// What a stored record says, for a read or a write event.
fn describe(w: &World, value: &Value) -> String {
    let mut out = String::new();
    if let Some(r) = value.pointer("/Meta/Revision").and_then(Value::as_i64) {
        let _ = write!(out, "revision {r}");
    }
    if let Some(job) = value.pointer("/Meta/Lease/JobId").and_then(Value::as_str) {
        let owner = w
            .vms
            .iter()
            .position(|v| v.job_id == job)
            .map(|vm| format!("server {vm}"))
            .unwrap_or_else(|| job.to_string());
        let _ = write!(out, ", lease {owner}");
    } else if value.pointer("/Meta").is_some() {
        out.push_str(", no lease");
    }
    if let Some(p) = value
        .pointer("/Meta/Operations/Pending")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
    {
        let _ = write!(out, ", {} pending operation(s)", p.len());
    }
    for (label, pointer) in w.log.iter().flat_map(|l| l.watch.iter()) {
        if let Some(v) = value.pointer(pointer) {
            let _ = write!(out, ", {label} = {v}");
        }
    }
    let bytes = serde_json::to_vec(value).map_or(0, |b| b.len());
    let _ = write!(out, ", {bytes} bytes");
    out.trim_start_matches(", ").to_string()
}

/// A read of `key` by server `vm` that found `value` (or nothing).
pub fn read(w: &mut World, vm: usize, key: &str, value: Option<&Value>) {
    if w.log.is_none() {
        return;
    }
    let detail = match value {
        Some(v) => describe(w, v),
        None => "nothing stored".into(),
    };
    push(w, Event::new("read").server(vm).key(key).detail(detail));
}

/// A committed write of `value` to `key` by server `vm`.
pub fn write(w: &mut World, vm: usize, key: &str, value: &Value) {
    if w.log.is_none() {
        return;
    }
    let detail = describe(w, value);
    push(w, Event::new("write").server(vm).key(key).detail(detail));
}

/// A removal of `key` by server `vm`.
pub fn remove(w: &mut World, vm: usize, key: &str) {
    note(w, || Event::new("remove").server(vm).key(key));
}

/// Driver reports `(time, kind, user, value, detail)` as events.
pub fn reports(reports: &[(f64, String, i64, f64, String)], start: f64) -> Vec<Event> {
    reports
        .iter()
        .filter_map(|(at, kind, user, value, detail)| {
            let (kind, text) = match kind.as_str() {
                "open" => ("open", format!("session Ready after {value:.2}s")),
                "opened" => ("opened", format!("opened with counter = {value}")),
                "openFailed" => (
                    "open-failed",
                    format!("open failed after {value:.2}s: {detail}"),
                ),
                "ack" => ("ack", format!("checkpoint confirmed counter = {value}")),
                "deliver" => ("deliver", format!("operation {detail} queued")),
                "deliverFailed" => ("deliver-failed", format!("operation {detail} failed")),
                "addFailed" => ("add-failed", format!("Data:Add failed: {detail}")),
                "action" => ("action", format!("workload action {detail}")),
                "workloadFailed" => ("action-failed", detail.clone()),
                _ => return None,
            };
            Some(Event::new(kind).at(at - start).player(*user).detail(text))
        })
        .collect()
}

/// World-wide events: kept in every trace, whoever it is about.
fn world_wide(e: &Event) -> bool {
    matches!(
        e.kind,
        "server-start" | "server-crash" | "server-shutdown" | "outage" | "partition" | "violation"
    )
}

/// The events about `players` (their joins, leaves, reports and records),
/// world-wide events, and faults on the servers those players were on at
/// that moment. An empty set keeps every event.
pub fn involving(events: &[Event], players: &BTreeSet<i64>) -> Vec<Event> {
    if players.is_empty() {
        return events.to_vec();
    }
    let mut on: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for e in events {
        match (e.kind, e.player, e.server) {
            ("join", Some(p), Some(s)) => {
                on.insert(p, s);
            }
            ("leave", Some(p), _) => {
                on.remove(&p);
            }
            _ => {}
        }
        let about_player = e.user().is_some_and(|u| players.contains(&u));
        let fault_near = e.kind == "fault"
            && e.server
                .is_some_and(|s| on.iter().any(|(p, at)| *at == s && players.contains(p)));
        if about_player || world_wide(e) || fault_near {
            out.push(e.clone());
        }
    }
    out
}

/// The players a violation text names (`Player_N`).
pub fn players_named(text: &str) -> BTreeSet<i64> {
    text.match_indices("Player_")
        .filter_map(|(i, _)| {
            let digits: String = text[i + 7..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// JSON lines: one object per event.
pub fn to_json_lines(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&e.json().to_string());
        out.push('\n');
    }
    out
}

/// A readable table: time, who, what.
pub fn to_text(events: &[Event], header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(
        out,
        "{:>10}  {:<12} {:<9} {:<15} detail",
        "t (s)", "player", "server", "event"
    );
    for e in events {
        let who = e.user().map(|u| format!("Player_{u}")).unwrap_or_default();
        let server = e.server.map(|s| format!("vm{s}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>10.3}  {who:<12} {server:<9} {:<15} {}",
            e.t, e.kind, e.detail
        );
    }
    out
}

/// The file's contents for `path`: JSON lines for `.jsonl`/`.json`, the
/// readable table otherwise.
pub fn render(path: &std::path::Path, events: &[Event], header: &str) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "json") => to_json_lines(events),
        _ => to_text(events, header),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: f64, kind: &'static str) -> Event {
        Event::new(kind).at(t)
    }

    #[test]
    fn a_trace_keeps_the_named_players_their_records_world_events_and_faults_near_them() {
        let events = vec![
            ev(1.0, "server-start").server(0),
            ev(2.0, "join").player(1003).server(0),
            ev(2.5, "join").player(1004).server(1),
            ev(3.0, "fault").server(0).detail("UpdateAsync fails"),
            ev(3.1, "fault").server(1).detail("UpdateAsync fails"),
            ev(4.0, "write").server(0).key("Player_1003"),
            ev(4.1, "write").server(1).key("Player_1004"),
            ev(5.0, "leave").player(1003).server(0),
            ev(6.0, "fault").server(0),
            ev(7.0, "server-crash").server(1),
        ];
        let kept = involving(&events, &BTreeSet::from([1003]));
        let times: Vec<f64> = kept.iter().map(|e| e.t).collect();
        assert_eq!(times, vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0]);
        assert_eq!(involving(&events, &BTreeSet::new()).len(), events.len());
    }

    #[test]
    fn violation_texts_name_their_players() {
        assert_eq!(
            players_named("PlayerData/Player_1003: a write moved Meta.Revision back; Player_17"),
            BTreeSet::from([1003, 17])
        );
        assert!(players_named("stale overwrite").is_empty());
    }

    #[test]
    fn both_formats_carry_time_player_server_and_detail() {
        let events = vec![ev(12.3456, "write")
            .server(2)
            .key("Player_1003")
            .detail("revision 4")];
        let line = to_json_lines(&events);
        let v: Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(
            v,
            json!({"t": 12.346, "event": "write", "server": 2, "key": "Player_1003", "detail": "revision 4"})
        );
        let text = to_text(&events, "vstore sim --seed 1");
        assert!(text.starts_with("# vstore sim --seed 1\n"), "{text}");
        let last = text.lines().last().unwrap();
        assert!(
            last.contains("12.346")
                && last.contains("Player_1003")
                && last.contains("vm2")
                && last.contains("write")
                && last.ends_with("revision 4"),
            "{last}"
        );
    }

    #[test]
    fn driver_reports_become_player_events_in_run_time() {
        let r = vec![
            (
                110.0,
                "openFailed".to_string(),
                1003,
                20.0,
                "LockTimeout".to_string(),
            ),
            (120.0, "unknown".to_string(), 1003, 0.0, String::new()),
        ];
        let e = reports(&r, 100.0);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].t, e[0].kind, e[0].player),
            (10.0, "open-failed", Some(1003))
        );
        assert!(e[0].detail.ends_with("LockTimeout"), "{}", e[0].detail);
    }
}
