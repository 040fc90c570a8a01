//! The one reader of a `batch` answer's `result`: each member keyed by command — the
//! results, the errors, `total`, `next` and `time` — kept as slices of the answer's own
//! text, to be decoded straight into each command's type (no `serde_json::Value` in
//! between). [`BatchResults`](super::BatchResults) and the fast export both read it.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::wire::FromWire;

/// A batch's `result`, by command.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Answer<'a> {
    #[serde(default, borrow, deserialize_with = "by_command")]
    pub(crate) result: HashMap<String, &'a RawValue>,
    #[serde(default, borrow, deserialize_with = "by_command")]
    pub(crate) result_error: HashMap<String, &'a RawValue>,
    #[serde(default, borrow, deserialize_with = "by_command")]
    pub(crate) result_total: HashMap<String, &'a RawValue>,
    #[serde(default, borrow, deserialize_with = "by_command")]
    pub(crate) result_next: HashMap<String, &'a RawValue>,
    #[serde(default, borrow, deserialize_with = "by_command")]
    pub(crate) result_time: HashMap<String, &'a RawValue>,
}

impl<'a> Answer<'a> {
    /// Reads a batch's `result` (its text).
    pub(crate) fn read(text: &'a str) -> Result<Answer<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// How long the portal says command `key` took, in seconds.
    pub(crate) fn duration(&self, key: &str) -> Option<f64> {
        let t: Value = serde_json::from_str(self.result_time.get(key)?.get()).ok()?;
        f64::from_wire(t.get("duration")?).ok()
    }

    /// `total` or `next` of command `key` (`member` is one of the two maps).
    pub(crate) fn int(member: &HashMap<String, &RawValue>, key: &str) -> Option<i64> {
        crate::wire::decode_slice::<i64>(member.get(key)?.get().as_bytes()).ok()
    }

    /// The error of command `key`: its code and description, as the portal sent them.
    pub(crate) fn error(&self, key: &str) -> Option<(String, String)> {
        #[derive(Deserialize)]
        struct Failed {
            #[serde(default)]
            error: Option<Value>,
            #[serde(default)]
            error_description: Option<Value>,
        }
        let raw = self.result_error.get(key)?;
        let f: Failed = serde_json::from_str(raw.get()).unwrap_or(Failed {
            error: None,
            error_description: None,
        });
        let code = match f.error {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let description = match f.error_description {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        Some((code, description))
    }
}

/// A batch member keyed by command: an object, or (PHP's empty or numbered map) a list.
fn by_command<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<String, &'de RawValue>, D::Error> {
    struct Commands;
    impl<'de> Visitor<'de> for Commands {
        type Value = HashMap<String, &'de RawValue>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of command results")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::new();
            while let Some((k, v)) = m.next_entry::<String, &'de RawValue>()? {
                out.insert(k, v);
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::new();
            while let Some(v) = s.next_element::<&'de RawValue>()? {
                out.insert(out.len().to_string(), v);
            }
            Ok(out)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
    }
    d.deserialize_any(Commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_is_read_in_place_in_either_form() {
        let text = r#"{"result": {"a": [1], "b": true}, "result_error": {"c": {"error": "NOT_FOUND", "error_description": "gone"}},
            "result_total": {"a": "120"}, "result_next": [50], "result_time": {"a": {"duration": 0.25}}}"#;
        let a = Answer::read(text).expect("an answer");
        assert_eq!(a.result["a"].get(), "[1]");
        assert_eq!(Answer::int(&a.result_total, "a"), Some(120));
        assert_eq!(Answer::int(&a.result_next, "0"), Some(50));
        assert_eq!(a.duration("a"), Some(0.25));
        assert_eq!(a.error("c"), Some(("NOT_FOUND".into(), "gone".into())));
        assert_eq!(a.error("a"), None);
        let empty =
            Answer::read(r#"{"result": [], "result_error": []}"#).expect("PHP's empty maps");
        assert!(empty.result.is_empty() && empty.result_error.is_empty());
        assert!(Answer::read("[1, 2]").is_err());
    }
}
