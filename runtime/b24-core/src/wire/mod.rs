//! Tolerant decoding of response values.
//!
//! REST v2 sends numbers as strings (`"ID": "37"`), booleans as `Y`/`N`, empty maps as
//! `[]` and "not set" as `false`. [`FromWire`] accepts all of these and, when a value
//! really is wrong, says where: [`WireError`] carries the JSON path.
//!
//! Typed results are decoded straight from the response bytes, with no
//! `serde_json::Value` in between ([`FromWire::decode`] streams through serde); a value
//! already parsed is decoded with [`FromWire::from_wire`].

use serde::Deserializer;
use serde_json::Value;

mod compound;
mod error;
mod lenient;
mod prim;
mod record;
mod value;

pub use error::WireError;
pub use lenient::{Unread, decode_lenient};
#[doc(hidden)]
pub use record::{Record, fill, put, record, same, scalar, take};
#[doc(hidden)]
pub use value::{
    by_name, field, field_at, object, positional, positional_body, scalar_string, slots,
};

pub(crate) use error::{Segment, fail, forget, into_wire_error, relocate, shorten};
pub(crate) use prim::{Prim, bool_of, leaf};

/// Decodes a type from a JSON value of a response, accepting the forms the REST API uses.
///
/// A type implements [`FromWire::decode`] (streaming), [`FromWire::from_wire`] (from a
/// parsed value), or both: each has a default that goes through the other.
pub trait FromWire: Sized {
    /// Decodes `value`.
    fn from_wire(value: &Value) -> Result<Self, WireError> {
        decode_value(value)
    }

    /// Decodes the next value of a deserializer. A failure is also recorded with its
    /// JSON path for [`decode_slice`] and [`decode_value`] to report.
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(d)?;
        Self::from_wire(&value).map_err(error::fail)
    }

    /// The value to use when the member is absent or `null`; `None` makes that an error.
    fn absent() -> Option<Self> {
        None
    }
}

/// Decodes a parsed value through [`FromWire::decode`], a failure with its JSON path.
pub fn decode_value<T: FromWire>(value: &Value) -> Result<T, WireError> {
    error::forget();
    T::decode(value).map_err(|e| error::into_wire_error(&e))
}

/// Decodes JSON text straight into `T`, a failure with its JSON path.
pub fn decode_slice<T: FromWire>(json: &[u8]) -> Result<T, WireError> {
    error::forget();
    let mut de = serde_json::Deserializer::from_slice(json);
    T::decode(&mut de)
        .and_then(|t| de.end().map(|()| t))
        .map_err(|e| error::into_wire_error(&e))
}

/// `Deserialize` for generated types, through their tolerant [`FromWire`] decoder (so a
/// type reads the same from a request's JSON as from a response).
#[doc(hidden)]
pub fn deserialize<'de, T: FromWire, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    T::decode(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn numbers_as_strings() {
        assert_eq!(i64::from_wire(&json!("37")), Ok(37));
        assert_eq!(i64::from_wire(&json!(37)), Ok(37));
        assert_eq!(f64::from_wire(&json!("1.5")), Ok(1.5));
        assert_eq!(String::from_wire(&json!(5)), Ok("5".into()));
        assert!(i64::from_wire(&json!("x")).is_err());
        assert!(u32::from_wire(&json!(-1)).is_err());
    }

    #[test]
    fn booleans_in_every_form() {
        for (v, b) in [
            (json!(true), true),
            (json!("Y"), true),
            (json!("N"), false),
            (json!(1), true),
            (json!("0"), false),
        ] {
            assert_eq!(bool::from_wire(&v), Ok(b), "{v}");
        }
        assert!(bool::from_wire(&json!("yes")).is_err());
    }

    #[test]
    fn empty_array_is_an_empty_map() {
        let m: BTreeMap<String, i64> = FromWire::from_wire(&json!([])).expect("[] as map");
        assert!(m.is_empty());
        assert!(object(&json!([])).is_ok());
        assert!(object(&json!([1])).is_err());
    }

    #[test]
    fn false_means_not_set_for_options() {
        assert_eq!(Option::<String>::from_wire(&json!(false)), Ok(None));
        assert_eq!(Option::<bool>::from_wire(&json!(false)), Ok(Some(false)));
        assert_eq!(Option::<i64>::from_wire(&json!(null)), Ok(None));
    }

    #[test]
    fn false_and_empty_mean_not_set_when_the_type_cannot_read_them() {
        assert_eq!(Option::<i64>::from_wire(&json!("")), Ok(None));
        assert_eq!(
            Option::<String>::from_wire(&json!("")),
            Ok(Some(String::new()))
        );
        assert_eq!(Option::<bool>::from_wire(&json!("")), Ok(Some(false)));
        // A failure an `Option` recovered from leaves nothing behind for the next one.
        let e = decode_slice::<Vec<Option<i64>>>(br#"[false, "x"]"#).expect_err("x");
        assert_eq!(e.path_from("$"), "$[1]");
    }

    #[test]
    fn streamed_and_parsed_decodes_agree() {
        let text = r#"{"a": ["1", 2, "3"], "b": {"x": "Y"}, "c": [], "d": {"7": 1, "9": 2}}"#;
        type T = BTreeMap<String, Value>;
        let v: Value = serde_json::from_str(text).expect("json");
        assert_eq!(decode_slice::<T>(text.as_bytes()), T::from_wire(&v));
        type L = BTreeMap<String, Vec<i64>>;
        let e1 = decode_slice::<L>(text.as_bytes()).expect_err("b is a map");
        let e2 = L::from_wire(&v).expect_err("b is a map");
        assert_eq!(e1.path_from("$"), "$.b");
        assert_eq!(e1.path_from("$"), e2.path_from("$"));
        // A PHP list with gaps reads as a list.
        let d = decode_slice::<Vec<i64>>(br#"{"7": 1, "9": 2}"#).expect("object as list");
        assert_eq!(d, [1, 2]);
        // An object with names for keys is not a list: its names would be lost.
        let e = decode_slice::<Vec<i64>>(br#"{"BOT_ID": 456}"#).expect_err("named keys");
        assert!(e.to_string().contains("BOT_ID"), "{e}");
        assert!(Vec::<i64>::from_wire(&serde_json::json!({"BOT_ID": 456})).is_err());
    }

    #[test]
    fn malformed_json_is_reported_not_given_a_path_it_does_not_have() {
        let e = decode_slice::<Vec<i64>>(b"[1, 2").expect_err("cut off");
        assert_eq!(e.expected_what(), "well-formed JSON");
        assert!(e.found().contains("EOF"), "{e}");
        let e = decode_slice::<Vec<i64>>(b"[1] x").expect_err("trailing");
        assert!(e.found().contains("trailing"), "{e}");
    }
}
