//! Host functions behind MessagingService: publishing with seeded delivery
//! delays and loss, subscriptions, and their limits.

use mlua::Value as LuaValue;
use serde_json::Value;

use super::Cx;
use crate::sim::json::{encoded_len, to_json};
use crate::sim::limits::DropReason;
use crate::sim::world::{Subscription, Wake};

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // MessagingService
    func!(
        cx,
        "msgPublish",
        |l, w, (topic, data): (String, LuaValue)| {
            let now = w.now;
            let latency = 0.02 + 0.08 * w.rng.next_f64();
            let fail = |m: &str| Ok((latency, Some(l.create_string(m)?)));
            if topic.is_empty() || topic.chars().count() > 80 {
                return fail("Topic name must be 1 to 80 characters.");
            }
            let json = match to_json(&data) {
                Ok(j) => j,
                Err(e) => return fail(&format!("Message cannot be sent: {e}.")),
            };
            if encoded_len(&json) > 1024 {
                return fail("Message size exceeds the 1kB limit.");
            }
            if w.vms[vm].partitioned_until > now {
                return fail("PublishAsync failed: request timed out.");
            }
            let players = w.players_on(vm);
            if let Err(t) = w.messaging.send(vm, players, now) {
                w.limits.throttle(t);
                return fail(&t.message());
            }
            *w.requests.entry("PublishAsync".into()).or_default() += 1;
            let servers = w.alive_servers().len();
            let targets: Vec<(usize, u64)> = w
                .subscriptions
                .iter()
                .filter(|s| s.topic == topic)
                .map(|s| (s.vm, s.id))
                .collect();
            for (target, sub) in targets {
                let (lo, hi) = w.message_delay;
                let drop = w.rng.next_f64() < w.drop_rate;
                let delay = latency + lo + (hi - lo) * w.rng.next_f64();
                let dropped = if drop {
                    Err(DropReason::Loss)
                } else if w.vms[target].partitioned_until > now {
                    Err(DropReason::Partition)
                } else {
                    w.messaging.receive(&topic, servers, now)
                };
                if let Err(reason) = dropped {
                    w.limits.drop_message(reason);
                    w.trace.add(b"drop");
                    continue;
                }
                w.schedule(
                    delay,
                    Wake::Event {
                        vm: target,
                        name: "message",
                        args: vec![Value::from(sub), json.clone(), Value::from(now)],
                    },
                );
            }
            Ok((latency, None))
        }
    );
    func!(cx, "msgSubscribe", |_l, w, topic: String| {
        if topic.is_empty() || topic.chars().count() > 80 {
            return Ok((
                None,
                Some("Topic name must be 1 to 80 characters.".to_string()),
            ));
        }
        let now = w.now;
        let players = w.players_on(vm);
        let active = w.subscriptions.iter().filter(|s| s.vm == vm).count();
        if let Err(t) = w.messaging.subscribe(vm, players, active, now) {
            w.limits.throttle(t);
            return Ok((None, Some(t.message())));
        }
        let id = w.next_id();
        w.subscriptions.push(Subscription { vm, id, topic });
        Ok((Some(id), None))
    });
    func!(cx, "msgUnsubscribe", |_l, w, id: u64| {
        w.subscriptions.retain(|s| s.id != id);
        Ok(())
    });

    Ok(())
}
