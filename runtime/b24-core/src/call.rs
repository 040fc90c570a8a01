//! One call, built and then awaited: [`Call`] for a typed method, [`RawCall`] for a
//! method by name, [`Full`] for either with the whole envelope.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use serde_json::Value;

use crate::client::Client;
use crate::envelope::{Response, decode_response};
use crate::error::Error;
use crate::method::{Api, Method};
use crate::prepared::{Prepared, Within};

/// The future a call turns into when awaited: boxed, `Send`, borrowing the client and
/// the request for as long as the call runs.
pub type CallFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

impl Client {
    /// A call of a typed method, sent when awaited: `client.call(&m).await` gives its
    /// decoded `result`; `.full()` the whole envelope, `.retry_ambiguous()` opts in to
    /// repeating it after an ambiguous failure (see [`Call`]).
    ///
    /// The request is validated first: invalid parameters fail with
    /// [`Error::Validation`] and nothing is sent.
    pub fn call<'a, M: Method>(&'a self, method: &'a M) -> Call<'a, M> {
        Call::new(self, method)
    }

    /// A call of any method by name with JSON parameters, sent when awaited: the escape
    /// hatch for methods without a binding (see [`RawCall`]).
    pub fn raw<'a>(&'a self, method: &'a str, params: Value) -> RawCall<'a> {
        RawCall::new(self, method, params)
    }
}

/// A call of a typed method, sent when awaited; made by [`Client::call`].
///
/// Awaiting it validates the request (nothing is sent when a parameter breaks a rule),
/// sends it through the client's limits and retries, and decodes `result`:
///
/// ```no_run
/// # use b24::methods::im::RecentUnread;
/// # async fn run(client: b24::Client, dialog: b24::types::DialogId) -> Result<(), b24::Error> {
/// let ok = client.call(&RecentUnread::new(dialog)).await?;
/// // The envelope too (`time`, `total`, `next`), repeated after an ambiguous failure
/// // because the caller knows repeating it is harmless:
/// let answer = client.call(&RecentUnread::new(dialog)).retry_ambiguous().full().await?;
/// # Ok(()) }
/// ```
#[must_use = "a call sends nothing until it is awaited"]
#[derive(Debug)]
pub struct Call<'a, M> {
    client: &'a Client,
    method: &'a M,
    retry_ambiguous: bool,
    key: Option<String>,
}

impl<'a, M: Method> Call<'a, M> {
    pub(crate) fn new(client: &'a Client, method: &'a M) -> Self {
        Call {
            client,
            method,
            retry_ambiguous: false,
            key: None,
        }
    }

    /// REST 3.0: sends this call with `key` as its `Idempotency-Key` instead of a fresh
    /// one, so that a call repeated after a restart (its key kept) runs once too. A key
    /// is 1 to 255 printable ASCII characters; REST v2 ignores the header, so a key on a
    /// v2 method is refused (nothing is sent).
    ///
    /// Every REST 3.0 call that writes carries a key (a fresh UUID per call, the same on
    /// each retry of it): the portal runs it once and answers a repeat with the stored
    /// answer ([`Response::replayed`]), so a write that may have run is repeated safely.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Repeats this call after an ambiguous failure (a timeout, a connection broken after
    /// sending, a 5xx, a cut-off answer) even though the method is not idempotent: the
    /// caller knows running it twice is harmless. Idempotent methods are repeated anyway.
    pub fn retry_ambiguous(mut self) -> Self {
        self.retry_ambiguous = true;
        self
    }

    /// Resolves to the whole [`Response`]: `result` with `time`, `total` and `next`.
    pub fn full(self) -> Full<Self> {
        Full(self)
    }

    async fn send(self) -> Result<Response<M::Output>, Error> {
        let req = Prepared::typed(self.method, Within::Call, self.key)?
            .retry_ambiguous(self.retry_ambiguous);
        let raw = self.client.execute(&req).await?;
        decode_response::<M::Output>(M::NAME, raw)
    }
}

impl<'a, M: Method> IntoFuture for Call<'a, M> {
    type Output = Result<M::Output, Error>;
    type IntoFuture = CallFuture<'a, M::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send().await.map(|r| r.result) })
    }
}

/// A call of any method by name with JSON parameters, sent when awaited; made by
/// [`Client::raw`]. The escape hatch for methods without a binding: the name is
/// checked, the parameters are not, and the call is not repeated after an ambiguous
/// failure unless it says so.
///
/// ```no_run
/// # async fn run(client: b24::Client) -> Result<(), b24::Error> {
/// let profile = client.raw("profile", serde_json::json!({})).await?;
/// let task = client
///     .raw("tasks.task.get", serde_json::json!({"id": 1}))
///     .v3() // REST 3.0: /rest/api/…
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a call sends nothing until it is awaited"]
#[derive(Debug)]
pub struct RawCall<'a> {
    client: &'a Client,
    method: &'a str,
    params: Value,
    api: Api,
    retry_ambiguous: bool,
    key: Option<String>,
}

impl<'a> RawCall<'a> {
    pub(crate) fn new(client: &'a Client, method: &'a str, params: Value) -> Self {
        RawCall {
            client,
            method,
            params,
            api: Api::V2,
            retry_ambiguous: false,
            key: None,
        }
    }

    /// REST 3.0: this call's `Idempotency-Key` instead of a fresh one (see
    /// [`Call::idempotency_key`]). Every REST 3.0 call by name carries a key (reads
    /// ignore it), and is repeated with it after an ambiguous failure.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sends the call to REST 3.0 (`/rest/api/…`) instead of the classic API.
    pub fn v3(mut self) -> Self {
        self.api = Api::V3;
        self
    }

    /// Repeats this call after an ambiguous failure: the caller knows running it twice
    /// is harmless (see [`Call::retry_ambiguous`]).
    pub fn retry_ambiguous(mut self) -> Self {
        self.retry_ambiguous = true;
        self
    }

    /// Resolves to the whole [`Response`]: `result` with `time`, `total` and `next`.
    pub fn full(self) -> Full<Self> {
        Full(self)
    }

    async fn send(self) -> Result<Response<Value>, Error> {
        let req = Prepared::by_name(self.method, self.api, self.params, self.key)?
            .retry_ambiguous(self.retry_ambiguous);
        let raw = self.client.execute(&req).await?;
        decode_response::<Value>(self.method, raw)
    }
}

impl<'a> IntoFuture for RawCall<'a> {
    type Output = Result<Value, Error>;
    type IntoFuture = CallFuture<'a, Value>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send().await.map(|r| r.result) })
    }
}

/// A [`Call`] or [`RawCall`] that resolves to the whole [`Response`]; made by their
/// `full()`.
#[must_use = "a call sends nothing until it is awaited"]
#[derive(Debug)]
pub struct Full<C>(C);

impl<M: Method> Full<Call<'_, M>> {
    /// See [`Call::retry_ambiguous`].
    pub fn retry_ambiguous(self) -> Self {
        Full(self.0.retry_ambiguous())
    }

    /// See [`Call::idempotency_key`].
    pub fn idempotency_key(self, key: impl Into<String>) -> Self {
        Full(self.0.idempotency_key(key))
    }
}

impl Full<RawCall<'_>> {
    /// See [`RawCall::v3`].
    pub fn v3(self) -> Self {
        Full(self.0.v3())
    }

    /// See [`RawCall::retry_ambiguous`].
    pub fn retry_ambiguous(self) -> Self {
        Full(self.0.retry_ambiguous())
    }

    /// See [`RawCall::idempotency_key`].
    pub fn idempotency_key(self, key: impl Into<String>) -> Self {
        Full(self.0.idempotency_key(key))
    }
}

impl<'a, M: Method> IntoFuture for Full<Call<'a, M>> {
    type Output = Result<Response<M::Output>, Error>;
    type IntoFuture = CallFuture<'a, Response<M::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.0.send())
    }
}

impl<'a> IntoFuture for Full<RawCall<'a>> {
    type Output = Result<Response<Value>, Error>;
    type IntoFuture = CallFuture<'a, Response<Value>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.0.send())
    }
}
