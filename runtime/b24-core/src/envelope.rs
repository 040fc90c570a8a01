//! The envelope around every answer: `result` (kept as text until a type decodes it),
//! the `time` block, list members, and the errors an answer may be instead — an API
//! error (REST v2 or 3.0), or a body that is not an envelope, named with its JSON path.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::auth::Scrubber;
use crate::error::{ApiError, DecodeError, DecodeKind, Error};
use crate::types::DateTime;
use crate::wire::{FromWire, Segment, Unread, WireError, fail, relocate};

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

pub(crate) fn decode_response<T: FromWire>(
    method: &str,
    raw: RawAnswer,
) -> Result<Response<T>, Error> {
    let (result, unread) = raw.decode_reporting::<T>(method)?;
    Ok(Response {
        result,
        time: raw.time,
        total: raw.total,
        next: raw.next,
        replayed: raw.replayed,
        unread,
    })
}

/// Decodes an answer's body the way a call does: the envelope, then `result` into `T`
/// straight from its text (the decode benchmark measures this).
#[doc(hidden)]
pub fn decode_body<T: FromWire>(
    method: &str,
    status: u16,
    body: &[u8],
) -> Result<Response<T>, Error> {
    decode_response(
        method,
        decode_envelope(method, status, body, Scrubber::none())?,
    )
}
/// An answer with a `result`, before the result is decoded.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    /// The text of `result`, decoded into a type straight from it.
    pub(crate) result: Box<RawValue>,
    pub(crate) time: Option<Time>,
    pub(crate) total: Option<i64>,
    pub(crate) next: Option<i64>,
    /// For the errors decoded from this answer.
    pub(crate) scrub: Scrubber,
    /// REST 3.0: the stored answer of an earlier call with the same `Idempotency-Key`.
    pub(crate) replayed: bool,
    /// An answer that does not decode strictly is decoded leniently (the client's
    /// setting; `false` for answers outside a client).
    pub(crate) lenient: bool,
}

impl RawAnswer {
    /// The `result` decoded into `T`, strictly straight from its text; when that fails
    /// and the client is lenient, again leniently, with the members that were left out.
    pub(crate) fn decode_reporting<T: FromWire>(
        &self,
        method: &str,
    ) -> Result<(T, Vec<Unread>), Error> {
        let lenient = self.lenient.then_some(&self.scrub);
        decode_text(self.result.get().as_bytes(), method, "$.result", lenient)
            .map_err(|e| decode_error(method, self.status, &e, &self.scrub))
    }
}

/// `text` (a `result`, or a batch command's) decoded into `T`, strictly; when that fails
/// and `lenient` is given, again leniently (see [`crate::wire::decode_lenient`]): each
/// member left out of its field is returned and reported as a `tracing` warning, its path
/// under `at`, what the server sent scrubbed of the client's secrets. The error is the
/// strict decode's.
pub(crate) fn decode_text<T: FromWire>(
    text: &[u8],
    method: &str,
    at: &str,
    lenient: Option<&Scrubber>,
) -> Result<(T, Vec<Unread>), WireError> {
    let strict = match crate::wire::decode_slice(text) {
        Ok(t) => return Ok((t, Vec::new())),
        Err(e) => e,
    };
    let Some(scrub) = lenient else {
        return Err(strict);
    };
    let Ok((t, mut unread)) = crate::wire::decode_lenient::<T>(text) else {
        return Err(strict);
    };
    for u in &mut unread {
        u.path = scrub.apply(&u.path.replacen('$', at, 1));
        u.found = scrub.apply(&u.found);
        tracing::warn!(
            target: "b24",
            method,
            path = %u.path,
            expected = %u.expected,
            found = %u.found,
            "a member of the answer is not of the documented form: left out of its field, kept in `extra`"
        );
    }
    Ok((t, unread))
}

/// A value of `result` that is not what the method returns; what the server sent in it
/// is scrubbed of the client's secrets.
pub(crate) fn decode_error(method: &str, status: u16, e: &WireError, scrub: &Scrubber) -> Error {
    DecodeError::new(
        method,
        DecodeKind::Value,
        &scrub.apply(&e.path_from("$.result")),
        scrub.apply(&format!(
            "expected {}, found {}",
            e.expected_what(),
            e.found()
        )),
        status,
    )
    .into()
}
/// Decodes an answer: an API error, a malformed body, or the envelope around `result`.
pub(crate) fn decode_envelope(
    method: &str,
    status: u16,
    body: &[u8],
    scrubber: Scrubber,
) -> Result<RawAnswer, Error> {
    let scrub = |s: &str| scrubber.apply(s);
    let malformed = |path: &str, problem: String| -> Error {
        let kind = if path == "$" {
            DecodeKind::Body
        } else {
            DecodeKind::Value
        };
        DecodeError::new(method, kind, path, scrub(&problem), status).into()
    };
    crate::wire::forget();
    let parsed = serde_json::from_slice::<Envelope<'_>>(body);
    let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let env = match parsed {
        Ok(env) if is_object => env,
        Ok(_) => return Err(malformed("$", "the body is not a JSON object".into())),
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            // A member the envelope decodes in place (`time`) says where it went wrong.
            let w = crate::wire::into_wire_error(&e);
            let path = w.path_from("$");
            if is_object && path != "$" {
                return Err(malformed(&path, w.to_string()));
            }
            return Err(malformed("$", "the body is not a JSON object".into()));
        }
        Err(e) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
            let kind = if text.trim_start().starts_with('<') {
                "an HTML page, not JSON"
            } else if e.is_eof() {
                "truncated JSON"
            } else {
                "not JSON"
            };
            return Err(malformed(
                "$",
                format!("the body ({} bytes) is {kind}: {e}", body.len()),
            ));
        }
    };
    if let Some(Value::Object(v3)) = &env.error
        && let Some(Value::String(code)) = v3.get("code")
    {
        return Err(v3_error(method, status, code, v3, &scrub).into());
    }
    if let Some(code) = &env.error {
        // A server may echo anything, even a token, in either member.
        let code = scrub(&match code {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let description = match &env.error_description {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        return Err(ApiError::new(method, code, scrub(&description), status).into());
    }
    if !(200..300).contains(&status) {
        return Err(malformed(
            "$",
            format!("HTTP {status} without an `error` member"),
        ));
    }
    let Some(result) = env.result else {
        return Err(malformed("$.result", "missing".into()));
    };
    let time = env.time;
    let int = |k: &str, v: &Option<Value>| -> Result<Option<i64>, Error> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => i64::from_wire(v)
                .map(Some)
                .map_err(|e| malformed(&format!("$.{k}"), e.to_string())),
        }
    };
    let total = int("total", &env.total)?;
    let next = int("next", &env.next)?;
    Ok(RawAnswer {
        status,
        result: result.to_owned(),
        time,
        total,
        next,
        scrub: scrubber,
        replayed: false,
        lenient: false,
    })
}

/// A REST 3.0 error: `{"code", "message", "validation": [{"field", "message"}]}`, each
/// text scrubbed of the client's secrets.
pub(crate) fn v3_error(
    method: &str,
    status: u16,
    code: &str,
    error: &serde_json::Map<String, Value>,
    scrub: &dyn Fn(&str) -> String,
) -> ApiError {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => scrub(s),
        Some(Value::Null) | None => String::new(),
        Some(other) => scrub(&other.to_string()),
    };
    let validation = match error.get("validation") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                crate::error::Problem::new(
                    text(item.get("field")),
                    "",
                    text(item.get("message")),
                    Some(code),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    ApiError::new(method, scrub(code), text(error.get("message")), status)
        .with_validation(validation)
}

/// The members of an answer the client reads; `result` is kept as text.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_description: Option<Value>,
    /// Decoded in place: it comes with every answer.
    #[serde(default, deserialize_with = "time_block")]
    time: Option<Time>,
    #[serde(default)]
    total: Option<Value>,
    #[serde(default)]
    next: Option<Value>,
}

/// The `time` block, a failure with its path.
fn time_block<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    <Option<Time> as FromWire>::decode(d)
        .map_err(|e| crate::wire::relocate(e, crate::wire::Segment::Key("time".into())))
}

/// A member that is there, even as `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn dec(status: u16, body: &str) -> Result<RawAnswer, Error> {
        let auth = crate::auth::Auth::Webhook {
            user: 1,
            token: crate::Secret::new("TOKEN"),
        };
        decode_envelope(
            "im.recent.unread",
            status,
            body.as_bytes(),
            Scrubber::of(&auth),
        )
    }

    #[test]
    fn success_envelope() {
        let a = dec(
            200,
            r#"{"result": true, "time": {"start": 1772518597, "finish": 1772518597.38, "duration": 0.38, "processing": 0,
                "date_start": "2026-03-03T09:16:37+01:00", "date_finish": "2026-03-03T09:16:37+01:00",
                "operating_reset_at": 1772519197, "operating": 0}}"#,
        ).expect("decodes");
        assert_eq!(a.result.get(), "true");
        let t = a.time.expect("time");
        assert_eq!(t.operating_reset_at, Some(1772519197));
        assert_eq!(t.operating, Some(0.0));
        assert_eq!(
            t.date_start.map(|d| d.to_string()).as_deref(),
            Some("2026-03-03T09:16:37+01:00")
        );
    }

    #[test]
    fn list_envelope() {
        let a = dec(200, r#"{"result": [1,2], "total": "120", "next": 50}"#).expect("decodes");
        assert_eq!(a.total, Some(120));
        assert_eq!(a.next, Some(50));
    }

    #[test]
    fn time_blocks_in_every_form_the_portal_sends_and_a_wrong_one_with_its_path() {
        let t = |time: &str| dec(200, &format!(r#"{{"result": 1, "time": {time}}}"#));
        let a = t(
            r#"{"start": "1772518597.5", "finish": 1772518598, "duration": "",
            "operating": false, "date_start": 5, "date_finish": {"x": 1}, "extra": [1, {"y": 2}]}"#,
        )
        .expect("lenient");
        let time = a.time.expect("time");
        assert_eq!((time.start, time.finish), (1772518597.5, 1772518598.0));
        assert_eq!((time.duration, time.operating), (0.0, None));
        assert_eq!((time.date_start, time.date_finish), (None, None));
        assert_eq!(t("null").expect("null").time, None);
        assert_eq!(
            t("[]").expect("PHP's empty map").time,
            Some(Time::default())
        );
        for (time, path) in [
            (r#"{"start": "soon"}"#, "$.time.start"),
            (r#"{"operating": true}"#, "$.time.operating"),
            (r#"{"finish": [1]}"#, "$.time.finish"),
        ] {
            let Err(Error::Decode(e)) = t(time) else {
                panic!("{time}: decodes")
            };
            assert_eq!(e.path(), path, "{e}");
        }
    }

    #[test]
    fn a_v3_error_is_decoded_with_the_fields_it_names_and_echoed_secrets_scrubbed() {
        let e = dec(
            400,
            r#"{"error": {"code": "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                "message": "Error validating request object (TOKEN)",
                "validation": [{"message": "Required field `id` is not specified", "field": "id"},
                               {"message": "Not TOKEN", "field": "fields.title"}]}}"#,
        )
        .err()
        .expect("an error");
        let Error::Api(api) = &e else { panic!("{e:?}") };
        assert_eq!(api.code(), &ErrorCode::V3RequestValidation);
        assert_eq!(api.status(), 400);
        let fields: Vec<_> = api.validation().iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["id", "fields.title"]);
        assert!(!e.to_string().contains("TOKEN"), "{e}");
        assert!(e.to_string().contains("`id`: Required field"), "{e}");
    }

    #[test]
    fn error_envelope() {
        let e = dec(
            400,
            r#"{"error":"DIALOG_ID_EMPTY","error_description":"Dialog ID can't be empty"}"#,
        )
        .err()
        .expect("error");
        let Error::Api(api) = e else {
            panic!("not an API error: {e}")
        };
        assert_eq!(api.code(), &ErrorCode::DialogIdEmpty);
        assert_eq!(api.status(), 400);
        assert_eq!(api.description(), "Dialog ID can't be empty");
    }

    #[test]
    fn empty_and_numeric_error_codes() {
        let e = dec(400, r#"{"error":"","error_description":"Access denied"}"#)
            .err()
            .expect("error");
        assert_eq!(e.api_code(), Some(&ErrorCode::Unknown(String::new())));
        let e = dec(400, r#"{"error":404,"error_description":null}"#)
            .err()
            .expect("error");
        assert_eq!(e.api_code(), Some(&ErrorCode::Unknown("404".into())));
    }

    #[test]
    fn malformed_bodies_name_method_and_path() {
        for (status, body, path, what) in [
            (200, "<html><body>Bad gateway</body></html>", "$", "HTML"),
            (200, r#"{"result": tr"#, "$", "truncated"),
            (200, "", "$", "truncated"),
            (200, "[1]", "$", "not a JSON object"),
            (200, r#"{"time": {}}"#, "$.result", "missing"),
            (502, r#"{"message": "bad"}"#, "$", "HTTP 502"),
            (
                200,
                r#"{"result": 1, "total": "many"}"#,
                "$.total",
                "integer",
            ),
        ] {
            let e = dec(status, body).err().expect(body);
            let Error::Decode(d) = &e else {
                panic!("{body}: {e}")
            };
            assert_eq!(d.method(), "im.recent.unread");
            assert_eq!(d.path(), path, "{body}");
            assert!(e.to_string().contains(what), "{body}: {e}");
            assert!(e.to_string().contains("im.recent.unread"), "{e}");
        }
    }

    #[test]
    fn server_text_is_scrubbed() {
        let e = dec(
            400,
            r#"{"error":"X","error_description":"bad token TOKEN"}"#,
        )
        .err()
        .expect("error");
        assert!(!e.to_string().contains("TOKEN"), "{e}");
    }
}
