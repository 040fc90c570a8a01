//! Typed batches: up to 50 commands of any methods in one request, each decoded into its
//! own output, with errors kept next to the successes and `$result` references between
//! commands.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde_json::{Map, Value};

use crate::client::{Client, params_of};
use crate::error::{
    ApiError, BatchError, CommandError, DecodeError, DecodeKind, Error, ErrorCode, Problem,
    ValidationError,
};
use crate::method::{Api, Method};
use crate::wire::FromWire;

/// Most commands in one batch.
pub const MAX_COMMANDS: usize = 50;

/// Marks a parameter value that must reach the portal verbatim (a `$result` reference).
const REF_MARK: &str = "\u{1}b24ref\u{1}";

/// A `$result[key][path…]` reference to an earlier command's result, typed by the value
/// it stands for: [`Handle::result`] gives a `Ref<T>` of the command's output type, so
/// it goes only where a `T` may (`crm.deal.add`'s id into an `i64` parameter); a path into
/// a result ([`Handle::at`]) is an [`Untyped`] reference, accepted by any integer or
/// string parameter.
pub struct Ref<T = Untyped>(String, PhantomData<fn() -> T>);

/// The type of a [`Ref`] into a result, whose value b24 cannot know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untyped;

impl<T> Ref<T> {
    fn new(text: String) -> Ref<T> {
        Ref(text, PhantomData)
    }

    /// The reference as the portal reads it, e.g. `$result[deal][ID]`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same reference, without its type (for [`Batch::add_with`]).
    pub fn untyped(self) -> Ref {
        Ref::new(self.0)
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.0.clone())
    }
}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Eq for Ref<T> {}

impl<T> std::fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Ref").field(&self.0).finish()
    }
}

/// A parameter's value: given, or taken from an earlier command of the same batch.
///
/// The constructors and setters of generated requests take `impl Into<Arg<i64>>` and
/// `impl Into<Arg<String>>` for integer and string parameters, so a [`Ref`] goes where
/// the value would, with no placeholder:
///
/// ```no_run
/// # use b24::methods::crm::{ItemAdd, ItemGet, item_add};
/// # async fn run(client: b24::Client) -> Result<(), b24::Error> {
/// let mut batch = client.batch();
/// let added = batch.add(&ItemAdd::new(2, item_add::Fields::default()))?;
/// let item = batch.add(&ItemGet::new(2, added.at(&["item", "id"])))?;
/// # Ok(()) }
/// ```
///
/// A request holding a reference is refused outside a batch (nothing is sent), and
/// validation leaves the referenced parameter to the portal.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<T> {
    /// The value itself.
    Value(T),
    /// A reference to an earlier command's result.
    Ref(Ref),
}

impl<U: Into<i64>> From<U> for Arg<i64> {
    fn from(v: U) -> Self {
        Arg::Value(v.into())
    }
}

impl<U: Into<String>> From<U> for Arg<String> {
    fn from(v: U) -> Self {
        Arg::Value(v.into())
    }
}

impl From<Ref> for Arg<i64> {
    fn from(r: Ref) -> Self {
        Arg::Ref(r)
    }
}

impl From<Ref<i64>> for Arg<i64> {
    fn from(r: Ref<i64>) -> Self {
        Arg::Ref(r.untyped())
    }
}

impl From<Ref> for Arg<String> {
    fn from(r: Ref) -> Self {
        Arg::Ref(r)
    }
}

impl From<Ref<String>> for Arg<String> {
    fn from(r: Ref<String>) -> Self {
        Arg::Ref(r.untyped())
    }
}

impl<T: Default> Arg<T> {
    /// The field's value; a reference goes into the request's unlisted parameters under
    /// `wire` (where it takes the field's place on the wire) and the field keeps a
    /// default. A value removes a reference set before.
    #[doc(hidden)]
    pub fn place(self, wire: &str, extra: &mut BTreeMap<String, Value>) -> T {
        match self {
            Arg::Value(v) => {
                if is_ref(extra.get(wire)) {
                    extra.remove(wire);
                }
                v
            }
            Arg::Ref(r) => {
                extra.insert(
                    wire.to_string(),
                    Value::String(format!("{REF_MARK}{}", r.0)),
                );
                T::default()
            }
        }
    }
}

/// Whether `v` is a batch reference placed by [`Arg::place`].
#[doc(hidden)]
pub fn is_ref(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.starts_with(REF_MARK))
}

/// Whether the parameters hold a batch reference anywhere.
pub(crate) fn holds_ref(params: &Value) -> bool {
    match params {
        Value::String(_) => is_ref(Some(params)),
        Value::Array(a) => a.iter().any(holds_ref),
        Value::Object(m) => m.values().any(holds_ref),
        _ => false,
    }
}

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

#[derive(Debug, Clone)]
struct Command {
    key: String,
    method: std::borrow::Cow<'static, str>,
    query: String,
    idempotent: bool,
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
    commands: Vec<Command>,
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
        self.push(key, method, refs)
    }

    /// Like [`Batch::add`] with a key of your choice (letters, digits, `_`).
    pub fn add_keyed<M: Method>(
        &mut self,
        key: &str,
        method: &M,
    ) -> Result<Handle<M::Output>, Error> {
        self.push::<M, Untyped>(key.to_string(), method, &[])
    }

    fn push<M: Method, R>(
        &mut self,
        key: String,
        method: &M,
        refs: &[(&str, Ref<R>)],
    ) -> Result<Handle<M::Output>, Error> {
        let invalid = |field: &str, value: &str, rule: &str| -> Error {
            ValidationError::new("batch", vec![Problem::new(field, value, rule, None)]).into()
        };
        self.check_key(&key)?;
        if M::API != Api::V2 {
            return Err(invalid(
                "cmd",
                M::NAME,
                "REST 3.0 methods do not go into a v2 batch",
            ));
        }
        method.validate()?;
        let mut params = params_of(method)?;
        for (path, r) in refs {
            set_path(
                &mut params,
                path,
                Value::String(format!("{REF_MARK}{}", r.0)),
            );
        }
        self.commands.push(Command {
            query: encode_query(&params),
            key: key.clone(),
            method: M::NAME.into(),
            idempotent: M::IDEMPOTENT,
        });
        Ok(Handle {
            key,
            _t: PhantomData,
        })
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
        let invalid = |field: &str, value: &str, rule: &str| -> Error {
            ValidationError::new("batch", vec![Problem::new(field, value, rule, None)]).into()
        };
        self.check_key(key)?;
        if method.is_empty()
            || !method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return Err(invalid(
                "cmd",
                method,
                "a method name is letters, digits, `.` and `_`",
            ));
        }
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
        self.commands.push(Command {
            query: encode_query(params),
            key: key.to_string(),
            method: method.to_string().into(),
            idempotent,
        });
        Ok(Handle {
            key: key.to_string(),
            _t: PhantomData,
        })
    }

    /// Room for one more command under `key`.
    fn check_key(&self, key: &str) -> Result<(), Error> {
        let invalid = |field: &str, value: &str, rule: &str| -> Error {
            ValidationError::new("batch", vec![Problem::new(field, value, rule, None)]).into()
        };
        if self.commands.len() >= MAX_COMMANDS {
            return Err(invalid(
                "cmd",
                &format!("{} commands", self.commands.len() + 1),
                "a batch holds at most 50 commands",
            ));
        }
        if key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || self.commands.iter().any(|c| c.key == key)
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
        let keys: Vec<String> = self.commands.iter().map(|c| c.key.clone()).collect();
        let all_idempotent = self.commands.iter().all(|c| c.idempotent);
        let cmd: Map<String, Value> = self
            .commands
            .iter()
            .map(|c| {
                let v = if c.query.is_empty() {
                    c.method.to_string()
                } else {
                    format!("{}?{}", c.method, c.query)
                };
                (c.key.clone(), Value::String(v))
            })
            .collect();
        let params = serde_json::json!({ "halt": u8::from(self.halt), "cmd": cmd });
        let answer = match self
            .client
            .execute("batch", Api::V2, params, all_idempotent, None)
            .await
        {
            Ok(a) => a,
            Err(cause) => {
                let (not_run, unknown) = if cause.may_have_run() {
                    (Vec::new(), keys)
                } else {
                    (keys, Vec::new())
                };
                return Err(BatchError::new(Vec::new(), not_run, unknown, cause).into());
            }
        };
        let mut results = BatchResults::from_answer(
            keys,
            self.commands,
            self.halt,
            answer.status,
            &answer.value("batch")?,
            answer.scrub.clone(),
        )?;
        results.lenient = answer.lenient;
        Ok(results)
    }
}

/// Decodes a `batch` answer's body as [`Batch::send`] does, for commands given as
/// `(key, method)` (the fuzz targets and property tests use this; not a public API).
pub fn decode_batch_body(
    commands: &[(&str, &'static str)],
    halt: bool,
    status: u16,
    body: &[u8],
) -> Result<BatchResults, Error> {
    let answer =
        crate::client::decode_envelope("batch", status, body, crate::client::Scrubber::none())?;
    let keys: Vec<String> = commands.iter().map(|(k, _)| k.to_string()).collect();
    let commands = commands
        .iter()
        .map(|(key, method)| Command {
            key: key.to_string(),
            method: (*method).into(),
            query: String::new(),
            idempotent: true,
        })
        .collect();
    BatchResults::from_answer(
        keys,
        commands,
        halt,
        answer.status,
        &answer.value("batch")?,
        answer.scrub.clone(),
    )
}

/// The answers of a batch, by command.
#[derive(Debug, Clone)]
pub struct BatchResults {
    keys: Vec<String>,
    methods: BTreeMap<String, String>,
    results: Map<String, Value>,
    errors: BTreeMap<String, ApiError>,
    totals: Map<String, Value>,
    nexts: Map<String, Value>,
    halted: bool,
    status: u16,
    /// What a command's error or value may echo of the client's secrets goes.
    scrub: crate::client::Scrubber,
    /// A command's result that does not decode strictly is decoded leniently (the
    /// client's setting, see [`crate::ClientBuilder::strict_decoding`]).
    lenient: bool,
}

fn as_map(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(), // `[]` when empty
    }
}

impl BatchResults {
    fn from_answer(
        keys: Vec<String>,
        commands: Vec<Command>,
        halt: bool,
        status: u16,
        result: &Value,
        scrub: crate::client::Scrubber,
    ) -> Result<BatchResults, Error> {
        let Value::Object(r) = result else {
            return Err(DecodeError::new(
                "batch",
                DecodeKind::Value,
                "$.result",
                "expected an object".into(),
                status,
            )
            .into());
        };
        let methods: BTreeMap<String, String> = commands
            .iter()
            .map(|c| (c.key.clone(), c.method.to_string()))
            .collect();
        let errors = as_map(r.get("result_error"))
            .into_iter()
            .map(|(k, v)| {
                let code = scrub.apply(&match v.get("error") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                });
                let description = scrub.apply(
                    v.get("error_description")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                );
                let method = methods.get(&k).map_or("batch", String::as_str).to_string();
                let status = ErrorCode::from(code.as_str())
                    .documented_status()
                    .unwrap_or(400);
                (k, ApiError::new(method, code, description, status))
            })
            .collect();
        Ok(BatchResults {
            keys,
            methods,
            results: as_map(r.get("result")),
            errors,
            totals: as_map(r.get("result_total")),
            nexts: as_map(r.get("result_next")),
            halted: halt,
            status,
            scrub,
            lenient: false,
        })
    }

    /// The decoded result of a command, or what it gave instead.
    pub fn get<T: FromWire>(&self, handle: &Handle<T>) -> Result<T, CommandError> {
        self.decode(&handle.key)
    }

    pub(crate) fn decode<T: FromWire>(&self, key: &str) -> Result<T, CommandError> {
        if let Some(e) = self.errors.get(key) {
            return Err(CommandError::Api(e.clone()));
        }
        let method = self.methods.get(key).map_or("batch", String::as_str);
        match self.results.get(key) {
            Some(v) => self.decode_value(method, key, v),
            None if self.halted => Err(CommandError::NotRun {
                key: key.to_string(),
                reason: "the batch halted at an earlier error".into(),
            }),
            // `null` results are dropped from the map by some portals.
            None => T::from_wire(&Value::Null).map_err(|_| CommandError::Unknown {
                key: key.to_string(),
                reason: "no result and no error for this command".into(),
            }),
        }
    }

    /// A command's result: strictly, and when that fails and the client is lenient, again
    /// leniently (each member left out reported as a `tracing` warning).
    fn decode_value<T: FromWire>(
        &self,
        method: &str,
        key: &str,
        v: &Value,
    ) -> Result<T, CommandError> {
        let strict = match T::from_wire(v) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        if self.lenient
            && let Ok((t, unread)) = crate::wire::decode_value_lenient::<T>(v)
        {
            for u in unread {
                tracing::warn!(
                    target: "b24",
                    method,
                    path = %self.scrub.apply(&u.path.replacen('$', &format!("$.result.result.{key}"), 1)),
                    expected = %u.expected,
                    found = %self.scrub.apply(&u.found),
                    "a member of the answer is not of the documented form: left out of its field, kept in `extra`"
                );
            }
            return Ok(t);
        }
        let e = strict;
        Err(CommandError::Decode(DecodeError::new(
            method,
            DecodeKind::Value,
            &self
                .scrub
                .apply(&e.path_from(&format!("$.result.result.{key}"))),
            self.scrub.apply(&format!(
                "expected {}, found {}",
                e.expected_what(),
                e.found()
            )),
            self.status,
        )))
    }

    /// The result of the command `key`, as [`BatchResults::get`] decodes it (for the fuzz
    /// targets, which have keys, not handles).
    #[doc(hidden)]
    pub fn get_key<T: FromWire>(&self, key: &str) -> Result<T, CommandError> {
        self.decode(key)
    }

    /// `total` of a list command.
    pub fn total<T>(&self, handle: &Handle<T>) -> Option<i64> {
        self.totals
            .get(&handle.key)
            .and_then(|v| i64::from_wire(v).ok())
    }

    /// `next` of a list command.
    pub fn next<T>(&self, handle: &Handle<T>) -> Option<i64> {
        self.nexts
            .get(&handle.key)
            .and_then(|v| i64::from_wire(v).ok())
    }

    /// Keys of the commands that ran (with a result or an error of their own).
    pub fn ran(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|k| {
                self.results.contains_key(*k) || self.errors.get(*k).is_some_and(|e| !is_refusal(e))
            })
            .map(String::as_str)
            .collect()
    }

    /// Keys of the commands that did not run (halted, or refused by a limit).
    pub fn not_run(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|k| {
                let refused = self.errors.get(*k).is_some_and(is_refusal);
                let skipped =
                    self.halted && !self.results.contains_key(*k) && !self.errors.contains_key(*k);
                refused || skipped
            })
            .map(String::as_str)
            .collect()
    }
}

/// The results of [`Client::batch_all`], one per command, in input order: boxed, so that
/// it is `Unpin` and can be named.
pub type BatchStream<'a, T> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<T, CommandError>> + Send + 'a>>;

fn is_refusal(e: &ApiError) -> bool {
    matches!(
        e.code(),
        ErrorCode::OperationTimeLimit | ErrorCode::QueryLimitExceeded
    )
}

impl Client {
    /// Runs many commands of one method as a stream of their results, in input order:
    /// batches of at most 50, at most the bucket's capacity of them in flight, the
    /// commands taken from `methods` only as batches are sent. A command that failed, did
    /// not run or may have run says so; a batch of non-idempotent commands is never sent
    /// twice.
    ///
    /// ```no_run
    /// use b24::prelude::*;
    ///
    /// #[b24_method("im.recent.unread")]
    /// struct MarkUnread;
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let marks = (1..=200).map(|chat| MarkUnread::new(DialogId::Chat(chat)));
    /// let results: Vec<_> = client.batch_all(marks).collect().await;
    /// for failed in results.iter().filter_map(|r| r.as_ref().err()) {
    ///     eprintln!("{failed}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn batch_all<'a, M, I>(&'a self, methods: I) -> BatchStream<'a, M::Output>
    where
        M: Method + 'a,
        I: IntoIterator<Item = M>,
        I::IntoIter: Send + 'a,
    {
        use futures_util::StreamExt;
        let at_once = self.limiter().capacity();
        futures_util::stream::iter(methods)
            .chunks(MAX_COMMANDS)
            .map(move |chunk| async move { self.run_chunk(&chunk).await })
            .buffered(at_once)
            .flat_map(futures_util::stream::iter)
            .boxed()
    }

    async fn run_chunk<M: Method>(&self, chunk: &[M]) -> Vec<Result<M::Output, CommandError>> {
        let mut out: Vec<Option<Result<M::Output, CommandError>>> =
            (0..chunk.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        // Commands refused by the operating-time limit did not run: send them again.
        for _round in 0..self.retry_policy().refused_attempts() {
            if pending.is_empty() {
                break;
            }
            let mut batch = self.batch();
            let mut handles = Vec::new();
            for &i in &pending {
                match batch.add_keyed(&format!("c{i}"), &chunk[i]) {
                    Ok(h) => handles.push((i, h)),
                    Err(e) => {
                        out[i] = Some(Err(CommandError::NotRun {
                            key: format!("c{i}"),
                            reason: e.to_string(),
                        }))
                    }
                }
            }
            if handles.is_empty() {
                break;
            }
            let results = match batch.send().await {
                Ok(r) => r,
                Err(Error::Batch(b)) => {
                    for (i, h) in handles {
                        let key = h.key().to_string();
                        let reason = b.cause().to_string();
                        out[i] = Some(Err(if b.unknown().contains(&key) {
                            CommandError::Unknown { key, reason }
                        } else {
                            CommandError::NotRun { key, reason }
                        }));
                    }
                    break;
                }
                Err(e) => {
                    // A batch answer that did not decode ran; one refused before sending
                    // did not.
                    let reason = e.to_string();
                    for (i, h) in handles {
                        let key = h.key().to_string();
                        let reason = reason.clone();
                        out[i] = Some(Err(if e.may_have_run() {
                            CommandError::Unknown { key, reason }
                        } else {
                            CommandError::NotRun { key, reason }
                        }));
                    }
                    break;
                }
            };
            let mut again = Vec::new();
            let mut wait = None;
            for (i, h) in handles {
                match results.get(&h) {
                    Err(CommandError::Api(a)) if a.code() == &ErrorCode::OperationTimeLimit => {
                        wait = Some(self.operating().blocked(
                            a.method(),
                            None,
                            std::time::Duration::from_secs(10),
                        ));
                        again.push(i);
                        out[i] = Some(Err(CommandError::Api(a)));
                    }
                    r => out[i] = Some(r),
                }
            }
            pending = again;
            if let Some(w) = wait {
                tokio::time::sleep(w).await;
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.unwrap_or_else(|| {
                    Err(CommandError::NotRun {
                        key: format!("c{i}"),
                        reason: "not sent".into(),
                    })
                })
            })
            .collect()
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

/// Encodes JSON parameters as a PHP-style query string (`filter[>ID]=5&select[0]=ID`).
pub fn encode_query(params: &Value) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    match params {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&enc(k), v, &mut pairs);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                flatten(&i.to_string(), v, &mut pairs);
            }
        }
        _ => {}
    }
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        // An empty array or map has no form in a query string: it is left out.
        Value::Null => {}
        Value::Object(m) => {
            for (k, x) in m {
                flatten(&format!("{prefix}[{}]", enc(k)), x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        Value::String(s) => match s.strip_prefix(REF_MARK) {
            Some(r) => out.push((prefix.to_string(), r.to_string())),
            None => out.push((prefix.to_string(), enc(s))),
        },
        Value::Bool(b) => out.push((prefix.to_string(), if *b { "1" } else { "0" }.to_string())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn php_style_query() {
        let q = encode_query(&json!({
            "filter": {">ID": 5, "STAGE_ID": ["NEW", "WON"]},
            "select": ["ID", "TITLE"],
            "fields": {"TITLE": "a b&c", "OPENED": true},
            "none": null,
            "start": -1
        }));
        assert_eq!(
            q,
            "filter[%3EID]=5&filter[STAGE_ID][0]=NEW&filter[STAGE_ID][1]=WON&select[0]=ID&select[1]=TITLE&fields[TITLE]=a+b%26c&fields[OPENED]=1&start=-1"
        );
    }

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
