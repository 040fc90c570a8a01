//! Faults on demand: server errors, dropped connections, broken bodies.

use std::time::Duration;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 `INTERNAL_SERVER_ERROR`; the request is not executed.
    ServerError,
    /// The connection breaks before the request is executed.
    DropBeforeExecute,
    /// The request is executed, then the connection breaks before the answer.
    DropAfterExecute,
    /// The request is executed; the answer is cut off in the middle of the JSON.
    Truncated,
    /// An HTML page instead of JSON (a proxy's error page); not executed.
    Html,
    /// The request is executed; the answer trickles out over this long.
    SlowBody(Duration),
    /// An API error with this status and code; not executed.
    Error {
        /// HTTP status.
        status: u16,
        /// The `error` member.
        code: String,
    },
}

impl Fault {
    /// Whether the request runs before the fault shows.
    pub fn executes(&self) -> bool {
        matches!(
            self,
            Fault::DropAfterExecute | Fault::Truncated | Fault::SlowBody(_)
        )
    }
}

/// When a fault applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// Only for this method (lower case); every method when `None`.
    pub method: Option<String>,
    /// Only every Nth matching request (1 = each one).
    pub every: u64,
    /// At most this many times; unlimited when `None`.
    pub times: Option<u64>,
    pub(crate) seen: u64,
    pub(crate) fired: u64,
}

impl FaultRule {
    /// `fault` on every request.
    pub fn always(fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            method: None,
            every: 1,
            times: None,
            seen: 0,
            fired: 0,
        }
    }

    /// Only for `method` (matched case-insensitively).
    #[must_use]
    pub fn method(mut self, method: &str) -> FaultRule {
        self.method = Some(method.to_ascii_lowercase());
        self
    }

    /// Only every `n`th matching request.
    #[must_use]
    pub fn every(mut self, n: u64) -> FaultRule {
        self.every = n.max(1);
        self
    }

    /// At most `n` times.
    #[must_use]
    pub fn times(mut self, n: u64) -> FaultRule {
        self.times = Some(n);
        self
    }

    /// Counts a request to `method`; returns the fault if it fires for it.
    pub(crate) fn hit(&mut self, method: &str) -> Option<Fault> {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return None;
        }
        if self.times.is_some_and(|t| self.fired >= t) {
            return None;
        }
        self.seen += 1;
        if self.seen.is_multiple_of(self.every) {
            self.fired += 1;
            Some(self.fault.clone())
        } else {
            None
        }
    }
}

/// Parses a fault for the command line: `500`, `drop-before`, `drop-after`, `truncated`,
/// `html`, `slow:<ms>`, `error:<status>:<CODE>`.
pub fn parse_fault(s: &str) -> Result<Fault, String> {
    Ok(match s {
        "500" => Fault::ServerError,
        "drop-before" => Fault::DropBeforeExecute,
        "drop-after" => Fault::DropAfterExecute,
        "truncated" => Fault::Truncated,
        "html" => Fault::Html,
        other => {
            if let Some(ms) = other.strip_prefix("slow:") {
                Fault::SlowBody(Duration::from_millis(
                    ms.parse()
                        .map_err(|_| format!("bad duration in `{other}`"))?,
                ))
            } else if let Some(rest) = other.strip_prefix("error:") {
                let (status, code) = rest
                    .split_once(':')
                    .ok_or_else(|| format!("`{other}`: expected error:<status>:<CODE>"))?;
                Fault::Error {
                    status: status
                        .parse()
                        .map_err(|_| format!("bad status in `{other}`"))?,
                    code: code.to_string(),
                }
            } else {
                return Err(format!(
                    "unknown fault `{other}`: expected 500, drop-before, drop-after, truncated, html, slow:<ms> or error:<status>:<CODE>"
                ));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_and_times() {
        let mut r = FaultRule::always(Fault::ServerError)
            .method("a.b")
            .every(3)
            .times(2);
        let fired: Vec<bool> = (0..12).map(|_| r.hit("a.b").is_some()).collect();
        assert_eq!(fired.iter().filter(|f| **f).count(), 2);
        assert!(fired[2] && fired[5] && !fired[8]);
        assert!(r.hit("other").is_none());
    }

    #[test]
    fn parses_cli_faults() {
        assert_eq!(parse_fault("500"), Ok(Fault::ServerError));
        assert_eq!(
            parse_fault("slow:250"),
            Ok(Fault::SlowBody(Duration::from_millis(250)))
        );
        assert_eq!(
            parse_fault("error:503:QUERY_LIMIT_EXCEEDED"),
            Ok(Fault::Error {
                status: 503,
                code: "QUERY_LIMIT_EXCEEDED".into()
            })
        );
        assert!(parse_fault("boom").is_err());
    }
}
