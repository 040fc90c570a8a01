//! A request that did not complete.

use std::fmt;

/// The request did not complete.
///
/// `Display` says this level only (the method, what went wrong, and whether the request
/// may have run); the HTTP layer's error, when there is one, is the
/// [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("{method}: {kind}{}{}", detail_part(detail), if *may_have_run { " (the request may have run)" } else { "" })]
pub struct TransportError {
    method: String,
    kind: TransportKind,
    may_have_run: bool,
    detail: String,
    #[source]
    source: Option<reqwest::Error>,
}

impl TransportError {
    pub(crate) fn new(
        method: &str,
        kind: TransportKind,
        may_have_run: bool,
        detail: String,
    ) -> TransportError {
        TransportError {
            method: method.to_string(),
            kind,
            may_have_run,
            detail,
            source: None,
        }
    }

    pub(crate) fn from_reqwest(method: &str, e: reqwest::Error, sent: bool) -> TransportError {
        let e = e.without_url();
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else if e.is_connect() {
            TransportKind::Connect
        } else if e.is_body() || e.is_decode() {
            TransportKind::Body
        } else {
            TransportKind::Request
        };
        let may_have_run = sent || !matches!(kind, TransportKind::Connect);
        TransportError {
            method: method.to_string(),
            kind,
            may_have_run,
            detail: String::new(),
            source: Some(e),
        }
    }

    /// The method called.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportKind {
        self.kind
    }

    /// Whether the request may have reached the portal (and so may have run).
    pub fn may_have_run(&self) -> bool {
        self.may_have_run
    }
}

fn detail_part(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

/// Kinds of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection was made: the request did not run.
    Connect,
    /// No answer in time: the request may have run.
    Timeout,
    /// The connection broke while sending or receiving: the request may have run.
    Request,
    /// The answer's body could not be read.
    Body,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Request => "request failed",
            TransportKind::Body => "reading the response failed",
        })
    }
}
