//! The envelope around every answer: `result`, the `time` block, and list members.

use serde_json::Value;

use crate::wire::{FromWire, WireError, field, object};

/// The `time` block: how long the call took and how much of the method's
/// operating-time budget is used.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Time {
    /// Unix time the portal started the request.
    pub start: f64,
    /// Unix time it finished.
    pub finish: f64,
    /// `finish - start`, seconds.
    pub duration: f64,
    /// Seconds spent processing.
    pub processing: f64,
    /// `start` as an ATOM date.
    pub date_start: Option<crate::types::DateTime>,
    /// `finish` as an ATOM date.
    pub date_finish: Option<crate::types::DateTime>,
    /// Unix time the method's operating-time budget resets.
    pub operating_reset_at: Option<i64>,
    /// Seconds of the budget used.
    pub operating: Option<f64>,
}

impl FromWire for Time {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        let o = object(v)?;
        Ok(Time {
            start: field::<Option<f64>>(o, "start")?.unwrap_or_default(),
            finish: field::<Option<f64>>(o, "finish")?.unwrap_or_default(),
            duration: field::<Option<f64>>(o, "duration")?.unwrap_or_default(),
            processing: field::<Option<f64>>(o, "processing")?.unwrap_or_default(),
            // Never a reason to refuse an answer: a malformed date is left out.
            date_start: field(o, "date_start").ok().flatten(),
            date_finish: field(o, "date_finish").ok().flatten(),
            operating_reset_at: field::<Option<f64>>(o, "operating_reset_at")?.map(|f| f as i64),
            operating: field(o, "operating")?,
        })
    }
}

impl crate::check::Check for Time {}

/// A decoded answer with its envelope.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded `result`.
    pub result: T,
    /// The `time` block, if sent.
    pub time: Option<Time>,
    /// `total` of list methods.
    pub total: Option<i64>,
    /// `next` of list methods: the `start` of the next page.
    pub next: Option<i64>,
}
