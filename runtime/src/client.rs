//! The [`Client`]: one portal, one set of credentials, cheap to clone.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::auth::{Auth, Endpoint};
use crate::envelope::{Response, Time};
use crate::error::{ConfigError, DecodeError, Error, Problem, TransportError, ValidationError};
use crate::method::{Api, Method};
use crate::wire::{FromWire, WireError};

/// A Bitrix24 REST client.
///
/// Cloning is cheap (an [`Arc`] inside); clones share the connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), b24::Error> {
/// let client = b24::Client::from_webhook("https://example.bitrix24.com/rest/1/xxxxxxxx/")?;
/// let unread: serde_json::Value = client
///     .call_raw("im.recent.unread", serde_json::json!({"DIALOG_ID": "chat74"}))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Endpoint,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("portal", &self.inner.endpoint.portal.as_str())
            .field("auth", &self.inner.endpoint.auth)
            .finish()
    }
}

/// Configuration of a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Total time allowed for one HTTP request (default 60 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// The `User-Agent` header (default `b24-rust/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, TLS settings); the timeouts and
    /// user agent of this builder are then ignored.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// A client for an inbound webhook `https://{portal}/rest/{user_id}/{code}/`.
    pub fn webhook(self, url: &str) -> Result<Client, Error> {
        let endpoint = Endpoint::webhook(url)?;
        self.build(endpoint)
    }

    /// A client for an OAuth application: the portal address and an access token.
    pub fn oauth(self, portal: &str, access_token: impl Into<String>) -> Result<Client, Error> {
        let endpoint = Endpoint::oauth(portal, access_token.into())?;
        self.build(endpoint)
    }

    fn build(self, endpoint: Endpoint) -> Result<Client, Error> {
        let http =
            match self.http {
                Some(c) => c,
                None => reqwest::Client::builder()
                    .timeout(self.timeout.unwrap_or(Duration::from_secs(60)))
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("b24-rust/", env!("CARGO_PKG_VERSION")).to_string()
                    }))
                    .build()
                    .map_err(|e| {
                        ConfigError(format!("cannot build the HTTP client: {}", e.without_url()))
                    })?,
            };
        Ok(Client {
            inner: Arc::new(Inner { http, endpoint }),
        })
    }
}

impl Client {
    /// A client for an inbound webhook `https://{portal}/rest/{user_id}/{code}/`.
    ///
    /// Plain `http://` is refused except to loopback addresses.
    pub fn from_webhook(url: impl AsRef<str>) -> Result<Client, Error> {
        ClientBuilder::default().webhook(url.as_ref())
    }

    /// A client for an OAuth application: the portal address and an access token.
    pub fn from_oauth(
        portal: impl AsRef<str>,
        access_token: impl Into<String>,
    ) -> Result<Client, Error> {
        ClientBuilder::default().oauth(portal.as_ref(), access_token)
    }

    /// Configuration beyond the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The portal's address (`https://{portal}/`), without credentials.
    pub fn portal(&self) -> &url::Url {
        &self.inner.endpoint.portal
    }

    /// Calls a typed method and returns its decoded `result`.
    ///
    /// The request is validated first: invalid parameters fail with
    /// [`Error::Validation`] and nothing is sent.
    pub async fn call<M: Method>(&self, method: &M) -> Result<M::Output, Error> {
        self.call_full(method).await.map(|r| r.result)
    }

    /// Like [`Client::call`], with the envelope (`time`, `total`, `next`).
    pub async fn call_full<M: Method>(&self, method: &M) -> Result<Response<M::Output>, Error> {
        method.validate()?;
        let params = method.params().map_err(|e| ValidationError {
            method: M::NAME.to_string(),
            problems: vec![Problem {
                field: String::new(),
                value: String::new(),
                rule: format!("the parameters do not serialize to JSON: {e}"),
                server_code: None,
            }],
        })?;
        let raw = self.send(M::NAME, M::API, params).await?;
        let result =
            M::Output::from_wire(&raw.result).map_err(|e| decode_error(M::NAME, raw.status, &e))?;
        Ok(Response {
            result,
            time: raw.time,
            total: raw.total,
            next: raw.next,
        })
    }

    /// Calls any method by name with JSON parameters: the escape hatch for methods
    /// without a binding. The name is checked, the parameters are not.
    pub async fn call_raw(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.call_raw_full(method, params).await.map(|r| r.result)
    }

    /// Like [`Client::call_raw`], with the envelope.
    pub async fn call_raw_full(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Response<Value>, Error> {
        check_method_name(method)?;
        let raw = self.send(method, Api::V2, params).await?;
        Ok(Response {
            result: raw.result,
            time: raw.time,
            total: raw.total,
            next: raw.next,
        })
    }

    async fn send(&self, method: &str, api: Api, mut params: Value) -> Result<RawAnswer, Error> {
        let endpoint = &self.inner.endpoint;
        let url = endpoint.url_for(method, api);
        let mut req = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Auth::OAuth { token } = &endpoint.auth {
            match &mut params {
                Value::Object(m) => {
                    m.insert("auth".into(), Value::String(token.expose().to_string()));
                }
                _ => req = req.query(&[("auth", token.expose())]),
            }
        }
        let started = Instant::now();
        let resp = req
            .json(&params)
            .send()
            .await
            .map_err(|e| TransportError::from_reqwest(method, e, false))?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| TransportError::from_reqwest(method, e, true))?;
        tracing::debug!(
            target: "b24",
            method,
            status,
            bytes = body.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "call"
        );
        decode_envelope(method, status, &body, |s| endpoint.auth.secret().scrub(s))
    }
}

/// An answer with a `result`, before the result is decoded.
struct RawAnswer {
    status: u16,
    result: Value,
    time: Option<Time>,
    total: Option<i64>,
    next: Option<i64>,
}

fn decode_error(method: &str, status: u16, e: &WireError) -> Error {
    DecodeError {
        method: method.to_string(),
        path: e.path_from("$.result"),
        problem: format!("expected {}, found {}", e.expected_what(), e.found()),
        status,
    }
    .into()
}

fn check_method_name(method: &str) -> Result<(), Error> {
    let ok = !method.is_empty()
        && method
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError {
            method: method.to_string(),
            problems: vec![Problem {
                field: "method".into(),
                value: method.to_string(),
                rule: "a method name is letters, digits and `_`, separated by single dots".into(),
                server_code: Some("ERROR_METHOD_NOT_FOUND".into()),
            }],
        }
        .into())
    }
}

/// Decodes an answer: an API error, a malformed body, or the envelope around `result`.
fn decode_envelope(
    method: &str,
    status: u16,
    body: &[u8],
    scrub: impl Fn(&str) -> String,
) -> Result<RawAnswer, Error> {
    let malformed = |path: &str, problem: String| -> Error {
        DecodeError {
            method: method.to_string(),
            path: path.to_string(),
            problem: scrub(&problem),
            status,
        }
        .into()
    };
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
        let kind = if text.trim_start().starts_with('<') {
            "an HTML page, not JSON"
        } else if e.is_eof() {
            "truncated JSON"
        } else {
            "not JSON"
        };
        malformed(
            "$",
            format!("the body ({} bytes) is {kind}: {e}", body.len()),
        )
    })?;
    let Value::Object(obj) = v else {
        return Err(malformed("$", "the body is not a JSON object".into()));
    };
    if let Some(code) = obj.get("error") {
        let code = match code {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let description = match obj.get("error_description") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        return Err(crate::error::ApiError {
            method: method.to_string(),
            code: crate::error::ErrorCode::from(code.as_str()),
            description: scrub(&description),
            status,
        }
        .into());
    }
    if !(200..300).contains(&status) {
        return Err(malformed(
            "$",
            format!("HTTP {status} without an `error` member"),
        ));
    }
    let Some(result) = obj.get("result") else {
        return Err(malformed("$.result", "missing".into()));
    };
    let time = match obj.get("time") {
        None | Some(Value::Null) => None,
        Some(t) => {
            Some(Time::from_wire(t).map_err(|e| malformed(&e.path_from("$.time"), e.to_string()))?)
        }
    };
    let int = |k: &str| -> Result<Option<i64>, Error> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => i64::from_wire(v)
                .map(Some)
                .map_err(|e| malformed(&format!("$.{k}"), e.to_string())),
        }
    };
    Ok(RawAnswer {
        status,
        result: result.clone(),
        time,
        total: int("total")?,
        next: int("next")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn dec(status: u16, body: &str) -> Result<RawAnswer, Error> {
        decode_envelope("im.recent.unread", status, body.as_bytes(), |s| {
            s.replace("TOKEN", "***")
        })
    }

    #[test]
    fn success_envelope() {
        let a = dec(
            200,
            r#"{"result": true, "time": {"start": 1772518597, "finish": 1772518597.38, "duration": 0.38, "processing": 0,
                "date_start": "2026-03-03T09:16:37+01:00", "date_finish": "2026-03-03T09:16:37+01:00",
                "operating_reset_at": 1772519197, "operating": 0}}"#,
        ).expect("decodes");
        assert_eq!(a.result, Value::Bool(true));
        let t = a.time.expect("time");
        assert_eq!(t.operating_reset_at, Some(1772519197));
        assert_eq!(t.operating, Some(0.0));
        assert_eq!(t.date_start.as_deref(), Some("2026-03-03T09:16:37+01:00"));
    }

    #[test]
    fn list_envelope() {
        let a = dec(200, r#"{"result": [1,2], "total": "120", "next": 50}"#).expect("decodes");
        assert_eq!(a.total, Some(120));
        assert_eq!(a.next, Some(50));
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
        assert_eq!(api.code, ErrorCode::DialogIdEmpty);
        assert_eq!(api.status, 400);
        assert_eq!(api.description, "Dialog ID can't be empty");
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
            assert_eq!(d.method, "im.recent.unread");
            assert_eq!(d.path, path, "{body}");
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

    #[test]
    fn raw_method_names_are_checked() {
        for bad in ["", "a..b", "im/recent", "a.b?x=1", ".a"] {
            assert!(check_method_name(bad).is_err(), "{bad}");
        }
        assert!(check_method_name("crm.deal.list").is_ok());
    }
}
