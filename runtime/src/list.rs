//! Lists: page by page as a stream, or the fast export of huge lists.

use std::collections::BTreeMap;

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Map, Value, json};

use crate::batch::MAX_COMMANDS;
use crate::client::{Client, params_of};
use crate::error::{ConfigError, Error};
use crate::method::{ListMethod, Pagination};
use crate::wire::FromWire;

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

impl Client {
    /// Every item of a list method, page after page (`start`/`next`), as a stream.
    ///
    /// The request's own `start` is the first page's.
    pub fn list<M>(&self, method: M) -> impl Stream<Item = Result<M::Item, Error>> + '_
    where
        M: ListMethod + 'static,
    {
        let first = match M::PAGINATION {
            Pagination::StartNext { param, .. } => params_of(&method)
                .and_then(|p| method.validate().map(|_| p).map_err(Error::from))
                .map(|p| (p, param)),
            _ => Err(ConfigError(format!("{} does not page with start/next", M::NAME)).into()),
        };
        let state = match first {
            Ok((params, param)) => {
                let start = params
                    .get(param)
                    .and_then(|v| i64::from_wire(v).ok())
                    .unwrap_or(0);
                Some(Ok((params, param, start)))
            }
            Err(e) => Some(Err(e)),
        };
        stream::unfold(state, move |state| async move {
            match state? {
                Err(e) => Some((vec![Err(e)], None)),
                Ok((mut params, param, start)) => {
                    if let Value::Object(m) = &mut params {
                        m.insert(param.to_string(), json!(start));
                    }
                    let page = self
                        .execute(M::NAME, M::API, params.clone(), true)
                        .await
                        .and_then(|raw| {
                            let out = M::Output::from_wire(&raw.result).map_err(|e| {
                                crate::client::decode_error(M::NAME, raw.status, &e)
                            })?;
                            Ok((M::items(out), raw.next))
                        });
                    match page {
                        Err(e) => Some((vec![Err(e)], None)),
                        Ok((items, next)) => {
                            let next_state =
                                next.filter(|n| *n > start).map(|n| Ok((params, param, n)));
                            Some((items.into_iter().map(Ok).collect(), next_state))
                        }
                    }
                }
            }
        })
        .flat_map(stream::iter)
    }

    /// Every item of a huge list, fast: no counting (`start = -1`), ordered by the key,
    /// the key range cut into independent windows (`>KEY`, `<=KEY`) of one page each,
    /// 50 windows a batch, batches in parallel within the rate limit. Items come back in
    /// key order, without duplicates or gaps. The request's own filter applies; its
    /// `order` and `start` are replaced.
    pub async fn export<M>(&self, method: &M) -> Result<Vec<M::Item>, Error>
    where
        M: ListMethod,
    {
        self.export_with(method, |_| {}).await
    }

    /// Like [`Client::export`], calling `progress` after every batch.
    pub async fn export_with<M, F>(
        &self,
        method: &M,
        mut progress: F,
    ) -> Result<Vec<M::Item>, Error>
    where
        M: ListMethod,
        F: FnMut(Progress),
    {
        let Pagination::StartNext {
            page_size,
            fast_key: Some(key),
            ..
        } = M::PAGINATION
        else {
            return Err(ConfigError(format!(
                "{} has no fast export mode (start = -1 over a key)",
                M::NAME
            ))
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
        let page = i64::from(page_size.max(1));
        let span = page * MAX_COMMANDS as i64;
        let exporter = Exporter {
            client: self,
            method: M::NAME,
            base: &base,
            filter: &filter,
            key,
            page,
        };

        use futures_util::FutureExt;
        use futures_util::stream::FuturesUnordered;
        let exporter = &exporter;
        let windows = move |lo: i64, hi: i64| {
            exporter
                .windows(lo, hi)
                .map(|r| r.map(Done::Windows))
                .boxed()
        };
        let mut tasks = FuturesUnordered::new();
        // The key range is probed while the first windows already run.
        tasks.push(exporter.probe().map(|r| r.map(Done::Probe)).boxed());
        let speculative = self.inner.limiter.parallel_hint().saturating_sub(2).max(1) as i64;
        let mut next_lo = 0i64;
        for _ in 0..speculative {
            tasks.push(windows(next_lo, next_lo + span));
            next_lo += span;
        }
        let mut pages: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
        let mut p = Progress {
            records: 0,
            requests: 0,
            max_key: None,
        };
        while let Some(done) = tasks.next().await {
            match done? {
                Done::Probe(None) => {
                    p.max_key = Some(0);
                }
                Done::Probe(Some((min, max))) => {
                    p.max_key = Some(max);
                    if next_lo < min - 1 {
                        next_lo = min - 1;
                    }
                    while next_lo < max {
                        tasks.push(windows(next_lo, (next_lo + span).min(max)));
                        next_lo += span;
                    }
                }
                Done::Windows(rows) => {
                    p.requests += 1;
                    for (lo, r) in rows {
                        p.records += r.len();
                        pages.insert(lo, r);
                    }
                    progress(p);
                }
            }
        }
        let mut items = Vec::with_capacity(p.records);
        for (lo, rows) in pages {
            let out = M::Output::from_wire(&Value::Array(rows)).map_err(|e| {
                crate::client::decode_error(M::NAME, 200, &e.in_key(&format!("window>{lo}")))
            })?;
            items.extend(M::items(out));
        }
        Ok(items)
    }
}

enum Done {
    Probe(Option<(i64, i64)>),
    Windows(Vec<(i64, Vec<Value>)>),
}

struct Exporter<'a> {
    client: &'a Client,
    method: &'static str,
    base: &'a Map<String, Value>,
    filter: &'a Map<String, Value>,
    key: &'static str,
    page: i64,
}

impl Exporter<'_> {
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

    async fn batch(&self, cmd: Map<String, Value>) -> Result<Map<String, Value>, Error> {
        let keys: Vec<String> = cmd.keys().cloned().collect();
        let params = json!({ "halt": 0, "cmd": cmd });
        let raw = self
            .client
            .execute("batch", crate::method::Api::V2, params, true)
            .await?;
        let r = raw.result;
        if let Some(Value::Object(errors)) = r.get("result_error")
            && let Some((k, e)) = errors.iter().next()
        {
            return Err(crate::error::ApiError {
                method: self.method.to_string(),
                code: crate::error::ErrorCode::from(
                    e.get("error").and_then(Value::as_str).unwrap_or_default(),
                ),
                description: format!(
                    "{} (export window {k})",
                    e.get("error_description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ),
                status: 400,
            }
            .into());
        }
        let results = match r.get("result") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let _ = keys;
        Ok(results)
    }

    /// The smallest and largest key matching the filter, or `None` for an empty list.
    async fn probe(&self) -> Result<Option<(i64, i64)>, Error> {
        let mut cmd = Map::new();
        cmd.insert("min".into(), json!(self.command(Map::new(), "ASC", true)));
        cmd.insert("max".into(), json!(self.command(Map::new(), "DESC", true)));
        let r = self.batch(cmd).await?;
        let first = |k: &str| -> Option<i64> {
            r.get(k)?
                .as_array()?
                .first()?
                .get(self.key)
                .and_then(|v| i64::from_wire(v).ok())
        };
        Ok(first("min").zip(first("max")))
    }

    /// One batch of windows `(lo, lo + page]` from `lo` up to `hi`.
    async fn windows(&self, lo: i64, hi: i64) -> Result<Vec<(i64, Vec<Value>)>, Error> {
        let mut cmd = Map::new();
        let mut w = lo;
        while w < hi {
            let mut f = Map::new();
            f.insert(format!(">{}", self.key), json!(w));
            f.insert(format!("<={}", self.key), json!((w + self.page).min(hi)));
            cmd.insert(format!("w{w}"), json!(self.command(f, "ASC", false)));
            w += self.page;
        }
        let mut r = self.batch(cmd).await?;
        let mut out = Vec::new();
        let mut w = lo;
        while w < hi {
            let rows = match r.remove(&format!("w{w}")) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            out.push((w, rows));
            w += self.page;
        }
        Ok(out)
    }
}
