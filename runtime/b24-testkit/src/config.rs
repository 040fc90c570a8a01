//! Everything a fake portal can be told, with defaults that behave like a fresh portal.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::faults::FaultRule;

/// The leaky bucket of the request-rate limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Capacity: requests beyond it are refused with 503.
    pub x: f64,
    /// Drain, requests per second.
    pub y: f64,
}

impl Bucket {
    /// Standard plans: 50 requests, draining 2 a second.
    pub const STANDARD: Bucket = Bucket { x: 50.0, y: 2.0 };
    /// Enterprise plans: 250 requests, draining 5 a second.
    pub const ENTERPRISE: Bucket = Bucket { x: 250.0, y: 5.0 };
}

/// The per-method operating-time limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Operating {
    /// Execution time allowed per method within the window.
    pub budget: Duration,
    /// The window (ten baskets of a tenth each); 10 minutes on real portals.
    pub window: Duration,
}

impl Default for Operating {
    fn default() -> Self {
        Operating {
            budget: Duration::from_secs(480),
            window: Duration::from_secs(600),
        }
    }
}

/// Simulated cost of work, so benchmarks see realistic timing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Latency {
    /// Added once per HTTP request.
    pub per_request: Duration,
    /// Added per executed command (a plain call is one; a batch runs several).
    pub per_command: Duration,
    /// Added per record read or written.
    pub per_record: Duration,
    /// Network jitter: each request waits a random time up to this long (uniform) before
    /// it reaches the rate limiter, as requests do on a real network — evenly paced on the
    /// client, unevenly on arrival.
    pub jitter: Duration,
}

/// OAuth application credentials the portal accepts.
#[derive(Clone, PartialEq)]
pub struct OAuthConfig {
    /// `client_id` of the application.
    pub client_id: String,
    /// `client_secret` of the application.
    pub client_secret: String,
    /// The first access token.
    pub access_token: String,
    /// The first refresh token.
    pub refresh_token: String,
    /// Lifetime of access tokens (1 hour on real portals).
    pub access_ttl: Duration,
}

/// The secrets show as `***`, as a real portal's would.
impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("access_token", &"***")
            .field("refresh_token", &"***")
            .field("access_ttl", &self.access_ttl)
            .finish()
    }
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig {
            client_id: "local.testkit".into(),
            client_secret: "testkit-client-secret".into(),
            access_token: "testkit-access-0".into(),
            refresh_token: "testkit-refresh-0".into(),
            access_ttl: Duration::from_secs(3600),
        }
    }
}

/// The whole configuration of a fake portal.
#[derive(Clone)]
pub struct Config {
    /// User id in the webhook path.
    pub webhook_user: u64,
    /// Webhook code in the webhook path.
    pub webhook_token: String,
    /// OAuth application.
    pub oauth: OAuthConfig,
    /// Request-rate limit; `None` switches it off.
    pub bucket: Option<Bucket>,
    /// Operating-time limit; `None` switches it off.
    pub operating: Option<Operating>,
    /// Simulated cost.
    pub latency: Latency,
    /// Number of seeded deals (IDs 1…N).
    pub deals: u64,
    /// Number of seeded REST 3.0 tasks (IDs 1…N).
    pub tasks: u64,
    /// The application token the portal's event posts carry (`auth[application_token]`).
    pub application_token: String,
    /// Number of seeded dialogs (`chat1`…`chatN`).
    pub dialogs: u64,
    /// Results for spec-only methods, by lower-case method name (default: a sample of the
    /// spec's result type).
    pub canned: BTreeMap<String, Value>,
    /// Faults to inject.
    pub faults: Vec<FaultRule>,
    /// Specs served besides the b24 catalog (methods of your own), as TOML texts.
    pub extra_specs: Vec<String>,
    /// The largest request body taken (default [`Config::MAX_REQUEST_BYTES`]); a larger one
    /// is refused with HTTP 413 while it streams in, and nothing runs.
    pub max_request_bytes: usize,
}

/// The webhook token shows as `***`, as a real portal's would.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("webhook_user", &self.webhook_user)
            .field("webhook_token", &"***")
            .field("oauth", &self.oauth)
            .field("bucket", &self.bucket)
            .field("operating", &self.operating)
            .field("latency", &self.latency)
            .field("deals", &self.deals)
            .field("dialogs", &self.dialogs)
            .field("canned", &self.canned.keys().collect::<Vec<_>>())
            .field("faults", &self.faults)
            .field("extra_specs", &self.extra_specs.len())
            .field("max_request_bytes", &self.max_request_bytes)
            .finish()
    }
}

impl Config {
    /// The default largest request body: 8 MiB.
    pub const MAX_REQUEST_BYTES: usize = 8 << 20;
}

impl Default for Config {
    fn default() -> Self {
        Config {
            webhook_user: 1,
            webhook_token: "testkitwebhooktoken0001".into(),
            oauth: OAuthConfig::default(),
            bucket: Some(Bucket::STANDARD),
            operating: Some(Operating::default()),
            latency: Latency::default(),
            deals: 100,
            tasks: 0,
            application_token: "testkitapplicationtoken0001".into(),
            dialogs: 100,
            canned: BTreeMap::new(),
            faults: Vec::new(),
            extra_specs: Vec::new(),
            max_request_bytes: Config::MAX_REQUEST_BYTES,
        }
    }
}
