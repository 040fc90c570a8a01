//! A batch's answers, by command: each decoded into its own type on demand, its error
//! kept beside it, what ran and what did not told apart.

use std::collections::{BTreeMap, HashMap};

use serde_json::value::RawValue;

use super::Handle;
use super::answer::Answer;
use crate::auth::Scrubber;
use crate::envelope::Time;
use crate::error::{ApiError, CommandError, DecodeError, DecodeKind, Error, ErrorCode};
use crate::wire::FromWire;

/// Decodes a `batch` answer's body as [`Batch::send`] does, for commands given as
/// `(key, method)` (the fuzz targets and property tests use this; not a public API).
pub fn decode_batch_body(
    commands: &[(&str, &'static str)],
    halt: bool,
    status: u16,
    body: &[u8],
) -> Result<BatchResults, Error> {
    let answer = crate::envelope::decode_envelope("batch", status, body, Scrubber::none())?;
    let commands: Vec<(String, String)> = commands
        .iter()
        .map(|(key, method)| (key.to_string(), method.to_string()))
        .collect();
    BatchResults::from_answer(
        &commands,
        halt,
        answer.status,
        answer.result.get(),
        answer.scrub.clone(),
    )
}

/// The answers of a batch, by command.
#[derive(Debug, Clone)]
pub struct BatchResults {
    keys: Vec<String>,
    methods: BTreeMap<String, String>,
    /// Each command's result, as the text the portal sent.
    results: HashMap<String, Box<RawValue>>,
    errors: BTreeMap<String, ApiError>,
    totals: HashMap<String, i64>,
    nexts: HashMap<String, i64>,
    /// Each command's `time` block: how much of its method's operating-time budget is
    /// used, and when it resets.
    times: HashMap<String, Time>,
    halted: bool,
    status: u16,
    /// What a command's error or value may echo of the client's secrets goes.
    scrub: Scrubber,
    /// A command's result that does not decode strictly is decoded leniently (the
    /// client's setting, see [`crate::ClientBuilder::strict_decoding`]).
    pub(super) lenient: bool,
}

impl BatchResults {
    /// The results of the commands (`keys`, each with its method) from the text of the
    /// batch's `result`.
    pub(super) fn from_answer(
        commands: &[(String, String)],
        halt: bool,
        status: u16,
        text: &str,
        scrub: Scrubber,
    ) -> Result<BatchResults, Error> {
        let answer = Answer::read(text).map_err(|e| {
            DecodeError::new(
                "batch",
                DecodeKind::Value,
                "$.result",
                scrub.apply(&format!(
                    "expected a batch's results (an object), found {e}"
                )),
                status,
            )
        })?;
        let methods: BTreeMap<String, String> = commands.iter().cloned().collect();
        let errors = answer
            .result_error
            .keys()
            .filter_map(|k| {
                let (code, description) = answer.error(k)?;
                let (code, description) = (scrub.apply(&code), scrub.apply(&description));
                let method = methods.get(k).map_or("batch", String::as_str).to_string();
                let status = ErrorCode::from(code.as_str())
                    .documented_status()
                    .unwrap_or(400);
                Some((k.clone(), ApiError::new(method, code, description, status)))
            })
            .collect();
        let ints = |m: &HashMap<String, &RawValue>| -> HashMap<String, i64> {
            m.keys()
                .filter_map(|k| Some((k.clone(), Answer::int(m, k)?)))
                .collect()
        };
        Ok(BatchResults {
            keys: commands.iter().map(|(k, _)| k.clone()).collect(),
            results: answer
                .result
                .iter()
                .map(|(k, v)| (k.clone(), (*v).to_owned()))
                .collect(),
            totals: ints(&answer.result_total),
            nexts: ints(&answer.result_next),
            times: answer
                .result_time
                .iter()
                .filter_map(|(k, v)| {
                    let t = crate::wire::decode_slice::<Time>(v.get().as_bytes()).ok()?;
                    Some((k.clone(), t))
                })
                .collect(),
            methods,
            errors,
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
            Some(v) => self.decode_text(method, key, v.get()),
            None if self.halted => Err(CommandError::NotRun {
                key: key.to_string(),
                reason: "the batch halted at an earlier error".into(),
            }),
            // `null` results are dropped from the map by some portals.
            None => T::from_wire(&serde_json::Value::Null).map_err(|_| CommandError::Unknown {
                key: key.to_string(),
                reason: "no result and no error for this command".into(),
            }),
        }
    }

    /// A command's result: strictly, and when that fails and the client is lenient, again
    /// leniently (each member left out reported as a `tracing` warning).
    fn decode_text<T: FromWire>(
        &self,
        method: &str,
        key: &str,
        text: &str,
    ) -> Result<T, CommandError> {
        let at = format!("$.result.result.{key}");
        let lenient = self.lenient.then_some(&self.scrub);
        crate::envelope::decode_text(text.as_bytes(), method, &at, lenient)
            .map(|(t, _)| t)
            .map_err(|e| {
                CommandError::Decode(DecodeError::new(
                    method,
                    DecodeKind::Value,
                    &self.scrub.apply(&e.path_from(&at)),
                    self.scrub.apply(&format!(
                        "expected {}, found {}",
                        e.expected_what(),
                        e.found()
                    )),
                    self.status,
                ))
            })
    }

    /// The result of the command `key`, as [`BatchResults::get`] decodes it (for the fuzz
    /// targets, which have keys, not handles).
    #[doc(hidden)]
    pub fn get_key<T: FromWire>(&self, key: &str) -> Result<T, CommandError> {
        self.decode(key)
    }

    /// `total` of a list command.
    pub fn total<T>(&self, handle: &Handle<T>) -> Option<i64> {
        self.totals.get(&handle.key).copied()
    }

    /// `next` of a list command.
    pub fn next<T>(&self, handle: &Handle<T>) -> Option<i64> {
        self.nexts.get(&handle.key).copied()
    }

    /// The `time` block of command `key`, when the portal sent one.
    pub(crate) fn time(&self, key: &str) -> Option<&Time> {
        self.times.get(key)
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

pub(super) fn is_refusal(e: &ApiError) -> bool {
    matches!(
        e.code(),
        ErrorCode::OperationTimeLimit | ErrorCode::QueryLimitExceeded
    )
}
