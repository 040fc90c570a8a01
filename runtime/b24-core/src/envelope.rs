//! The envelope around every answer: `result`, the `time` block, and list members.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::types::DateTime;
use crate::wire::{FromWire, Segment, WireError, fail, relocate};

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

/// The members of a `time` block.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Member {
    Start,
    Finish,
    Duration,
    Processing,
    DateStart,
    DateFinish,
    OperatingResetAt,
    Operating,
    #[serde(other)]
    Other,
}

/// A number of seconds of the `time` block (as a number or its text; unset as `null`,
/// `false` or `""`).
struct Seconds;

impl<'de> DeserializeSeed<'de> for Seconds {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seconds {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number of seconds")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<f64>, E> {
        match v.trim() {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| {
                fail(WireError::of(
                    "a number of seconds",
                    format!("{:?}", crate::wire::shorten(v.to_string())),
                ))
            }),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<f64>, E> {
        match v {
            false => Ok(None),
            true => Err(fail(WireError::of("a number of seconds", "true".into()))),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Option<f64>, A::Error> {
        Err(fail(WireError::of(
            "a number of seconds",
            "an object".into(),
        )))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Option<f64>, A::Error> {
        Err(fail(WireError::of(
            "a number of seconds",
            "an array".into(),
        )))
    }
}

/// A date of the `time` block: never a reason to refuse an answer, whatever is not one
/// is left out.
struct LenientDate;

impl<'de> DeserializeSeed<'de> for LenientDate {
    type Value = Option<DateTime>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<DateTime>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LenientDate {
    type Value = Option<DateTime>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<DateTime>, E> {
        Ok(v.trim().parse().ok())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<DateTime>, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<DateTime>, A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Option<DateTime>, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Decoded straight from the answer's text, member by member (it comes with every call).
impl FromWire for Time {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Block;
        impl<'de> Visitor<'de> for Block {
            type Value = Time;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a time block (an object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Time, A::Error> {
                let mut t = Time::default();
                let seconds = |m: &mut A, name: &str| {
                    m.next_value_seed(Seconds)
                        .map_err(|e| relocate(e, Segment::Key(name.to_string())))
                };
                while let Some(member) = m.next_key::<Member>()? {
                    match member {
                        Member::Start => t.start = seconds(&mut m, "start")?.unwrap_or_default(),
                        Member::Finish => t.finish = seconds(&mut m, "finish")?.unwrap_or_default(),
                        Member::Duration => {
                            t.duration = seconds(&mut m, "duration")?.unwrap_or_default();
                        }
                        Member::Processing => {
                            t.processing = seconds(&mut m, "processing")?.unwrap_or_default();
                        }
                        Member::DateStart => {
                            t.date_start = m.next_value_seed(LenientDate)?;
                        }
                        Member::DateFinish => {
                            t.date_finish = m.next_value_seed(LenientDate)?;
                        }
                        Member::OperatingResetAt => {
                            t.operating_reset_at =
                                seconds(&mut m, "operating_reset_at")?.map(|f| f as i64);
                        }
                        Member::Operating => t.operating = seconds(&mut m, "operating")?,
                        Member::Other => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(t)
            }
            // PHP's empty map.
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Time, A::Error> {
                match s.next_element::<IgnoredAny>()? {
                    None => Ok(Time::default()),
                    Some(_) => Err(serde::de::Error::invalid_type(
                        serde::de::Unexpected::Seq,
                        &self,
                    )),
                }
            }
        }
        d.deserialize_any(Block)
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
    /// REST 3.0: this is the stored answer of an earlier send of the same call (same
    /// `Idempotency-Key`, same body; `Idempotent-Replayed: true`), which ran once — a
    /// repeat after an answer was lost, not a second run.
    pub replayed: bool,
    /// The members of `result` that did not have the documented form: left out of their
    /// typed fields (kept as they came in their struct's `extra`), each with its JSON path
    /// and what was found. Empty when the answer decoded strictly, and always with
    /// [`ClientBuilder::strict_decoding`](crate::ClientBuilder::strict_decoding), which
    /// makes such an answer an error instead.
    pub unread: Vec<crate::wire::Unread>,
}
