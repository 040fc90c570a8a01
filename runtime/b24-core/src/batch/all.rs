//! Many commands in as many batches as they take — typed ([`Client::batch_all`]) or by
//! name ([`Client::batch_all_raw`]), on one engine: batches of at most 50, at most the
//! bucket's capacity of them in flight, the commands refused by the operating-time limit
//! sent again, results in input order.

use futures_util::StreamExt;
use serde_json::Value;

use super::{Command, MAX_COMMANDS};
use crate::client::Client;
use crate::error::{CommandError, Error, ErrorCode};
use crate::method::Method;
use crate::wire::FromWire;

/// The results of [`Client::batch_all`] (and [`Client::batch_all_raw`]), one per command,
/// in input order: boxed, so that it is `Unpin` and can be named.
pub type BatchStream<'a, T> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<T, CommandError>> + Send + 'a>>;

/// One command by name for [`Client::batch_all_raw`]: a method, its parameters (a JSON
/// object), and whether running it twice is harmless.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCommand {
    /// The method (`crm.deal.get`).
    pub method: String,
    /// Its parameters, a JSON object (or `null` for none).
    pub params: Value,
    /// Running it twice is harmless: a batch of such commands is repeated after an
    /// ambiguous failure.
    pub idempotent: bool,
}

impl RawCommand {
    /// A command of `method` with `params`, not idempotent.
    pub fn new(method: impl Into<String>, params: Value) -> RawCommand {
        RawCommand {
            method: method.into(),
            params,
            idempotent: false,
        }
    }

    /// Marks it harmless to run twice (see [`RawCommand::idempotent`]).
    pub fn idempotent(mut self, yes: bool) -> RawCommand {
        self.idempotent = yes;
        self
    }
}

impl Client {
    /// Runs many commands of one method as a stream of their results, in input order:
    /// batches of at most 50, at most the bucket's capacity of them in flight, the
    /// commands taken from `methods` only as batches are sent. A command refused by the
    /// method's operating-time limit did not run, and is sent again once the limit allows;
    /// a command that failed, did not run or may have run says so; a batch of
    /// non-idempotent commands is never sent twice.
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
        let commands = methods
            .into_iter()
            .map(|m| Command::typed::<M, super::Untyped>(&m, &[]));
        self.run_all(commands)
    }

    /// Runs many commands by name as a stream of their results (JSON), in input order:
    /// what [`Client::batch_all`] does for bindings, on the same engine (its batches, its
    /// concurrency, its re-sending of what the operating-time limit refused), for methods
    /// known at run time (the `b24` command line).
    ///
    /// ```no_run
    /// use b24::prelude::*;
    /// use b24::RawCommand;
    ///
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let gets = (1..=120).map(|id| RawCommand::new("crm.deal.get", serde_json::json!({"id": id})).idempotent(true));
    /// let deals: Vec<_> = client.batch_all_raw(gets).collect().await;
    /// # Ok(()) }
    /// ```
    pub fn batch_all_raw<'a, I>(&'a self, commands: I) -> BatchStream<'a, Value>
    where
        I: IntoIterator<Item = RawCommand>,
        I::IntoIter: Send + 'a,
    {
        let commands = commands
            .into_iter()
            .map(|c| Command::by_name(&c.method, &c.params, c.idempotent));
        self.run_all(commands)
    }

    /// The engine: prepared commands in chunks of a batch, run at the bucket's
    /// concurrency, results flattened in input order.
    fn run_all<'a, T, I>(&'a self, commands: I) -> BatchStream<'a, T>
    where
        T: FromWire + Send + 'a,
        I: Iterator<Item = Result<Command, Error>> + Send + 'a,
    {
        let at_once = self.limiter().capacity();
        futures_util::stream::iter(commands)
            .chunks(MAX_COMMANDS)
            .map(move |chunk| async move { self.run_chunk::<T>(chunk).await })
            .buffered(at_once)
            .flat_map(futures_util::stream::iter)
            .boxed()
    }

    /// One chunk (at most a batch) of commands: sent, and the ones the operating-time
    /// limit refused sent again after the wait it asks for, as long as the policy allows.
    async fn run_chunk<T: FromWire>(
        &self,
        chunk: Vec<Result<Command, Error>>,
    ) -> Vec<Result<T, CommandError>> {
        let mut out: Vec<Option<Result<T, CommandError>>> =
            (0..chunk.len()).map(|_| None).collect();
        let mut pending: Vec<(usize, Command)> = Vec::new();
        for (i, c) in chunk.into_iter().enumerate() {
            match c {
                Ok(c) => pending.push((i, c)),
                Err(e) => out[i] = Some(Err(not_run(i, e.to_string()))),
            }
        }
        for _round in 0..self.retry_policy().refused_attempts() {
            if pending.is_empty() {
                break;
            }
            let (again, wait) = self.round(&pending, &mut out).await;
            pending = again;
            if let Some(w) = wait {
                tokio::time::sleep(w).await;
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(i, r)| r.unwrap_or_else(|| Err(not_run(i, "not sent".into()))))
            .collect()
    }

    /// One batch of the `pending` commands, their results set in `out`: the commands to
    /// send again (refused by the operating-time limit), and how long to wait first.
    async fn round<T: FromWire>(
        &self,
        pending: &[(usize, Command)],
        out: &mut [Option<Result<T, CommandError>>],
    ) -> (Vec<(usize, Command)>, Option<std::time::Duration>) {
        let mut batch = self.batch();
        for (i, c) in pending {
            // Keys `c0`…`c49` of a chunk of at most 50: always room, always unique.
            let _ = batch.push::<T>(format!("c{i}"), c.clone());
        }
        let results = match batch.send().await {
            Ok(r) => r,
            Err(e) => {
                // A batch refused before it was sent did not run; one that failed after
                // may have (the error of `Batch::send` says which).
                let (unknown, reason) = match &e {
                    Error::Batch(b) => (!b.unknown().is_empty(), b.cause().to_string()),
                    other => (other.may_have_run(), other.to_string()),
                };
                for (i, _) in pending {
                    let key = format!("c{i}");
                    let reason = reason.clone();
                    out[*i] = Some(Err(if unknown {
                        CommandError::Unknown { key, reason }
                    } else {
                        CommandError::NotRun { key, reason }
                    }));
                }
                return (Vec::new(), None);
            }
        };
        let mut again = Vec::new();
        let mut wait = None;
        for (i, c) in pending {
            let key = format!("c{i}");
            // Each command's use of its method's operating-time budget, and when it
            // resets: a command refused by the limit waits until then.
            if let Some(t) = results.time(&key) {
                self.operating()
                    .observe(&c.method, t.operating, t.operating_reset_at);
            }
            match results.get_key::<T>(&key) {
                Err(CommandError::Api(a)) if a.code() == &ErrorCode::OperationTimeLimit => {
                    wait = Some(self.operating().blocked(
                        a.method(),
                        None,
                        std::time::Duration::from_secs(10),
                    ));
                    again.push((*i, c.clone()));
                    out[*i] = Some(Err(CommandError::Api(a)));
                }
                r => out[*i] = Some(r),
            }
        }
        (again, wait)
    }
}

fn not_run(i: usize, reason: String) -> CommandError {
    CommandError::NotRun {
        key: format!("c{i}"),
        reason,
    }
}
