//! A synchronous client, for command-line tools, scripts and build steps: the same
//! [`Client`](crate::Client) — limits, retries, auth, errors — driven by a runtime of its
//! own (one background thread), as `reqwest::blocking` does it. Feature `blocking`.
//!
//! ```no_run
//! use b24::prelude::*;
//!
//! #[b24_method("im.recent.unread")]
//! pub struct MarkUnread;
//!
//! fn main() -> Result<(), b24::Error> {
//!     let client = b24::blocking::Client::from_webhook(std::env::var("B24_WEBHOOK_URL").unwrap_or_default())?;
//!     let done: bool = client.call(&MarkUnread::new(b24::types::DialogId::Chat(1)))?;
//!     println!("{done}");
//!     Ok(())
//! }
//! ```
//!
//! Calling it from inside an async runtime is refused with a [`ConfigKind::Unsupported`]
//! error (blocking a runtime's thread would stall it): use the async client there.
//!
//! [`ConfigKind::Unsupported`]: crate::ConfigKind::Unsupported

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::Value;

use crate::error::{ConfigError, ConfigKind};
use crate::{Error, ItemStream, ListMethod, Method, Metrics, Response};

/// The synchronous client: see the [module](self) docs. Clones share the connection
/// pool, the limits and the runtime.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    rt: Arc<OwnRuntime>,
}

/// The client's runtime, shut down without waiting when the last clone goes (which may
/// happen inside an async context, where a plain drop would panic).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for an incoming webhook (`https://{portal}/rest/{user}/{code}/`).
    pub fn from_webhook(url: impl AsRef<str>) -> Result<Client, Error> {
        Client::new(crate::Client::from_webhook(url)?)
    }

    /// Drives `client` (built with [`ClientBuilder`](crate::ClientBuilder), any auth)
    /// synchronously.
    pub fn new(client: crate::Client) -> Result<Client, Error> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("b24-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::from(ConfigError::new(
                    ConfigKind::Unsupported,
                    format!("the blocking client cannot start its runtime: {e}"),
                ))
            })?;
        Ok(Client {
            inner: client,
            rt: Arc::new(OwnRuntime(Some(rt))),
        })
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// What this client has sent so far.
    pub fn metrics(&self) -> Metrics {
        self.inner.metrics()
    }

    /// Runs `fut` to its end on this client's runtime; refused inside an async runtime.
    fn run<T>(&self, fut: impl std::future::Future<Output = Result<T, Error>>) -> Result<T, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ConfigError::new(
                ConfigKind::Unsupported,
                "the blocking client was called inside an async runtime, whose thread it would block: use `b24::Client` there".into(),
            )
            .into());
        }
        match &self.rt.0 {
            Some(rt) => rt.block_on(fut),
            // Only `drop` takes it, and nothing runs after that.
            None => Err(ConfigError::new(
                ConfigKind::Unsupported,
                "the blocking client was shut down".into(),
            )
            .into()),
        }
    }

    /// Calls a typed method (validated first, as [`crate::Client::call`] does).
    pub fn call<M: Method>(&self, method: &M) -> Result<M::Output, Error> {
        self.run(self.inner.call(method).into_future())
    }

    /// Calls a typed method and keeps the whole answer (`time`, `total`, `next`).
    pub fn call_full<M: Method>(&self, method: &M) -> Result<Response<M::Output>, Error> {
        self.run(self.inner.call(method).full().into_future())
    }

    /// Calls a method by name with JSON parameters (the escape hatch).
    pub fn raw(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.run(self.inner.raw(method, params).into_future())
    }

    /// Every item of a list method, page by page as the iterator is read.
    pub fn list<M>(&self, method: M) -> Items<'_, M::Item>
    where
        M: ListMethod + 'static,
        M::Item: Send,
    {
        Items {
            client: self,
            stream: self.inner.list(method),
            done: false,
        }
    }
}

/// The items of [`Client::list`]: each `next` reads on (a page at a time).
pub struct Items<'c, T> {
    client: &'c Client,
    stream: ItemStream<'c, T>,
    /// Refused (inside an async runtime): the error was given once.
    done: bool,
}

impl<T> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

impl<T> Iterator for Items<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let stream = &mut self.stream;
        match self.client.run(async { Ok(stream.next().await) }) {
            Ok(item) => item,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
