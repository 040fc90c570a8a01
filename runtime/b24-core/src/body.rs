//! Reading an answer's body up to a limit, enforced while it streams in: a server cannot
//! make the client hold more than the limit in memory.

use bytes::Bytes;

use crate::error::{Error, TransportError, TransportKind};

/// The most a REST answer may hold unless configured otherwise: 64 MiB, several times
/// the largest real answer (a batch of 50 list pages of 50 full records).
pub const DEFAULT_MAX_RESPONSE: u64 = 64 * 1024 * 1024;

/// The body of `resp`, or an error naming `what` and the limit once it passes `limit`
/// bytes (by its `Content-Length`, or while reading). `sent`: the request reached the
/// server, so the error says it may have run.
pub(crate) async fn read_capped(
    what: &str,
    mut resp: reqwest::Response,
    limit: u64,
    sent: bool,
) -> Result<Bytes, Error> {
    let too_large = || -> Error {
        TransportError::new(
            what,
            TransportKind::Body,
            sent,
            format!("the answer is larger than the limit of {limit} bytes"),
        )
        .into()
    };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    // Most answers come in one chunk: that chunk is the body, not a copy of it.
    let (mut seen, mut one, mut many) = (0u64, None::<Bytes>, Vec::new());
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| TransportError::from_reqwest(what, e, sent))?
    {
        seen += chunk.len() as u64;
        if seen > limit {
            return Err(too_large());
        }
        if many.is_empty() {
            match one.take() {
                None => {
                    one = Some(chunk);
                    continue;
                }
                Some(first) => {
                    let hint = resp.content_length().unwrap_or(0).min(limit) as usize;
                    many.reserve(hint.max(first.len() + chunk.len()));
                    many.extend_from_slice(&first);
                }
            }
        }
        many.extend_from_slice(&chunk);
    }
    Ok(one.unwrap_or_else(|| Bytes::from(many)))
}
