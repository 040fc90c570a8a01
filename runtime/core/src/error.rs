//! Errors: validation (nothing was sent), API errors (the portal said no), transport
//! (the request may or may not have run), decode (the answer was not what the spec says)
//! and configuration. None of them ever contains a webhook or access token.

use std::fmt;

pub use crate::types::InvalidValue;

/// Any error of a b24 call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A value did not parse into a wire type (e.g. `"chat".parse::<DialogId>()`).
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    /// The portal answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The request did not complete.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The portal's answer could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The client is misconfigured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A whole batch failed; says which commands ran, which did not, which may have.
    #[error(transparent)]
    Batch(#[from] BatchError),
}

impl Error {
    /// The API error code, if the portal answered with an error.
    pub fn api_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api(e) => Some(&e.code),
            _ => None,
        }
    }
}

/// Parameters that break the method's rules; the request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The method.
    pub method: String,
    /// Every problem found (never empty).
    pub problems: Vec<Problem>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid parameters for {}, not sent: ", self.method)?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// One invalid parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Wire name of the parameter, with a path for nested ones (`fields.TITLE`).
    pub field: String,
    /// The offending value.
    pub value: String,
    /// The rule it breaks.
    pub rule: String,
    /// The error code the server would answer, if known.
    pub server_code: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.field, self.value, self.rule)?;
        if let Some(c) = &self.server_code {
            write!(f, " (the server answers {c})")?;
        }
        Ok(())
    }
}

/// The portal answered `{"error": …, "error_description": …}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ApiError {
    /// The method called.
    pub method: String,
    /// The `error` member.
    pub code: ErrorCode,
    /// The `error_description` member.
    pub description: String,
    /// HTTP status.
    pub status: u16,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with {} (HTTP {})",
            self.method, self.code, self.status
        )?;
        if !self.description.is_empty() {
            write!(f, ": {}", self.description)?;
        }
        Ok(())
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:literal; )*) => {
        /// An API error code: every system error of the REST API, the reference method's
        /// codes, and [`ErrorCode::Unknown`] for anything else.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version of b24 does not know (also `""`, which some methods send).
            Unknown(String),
        }

        impl ErrorCode {
            /// The code as sent by the server.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => $code, )*
                    ErrorCode::Unknown(s) => s,
                }
            }

            /// The HTTP status the docs give for this code.
            pub fn documented_status(&self) -> Option<u16> {
                match self {
                    $( ErrorCode::$variant => Some($status), )*
                    ErrorCode::Unknown(_) => None,
                }
            }

            /// Every known code.
            pub const KNOWN: &'static [&'static str] = &[$($code),*];
        }

        impl From<&str> for ErrorCode {
            fn from(s: &str) -> ErrorCode {
                match s {
                    $( $code => ErrorCode::$variant, )*
                    other => ErrorCode::Unknown(other.to_string()),
                }
            }
        }
    };
}

error_codes! {
    /// 500: internal server error.
    InternalServerError = "INTERNAL_SERVER_ERROR", 500;
    /// 500: the server returned an unexpected answer.
    ErrorUnexpectedAnswer = "ERROR_UNEXPECTED_ANSWER", 500;
    /// 503: the request-rate limit is exceeded; the request did not run.
    QueryLimitExceeded = "QUERY_LIMIT_EXCEEDED", 503;
    /// 405: the method may not be called inside `batch`.
    ErrorBatchMethodNotAllowed = "ERROR_BATCH_METHOD_NOT_ALLOWED", 405;
    /// 400: more than 50 commands in a `batch`.
    ErrorBatchLengthExceeded = "ERROR_BATCH_LENGTH_EXCEEDED", 400;
    /// 401: wrong access token or webhook code.
    NoAuthFound = "NO_AUTH_FOUND", 401;
    /// 400: HTTPS is required.
    InvalidRequest = "INVALID_REQUEST", 400;
    /// 503: the REST API is blocked due to overload.
    OverloadLimit = "OVERLOAD_LIMIT", 503;
    /// 403: the REST API is available only on commercial plans.
    AccessDenied = "ACCESS_DENIED", 403;
    /// 403: the user lacks the permissions.
    InvalidCredentials = "INVALID_CREDENTIALS", 403;
    /// 404: the manifest is not available.
    ErrorManifestIsNotAvailable = "ERROR_MANIFEST_IS_NOT_AVAILABLE", 404;
    /// 403: the webhook or token lacks the scope.
    InsufficientScope = "insufficient_scope", 403;
    /// 401: the access token has expired.
    ExpiredToken = "expired_token", 401;
    /// 403: the user may not use the application.
    UserAccessError = "user_access_error", 403;
    /// 500: the portal was deleted or closed.
    PortalDeleted = "PORTAL_DELETED", 500;
    /// 404: no such method.
    ErrorMethodNotFound = "ERROR_METHOD_NOT_FOUND", 404;
    /// 429: the method's operating-time budget is spent until `operating_reset_at`.
    OperationTimeLimit = "OPERATION_TIME_LIMIT", 429;
    /// 400: `DIALOG_ID` missing or malformed (im.* methods).
    DialogIdEmpty = "DIALOG_ID_EMPTY", 400;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(s) if s.is_empty() => f.write_str("an empty error code"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// The request did not complete.
#[derive(Debug, thiserror::Error)]
#[error("{method}: {kind}: {detail}")]
pub struct TransportError {
    /// The method called.
    pub method: String,
    /// What went wrong.
    pub kind: TransportKind,
    /// Whether the request may have reached the portal (and so may have run).
    pub maybe_executed: bool,
    detail: String,
    #[source]
    source: Option<reqwest::Error>,
}

impl TransportError {
    pub(crate) fn new(
        method: &str,
        kind: TransportKind,
        maybe_executed: bool,
        detail: String,
    ) -> TransportError {
        TransportError {
            method: method.to_string(),
            kind,
            maybe_executed,
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
        let maybe_executed = sent || !matches!(kind, TransportKind::Connect);
        let detail = chain(&e);
        TransportError {
            method: method.to_string(),
            kind,
            maybe_executed,
            detail,
            source: Some(e),
        }
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
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

/// The answer does not have the form the method's spec says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{method}: malformed response at {path} (HTTP {status}): {problem}")]
pub struct DecodeError {
    /// The method called.
    pub method: String,
    /// JSON path of the offending value (`$` for the body itself).
    pub path: String,
    /// What is wrong.
    pub problem: String,
    /// HTTP status of the answer.
    pub status: u16,
}

/// A batch that failed as a whole: which of its commands ran, which did not, and which
/// may have (the request broke after it was sent).
#[derive(Debug, thiserror::Error)]
pub struct BatchError {
    /// Keys of commands known to have run.
    pub ran: Vec<String>,
    /// Keys of commands known not to have run.
    pub not_run: Vec<String>,
    /// Keys of commands that may or may not have run.
    pub unknown: Vec<String>,
    /// What went wrong.
    #[source]
    pub cause: Box<Error>,
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| -> String {
            let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
            if v.len() > shown.len() {
                format!("{} ({} in all)", shown.join(", "), v.len())
            } else if v.is_empty() {
                "none".into()
            } else {
                shown.join(", ")
            }
        };
        write!(
            f,
            "batch failed ({}); ran: {}; not run: {}; may have run: {}",
            self.cause,
            list(&self.ran),
            list(&self.not_run),
            list(&self.unknown)
        )
    }
}

/// The client is misconfigured (bad URL, plain HTTP to a remote host, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub(crate) String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_system_error_is_known_with_its_status() {
        for (code, status) in [
            ("INTERNAL_SERVER_ERROR", 500),
            ("ERROR_UNEXPECTED_ANSWER", 500),
            ("QUERY_LIMIT_EXCEEDED", 503),
            ("ERROR_BATCH_METHOD_NOT_ALLOWED", 405),
            ("ERROR_BATCH_LENGTH_EXCEEDED", 400),
            ("NO_AUTH_FOUND", 401),
            ("INVALID_REQUEST", 400),
            ("OVERLOAD_LIMIT", 503),
            ("ACCESS_DENIED", 403),
            ("INVALID_CREDENTIALS", 403),
            ("ERROR_MANIFEST_IS_NOT_AVAILABLE", 404),
            ("insufficient_scope", 403),
            ("expired_token", 401),
            ("user_access_error", 403),
            ("PORTAL_DELETED", 500),
            ("ERROR_METHOD_NOT_FOUND", 404),
            ("OPERATION_TIME_LIMIT", 429),
        ] {
            let c = ErrorCode::from(code);
            assert!(!matches!(c, ErrorCode::Unknown(_)), "{code}");
            assert_eq!(c.as_str(), code);
            assert_eq!(c.documented_status(), Some(status), "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        assert_eq!(
            ErrorCode::from("SOMETHING"),
            ErrorCode::Unknown("SOMETHING".into())
        );
        assert_eq!(ErrorCode::from("").to_string(), "an empty error code");
        assert_eq!(
            ErrorCode::from("no_auth_found"),
            ErrorCode::Unknown("no_auth_found".into())
        );
    }

    #[test]
    fn api_error_display() {
        let e = ApiError {
            method: "im.recent.unread".into(),
            code: ErrorCode::DialogIdEmpty,
            description: "Dialog ID can't be empty".into(),
            status: 400,
        };
        assert_eq!(
            e.to_string(),
            "im.recent.unread failed with DIALOG_ID_EMPTY (HTTP 400): Dialog ID can't be empty"
        );
    }
}
