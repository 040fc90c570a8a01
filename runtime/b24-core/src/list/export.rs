//! The fast export of huge lists: the key range cut into windows, batches of them in
//! parallel within the rate limit.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::pages::{Pages, RawPages, Typed};
use super::plan::{self, Cost, Room};
use super::{ItemStream, Progress};
use crate::batch::MAX_COMMANDS;
use crate::batch::answer::Answer;
use crate::client::Client;
use crate::error::{
    ConfigError, ConfigKind, DecodeError, DecodeKind, Error, ProtocolError, ProtocolKind,
    TransportError, TransportKind,
};
use crate::method::{Api, ListMethod, Listing, Pagination};
use crate::prepared::{Prepared, Within};
use crate::wire::FromWire;

impl Client {
    /// Every item of a huge list, fast, as a stream: no counting (`start = -1`), ordered
    /// by the key. The first request brings the first page and the largest key; the rest
    /// of the key range is cut into independent windows (`>KEY`, `<=KEY`) of one page
    /// each, shared out over batches (at most 50 windows each) that run in parallel
    /// within the rate limit, planned from the first answer's timing so that the batches
    /// the bucket lets start now and those it lets start later finish together (the plan
    /// is logged at debug level, target `b24`). Items come in key order, without
    /// duplicates or gaps; [`Export::progress`] says how far it has come. The request's
    /// own filter applies; its `order` and `start` are replaced. Dropping the stream stops
    /// the batches still running.
    ///
    /// A REST 3.0 list method (`pagination: {page, limit}`) is exported the same way over
    /// `id`, the field REST 3.0's common filter takes: windows
    /// `[["id", ">", lo], ["id", "<=", hi]]` of one page each, sent through REST 3.0's
    /// batch (the calls as a JSON array); its own filter must be a list of conditions
    /// ([`Filter::conditions`](crate::types::Filter::conditions)).
    ///
    /// ```no_run
    /// use b24::prelude::*;
    ///
    /// #[b24_method("crm.item.list")]
    /// struct ItemList;
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let mut deals = client.export(&ItemList::new(2));
    /// while let Some(deal) = deals.next().await {
    ///     let _deal = deal?;
    /// }
    /// eprintln!("{} records", deals.progress().records);
    /// // Or all at once:
    /// let all: Vec<_> = client.export(&ItemList::new(2)).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn export<M>(&self, method: &M) -> Export<M::Item>
    where
        M: ListMethod + 'static,
        M::Item: Send + 'static,
    {
        let ex = Prepared::typed(method, Within::Call, None)
            .and_then(|req| self.exporter_of(req, Listing::of::<M>()));
        self.run_export(ex, Arc::new(Typed::<M>::of(self)))
    }

    /// A fast export of a method known by name, its items as JSON: what
    /// [`Client::export`] does for a binding, on the same engine, for a method read from
    /// its spec at run time (the `b24` command line). `params` are the request's (its
    /// `filter` kept; `order`, `start` and `pagination` replaced); `listing` says how the
    /// method pages (a fast key, or REST 3.0 pages) and where its items are.
    pub fn export_raw(&self, method: &str, params: Value, listing: Listing) -> Export<Value> {
        let params = match params {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        let ex = match params {
            Value::Object(_) => Prepared::by_name(method, listing.api, params, None)
                .and_then(|req| self.exporter_of(req, listing)),
            other => Err(crate::error::ValidationError::new(
                method,
                vec![crate::error::Problem::new(
                    "params",
                    other.to_string(),
                    "the parameters of a list method are a JSON object",
                    None,
                )],
            )
            .into()),
        };
        let pages = RawPages {
            items: listing.items,
        };
        self.run_export(ex, Arc::new(pages))
    }

    fn run_export<P: Pages>(
        &self,
        ex: Result<Arc<Exporter>, Error>,
        pages: Arc<P>,
    ) -> Export<P::Item> {
        let progress = Arc::new(Mutex::new(Progress {
            records: 0,
            requests: 0,
            max_key: None,
        }));
        let shared = progress.clone();
        let items = stream::unfold(Run::Start(ex), move |run| {
            let (shared, pages) = (shared.clone(), pages.clone());
            async move { run.step(&pages, &shared).await }
        })
        .flat_map(stream::iter)
        .boxed();
        Export { items, progress }
    }

    /// What a fast export of the prepared request `req` sends, for a method paging as
    /// `listing` says: REST v2's `start = -1` over a fast key, or REST 3.0's pages over `id`
    /// (the field its common filter scheme takes, `api-reference/rest-v3.md#filter`), run
    /// through its batch.
    fn exporter_of(&self, req: Prepared, listing: Listing) -> Result<Arc<Exporter>, Error> {
        let (api, key, page) = match (listing.api, listing.pagination) {
            (
                Api::V2,
                Pagination::StartNext {
                    page_size,
                    fast_key: Some(key),
                    ..
                },
            ) => (Api::V2, key, i64::from(page_size.max(1))),
            (Api::V3, Pagination::V3Page) => (Api::V3, "id", super::V3_PAGE_LIMIT),
            _ => {
                return Err(ConfigError::new(
                    ConfigKind::Unsupported,
                    format!(
                        "{} has no fast export mode (start = -1 over a key, or REST 3.0 pages)",
                        req.method
                    ),
                )
                .into());
            }
        };
        let method = req.method.into_owned();
        let mut base = match req.params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        base.remove("start");
        base.remove("order");
        base.remove("pagination");
        let filter = match (api, base.remove("filter")) {
            (Api::V2, Some(Value::Object(f))) => Value::Object(f),
            (Api::V2, _) => Value::Object(Map::new()),
            (Api::V3, Some(Value::Array(conditions))) => Value::Array(conditions),
            (Api::V3, None | Some(Value::Null)) => Value::Array(Vec::new()),
            (Api::V3, Some(other)) => {
                let problem = crate::error::Problem::new(
                    "filter",
                    other.to_string(),
                    "a REST 3.0 filter is an array of conditions `[field, operator, value]`",
                    None,
                );
                return Err(crate::error::ValidationError::new(&method, vec![problem]).into());
            }
        };
        Ok(Arc::new(Exporter {
            client: self.clone(),
            method,
            api,
            base,
            filter,
            key: key.to_string(),
            items: listing.items.map(str::to_string),
            page: page.max(1),
            queued: watch::channel(0).0,
        }))
    }
}

/// The items of a fast export, in key order, as [`Client::export`] streams them.
///
/// A `Stream` of `Result<T, Error>` (`Unpin`, `Send`; the extension traits come with
/// `b24::prelude`): after an error it ends.
#[must_use = "a stream sends nothing until it is polled"]
pub struct Export<T> {
    items: ItemStream<'static, T>,
    progress: Arc<Mutex<Progress>>,
}

impl<T> Export<T> {
    /// How far the export has come: records received, batches finished, and the
    /// largest key once known.
    pub fn progress(&self) -> Progress {
        *self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> Stream for Export<T> {
    type Item = Result<T, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.items.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for Export<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

type Windows<T> = Result<Vec<(i64, Vec<T>)>, Error>;

/// Where an export stands.
enum Run<T> {
    /// The request checked (or refused); the first page not asked for yet.
    Start(Result<Arc<Exporter>, Error>),
    /// Batches of windows in flight; pages kept until every page before them came.
    Windows(Flight<T>),
    Done,
}

/// The batches of an export once its plan is made.
struct Flight<T> {
    ex: Arc<Exporter>,
    max: i64,
    /// Batches not sent yet, in key order, each with its place in the plan.
    waiting: VecDeque<(usize, Vec<i64>)>,
    /// Every window's low key, in order: the front one is the next to give out.
    order: VecDeque<i64>,
    running: JoinSet<Windows<T>>,
    pages: BTreeMap<i64, Vec<T>>,
    at_once: usize,
}

type Step<T> = Option<(Vec<Result<T, Error>>, Run<T>)>;

impl<T: Send + 'static> Run<T> {
    async fn step<P: Pages<Item = T>>(self, pages: &Arc<P>, progress: &Mutex<Progress>) -> Step<T> {
        let update =
            |f: &dyn Fn(&mut Progress)| f(&mut progress.lock().unwrap_or_else(|e| e.into_inner()));
        let mut run = self;
        loop {
            run = match run {
                Run::Done => return None,
                Run::Start(Err(e)) => return Some((vec![Err(e)], Run::Done)),
                Run::Start(Ok(ex)) => match ex.first(&**pages).await {
                    Err(e) => return Some((vec![Err(e)], Run::Done)),
                    Ok(first) => {
                        let n = first.items.len();
                        update(&|p| {
                            p.max_key = Some(first.max);
                            p.requests += 1;
                            p.records += n;
                        });
                        let next = ex.plan(first.last, first.max, first.cost);
                        if n == 0 {
                            next
                        } else {
                            return Some((first.items.into_iter().map(Ok).collect(), next));
                        }
                    }
                },
                Run::Windows(mut f) => {
                    if let Some(lo) = f.order.front()
                        && let Some(items) = f.pages.remove(lo)
                    {
                        f.order.pop_front();
                        return Some((items.into_iter().map(Ok).collect(), Run::Windows(f)));
                    }
                    if f.order.is_empty() {
                        return None;
                    }
                    while f.running.len() < f.at_once
                        && let Some((place, los)) = f.waiting.pop_front()
                    {
                        let (ex, max, pages) = (f.ex.clone(), f.max, pages.clone());
                        f.running
                            .spawn(async move { ex.windows(pages, place, los, max).await });
                    }
                    let rows = match f.running.join_next().await {
                        Some(Ok(Ok(rows))) => rows,
                        Some(Ok(Err(e))) => return Some((vec![Err(e)], Run::Done)),
                        Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        Some(Err(e)) => {
                            // Cancelled: only when the runtime shuts down under the export.
                            let e = TransportError::new(
                                &f.ex.method,
                                TransportKind::Request,
                                true,
                                format!("an export task was cancelled ({e})"),
                            );
                            return Some((vec![Err(e.into())], Run::Done));
                        }
                        None => return None,
                    };
                    let n: usize = rows.iter().map(|(_, r)| r.len()).sum();
                    update(&|p| {
                        p.requests += 1;
                        p.records += n;
                    });
                    f.pages.extend(rows);
                    Run::Windows(f)
                }
            };
        }
    }
}

struct Exporter {
    client: Client,
    method: String,
    /// REST v2 (`start = -1`, `>KEY` filters, the classic batch) or REST 3.0 (pages,
    /// `[id, >, N]` conditions, its array batch).
    api: Api,
    base: Map<String, Value>,
    /// The request's own filter: an object (REST v2) or an array of conditions (REST 3.0).
    filter: Value,
    key: String,
    /// The member of a page's `result` holding its items, if it wraps them.
    items: Option<String>,
    page: i64,
    /// How many batches have taken their place in the client's queue for the rate limit:
    /// they take it in the plan's order (the first ones get the room there is now, the
    /// later, smaller ones the room that comes), whatever order their tasks run in.
    queued: watch::Sender<usize>,
}

/// The export's first answer: the first page's items, the keys that frame the rest, and
/// what a batch costs on this portal.
struct First<T> {
    items: Vec<T>,
    /// The first page's last key (the first window starts after it); the list's largest
    /// key when the first page holds all of it.
    last: i64,
    max: i64,
    cost: Cost,
}

/// A batch as the portal answered it, before its results are read ([`Exporter::answer`]).
struct Sent {
    /// The text of the batch's `result`.
    result: Box<RawValue>,
    status: u16,
    scrub: crate::auth::Scrubber,
    /// The names of REST 3.0's calls, in the order of its array of results.
    calls: Option<Vec<String>>,
}

impl Exporter {
    /// Shares the windows after `last` up to `max` out over batches (see [`plan`]): the
    /// batches the bucket lets start now hold the most, the later ones fewer, so that all
    /// finish together; at most the bucket's capacity in flight.
    fn plan<T>(self: Arc<Self>, last: i64, max: i64, cost: Cost) -> Run<T> {
        let windows: Vec<i64> = (0..)
            .map(|i| last + i * self.page)
            .take_while(|lo| *lo < max)
            .collect();
        if windows.is_empty() {
            return Run::Done;
        }
        let limiter = self.client.limiter();
        let now = limiter.room();
        let room = Room {
            level: now.level,
            limit: now.limit,
            per_second: now.per_second,
            in_flight: now.free,
        };
        let planned = plan::plan(windows.len(), MAX_COMMANDS, cost, room);
        let mut rest = windows.as_slice();
        let mut waiting = VecDeque::with_capacity(planned.batches.len());
        for (place, n) in planned.batches.iter().enumerate() {
            let (batch, after) = rest.split_at((*n).min(rest.len()));
            waiting.push_back((place, batch.to_vec()));
            rest = after;
        }
        let at_once = limiter.capacity().min(waiting.len()).max(1);
        tracing::debug!(
            target: "b24",
            method = self.method,
            windows = windows.len(),
            batches = ?planned.batches,
            finish_s = planned.finish,
            request_s = cost.request,
            window_s = cost.window,
            at_once,
            "export plan"
        );
        Run::Windows(Flight {
            order: windows.into_iter().collect(),
            ex: self,
            max,
            waiting,
            running: JoinSet::new(),
            pages: BTreeMap::new(),
            at_once,
        })
    }

    /// One command of a batch: the request's own parameters, the window `(lo, hi]` of keys
    /// when given, ordered by the key, without counting (`start = -1`, or REST 3.0's first
    /// page of one window).
    fn command(&self, window: Option<(i64, i64)>, order: &str, select: Option<Value>) -> Value {
        let mut p = self.base.clone();
        if let Some(select) = select {
            p.insert("select".into(), select);
        }
        p.insert("order".into(), json!({ self.key.as_str(): order }));
        match self.api {
            Api::V2 => {
                let mut f = self.filter.as_object().cloned().unwrap_or_default();
                if let Some((lo, hi)) = window {
                    f.insert(format!(">{}", self.key), json!(lo));
                    f.insert(format!("<={}", self.key), json!(hi));
                }
                p.insert("filter".into(), Value::Object(f));
                p.insert("start".into(), json!(-1));
                json!(format!(
                    "{}?{}",
                    self.method,
                    crate::batch::encode_query(&Value::Object(p))
                ))
            }
            Api::V3 => {
                let mut f = self.filter.as_array().cloned().unwrap_or_default();
                if let Some((lo, hi)) = window {
                    f.push(json!([self.key, ">", lo]));
                    f.push(json!([self.key, "<=", hi]));
                }
                p.insert("filter".into(), Value::Array(f));
                p.insert(
                    "pagination".into(),
                    json!({ "page": 1, "limit": self.page }),
                );
                json!({ "method": self.method, "query": p })
            }
        }
    }

    /// Whether the request's own `select` leaves the key out of the items.
    fn select_hides_key(&self) -> bool {
        match self.base.get("select") {
            Some(Value::Array(fields)) if !fields.is_empty() => !fields.iter().any(|f| {
                f.as_str()
                    .is_some_and(|f| f == "*" || f.eq_ignore_ascii_case(&self.key))
            }),
            _ => false,
        }
    }

    /// Sends the commands as one batch (REST 3.0's array of calls, or the classic `cmd`).
    async fn batch(&self, cmd: Map<String, Value>) -> Result<Sent, Error> {
        let (params, calls) = if self.api == Api::V3 {
            let (keys, calls): (Vec<String>, Vec<Value>) = cmd.into_iter().unzip();
            (Value::Array(calls), Some(keys))
        } else {
            (json!({ "halt": 0, "cmd": cmd }), None)
        };
        let raw = self
            .client
            .execute(&Prepared::internal("batch", self.api, params, true))
            .await?;
        Ok(Sent {
            result: raw.result,
            status: raw.status,
            scrub: raw.scrub,
            calls,
        })
    }

    /// The commands' results of a batch, read from its text (a failed command is the
    /// batch's error).
    fn answer<'a>(&self, sent: &'a Sent) -> Result<Answer<'a>, Error> {
        let wrong = |what: String| -> Error {
            DecodeError::new(
                &self.method,
                DecodeKind::Value,
                "$.result",
                sent.scrub.apply(&what),
                sent.status,
            )
            .into()
        };
        if let Some(keys) = &sent.calls {
            return self.answer_v3(sent, keys, wrong);
        }
        let answer = Answer::read(sent.result.get())
            .map_err(|e| wrong(format!("expected a batch's results, found {e}")))?;
        let first = answer.result_error.keys().min();
        if let Some((k, (code, description))) = first.and_then(|k| Some((k, answer.error(k)?))) {
            // A server may echo a token in either member.
            return Err(crate::error::ApiError::new(
                &self.method,
                sent.scrub.apply(&code),
                sent.scrub
                    .apply(&format!("{description} (export window {k})")),
                400,
            )
            .into());
        }
        Ok(answer)
    }

    /// REST 3.0's batch (`api-reference/rest-v3.md#batch`): the calls as a JSON array, their
    /// results an array in the same order. A failed call is the batch's error (an answer
    /// with `error`), or, in place of its result, an object with `error`.
    fn answer_v3<'a>(
        &self,
        sent: &'a Sent,
        keys: &[String],
        wrong: impl Fn(String) -> Error,
    ) -> Result<Answer<'a>, Error> {
        let results: Vec<&RawValue> = serde_json::from_str(sent.result.get()).map_err(|e| {
            wrong(format!(
                "expected the batch's results (an array), found {e}"
            ))
        })?;
        if results.len() != keys.len() {
            return Err(wrong(format!(
                "the batch answered {} results for {} calls",
                results.len(),
                keys.len()
            )));
        }
        #[derive(Deserialize)]
        struct Failed {
            #[serde(default)]
            error: Option<Map<String, Value>>,
        }
        let mut answer = Answer::default();
        for (key, result) in keys.iter().zip(results) {
            if let Ok(Failed { error: Some(e) }) = serde_json::from_str::<Failed>(result.get())
                && let Some(Value::String(code)) = e.get("code")
            {
                let scrub = |s: &str| sent.scrub.apply(s);
                return Err(crate::envelope::v3_error(&self.method, 400, code, &e, &scrub).into());
            }
            answer.result.insert(key.clone(), result);
        }
        Ok(answer)
    }

    /// The key of the first or last item of a page, `None` for an empty page.
    fn key_of(&self, page: &Value, last: bool) -> Result<Option<i64>, Error> {
        let rows = match &self.items {
            Some(member) => page.get(member).unwrap_or(&Value::Null),
            None => page,
        };
        let row = rows
            .as_array()
            .and_then(|a| if last { a.last() } else { a.first() });
        let Some(row) = row else { return Ok(None) };
        // The key as the items name it (`ID`, or `id` where they are camelCase).
        let v = row.as_object().and_then(|row| {
            row.get(&self.key).or_else(|| {
                row.iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&self.key))
                    .map(|(_, v)| v)
            })
        });
        match v.and_then(|v| i64::from_wire(v).ok()) {
            Some(key) => Ok(Some(key)),
            None => Err(ProtocolError::new(
                &self.method,
                ProtocolKind::ExportKey,
                format!(
                    "the fast export's items have no integer `{}`, so the list cannot be cut into windows",
                    self.key
                ),
            )
            .into()),
        }
    }

    /// The first page and the largest key, in one request timed to plan the rest.
    async fn first<P: Pages>(&self, pages: &P) -> Result<First<P::Item>, Error> {
        let key_only = || Some(json!([self.key]));
        let mut cmd = Map::new();
        cmd.insert("first".into(), self.command(None, "ASC", None));
        // The first page's keys, when its items do not carry them.
        let keys = if self.select_hides_key() {
            "keys"
        } else {
            "first"
        };
        if keys == "keys" {
            cmd.insert("keys".into(), self.command(None, "ASC", key_only()));
        }
        cmd.insert("max".into(), self.command(None, "DESC", key_only()));
        let sent = std::time::Instant::now();
        let batch = self.batch(cmd).await?;
        let total = sent.elapsed().as_secs_f64();
        let (mut answer, scrub) = (self.answer(&batch)?, &batch.scrub);
        let timed = answer.duration("first").map(|w| {
            let all = ["first", "keys", "max"]
                .iter()
                .filter_map(|k| answer.duration(k))
                .sum();
            (w, all)
        });
        let page = |k: &str| -> Result<Value, Error> {
            answer.result.get(k).map_or(Ok(Value::Null), |raw| {
                crate::wire::decode_slice::<Value>(raw.get().as_bytes()).map_err(|e| {
                    crate::envelope::decode_error(&self.method, 200, &e.in_key(k), scrub)
                })
            })
        };
        let (keys, max) = (page(keys)?, page("max")?);
        let items = match answer.result.remove("first") {
            Some(raw) => pages.read(raw.get().as_bytes()).map_err(|e| {
                crate::envelope::decode_error(&self.method, 200, &e.in_key("first"), scrub)
            })?,
            None => Vec::new(),
        };
        let max = self.key_of(&max, false)?.unwrap_or(0);
        let last = match self.key_of(&keys, true)? {
            Some(last) if items.len() as i64 >= self.page => last,
            // A page shorter than a full one is the whole list.
            _ => max,
        };
        Ok(First {
            items,
            last,
            max,
            cost: Cost::measured(total, timed),
        })
    }

    /// Runs `batch` as the `place`-th of the plan: once the batches before it have taken
    /// their place in the client's queue, it takes its own (its first poll) and lets the
    /// next one take the following place.
    async fn in_turn<F: Future>(&self, place: usize, batch: F) -> F::Output {
        let mut turn = self.queued.subscribe();
        // The sender lives as long as `self`: the wait ends with the turn.
        let _ = turn.wait_for(|queued| *queued >= place).await;
        let mut batch = std::pin::pin!(batch);
        let first = std::future::poll_fn(|cx| Poll::Ready(batch.as_mut().poll(cx))).await;
        self.queued
            .send_modify(|queued| *queued = (*queued).max(place + 1));
        match first {
            Poll::Ready(out) => out,
            Poll::Pending => batch.await,
        }
    }

    /// One batch of windows `(lo, lo + page]` (clipped at `max`), decoded; the `place`-th
    /// of the plan.
    async fn windows<P: Pages>(
        self: Arc<Self>,
        pages: Arc<P>,
        place: usize,
        los: Vec<i64>,
        max: i64,
    ) -> Windows<P::Item> {
        let mut cmd = Map::new();
        for &lo in &los {
            let window = (lo, (lo + self.page).min(max));
            cmd.insert(format!("w{lo}"), self.command(Some(window), "ASC", None));
        }
        let sent = self.in_turn(place, self.batch(cmd)).await?;
        // The pages of a batch (up to 50 of them, milliseconds of work) are read on the
        // blocking pool: batches planned to end together would otherwise take turns on
        // the async workers, each answer's decode holding up the reading of the next (and
        // the program's other tasks).
        let ex = self.clone();
        let read = move || {
            let answer = ex.answer(&sent)?;
            read_windows(&*pages, &ex.method, answer, &sent.scrub, &los)
        };
        match tokio::task::spawn_blocking(read).await {
            Ok(read) => read,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(TransportError::new(
                &self.method,
                TransportKind::Request,
                true,
                format!("an export task was cancelled ({e})"),
            )
            .into()),
        }
    }
}

/// The items of each window of a batch's answer, in the windows' order.
fn read_windows<P: Pages>(
    pages: &P,
    method: &str,
    mut answer: Answer<'_>,
    scrub: &crate::auth::Scrubber,
    los: &[i64],
) -> Windows<P::Item> {
    let mut out = Vec::with_capacity(los.len());
    for &lo in los {
        let key = format!("w{lo}");
        // A window's page as the method returns it (the items, or an object holding
        // them); a window the batch left out had nothing in it.
        let items = match answer.result.remove(&key) {
            Some(raw) => pages
                .read(raw.get().as_bytes())
                .map_err(|e| crate::envelope::decode_error(method, 200, &e.in_key(&key), scrub))?,
            None => Vec::new(),
        };
        out.push((lo, items));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exporter(listing: Listing) -> Arc<Exporter> {
        let client = Client::builder()
            .webhook("https://example.bitrix24.com/rest/1/abcdefabcdef/")
            .expect("client");
        let req = Prepared::by_name(
            "crm.deal.list",
            listing.api,
            Value::Object(Map::new()),
            None,
        )
        .expect("a request");
        client.exporter_of(req, listing).expect("exporter")
    }

    fn sent(text: &str, calls: Option<Vec<String>>) -> Sent {
        Sent {
            result: RawValue::from_string(text.to_string()).expect("JSON"),
            status: 200,
            scrub: crate::auth::Scrubber::none(),
            calls,
        }
    }

    #[test]
    fn a_batch_answer_is_read_in_place_and_a_failed_window_is_the_error() {
        let ex = exporter(Listing::v2_export("ID", None));
        let text = r#"{"result": {"w0": [{"ID": "1"}], "w50": []}, "result_error": [],
            "result_time": {"w0": {"duration": 0.25}}}"#;
        let batch = sent(text, None);
        let answer = ex.answer(&batch).expect("answer");
        assert_eq!(answer.result["w0"].get(), r#"[{"ID": "1"}]"#);
        assert_eq!(answer.duration("w0"), Some(0.25));
        // A failed command names its window (the first by name when several failed).
        let text = r#"{"result": {"w0": []}, "result_error": {
            "w100": {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many"},
            "w50": {"error": "ACCESS_DENIED", "error_description": "Access denied"}}}"#;
        let err = ex.answer(&sent(text, None)).expect_err("an error");
        let msg = err.to_string();
        assert!(
            msg.contains("QUERY_LIMIT_EXCEEDED") && msg.contains("export window w100"),
            "{msg}"
        );
        let err = ex.answer(&sent("[1, 2]", None)).expect_err("an error");
        assert!(
            err.to_string().contains("expected a batch's results"),
            "{err}"
        );
    }

    #[test]
    fn a_v3_batch_answer_is_one_result_per_call_in_order() {
        let ex = exporter(Listing::v3());
        let calls = Some(vec!["w0".to_string(), "w50".to_string()]);
        let batch = sent(r#"[{"items": []}, {"items": [{"id": 51}]}]"#, calls.clone());
        let answer = ex.answer(&batch).expect("answer");
        assert_eq!(answer.result["w50"].get(), r#"{"items": [{"id": 51}]}"#);
        let err = ex
            .answer(&sent(r#"[{"items": []}]"#, calls.clone()))
            .expect_err("an error");
        assert!(err.to_string().contains("1 results for 2 calls"), "{err}");
        let failed = r#"[{"items": []}, {"error": {"code": "ACCESS_DENIED", "message": "no"}}]"#;
        let err = ex.answer(&sent(failed, calls)).expect_err("an error");
        assert!(err.to_string().contains("ACCESS_DENIED"), "{err}");
    }
}
