//! An answer that is not what the method's spec says.

use std::fmt;

/// The answer does not have the form the method's spec says. An answer came back, so
/// the request reached the portal: it may have run ([`Error::may_have_run`] is `true`),
/// and the message says so.
///
/// [`Error::may_have_run`]: crate::Error::may_have_run
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error(
    "{method}: malformed response at {path} (HTTP {status}): {problem} (the request may have run)"
)]
pub struct DecodeError {
    method: String,
    kind: DecodeKind,
    path: String,
    problem: String,
    status: u16,
}

impl DecodeError {
    pub(crate) fn new(
        method: &str,
        kind: DecodeKind,
        path: &str,
        problem: String,
        status: u16,
    ) -> DecodeError {
        DecodeError {
            method: method.to_string(),
            kind,
            path: path.to_string(),
            problem,
            status,
        }
    }

    /// The method called.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Whether the body itself was unreadable, or a value in it had the wrong form.
    pub fn kind(&self) -> DecodeKind {
        self.kind
    }

    /// JSON path of the offending value (`$` for the body itself), e.g.
    /// `$.result.items[3].dateCreate`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, e.g. `expected an integer, found "abc"`.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// What could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeKind {
    /// The body is not a JSON object: cut off, an HTML page, or not JSON at all. The
    /// request reached the portal, but what it did is unknown.
    Body,
    /// The body is a JSON answer, but a value in it does not have the form the spec says.
    Value,
}

impl fmt::Display for DecodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeKind::Body => "unreadable body",
            DecodeKind::Value => "malformed value",
        })
    }
}
