//! Batches: up to 50 commands of any methods in one request, each decoded into its own
//! output, with errors kept next to the successes and `$result` references between
//! commands; and [`Client::batch_all`], many commands in as many batches as they take.

mod all;
pub(crate) mod answer;
pub(crate) mod reference;
mod results;

use std::borrow::Cow;
use std::marker::PhantomData;

use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{BatchError, Error, Problem, ValidationError};
use crate::method::{Api, Method};
use crate::prepared::{Prepared, Within};

pub use all::{BatchStream, RawCommand};
use reference::REF_MARK;
pub use reference::{Arg, Ref, Untyped, is_ref};
pub use results::{BatchResults, decode_batch_body};

/// Most commands in one batch.
pub const MAX_COMMANDS: usize = 50;

/// A command in a [`Batch`]; its result decodes into `T`.
#[derive(Debug)]
pub struct Handle<T> {
    key: String,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle {
            key: self.key.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> Handle<T> {
    /// The command's key in the batch.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A reference to the whole result (`$result[key]`), e.g. the id `crm.deal.add` returns.
    pub fn result(&self) -> Ref<T> {
        Ref::new(format!("$result[{}]", self.key))
    }

    /// A reference into the result: `at(&["0", "ID"])` is `$result[key][0][ID]`.
    pub fn at(&self, path: &[&str]) -> Ref {
        let mut s = format!("$result[{}]", self.key);
        for p in path {
            s.push('[');
            s.push_str(p);
            s.push(']');
        }
        Ref::new(s)
    }
}

/// A command ready to go into a batch: its method and its parameters as a query string,
/// built once (a command the operating-time limit refused is sent again as it is).
#[derive(Debug, Clone)]
pub(crate) struct Command {
    method: Cow<'static, str>,
    query: String,
    idempotent: bool,
}

impl Command {
    /// A typed command (prepared as any request: validated, then serialised), whose
    /// parameters at each `(path, reference)` take an earlier command's result.
    pub(crate) fn typed<M: Method, R>(
        method: &M,
        refs: &[(&str, Ref<R>)],
    ) -> Result<Command, Error> {
        if M::API != Api::V2 {
            return Err(invalid(
                "cmd",
                M::NAME,
                "REST 3.0 methods do not go into a v2 batch",
            ));
        }
        let mut params = Prepared::typed(method, Within::Batch, None)?.params;
        for (path, r) in refs {
            set_path(
                &mut params,
                path,
                Value::String(format!("{REF_MARK}{}", r.0)),
            );
        }
        Ok(Command {
            query: encode_query(&params),
            method: Cow::Borrowed(M::NAME),
            idempotent: M::IDEMPOTENT,
        })
    }

    /// A command by name with JSON parameters: the name checked, the parameters not.
    pub(crate) fn by_name(
        method: &str,
        params: &Value,
        idempotent: bool,
    ) -> Result<Command, Error> {
        crate::prepared::check_method_name(method).map_err(|_| {
            invalid(
                "cmd",
                method,
                "a method name is letters, digits, `.` and `_`",
            )
        })?;
        if method.eq_ignore_ascii_case("batch") {
            return Err(invalid("cmd", method, "a batch cannot hold a batch"));
        }
        if !matches!(params, Value::Object(_) | Value::Null) {
            return Err(invalid(
                "cmd",
                method,
                "a command's parameters are a JSON object",
            ));
        }
        Ok(Command {
            query: encode_query(params),
            method: Cow::Owned(method.to_string()),
            idempotent,
        })
    }
}

/// A problem of the batch itself (not of one command's parameters).
fn invalid(field: &str, value: &str, rule: &str) -> Error {
    ValidationError::new("batch", vec![Problem::new(field, value, rule, None)]).into()
}

/// A batch under construction: `client.batch()`, then [`Batch::add`] for each command,
/// then [`Batch::send`].
///
/// ```no_run
/// # use b24::b24_method;
/// #[b24_method("crm.deal.get")] pub struct DealGet;
/// #[b24_method("im.recent.unread")] pub struct MarkUnread;
/// # async fn run(client: b24::Client) -> Result<(), b24::Error> {
/// let mut batch = client.batch();
/// let deal = batch.add(&DealGet::new(5))?;
/// let flag = batch.add(&MarkUnread::new(b24::types::DialogId::Chat(74)))?;
/// let results = batch.send().await?;
/// let deal = results.get(&deal)?;         // crm_deal_get::Deal
/// let flag: bool = results.get(&flag)?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct Batch<'c> {
    client: &'c Client,
    commands: Vec<(String, Command)>,
    halt: bool,
}

impl Client {
    /// Starts a batch of up to 50 commands.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            client: self,
            commands: Vec::new(),
            halt: false,
        }
    }
}

impl<'c> Batch<'c> {
    /// Adds a command; it is validated now (nothing is sent for an invalid one).
    pub fn add<M: Method>(&mut self, method: &M) -> Result<Handle<M::Output>, Error> {
        self.add_with::<M, Untyped>(method, &[])
    }

    /// Adds a command whose parameters take earlier results: each `(path, reference)`
    /// replaces the parameter at `path` (`"id"`, `"fields.TITLE"`) with the reference.
    pub fn add_with<M: Method, R>(
        &mut self,
        method: &M,
        refs: &[(&str, Ref<R>)],
    ) -> Result<Handle<M::Output>, Error> {
        let key = format!("c{}", self.commands.len());
        self.check_key(&key)?;
        self.push(key, Command::typed(method, refs)?)
    }

    /// Like [`Batch::add`] with a key of your choice (letters, digits, `_`).
    pub fn add_keyed<M: Method>(
        &mut self,
        key: &str,
        method: &M,
    ) -> Result<Handle<M::Output>, Error> {
        self.check_key(key)?;
        self.push(key.to_string(), Command::typed::<M, Untyped>(method, &[])?)
    }

    /// Adds a command by name with JSON parameters (the escape hatch, as [`Client::raw`]):
    /// not validated, its result read as JSON ([`BatchResults::get_key`]). `idempotent`
    /// says whether running it twice is harmless (a batch is repeated after an ambiguous
    /// failure only when every command in it is).
    pub fn add_raw(
        &mut self,
        key: &str,
        method: &str,
        params: &Value,
        idempotent: bool,
    ) -> Result<Handle<Value>, Error> {
        self.check_key(key)?;
        self.push(
            key.to_string(),
            Command::by_name(method, params, idempotent)?,
        )
    }

    /// Adds a prepared command under `key` (checked by the caller).
    pub(crate) fn push<T>(&mut self, key: String, command: Command) -> Result<Handle<T>, Error> {
        self.commands.push((key.clone(), command));
        Ok(Handle {
            key,
            _t: PhantomData,
        })
    }

    /// Room for one more command under `key`.
    pub(crate) fn check_key(&self, key: &str) -> Result<(), Error> {
        if self.commands.len() >= MAX_COMMANDS {
            return Err(invalid(
                "cmd",
                &format!("{} commands", self.commands.len() + 1),
                "a batch holds at most 50 commands",
            ));
        }
        if key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || self.commands.iter().any(|(k, _)| k == key)
        {
            return Err(invalid(
                "cmd",
                key,
                "command keys are unique and made of letters, digits and `_`",
            ));
        }
        Ok(())
    }

    /// Stop at the first failing command (`halt = 1`); later commands do not run.
    pub fn halt(mut self, yes: bool) -> Self {
        self.halt = yes;
        self
    }

    /// Number of commands so far.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether no command was added.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Sends the batch. A batch is repeated after an ambiguous failure only when every
    /// command in it is idempotent; otherwise the error says which commands may have run.
    pub async fn send(self) -> Result<BatchResults, Error> {
        let all_idempotent = self.commands.iter().all(|(_, c)| c.idempotent);
        let cmd: Map<String, Value> = self
            .commands
            .iter()
            .map(|(key, c)| {
                let v = if c.query.is_empty() {
                    c.method.to_string()
                } else {
                    format!("{}?{}", c.method, c.query)
                };
                (key.clone(), Value::String(v))
            })
            .collect();
        let params = serde_json::json!({ "halt": u8::from(self.halt), "cmd": cmd });
        let commands: Vec<(String, String)> = self
            .commands
            .into_iter()
            .map(|(key, c)| (key, c.method.into_owned()))
            .collect();
        let req = Prepared::internal("batch", Api::V2, params, all_idempotent);
        let answer = match self.client.execute(&req).await {
            Ok(a) => a,
            Err(cause) => {
                let keys = commands.into_iter().map(|(k, _)| k).collect();
                let (not_run, unknown) = if cause.may_have_run() {
                    (Vec::new(), keys)
                } else {
                    (keys, Vec::new())
                };
                return Err(BatchError::new(Vec::new(), not_run, unknown, cause).into());
            }
        };
        let mut results = BatchResults::from_answer(
            &commands,
            self.halt,
            answer.status,
            answer.result.get(),
            answer.scrub.clone(),
        )?;
        results.lenient = answer.lenient;
        Ok(results)
    }
}

/// Sets `value` at a dotted path of a JSON object, creating objects on the way.
fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut cur = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == parts.len() {
            m.insert((*p).to_string(), value);
            return;
        }
        cur = m
            .entry((*p).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Encodes JSON parameters as a batch command's query string ([`crate::form`]), its
/// `$result` references as they are.
pub fn encode_query(params: &Value) -> String {
    crate::form::encode_with(params, &|s| s.strip_prefix(REF_MARK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reference::holds_ref;
    use std::collections::BTreeMap;

    #[test]
    fn a_reference_rides_in_extra_until_a_value_replaces_it() {
        let r: Ref = Ref::new("$result[a][ID]".into());
        let mut extra = BTreeMap::new();
        let id: i64 = Arg::from(r.clone()).place("id", &mut extra);
        assert_eq!(id, 0);
        assert!(is_ref(extra.get("id")));
        assert!(holds_ref(&Value::Object(
            extra.clone().into_iter().collect()
        )));
        assert_eq!(
            encode_query(&serde_json::json!({ "id": extra["id"] })),
            "id=$result[a][ID]"
        );
        let id: i64 = Arg::from(5).place("id", &mut extra);
        assert_eq!(id, 5);
        assert!(extra.is_empty(), "the value replaced the reference");
        let name: String = Arg::from("x").place("name", &mut extra);
        assert_eq!(name, "x");
    }
    use serde_json::json;

    #[test]
    fn references_stay_verbatim() {
        let h: Handle<i64> = Handle {
            key: "add".into(),
            _t: PhantomData,
        };
        let mut p = json!({"id": 0, "fields": {"TITLE": "x"}});
        set_path(
            &mut p,
            "id",
            Value::String(format!("{REF_MARK}{}", h.result().0)),
        );
        set_path(
            &mut p,
            "fields.COMMENTS",
            Value::String(format!("{REF_MARK}{}", h.at(&["0", "ID"]).0)),
        );
        assert_eq!(
            encode_query(&p),
            "id=$result[add]&fields[TITLE]=x&fields[COMMENTS]=$result[add][0][ID]"
        );
    }
}
