//! API error codes: every system error of the REST API, the codes common to REST 3.0
//! methods (`api-reference/rest-v3.md`), and the reference method's codes.

use std::fmt;

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
    /// REST 3.0, 400: a required field is missing or a value does not fit its type (the
    /// error's `validation` names the fields).
    V3RequestValidation = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION", 400;
    /// REST 3.0, 400: the request body is not valid JSON.
    V3InvalidJson = "BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION", 400;
    /// REST 3.0, 400: `filter` or a related field of `select` names a field the object
    /// does not have.
    V3UnknownDtoProperty = "BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION", 400;
    /// REST 3.0, 400: a filter condition uses an operator that does not exist.
    V3UnknownFilterOperator = "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION", 400;
    /// REST 3.0, 400: no object with the identifier passed.
    V3EntityNotFound = "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION", 400;
    /// REST 3.0, 403: the user has no permission for the object.
    V3AccessDenied = "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION", 403;
    /// REST 3.0, 403: the webhook or application lacks the scope.
    V3InsufficientScope = "BITRIX_REST_V3_EXCEPTION_INSUFFICIENTSCOPEEXCEPTION", 403;
    /// REST 3.0, 422: the `Idempotency-Key` was already used with another request body;
    /// nothing ran.
    IdempotencyKeyReused = "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION", 422;
    /// REST 3.0, 400: the `Idempotency-Key` is not 1 to 255 printable ASCII characters.
    InvalidIdempotencyKey = "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION", 400;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(s) if s.is_empty() => f.write_str("an empty error code"),
            other => f.write_str(other.as_str()),
        }
    }
}

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
            (
                "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                400,
            ),
            (
                "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION",
                422,
            ),
            (
                "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION",
                400,
            ),
            ("BITRIX_REST_V3_EXCEPTION_INSUFFICIENTSCOPEEXCEPTION", 403),
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
}
