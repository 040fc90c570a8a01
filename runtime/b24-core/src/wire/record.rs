//! Generated structs and enums, decoded straight from the deserializer (no
//! `serde_json::Value` in between).
//!
//! A struct's members are matched to its documented names in one pass: an exact name
//! first, else a name in another letter case (the REST v2 server reads parameter names in
//! any case); members matching no name are kept in the struct's `extra` map.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::FromWire;
use super::compound::{Key, Wire};
use super::error::{Segment, WireError, fail, into_wire_error, relocate};
use super::lenient;
use super::prim::{leaf, reject_scalars};

/// A struct decoded member by member (implemented by generated code).
pub trait Record: Sized {
    /// The documented member names, in the order of the fields.
    const FIELDS: &'static [&'static str];
    /// Where members are collected before the struct is built: the struct itself when
    /// every field is optional, else a struct of `Option`s.
    type Slots: Default;
    /// Decodes the value of member `index` of [`Record::FIELDS`] into its slot.
    fn fill<'de, A: MapAccess<'de>>(
        slots: &mut Self::Slots,
        index: usize,
        map: &mut A,
    ) -> Result<(), A::Error>;
    /// The map of members outside the documented ones.
    fn extra(slots: &mut Self::Slots) -> &mut BTreeMap<String, Value>;
    /// The struct, once every member is read (a required one missing is an error).
    fn finish(slots: Self::Slots) -> Result<Self, WireError>;
}

/// Decodes a [`Record`] (helper for generated code).
pub fn record<'de, R: Record, D: Deserializer<'de>>(d: D) -> Result<R, D::Error> {
    d.deserialize_any(RecordVisitor::<R>(PhantomData))
}

/// Reads a member's value into an `Option` slot (helper for generated code).
pub fn fill<'de, T: FromWire, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value_seed(Wire::<T>::new())?);
    Ok(())
}

/// Reads a member's value into a field (helper for generated code).
pub fn put<'de, T: FromWire, A: MapAccess<'de>>(
    field: &mut T,
    map: &mut A,
) -> Result<(), A::Error> {
    *field = map.next_value_seed(Wire::<T>::new())?;
    Ok(())
}

/// The value of a slot, or the type's value for an absent member (helper for generated
/// code).
pub fn take<T: FromWire>(slot: Option<T>, key: &str) -> Result<T, WireError> {
    match slot {
        Some(t) => Ok(t),
        None => T::absent().ok_or_else(|| WireError::missing(key)),
    }
}

/// Decodes an enum from its scalar (a string, or a number read as its text); `parse`
/// gives `None` for a value that is not `expected` (helper for generated code).
pub fn scalar<'de, T, D: Deserializer<'de>>(
    d: D,
    expected: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, D::Error> {
    leaf(d, |p| match p.text() {
        Some(s) => parse(&s).ok_or_else(|| p.unexpected(expected)),
        None => Err(p.unexpected("a string or a number")),
    })
}

/// Compares an enum value with a wire value (helper for generated code).
pub fn same(found: &str, value: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        found.eq_ignore_ascii_case(value)
    } else {
        found == value
    }
}

struct RecordVisitor<R>(PhantomData<R>);

impl<'de, R: Record> Visitor<'de> for RecordVisitor<R> {
    type Value = R;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    reject_scalars!("an object");

    /// `[]` is an empty object (PHP has one kind of array).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<R, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => R::finish(R::Slots::default()).map_err(fail),
            Some(_) => {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Err(fail(WireError::of("an object", "an array".into())))
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<R, A::Error> {
        if lenient::active() {
            return visit_map_lenient::<R, A>(map);
        }
        let fields = R::FIELDS;
        let mut slots = R::Slots::default();
        let mut seen = Seen::new(fields.len());
        // Members usually come in the documented order: try the next name first.
        let mut next = 0;
        // Members whose name matches no field exactly, for the second pass.
        let mut rest: Vec<(String, Value)> = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let index = if fields.get(next) == Some(&key.as_ref()) {
                Some(next)
            } else {
                fields.iter().position(|f| *f == key)
            };
            match index {
                Some(i) => {
                    R::fill(&mut slots, i, &mut map)
                        .map_err(|e| relocate(e, Segment::Key(fields[i].to_string())))?;
                    seen.set(i);
                    next = i + 1;
                }
                None => {
                    let v: Value = map.next_value()?;
                    rest.push((key.into_owned(), v));
                }
            }
        }
        for (key, v) in rest {
            let i = fields
                .iter()
                .position(|f| f.len() == key.len() && f.eq_ignore_ascii_case(&key));
            match i {
                Some(i) if !seen.get(i) => {
                    R::fill(&mut slots, i, &mut OneValue(Some(v))).map_err(|e| {
                        relocate(
                            <A::Error as de::Error>::custom(e),
                            Segment::Key(fields[i].to_string()),
                        )
                    })?;
                    seen.set(i);
                }
                _ => {
                    R::extra(&mut slots).insert(key, v);
                }
            }
        }
        R::finish(slots).map_err(fail)
    }
}

/// A struct read member by member as JSON, each member then into its field: a member
/// that does not fit is kept in `extra` and recorded (see [`lenient`]).
fn visit_map_lenient<'de, R: Record, A: MapAccess<'de>>(mut map: A) -> Result<R, A::Error> {
    let fields = R::FIELDS;
    let mut slots = R::Slots::default();
    let mut seen = Seen::new(fields.len());
    let mut rest: Vec<(String, Value)> = Vec::new();
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        let v: Value = map.next_value()?;
        match fields.iter().position(|f| *f == key) {
            Some(i) => fill_lenient::<R>(&mut slots, &mut seen, i, key.into_owned(), v),
            None => rest.push((key.into_owned(), v)),
        }
    }
    for (key, v) in rest {
        let i = fields
            .iter()
            .position(|f| f.len() == key.len() && f.eq_ignore_ascii_case(&key));
        match i {
            Some(i) if !seen.get(i) => fill_lenient::<R>(&mut slots, &mut seen, i, key, v),
            _ => {
                R::extra(&mut slots).insert(key, v);
            }
        }
    }
    R::finish(slots).map_err(fail)
}

fn fill_lenient<R: Record>(slots: &mut R::Slots, seen: &mut Seen, i: usize, key: String, v: Value) {
    lenient::enter(Segment::Key(key.clone()));
    let r = R::fill(slots, i, &mut OneValue(Some(v.clone())));
    lenient::leave();
    match r {
        Ok(()) => seen.set(i),
        Err(e) => {
            lenient::record(&key, &v, &into_wire_error(&e));
            R::extra(slots).insert(key, v);
        }
    }
}

/// Which fields a member filled.
enum Seen {
    Small(u128),
    Large(Vec<bool>),
}

impl Seen {
    fn new(n: usize) -> Seen {
        if n <= 128 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; n])
        }
    }
    fn set(&mut self, i: usize) {
        match self {
            Seen::Small(bits) => *bits |= 1 << i,
            Seen::Large(v) => v[i] = true,
        }
    }
    fn get(&self, i: usize) -> bool {
        match self {
            Seen::Small(bits) => bits & (1 << i) != 0,
            Seen::Large(v) => v[i],
        }
    }
}

/// A map of one value, read by [`Record::fill`] for a member matched in another case.
struct OneValue(Option<Value>);

impl<'de> MapAccess<'de> for OneValue {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        _: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(self.0.take().unwrap_or(Value::Null))
    }
}
