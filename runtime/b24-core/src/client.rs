//! The [`Client`]: one portal, one set of credentials, cheap to clone.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_json::value::RawValue;

use crate::auth::{Auth, Endpoint};
use crate::envelope::{Response, Time};
use crate::error::{
    ApiError, ConfigError, ConfigKind, DecodeError, DecodeKind, Error, ErrorCode, Problem,
    TransportError, ValidationError,
};
use crate::limits::{Limiter, OperatingTracker, RateLimit};
use crate::method::{Api, Method};
use crate::oauth::{DEFAULT_TOKEN_ENDPOINT, OAuthApp, OAuthState, TokenStore};
use crate::wire::{FromWire, Unread, WireError};

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

/// What a client has sent so far (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// HTTP requests sent (a batch is one).
    pub requests: u64,
    /// Requests repeated after the portal refused them without running them.
    pub retried_refused: u64,
    /// Requests repeated after an ambiguous failure (idempotent or opted in).
    pub retried_ambiguous: u64,
    /// OAuth token refreshes.
    pub refreshes: u64,
    /// Times the shared rate limit's store failed and the client paced itself alone
    /// (see [`ClientBuilder::shared_rate_limit`]).
    pub shared_limit_errors: u64,
    /// REST 3.0 answers the portal replayed: a repeated call with the same
    /// `Idempotency-Key` got the stored answer of the first, which ran once.
    pub replayed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct MetricsCounters {
    requests: std::sync::atomic::AtomicU64,
    retried_refused: std::sync::atomic::AtomicU64,
    retried_ambiguous: std::sync::atomic::AtomicU64,
    refreshes: std::sync::atomic::AtomicU64,
    replayed: std::sync::atomic::AtomicU64,
}

fn bump(c: &std::sync::atomic::AtomicU64) {
    c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// When calls are repeated.
///
/// A request the portal refused without running it (503 `QUERY_LIMIT_EXCEEDED`,
/// 429 `OPERATION_TIME_LIMIT`, no connection) is always repeated, after the wait the
/// portal asks for. A request that may have run (a timeout, a connection broken after
/// sending, a 5xx, a cut-off answer) is repeated only for idempotent methods, or when
/// the call says so ([`Call::retry_ambiguous`](crate::Call::retry_ambiguous)).
///
/// Waits after a 503, a failed connection or an ambiguous failure get up to a fifth added
/// at random, so that clients refused together do not come back together.
///
/// Every wait is bounded: a wait the portal asks for is capped at its 10-minute
/// operating-time window, and a call gives up — with the last error, or an
/// `OPERATION_TIME_LIMIT` it did not send — once its waits would pass the call's
/// deadline (default 12 minutes: one window and its retries).
///
/// ```
/// use std::time::Duration;
/// let policy = b24::RetryPolicy::default()
///     .with_ambiguous_attempts(1) // never repeat a request that may have run
///     .with_backoff(Duration::from_millis(50));
/// assert_eq!(policy.refused_attempts(), 30);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    ambiguous_attempts: u32,
    refused_attempts: u32,
    backoff: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts of a request that may have run, 30 of a refused one, 200 ms backoff,
    /// a 12-minute deadline.
    fn default() -> Self {
        RetryPolicy {
            ambiguous_attempts: 3,
            refused_attempts: 30,
            backoff: Duration::from_millis(200),
            deadline: Duration::from_secs(12 * 60),
        }
    }
}

impl RetryPolicy {
    /// Most attempts of a request that may have run (idempotent methods, or a call that
    /// opted in); 1 never repeats one. At least 1.
    pub fn with_ambiguous_attempts(mut self, attempts: u32) -> Self {
        self.ambiguous_attempts = attempts.max(1);
        self
    }

    /// Most attempts of a request the portal refused without running it. At least 1.
    pub fn with_refused_attempts(mut self, attempts: u32) -> Self {
        self.refused_attempts = attempts.max(1);
        self
    }

    /// The first pause between attempts of a request that may have run; it doubles
    /// each time.
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The most one call may take across its attempts and the waits between them: a
    /// wait that would pass it is not begun, and the call ends with the last error.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The most one call may take across its attempts and waits.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Most attempts of a request that may have run.
    pub fn ambiguous_attempts(&self) -> u32 {
        self.ambiguous_attempts
    }

    /// Most attempts of a request the portal refused without running it.
    pub fn refused_attempts(&self) -> u32 {
        self.refused_attempts
    }

    /// The first pause between attempts of a request that may have run.
    pub fn backoff(&self) -> Duration {
        self.backoff
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
            }),
        })
    }
}

/// How a failed attempt may be repeated.
enum Next {
    /// Not executed: wait, then repeat.
    Wait(Duration),
    /// The access token expired: refresh, then repeat once.
    Refresh,
    /// May have executed.
    Ambiguous,
    /// Final.
    Fail,
}

fn classify(e: &Error, client: &Client, method: &str) -> Next {
    match e {
        Error::Api(api) => match api.code() {
            ErrorCode::QueryLimitExceeded => {
                client.inner.limiter.saturate();
                Next::Wait(crate::limits::jittered(
                    client.inner.limiter.retry_after_503(),
                ))
            }
            ErrorCode::OperationTimeLimit => Next::Wait(client.inner.operating.blocked(
                method,
                None,
                Duration::from_secs(10),
            )),
            ErrorCode::ExpiredToken => Next::Refresh,
            _ if api.may_have_run() => Next::Ambiguous,
            _ => Next::Fail,
        },
        Error::Transport(t) if !t.may_have_run() => {
            Next::Wait(crate::limits::jittered(Duration::from_millis(100)))
        }
        Error::Transport(_) => Next::Ambiguous,
        // A cut-off or garbled answer: the request reached the portal.
        Error::Decode(d) if d.kind() == DecodeKind::Body => Next::Ambiguous,
        _ => Next::Fail,
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
        use std::sync::atomic::Ordering::Relaxed;
        let m = &self.inner.metrics;
        Metrics {
            requests: m.requests.load(Relaxed),
            retried_refused: m.retried_refused.load(Relaxed),
            retried_ambiguous: m.retried_ambiguous.load(Relaxed),
            refreshes: m.refreshes.load(Relaxed),
            shared_limit_errors: self.inner.limiter.shared_errors(),
            replayed: m.replayed.load(Relaxed),
        }
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

    /// Sends a request through the limits, with the retries the policy allows.
    pub(crate) async fn execute(
        &self,
        method: &str,
        api: Api,
        params: Value,
        retry_ambiguous: bool,
        key: Option<&str>,
    ) -> Result<RawAnswer, Error> {
        // A REST 3.0 call with an `Idempotency-Key` runs once however often it is sent: a
        // request that may have run is repeated with the same key.
        let retry_ambiguous = retry_ambiguous || key.is_some();
        let policy = self.inner.retry;
        // Each repeat of a keyed call is safe: it may be repeated as often as a refused one.
        let ambiguous_attempts = match key {
            Some(_) => policy.ambiguous_attempts.max(policy.refused_attempts),
            None => policy.ambiguous_attempts,
        };
        let deadline = tokio::time::Instant::now() + policy.deadline;
        // Whether a pause of `d` still ends before the deadline.
        let fits = |d: Duration| tokio::time::Instant::now() + d <= deadline;
        let (mut refused, mut ambiguous, mut refreshed) = (0u32, 0u32, false);
        loop {
            if let Some(paused) = self.inner.limiter.paused_elsewhere().await {
                for (m, until) in paused {
                    self.inner.operating.pause_until(&m, until);
                }
            }
            if let Some(wait) = self.inner.operating.wait_for(method) {
                if !fits(wait) {
                    return Err(ApiError::new(
                        method,
                        "OPERATION_TIME_LIMIT",
                        format!(
                            "not sent: the method's operating-time budget is spent for {} s more, past the call's deadline",
                            wait.as_secs()
                        ),
                        429,
                    )
                    .into());
                }
                tracing::debug!(target: "b24", method, wait_ms = wait.as_millis() as u64, "operating-time budget spent: waiting");
                tokio::time::sleep(wait).await;
            }
            if let Auth::OAuth(state) = &self.inner.endpoint.auth
                && state.expired()
                && state.can_refresh()
            {
                let (_, generation) = state.current();
                if state.refresh(&self.inner.http, generation).await? {
                    bump(&self.inner.metrics.refreshes);
                }
            }
            let generation = match &self.inner.endpoint.auth {
                Auth::OAuth(state) => state.current().1,
                Auth::Webhook { .. } => 0,
            };
            let result = {
                let permit = self.inner.limiter.acquire().await;
                let r = self.send_once(method, api, &params, key).await;
                self.inner.limiter.release(permit).await;
                r
            };
            let e = match result {
                Ok(answer) => {
                    if let Some(t) = &answer.time
                        && let Some(reset) =
                            self.inner
                                .operating
                                .observe(method, t.operating, t.operating_reset_at)
                    {
                        self.inner.limiter.share_pause(method, reset as f64).await;
                    }
                    return Ok(answer);
                }
                Err(e) => e,
            };
            let next = classify(&e, self, method);
            if let (Next::Wait(d), Some(ErrorCode::OperationTimeLimit)) = (&next, e.api_code()) {
                let until = crate::limits::unix_now() + d.as_secs_f64();
                self.inner.limiter.share_pause(method, until).await;
            }
            match next {
                Next::Wait(d) if refused + 1 < policy.refused_attempts && fits(d) => {
                    refused += 1;
                    bump(&self.inner.metrics.retried_refused);
                    tracing::debug!(target: "b24", method, wait_ms = d.as_millis() as u64, "refused, not executed: retrying");
                    tokio::time::sleep(d).await;
                }
                Next::Refresh if !refreshed => {
                    let Auth::OAuth(state) = &self.inner.endpoint.auth else {
                        return Err(e);
                    };
                    if !state.can_refresh() {
                        return Err(e);
                    }
                    refreshed = true;
                    if state.refresh(&self.inner.http, generation).await? {
                        bump(&self.inner.metrics.refreshes);
                    }
                }
                Next::Ambiguous
                    if retry_ambiguous
                        && ambiguous + 1 < ambiguous_attempts
                        && fits((policy.backoff * 2u32.saturating_pow(ambiguous)).mul_f64(1.2)) =>
                {
                    let d =
                        crate::limits::jittered(policy.backoff * 2u32.saturating_pow(ambiguous));
                    ambiguous += 1;
                    bump(&self.inner.metrics.retried_ambiguous);
                    tracing::debug!(target: "b24", method, "ambiguous failure of an idempotent call: retrying");
                    tokio::time::sleep(d).await;
                }
                _ => return Err(e),
            }
        }
    }

    async fn send_once(
        &self,
        method: &str,
        api: Api,
        params: &Value,
        key: Option<&str>,
    ) -> Result<RawAnswer, Error> {
        let endpoint = &self.inner.endpoint;
        let url = endpoint.url_for(method, api);
        let mut req = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json");
        // Serializing a `Value` cannot fail (its keys are strings).
        let body = match (&endpoint.auth, params) {
            (Auth::OAuth(state), Value::Object(m)) => {
                let (token, _) = state.current();
                let mut m = m.clone();
                m.insert("auth".into(), Value::String(token.expose().to_string()));
                serde_json::to_vec(&m).unwrap_or_default()
            }
            (Auth::OAuth(state), _) => {
                let (token, _) = state.current();
                req = req.query(&[("auth", token.expose())]);
                serde_json::to_vec(params).unwrap_or_default()
            }
            // The webhook's credentials are in the URL: the parameters go as they are.
            (Auth::Webhook { .. }, _) => serde_json::to_vec(params).unwrap_or_default(),
        };
        // Held until the answer is read: a request waits here, unsent, for its turn.
        let _permit = self.in_flight().await;
        let started = Instant::now();
        bump(&self.inner.metrics.requests);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let resp = req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| TransportError::from_reqwest(method, e, false))?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            return Err(redirected(method, status, resp.headers(), &endpoint.portal).into());
        }
        if resp.url().origin() != endpoint.portal.origin() {
            // A client of the caller's that follows redirects: the answer is not the
            // portal's, and is not taken.
            return Err(ConfigError::new(
                ConfigKind::Redirected,
                format!(
                    "{method}: the answer came from {} after a redirect; build the HTTP client with `redirect(Policy::none())`",
                    resp.url().origin().ascii_serialization()
                ),
            )
            .into());
        }
        // Only a keyed (REST 3.0) call can be a replay.
        let replayed = key.is_some()
            && resp
                .headers()
                .get("idempotent-replayed")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let bytes = crate::body::read_capped(method, resp, self.inner.max_response, true).await?;
        tracing::debug!(
            target: "b24",
            method,
            status,
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "call"
        );
        let mut answer = decode_envelope(method, status, &bytes, self.inner.scrubber.clone())?;
        answer.lenient = self.inner.lenient;
        if replayed {
            answer.replayed = true;
            bump(&self.inner.metrics.replayed);
        }
        Ok(answer)
    }
}

/// The error for a redirect answer: names where it points (the origin only: a path may
/// hold a token), and is not followed.
pub(crate) fn redirected(
    what: &str,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    base: &url::Url,
) -> ConfigError {
    let target = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| base.join(l).ok())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| "nowhere".into());
    ConfigError::new(
        ConfigKind::Redirected,
        format!(
            "{what}: the portal answered HTTP {status} pointing to {target}, which b24 does not follow (credentials go to the configured portal only); if the portal moved, configure its new address"
        ),
    )
}

/// The parameters of a typed request as JSON.
pub(crate) fn params_of<M: Method>(method: &M) -> Result<Value, Error> {
    method.params().map_err(|e| {
        ValidationError::new(
            M::NAME,
            vec![Problem::new(
                "",
                "",
                format!("the parameters do not serialize to JSON: {e}"),
                None,
            )],
        )
        .into()
    })
}

pub(crate) fn decode_response<T: FromWire>(
    method: &str,
    raw: RawAnswer,
) -> Result<Response<T>, Error> {
    let (result, unread) = raw.decode_reporting::<T>(method)?;
    Ok(Response {
        result,
        time: raw.time,
        total: raw.total,
        next: raw.next,
        replayed: raw.replayed,
        unread,
    })
}

/// Decodes an answer's body the way a call does: the envelope, then `result` into `T`
/// straight from its text (the decode benchmark measures this).
#[doc(hidden)]
pub fn decode_body<T: FromWire>(
    method: &str,
    status: u16,
    body: &[u8],
) -> Result<Response<T>, Error> {
    decode_response(
        method,
        decode_envelope(method, status, body, Scrubber::none())?,
    )
}

/// Takes the client's secrets out of a text a server may have filled (an echoed token in
/// an error or a value); carried by each answer to the errors decoded from it.
#[derive(Clone)]
pub(crate) struct Scrubber(Option<Arc<crate::auth::Auth>>);

impl Scrubber {
    /// For an answer not tied to a client's credentials (tests, benchmarks).
    pub(crate) fn none() -> Scrubber {
        Scrubber(None)
    }

    pub(crate) fn of(auth: &crate::auth::Auth) -> Scrubber {
        Scrubber(Some(Arc::new(auth.clone())))
    }

    pub(crate) fn apply(&self, text: &str) -> String {
        match &self.0 {
            Some(auth) => auth.scrub(text),
            None => text.to_string(),
        }
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scrubber")
    }
}

/// An answer with a `result`, before the result is decoded.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    /// The text of `result`, decoded into a type straight from it.
    pub(crate) result: Box<RawValue>,
    pub(crate) time: Option<Time>,
    pub(crate) total: Option<i64>,
    pub(crate) next: Option<i64>,
    /// For the errors decoded from this answer.
    pub(crate) scrub: Scrubber,
    /// REST 3.0: the stored answer of an earlier call with the same `Idempotency-Key`.
    pub(crate) replayed: bool,
    /// An answer that does not decode strictly is decoded leniently (the client's
    /// setting; `false` for answers outside a client).
    pub(crate) lenient: bool,
}

impl RawAnswer {
    /// The `result` decoded into `T`; the members left out of their fields are reported
    /// as `tracing` warnings only.
    pub(crate) fn decode<T: FromWire>(&self, method: &str) -> Result<T, Error> {
        self.decode_reporting(method).map(|(t, _)| t)
    }

    /// The `result` decoded into `T`, strictly straight from its text; when that fails
    /// and the client is lenient, again leniently (see [`crate::wire::decode_lenient`]),
    /// with the members that were left out.
    pub(crate) fn decode_reporting<T: FromWire>(
        &self,
        method: &str,
    ) -> Result<(T, Vec<Unread>), Error> {
        let text = self.result.get().as_bytes();
        let strict = match crate::wire::decode_slice(text) {
            Ok(t) => return Ok((t, Vec::new())),
            Err(e) => e,
        };
        let failed = || decode_error(method, self.status, &strict, &self.scrub);
        if !self.lenient {
            return Err(failed());
        }
        let Ok((t, mut unread)) = crate::wire::decode_lenient::<T>(text) else {
            return Err(failed());
        };
        for u in &mut unread {
            u.path = self.scrub.apply(&u.path.replacen('$', "$.result", 1));
            u.found = self.scrub.apply(&u.found);
            tracing::warn!(
                target: "b24",
                method,
                path = %u.path,
                expected = %u.expected,
                found = %u.found,
                "a member of the answer is not of the documented form: left out of its field, kept in `extra`"
            );
        }
        Ok((t, unread))
    }

    /// The `result` as a JSON value.
    pub(crate) fn value(&self, method: &str) -> Result<Value, Error> {
        self.decode(method)
    }
}

/// A value of `result` that is not what the method returns; what the server sent in it
/// is scrubbed of the client's secrets.
pub(crate) fn decode_error(method: &str, status: u16, e: &WireError, scrub: &Scrubber) -> Error {
    DecodeError::new(
        method,
        DecodeKind::Value,
        &scrub.apply(&e.path_from("$.result")),
        scrub.apply(&format!(
            "expected {}, found {}",
            e.expected_what(),
            e.found()
        )),
        status,
    )
    .into()
}

pub(crate) fn check_method_name(method: &str) -> Result<(), Error> {
    let ok = !method.is_empty()
        && method
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            method,
            vec![Problem::new(
                "method",
                method,
                "a method name is letters, digits and `_`, separated by single dots",
                Some("ERROR_METHOD_NOT_FOUND"),
            )],
        )
        .into())
    }
}

/// Decodes an answer: an API error, a malformed body, or the envelope around `result`.
pub(crate) fn decode_envelope(
    method: &str,
    status: u16,
    body: &[u8],
    scrubber: Scrubber,
) -> Result<RawAnswer, Error> {
    let scrub = |s: &str| scrubber.apply(s);
    let malformed = |path: &str, problem: String| -> Error {
        let kind = if path == "$" {
            DecodeKind::Body
        } else {
            DecodeKind::Value
        };
        DecodeError::new(method, kind, path, scrub(&problem), status).into()
    };
    crate::wire::forget();
    let parsed = serde_json::from_slice::<Envelope<'_>>(body);
    let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let env = match parsed {
        Ok(env) if is_object => env,
        Ok(_) => return Err(malformed("$", "the body is not a JSON object".into())),
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            // A member the envelope decodes in place (`time`) says where it went wrong.
            let w = crate::wire::into_wire_error(&e);
            let path = w.path_from("$");
            if is_object && path != "$" {
                return Err(malformed(&path, w.to_string()));
            }
            return Err(malformed("$", "the body is not a JSON object".into()));
        }
        Err(e) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
            let kind = if text.trim_start().starts_with('<') {
                "an HTML page, not JSON"
            } else if e.is_eof() {
                "truncated JSON"
            } else {
                "not JSON"
            };
            return Err(malformed(
                "$",
                format!("the body ({} bytes) is {kind}: {e}", body.len()),
            ));
        }
    };
    if let Some(Value::Object(v3)) = &env.error
        && let Some(Value::String(code)) = v3.get("code")
    {
        return Err(v3_error(method, status, code, v3, &scrub).into());
    }
    if let Some(code) = &env.error {
        // A server may echo anything, even a token, in either member.
        let code = scrub(&match code {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let description = match &env.error_description {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        return Err(ApiError::new(method, code, scrub(&description), status).into());
    }
    if !(200..300).contains(&status) {
        return Err(malformed(
            "$",
            format!("HTTP {status} without an `error` member"),
        ));
    }
    let Some(result) = env.result else {
        return Err(malformed("$.result", "missing".into()));
    };
    let time = env.time;
    let int = |k: &str, v: &Option<Value>| -> Result<Option<i64>, Error> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => i64::from_wire(v)
                .map(Some)
                .map_err(|e| malformed(&format!("$.{k}"), e.to_string())),
        }
    };
    let total = int("total", &env.total)?;
    let next = int("next", &env.next)?;
    Ok(RawAnswer {
        status,
        result: result.to_owned(),
        time,
        total,
        next,
        scrub: scrubber,
        replayed: false,
        lenient: false,
    })
}

/// A REST 3.0 error: `{"code", "message", "validation": [{"field", "message"}]}`, each
/// text scrubbed of the client's secrets.
pub(crate) fn v3_error(
    method: &str,
    status: u16,
    code: &str,
    error: &serde_json::Map<String, Value>,
    scrub: &dyn Fn(&str) -> String,
) -> ApiError {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => scrub(s),
        Some(Value::Null) | None => String::new(),
        Some(other) => scrub(&other.to_string()),
    };
    let validation = match error.get("validation") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                crate::error::Problem::new(
                    text(item.get("field")),
                    "",
                    text(item.get("message")),
                    Some(code),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    ApiError::new(method, scrub(code), text(error.get("message")), status)
        .with_validation(validation)
}

/// The members of an answer the client reads; `result` is kept as text.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_description: Option<Value>,
    /// Decoded in place: it comes with every answer.
    #[serde(default, deserialize_with = "time_block")]
    time: Option<Time>,
    #[serde(default)]
    total: Option<Value>,
    #[serde(default)]
    next: Option<Value>,
}

/// The `time` block, a failure with its path.
fn time_block<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    <Option<Time> as FromWire>::decode(d)
        .map_err(|e| crate::wire::relocate(e, crate::wire::Segment::Key("time".into())))
}

/// A member that is there, even as `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(status: u16, body: &str) -> Result<RawAnswer, Error> {
        let auth = crate::auth::Auth::Webhook {
            user: 1,
            token: crate::Secret::new("TOKEN"),
        };
        decode_envelope(
            "im.recent.unread",
            status,
            body.as_bytes(),
            Scrubber::of(&auth),
        )
    }

    #[test]
    fn success_envelope() {
        let a = dec(
            200,
            r#"{"result": true, "time": {"start": 1772518597, "finish": 1772518597.38, "duration": 0.38, "processing": 0,
                "date_start": "2026-03-03T09:16:37+01:00", "date_finish": "2026-03-03T09:16:37+01:00",
                "operating_reset_at": 1772519197, "operating": 0}}"#,
        ).expect("decodes");
        assert_eq!(a.result.get(), "true");
        let t = a.time.expect("time");
        assert_eq!(t.operating_reset_at, Some(1772519197));
        assert_eq!(t.operating, Some(0.0));
        assert_eq!(
            t.date_start.map(|d| d.to_string()).as_deref(),
            Some("2026-03-03T09:16:37+01:00")
        );
    }

    #[test]
    fn list_envelope() {
        let a = dec(200, r#"{"result": [1,2], "total": "120", "next": 50}"#).expect("decodes");
        assert_eq!(a.total, Some(120));
        assert_eq!(a.next, Some(50));
    }

    #[test]
    fn time_blocks_in_every_form_the_portal_sends_and_a_wrong_one_with_its_path() {
        let t = |time: &str| dec(200, &format!(r#"{{"result": 1, "time": {time}}}"#));
        let a = t(
            r#"{"start": "1772518597.5", "finish": 1772518598, "duration": "",
            "operating": false, "date_start": 5, "date_finish": {"x": 1}, "extra": [1, {"y": 2}]}"#,
        )
        .expect("lenient");
        let time = a.time.expect("time");
        assert_eq!((time.start, time.finish), (1772518597.5, 1772518598.0));
        assert_eq!((time.duration, time.operating), (0.0, None));
        assert_eq!((time.date_start, time.date_finish), (None, None));
        assert_eq!(t("null").expect("null").time, None);
        assert_eq!(
            t("[]").expect("PHP's empty map").time,
            Some(Time::default())
        );
        for (time, path) in [
            (r#"{"start": "soon"}"#, "$.time.start"),
            (r#"{"operating": true}"#, "$.time.operating"),
            (r#"{"finish": [1]}"#, "$.time.finish"),
        ] {
            let Err(Error::Decode(e)) = t(time) else {
                panic!("{time}: decodes")
            };
            assert_eq!(e.path(), path, "{e}");
        }
    }

    #[test]
    fn a_v3_error_is_decoded_with_the_fields_it_names_and_echoed_secrets_scrubbed() {
        let e = dec(
            400,
            r#"{"error": {"code": "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                "message": "Error validating request object (TOKEN)",
                "validation": [{"message": "Required field `id` is not specified", "field": "id"},
                               {"message": "Not TOKEN", "field": "fields.title"}]}}"#,
        )
        .err()
        .expect("an error");
        let Error::Api(api) = &e else { panic!("{e:?}") };
        assert_eq!(api.code(), &ErrorCode::V3RequestValidation);
        assert_eq!(api.status(), 400);
        let fields: Vec<_> = api.validation().iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["id", "fields.title"]);
        assert!(!e.to_string().contains("TOKEN"), "{e}");
        assert!(e.to_string().contains("`id`: Required field"), "{e}");
    }

    #[test]
    fn error_envelope() {
        let e = dec(
            400,
            r#"{"error":"DIALOG_ID_EMPTY","error_description":"Dialog ID can't be empty"}"#,
        )
        .err()
        .expect("error");
        let Error::Api(api) = e else {
            panic!("not an API error: {e}")
        };
        assert_eq!(api.code(), &ErrorCode::DialogIdEmpty);
        assert_eq!(api.status(), 400);
        assert_eq!(api.description(), "Dialog ID can't be empty");
    }

    #[test]
    fn empty_and_numeric_error_codes() {
        let e = dec(400, r#"{"error":"","error_description":"Access denied"}"#)
            .err()
            .expect("error");
        assert_eq!(e.api_code(), Some(&ErrorCode::Unknown(String::new())));
        let e = dec(400, r#"{"error":404,"error_description":null}"#)
            .err()
            .expect("error");
        assert_eq!(e.api_code(), Some(&ErrorCode::Unknown("404".into())));
    }

    #[test]
    fn malformed_bodies_name_method_and_path() {
        for (status, body, path, what) in [
            (200, "<html><body>Bad gateway</body></html>", "$", "HTML"),
            (200, r#"{"result": tr"#, "$", "truncated"),
            (200, "", "$", "truncated"),
            (200, "[1]", "$", "not a JSON object"),
            (200, r#"{"time": {}}"#, "$.result", "missing"),
            (502, r#"{"message": "bad"}"#, "$", "HTTP 502"),
            (
                200,
                r#"{"result": 1, "total": "many"}"#,
                "$.total",
                "integer",
            ),
        ] {
            let e = dec(status, body).err().expect(body);
            let Error::Decode(d) = &e else {
                panic!("{body}: {e}")
            };
            assert_eq!(d.method(), "im.recent.unread");
            assert_eq!(d.path(), path, "{body}");
            assert!(e.to_string().contains(what), "{body}: {e}");
            assert!(e.to_string().contains("im.recent.unread"), "{e}");
        }
    }

    #[test]
    fn server_text_is_scrubbed() {
        let e = dec(
            400,
            r#"{"error":"X","error_description":"bad token TOKEN"}"#,
        )
        .err()
        .expect("error");
        assert!(!e.to_string().contains("TOKEN"), "{e}");
    }

    #[test]
    fn raw_method_names_are_checked() {
        for bad in ["", "a..b", "im/recent", "a.b?x=1", ".a"] {
            assert!(check_method_name(bad).is_err(), "{bad}");
        }
        assert!(check_method_name("crm.deal.list").is_ok());
    }
}
