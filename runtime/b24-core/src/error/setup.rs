//! Errors of the client's setup, its authorization and the portal's protocol.

use std::fmt;

/// The client, or what a call asked of it, is misconfigured: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{message}")]
pub struct ConfigError {
    kind: ConfigKind,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigKind, message: String) -> ConfigError {
        ConfigError { kind, message }
    }

    /// What is misconfigured.
    pub fn kind(&self) -> ConfigKind {
        self.kind
    }
}

/// What is misconfigured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigKind {
    /// A webhook, portal, token-endpoint or download URL is malformed or refused (e.g.
    /// plain `http://` to a remote host, a download from another host).
    Url,
    /// A credential is missing or empty.
    Credentials,
    /// The HTTP client or its TLS could not be set up.
    Http,
    /// The method does not support what was asked of it (paging, fast export).
    Unsupported,
    /// The portal answered a redirect (HTTP 3xx): b24 follows none (the credentials go to
    /// the configured portal only, and no request is sent twice), so its address may have
    /// changed. The message names the origin the redirect points to.
    Redirected,
}

/// Authorization could not be renewed: the access token expired and the refresh did not
/// give new tokens. (Without a refresh token the portal's `expired_token` [`ApiError`]
/// stands.)
///
/// [`ApiError`]: crate::ApiError
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct AuthError {
    kind: AuthKind,
    code: Option<String>,
    status: Option<u16>,
}

impl AuthError {
    pub(crate) fn new(kind: AuthKind, code: Option<String>, status: Option<u16>) -> AuthError {
        AuthError { kind, code, status }
    }

    /// Why authorization could not be renewed.
    pub fn kind(&self) -> AuthKind {
        self.kind
    }

    /// The OAuth server's `error` code (e.g. `invalid_grant`), when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The HTTP status of the OAuth server's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            AuthKind::RefreshRefused => "the token refresh was refused",
            AuthKind::RefreshFailed => "the token refresh failed",
        })?;
        match (&self.code, self.status) {
            (Some(c), Some(s)) => write!(f, ": {c} (HTTP {s})"),
            (Some(c), None) => write!(f, ": {c}"),
            (None, Some(s)) => write!(f, " (HTTP {s} without tokens or an error code)"),
            (None, None) => Ok(()),
        }
    }
}

/// Why authorization could not be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthKind {
    /// The OAuth server refused the refresh with an error code (e.g. `invalid_grant`: the
    /// refresh token is spent or revoked); the user must authorize the application again.
    RefreshRefused,
    /// The OAuth server answered neither tokens nor an error code (e.g. an HTTP 5xx page).
    RefreshFailed,
}

/// The portal's answers do not follow the documented protocol; the call stopped rather
/// than return a wrong or endless result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{method}: {message}")]
pub struct ProtocolError {
    method: String,
    kind: ProtocolKind,
    message: String,
}

impl ProtocolError {
    pub(crate) fn new(method: &str, kind: ProtocolKind, message: String) -> ProtocolError {
        ProtocolError {
            method: method.to_string(),
            kind,
            message,
        }
    }

    /// The method called.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// What broke the protocol.
    pub fn kind(&self) -> ProtocolKind {
        self.kind
    }
}

/// What broke the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolKind {
    /// A list did not page as documented (the same page for different offsets).
    Paging,
    /// A fast export's item lacks the integer key the list is cut by.
    ExportKey,
}
