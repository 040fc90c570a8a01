//! OAuth applications: access tokens that expire, refreshed through the token endpoint.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use crate::error::{AuthError, AuthKind, ConfigError, Error, TransportError};
use crate::secret::Secret;

/// The default OAuth server of Bitrix24.
pub const DEFAULT_TOKEN_ENDPOINT: &str = "https://oauth.bitrix.info/oauth/token/";

/// Credentials of an OAuth application installed on a portal.
#[derive(Clone)]
pub struct OAuthApp {
    /// The application's `client_id`.
    pub client_id: String,
    /// The application's `client_secret`.
    pub client_secret: Secret,
    /// The current access token.
    pub access_token: Secret,
    /// The current refresh token (without it, an expired token cannot be renewed).
    pub refresh_token: Option<Secret>,
    /// Time left on the access token, if known (`expires_in` of the token answer).
    pub expires_in: Option<Duration>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Tokens issued by a refresh, for [`TokenStore::save`].
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuthTokens {
    /// The new access token.
    pub access_token: Secret,
    /// The new refresh token.
    pub refresh_token: Secret,
    /// Lifetime of the access token.
    pub expires_in: Duration,
    /// The portal's REST address as the OAuth server reports it.
    pub client_endpoint: Option<String>,
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &"***")
            .field("refresh_token", &"***")
            .field("expires_in", &self.expires_in)
            .field("client_endpoint", &self.client_endpoint)
            .finish()
    }
}

/// Where refreshed tokens go, so that the next run starts from them.
pub trait TokenStore: Send + Sync {
    /// Called after every successful refresh.
    fn save(&self, tokens: &OAuthTokens);
}

impl<F: Fn(&OAuthTokens) + Send + Sync> TokenStore for F {
    fn save(&self, tokens: &OAuthTokens) {
        self(tokens)
    }
}

#[derive(Debug, Clone)]
struct TokenSet {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Option<Instant>,
    generation: u64,
}

/// The live token state of an OAuth client, shared by its clones.
pub(crate) struct OAuthState {
    client_id: String,
    client_secret: Secret,
    endpoint: Url,
    tokens: RwLock<TokenSet>,
    refreshing: tokio::sync::Mutex<()>,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("client_id", &self.client_id)
            .field("access_token", &"***")
            .finish_non_exhaustive()
    }
}

/// The most a token endpoint's answer may hold: tokens are a few hundred bytes.
const MAX_TOKEN_ANSWER: u64 = 1024 * 1024;

impl OAuthState {
    pub(crate) fn new(
        app: OAuthApp,
        endpoint: &str,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Result<OAuthState, ConfigError> {
        let endpoint = crate::address::checked_url(endpoint, "token endpoint")?;
        Ok(OAuthState {
            client_id: app.client_id,
            client_secret: app.client_secret,
            endpoint,
            tokens: RwLock::new(TokenSet {
                access: app.access_token,
                refresh: app.refresh_token,
                expires_at: app.expires_in.map(|d| Instant::now() + d),
                generation: 0,
            }),
            refreshing: tokio::sync::Mutex::new(()),
            store,
        })
    }

    fn read(&self) -> TokenSet {
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The access token to send and its generation.
    pub(crate) fn current(&self) -> (Secret, u64) {
        let t = self.read();
        (t.access, t.generation)
    }

    /// Every secret of this state, for scrubbing text.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        let t = self.read();
        let mut v = vec![t.access, self.client_secret.clone()];
        v.extend(t.refresh);
        v
    }

    /// `text` with every secret of this state replaced by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.secrets()
            .iter()
            .fold(text.to_string(), |t, s| s.scrub(&t))
    }

    /// Whether the access token is past its lifetime (refresh ahead of the 401).
    pub(crate) fn expired(&self) -> bool {
        self.read().expires_at.is_some_and(|t| Instant::now() >= t)
    }

    /// Whether a refresh is possible.
    pub(crate) fn can_refresh(&self) -> bool {
        self.read().refresh.is_some()
    }

    /// Refreshes the tokens, unless another call already did since `seen` was read:
    /// concurrent calls share one refresh. `true` when this call refreshed.
    pub(crate) async fn refresh(&self, http: &reqwest::Client, seen: u64) -> Result<bool, Error> {
        let _one = self.refreshing.lock().await;
        let t = self.read();
        if t.generation != seen {
            return Ok(false);
        }
        let Some(refresh) = t.refresh else {
            // Callers ask `can_refresh` first; without a refresh token the portal's
            // `expired_token` stands.
            return Ok(false);
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("refresh_token", refresh.expose()),
        ];
        let resp = http
            .post(self.endpoint.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| TransportError::from_reqwest("oauth token refresh", e, false))?;
        let status = resp.status().as_u16();
        // Tokens are taken from the configured endpoint only: not from a redirect (off in
        // b24's HTTP client, possibly on in one of the caller's).
        if resp.status().is_redirection() || resp.url().origin() != self.endpoint.origin() {
            return Err(AuthError::new(AuthKind::RefreshFailed, None, Some(status)).into());
        }
        let body =
            crate::body::read_capped("oauth token refresh", resp, MAX_TOKEN_ANSWER, true).await?;
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(access), Some(new_refresh)) = (text("access_token"), text("refresh_token"))
        else {
            // The endpoint may echo what it was sent: no secret goes into the error.
            let code = text("error").map(|c| self.scrub(&c));
            let kind = if code.is_some() {
                AuthKind::RefreshRefused
            } else {
                AuthKind::RefreshFailed
            };
            return Err(AuthError::new(kind, code, Some(status)).into());
        };
        let expires_in =
            Duration::from_secs(v.get("expires_in").and_then(Value::as_u64).unwrap_or(3600));
        let tokens = OAuthTokens {
            access_token: Secret::new(access),
            refresh_token: Secret::new(new_refresh),
            expires_in,
            client_endpoint: text("client_endpoint"),
        };
        {
            let mut w = self.tokens.write().unwrap_or_else(|p| p.into_inner());
            w.access = tokens.access_token.clone();
            w.refresh = Some(tokens.refresh_token.clone());
            w.expires_at = Some(Instant::now() + expires_in);
            w.generation += 1;
        }
        tracing::debug!(target: "b24", "oauth tokens refreshed");
        if let Some(store) = &self.store {
            store.save(&tokens);
        }
        Ok(true)
    }
}
