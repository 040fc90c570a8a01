//! The portal's own error answer.

use std::fmt;

use super::{ErrorCode, Problem};

/// The portal answered `{"error": …, "error_description": …}` (REST v2), or
/// `{"error": {"code", "message", "validation"}}` (REST 3.0).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ApiError {
    method: String,
    code: ErrorCode,
    description: String,
    status: u16,
    validation: Vec<Problem>,
}

impl ApiError {
    /// An API error as the portal would answer it; for tests of code that handles errors.
    ///
    /// ```
    /// let e = b24::ApiError::new("crm.item.get", "NOT_FOUND", "Not found", 400);
    /// assert_eq!(e.code().as_str(), "NOT_FOUND");
    /// ```
    pub fn new(
        method: impl Into<String>,
        code: impl AsRef<str>,
        description: impl Into<String>,
        status: u16,
    ) -> ApiError {
        ApiError {
            method: method.into(),
            code: ErrorCode::from(code.as_ref()),
            description: description.into(),
            status,
            validation: Vec::new(),
        }
    }

    /// With the per-field problems a REST 3.0 error lists (`validation`).
    pub(crate) fn with_validation(mut self, validation: Vec<Problem>) -> ApiError {
        self.validation = validation;
        self
    }

    /// The method called.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The `error` member.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The `error_description` member (`""` when the portal sent none).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The fields a REST 3.0 error names, each with the portal's message as its rule (its
    /// `validation` list; empty for REST v2 errors).
    pub fn validation(&self) -> &[Problem] {
        &self.validation
    }

    /// Whether the request may have run: a server error (5xx) other than the ones the docs
    /// say refuse the request before it runs (rate limit, overload, closed portal).
    pub fn may_have_run(&self) -> bool {
        self.status >= 500
            && !matches!(
                self.code,
                ErrorCode::QueryLimitExceeded | ErrorCode::OverloadLimit | ErrorCode::PortalDeleted
            )
    }
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
        for p in &self.validation {
            write!(f, "; `{}`: {}", p.field(), p.rule())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display() {
        let e = ApiError::new(
            "im.recent.unread",
            "DIALOG_ID_EMPTY",
            "Dialog ID can't be empty",
            400,
        );
        assert_eq!(e.code(), &ErrorCode::DialogIdEmpty);
        assert_eq!(
            e.to_string(),
            "im.recent.unread failed with DIALOG_ID_EMPTY (HTTP 400): Dialog ID can't be empty"
        );
    }
}
