//! Lists: page by page as a stream, or the fast export of huge lists.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::task::JoinSet;

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Map, Value, json};

use crate::batch::MAX_COMMANDS;
use crate::client::{Client, params_of};
use crate::error::{
    ConfigError, ConfigKind, Error, ProtocolError, ProtocolKind, TransportError, TransportKind,
};
use crate::method::{ListMethod, Pagination};
use crate::wire::FromWire;

/// The items of a list, as [`Client::list`] streams them: boxed, so that it is `Unpin`
/// and can be named in a struct field.
pub type ItemStream<'a, T> = std::pin::Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// How far an export has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Records received so far.
    pub records: usize,
    /// Batches (HTTP requests) finished so far.
    pub requests: usize,
    /// The largest key in the list, once known.
    pub max_key: Option<i64>,
}

/// The first page's parameters and cursor, validated.
fn first_page<M: ListMethod>(method: &M) -> Result<Paging, Error> {
    let mut params = params_of(method)?;
    method.validate()?;
    let int = |params: &Value, name: &str| params.get(name).and_then(|v| i64::from_wire(v).ok());
    let (cursor, at) = match M::PAGINATION {
        Pagination::StartNext { param, .. } => (
            Cursor::StartNext { param },
            int(&params, param).unwrap_or(0),
        ),
        Pagination::LimitOffset {
            offset_param,
            limit_param,
            max_limit,
        } => {
            let mut limit = int(&params, limit_param);
            if limit.is_none()
                && let (Some(max), Value::Object(m)) = (max_limit, &mut params)
            {
                m.insert(limit_param.to_string(), json!(max));
                limit = Some(i64::from(max));
            }
            let at = int(&params, offset_param).unwrap_or(0);
            (
                Cursor::LimitOffset {
                    offset_param,
                    limit,
                },
                at,
            )
        }
        _ => {
            return Err(ConfigError::new(
                ConfigKind::Unsupported,
                format!("{} does not page with start/next or limit/offset", M::NAME),
            )
            .into());
        }
    };
    Ok(Paging {
        params,
        cursor,
        at,
        previous: None,
    })
}

/// How a list's next page is asked for.
#[derive(Clone, Copy)]
enum Cursor {
    /// `start` = the `next` of the previous answer.
    StartNext { param: &'static str },
    /// The offset grows by the items received; a page shorter than `limit` is the last.
    LimitOffset {
        offset_param: &'static str,
        limit: Option<i64>,
    },
}

/// Where a list stands between pages.
struct Paging {
    params: Value,
    cursor: Cursor,
    at: i64,
    /// The previous page's `result` (limit/offset only), to notice a server that ignores
    /// the offset.
    previous: Option<Box<serde_json::value::RawValue>>,
}

impl Client {
    /// Every item of a list method, page after page, as a stream: `start`/`next`, or
    /// limit and offset (the offset grows by the items received; a page shorter than the
    /// limit, or empty, is the last). The request's own `start` or offset is the first
    /// page's; without a limit of its own, the largest the spec allows is asked for.
    ///
    /// The stream is `Unpin` and `Send`: `StreamExt::next` works on it as it is (the
    /// extension traits come with `b24::prelude`).
    ///
    /// ```no_run
    /// use b24::prelude::*;
    ///
    /// #[b24_method("crm.item.list")]
    /// struct ItemList;
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let mut deals = client.list(ItemList::new(2)); // 2: deals
    /// while let Some(deal) = deals.next().await {
    ///     println!("{:?}", deal?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list<M>(&self, method: M) -> ItemStream<'_, M::Item>
    where
        M: ListMethod + 'static,
        M::Item: Send,
    {
        let state = Some(first_page::<M>(&method));
        stream::unfold(state, move |state| async move {
            let mut paging = match state? {
                Err(e) => return Some((vec![Err(e)], None)),
                Ok(p) => p,
            };
            let param = match paging.cursor {
                Cursor::StartNext { param } => param,
                Cursor::LimitOffset { offset_param, .. } => offset_param,
            };
            if let Value::Object(m) = &mut paging.params {
                m.insert(param.to_string(), json!(paging.at));
            }
            let page = self
                .execute(M::NAME, M::API, paging.params.clone(), true)
                .await
                .and_then(|raw| {
                    let out = raw.decode::<M::Output>(M::NAME)?;
                    Ok((M::items(out), raw.next, raw.result))
                });
            let (items, next, result) = match page {
                Err(e) => return Some((vec![Err(e)], None)),
                Ok(page) => page,
            };
            let n = items.len() as i64;
            let next_at = match paging.cursor {
                Cursor::StartNext { .. } => next.filter(|n| *n > paging.at),
                Cursor::LimitOffset { limit, .. } => {
                    let last = n == 0 || limit.is_some_and(|l| n < l);
                    (!last).then_some(paging.at + n)
                }
            };
            let by_offset = matches!(paging.cursor, Cursor::LimitOffset { .. });
            if by_offset && n > 0 && paging.previous.as_ref().map(|p| p.get()) == Some(result.get())
            {
                // The same page again for a larger offset: the server ignores it.
                let e = ProtocolError::new(
                    M::NAME,
                    ProtocolKind::Paging,
                    format!(
                        "answered the same page for offsets {} and {}: it does not page by offset",
                        paging.at - n,
                        paging.at
                    ),
                );
                return Some((vec![Err(e.into())], None));
            }
            let out: Vec<Result<M::Item, Error>> = items.into_iter().map(Ok).collect();
            let next_state = next_at.map(|at| {
                Ok(Paging {
                    at,
                    previous: by_offset.then_some(result),
                    ..paging
                })
            });
            Some((out, next_state))
        })
        .flat_map(stream::iter)
        .boxed()
    }

    /// Every item of a huge list, fast, as a stream: no counting (`start = -1`), ordered
    /// by the key, the key range cut into independent windows (`>KEY`, `<=KEY`) of one
    /// page each, 50 windows a batch, batches in parallel within the rate limit (at most
    /// the bucket's capacity at once). Items come in key order, without duplicates or
    /// gaps; [`Export::progress`] says how far it has come. The request's own filter
    /// applies; its `order` and `start` are replaced. Dropping the stream stops the
    /// batches still running.
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
        let progress = Arc::new(Mutex::new(Progress {
            records: 0,
            requests: 0,
            max_key: None,
        }));
        let shared = progress.clone();
        let start = Run::Start(self.exporter(method));
        let items = stream::unfold(start, move |run| {
            let shared = shared.clone();
            async move { run.step::<M>(&shared).await }
        })
        .flat_map(stream::iter)
        .boxed();
        Export { items, progress }
    }

    /// What a fast export of `method` sends, once its request is checked.
    fn exporter<M: ListMethod>(&self, method: &M) -> Result<Arc<Exporter>, Error> {
        let Pagination::StartNext {
            page_size,
            fast_key: Some(key),
            ..
        } = M::PAGINATION
        else {
            return Err(ConfigError::new(
                ConfigKind::Unsupported,
                format!(
                    "{} has no fast export mode (start = -1 over a key)",
                    M::NAME
                ),
            )
            .into());
        };
        method.validate()?;
        let mut base = match params_of(method)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        base.remove("start");
        base.remove("order");
        let filter = match base.remove("filter") {
            Some(Value::Object(f)) => f,
            _ => Map::new(),
        };
        Ok(Arc::new(Exporter {
            client: self.clone(),
            method: M::NAME,
            base,
            filter,
            key,
            items: M::ITEMS,
            page: i64::from(page_size.max(1)),
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
    /// The request checked (or refused); the key range not asked for yet.
    Start(Result<Arc<Exporter>, Error>),
    /// Batches of windows in flight; pages kept until every page before them came.
    Windows {
        ex: Arc<Exporter>,
        max: i64,
        /// Batches not sent yet, in key order.
        waiting: VecDeque<Vec<i64>>,
        /// Every window's low key, in order: the front one is the next to give out.
        order: VecDeque<i64>,
        running: JoinSet<Windows<T>>,
        pages: BTreeMap<i64, Vec<T>>,
        at_once: usize,
    },
    Done,
}

type Step<T> = Option<(Vec<Result<T, Error>>, Run<T>)>;

impl<T: Send + 'static> Run<T> {
    async fn step<M>(self, progress: &Mutex<Progress>) -> Step<T>
    where
        M: ListMethod<Item = T> + 'static,
    {
        let update =
            |f: &dyn Fn(&mut Progress)| f(&mut progress.lock().unwrap_or_else(|e| e.into_inner()));
        let mut run = self;
        loop {
            run = match run {
                Run::Done => return None,
                Run::Start(Err(e)) => return Some((vec![Err(e)], Run::Done)),
                Run::Start(Ok(ex)) => match ex.probe().await {
                    Err(e) => return Some((vec![Err(e)], Run::Done)),
                    Ok(None) => {
                        update(&|p| p.max_key = Some(0));
                        return None;
                    }
                    Ok(Some((min, max))) => {
                        update(&|p| p.max_key = Some(max));
                        ex.plan(min, max)
                    }
                },
                Run::Windows {
                    ex,
                    max,
                    mut waiting,
                    mut order,
                    mut running,
                    mut pages,
                    at_once,
                } => {
                    if let Some(lo) = order.front()
                        && let Some(items) = pages.remove(lo)
                    {
                        order.pop_front();
                        let next = Run::Windows {
                            ex,
                            max,
                            waiting,
                            order,
                            running,
                            pages,
                            at_once,
                        };
                        return Some((items.into_iter().map(Ok).collect(), next));
                    }
                    if order.is_empty() {
                        return None;
                    }
                    while running.len() < at_once
                        && let Some(los) = waiting.pop_front()
                    {
                        let ex = ex.clone();
                        running.spawn(async move { ex.windows::<M>(&los, max).await });
                    }
                    let rows = match running.join_next().await {
                        Some(Ok(Ok(rows))) => rows,
                        Some(Ok(Err(e))) => return Some((vec![Err(e)], Run::Done)),
                        Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        Some(Err(e)) => {
                            // Cancelled: only when the runtime shuts down under the export.
                            let e = TransportError::new(
                                M::NAME,
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
                    pages.extend(rows);
                    Run::Windows {
                        ex,
                        max,
                        waiting,
                        order,
                        running,
                        pages,
                        at_once,
                    }
                }
            };
        }
    }
}

struct Exporter {
    client: Client,
    method: &'static str,
    base: Map<String, Value>,
    filter: Map<String, Value>,
    key: &'static str,
    /// The member of a page's `result` holding its items, if it wraps them.
    items: Option<&'static str>,
    page: i64,
}

impl Exporter {
    /// Windows of one page each over `min..=max`, spread evenly over as many batches as
    /// the bucket lets run at once (at most 50 windows a batch); at most the bucket's
    /// capacity of batches in flight.
    fn plan<T>(self: Arc<Self>, min: i64, max: i64) -> Run<T> {
        let windows: Vec<i64> = (0..)
            .map(|i| min - 1 + i * self.page)
            .take_while(|lo| *lo < max)
            .collect();
        let limiter = self.client.limiter();
        let needed = windows.len().div_ceil(MAX_COMMANDS);
        let batches = needed.max(limiter.available().min(windows.len())).max(1);
        let per_batch = windows.len().div_ceil(batches).max(1);
        let waiting: VecDeque<Vec<i64>> = windows.chunks(per_batch).map(<[i64]>::to_vec).collect();
        let at_once = limiter.capacity().min(waiting.len()).max(1);
        tracing::debug!(target: "b24", method = self.method, windows = windows.len(), batches = waiting.len(), per_batch, at_once, "export plan");
        Run::Windows {
            order: windows.into_iter().collect(),
            ex: self,
            max,
            waiting,
            running: JoinSet::new(),
            pages: BTreeMap::new(),
            at_once,
        }
    }

    fn command(
        &self,
        extra_filter: Map<String, Value>,
        order: &str,
        select_key_only: bool,
    ) -> String {
        let mut p = self.base.clone();
        let mut f = self.filter.clone();
        f.extend(extra_filter);
        p.insert("filter".into(), Value::Object(f));
        p.insert("order".into(), json!({ self.key: order }));
        p.insert("start".into(), json!(-1));
        if select_key_only {
            p.insert("select".into(), json!([self.key]));
        }
        format!(
            "{}?{}",
            self.method,
            crate::batch::encode_query(&Value::Object(p))
        )
    }

    /// The commands' results, and what takes the client's secrets out of errors about them.
    async fn batch(
        &self,
        cmd: Map<String, Value>,
    ) -> Result<(Map<String, Value>, crate::client::Scrubber), Error> {
        let params = json!({ "halt": 0, "cmd": cmd });
        let raw = self
            .client
            .execute("batch", crate::method::Api::V2, params, true)
            .await?;
        let mut r = raw.value("batch")?;
        if let Some(Value::Object(errors)) = r.get("result_error")
            && let Some((k, e)) = errors.iter().next()
        {
            // A server may echo a token in either member.
            return Err(crate::error::ApiError::new(
                self.method,
                raw.scrub
                    .apply(e.get("error").and_then(Value::as_str).unwrap_or_default()),
                raw.scrub.apply(&format!(
                    "{} (export window {k})",
                    e.get("error_description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                )),
                400,
            )
            .into());
        }
        let results = match r.get_mut("result").map(Value::take) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Ok((results, raw.scrub))
    }

    /// The smallest and largest key matching the filter, or `None` for an empty list.
    async fn probe(&self) -> Result<Option<(i64, i64)>, Error> {
        let mut cmd = Map::new();
        cmd.insert("min".into(), json!(self.command(Map::new(), "ASC", true)));
        cmd.insert("max".into(), json!(self.command(Map::new(), "DESC", true)));
        let (r, _) = self.batch(cmd).await?;
        let first = |k: &str| -> Result<Option<i64>, Error> {
            let page = r.get(k).unwrap_or(&Value::Null);
            let rows = match self.items {
                Some(member) => page.get(member).unwrap_or(&Value::Null),
                None => page,
            };
            let Some(row) = rows.as_array().and_then(|a| a.first()) else {
                return Ok(None);
            };
            // The key as the items name it (`ID`, or `id` where they are camelCase).
            let v = row.as_object().and_then(|row| {
                row.get(self.key).or_else(|| {
                    row.iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(self.key))
                        .map(|(_, v)| v)
                })
            });
            match v.and_then(|v| i64::from_wire(v).ok()) {
                Some(key) => Ok(Some(key)),
                None => Err(ProtocolError::new(
                    self.method,
                    ProtocolKind::ExportKey,
                    format!(
                        "the fast export's first item has no integer `{}`, so the list cannot be cut into windows",
                        self.key
                    ),
                )
                .into()),
            }
        };
        Ok(first("min")?.zip(first("max")?))
    }

    /// One batch of windows `(lo, lo + page]` (clipped at `max`), decoded.
    async fn windows<M: ListMethod>(
        &self,
        los: &[i64],
        max: i64,
    ) -> Result<Vec<(i64, Vec<M::Item>)>, Error> {
        let mut cmd = Map::new();
        for &lo in los {
            let mut f = Map::new();
            f.insert(format!(">{}", self.key), json!(lo));
            f.insert(format!("<={}", self.key), json!((lo + self.page).min(max)));
            cmd.insert(format!("w{lo}"), json!(self.command(f, "ASC", false)));
        }
        let (mut r, scrub) = self.batch(cmd).await?;
        let mut out = Vec::with_capacity(los.len());
        for &lo in los {
            let key = format!("w{lo}");
            // A window's page as the method returns it (the items, or an object holding
            // them); a window the batch left out had nothing in it.
            let rows = match (r.remove(&key), self.items) {
                (Some(v), _) => v,
                (None, None) => Value::Array(Vec::new()),
                (None, Some(member)) => json!({ member: [] }),
            };
            let page = M::Output::from_wire(&rows)
                .map_err(|e| crate::client::decode_error(M::NAME, 200, &e.in_key(&key), &scrub))?;
            out.push((lo, M::items(page)));
        }
        Ok(out)
    }
}
