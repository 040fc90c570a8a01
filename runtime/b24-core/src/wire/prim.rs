//! Scalars as the REST API sends them: numbers as strings (`"ID": "37"`), booleans as
//! `Y`/`N`, `1`/`0` or `"true"`, dates in several forms. Each leaf type reads one
//! [`Prim`] from the deserializer and converts it with a plain function.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::FromWire;
use super::error::{WireError, fail, shorten};

/// One JSON value as a leaf decoder sees it: a scalar, or the kind of a compound one
/// (which is skipped).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prim<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Object,
    Array,
}

impl Prim<'_> {
    /// A short rendering for error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Prim::Null => "null".into(),
            Prim::Bool(b) => b.to_string(),
            Prim::I64(i) => i.to_string(),
            Prim::U64(u) => u.to_string(),
            Prim::F64(f) => float_text(*f),
            Prim::Str(s) => shorten(Value::String(s.to_string()).to_string()),
            Prim::Object => "an object".into(),
            Prim::Array => "an array".into(),
        }
    }

    /// The value as text, when it is a string or a number.
    pub(crate) fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Prim::Str(s) => Some(Cow::Borrowed(s)),
            Prim::I64(i) => Some(Cow::Owned(i.to_string())),
            Prim::U64(u) => Some(Cow::Owned(u.to_string())),
            Prim::F64(f) => Some(Cow::Owned(float_text(*f))),
            _ => None,
        }
    }

    /// `expected` something else than this value.
    pub(crate) fn unexpected(&self, expected: &str) -> WireError {
        WireError::of(expected, self.describe())
    }
}

/// A float as `serde_json` writes it.
fn float_text(f: f64) -> String {
    serde_json::Number::from_f64(f).map_or_else(|| f.to_string(), |n| n.to_string())
}

/// Reads one value as a [`Prim`].
pub(crate) fn prim<'de, D: Deserializer<'de>>(d: D) -> Result<Prim<'de>, D::Error> {
    d.deserialize_any(PrimVisitor)
}

struct PrimVisitor;

impl<'de> Visitor<'de> for PrimVisitor {
    type Value = Prim<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Prim<'de>, E> {
        Ok(Prim::Null)
    }
    fn visit_none<E>(self) -> Result<Prim<'de>, E> {
        Ok(Prim::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Prim<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Prim<'de>, E> {
        Ok(Prim::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Prim<'de>, E> {
        Ok(Prim::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Prim<'de>, E> {
        Ok(Prim::U64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Prim<'de>, E> {
        Ok(Prim::F64(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Prim<'de>, E> {
        Ok(Prim::Str(Cow::Owned(v.to_string())))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Prim<'de>, E> {
        Ok(Prim::Str(Cow::Borrowed(v)))
    }
    fn visit_string<E>(self, v: String) -> Result<Prim<'de>, E> {
        Ok(Prim::Str(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Prim<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Prim::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Prim<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Prim::Array)
    }
}

/// Reads a [`Prim`] and converts it, a failure recorded with its path.
pub(crate) fn leaf<'de, T, D: Deserializer<'de>>(
    d: D,
    convert: impl FnOnce(&Prim<'de>) -> Result<T, WireError>,
) -> Result<T, D::Error> {
    let p = prim(d)?;
    convert(&p).map_err(fail)
}

impl FromWire for Value {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <Value as serde::Deserialize>::deserialize(d)
    }
    fn absent() -> Option<Self> {
        Some(Value::Null)
    }
}

/// A method that answers no data (`null`, or an empty list, whatever it did).
impl FromWire for () {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_ignored_any(IgnoredAny).map(|_| ())
    }
    fn absent() -> Option<Self> {
        Some(())
    }
}

/// `true`/`false`, `Y`/`N`, `1`/`0` and their string forms.
pub(crate) fn bool_of(p: &Prim<'_>) -> Result<bool, WireError> {
    match p {
        Prim::Bool(b) => Ok(*b),
        Prim::Str(s) => match s.as_ref() {
            "Y" | "y" | "true" | "1" => Ok(true),
            "N" | "n" | "false" | "0" | "" => Ok(false),
            _ => Err(p.unexpected("a boolean")),
        },
        Prim::I64(1) | Prim::U64(1) => Ok(true),
        Prim::I64(0) | Prim::U64(0) => Ok(false),
        _ => Err(p.unexpected("a boolean")),
    }
}

impl FromWire for bool {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, bool_of)
    }
}

macro_rules! int_from_wire {
    ($($t:ty),*) => {$(
        impl FromWire for $t {
            fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                leaf(d, |p| {
                    let what = concat!("an integer (", stringify!($t), ")");
                    let n = match p {
                        Prim::I64(i) => <$t>::try_from(*i).ok(),
                        Prim::U64(u) => <$t>::try_from(*u).ok(),
                        Prim::Str(s) => s.trim().parse::<$t>().ok(),
                        _ => None,
                    };
                    n.ok_or_else(|| p.unexpected(what))
                })
            }
        }
    )*};
}
int_from_wire!(i64, u64, i32, u32);

impl FromWire for f64 {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| match p {
            Prim::I64(i) => Ok(*i as f64),
            Prim::U64(u) => Ok(*u as f64),
            Prim::F64(f) => Ok(*f),
            Prim::Str(s) => s.trim().parse().map_err(|_| p.unexpected("a number")),
            _ => Err(p.unexpected("a number")),
        })
    }
}

impl FromWire for String {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = prim(d)?;
        match p {
            Prim::Str(s) => Ok(s.into_owned()),
            other => other
                .text()
                .map(Cow::into_owned)
                .ok_or_else(|| fail(other.unexpected("a string"))),
        }
    }
}

/// Rejects the scalars in a visitor of a compound type, as `expected` something else.
macro_rules! reject_scalars {
    ($expected:expr) => {
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::Null.unexpected($expected),
            ))
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            self.visit_unit()
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::Bool(v).unexpected($expected),
            ))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::I64(v).unexpected($expected),
            ))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::U64(v).unexpected($expected),
            ))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::F64(v).unexpected($expected),
            ))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Err($crate::wire::error::fail(
                $crate::wire::prim::Prim::Str(v.into()).unexpected($expected),
            ))
        }
    };
}
pub(crate) use reject_scalars;
