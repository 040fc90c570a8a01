//! The HTTP side: routes, auth, limits, faults, envelopes.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State as AxState;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};

use crate::batch::Commands;
use crate::config::Config;
use crate::fallback::Catalog;
use crate::faults::Fault;
use crate::limits::{LeakyBucket, OperatingTracker};
use crate::methods::{self, Ctx};
use crate::outcome::{ApiErr, CommandRun};
use crate::php;
use crate::state::{RecordedRequest, State};
use crate::util::{Clock, atom};

/// Most requests kept in the request log.
const REQUEST_LOG_LIMIT: usize = 10_000;

/// Everything the server shares between requests.
pub(crate) struct Shared {
    pub cfg: Mutex<Config>,
    pub state: Mutex<State>,
    pub bucket: Mutex<Option<LeakyBucket>>,
    pub operating: Mutex<Option<OperatingTracker>>,
    pub catalog: Catalog,
    pub clock: Clock,
    pub base: OnceLock<String>,
    /// The client that posts events to their handlers.
    pub http: OnceLock<Option<reqwest::Client>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn new(cfg: Config, catalog: Catalog) -> Shared {
        let now = Instant::now();
        Shared {
            state: Mutex::new(State::new(&cfg, now)),
            bucket: Mutex::new(cfg.bucket.map(|b| LeakyBucket::new(b, now))),
            operating: Mutex::new(cfg.operating.map(OperatingTracker::new)),
            cfg: Mutex::new(cfg),
            catalog,
            clock: Clock::new(),
            base: OnceLock::new(),
            http: OnceLock::new(),
        }
    }

    pub(crate) fn cfg(&self) -> MutexGuard<'_, Config> {
        lock(&self.cfg)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn bucket(&self) -> MutexGuard<'_, Option<LeakyBucket>> {
        lock(&self.bucket)
    }

    pub(crate) fn operating(&self) -> MutexGuard<'_, Option<OperatingTracker>> {
        lock(&self.operating)
    }

    /// Executes one command under the operating-time limit.
    pub(crate) fn run_command(&self, method: &str, params: &Value, now: Instant) -> CommandRun {
        if let Some(op) = self.operating().as_mut()
            && let Err(reset) = op.check(method, now)
        {
            self.state().stats.refused_429 += 1;
            let mut e = ApiErr::new(
                429,
                "OPERATION_TIME_LIMIT",
                "Method is blocked due to operation time limit.",
            );
            e.description = format!(
                "{} Reset at {}.",
                e.description,
                self.clock.unix(reset).floor()
            );
            return CommandRun {
                outcome: Err(e),
                cost: Duration::ZERO,
            };
        }
        let real = Instant::now();
        let (outcome, latency, posts) = {
            let cfg = self.cfg();
            let mut state = self.state();
            let mut ctx = Ctx {
                state: &mut state,
                cfg: &cfg,
                catalog: &self.catalog,
                now: self.clock.unix(now),
                base: self.base.get().map_or("", String::as_str),
            };
            let r = methods::execute(&mut ctx, method, params);
            if r.is_some() {
                *state.stats.commands.entry(method.to_string()).or_default() += 1;
            }
            let posts = std::mem::take(&mut state.events.outbox);
            (r, cfg.latency, posts)
        };
        self.deliver(posts);
        let outcome = outcome.unwrap_or_else(|| {
            Err(ApiErr::new(
                404,
                "ERROR_METHOD_NOT_FOUND",
                "Method not found!",
            ))
        });
        let records = outcome.as_ref().map_or(0, |o| o.records);
        let cost = latency.per_command + latency.per_record.mul_f64(records as f64);
        if outcome.is_ok()
            && let Some(op) = self.operating().as_mut()
        {
            op.record(method, now, cost + real.elapsed());
        }
        CommandRun { outcome, cost }
    }

    /// Posts events to their handlers, each on a task of its own (in no set order, as a
    /// portal does); a handler that is down loses the post.
    fn deliver(&self, posts: Vec<crate::events::Delivery>) {
        if posts.is_empty() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let http = self.http.get_or_init(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .ok()
        });
        let Some(http) = http.clone() else {
            return;
        };
        for post in posts {
            let http = http.clone();
            rt.spawn(async move {
                let sent = http
                    .post(&post.url)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(post.body)
                    .send()
                    .await;
                if let Err(e) = sent {
                    tracing::debug!(target: "b24_testkit", "an event post failed: {e}");
                }
            });
        }
    }

    /// The `time` block of an answer.
    pub(crate) fn time_block(&self, start: Instant, finish: Instant, method: &str) -> Value {
        let (operating, reset) = match self.operating().as_mut() {
            Some(op) if method != "batch" => (
                op.used(method, finish).as_secs_f64(),
                self.clock.unix(op.reset_at(method, finish)).floor() as i64,
            ),
            _ => (
                0.0,
                self.clock.unix(finish + Duration::from_secs(600)).floor() as i64,
            ),
        };
        let (s, f) = (self.clock.unix(start), self.clock.unix(finish));
        json!({
            "start": s,
            "finish": f,
            "duration": f - s,
            "processing": f - s,
            "date_start": atom(s),
            "date_finish": atom(f),
            "operating_reset_at": reset,
            "operating": operating,
        })
    }

    /// Admits a request under the rate limit.
    fn acquire(self: &Arc<Self>, now: Instant) -> Option<BucketGuard> {
        let admitted = self.bucket().as_mut().map(|b| b.try_acquire(now));
        match admitted {
            None => Some(BucketGuard(None)),
            Some(true) => Some(BucketGuard(Some(self.clone()))),
            Some(false) => None,
        }
    }

    fn fault_for(&self, method: &str) -> Option<Fault> {
        let mut cfg = self.cfg();
        let mut fired = None;
        for rule in &mut cfg.faults {
            if let Some(f) = rule.hit(method) {
                fired.get_or_insert(f);
            }
        }
        drop(cfg);
        if fired.is_some() {
            self.state().stats.faults += 1;
        }
        fired
    }
}

impl Commands for Shared {
    fn run_command(&self, method: &str, params: &Value, now: Instant) -> CommandRun {
        Shared::run_command(self, method, params, now)
    }

    fn time_block(&self, start: Instant, finish: Instant, method: &str) -> Value {
        Shared::time_block(self, start, finish, method)
    }
}

/// Releases a bucket slot when the request is answered.
struct BucketGuard(Option<Arc<Shared>>);

impl Drop for BucketGuard {
    fn drop(&mut self) {
        if let Some(s) = &self.0
            && let Some(b) = s.bucket().as_mut()
        {
            b.release(Instant::now());
        }
    }
}

/// The portal's routes; request bodies over `max_body` bytes are refused with 413 as they
/// stream in.
pub(crate) fn router(shared: Arc<Shared>, max_body: usize) -> Router {
    Router::new()
        .route("/rest/{*path}", any(rest))
        .route("/oauth/token/", any(token))
        .route("/oauth/token", any(token))
        .route("/_stats", get(stats))
        .route("/_download/{id}", get(download))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(shared)
}

/// The bytes behind a file's `DOWNLOAD_URL`.
async fn download(
    AxState(shared): AxState<Arc<Shared>>,
    axum::extract::Path(id): axum::extract::Path<u64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    let st = shared.state();
    match st.files.get(&id) {
        Some(f) if q.get("token") == Some(&f.token) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            f.content.clone(),
        )
            .into_response(),
        _ => json_response(
            404,
            &json!({"error": "NOT_FOUND", "error_description": "No such file"}),
        ),
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    crate::util::json_text_response(status, body.to_string())
}

fn error_response(e: &ApiErr) -> Response {
    json_response(e.status, &e.body(false))
}

/// The network's jitter: a request reaches the limiter a random while after it was sent.
async fn arrive(shared: &Shared) {
    let jitter = shared.cfg().latency.jitter;
    if !jitter.is_zero() {
        tokio::time::sleep(random_part(jitter)).await;
    }
}

/// A random part of `d`, uniform in `[0, d]`.
fn random_part(d: Duration) -> Duration {
    use std::hash::BuildHasher;
    let r = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    d.mul_f64((r % 10_001) as f64 / 10_000.0)
}

/// Which method, authenticated how.
struct Route {
    method: String,
    webhook: Option<(String, String)>,
    /// Called through REST 3.0 (`/rest/api/…`).
    v3: bool,
}

impl Route {
    /// The command the portal runs: REST 3.0 methods with a handler of their own are
    /// `name@v3`.
    fn command(&self) -> String {
        if self.v3 {
            methods::v3_command(&self.method)
        } else {
            self.method.clone()
        }
    }

    /// Who calls, for the scope of an `Idempotency-Key`.
    fn caller(&self) -> String {
        match &self.webhook {
            Some((user, _)) => format!("webhook:{user}"),
            None => "app".into(),
        }
    }
}

fn parse_route(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let v3 = segs.first() == Some(&"api");
    let segs = if v3 { &segs[1..] } else { &segs[..] };
    let clean = |m: &str| m.trim_end_matches(".json").to_ascii_lowercase();
    match segs {
        [user, token, method] => Some(Route {
            method: clean(method),
            webhook: Some((user.to_string(), token.to_string())),
            v3,
        }),
        [method] => Some(Route {
            method: clean(method),
            webhook: None,
            v3,
        }),
        _ => None,
    }
}

/// Parameters from the query string and the body (JSON or PHP-style form).
fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Value, ApiErr> {
    let malformed =
        |e: b24_core::form::FormError| ApiErr::new(400, "INVALID_REQUEST", &e.to_string());
    let mut params = match query {
        Some(q) => php::parse_query(q).map_err(malformed)?,
        None => json!({}),
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let trimmed = body.iter().find(|b| !b.is_ascii_whitespace());
    let from_body = if body.is_empty() {
        Value::Object(Default::default())
    } else if ct.contains("json") || (!ct.contains("form") && trimmed == Some(&b'{')) {
        serde_json::from_slice(body).map_err(|e| {
            ApiErr::new(
                400,
                "INVALID_REQUEST",
                &format!("The body is not valid JSON: {e}"),
            )
        })?
    } else {
        php::parse_query(&String::from_utf8_lossy(body)).map_err(malformed)?
    };
    match (&mut params, from_body) {
        (Value::Object(p), Value::Object(b)) => p.extend(b),
        (_, Value::Array(a)) => params = Value::Array(a),
        _ => {}
    }
    Ok(params)
}

fn authenticate(
    shared: &Shared,
    route: &Route,
    params: &mut Value,
    now: Instant,
) -> Result<(), ApiErr> {
    let no_auth = || ApiErr::new(401, "NO_AUTH_FOUND", "Wrong authorization data");
    if let Some((user, token)) = &route.webhook {
        let cfg = shared.cfg();
        return if *user == cfg.webhook_user.to_string() && *token == cfg.webhook_token {
            Ok(())
        } else {
            Err(no_auth())
        };
    }
    let token = match params {
        Value::Object(m) => m.shift_remove("auth"),
        _ => None,
    };
    let Some(Value::String(token)) = token else {
        return Err(no_auth());
    };
    let state = shared.state();
    if token == state.tokens.access {
        if now >= state.tokens.access_expires {
            Err(ApiErr::new(
                401,
                "expired_token",
                "The access token provided has expired.",
            ))
        } else {
            Ok(())
        }
    } else if state.tokens.retired.contains(&token) {
        Err(ApiErr::new(
            401,
            "expired_token",
            "The access token provided has expired.",
        ))
    } else {
        Err(no_auth())
    }
}

/// A request being answered: counted in [`State::in_flight`] while it lives, the most at
/// once kept in the stats.
struct InFlight(Arc<Shared>);

impl InFlight {
    fn enter(shared: &Arc<Shared>) -> InFlight {
        let mut st = shared.state();
        st.in_flight += 1;
        st.stats.max_in_flight = st.stats.max_in_flight.max(st.in_flight);
        InFlight(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut st = self.0.state();
        st.in_flight = st.in_flight.saturating_sub(1);
    }
}

async fn rest(
    AxState(shared): AxState<Arc<Shared>>,
    http_method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    arrive(&shared).await;
    let _answering = InFlight::enter(&shared);
    let now = Instant::now();
    {
        let mut st = shared.state();
        st.stats.http_requests += 1;
        if st.requests.len() < REQUEST_LOG_LIMIT {
            st.requests.push(RecordedRequest {
                http_method: http_method.to_string(),
                path: uri.path().to_string(),
                query: uri.query().map(str::to_string),
                content_type: headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }
    let path = uri.path().strip_prefix("/rest/").unwrap_or("");
    let Some(route) = parse_route(path) else {
        return error_response(&ApiErr::new(
            404,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!",
        ));
    };
    let mut params = match parse_params(&headers, uri.query(), &body) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    if let Err(e) = authenticate(&shared, &route, &mut params, now) {
        return error_response(&e);
    }
    let Some(guard) = shared.acquire(now) else {
        shared.state().stats.refused_503 += 1;
        return error_response(&ApiErr::new(
            503,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        ));
    };
    let fault = shared.fault_for(&route.method);
    match &fault {
        Some(Fault::ServerError) => {
            return error_response(&ApiErr::new(
                500,
                "INTERNAL_SERVER_ERROR",
                "Internal server error",
            ));
        }
        Some(Fault::Html) => {
            return (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response();
        }
        Some(Fault::Error { status, code }) => {
            return error_response(&ApiErr::new(*status, code, code));
        }
        Some(Fault::DropBeforeExecute) => return broken_body(),
        _ => {}
    }

    // REST 3.0: a key seen before is answered from what was kept, or refused.
    let stash = if route.v3 {
        let checked = crate::idempotency::check(
            &mut shared.state(),
            &route.caller(),
            &route.method,
            &headers,
            &body,
        );
        match checked {
            Ok(stash) => stash,
            // A replayed answer can be lost on the way too.
            Err(answer) => {
                return match fault {
                    Some(Fault::DropAfterExecute) => broken_body(),
                    _ => *answer,
                };
            }
        }
    } else {
        None
    };
    let answer = run(&shared, &route, params, now, guard, fault, stash.as_ref()).await;
    crate::idempotency::echo(answer, stash.as_ref())
}

/// Runs an admitted request and answers it at its simulated cost, with its fault.
async fn run(
    shared: &Arc<Shared>,
    route: &Route,
    params: Value,
    now: Instant,
    guard: BucketGuard,
    fault: Option<Fault>,
    stash: Option<&crate::idempotency::Stash>,
) -> Response {
    // The simulated cost is the whole cost of the request: the portal's own work
    // (executing, encoding the answer) happens inside it, not on top of it.
    let latency = shared.cfg().latency;
    let start = now;
    // Commands run on the blocking pool, so that the async workers keep accepting
    // requests (and stamping their arrival) while a big batch executes.
    let exec = {
        let shared = shared.clone();
        let (method, v3) = (route.command(), route.v3);
        tokio::task::spawn_blocking(move || execute(&shared, &method, &params, start, v3))
    };
    let (status, mut body, cost) = match exec.await {
        Ok(r) => r,
        Err(_) => (
            500,
            json!({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}),
            Duration::ZERO,
        ),
    };
    let deadline = start + latency.per_request + cost;
    let finish = deadline.max(Instant::now());
    if status == 200 || status == 429 {
        body["time"] = shared.time_block(start, finish, &route.method);
    }
    let text = body.to_string();
    if status == 200
        && let Some(stash) = stash
    {
        crate::idempotency::keep(&mut shared.state(), stash, &text);
    }
    tokio::time::sleep_until(deadline.into()).await;
    drop(guard);
    match fault {
        Some(Fault::DropAfterExecute) => broken_body(),
        Some(Fault::Truncated) => {
            let cut = text.len() / 2;
            let cut = (0..=cut)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                text[..cut].to_string(),
            )
                .into_response()
        }
        Some(Fault::SlowBody(total)) => slow_body(status, text, total),
        _ => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response(),
    }
}

/// Runs a plain call or a batch: status, body without `time`, simulated cost.
fn execute(
    shared: &Shared,
    method: &str,
    params: &Value,
    start: Instant,
    v3: bool,
) -> (u16, Value, Duration) {
    if method == "batch" {
        let ran = if v3 {
            crate::batch::run_v3(shared, params, start)
        } else {
            crate::batch::run(shared, params, start)
        };
        match ran {
            Ok((result, cost)) => {
                *shared
                    .state()
                    .stats
                    .commands
                    .entry("batch".into())
                    .or_default() += 1;
                (200, json!({ "result": result }), cost)
            }
            Err(e) => (e.status, e.body(v3), Duration::ZERO),
        }
    } else {
        let run = shared.run_command(method, params, start);
        match run.outcome {
            Ok(o) => {
                let mut b = json!({ "result": o.result });
                if let Some(t) = o.total {
                    b["total"] = json!(t);
                }
                if let Some(n) = o.next {
                    b["next"] = json!(n);
                }
                (200, b, run.cost)
            }
            Err(e) => (e.status, e.body(v3), run.cost),
        }
    }
}

/// A response whose body fails: the client sees the connection break.
fn broken_body() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"result\":")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: connection dropped",
        )),
    ];
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The body in ten pieces spread over `total`.
fn slow_body(status: u16, text: String, total: Duration) -> Response {
    let bytes = Bytes::from(text);
    let step = bytes.len().div_ceil(10).max(1);
    let pieces: Vec<Bytes> = (0..bytes.len())
        .step_by(step)
        .map(|i| bytes.slice(i..(i + step).min(bytes.len())))
        .collect();
    let pause = total / 10;
    let stream = futures_util::stream::unfold(pieces.into_iter(), move |mut it| async move {
        let piece = it.next()?;
        tokio::time::sleep(pause).await;
        Some((Ok::<Bytes, std::io::Error>(piece), it))
    });
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `grant_type=refresh_token` at `/oauth/token/`.
async fn token(
    AxState(shared): AxState<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match parse_params(&headers, uri.query(), &body) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    let get = |k: &str| methods::param_str(&params, k).unwrap_or_default();
    let oauth_error =
        |code: &str, d: &str| json_response(400, &json!({"error": code, "error_description": d}));
    if get("grant_type") != "refresh_token" {
        return oauth_error(
            "unsupported_grant_type",
            "Only grant_type=refresh_token is supported",
        );
    }
    let cfg = shared.cfg().clone();
    if get("client_id") != cfg.oauth.client_id || get("client_secret") != cfg.oauth.client_secret {
        return oauth_error("invalid_client", "Invalid client credentials");
    }
    let mut st = shared.state();
    if get("refresh_token") != st.tokens.refresh {
        return oauth_error("invalid_grant", "Invalid refresh token");
    }
    let generation = st.tokens.generation + 1;
    let old = std::mem::replace(
        &mut st.tokens.access,
        format!("testkit-access-{generation}"),
    );
    st.tokens.retired.push(old);
    st.tokens.refresh = format!("testkit-refresh-{generation}");
    st.tokens.generation = generation;
    st.tokens.access_expires = Instant::now() + cfg.oauth.access_ttl;
    let base = shared.base.get().cloned().unwrap_or_default();
    let domain = base.trim_start_matches("http://").to_string();
    json_response(
        200,
        &json!({
            "access_token": st.tokens.access,
            "expires": (shared.clock.unix(st.tokens.access_expires)).floor() as i64,
            "expires_in": cfg.oauth.access_ttl.as_secs(),
            "scope": "app",
            "domain": domain,
            "server_endpoint": format!("{base}/oauth/rest/"),
            "status": "L",
            "client_endpoint": format!("{base}/rest/"),
            "member_id": "testkit",
            "user_id": cfg.webhook_user,
            "refresh_token": st.tokens.refresh,
        }),
    )
}

async fn stats(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let st = shared.state();
    json_response(
        200,
        &json!({ "stats": st.stats, "writes": st.writes.len() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = parse_route("1/abc/IM.Recent.Unread.json").expect("webhook route");
        assert_eq!(r.method, "im.recent.unread");
        assert_eq!(r.webhook, Some(("1".into(), "abc".into())));
        let r = parse_route("api/crm.item.list").expect("v3 oauth route");
        assert_eq!(r.method, "crm.item.list");
        assert!(r.webhook.is_none());
        assert!(parse_route("").is_none());
        assert!(parse_route("a/b/c/d").is_none());
    }

    #[test]
    fn params_from_json_form_and_query() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("header"),
        );
        let p = parse_params(&h, Some("auth=t"), br#"{"DIALOG_ID":"chat1"}"#).expect("json");
        assert_eq!(p, json!({"auth": "t", "DIALOG_ID": "chat1"}));
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().expect("header"),
        );
        let p = parse_params(&h, None, b"filter[>ID]=5&select[]=ID").expect("form");
        assert_eq!(p, json!({"filter": {">ID": "5"}, "select": ["ID"]}));
        assert!(parse_params(&HeaderMap::new(), None, b"{bad").is_err());
    }
}
