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
            return Err(ConfigError(format!(
                "{} does not page with start/next or limit/offset",
                M::NAME
            ))
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
    pub fn list<M>(&self, method: M) -> impl Stream<Item = Result<M::Item, Error>> + '_
    where
        M: ListMethod + 'static,
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
                let e = ConfigError(format!(
                    "{} answered the same page for offsets {} and {}: it does not page by offset",
                    M::NAME,
                    paging.at - n,
                    paging.at
                ));
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
    }

    /// Every item of a huge list, fast: no counting (`start = -1`), ordered by the key,
    /// the key range cut into independent windows (`>KEY`, `<=KEY`) of one page each,
    /// 50 windows a batch, batches in parallel within the rate limit. Items come back in
    /// key order, without duplicates or gaps. The request's own filter applies; its
    /// `order` and `start` are replaced.
    pub async fn export<M>(&self, method: &M) -> Result<Vec<M::Item>, Error>
    where
        M: ListMethod + 'static,
        M::Item: 'static,
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
        M: ListMethod + 'static,
        M::Item: 'static,
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
        let exporter = std::sync::Arc::new(Exporter {
            client: self.clone(),
            method: M::NAME,
            base,
            filter,
            key,
            page,
        });
        let mut p = Progress {
            records: 0,
            requests: 0,
            max_key: None,
        };
        // 1. The key range.
        let Some((min, max)) = exporter.probe().await? else {
            p.max_key = Some(0);
            progress(p);
            return Ok(Vec::new());
        };
        p.max_key = Some(max);
        progress(p);
        // 2. Windows of one page each, spread evenly over as many batches as the bucket
        //    lets run at once (at most 50 windows a batch).
        let windows: Vec<i64> = (0..)
            .map(|i| min - 1 + i * page)
            .take_while(|lo| *lo < max)
            .collect();
        let needed = windows.len().div_ceil(MAX_COMMANDS);
        let batches = needed
            .max(self.inner.limiter.available().min(windows.len()))
            .max(1);
        let per_batch = windows.len().div_ceil(batches);
        // 3. Batches run as tasks of their own, so that answers are decoded on every core.
        let mut tasks: futures_util::stream::FuturesUnordered<_> = windows
            .chunks(per_batch)
            .map(|chunk| {
                let ex = exporter.clone();
                let los = chunk.to_vec();
                tokio::spawn(async move { ex.windows::<M>(&los, max).await })
            })
            .collect();
        let mut pages: BTreeMap<i64, Vec<M::Item>> = BTreeMap::new();
        while let Some(done) = tasks.next().await {
            let rows = done.map_err(|e| ConfigError(format!("an export task failed: {e}")))??;
            p.requests += 1;
            for (lo, r) in rows {
                p.records += r.len();
                pages.insert(lo, r);
            }
            progress(p);
        }
        let mut items = Vec::with_capacity(p.records);
        for (_, rows) in pages {
            items.extend(rows);
        }
        Ok(items)
    }
}

struct Exporter {
    client: Client,
    method: &'static str,
    base: Map<String, Value>,
    filter: Map<String, Value>,
    key: &'static str,
    page: i64,
}

impl Exporter {
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
        let params = json!({ "halt": 0, "cmd": cmd });
        let raw = self
            .client
            .execute("batch", crate::method::Api::V2, params, true)
            .await?;
        let mut r = raw.value("batch")?;
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
        let results = match r.get_mut("result").map(Value::take) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
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
        let mut r = self.batch(cmd).await?;
        let mut out = Vec::with_capacity(los.len());
        for &lo in los {
            let key = format!("w{lo}");
            let rows = match r.remove(&key) {
                Some(v @ Value::Array(_)) => v,
                _ => Value::Array(Vec::new()),
            };
            let page = M::Output::from_wire(&rows)
                .map_err(|e| crate::client::decode_error(M::NAME, 200, &e.in_key(&key)))?;
            out.push((lo, M::items(page)));
        }
        Ok(out)
    }
}
