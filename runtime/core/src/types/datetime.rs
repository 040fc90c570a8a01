//! Dates and times as Bitrix24 sends them, on [jiff](https://docs.rs/jiff).
//!
//! The REST API sends ISO-8601 with an offset (`2024-04-05T12:00:00+03:00`), sometimes a
//! date alone, sometimes no offset, legacy methods the portal's display format
//! (`05.04.2024 12:00:00`), and `""`, `null` or `false` for "not set" (an `Option` reads
//! those as `None`). [`DateTime`] keeps what was sent — the wall-clock time and the offset
//! when there was one — so a value goes back out as it came in.

use std::fmt;
use std::str::FromStr;

use jiff::civil;
use jiff::tz::Offset;
use serde::{Serialize, Serializer};

use super::InvalidValue;
use crate::check::Check;
use crate::wire::{FromWire, Prim, leaf};

/// A calendar date (`2024-04-05`): [`jiff::civil::Date`].
pub type Date = civil::Date;

const RULE: &str = "a date and time: ISO-8601 (2024-04-05T12:00:00+03:00, with or without the offset), a date (2024-04-05), or the display format 05.04.2024 12:00:00";
const DATE_RULE: &str = "a date: 2024-04-05, 05.04.2024, or a date and time";

/// A date and time as the portal sends it: the wall-clock time and, when the value
/// carried one, its UTC offset.
///
/// ```
/// use b24::types::DateTime;
/// let d: DateTime = "2024-04-05T12:00:00+03:00".parse()?;
/// assert_eq!(d.timestamp().map(|t| t.as_second()), Some(1_712_307_600));
/// assert_eq!(d.to_string(), "2024-04-05T12:00:00+03:00");
/// let legacy: DateTime = "05.04.2024 12:00:00".parse()?;
/// assert_eq!(legacy.offset(), None);
/// assert_eq!(legacy.civil(), d.civil());
/// // From jiff: an instant goes out in UTC.
/// let t = jiff::Timestamp::from_second(1_712_307_600)?;
/// assert_eq!(DateTime::from(t).to_string(), "2024-04-05T09:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    civil: civil::DateTime,
    offset: Option<Offset>,
}

impl DateTime {
    /// A wall-clock time, with its offset when known.
    pub fn new(civil: civil::DateTime, offset: Option<Offset>) -> DateTime {
        DateTime { civil, offset }
    }

    /// The wall-clock date and time as sent.
    pub fn civil(&self) -> civil::DateTime {
        self.civil
    }

    /// The date part.
    pub fn date(&self) -> Date {
        self.civil.date()
    }

    /// The UTC offset, when the value carried one.
    pub fn offset(&self) -> Option<Offset> {
        self.offset
    }

    /// The instant, when the offset is known.
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        let offset = self.offset?;
        offset.to_timestamp(self.civil).ok()
    }

    /// The value in a fixed-offset time zone, when the offset is known.
    pub fn to_zoned(&self) -> Option<jiff::ZonedDateTime> {
        let offset = self.offset?;
        self.civil.to_zoned_datetime(offset.to_time_zone()).ok()
    }

    fn invalid(value: &str) -> InvalidValue {
        InvalidValue::new("DateTime", value.to_string(), RULE, None)
    }
}

impl From<jiff::Timestamp> for DateTime {
    fn from(t: jiff::Timestamp) -> Self {
        DateTime {
            civil: t.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime(),
            offset: Some(Offset::UTC),
        }
    }
}

impl From<jiff::ZonedDateTime> for DateTime {
    fn from(z: jiff::ZonedDateTime) -> Self {
        DateTime {
            civil: z.datetime(),
            offset: Some(z.offset()),
        }
    }
}

impl From<civil::DateTime> for DateTime {
    fn from(civil: civil::DateTime) -> Self {
        DateTime {
            civil,
            offset: None,
        }
    }
}

impl From<Date> for DateTime {
    fn from(d: Date) -> Self {
        DateTime {
            civil: d.to_datetime(civil::Time::midnight()),
            offset: None,
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year(),
            c.month(),
            c.day(),
            c.hour(),
            c.minute(),
            c.second()
        )?;
        // Fractions of a second and an offset's seconds are printed when there are any,
        // so what is read prints back as itself (a fuzz run found the fraction dropped).
        let nanos = c.subsec_nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        if let Some(o) = self.offset {
            let secs = o.seconds();
            let sign = if secs < 0 { '-' } else { '+' };
            let secs = secs.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)?;
            if secs % 60 != 0 {
                write!(f, ":{:02}", secs % 60)?;
            }
        }
        Ok(())
    }
}

impl FromStr for DateTime {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s.trim()).ok_or_else(|| DateTime::invalid(s))
    }
}

/// Parses every form the portal sends; `None` for anything else.
fn parse(s: &str) -> Option<DateTime> {
    let (date, rest) = parse_date(s)?;
    if rest.is_empty() {
        return Some(DateTime::from(date));
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let (time, rest) = parse_time(rest)?;
    let offset = parse_offset(rest)?;
    Some(DateTime {
        civil: date.to_datetime(time),
        offset,
    })
}

fn num(s: &str, len: usize) -> Option<(i32, &str)> {
    let digits = s.get(..len)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, &s[len..]))
}

/// `2024-04-05` or `05.04.2024`, and what follows.
fn parse_date(s: &str) -> Option<(Date, &str)> {
    if let Some((y, r)) = num(s, 4)
        && let Some(r) = r.strip_prefix('-')
    {
        let (m, r) = num(r, 2)?;
        let (d, r) = num(r.strip_prefix('-')?, 2)?;
        return Some((Date::new(y as i16, m as i8, d as i8).ok()?, r));
    }
    let (d, r) = num(s, 2)?;
    let (m, r) = num(r.strip_prefix('.')?, 2)?;
    let (y, r) = num(r.strip_prefix('.')?, 4)?;
    Some((Date::new(y as i16, m as i8, d as i8).ok()?, r))
}

/// `12:00`, `12:00:00`, `12:00:00.123`, and what follows.
fn parse_time(s: &str) -> Option<(civil::Time, &str)> {
    let (h, r) = num(s, 2)?;
    let (mi, mut r) = num(r.strip_prefix(':')?, 2)?;
    let mut sec = 0;
    let mut nanos = 0;
    if let Some(rest) = r.strip_prefix(':') {
        let (sv, rest) = num(rest, 2)?;
        sec = sv;
        r = rest;
        if let Some(frac) = r.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let digits = &frac[..n.min(9)];
            nanos = digits.parse::<i32>().ok()? * 10i32.pow(9 - digits.len() as u32);
            r = &frac[n..];
        }
    }
    let t = civil::Time::new(h as i8, mi as i8, sec as i8, nanos).ok()?;
    Some((t, r))
}

/// `Z`, `+03:00`, `+0300`, `+03`, or nothing; anything else is not a date and time.
fn parse_offset(s: &str) -> Option<Option<Offset>> {
    if s.is_empty() {
        return Some(None);
    }
    if s == "Z" || s == "z" {
        return Some(Some(Offset::UTC));
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let r = &s[1..];
    let (h, r) = num(r, 2)?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (m, r) = if r.is_empty() { (0, r) } else { num(r, 2)? };
    if !r.is_empty() {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60))
        .ok()
        .map(Some)
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl FromWire for DateTime {
    fn decode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| {
            let t = match p {
                Prim::Str(s) => parse(s.trim()),
                // Seconds since the epoch, as a few methods send their dates.
                Prim::I64(s) => jiff::Timestamp::from_second(*s).ok().map(DateTime::from),
                Prim::U64(s) => i64::try_from(*s)
                    .ok()
                    .and_then(|s| jiff::Timestamp::from_second(s).ok())
                    .map(DateTime::from),
                _ => None,
            };
            t.ok_or_else(|| p.unexpected(RULE))
        })
    }
}

impl FromWire for Date {
    fn decode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| match p {
            Prim::Str(s) => parse(s.trim())
                .map(|d| d.date())
                .ok_or_else(|| p.unexpected(DATE_RULE)),
            _ => Err(p.unexpected(DATE_RULE)),
        })
    }
}

impl Check for DateTime {}
impl Check for Date {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_form_the_portal_sends() {
        for (input, shown) in [
            ("2024-04-05T12:00:00+03:00", "2024-04-05T12:00:00+03:00"),
            ("2024-04-05T12:00:00Z", "2024-04-05T12:00:00+00:00"),
            ("2024-04-05T12:00:00-0530", "2024-04-05T12:00:00-05:30"),
            (
                "2024-04-05T12:00:00.123+03:00",
                "2024-04-05T12:00:00.123+03:00",
            ),
            ("2024-04-05 12:00", "2024-04-05T12:00:00"),
            ("2024-04-05", "2024-04-05T00:00:00"),
            ("05.04.2024 12:00:00", "2024-04-05T12:00:00"),
            ("05.04.2024", "2024-04-05T00:00:00"),
        ] {
            let d: DateTime = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(d.to_string(), shown, "{input}");
            assert_eq!(DateTime::from_wire(&json!(input)), Ok(d), "{input}");
        }
        let d = DateTime::from_wire(&json!(1_712_307_600)).expect("epoch seconds");
        assert_eq!(d.to_string(), "2024-04-05T09:00:00+00:00");
    }

    #[test]
    fn malformed_values_are_refused_with_the_form() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-04-05T25:00:00",
            "2024-04-05T12:00:00+3",
            "2024-04-05X",
        ] {
            let e = DateTime::from_wire(&json!(bad)).expect_err(bad);
            assert!(e.to_string().contains("ISO-8601"), "{e}");
        }
        assert!(Date::from_wire(&json!("2024-02-30")).is_err());
    }

    #[test]
    fn unset_reads_as_none_in_an_option() {
        for unset in [json!(""), json!(null), json!(false)] {
            assert_eq!(Option::<DateTime>::from_wire(&unset), Ok(None), "{unset}");
            assert_eq!(Option::<Date>::from_wire(&unset), Ok(None), "{unset}");
        }
        // A present but malformed date is still an error.
        assert!(Option::<DateTime>::from_wire(&json!("soon")).is_err());
    }

    #[test]
    fn instants_and_offsets() {
        let d: DateTime = "2024-04-05T12:00:00+03:00".parse().expect("parses");
        let z = d.to_zoned().expect("zoned");
        assert_eq!(z.offset().seconds(), 3 * 3600);
        assert_eq!(DateTime::from(z), d);
        let naive: DateTime = "2024-04-05T12:00:00".parse().expect("parses");
        assert_eq!(naive.timestamp(), None);
        assert_eq!(
            serde_json::to_value(d).expect("serializes"),
            json!("2024-04-05T12:00:00+03:00")
        );
        assert_eq!(
            Date::from_wire(&json!("2024-04-05T23:00:00+03:00")),
            Ok(jiff::civil::date(2024, 4, 5))
        );
    }
}
