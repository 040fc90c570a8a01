//! Errors: validation (nothing was sent), API errors (the portal said no), transport
//! (the request may or may not have run), decode (the answer was not what the spec says),
//! protocol anomalies, refused authorization and configuration. None of them ever contains
//! a webhook or access token.
//!
//! Every context type is `#[non_exhaustive]` and read through accessors, so that what it
//! carries can grow without a breaking release. `Display` says one level: where there is
//! a cause, it is the [`source`](std::error::Error::source), never repeated in the text.

mod api;
mod batch;
mod code;
mod decode;
mod setup;
mod transport;
mod validation;

pub use api::ApiError;
pub use batch::{BatchError, CommandError};
pub use code::ErrorCode;
pub use decode::{DecodeError, DecodeKind};
pub use setup::{AuthError, AuthKind, ConfigError, ConfigKind, ProtocolError, ProtocolKind};
pub use transport::{TransportError, TransportKind};
pub use validation::{InvalidValue, Problem, ValidationError};

/// Any error of a b24 call.
///
/// [`Error::may_have_run`] says whether the request may have reached the portal, for every
/// kind; [`Error::api_code`] gives the portal's error code.
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
    /// The portal's answers do not follow the documented protocol (e.g. paging).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// Authorization could not be renewed (the token refresh was refused).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The client, or what a call asked of it, is misconfigured.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A whole batch failed; says which commands ran, which did not, which may have.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// One command of a batch gave no result: it did not run, or may have.
    #[error(transparent)]
    Command(CommandError),
}

impl Error {
    /// The API error code, if the portal answered with an error.
    pub fn api_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api(e) => Some(e.code()),
            _ => None,
        }
    }

    /// Whether the request may have reached the portal and run there, so that repeating
    /// it may repeat its effect. `false` only when it is known not to have run (refused
    /// before sending, no connection, or an error the docs say means "not executed").
    pub fn may_have_run(&self) -> bool {
        match self {
            Error::Validation(_) | Error::InvalidValue(_) | Error::Config(_) | Error::Auth(_) => {
                false
            }
            Error::Api(e) => e.may_have_run(),
            Error::Transport(e) => e.may_have_run(),
            // An answer came back: the request reached the portal.
            Error::Decode(_) | Error::Protocol(_) => true,
            Error::Batch(e) => e.may_have_run(),
            Error::Command(e) => e.may_have_run(),
        }
    }
}

impl From<CommandError> for Error {
    /// An API or decode error of the command becomes [`Error::Api`] or [`Error::Decode`];
    /// a command that did not run, or may have, becomes [`Error::Command`].
    fn from(e: CommandError) -> Error {
        match e {
            CommandError::Api(a) => Error::Api(a),
            CommandError::Decode(d) => Error::Decode(d),
            other => Error::Command(other),
        }
    }
}

/// Shows `v` as a short list: at most five items, then how many in all.
fn short_list(v: &[String]) -> String {
    let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
    if v.len() > shown.len() {
        format!("{} ({} in all)", shown.join(", "), v.len())
    } else if v.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_is_one_level_and_the_cause_is_the_source() {
        let cause = TransportError::new("batch", TransportKind::Timeout, true, String::new());
        assert_eq!(
            cause.to_string(),
            "batch: timed out (the request may have run)"
        );
        assert!(cause.source().is_none());
        let e = BatchError::new(vec!["a".into()], vec![], vec!["b".into()], cause.into());
        let shown = e.to_string();
        assert_eq!(
            shown,
            "batch failed; ran: a; not run: none; may have run: b"
        );
        let source = e.source().expect("the cause").to_string();
        assert_eq!(source, "batch: timed out (the request may have run)");
        // Each level says something the others do not: a reporter walking the chain
        // prints nothing twice.
        assert!(!shown.contains(&source));
        let own = TransportError::new("x", TransportKind::Body, false, "too big".into());
        assert_eq!(own.to_string(), "x: reading the response failed: too big");
    }

    #[test]
    fn may_have_run_is_answered_for_every_kind() {
        let api = |code: &str, status| Error::from(ApiError::new("m", code, "", status));
        assert!(!api("ACCESS_DENIED", 403).may_have_run());
        assert!(!api("QUERY_LIMIT_EXCEEDED", 503).may_have_run());
        assert!(!api("OPERATION_TIME_LIMIT", 429).may_have_run());
        assert!(api("INTERNAL_SERVER_ERROR", 500).may_have_run());
        let t = |kind, sent| Error::from(TransportError::new("m", kind, sent, String::new()));
        assert!(!t(TransportKind::Connect, false).may_have_run());
        assert!(t(TransportKind::Timeout, true).may_have_run());
        let d = DecodeError::new("m", DecodeKind::Body, "$", "truncated JSON".into(), 200);
        assert!(Error::from(d).may_have_run());
        let not_run = CommandError::NotRun {
            key: "k".into(),
            reason: "halted".into(),
        };
        assert!(!Error::from(not_run).may_have_run());
        let unknown = CommandError::Unknown {
            key: "k".into(),
            reason: "the batch broke".into(),
        };
        let e = Error::from(unknown);
        assert!(e.may_have_run());
        assert_eq!(e.to_string(), "k: may have run: the batch broke");
        let cfg = ConfigError::new(ConfigKind::Url, "invalid portal URL".into());
        assert!(!Error::from(cfg).may_have_run());
        let batch = BatchError::new(
            vec![],
            vec!["a".into()],
            vec![],
            t(TransportKind::Connect, false),
        );
        assert!(!Error::from(batch).may_have_run());
    }
}
