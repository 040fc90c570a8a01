//! A batch, or one of its commands, that gave no result.

use std::fmt;

use super::{ApiError, DecodeError, Error, ErrorCode, short_list};

/// A batch that failed as a whole: which of its commands ran, which did not, and which
/// may have (the request broke after it was sent). `Display` says this level only; what
/// went wrong is the [`source`](std::error::Error::source) ([`BatchError::cause`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct BatchError {
    ran: Vec<String>,
    not_run: Vec<String>,
    unknown: Vec<String>,
    #[source]
    cause: Box<Error>,
}

impl BatchError {
    pub(crate) fn new(
        ran: Vec<String>,
        not_run: Vec<String>,
        unknown: Vec<String>,
        cause: Error,
    ) -> BatchError {
        BatchError {
            ran,
            not_run,
            unknown,
            cause: Box::new(cause),
        }
    }

    /// Keys of commands known to have run.
    pub fn ran(&self) -> &[String] {
        &self.ran
    }

    /// Keys of commands known not to have run.
    pub fn not_run(&self) -> &[String] {
        &self.not_run
    }

    /// Keys of commands that may or may not have run.
    pub fn unknown(&self) -> &[String] {
        &self.unknown
    }

    /// What made the batch fail.
    pub fn cause(&self) -> &Error {
        &self.cause
    }

    /// Whether any command ran or may have.
    pub fn may_have_run(&self) -> bool {
        !self.ran.is_empty() || !self.unknown.is_empty()
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "batch failed; ran: {}; not run: {}; may have run: {}",
            short_list(&self.ran),
            short_list(&self.not_run),
            short_list(&self.unknown)
        )
    }
}

/// What one command of a batch gave instead of a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The command ran and failed.
    #[error(transparent)]
    Api(ApiError),
    /// The command did not run.
    #[error("{key}: not executed: {reason}")]
    NotRun {
        /// The command's key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The command may or may not have run.
    #[error("{key}: may have run: {reason}")]
    Unknown {
        /// The command's key.
        key: String,
        /// Why it is unknown.
        reason: String,
    },
    /// The command's result did not decode.
    #[error(transparent)]
    Decode(DecodeError),
}

impl CommandError {
    /// Whether the command is known not to have run.
    pub fn not_run(&self) -> bool {
        match self {
            CommandError::NotRun { .. } => true,
            CommandError::Api(a) => matches!(
                a.code(),
                ErrorCode::OperationTimeLimit | ErrorCode::QueryLimitExceeded
            ),
            _ => false,
        }
    }

    /// Whether the command may have run with effect, so that repeating it may repeat the
    /// effect: as [`Error::may_have_run`] for the error it becomes.
    pub fn may_have_run(&self) -> bool {
        match self {
            CommandError::Api(a) => a.may_have_run(),
            CommandError::NotRun { .. } => false,
            CommandError::Unknown { .. } | CommandError::Decode(_) => true,
        }
    }
}
