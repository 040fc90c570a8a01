//! One attempt on the wire: the request's body and headers, the answer read within its
//! size limit, a redirect refused (credentials go to the configured portal only), the
//! envelope decoded.

use std::time::Instant;

use serde_json::Value;
use url::Url;

use crate::auth::Auth;
use crate::client::Client;
use crate::envelope::{RawAnswer, decode_envelope};
use crate::error::{ConfigError, ConfigKind, Error, TransportError};
use crate::metrics::bump;
use crate::prepared::Prepared;

impl Client {
    /// Sends `req` once and reads the answer's envelope: no limit, no retry (see
    /// `execute.rs`). A redirect is an error, never followed.
    pub(crate) async fn attempt(&self, req: &Prepared) -> Result<RawAnswer, Error> {
        let method = req.method.as_ref();
        let (params, key) = (&req.params, req.key.as_deref());
        let endpoint = &self.inner.endpoint;
        let url = self.inner.urls.get(endpoint, method, req.api);
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
        if !same_origin(resp.url(), &endpoint.portal) {
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

/// Whether `a` and `b` have the same origin (scheme, host, port), compared in place.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Endpoint, Urls};
    use crate::method::Api;

    #[test]
    fn a_method_url_is_built_once_and_never_printed() {
        let endpoint = Endpoint::webhook("https://example.bitrix24.com/rest/7/secrettoken42/")
            .expect("a webhook");
        let urls = Urls::default();
        for _ in 0..2 {
            let u = urls.get(&endpoint, "im.recent.unread", Api::V2);
            assert_eq!(u, endpoint.url_for("im.recent.unread", Api::V2));
        }
        let v3 = urls.get(&endpoint, "tasks.task.get", Api::V3);
        assert_eq!(v3, endpoint.url_for("tasks.task.get", Api::V3));
        assert!(!format!("{urls:?}").contains("secrettoken42"));
        let a = Url::parse("https://example.bitrix24.com:443/x").expect("url");
        let b = Url::parse("https://example.bitrix24.com/y").expect("url");
        let c = Url::parse("http://example.bitrix24.com/y").expect("url");
        assert!(same_origin(&a, &b) && !same_origin(&a, &c));
    }
}
