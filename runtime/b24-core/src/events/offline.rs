//! Binding handlers, and the offline queue: events kept by the portal for an application
//! without a public handler URL (`event.bind` with `event_type=offline`), read with
//! `event.offline.get` and removed with `event.offline.clear` once processed.

use std::future::Future;

use serde_json::{Value, json};

use crate::Client;
use crate::error::Error;
use crate::wire::FromWire;

impl Client {
    /// Binds `handler_url` to `event` (`event.bind`): the portal posts each such event
    /// there (see [`router`](crate::events)).
    pub async fn bind_event(&self, event: &str, handler_url: &str) -> Result<(), Error> {
        let params = json!({ "event": event, "handler": handler_url });
        self.raw("event.bind", params).await.map(drop)
    }

    /// Keeps `event` in the portal's offline queue for this application
    /// (`event.bind` with `event_type=offline`); read it with [`Client::offline_events`].
    pub async fn bind_offline_event(&self, event: &str) -> Result<(), Error> {
        let params = json!({ "event": event, "event_type": "offline" });
        self.raw("event.bind", params).await.map(drop)
    }

    /// Unbinds `handler_url` (every handler when `None`) from `event` (`event.unbind`).
    pub async fn unbind_event(&self, event: &str, handler_url: Option<&str>) -> Result<(), Error> {
        let mut params = json!({ "event": event });
        if let Some(h) = handler_url {
            params["handler"] = json!(h);
        }
        self.raw("event.unbind", params)
            .retry_ambiguous()
            .await
            .map(drop)
    }

    /// The offline queue of this application's events.
    ///
    /// ```no_run
    /// # async fn run(client: b24::Client) -> Result<(), b24::Error> {
    /// let mut queue = client.offline_events();
    /// let done = queue
    ///     .drain(|event| async move {
    ///         println!("{} {}", event.name, event.data);
    ///         Ok::<(), std::io::Error>(())
    ///     })
    ///     .await;
    /// # Ok(()) }
    /// ```
    pub fn offline_events(&self) -> OfflineQueue<'_> {
        OfflineQueue {
            client: self,
            process_id: None,
            limit: 50,
        }
    }
}

/// One event of the offline queue.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OfflineEvent {
    /// The record's id in the queue.
    pub id: i64,
    /// The event's name (`ONCRMDEALADD`).
    pub name: String,
    /// The event's data.
    pub data: Value,
    /// When it happened, as the portal wrote it.
    pub timestamp: Option<String>,
    /// `MESSAGE_ID`.
    pub message_id: Option<String>,
}

/// The offline queue (see [`Client::offline_events`]): events are fetched held for this
/// queue's process (`clear=0`) and removed only once acknowledged, so that an event whose
/// processing failed is fetched again.
#[derive(Debug)]
pub struct OfflineQueue<'c> {
    client: &'c Client,
    process_id: Option<String>,
    limit: u32,
}

/// Why [`OfflineQueue::drain`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrainError<E> {
    /// Your code failed on an event: it and the ones after it stay in the queue.
    #[error("processing offline event {event_id} failed (after {processed} processed)")]
    Handler {
        /// The event that failed.
        event_id: i64,
        /// How many were processed and acknowledged before it.
        processed: usize,
        /// Your code's error.
        #[source]
        error: E,
    },
    /// A call to the portal failed.
    #[error(transparent)]
    Call(#[from] Error),
}

impl<'c> OfflineQueue<'c> {
    /// At most `n` events a fetch (default 50).
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = n.max(1);
        self
    }

    /// Takes up the events a previous process held (its [`OfflineQueue::process_id`], kept
    /// across a restart), before new ones.
    pub fn resume(mut self, process_id: impl Into<String>) -> Self {
        self.process_id = Some(process_id.into());
        self
    }

    /// The process the portal holds this queue's fetched events for, once known.
    pub fn process_id(&self) -> Option<&str> {
        self.process_id.as_deref()
    }

    /// The next events, held for this queue until acknowledged (`event.offline.get` with
    /// `clear=0`); empty when the queue is.
    pub async fn fetch(&mut self) -> Result<Vec<OfflineEvent>, Error> {
        let mut params = json!({ "clear": 0, "limit": self.limit });
        let known = self.process_id.is_some();
        if let Some(p) = &self.process_id {
            params["process_id"] = json!(p);
        }
        let mut call = self.client.raw("event.offline.get", params);
        if known {
            // With its process named, a repeat fetches the same events again.
            call = call.retry_ambiguous();
        }
        let answer = call.await?;
        if let Some(p) = answer.get("process_id").and_then(Value::as_str) {
            self.process_id = Some(p.to_string());
        }
        let events = answer.get("events").and_then(Value::as_array);
        Ok(events.into_iter().flatten().filter_map(event).collect())
    }

    /// Removes processed events from the queue (`event.offline.clear`).
    pub async fn ack(&mut self, ids: &[i64]) -> Result<(), Error> {
        let Some(process) = &self.process_id else {
            return Ok(());
        };
        if ids.is_empty() {
            return Ok(());
        }
        let params = json!({ "process_id": process, "id": ids });
        // Removing twice is harmless.
        self.client
            .raw("event.offline.clear", params)
            .retry_ambiguous()
            .await
            .map(drop)
    }

    /// Hands every queued event to `process`, in order, until the queue is empty; an event
    /// is acknowledged once `process` returns `Ok`. On the first `Err` the events processed
    /// are acknowledged and the drain stops: the failed event and the ones after it stay
    /// queued, held for this queue, and the next drain starts with them. (A process that
    /// dies between processing an event and its acknowledgement sees it again: make
    /// `process` safe to repeat.) Returns how many events were processed.
    pub async fn drain<F, Fut, E>(&mut self, mut process: F) -> Result<usize, DrainError<E>>
    where
        F: FnMut(OfflineEvent) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let mut processed = 0;
        loop {
            let events = self.fetch().await?;
            if events.is_empty() {
                return Ok(processed);
            }
            let mut done = Vec::with_capacity(events.len());
            for e in events {
                let id = e.id;
                if let Err(error) = process(e).await {
                    self.ack(&done).await?;
                    return Err(DrainError::Handler {
                        event_id: id,
                        processed: processed + done.len(),
                        error,
                    });
                }
                done.push(id);
            }
            self.ack(&done).await?;
            processed += done.len();
        }
    }
}

fn event(v: &Value) -> Option<OfflineEvent> {
    let text = |k: &str| v.get(k).and_then(|x| String::from_wire(x).ok());
    Some(OfflineEvent {
        id: v.get("ID").and_then(|x| i64::from_wire(x).ok())?,
        name: text("EVENT_NAME")?.to_ascii_uppercase(),
        data: v.get("EVENT_DATA").cloned().unwrap_or(Value::Null),
        timestamp: text("TIMESTAMP_X"),
        message_id: text("MESSAGE_ID"),
    })
}
