//! A request ready to send, built once — its parameters validated, serialised and
//! checked, its `Idempotency-Key` chosen — and taken alike by a call, a batch, a list and
//! an export (`Client::execute` sends one).

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{Error, ErrorCode, Problem, ValidationError};
use crate::method::{Api, Method};

/// A request ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The method's name (`im.recent.unread`, `batch`).
    pub(crate) method: Cow<'static, str>,
    pub(crate) api: Api,
    /// The parameters, as they go on the wire (a list sets its page in them).
    pub(crate) params: Value,
    /// Whether it may be repeated after an ambiguous failure (idempotent, or the caller
    /// says running it twice is harmless).
    pub(crate) retry_ambiguous: bool,
    /// REST 3.0: the `Idempotency-Key` it is sent with, the same on every repeat.
    pub(crate) key: Option<String>,
}

/// Where a typed request goes: a batch's commands may take earlier commands' results
/// (`Arg::Ref`); anywhere else a reference is meaningless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    Call,
    Batch,
}

impl Prepared {
    /// A typed request, in this order: validated (nothing is prepared for an invalid
    /// one), serialised, checked for batch references outside a batch, and keyed (the
    /// caller's key, or a fresh one for a REST 3.0 write).
    pub(crate) fn typed<M: Method>(
        method: &M,
        within: Within,
        key: Option<String>,
    ) -> Result<Prepared, Error> {
        method.validate()?;
        let params = method.params().map_err(|e| {
            ValidationError::new(
                M::NAME,
                vec![Problem::new(
                    "",
                    "",
                    format!("the parameters do not serialize to JSON: {e}"),
                    None,
                )],
            )
        })?;
        if within == Within::Call && crate::batch::reference::holds_ref(&params) {
            return Err(ValidationError::new(
                M::NAME,
                vec![Problem::new(
                    "",
                    "",
                    "a batch reference (`Arg::Ref`) is only meaningful inside a batch; nothing was sent",
                    None,
                )],
            )
            .into());
        }
        let key = idempotency_key(M::NAME, M::API, key, !M::IDEMPOTENT)?;
        Ok(Prepared {
            method: Cow::Borrowed(M::NAME),
            api: M::API,
            params,
            retry_ambiguous: M::IDEMPOTENT,
            key,
        })
    }

    /// A request by name: the name checked, the parameters as given (a REST 3.0 call
    /// keyed, since nothing says it only reads).
    pub(crate) fn by_name(
        method: &str,
        api: Api,
        params: Value,
        key: Option<String>,
    ) -> Result<Prepared, Error> {
        check_method_name(method)?;
        let key = idempotency_key(method, api, key, true)?;
        Ok(Prepared {
            method: Cow::Owned(method.to_string()),
            api,
            params,
            retry_ambiguous: false,
            key,
        })
    }

    /// A request of b24's own (a `batch` it assembled), sent as it is.
    pub(crate) fn internal(
        method: &'static str,
        api: Api,
        params: Value,
        retry_ambiguous: bool,
    ) -> Prepared {
        Prepared {
            method: Cow::Borrowed(method),
            api,
            params,
            retry_ambiguous,
            key: None,
        }
    }

    /// Repeated after an ambiguous failure too (the caller knows it is harmless).
    pub(crate) fn retry_ambiguous(mut self, yes: bool) -> Prepared {
        self.retry_ambiguous |= yes;
        self
    }
}

/// Whether `method` is a method name: letters, digits and `_`, separated by single dots.
pub(crate) fn check_method_name(method: &str) -> Result<(), Error> {
    let ok = !method.is_empty()
        && method
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            method,
            vec![Problem::new(
                "method",
                method,
                "a method name is letters, digits and `_`, separated by single dots",
                Some("ERROR_METHOD_NOT_FOUND"),
            )],
        )
        .into())
    }
}

/// The `Idempotency-Key` a call is sent with: the caller's (checked), a fresh UUID for a
/// REST 3.0 call that `writes`, or none.
fn idempotency_key(
    method: &str,
    api: Api,
    given: Option<String>,
    writes: bool,
) -> Result<Option<String>, Error> {
    let refuse = |key: &str, rule: &str, code: Option<&str>| -> Error {
        ValidationError::new(
            method,
            vec![Problem::new("Idempotency-Key", key, rule, code)],
        )
        .into()
    };
    match (given, api) {
        (Some(key), Api::V2) => Err(refuse(
            &key,
            "an Idempotency-Key works only in REST 3.0 (`/rest/api/`); the classic API ignores it",
            None,
        )),
        (Some(key), Api::V3) => {
            if (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
                Ok(Some(key))
            } else {
                Err(refuse(
                    &key,
                    "1 to 255 printable ASCII characters",
                    Some(ErrorCode::InvalidIdempotencyKey.as_str()),
                ))
            }
        }
        (None, Api::V3) if writes => Ok(Some(uuid::Uuid::new_v4().to_string())),
        (None, _) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_method_names_are_checked() {
        for bad in ["", "a..b", "im/recent", "a.b?x=1", ".a"] {
            assert!(check_method_name(bad).is_err(), "{bad}");
        }
        assert!(check_method_name("crm.deal.list").is_ok());
    }

    #[test]
    fn a_key_is_checked_and_a_v3_write_gets_a_fresh_one() {
        let v3 = |key: Option<&str>| {
            Prepared::by_name(
                "tasks.task.add",
                Api::V3,
                Value::Null,
                key.map(String::from),
            )
        };
        assert_eq!(v3(None).expect("keyed").key.map(|k| k.len()), Some(36));
        assert_eq!(v3(Some("k-1")).expect("keyed").key.as_deref(), Some("k-1"));
        assert!(v3(Some("")).is_err() && v3(Some("é")).is_err());
        let v2 = Prepared::by_name("crm.deal.add", Api::V2, Value::Null, Some("k".into()));
        assert!(v2.expect_err("refused").to_string().contains("REST 3.0"));
        let plain = Prepared::by_name("crm.deal.add", Api::V2, Value::Null, None).expect("ok");
        assert_eq!((plain.key, plain.retry_ambiguous), (None, false));
    }
}
