//! Events: handlers bound with `event.bind`, posts to them when the portal's stateful
//! methods change data (deals added, updated, deleted), and the offline queue
//! (`event.offline.get` / `event.offline.clear`) of handlers bound `event_type=offline`.

use serde_json::{Map, Value, json};

/// One `event.bind`.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// Upper case (`ONCRMDEALADD`).
    pub event: String,
    pub handler: String,
    pub offline: bool,
    pub id: u64,
}

/// An event kept for `event.offline.get`.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub id: u64,
    pub name: String,
    pub data: Value,
    pub ts: f64,
    /// The process that fetched it without clearing it.
    pub process: Option<String>,
}

/// A post to make once the state is released.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub url: String,
    pub body: String,
}

/// Who events come from, as their `auth[…]` says.
#[derive(Debug, Clone)]
pub(crate) struct Origin<'a> {
    pub domain: &'a str,
    pub member_id: &'a str,
    pub application_token: &'a str,
}

#[derive(Debug, Default)]
pub(crate) struct Events {
    pub bindings: Vec<Binding>,
    pub next_binding: u64,
    pub queue: Vec<Queued>,
    pub next_queued: u64,
    pub next_process: u64,
    /// Posts not made yet.
    pub outbox: Vec<Delivery>,
}

impl Events {
    /// `name` happened with `data` at `ts`: a post to each online handler, a record for
    /// the offline queue if an offline handler is bound.
    pub fn emit(&mut self, name: &str, data: Value, ts: f64, from: &Origin<'_>) {
        let mut queued = false;
        for b in self.bindings.iter().filter(|b| b.event == name) {
            if b.offline {
                queued = true;
                continue;
            }
            let body = form(&json!({
                "event": name,
                "event_handler_id": b.id.to_string(),
                "data": data,
                "ts": (ts.floor() as i64).to_string(),
                "auth": {
                    "domain": from.domain,
                    "member_id": from.member_id,
                    "application_token": from.application_token,
                },
            }));
            self.outbox.push(Delivery {
                url: b.handler.clone(),
                body,
            });
        }
        if queued {
            self.next_queued += 1;
            self.queue.push(Queued {
                id: self.next_queued,
                name: name.to_string(),
                data,
                ts,
                process: None,
            });
        }
    }
}

/// A JSON tree as a form with PHP's nesting (`data[FIELDS][ID]=42`), as a portal posts
/// it (`b24_core::form`).
pub(crate) fn form(v: &Value) -> String {
    b24_core::form::encode(v)
}

/// An offline record as `event.offline.get` lists it.
pub(crate) fn record(q: &Queued) -> Value {
    let mut m = Map::new();
    m.insert("ID".into(), json!(q.id.to_string()));
    m.insert("TIMESTAMP_X".into(), json!(crate::util::atom(q.ts)));
    m.insert("EVENT_NAME".into(), json!(q.name));
    m.insert("EVENT_DATA".into(), q.data.clone());
    m.insert("EVENT_ADDITIONAL".into(), json!({}));
    m.insert("MESSAGE_ID".into(), json!(format!("m{}", q.id)));
    Value::Object(m)
}
