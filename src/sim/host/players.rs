//! Host functions of the lifecycle: players leaving, the DataModel closing,
//! and reports from the Luau side.

use super::Cx;
use crate::sim::world::Wake;

pub(super) fn install(cx: &Cx) -> mlua::Result<()> {
    #[allow(unused_variables)]
    let vm = cx.vm;
    // lifecycle notifications from the Luau side
    func!(cx, "playerLeft", |_l, w, user_id: i64| {
        let (now, ccu) = (w.now, w.ccu());
        w.experience.observe_ccu(now, ccu);
        w.vms[vm].players.retain(|p| *p != user_id);
        if let Some(c) = w.vms[vm].clients.remove(&user_id) {
            w.schedule(0.0, Wake::Kill { vm: c });
        }
        w.trace.add(format!("leave {user_id} {vm}").as_bytes());
        Ok(())
    });
    func!(cx, "closed", |_l, w, (): ()| {
        w.schedule(0.0, Wake::Kill { vm });
        Ok(())
    });
    func!(cx, "report", |_l,
                         w,
                         (kind, user, value, detail): (
        String,
        i64,
        f64,
        String
    )| {
        let now = w.now;
        w.reports.push((now, kind, user, value, detail));
        Ok(())
    });
    func!(cx, "isClosing", |_l, w, (): ()| { Ok(w.vms[vm].closing) });
    // the DataModel begins closing: BindToClose callbacks are about to run
    func!(cx, "beginClosing", |_l, w, (): ()| {
        w.vms[vm].closing = true;
        Ok(())
    });

    Ok(())
}
