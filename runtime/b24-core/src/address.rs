//! Addresses of the services b24 talks to: parsed, and HTTPS except to loopback.

use std::net::IpAddr;

use url::Url;

use crate::error::{ConfigError, ConfigKind};

/// Parses a URL of a service b24 talks to; plain HTTP only to loopback.
pub(crate) fn checked_url(s: &str, what: &str) -> Result<Url, ConfigError> {
    let u = Url::parse(s.trim())
        .map_err(|e| ConfigError::new(ConfigKind::Url, format!("invalid {what} URL: {e}")))?;
    portal_of(&u)?;
    Ok(u)
}

pub(crate) fn host_of(u: &Url) -> String {
    u.host_str().unwrap_or("?").to_string()
}

/// `scheme://host[:port]/` of `u`; plain HTTP is refused except to loopback.
pub(crate) fn portal_of(u: &Url) -> Result<Url, ConfigError> {
    let host = u
        .host_str()
        .ok_or_else(|| ConfigError::new(ConfigKind::Url, "the portal URL has no host".into()))?;
    match u.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(ConfigError::new(
                ConfigKind::Url,
                format!(
                    "plain http:// to {host} is refused: the token would travel in clear; use https:// (http is allowed only to loopback)"
                ),
            ));
        }
        other => {
            return Err(ConfigError::new(
                ConfigKind::Url,
                format!("unsupported URL scheme `{other}` for {host}: use https://"),
            ));
        }
    }
    let mut p = u.clone();
    p.set_path("/");
    p.set_query(None);
    p.set_fragment(None);
    let _ = p.set_username("");
    let _ = p.set_password(None);
    Ok(p)
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}
