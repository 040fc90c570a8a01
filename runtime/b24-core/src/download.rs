//! Downloading the files results point at (`DOWNLOAD_URL`, `downloadUrl`).

use url::Url;

use crate::attempt::redirected;
use crate::auth::Auth;
use crate::client::Client;
use crate::error::{ApiError, ConfigError, ConfigKind, Error, TransportError};

/// Redirects within the portal a download follows.
const MAX_REDIRECTS: usize = 5;

/// The most a download reads unless told otherwise: 100 MiB.
pub const DEFAULT_DOWNLOAD_LIMIT: u64 = 100 * 1024 * 1024;

impl Client {
    /// Downloads a file the portal points at (a `DOWNLOAD_URL` of a result), reading at
    /// most [`DEFAULT_DOWNLOAD_LIMIT`] bytes. See [`Client::download_with_limit`].
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, Error> {
        self.download_with_limit(url, DEFAULT_DOWNLOAD_LIMIT).await
    }

    /// Downloads a file the portal points at, reading at most `limit` bytes.
    ///
    /// A relative URL is taken on the portal; a URL on another host is refused (the
    /// client's credentials go to its portal only), and so is a redirect to one (up to five
    /// redirects within the portal are followed). An OAuth client adds its access token
    /// (`auth`) when the URL carries none; a webhook's download URLs carry their own.
    pub async fn download_with_limit(&self, url: &str, limit: u64) -> Result<Vec<u8>, Error> {
        const WHAT: &str = "download";
        let portal = &self.endpoint().portal;
        let mut target = portal
            .join(url)
            .map_err(|e| ConfigError::new(ConfigKind::Url, format!("not a download URL ({e})")))?;
        if target.origin() != portal.origin() {
            return Err(ConfigError::new(ConfigKind::Url, format!(
                "refusing to download from {} (not the portal {}): credentials go to the portal only",
                origin(&target),
                origin(portal)
            ))
            .into());
        }
        if let Auth::OAuth(state) = &self.endpoint().auth
            && !target.query_pairs().any(|(k, _)| k == "auth")
        {
            let (token, _) = state.current();
            target.query_pairs_mut().append_pair("auth", token.expose());
        }
        // Redirects within the portal are followed (a GET, with nothing added); one to
        // another origin is refused, never sent.
        let mut hops = 0;
        let _permit = self.in_flight().await;
        let resp = loop {
            let resp = self
                .http()
                .get(target.clone())
                .send()
                .await
                .map_err(|e| TransportError::from_reqwest(WHAT, e, false))?;
            if !resp.status().is_redirection() {
                break resp;
            }
            let next = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| target.join(l).ok());
            match next {
                Some(next) if next.origin() == portal.origin() && hops < MAX_REDIRECTS => {
                    target = next;
                    hops += 1;
                }
                _ => {
                    let status = resp.status().as_u16();
                    return Err(redirected(WHAT, status, resp.headers(), &target).into());
                }
            }
        };
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(ApiError::new(
                WHAT,
                format!("HTTP_{status}"),
                format!("the portal answered HTTP {status} to the download"),
                status,
            )
            .into());
        }
        crate::body::read_capped(WHAT, resp, limit, false)
            .await
            .map(Vec::from)
    }
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}
