//! Dates and times as Bitrix24 sends them, on [jiff](https://docs.rs/jiff).
//!
//! The REST API sends ISO-8601 with an offset (`2024-04-05T12:00:00+03:00`), sometimes a
//! date alone, sometimes no offset, legacy methods the portal's display format
//! (`05.04.2024 12:00:00`), and `""`, `null` or `false` for "not set" (an `Option` reads
//! those as `None`). [`DateTime`] and [`Date`] keep what was written — the wall-clock
//! time, the offset when there was one, and the form of the text — so a value goes back
//! out exactly as it came in: a date-time given where the docs say "date" is not cut to
//! its date, `05.04.2024` is not re-written as `2024-04-05`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use jiff::civil;
use jiff::tz::Offset;
use serde::{Serialize, Serializer};

use super::InvalidValue;
use crate::check::Check;
use crate::wire::{FromWire, Prim, leaf};

const RULE: &str = "a date and time: ISO-8601 (2024-04-05T12:00:00+03:00, with or without the offset), a date (2024-04-05), or the display format 05.04.2024 12:00:00";
const DATE_RULE: &str = "a date: 2024-04-05, 05.04.2024, or a date and time";

/// How a value was written: printing it with its form gives back the text it was read
/// from. Values made in code get the canonical form (`2024-04-05T12:00:00+03:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Form {
    /// `05.04.2024` rather than `2024-04-05`.
    dotted: bool,
    /// What of the time of day was written.
    time: TimeForm,
    /// A space between the date and the time rather than `T`.
    space: bool,
    /// How the offset was written.
    offset: OffsetForm,
    /// Seconds since the epoch (a JSON number).
    epoch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum TimeForm {
    /// A date alone.
    None,
    /// `12:00`.
    Minutes,
    /// `12:00:00`, and a fraction when there is one (the canonical form).
    #[default]
    Seconds,
    /// `12:00:00.120`: a fraction of this many digits.
    Fraction(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum OffsetForm {
    /// `+03:00` (the canonical form).
    #[default]
    Colon,
    /// `+0300`.
    Compact,
    /// `+03`.
    Hours,
    /// `Z`.
    Z,
    /// `z`.
    LowerZ,
}

/// A date and time as the portal sends it: the wall-clock time and, when the value
/// carried one, its UTC offset. Read from text, it prints back as that text.
///
/// Two values are equal when they are the same wall-clock time with the same offset,
/// however they were written.
///
/// ```
/// use b24::types::DateTime;
/// let d: DateTime = "2024-04-05T12:00:00+03:00".parse()?;
/// assert_eq!(d.timestamp().map(|t| t.as_second()), Some(1_712_307_600));
/// assert_eq!(d.to_string(), "2024-04-05T12:00:00+03:00");
/// let legacy: DateTime = "05.04.2024 12:00:00".parse()?;
/// assert_eq!(legacy.offset(), None);
/// assert_eq!(legacy.civil(), d.civil());
/// // What was read goes back out as it was written.
/// assert_eq!(legacy.to_string(), "05.04.2024 12:00:00");
/// // From jiff: an instant goes out in UTC.
/// let t = jiff::Timestamp::from_second(1_712_307_600)?;
/// assert_eq!(DateTime::from(t).to_string(), "2024-04-05T09:00:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DateTime {
    civil: civil::DateTime,
    offset: Option<Offset>,
    form: Form,
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for DateTime {}

impl Hash for DateTime {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key().hash(h);
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl DateTime {
    /// A wall-clock time, with its offset when known.
    pub fn new(civil: civil::DateTime, offset: Option<Offset>) -> DateTime {
        DateTime {
            civil,
            offset,
            form: Form::default(),
        }
    }

    fn key(&self) -> (civil::DateTime, Option<i32>) {
        (self.civil, self.offset.map(|o| o.seconds()))
    }

    /// The wall-clock date and time as sent.
    pub fn civil(&self) -> civil::DateTime {
        self.civil
    }

    /// The date part.
    pub fn date(&self) -> civil::Date {
        self.civil.date()
    }

    /// The UTC offset, when the value carried one.
    pub fn offset(&self) -> Option<Offset> {
        self.offset
    }

    /// Whether the value carried a time of day (`2024-04-05` did not).
    pub fn has_time(&self) -> bool {
        self.form.time != TimeForm::None
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

    fn write_date(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil;
        if self.form.dotted {
            write!(f, "{:02}.{:02}.{:04}", c.day(), c.month(), c.year())
        } else {
            write!(f, "{:04}-{:02}-{:02}", c.year(), c.month(), c.day())
        }
    }

    fn write_time(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil;
        f.write_str(if self.form.space { " " } else { "T" })?;
        write!(f, "{:02}:{:02}", c.hour(), c.minute())?;
        let nanos = c.subsec_nanosecond();
        match self.form.time {
            TimeForm::None | TimeForm::Minutes => Ok(()),
            TimeForm::Seconds => {
                write!(f, ":{:02}", c.second())?;
                // Fractions of a second are printed when there are any, so what is read
                // prints back as itself (a fuzz run found the fraction dropped).
                if nanos != 0 {
                    let digits = format!("{nanos:09}");
                    write!(f, ".{}", digits.trim_end_matches('0'))?;
                }
                Ok(())
            }
            TimeForm::Fraction(n) => {
                let digits = format!("{nanos:09}");
                let n = usize::from(n).clamp(1, 9);
                write!(f, ":{:02}.{}", c.second(), &digits[..n])
            }
        }
    }

    fn write_offset(&self, f: &mut fmt::Formatter<'_>, o: Offset) -> fmt::Result {
        let secs = o.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
        match self.form.offset {
            OffsetForm::Z if secs == 0 => f.write_str("Z"),
            OffsetForm::LowerZ if secs == 0 => f.write_str("z"),
            OffsetForm::Compact if s == 0 => write!(f, "{sign}{h:02}{m:02}"),
            OffsetForm::Hours if s == 0 && m == 0 => write!(f, "{sign}{h:02}"),
            _ => {
                write!(f, "{sign}{h:02}:{m:02}")?;
                if s != 0 {
                    write!(f, ":{s:02}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<jiff::Timestamp> for DateTime {
    fn from(t: jiff::Timestamp) -> Self {
        DateTime::new(
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime(),
            Some(Offset::UTC),
        )
    }
}

impl From<jiff::ZonedDateTime> for DateTime {
    fn from(z: jiff::ZonedDateTime) -> Self {
        DateTime::new(z.datetime(), Some(z.offset()))
    }
}

impl From<civil::DateTime> for DateTime {
    fn from(civil: civil::DateTime) -> Self {
        DateTime::new(civil, None)
    }
}

impl From<civil::Date> for DateTime {
    fn from(d: civil::Date) -> Self {
        DateTime::new(d.to_datetime(civil::Time::midnight()), None)
    }
}

impl From<Date> for DateTime {
    fn from(d: Date) -> Self {
        d.at
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_date(f)?;
        if self.form.time == TimeForm::None {
            return Ok(());
        }
        self.write_time(f)?;
        match self.offset {
            Some(o) => self.write_offset(f, o),
            None => Ok(()),
        }
    }
}

/// A calendar date. Read from text, it keeps that text: a date and time given where a
/// date is documented (`crm.quote.add`'s `BEGINDATE` as `2026-03-13T10:00:00+01:00`)
/// goes back out with its time and offset, and `11.11.2001` stays `11.11.2001`.
///
/// Two dates are equal when they are the same calendar day.
///
/// ```
/// use b24::types::Date;
/// let d: Date = "2026-03-13T10:00:00+01:00".parse()?;
/// assert_eq!(d.date(), jiff::civil::date(2026, 3, 13));
/// assert_eq!(d.to_string(), "2026-03-13T10:00:00+01:00");
/// let made = Date::from(jiff::civil::date(2026, 3, 13));
/// assert_eq!(made.to_string(), "2026-03-13");
/// assert_eq!(made, d);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Date {
    at: DateTime,
}

impl Date {
    /// The calendar date.
    pub fn date(&self) -> civil::Date {
        self.at.date()
    }

    /// The date and time the value was given as, when it carried a time of day.
    pub fn date_time(&self) -> Option<DateTime> {
        self.at.has_time().then_some(self.at)
    }
}

impl From<civil::Date> for Date {
    fn from(d: civil::Date) -> Self {
        let mut at = DateTime::from(d);
        at.form.time = TimeForm::None;
        Date { at }
    }
}

impl From<Date> for civil::Date {
    fn from(d: Date) -> Self {
        d.date()
    }
}

impl From<DateTime> for Date {
    /// A date given with its time: it is sent as the date and time.
    fn from(at: DateTime) -> Self {
        Date { at }
    }
}

impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.date() == other.date()
    }
}

impl Eq for Date {}

impl PartialEq<civil::Date> for Date {
    fn eq(&self, other: &civil::Date) -> bool {
        self.date() == *other
    }
}

impl Hash for Date {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.date().hash(h);
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.date().cmp(&other.date())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.at.fmt(f)
    }
}

impl FromStr for Date {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s.trim())
            .map(|at| Date { at })
            .ok_or_else(|| InvalidValue::new("Date", s.to_string(), DATE_RULE, None))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.at.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl FromStr for DateTime {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s.trim()).ok_or_else(|| DateTime::invalid(s))
    }
}

/// Parses every form the portal sends, keeping the form; `None` for anything else.
fn parse(s: &str) -> Option<DateTime> {
    let (date, dotted, rest) = parse_date(s)?;
    let mut form = Form {
        dotted,
        ..Form::default()
    };
    if rest.is_empty() {
        form.time = TimeForm::None;
        let mut d = DateTime::from(date);
        d.form = form;
        return Some(d);
    }
    form.space = rest.starts_with(' ');
    let rest = rest.strip_prefix(['T', ' '])?;
    let (time, time_form, rest) = parse_time(rest)?;
    form.time = time_form;
    let (offset, offset_form) = parse_offset(rest)?;
    form.offset = offset_form;
    Some(DateTime {
        civil: date.to_datetime(time),
        offset,
        form,
    })
}

fn num(s: &str, len: usize) -> Option<(i32, &str)> {
    let digits = s.get(..len)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, &s[len..]))
}

/// `2024-04-05` or `05.04.2024` (`true`: dotted), and what follows.
fn parse_date(s: &str) -> Option<(civil::Date, bool, &str)> {
    if let Some((y, r)) = num(s, 4)
        && let Some(r) = r.strip_prefix('-')
    {
        let (m, r) = num(r, 2)?;
        let (d, r) = num(r.strip_prefix('-')?, 2)?;
        return Some((civil::Date::new(y as i16, m as i8, d as i8).ok()?, false, r));
    }
    let (d, r) = num(s, 2)?;
    let (m, r) = num(r.strip_prefix('.')?, 2)?;
    let (y, r) = num(r.strip_prefix('.')?, 4)?;
    Some((civil::Date::new(y as i16, m as i8, d as i8).ok()?, true, r))
}

/// `12:00`, `12:00:00`, `12:00:00.123`, and what follows.
fn parse_time(s: &str) -> Option<(civil::Time, TimeForm, &str)> {
    let (h, r) = num(s, 2)?;
    let (mi, mut r) = num(r.strip_prefix(':')?, 2)?;
    let mut sec = 0;
    let mut nanos = 0;
    let mut form = TimeForm::Minutes;
    if let Some(rest) = r.strip_prefix(':') {
        let (sv, rest) = num(rest, 2)?;
        sec = sv;
        r = rest;
        form = TimeForm::Seconds;
        if let Some(frac) = r.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            // More than nine digits: finer than a nanosecond, which no portal sends.
            if n == 0 || n > 9 {
                return None;
            }
            let digits = &frac[..n];
            nanos = digits.parse::<i32>().ok()? * 10i32.pow(9 - n as u32);
            form = TimeForm::Fraction(n as u8);
            r = &frac[n..];
        }
    }
    let t = civil::Time::new(h as i8, mi as i8, sec as i8, nanos).ok()?;
    Some((t, form, r))
}

/// `Z`, `+03:00`, `+0300`, `+03`, or nothing; anything else is not a date and time.
fn parse_offset(s: &str) -> Option<(Option<Offset>, OffsetForm)> {
    if s.is_empty() {
        return Some((None, OffsetForm::Colon));
    }
    if s == "Z" {
        return Some((Some(Offset::UTC), OffsetForm::Z));
    }
    if s == "z" {
        return Some((Some(Offset::UTC), OffsetForm::LowerZ));
    }
    let sign = match s.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let r = &s[1..];
    let (h, r) = num(r, 2)?;
    let (form, r) = match r.strip_prefix(':') {
        Some(rest) => (OffsetForm::Colon, rest),
        None if r.is_empty() => (OffsetForm::Hours, r),
        None => (OffsetForm::Compact, r),
    };
    let (m, r) = if r.is_empty() { (0, r) } else { num(r, 2)? };
    if !r.is_empty() {
        return None;
    }
    let o = Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?;
    Some((Some(o), form))
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Seconds since the epoch go back out as the number they came as.
        if self.form.epoch
            && let Some(t) = self.timestamp()
        {
            return s.serialize_i64(t.as_second());
        }
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
                Prim::I64(s) => epoch(*s),
                Prim::U64(s) => i64::try_from(*s).ok().and_then(epoch),
                _ => None,
            };
            t.ok_or_else(|| p.unexpected(RULE))
        })
    }
}

fn epoch(s: i64) -> Option<DateTime> {
    let mut d = DateTime::from(jiff::Timestamp::from_second(s).ok()?);
    d.form.epoch = true;
    Some(d)
}

impl FromWire for Date {
    fn decode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| match p {
            Prim::Str(s) => parse(s.trim())
                .map(|at| Date { at })
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
    fn every_form_the_portal_sends_reads_and_prints_back_as_written() {
        for (input, canonical) in [
            ("2024-04-05T12:00:00+03:00", "2024-04-05T12:00:00+03:00"),
            ("2024-04-05T12:00:00Z", "2024-04-05T12:00:00+00:00"),
            ("2024-04-05T12:00:00z", "2024-04-05T12:00:00+00:00"),
            ("2024-04-05T12:00:00-0530", "2024-04-05T12:00:00-05:30"),
            ("2024-04-05T12:00:00+03", "2024-04-05T12:00:00+03:00"),
            (
                "2024-04-05T12:00:00.123+03:00",
                "2024-04-05T12:00:00.123+03:00",
            ),
            (
                "2024-04-05T12:00:00.120+03:00",
                "2024-04-05T12:00:00.12+03:00",
            ),
            ("2024-04-05 12:00", "2024-04-05T12:00:00"),
            ("2024-04-05", "2024-04-05T00:00:00"),
            ("05.04.2024 12:00:00", "2024-04-05T12:00:00"),
            ("05.04.2024", "2024-04-05T00:00:00"),
        ] {
            let d: DateTime = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(d.to_string(), input, "{input} prints back as written");
            assert_eq!(
                serde_json::to_value(d).expect("serializes"),
                json!(input),
                "{input} is sent as written"
            );
            assert_eq!(DateTime::from_wire(&json!(input)), Ok(d), "{input}");
            // The same time, made in code, is written in the canonical form.
            let made = DateTime::new(d.civil(), d.offset());
            assert_eq!(made.to_string(), canonical, "{input}");
            assert_eq!(made, d, "equal however written");
        }
        let d = DateTime::from_wire(&json!(1_712_307_600)).expect("epoch seconds");
        assert_eq!(d.to_string(), "2024-04-05T09:00:00+00:00");
        assert_eq!(
            serde_json::to_value(d).expect("serializes"),
            json!(1_712_307_600)
        );
    }

    #[test]
    fn a_date_keeps_what_the_caller_gave() {
        for input in [
            "2026-03-13",
            "2026-03-13T10:00:00+01:00",
            "11.11.2001",
            "2024-04-10T10:00:00",
        ] {
            let d = Date::from_wire(&json!(input)).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                serde_json::to_value(d).expect("serializes"),
                json!(input),
                "{input}"
            );
        }
        let d: Date = "2026-03-13T10:00:00+01:00".parse().expect("parses");
        assert_eq!(d.date(), civil::date(2026, 3, 13));
        assert!(d.date_time().is_some());
        assert_eq!(
            Date::from(civil::date(2026, 3, 13)).to_string(),
            "2026-03-13"
        );
        assert!(Date::from(civil::date(2026, 3, 13)).date_time().is_none());
        assert_eq!(d, civil::date(2026, 3, 13));
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
            "2024-04-05T12:00:00.1234567890",
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
            Date::from_wire(&json!("2024-04-05T23:00:00+03:00")).map(|d| d.date()),
            Ok(jiff::civil::date(2024, 4, 5))
        );
    }
}
