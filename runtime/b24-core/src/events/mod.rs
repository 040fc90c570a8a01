//! Incoming events: what Bitrix24 posts to an application's handler URL when something
//! happens on the portal (`ONCRMDEALADD`, `ONTASKUPDATE`, …), bound with `event.bind`.
//!
//! A post is form-encoded with PHP's nesting (`event`, `event_handler_id`,
//! `data[FIELDS][ID]`, `ts`, `auth[domain]`, `auth[application_token]`, …).
//! [`Event::from_form`] reads one; [`Event::verify`] checks its `application_token` against
//! the application's own in constant time. With the feature `event-handler`, `router` is an
//! axum handler doing both: a post without the right token is refused (401) and never
//! reaches your code. [`Client::bind_event`](crate::Client::bind_event) binds a handler;
//! [`Client::offline_events`](crate::Client::offline_events) reads the offline queue,
//! removing an event only once your code has processed it.

mod offline;
#[cfg(feature = "event-handler")]
mod router;

use serde_json::{Map, Value};

use crate::Secret;

pub use offline::{DrainError, OfflineEvent, OfflineQueue};

#[cfg(feature = "event-handler")]
#[cfg_attr(docsrs, doc(cfg(feature = "event-handler")))]
pub use router::{MAX_EVENT_BYTES, router};

/// One event as the portal posted it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// The event's name, upper case (`ONCRMDEALADD`).
    pub name: String,
    /// The handler's id (`event_handler_id`).
    pub handler_id: Option<i64>,
    /// The event's `data`, its nesting kept (`data["FIELDS"]["ID"]`); values are strings,
    /// as the form sends them.
    pub data: Value,
    /// When the event happened (`ts`, seconds since the epoch).
    pub ts: Option<i64>,
    /// Who the event is for (`auth[…]`).
    pub auth: EventAuth,
}

/// The `auth` part of an event: the portal and the application's tokens (never shown by
/// `Debug`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EventAuth {
    /// The portal's domain.
    pub domain: Option<String>,
    /// The portal's id for the application (`member_id`).
    pub member_id: Option<String>,
    /// The REST endpoint of the portal (`client_endpoint`).
    pub client_endpoint: Option<String>,
    /// The token that identifies the application (`application_token`).
    pub application_token: Option<Secret>,
    /// An access token to call back with, when the portal sends one.
    pub access_token: Option<Secret>,
}

/// Why a post is not an event, or not one for this application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The body is not a form of an event.
    #[error("not an event: {0}")]
    Malformed(String),
    /// No `auth[application_token]`.
    #[error("the event has no application token")]
    NoToken,
    /// An `auth[application_token]` that is not the application's.
    #[error("the event's application token is not this application's")]
    WrongToken,
}

/// An event's `data` that does not have the form its docs page gives it: the event and
/// the JSON path of the first member that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the data of event {event} does not have its documented form: at {path}: {detail}")]
#[non_exhaustive]
pub struct PayloadError {
    /// The event's name (`ONCRMDEALADD`).
    pub event: String,
    /// Where in the post (`$.data.FIELDS.ID`).
    pub path: String,
    /// What was expected and found there.
    pub detail: String,
}

/// Decodes an event's `data` into its generated type (used by the generated payloads).
#[doc(hidden)]
pub fn decode_data<T: crate::wire::FromWire>(event: &str, data: &Value) -> Result<T, PayloadError> {
    crate::wire::decode_value(data).map_err(|e| PayloadError {
        event: event.to_string(),
        path: e.path_from("$.data"),
        detail: e
            .to_string()
            .split_once(": ")
            .map_or_else(|| e.to_string(), |(_, d)| d.to_string()),
    })
}

impl Event {
    /// Reads a form-encoded event post.
    pub fn from_form(body: &[u8]) -> Result<Event, EventError> {
        let tree = crate::form::decode(body).map_err(|e| EventError::Malformed(e.to_string()))?;
        let Value::Object(mut top) = tree else {
            return Err(EventError::Malformed("no fields".into()));
        };
        let text = |v: Option<Value>| match v {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let name = text(top.remove("event"))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| EventError::Malformed("no `event` name".into()))?
            .to_ascii_uppercase();
        let int = |v: Option<Value>| text(v).and_then(|s| s.trim().parse::<i64>().ok());
        let handler_id = int(top.remove("event_handler_id"));
        let ts = int(top.remove("ts"));
        let data = top.remove("data").unwrap_or(Value::Object(Map::new()));
        let mut auth = match top.remove("auth") {
            Some(Value::Object(a)) => a,
            _ => Map::new(),
        };
        let auth = EventAuth {
            domain: text(auth.remove("domain")),
            member_id: text(auth.remove("member_id")),
            client_endpoint: text(auth.remove("client_endpoint")),
            application_token: text(auth.remove("application_token")).map(Secret::new),
            access_token: text(auth.remove("access_token")).map(Secret::new),
        };
        Ok(Event {
            name,
            handler_id,
            data,
            ts,
            auth,
        })
    }

    /// Whether the event carries `application_token` (compared in constant time).
    pub fn verify(&self, application_token: &Secret) -> Result<(), EventError> {
        match &self.auth.application_token {
            None => Err(EventError::NoToken),
            Some(t) if t.expose().is_empty() => Err(EventError::NoToken),
            Some(t) if t == application_token => Ok(()),
            Some(_) => Err(EventError::WrongToken),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "event=ONCRMDEALADD&event_handler_id=7&data%5BFIELDS%5D%5BID%5D=42&ts=1733310000&auth%5Bdomain%5D=example.bitrix24.com&auth%5Bmember_id%5D=abc&auth%5Bapplication_token%5D=apptoken123&auth%5Baccess_token%5D=acc456";

    #[test]
    fn a_post_reads_with_its_nesting_and_its_tokens_hidden() {
        let e = Event::from_form(POST.as_bytes()).expect("an event");
        assert_eq!(e.name, "ONCRMDEALADD");
        assert_eq!(e.handler_id, Some(7));
        assert_eq!(e.ts, Some(1_733_310_000));
        assert_eq!(e.data["FIELDS"]["ID"], "42");
        assert_eq!(e.auth.domain.as_deref(), Some("example.bitrix24.com"));
        let shown = format!("{e:?}");
        assert!(
            !shown.contains("apptoken123") && !shown.contains("acc456"),
            "{shown}"
        );
        assert_eq!(e.verify(&Secret::new("apptoken123")), Ok(()));
        assert_eq!(
            e.verify(&Secret::new("apptoken124")),
            Err(EventError::WrongToken)
        );
    }

    #[test]
    fn what_is_not_an_event_is_named() {
        for (body, why) in [
            ("", "no `event` name"),
            ("data[FIELDS][ID]=1", "no `event` name"),
            ("event=X&a[b=1", "an unclosed `[`"),
            ("event=X&[x]=1", "a pair without a name"),
        ] {
            let e = Event::from_form(body.as_bytes()).expect_err(body);
            assert!(e.to_string().contains(why), "{body}: {e}");
        }
        let deep = format!("event=X&a{}=1", "[b]".repeat(20));
        assert!(Event::from_form(deep.as_bytes()).is_err());
        // A later pair wins, as in PHP (see `b24::form`).
        let later = Event::from_form(b"event=X&a=1&a[b]=2").expect("event");
        assert_eq!(later.data, Value::Object(Map::new()));
        let none = Event::from_form(b"event=onappinstall").expect("event");
        assert_eq!(none.name, "ONAPPINSTALL");
        assert_eq!(none.verify(&Secret::new("t")), Err(EventError::NoToken));
    }
}
