//! TLS of the HTTP client: rustls on the *ring* provider, certificates checked by the
//! operating system's verifier.
//!
//! b24 builds reqwest without a crypto provider of its own (`rustls-no-provider`) and
//! hands it this configuration: *ring* builds in seconds where reqwest's default provider
//! (aws-lc-rs) takes a C toolchain and about 40 s of every clean build, and no
//! process-wide default is installed behind the caller's back.

use std::sync::Arc;

use crate::error::{ConfigError, ConfigKind};

/// A `reqwest::ClientBuilder` with b24's TLS set up and redirects off, for a client of
/// your own (a proxy, other timeouts) passed to
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
///
/// b24 follows no redirect of a REST call or a token refresh: a redirected POST would
/// carry the access token (or the client secret) to whatever host the answer names, and
/// the HTTP layer would send a write again. Keep `redirect(Policy::none())` in a client
/// of your own; a redirect is then reported as [`ConfigKind::Redirected`].
///
/// b24's reqwest has no crypto provider of its own, so `reqwest::Client::new()` in the
/// same program panics unless the program enables reqwest's `rustls` feature or installs
/// a rustls provider; start from this builder instead.
///
/// ```
/// let http = b24::http_client_builder()?
///     .proxy(reqwest::Proxy::https("http://proxy.local:3128")?)
///     .build()?;
/// let client = b24::Client::builder()
///     .http_client(http)
///     .webhook("https://example.bitrix24.com/rest/1/abc/")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(config()?)
        .redirect(reqwest::redirect::Policy::none()))
}

/// rustls on *ring* with the platform's verifier, offering HTTP/2 and HTTP/1.1.
fn config() -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
        ConfigError::new(
            ConfigKind::Http,
            format!("cannot set up certificate verification: {e}"),
        )
    })?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new(ConfigKind::Http, format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_a_client_without_a_process_wide_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let http = super::http_client_builder()
            .expect("tls")
            .build()
            .expect("client");
        drop(http);
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }
}
