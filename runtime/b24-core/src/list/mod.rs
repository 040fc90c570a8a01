//! Lists: page by page as a stream, or the fast export of huge lists — each typed, and
//! by name (a method known from its spec at run time), on the same engine.

mod export;
mod pages;
mod plan;

pub use export::Export;

use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Value, json};

use crate::client::Client;
use crate::error::{ConfigError, ConfigKind, Error, ProtocolError, ProtocolKind};
use crate::method::{ListMethod, Listing, Pagination};
use crate::prepared::{Prepared, Within};
use crate::wire::FromWire;
use pages::{Pages, RawPages, Typed};

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
    /// REST 3.0: `pagination.page` grows by one; a page shorter than `limit` is the last.
    V3Page { limit: i64 },
}

/// REST 3.0's page size when a request names none (the docs' default, `50`).
pub(super) const V3_PAGE_LIMIT: i64 = 50;

/// Where a list stands between pages.
struct Paging {
    /// The request; each page sets its place in the parameters.
    req: Prepared,
    cursor: Cursor,
    at: i64,
    /// The previous page's `result` (limit/offset only), to notice a server that ignores
    /// the offset.
    previous: Option<Box<serde_json::value::RawValue>>,
}

impl Paging {
    /// The first page of `req`, a method paging as `pagination`: the request's own
    /// `start`, offset or page; without a limit of its own, the largest allowed.
    fn first(mut req: Prepared, pagination: Pagination) -> Result<Paging, Error> {
        // Pages are read again after an ambiguous failure (a list only reads), and carry
        // no `Idempotency-Key` (each page's body differs).
        req.retry_ambiguous = true;
        req.key = None;
        let int =
            |params: &Value, name: &str| params.get(name).and_then(|v| i64::from_wire(v).ok());
        let params = &mut req.params;
        let (cursor, at) = match pagination {
            Pagination::StartNext { param, .. } => {
                (Cursor::StartNext { param }, int(params, param).unwrap_or(0))
            }
            Pagination::LimitOffset {
                offset_param,
                limit_param,
                max_limit,
            } => {
                let mut limit = int(params, limit_param);
                if limit.is_none()
                    && let (Some(max), Value::Object(m)) = (max_limit, &mut *params)
                {
                    m.insert(limit_param.to_string(), json!(max));
                    limit = Some(i64::from(max));
                }
                let at = int(params, offset_param).unwrap_or(0);
                let cursor = Cursor::LimitOffset {
                    offset_param,
                    limit,
                };
                (cursor, at)
            }
            Pagination::V3Page => {
                // `pagination: {page, limit}`: the request's own, else page 1 of the
                // documented default size, asked for explicitly so that a shorter page is
                // known to be the last.
                let given = params.get("pagination");
                let page = given.and_then(|p| int(p, "page")).unwrap_or(1).max(1);
                let limit = given
                    .and_then(|p| int(p, "limit"))
                    .unwrap_or(V3_PAGE_LIMIT)
                    .max(1);
                (Cursor::V3Page { limit }, page)
            }
            _ => {
                return Err(ConfigError::new(
                    ConfigKind::Unsupported,
                    format!(
                        "{} does not page with start/next, limit/offset or pages",
                        req.method
                    ),
                )
                .into());
            }
        };
        Ok(Paging {
            req,
            cursor,
            at,
            previous: None,
        })
    }

    /// The request's parameters set for the page at `self.at`.
    fn place(&mut self) {
        let Value::Object(m) = &mut self.req.params else {
            return;
        };
        match self.cursor {
            Cursor::StartNext { param } => {
                m.insert(param.to_string(), json!(self.at));
            }
            Cursor::LimitOffset { offset_param, .. } => {
                m.insert(offset_param.to_string(), json!(self.at));
            }
            Cursor::V3Page { limit } => {
                m.insert(
                    "pagination".into(),
                    json!({"page": self.at, "limit": limit}),
                );
            }
        }
    }

    /// Where the page after one of `n` items (answered `next`) is, if there is one.
    fn next_at(&self, n: i64, next: Option<i64>) -> Option<i64> {
        match self.cursor {
            Cursor::StartNext { .. } => next.filter(|n| *n > self.at),
            Cursor::LimitOffset { limit, .. } => {
                let last = n == 0 || limit.is_some_and(|l| n < l);
                (!last).then_some(self.at + n)
            }
            Cursor::V3Page { limit } => (n >= limit).then_some(self.at + 1),
        }
    }

    /// A server that ignores the offset or the page sends the same page again: the
    /// protocol error that says so, when `result` is the previous page's.
    fn repeated(&self, n: i64, result: &serde_json::value::RawValue) -> Option<Error> {
        let by_offset = !matches!(self.cursor, Cursor::StartNext { .. });
        if !by_offset || n == 0 || self.previous.as_ref().map(|p| p.get()) != Some(result.get()) {
            return None;
        }
        let detail = match self.cursor {
            Cursor::V3Page { .. } => format!(
                "answered the same page for pages {} and {}: it does not page",
                self.at - 1,
                self.at
            ),
            _ => format!(
                "answered the same page for offsets {} and {}: it does not page by offset",
                self.at - n,
                self.at
            ),
        };
        Some(ProtocolError::new(&self.req.method, ProtocolKind::Paging, detail).into())
    }
}

impl Client {
    /// Every item of a list method, page after page, as a stream: `start`/`next`, limit
    /// and offset (the offset grows by the items received; a page shorter than the limit,
    /// or empty, is the last), or REST 3.0's `pagination: {page, limit}` (the page grows by
    /// one, 50 items a page unless the request says otherwise; a shorter page is the
    /// last). The request's own `start` or offset is the first page's; without a limit of
    /// its own, the largest the spec allows is asked for. A server that answers the same
    /// page for the next offset is a protocol error, not an endless list.
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
        let paging = Prepared::typed(&method, Within::Call, None)
            .and_then(|req| Paging::first(req, M::PAGINATION));
        self.run_list(paging, Arc::new(Typed::<M>::of(self)))
    }

    /// Every item of a list method known by name, as JSON: what [`Client::list`] does
    /// for a binding, on the same engine (its page checks and retries), for a method read
    /// from its spec at run time. `listing` says how it pages and where its items are.
    ///
    /// ```no_run
    /// use b24::prelude::*;
    /// use b24::{Api, Listing, Pagination};
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let users = Listing::new(Api::V2, Pagination::StartNext { param: "start", page_size: 50, fast_key: None }, None);
    /// let all: Vec<serde_json::Value> = client
    ///     .list_raw("user.get", serde_json::json!({"ACTIVE": true}), users)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_raw(&self, method: &str, params: Value, listing: Listing) -> ItemStream<'_, Value> {
        let paging = Prepared::by_name(method, listing.api, params, None)
            .and_then(|req| Paging::first(req, listing.pagination));
        let pages = RawPages {
            items: listing.items,
        };
        self.run_list(paging, Arc::new(pages))
    }

    /// The list engine: pages one after another, each read by `pages`.
    fn run_list<P: Pages>(
        &self,
        paging: Result<Paging, Error>,
        pages: Arc<P>,
    ) -> ItemStream<'_, P::Item> {
        stream::unfold(Some(paging), move |state| {
            let pages = pages.clone();
            async move {
                let mut paging = match state? {
                    Err(e) => return Some((vec![Err(e)], None)),
                    Ok(p) => p,
                };
                paging.place();
                let page = self.execute(&paging.req).await.and_then(|raw| {
                    let items = pages.read(raw.result.get().as_bytes()).map_err(|e| {
                        crate::envelope::decode_error(
                            &paging.req.method,
                            raw.status,
                            &e,
                            &raw.scrub,
                        )
                    })?;
                    Ok((items, raw.next, raw.result))
                });
                let (items, next, result) = match page {
                    Err(e) => return Some((vec![Err(e)], None)),
                    Ok(page) => page,
                };
                let n = items.len() as i64;
                if let Some(e) = paging.repeated(n, &result) {
                    return Some((vec![Err(e)], None));
                }
                let by_offset = !matches!(paging.cursor, Cursor::StartNext { .. });
                let next_state = paging.next_at(n, next).map(|at| {
                    Ok(Paging {
                        at,
                        previous: by_offset.then_some(result),
                        ..paging
                    })
                });
                Some((items.into_iter().map(Ok).collect::<Vec<_>>(), next_state))
            }
        })
        .flat_map(stream::iter)
        .boxed()
    }
}
