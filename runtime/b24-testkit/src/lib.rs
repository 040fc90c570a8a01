//! # b24-testkit — a fake Bitrix24 portal
//!
//! A real HTTP server on 127.0.0.1 that behaves like a Bitrix24 portal as the REST
//! docs describe it: webhook and OAuth auth (with token refresh), JSON and PHP-style
//! form bodies, the `result`/`time` envelope, the leaky-bucket rate limit and the
//! per-method operating-time limit, `batch`, stateful `im.recent.*`, `crm.deal.*` and
//! `crm.item.*`, a spec-driven answer for every other method of the b24 spec catalog,
//! simulated latency, faults on demand, and counters of what it saw.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let portal = b24_testkit::FakePortal::builder().deals(10).start().await?;
//! let url = portal.webhook_url(); // http://127.0.0.1:PORT/rest/1/<code>/
//! assert!(url.starts_with("http://127.0.0.1:"));
//! assert_eq!(portal.handle().stats().http_requests, 0);
//! # Ok(()) }
//! ```
//!
//! The same portal runs as a command: `cargo run -p b24-testkit -- --port 8024`.
#![deny(missing_docs)]
#![recursion_limit = "256"]

mod batch;
mod config;
mod events;
mod fallback;
mod faults;
mod idempotency;
mod limits;
mod methods;
mod outcome;
mod php;
mod server;
mod state;
mod util;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

pub use config::{Bucket, Config, Latency, OAuthConfig, Operating};
pub use fallback::{sample, sample_request};
pub use faults::{Fault, FaultRule, parse_fault};
pub use limits::{LeakyBucket, OperatingTracker};
pub use php::parse_query;
pub use state::{Dialog, RecordedRequest, Stats, WriteRecord};

use server::Shared;

/// Builds a fake portal.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct FakePortal {
    cfg: Config,
    port: u16,
}

impl FakePortal {
    /// A portal with the defaults: standard limits (50/2), no latency, 100 deals,
    /// dialogs `chat1`…`chat100`.
    pub fn builder() -> FakePortal {
        FakePortal::default()
    }

    /// A portal with a full configuration.
    pub fn with_config(cfg: Config) -> FakePortal {
        FakePortal { cfg, port: 0 }
    }

    /// The port to listen on (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The rate limit; `None` switches it off.
    pub fn bucket(mut self, bucket: Option<Bucket>) -> Self {
        self.cfg.bucket = bucket;
        self
    }

    /// The operating-time limit; `None` switches it off.
    pub fn operating(mut self, operating: Option<Operating>) -> Self {
        self.cfg.operating = operating;
        self
    }

    /// Simulated cost of requests, commands and records.
    pub fn latency(mut self, latency: Latency) -> Self {
        self.cfg.latency = latency;
        self
    }

    /// The application token of the portal's event posts (`auth[application_token]`).
    pub fn application_token(mut self, token: impl Into<String>) -> Self {
        self.cfg.application_token = token.into();
        self
    }

    /// Seeds REST 3.0 tasks with IDs 1…`n` (none by default).
    pub fn tasks(mut self, n: u64) -> Self {
        self.cfg.tasks = n;
        self
    }

    /// Seeds deals with IDs 1…`n`.
    pub fn deals(mut self, n: u64) -> Self {
        self.cfg.deals = n;
        self
    }

    /// Seeds dialogs `chat1`…`chat{n}`.
    pub fn dialogs(mut self, n: u64) -> Self {
        self.cfg.dialogs = n;
        self
    }

    /// The webhook's user id and code.
    pub fn webhook(mut self, user: u64, token: impl Into<String>) -> Self {
        self.cfg.webhook_user = user;
        self.cfg.webhook_token = token.into();
        self
    }

    /// The OAuth application.
    pub fn oauth(mut self, oauth: OAuthConfig) -> Self {
        self.cfg.oauth = oauth;
        self
    }

    /// The result of a spec-only method.
    pub fn canned(mut self, method: &str, result: Value) -> Self {
        self.cfg.canned.insert(method.to_ascii_lowercase(), result);
        self
    }

    /// The largest request body taken (default 8 MiB): a larger one is refused with HTTP
    /// 413 while it streams in, and nothing runs.
    pub fn max_request_bytes(mut self, limit: usize) -> Self {
        self.cfg.max_request_bytes = limit;
        self
    }

    /// Injects a fault.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.cfg.faults.push(rule);
        self
    }

    /// Serves a method of your own from its spec (TOML text, see `specs/FORMAT.md`):
    /// the portal validates requests against it and answers a canned result.
    pub fn spec(mut self, toml: impl Into<String>) -> Self {
        self.cfg.extra_specs.push(toml.into());
        self
    }

    /// Binds 127.0.0.1 and serves in the background of the current tokio runtime.
    ///
    /// Fails with `InvalidInput` when an extra spec does not load (the message lists
    /// every problem with its line).
    pub async fn start(self) -> std::io::Result<RunningPortal> {
        let mut extra = Vec::new();
        for (i, text) in self.cfg.extra_specs.iter().enumerate() {
            let name = format!("extra-spec-{}.toml", i + 1);
            let spec = b24_spec::load_str(std::path::Path::new(&name), text).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
            })?;
            extra.push(spec);
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let max_body = self.cfg.max_request_bytes;
        let shared = Arc::new(Shared::new(self.cfg, fallback::Catalog::with_extra(extra)));
        let _ = shared.base.set(format!("http://{addr}"));
        let app = server::router(shared.clone(), max_body);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(target: "b24_testkit", "server stopped: {e}");
            }
        });
        Ok(RunningPortal {
            addr,
            handle: PortalHandle(shared),
            task,
        })
    }
}

/// A running fake portal; stops when dropped.
#[derive(Debug)]
pub struct RunningPortal {
    addr: SocketAddr,
    handle: PortalHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningPortal {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The webhook URL, `http://127.0.0.1:PORT/rest/{user}/{code}/`.
    pub fn webhook_url(&self) -> String {
        let cfg = self.handle.0.cfg();
        format!(
            "{}/rest/{}/{}/",
            self.base_url(),
            cfg.webhook_user,
            cfg.webhook_token
        )
    }

    /// The portal address for OAuth clients (`http://127.0.0.1:PORT/`).
    pub fn portal_url(&self) -> String {
        format!("{}/", self.base_url())
    }

    /// The OAuth token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token/", self.base_url())
    }

    /// A handle to inspect and change the portal.
    pub fn handle(&self) -> PortalHandle {
        self.handle.clone()
    }

    /// Waits until the server stops (it runs until the process ends or this is dropped).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningPortal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Inspects and changes a running portal.
#[derive(Clone)]
pub struct PortalHandle(Arc<Shared>);

impl std::fmt::Debug for PortalHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalHandle").finish_non_exhaustive()
    }
}

impl PortalHandle {
    /// The counters.
    pub fn stats(&self) -> Stats {
        self.0.state().stats.clone()
    }

    /// Zeroes the counters and clears the request and write logs.
    pub fn reset_stats(&self) {
        let mut st = self.0.state();
        st.stats = Stats::default();
        st.requests.clear();
        st.writes.clear();
    }

    /// Executed writes, in order.
    pub fn writes(&self) -> Vec<WriteRecord> {
        self.0.state().writes.clone()
    }

    /// HTTP requests received (the first 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.0.state().requests.clone()
    }

    /// The dialog `chat{n}`.
    pub fn dialog(&self, n: u64) -> Option<Dialog> {
        self.0.state().dialogs.get(&n).cloned()
    }

    /// The deal with `id`, as `crm.deal.get` shows it.
    pub fn deal(&self, id: u64) -> Option<Value> {
        self.0.state().deals.get(&id).cloned().map(Value::Object)
    }

    /// Number of deals.
    pub fn deal_count(&self) -> usize {
        self.0.state().deals.len()
    }

    /// Number of REST 3.0 tasks.
    pub fn task_count(&self) -> usize {
        self.0.state().tasks.len()
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, rule: FaultRule) {
        self.0.cfg().faults.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.0.cfg().faults.clear();
    }

    /// Changes the simulated cost.
    pub fn set_latency(&self, latency: Latency) {
        self.0.cfg().latency = latency;
    }

    /// Changes (or switches off) the rate limit; the bucket starts empty.
    pub fn set_bucket(&self, bucket: Option<Bucket>) {
        self.0.cfg().bucket = bucket;
        *self.0.bucket() = bucket.map(|b| LeakyBucket::new(b, Instant::now()));
    }

    /// Changes (or switches off) the operating-time limit; usage starts at zero.
    pub fn set_operating(&self, operating: Option<Operating>) {
        self.0.cfg().operating = operating;
        *self.0.operating() = operating.map(OperatingTracker::new);
    }

    /// Sets the result of a method: a method of the catalog or of your own spec, one the
    /// portal keeps state for (the canned result wins), or one no spec describes.
    pub fn set_canned(&self, method: &str, result: Value) {
        self.0
            .cfg()
            .canned
            .insert(method.to_ascii_lowercase(), result);
    }

    /// The current access and refresh tokens.
    pub fn tokens(&self) -> (String, String) {
        let st = self.0.state();
        (st.tokens.access.clone(), st.tokens.refresh.clone())
    }

    /// Makes the current access token expire now.
    pub fn expire_access_token(&self) {
        self.0.state().tokens.access_expires = Instant::now();
    }

    /// The rate-limit bucket's level now, if the limit is on.
    pub fn bucket_level(&self) -> Option<f64> {
        self.0.bucket().as_mut().map(|b| b.level(Instant::now()))
    }
}
