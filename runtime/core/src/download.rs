//! Downloading the files results point at (`DOWNLOAD_URL`, `downloadUrl`).

use url::Url;

use crate::auth::Auth;
use crate::client::Client;
use crate::error::{ApiError, ConfigError, ConfigKind, Error, TransportError, TransportKind};

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
    /// client's credentials go to its portal only). An OAuth client adds its access token
    /// (`auth`) when the URL carries none; a webhook's download URLs carry their own.
    pub async fn download_with_limit(&self, url: &str, limit: u64) -> Result<Vec<u8>, Error> {
        const WHAT: &str = "download";
        let portal = &self.endpoint().portal;
        let mut target = portal
            .join(url)
            .map_err(|e| ConfigError::new(ConfigKind::Url, format!("not a download URL ({e})")))?;
        if !same_origin(&target, portal) {
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
        let mut resp = self
            .http()
            .get(target)
            .send()
            .await
            .map_err(|e| TransportError::from_reqwest(WHAT, e, false))?;
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
        let too_large = || {
            TransportError::new(
                WHAT,
                TransportKind::Body,
                false,
                format!("the file is larger than the limit of {limit} bytes"),
            )
        };
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(too_large().into());
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| TransportError::from_reqwest(WHAT, e, true))?
        {
            if out.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large().into());
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}
