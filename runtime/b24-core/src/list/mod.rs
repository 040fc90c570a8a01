//! Lists: page by page as a stream, or the fast export of huge lists.

mod export;
mod plan;

pub use export::{Export, RawExport};

use futures_util::stream::{self, Stream, StreamExt};
use serde_json::{Value, json};

use crate::client::{Client, params_of};
use crate::error::{ConfigError, ConfigKind, Error, ProtocolError, ProtocolKind};
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
        Pagination::V3Page => {
            // `pagination: {page, limit}`: the request's own, else page 1 of the documented
            // default size, asked for explicitly so that a shorter page is known to be the last.
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
                    M::NAME
                ),
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
    /// REST 3.0: `pagination.page` grows by one; a page shorter than `limit` is the last.
    V3Page { limit: i64 },
}

/// REST 3.0's page size when a request names none (the docs' default, `50`).
pub(super) const V3_PAGE_LIMIT: i64 = 50;

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
    /// Every item of a list method, page after page, as a stream: `start`/`next`, limit
    /// and offset (the offset grows by the items received; a page shorter than the limit,
    /// or empty, is the last), or REST 3.0's `pagination: {page, limit}` (the page grows by
    /// one, 50 items a page unless the request says otherwise; a shorter page is the last). The request's own `start` or offset is the first
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
            if let Value::Object(m) = &mut paging.params {
                match paging.cursor {
                    Cursor::StartNext { param } => {
                        m.insert(param.to_string(), json!(paging.at));
                    }
                    Cursor::LimitOffset { offset_param, .. } => {
                        m.insert(offset_param.to_string(), json!(paging.at));
                    }
                    Cursor::V3Page { limit } => {
                        m.insert(
                            "pagination".into(),
                            json!({"page": paging.at, "limit": limit}),
                        );
                    }
                }
            }
            let page = self
                .execute(M::NAME, M::API, paging.params.clone(), true, None)
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
                Cursor::V3Page { limit } => (n >= limit).then_some(paging.at + 1),
            };
            // A server that ignores the offset or the page sends the same page again.
            let by_offset = !matches!(paging.cursor, Cursor::StartNext { .. });
            if by_offset && n > 0 && paging.previous.as_ref().map(|p| p.get()) == Some(result.get())
            {
                // The same page again for a larger offset: the server ignores it.
                let detail = match paging.cursor {
                    Cursor::V3Page { .. } => format!(
                        "answered the same page for pages {} and {}: it does not page",
                        paging.at - 1,
                        paging.at
                    ),
                    _ => format!(
                        "answered the same page for offsets {} and {}: it does not page by offset",
                        paging.at - n,
                        paging.at
                    ),
                };
                let e = ProtocolError::new(M::NAME, ProtocolKind::Paging, detail);
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
}
