//! The [`Client`] — one portal, one set of credentials, cheap to clone — and its
//! [`ClientBuilder`]. What a call does on its way lives beside: `prepared.rs` (the request
//! built once), `execute.rs` (limits and retries), `retry.rs` (the decision),
//! `attempt.rs` (one attempt on the wire), `envelope.rs` (the answer).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Endpoint, Scrubber};
use crate::error::{ConfigError, ConfigKind, Error};
use crate::limits::{Limiter, OperatingTracker, RateLimit};
use crate::metrics::{Metrics, MetricsCounters};
use crate::oauth::{DEFAULT_TOKEN_ENDPOINT, OAuthApp, OAuthState, TokenStore};
use crate::retry::RetryPolicy;

/// A Bitrix24 REST client.
///
/// Cloning is cheap (an [`Arc`] inside); clones share the connection pool, the rate
/// limiter, the operating-time tracker and the OAuth tokens.
///
/// Every call goes through the same pipeline: validation (nothing is sent on failure),
/// the client-side leaky bucket, the operating-time tracker, the request, and retries
/// that never repeat a write that may already have run (see [`RetryPolicy`]).
///
/// ```no_run
/// # async fn run() -> Result<(), b24::Error> {
/// let client = b24::Client::from_webhook("https://example.bitrix24.com/rest/1/xxxxxxxx/")?;
/// let unread: serde_json::Value = client
///     .raw("im.recent.unread", serde_json::json!({"DIALOG_ID": "chat74"}))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) metrics: MetricsCounters,
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) limiter: Limiter,
    pub(crate) operating: OperatingTracker,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response: u64,
    /// Permits for requests on the wire (see [`ClientBuilder::max_in_flight`]).
    pub(crate) in_flight: Arc<tokio::sync::Semaphore>,
    /// Takes this client's secrets out of what servers send back (shared by its answers).
    pub(crate) scrubber: Scrubber,
    /// Answers that do not decode strictly are decoded leniently (the default).
    pub(crate) lenient: bool,
    /// The URL of each method called so far.
    pub(crate) urls: crate::auth::Urls,
}

/// The most requests a client and its clones have on the wire at once, unless
/// [`ClientBuilder::max_in_flight`] says otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("portal", &self.inner.endpoint.portal.as_str())
            .field("auth", &self.inner.endpoint.auth)
            .finish()
    }
}

/// Configuration of a [`Client`].
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response: Option<u64>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    rate_limit: Option<Option<RateLimit>>,
    operating_budget: Option<Duration>,
    retry: Option<RetryPolicy>,
    token_endpoint: Option<String>,
    token_store: Option<Arc<dyn TokenStore>>,
    max_in_flight: Option<usize>,
    shared_limit: Option<Arc<dyn crate::RateLimiter>>,
    strict_decoding: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("timeout", &self.timeout)
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Decodes every answer strictly: a member of another form than the binding's type
    /// fails the whole call with a [`DecodeError`](crate::DecodeError) naming the method
    /// and the JSON path (for tests, and for checking bindings against a portal).
    ///
    /// By default an answer that does not decode strictly is decoded again leniently: the
    /// members of an unexpected form are left out of their typed fields (kept as they came
    /// in their struct's `extra`), every other member is read, and each one left out is
    /// reported — in [`Response::unread`](crate::Response::unread) and as a `tracing`
    /// warning (target `b24`) naming the method, the JSON path and what was found.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Total time allowed for one HTTP request (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// The most bytes one answer may hold (default [`DEFAULT_MAX_RESPONSE`], 64 MiB),
    /// enforced while it streams in; a larger one is a [`TransportKind::Body`] error.
    /// The token endpoint's answers are held to 1 MiB.
    ///
    /// [`DEFAULT_MAX_RESPONSE`]: crate::DEFAULT_MAX_RESPONSE
    /// [`TransportKind::Body`]: crate::TransportKind::Body
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response = Some(limit);
        self
    }

    /// The most requests this client and its clones have on the wire at once (default
    /// [`DEFAULT_MAX_IN_FLIGHT`], 64; at least 1). More wait their turn before they are
    /// sent, and their [`timeout`](Self::timeout) starts when they are: ten thousand
    /// concurrent calls open at most this many connections, instead of one socket each.
    /// (A portal's burst is 50 requests, 250 on Enterprise plans: more in flight than that
    /// only waits at the portal's limit.)
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n.max(1));
        self
    }

    /// Shares the portal's rate limit with every other client on `limiter` — in this
    /// process or others (with feature `redis`, `RedisRateLimiter`):
    /// each request takes its room there too, so that workers, cron jobs and web handlers
    /// calling one portal keep to its one limit together. The bucket is this client's
    /// [`rate_limit`](Self::rate_limit) (without one, nothing is shared). If the store
    /// fails, the client paces itself alone until it answers (see
    /// [`shared_limit`](crate::shared_limit)).
    pub fn shared_rate_limit(mut self, limiter: impl crate::RateLimiter + 'static) -> Self {
        self.shared_limit = Some(Arc::new(limiter));
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// The `User-Agent` header (default `b24-rust/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, TLS settings); the timeouts and
    /// user agent of this builder are then ignored. Start from
    /// [`http_client_builder`](crate::http_client_builder), which has b24's TLS set up.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// The portal's request-rate limit, mirrored on the client so that it is never
    /// exceeded (default [`RateLimit::STANDARD`]); `None` sends without pacing.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The per-method operating-time budget (default 480 s in 10 minutes).
    pub fn operating_budget(mut self, budget: Duration) -> Self {
        self.operating_budget = Some(budget);
        self
    }

    /// When calls are repeated.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The OAuth token endpoint (default `https://oauth.bitrix.info/oauth/token/`).
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// Where refreshed OAuth tokens are saved.
    pub fn token_store(mut self, store: impl TokenStore + 'static) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// A client for an inbound webhook `https://{portal}/rest/{user_id}/{code}/`.
    pub fn webhook(self, url: &str) -> Result<Client, Error> {
        let endpoint = Endpoint::webhook(url)?;
        self.build(endpoint)
    }

    /// A client for an OAuth application with only an access token (no refresh).
    pub fn oauth(self, portal: &str, access_token: impl Into<String>) -> Result<Client, Error> {
        let app = OAuthApp {
            client_id: String::new(),
            client_secret: crate::Secret::new(""),
            access_token: crate::Secret::new(access_token),
            refresh_token: None,
            expires_in: None,
        };
        self.oauth_app(portal, app)
    }

    /// A client for an OAuth application that refreshes its tokens: on 401
    /// `expired_token` (one refresh shared by all concurrent calls, then the call is
    /// repeated once) and ahead of time once `expires_in` has passed.
    pub fn oauth_app(mut self, portal: &str, app: OAuthApp) -> Result<Client, Error> {
        let token_endpoint = self
            .token_endpoint
            .take()
            .unwrap_or_else(|| DEFAULT_TOKEN_ENDPOINT.to_string());
        let state = OAuthState::new(app, &token_endpoint, self.token_store.take())?;
        let endpoint = Endpoint::oauth(portal, state)?;
        self.build(endpoint)
    }

    fn build(self, endpoint: Endpoint) -> Result<Client, Error> {
        let origin = endpoint.portal.origin().ascii_serialization();
        let http =
            match self.http {
                Some(c) => c,
                None => crate::tls::http_client_builder()?
                    .timeout(self.timeout.unwrap_or(Duration::from_secs(60)))
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("b24-rust/", env!("CARGO_PKG_VERSION")).to_string()
                    }))
                    .build()
                    .map_err(|e| {
                        ConfigError::new(
                            ConfigKind::Http,
                            format!("cannot build the HTTP client: {}", e.without_url()),
                        )
                    })?,
            };
        Ok(Client {
            inner: Arc::new(Inner {
                metrics: MetricsCounters::default(),
                http,
                scrubber: Scrubber::of(&endpoint.auth),
                endpoint,
                limiter: {
                    let l = Limiter::new(self.rate_limit.unwrap_or(Some(RateLimit::STANDARD)));
                    match self.shared_limit {
                        Some(store) => l.with_shared(
                            store,
                            origin,
                            self.timeout.unwrap_or(Duration::from_secs(60)),
                        ),
                        None => l,
                    }
                },
                operating: OperatingTracker::new(
                    self.operating_budget.unwrap_or(Duration::from_secs(480)),
                ),
                retry: self.retry.unwrap_or_default(),
                max_response: self
                    .max_response
                    .unwrap_or(crate::body::DEFAULT_MAX_RESPONSE),
                in_flight: Arc::new(tokio::sync::Semaphore::new(
                    self.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT),
                )),
                lenient: !self.strict_decoding,
                urls: crate::auth::Urls::default(),
            }),
        })
    }
}

impl Client {
    /// A client for an inbound webhook `https://{portal}/rest/{user_id}/{code}/`.
    ///
    /// Plain `http://` is refused except to loopback addresses.
    pub fn from_webhook(url: impl AsRef<str>) -> Result<Client, Error> {
        ClientBuilder::default().webhook(url.as_ref())
    }

    /// A client for an OAuth application: the portal address and an access token.
    pub fn from_oauth(
        portal: impl AsRef<str>,
        access_token: impl Into<String>,
    ) -> Result<Client, Error> {
        ClientBuilder::default().oauth(portal.as_ref(), access_token)
    }

    /// Configuration beyond the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The portal's address (`https://{portal}/`), without credentials.
    pub fn portal(&self) -> &url::Url {
        &self.inner.endpoint.portal
    }

    /// What this client (and its clones) sent so far.
    pub fn metrics(&self) -> Metrics {
        self.inner
            .metrics
            .snapshot(self.inner.limiter.shared_errors())
    }

    /// The rate-limit bucket every request goes through.
    pub(crate) fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// How failed attempts are repeated.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The per-method operating-time budgets.
    pub(crate) fn operating(&self) -> &OperatingTracker {
        &self.inner.operating
    }

    /// The portal and its auth.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The HTTP client (for requests outside the REST envelope, e.g. downloads).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// A turn on the wire (see [`ClientBuilder::max_in_flight`]); `None` only if the
    /// permits were closed, which nothing does.
    pub(crate) async fn in_flight(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.inner.in_flight.acquire().await.ok()
    }
}
