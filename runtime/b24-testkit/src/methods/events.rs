//! `event.bind`, `event.unbind`, `event.get`, and the offline queue
//! (`event.offline.get`, `event.offline.clear`).

use serde_json::{Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome, param, param_str};
use crate::events::{Binding, record};

fn required(params: &Value, name: &str) -> Result<String, ApiErr> {
    param_str(params, name)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiErr::new(
                400,
                "ERROR_ARGUMENT",
                &format!("Argument '{name}' is null or empty"),
            )
        })
}

/// `event.bind`: `event`, `handler` (an online handler's URL), `event_type`
/// (`online`, default, or `offline`).
pub(super) fn bind(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let event = required(params, "event")?.to_ascii_uppercase();
    let offline =
        param_str(params, "event_type").is_some_and(|t| t.eq_ignore_ascii_case("offline"));
    let handler = if offline {
        param_str(params, "handler").unwrap_or_default()
    } else {
        required(params, "handler")?
    };
    let events = &mut ctx.state.events;
    if events
        .bindings
        .iter()
        .any(|b| b.event == event && b.handler == handler && b.offline == offline)
    {
        return Err(ApiErr::new(
            400,
            "ERROR_EVENT_HANDLER_EXISTS",
            "Handler already binded",
        ));
    }
    events.next_binding += 1;
    let id = events.next_binding;
    events.bindings.push(Binding {
        event,
        handler,
        offline,
        id,
    });
    Ok(Outcome::of(json!(true)))
}

/// `event.unbind`: the bindings of `event` (and `handler`, when given).
pub(super) fn unbind(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let event = required(params, "event")?.to_ascii_uppercase();
    let handler = param_str(params, "handler");
    let before = ctx.state.events.bindings.len();
    ctx.state
        .events
        .bindings
        .retain(|b| !(b.event == event && handler.as_ref().is_none_or(|h| *h == b.handler)));
    let count = before - ctx.state.events.bindings.len();
    Ok(Outcome::of(json!({ "count": count })))
}

/// `event.get`: the bindings.
pub(super) fn get(ctx: &mut Ctx<'_>) -> CmdResult {
    let list: Vec<Value> = ctx
        .state
        .events
        .bindings
        .iter()
        .map(|b| json!({ "event": b.event, "handler": b.handler, "auth_type": "0", "offline": u8::from(b.offline) }))
        .collect();
    Ok(Outcome::of(Value::Array(list)))
}

/// `event.offline.get`: the first `limit` (default 50) records not held by another
/// process; `clear=0` holds them for this `process_id` (a new one when none is given)
/// until `event.offline.clear`, `clear=1` (the default) removes them now.
pub(super) fn offline_get(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let limit = param_str(params, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    let clear = param_str(params, "clear").is_none_or(|c| c != "0" && c != "N");
    let events = &mut ctx.state.events;
    let process = match param_str(params, "process_id").filter(|p| !p.is_empty()) {
        Some(p) => Some(p),
        None if clear => None,
        None => {
            events.next_process += 1;
            Some(format!("p{}", events.next_process))
        }
    };
    let mine = |q: &crate::events::Queued| q.process.is_none() || q.process == process;
    let picked: Vec<u64> = events
        .queue
        .iter()
        .filter(|q| mine(q))
        .take(limit)
        .map(|q| q.id)
        .collect();
    let list: Vec<Value> = events
        .queue
        .iter()
        .filter(|q| picked.contains(&q.id))
        .map(record)
        .collect();
    if clear {
        events.queue.retain(|q| !picked.contains(&q.id));
    } else {
        for q in events.queue.iter_mut().filter(|q| picked.contains(&q.id)) {
            q.process.clone_from(&process);
        }
    }
    let n = list.len() as u64;
    Ok(Outcome::of(json!({ "process_id": process, "events": list })).records(n))
}

/// `event.offline.clear`: removes the records of `process_id` (those of `id` when given).
pub(super) fn offline_clear(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let process = required(params, "process_id")?;
    let ids: Option<Vec<u64>> = param(params, "id").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .collect()
    });
    ctx.state.events.queue.retain(|q| {
        let held = q.process.as_deref() == Some(process.as_str());
        !(held && ids.as_ref().is_none_or(|ids| ids.contains(&q.id)))
    });
    Ok(Outcome::of(json!(true)))
}
