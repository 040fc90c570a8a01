//! Input refused before anything was sent.

use std::fmt;

/// Parameters that break the method's rules; the request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ValidationError {
    method: String,
    problems: Vec<Problem>,
}

impl ValidationError {
    pub(crate) fn new(method: &str, problems: Vec<Problem>) -> ValidationError {
        debug_assert!(!problems.is_empty());
        ValidationError {
            method: method.to_string(),
            problems,
        }
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Every problem found (never empty).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
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
#[non_exhaustive]
pub struct Problem {
    field: String,
    value: String,
    rule: String,
    server_code: Option<String>,
}

impl Problem {
    pub(crate) fn new(
        field: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
        server_code: Option<&str>,
    ) -> Problem {
        Problem {
            field: field.into(),
            value: value.into(),
            rule: rule.into(),
            server_code: server_code.map(str::to_string),
        }
    }

    /// Wire name of the parameter, with a path for nested ones (`fields.TITLE`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The offending value, as sent would have been.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rule it breaks.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The error code the server would answer, if known.
    pub fn server_code(&self) -> Option<&str> {
        self.server_code.as_deref()
    }
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

/// A value that does not have the form its type requires (from `FromStr` and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidValue {
    type_name: &'static str,
    value: String,
    rule: &'static str,
    server_code: Option<&'static str>,
}

impl InvalidValue {
    pub(crate) fn new(
        type_name: &'static str,
        value: impl Into<String>,
        rule: &'static str,
        server_code: Option<&'static str>,
    ) -> InvalidValue {
        InvalidValue {
            type_name,
            value: value.into(),
            rule,
            server_code,
        }
    }

    /// The type that refused the value, e.g. `DialogId`.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The refused value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What the value must look like.
    pub fn rule(&self) -> &'static str {
        self.rule
    }

    /// The error code the server answers for such a value, if known.
    pub fn server_code(&self) -> Option<&'static str> {
        self.server_code
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: {}",
            self.type_name, self.value, self.rule
        )?;
        if let Some(code) = self.server_code {
            write!(f, " (the server answers {code})")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidValue {}
