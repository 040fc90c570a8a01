//! The portal's data: dialogs, deals, tokens, and what was observed.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::config::Config;

/// A seeded dialog of the recent list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dialog {
    /// `chatN`.
    pub id: String,
    /// N.
    pub chat_id: u64,
    /// The chat's name.
    pub title: String,
    /// The manual "unread" flag.
    pub unread: bool,
    /// Pinned at the top.
    pub pinned: bool,
    /// Hidden from the recent list.
    pub hidden: bool,
    /// Unread message counter.
    pub counter: u64,
    /// Unix time of the last update.
    pub date_update: f64,
}

/// One executed write, for checking that nothing ran twice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WriteRecord {
    /// Order of execution, from 1.
    pub seq: u64,
    /// The method (lower case).
    pub method: String,
    /// What it changed: `deal:5`, `chat3`, …
    pub target: String,
    /// Its parameters.
    pub params: Value,
}

/// One HTTP request as received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub http_method: String,
    /// Path (with the webhook code, as sent).
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
}

/// Counters, readable from tests and over `GET /_stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// HTTP requests to `/rest/…`, refused ones included.
    pub http_requests: u64,
    /// Requests refused with 503 `QUERY_LIMIT_EXCEEDED` (not executed).
    pub refused_503: u64,
    /// Commands refused with 429 `OPERATION_TIME_LIMIT` (not executed).
    pub refused_429: u64,
    /// Executed commands by method (batch counts its inner commands, and itself as `batch`).
    pub commands: BTreeMap<String, u64>,
    /// Faults injected.
    pub faults: u64,
    /// Parameters a spec does not list, accepted and recorded by method (the portal is
    /// never stricter than the docs).
    pub unlisted_params: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// Executed writes.
    pub writes: u64,
    /// The most requests to `/rest/…` the portal was answering at once (how many a
    /// client had on the wire together).
    pub max_in_flight: u64,
}

/// OAuth token state.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub access: String,
    pub refresh: String,
    pub access_expires: Instant,
    pub generation: u64,
    pub retired: Vec<String>,
}

/// Everything mutable.
#[derive(Debug)]
pub(crate) struct State {
    /// Requests to `/rest/…` being answered now.
    pub in_flight: u64,
    pub dialogs: BTreeMap<u64, Dialog>,
    pub deals: BTreeMap<u64, Map<String, Value>>,
    pub next_deal: u64,
    pub tokens: Tokens,
    pub stats: Stats,
    pub writes: Vec<WriteRecord>,
    pub requests: Vec<RecordedRequest>,
    pub files: BTreeMap<u64, StoredFile>,
    pub next_file: u64,
    /// REST 3.0 tasks (`tasks.task.add` through `/rest/api/`).
    pub tasks: BTreeMap<u64, Value>,
    pub next_task: u64,
    /// The id of the next message `im.message.add` sends.
    pub next_message: u64,
    /// REST 3.0 answers kept for their `Idempotency-Key`: (caller, method, key) → the
    /// request body and the answer's text.
    pub idempotent: std::collections::HashMap<(String, String, String), (Vec<u8>, String)>,
    /// Event handlers, the offline queue and the posts to make.
    pub events: crate::events::Events,
}

/// A file uploaded to the portal's disk.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub name: String,
    pub folder: u64,
    /// What its download URL must carry.
    pub token: String,
    pub content: Vec<u8>,
}

const STAGES: [&str; 6] = [
    "NEW",
    "PREPARATION",
    "PREPAYMENT_INVOICE",
    "EXECUTING",
    "WON",
    "LOSE",
];
const BASE_TIME: f64 = 1_767_261_600.0; // 2026-01-01T10:00:00Z

impl State {
    pub(crate) fn new(cfg: &Config, now: Instant) -> State {
        let dialogs = (1..=cfg.dialogs)
            .map(|n| {
                (
                    n,
                    Dialog {
                        id: format!("chat{n}"),
                        chat_id: n,
                        title: format!("Chat {n}"),
                        unread: false,
                        pinned: false,
                        hidden: false,
                        counter: 0,
                        date_update: BASE_TIME + n as f64 * 60.0,
                    },
                )
            })
            .collect();
        let deals = (1..=cfg.deals).map(|id| (id, seed_deal(id))).collect();
        State {
            in_flight: 0,
            dialogs,
            deals,
            next_deal: cfg.deals + 1,
            files: BTreeMap::new(),
            next_file: 1,
            tasks: (1..=cfg.tasks).map(|id| (id, seed_task(id))).collect(),
            next_task: cfg.tasks + 1,
            next_message: 1,
            idempotent: std::collections::HashMap::new(),
            events: crate::events::Events::default(),
            tokens: Tokens {
                access: cfg.oauth.access_token.clone(),
                refresh: cfg.oauth.refresh_token.clone(),
                access_expires: now + cfg.oauth.access_ttl,
                generation: 0,
                retired: Vec::new(),
            },
            stats: Stats::default(),
            writes: Vec::new(),
            requests: Vec::new(),
        }
    }

    pub(crate) fn log_write(&mut self, method: &str, target: String, params: &Value) {
        self.stats.writes += 1;
        let seq = self.writes.len() as u64 + 1;
        self.writes.push(WriteRecord {
            seq,
            method: method.to_string(),
            target,
            params: params.clone(),
        });
    }
}

/// A seeded deal with its fields as REST v2 sends them (numbers as strings).
pub(crate) fn seed_deal(id: u64) -> Map<String, Value> {
    let created = crate::util::atom(BASE_TIME + id as f64 * 3600.0);
    let v = json!({
        "ID": id.to_string(),
        "TITLE": format!("Deal #{id}"),
        "TYPE_ID": "SALE",
        "CATEGORY_ID": "0",
        "STAGE_ID": STAGES[(id % STAGES.len() as u64) as usize],
        "OPPORTUNITY": format!("{}.00", id * 100),
        "CURRENCY_ID": "USD",
        "ASSIGNED_BY_ID": ((id % 5) + 1).to_string(),
        "COMPANY_ID": "0",
        "CONTACT_ID": null,
        "OPENED": "Y",
        "CLOSED": if id % 6 >= 4 { "Y" } else { "N" },
        "COMMENTS": "",
        "DATE_CREATE": created,
        "DATE_MODIFY": created,
        "SOURCE_ID": "WEB",
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A seeded task (`FakePortal::tasks`).
fn seed_task(id: u64) -> Value {
    json!({
        "id": id,
        "title": format!("Task {id}"),
        "creatorId": 1,
        "responsibleId": 1 + id % 7,
    })
}
