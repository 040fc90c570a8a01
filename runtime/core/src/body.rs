//! Reading an answer's body up to a limit, enforced while it streams in: a server cannot
//! make the client hold more than the limit in memory.

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
) -> Result<Vec<u8>, Error> {
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
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| TransportError::from_reqwest(what, e, sent))?
    {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
