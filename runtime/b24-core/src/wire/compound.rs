//! `Option`, `Vec` and maps, in the forms PHP gives them: "not set" as `false` or `""`,
//! a list with gaps as an object, an empty map as `[]`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, F64Deserializer, I64Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
    U64Deserializer,
};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::FromWire;
use super::error::{Segment, forget, relocate};
use super::lenient;
use super::prim::reject_scalars;

/// A [`DeserializeSeed`] that decodes a `T` through [`FromWire`].
pub(crate) struct Wire<T>(PhantomData<T>);

impl<T> Wire<T> {
    pub(crate) fn new() -> Self {
        Wire(PhantomData)
    }
}

impl<'de, T: FromWire> DeserializeSeed<'de> for Wire<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::decode(d)
    }
}

impl<T: FromWire> FromWire for Option<T> {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OptionVisitor(PhantomData))
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
}

/// "Not set" arrives as `false` in many v2 responses, and as `""` where a date or a
/// number goes: either is `None` unless `T` itself reads it.
fn unset<T, E>(r: Result<T, E>) -> Option<T> {
    r.map_err(|_| forget()).ok()
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: FromWire> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or nothing")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        let r = T::decode(BoolDeserializer::<E>::new(v));
        if v { r.map(Some) } else { Ok(unset(r)) }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::decode(I64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::decode(U64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::decode(F64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let r = T::decode(StrDeserializer::<E>::new(v));
        if v.is_empty() {
            Ok(unset(r))
        } else {
            r.map(Some)
        }
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let r = T::decode(BorrowedStrDeserializer::<E>::new(v));
        if v.is_empty() {
            Ok(unset(r))
        } else {
            r.map(Some)
        }
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(unset(T::decode(StringDeserializer::<E>::new(v))));
        }
        T::decode(StringDeserializer::<E>::new(v)).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::decode(MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::decode(SeqAccessDeserializer::new(seq)).map(Some)
    }
}

impl<T: FromWire> FromWire for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(VecVisitor(PhantomData))
    }
}

struct VecVisitor<T>(PhantomData<T>);

impl<'de, T: FromWire> Visitor<'de> for VecVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    reject_scalars!("an array");

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        let lenient = lenient::active();
        loop {
            if lenient {
                lenient::enter(Segment::Index(out.len()));
            }
            let next = seq.next_element_seed(Wire::<T>::new());
            if lenient {
                lenient::leave();
            }
            match next {
                Ok(Some(x)) => out.push(x),
                Ok(None) => return Ok(out),
                Err(e) => return Err(relocate(e, Segment::Index(out.len()))),
            }
        }
    }

    /// PHP arrays with non-sequential keys arrive as objects (`{"7": …, "9": …}`). An
    /// object with names for keys is not a list: reading it as one would drop the names
    /// (`{"BOT_ID": 456, "BUTTONS": […]}` sent as `[456, […]]`), so it is refused.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
                return Err(de::Error::invalid_type(
                    de::Unexpected::Other(&format!("an object with the key `{key}`")),
                    &self,
                ));
            }
            let lenient = lenient::active();
            if lenient {
                lenient::enter(Segment::Key(key.clone()));
            }
            let x = map.next_value_seed(Wire::<T>::new());
            if lenient {
                lenient::leave();
            }
            let x = x.map_err(|e| relocate(e, Segment::Key(key)))?;
            out.push(x);
        }
        Ok(out)
    }
}

impl<T: FromWire> FromWire for BTreeMap<String, T> {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MapVisitor(PhantomData))
    }
}

struct MapVisitor<T>(PhantomData<T>);

impl<'de, T: FromWire> Visitor<'de> for MapVisitor<T> {
    type Value = BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    reject_scalars!("an object");

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        let lenient = lenient::active();
        while let Some(key) = map.next_key::<String>()? {
            if lenient {
                lenient::enter(Segment::Key(key.clone()));
            }
            let next = map.next_value_seed(Wire::<T>::new());
            if lenient {
                lenient::leave();
            }
            match next {
                Ok(x) => {
                    out.insert(key, x);
                }
                Err(e) => return Err(relocate(e, Segment::Key(key))),
            }
        }
        Ok(out)
    }

    /// An empty PHP array is `[]` even where a map is meant; a list keeps its indexes.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        let mut i = 0usize;
        loop {
            match seq.next_element_seed(Wire::<T>::new()) {
                Ok(Some(x)) => {
                    out.insert(i.to_string(), x);
                    i += 1;
                }
                Ok(None) => return Ok(out),
                Err(e) => return Err(relocate(e, Segment::Index(i))),
            }
        }
    }
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
