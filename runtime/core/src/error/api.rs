//! The portal's own error answer.

use std::fmt;

use super::ErrorCode;

/// The portal answered `{"error": …, "error_description": …}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ApiError {
    method: String,
    code: ErrorCode,
    description: String,
    status: u16,
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
        }
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
