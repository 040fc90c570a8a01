//! REST 3.0's `Idempotency-Key` (docs: `api-reference/rest-v3.md`, "Repeated calls without
//! duplicates"): the first successful answer to a key is kept; a repeat with the same key
//! and body gets it back with `Idempotent-Replayed: true` and runs nothing; the same key
//! with another body is refused (422); a key that is not 1 to 255 printable ASCII
//! characters is refused (400). An error answer is not kept: a repeat runs again. The key
//! is scoped by caller and method. As on a real portal, two first calls with one key that
//! arrive together may both run: the key is kept when the first answer is, not before.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::outcome::ApiErr;
use crate::state::State;
use crate::util::json_text_response;

/// A first call with a key: where its answer is kept.
pub(crate) struct Stash {
    id: (String, String, String),
    body: Vec<u8>,
    key: HeaderValue,
}

const REUSED: &str = "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION";
const INVALID: &str = "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION";

/// The key of a REST 3.0 request by `caller` to `method`: `Ok(None)` without one,
/// `Ok(Some(stash))` for a call to run (and keep), `Err(answer)` for a replay or a refusal.
pub(crate) fn check(
    st: &mut State,
    caller: &str,
    method: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<Stash>, Box<Response>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(Box::new(refuse(
            400,
            INVALID,
            "Invalid idempotency key",
            value,
        )));
    }
    let key = String::from_utf8_lossy(bytes).into_owned();
    let id = (caller.to_string(), method.to_string(), key);
    match st.idempotent.get(&id) {
        Some((kept, _)) if kept.as_slice() != body => Err(Box::new(refuse(
            422,
            REUSED,
            "The idempotency key was already used with another request",
            value,
        ))),
        Some((_, text)) => {
            let mut r = json_text_response(200, text.clone());
            r.headers_mut().insert("idempotency-key", value.clone());
            r.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Err(Box::new(r))
        }
        None => Ok(Some(Stash {
            id,
            body: body.to_vec(),
            key: value.clone(),
        })),
    }
}

/// Keeps the successful answer of a first call.
pub(crate) fn keep(st: &mut State, stash: &Stash, text: &str) {
    st.idempotent
        .insert(stash.id.clone(), (stash.body.clone(), text.to_string()));
}

/// The answer with the key echoed, as the portal does on first calls and repeats alike.
pub(crate) fn echo(mut r: Response, stash: Option<&Stash>) -> Response {
    if let Some(s) = stash {
        r.headers_mut().insert("idempotency-key", s.key.clone());
    }
    r
}

fn refuse(status: u16, code: &str, message: &str, key: &HeaderValue) -> Response {
    let body = ApiErr::new(status, code, message).body(true);
    let mut r = json_text_response(status, body.to_string());
    r.headers_mut().insert("idempotency-key", key.clone());
    r.into_response()
}
