//! [`WireError`], and how a decode that streams through serde keeps the JSON path of a
//! failure.
//!
//! A streaming decode can only return the deserializer's own error type, which has no
//! room for a path. So the decoder that fails records its [`WireError`] for the thread
//! ([`fail`]); each enclosing object or array adds its key or index to that record on the
//! way out ([`relocate`]); and the entry point takes the record back ([`into_wire_error`]).
//! A record is only trusted when the error passing through is the one it describes (its
//! message starts with the record's), so an error of another origin (malformed JSON, a
//! failure an `Option` swallowed earlier) is never given a stale path.

use std::cell::RefCell;
use std::fmt;

use serde::de;
use serde_json::Value;

/// A response value that does not have the expected form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Path segments from the decoded root, outermost first.
    path: Vec<Segment>,
    expected: String,
    found: String,
    server_code: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

impl WireError {
    /// `expected` something else than `found`.
    pub fn expected(expected: &str, found: &Value) -> WireError {
        WireError::new(expected, found)
    }

    /// Same as [`WireError::expected`].
    pub fn new(expected: &str, found: &Value) -> WireError {
        WireError::of(expected, describe(found))
    }

    /// `expected` something else than what `found` describes.
    pub(crate) fn of(expected: &str, found: String) -> WireError {
        WireError {
            path: Vec::new(),
            expected: expected.to_string(),
            found,
            server_code: None,
        }
    }

    /// The error code the server answers for such a value (for a request decoded from
    /// JSON: `DIALOG_ID_EMPTY`).
    #[must_use]
    pub fn with_server_code(mut self, code: &'static str) -> WireError {
        self.server_code = Some(code);
        self
    }

    /// The error code the server answers for such a value, if known.
    pub fn server_code(&self) -> Option<&'static str> {
        self.server_code
    }

    /// Whether the value is missing (absent or `null`) rather than of the wrong form.
    pub fn is_missing(&self) -> bool {
        self.found == MISSING
    }

    /// A required member is missing.
    pub fn missing(key: &str) -> WireError {
        WireError {
            path: vec![Segment::Key(key.to_string())],
            expected: "a value".into(),
            found: MISSING.into(),
            server_code: None,
        }
    }

    /// Prefixes the path with an object key.
    #[must_use]
    pub fn in_key(self, key: &str) -> WireError {
        self.within(Segment::Key(key.to_string()))
    }

    /// Prefixes the path with an array index.
    #[must_use]
    pub fn in_index(self, i: usize) -> WireError {
        self.within(Segment::Index(i))
    }

    fn within(mut self, seg: Segment) -> WireError {
        self.path.insert(0, seg);
        self
    }

    /// The JSON path below `root`, e.g. `$.result.items[2].id`.
    pub fn path_from(&self, root: &str) -> String {
        let mut s = root.to_string();
        for seg in &self.path {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Segment::Key(k) => s.push_str(&format!("[{k:?}]")),
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    /// What was expected.
    pub fn expected_what(&self) -> &str {
        &self.expected
    }

    /// A short description of what was found.
    pub fn found(&self) -> &str {
        &self.found
    }
}

const MISSING: &str = "nothing (missing or null)";

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {}: expected {}, found {}",
            self.path_from("$"),
            self.expected,
            self.found
        )
    }
}

impl std::error::Error for WireError {}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A short rendering of a value for error messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Object(m) => format!("an object with {} members", m.len()),
        Value::Array(a) => format!("an array of {} items", a.len()),
        other => shorten(other.to_string()),
    }
}

/// At most 60 characters of a rendering, for error messages.
pub(crate) fn shorten(s: String) -> String {
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(60).collect();
        format!("{cut}…")
    } else {
        s
    }
}

thread_local! {
    /// The failure of the decode under way on this thread, with the path found so far.
    static FAILURE: RefCell<Option<WireError>> = const { RefCell::new(None) };
}

/// Records `w` as the failure of the decode under way and turns it into the
/// deserializer's error.
pub(crate) fn fail<E: de::Error>(w: WireError) -> E {
    let e = E::custom(&w);
    FAILURE.with(|f| *f.borrow_mut() = Some(w));
    e
}

/// Forgets a recorded failure (one that a decoder recovered from).
pub(crate) fn forget() {
    FAILURE.with(|f| *f.borrow_mut() = None);
}

/// Adds `seg` in front of the path of the failure `e` passing through.
pub(crate) fn relocate<E: de::Error>(e: E, seg: Segment) -> E {
    fail(into_wire_error(&e).within(seg))
}

/// The recorded failure when `e` is the error it describes, else `e` as a [`WireError`]
/// of its own (malformed JSON, a failure of a foreign type).
pub(crate) fn into_wire_error(e: &impl fmt::Display) -> WireError {
    let message = e.to_string();
    let recorded = FAILURE.with(|f| f.borrow_mut().take());
    match recorded {
        Some(w) if message.starts_with(&w.to_string()) => w,
        _ => WireError::of("well-formed JSON", message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let e = WireError::expected("x", &json!(1))
            .in_key("a b")
            .in_key("root");
        assert_eq!(e.path_from("$"), "$.root[\"a b\"]");
    }

    #[test]
    fn a_stale_record_never_lends_its_path() {
        let _: serde_json::Error = fail(WireError::of("an integer", "\"x\"".into()).in_key("a"));
        let foreign = <serde_json::Error as de::Error>::custom("EOF while parsing");
        let w = into_wire_error(&relocate(foreign, Segment::Key("b".into())));
        assert_eq!(w.path_from("$"), "$.b");
        assert_eq!(w.expected_what(), "well-formed JSON");
        assert_eq!(w.found(), "EOF while parsing");
    }
}
