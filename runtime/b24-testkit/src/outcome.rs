//! What a command gives: a result with its paging members, or an API error; and what it
//! cost. Shared by the method handlers, the fallback, `batch` and the server.

use std::time::Duration;

use serde_json::Value;

/// A successful command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub result: Value,
    pub total: Option<i64>,
    pub next: Option<i64>,
    /// Records read or written (for the simulated cost).
    pub records: u64,
}

impl Outcome {
    pub(crate) fn of(result: Value) -> Outcome {
        Outcome {
            result,
            total: None,
            next: None,
            records: 0,
        }
    }

    pub(crate) fn records(mut self, n: u64) -> Outcome {
        self.records = n;
        self
    }
}

/// A failed command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiErr {
    pub status: u16,
    pub code: String,
    pub description: String,
    /// REST 3.0: the fields at fault, each with its message.
    pub validation: Vec<(String, String)>,
}

impl ApiErr {
    pub(crate) fn new(status: u16, code: &str, description: &str) -> ApiErr {
        ApiErr {
            status,
            code: code.to_string(),
            description: description.to_string(),
            validation: Vec::new(),
        }
    }

    /// The error as its body: REST v2's `error`/`error_description`, or REST 3.0's
    /// `{"error": {"code", "message", "validation"}}`.
    pub(crate) fn body(&self, v3: bool) -> Value {
        if !v3 {
            return serde_json::json!({"error": self.code, "error_description": self.description});
        }
        let mut e = serde_json::json!({"code": self.code, "message": self.description});
        if !self.validation.is_empty() {
            e["validation"] = self
                .validation
                .iter()
                .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
                .collect();
        }
        serde_json::json!({ "error": e })
    }
}

pub(crate) type CmdResult = Result<Outcome, ApiErr>;

/// One executed (or refused) command.
pub(crate) struct CommandRun {
    pub outcome: CmdResult,
    pub cost: Duration,
}
