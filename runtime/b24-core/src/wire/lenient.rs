//! Lenient decoding: one member of an unexpected form does not lose the whole answer.
//!
//! Real portals answer in forms the docs do not show: a code where an example had a
//! number (`SOURCE_ID: "CALL"`), a fraction where it had an integer (`quantity: 0.06`), a
//! list where an object goes. A typed result is first decoded strictly, straight from the
//! text (the fast path). Only when that fails is it decoded again leniently: each member
//! of a struct is read as JSON, then into its field; a member that does not fit is left
//! out of its field, kept as it came in the struct's `extra` map (so its raw value stays
//! reachable), and reported as an [`Unread`] with its JSON path. Everything else of the
//! answer decodes as usual.

use std::cell::RefCell;
use std::fmt;

use serde_json::Value;

use super::error::{Segment, WireError};
use super::{FromWire, decode_slice};

/// A member of an answer that did not have the documented form: left out of its typed
/// field, kept as it came in its struct's `extra` map.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Unread {
    /// Where: the JSON path below `result` (`$.result.productRows[0].quantity`).
    pub path: String,
    /// What the binding expected there.
    pub expected: String,
    /// What came, in short.
    pub found: String,
    /// The member's value as it came (the whole member, also in its struct's `extra`).
    pub value: Value,
}

impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, found {}",
            self.path, self.expected, self.found
        )
    }
}

#[derive(Default)]
struct State {
    /// Where the decode is: the keys and indexes from the root.
    path: Vec<Segment>,
    unread: Vec<Unread>,
}

thread_local! {
    /// The lenient decode under way on this thread, if any.
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Whether a lenient decode is under way on this thread.
pub(crate) fn active() -> bool {
    STATE.with(|s| s.borrow().is_some())
}

/// Steps into a member or an element (during a lenient decode).
pub(crate) fn enter(seg: Segment) {
    STATE.with(|s| {
        if let Some(st) = s.borrow_mut().as_mut() {
            st.path.push(seg);
        }
    });
}

/// Steps back out.
pub(crate) fn leave() {
    STATE.with(|s| {
        if let Some(st) = s.borrow_mut().as_mut() {
            st.path.pop();
        }
    });
}

/// Records that member `key` (of the struct being decoded) did not fit: `e` says how.
pub(crate) fn record(key: &str, value: &Value, e: &WireError) {
    STATE.with(|s| {
        if let Some(st) = s.borrow_mut().as_mut() {
            let mut w = e.clone().in_key(key);
            for seg in st.path.iter().rev() {
                w = match seg {
                    Segment::Key(k) => w.in_key(k),
                    Segment::Index(i) => w.in_index(*i),
                };
            }
            st.unread.push(Unread {
                path: w.path_from("$"),
                expected: e.expected_what().to_string(),
                found: e.found().to_string(),
                value: value.clone(),
            });
        }
    });
}

/// Ends the lenient decode of this thread even when the decode panics.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        STATE.with(|s| s.borrow_mut().take());
    }
}

/// Decodes `json` into `T` leniently: the members that do not fit their fields are left
/// out of them (kept in their struct's `extra`) and listed. An answer that is not even
/// that (not JSON, a required member missing, a scalar where the whole result is a
/// struct) is still an error.
///
/// ```
/// # use b24::wire::decode_lenient;
/// let (v, unread) = decode_lenient::<std::collections::BTreeMap<String, i64>>(br#"{"a": 1}"#)?;
/// assert_eq!(v["a"], 1);
/// assert!(unread.is_empty());
/// # Ok::<(), b24::wire::WireError>(())
/// ```
pub fn decode_lenient<T: FromWire>(json: &[u8]) -> Result<(T, Vec<Unread>), WireError> {
    STATE.with(|s| *s.borrow_mut() = Some(State::default()));
    let _guard = Guard;
    let t = decode_slice::<T>(json)?;
    let unread = STATE.with(|s| {
        s.borrow_mut()
            .take()
            .map(|st| st.unread)
            .unwrap_or_default()
    });
    Ok((t, unread))
}
