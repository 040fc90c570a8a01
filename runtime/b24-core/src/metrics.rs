//! What a client has sent so far: [`Metrics`], counted by every clone of a client.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// What a client has sent so far (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// HTTP requests sent (a batch is one).
    pub requests: u64,
    /// Requests repeated after the portal refused them without running them.
    pub retried_refused: u64,
    /// Requests repeated after an ambiguous failure (idempotent or opted in).
    pub retried_ambiguous: u64,
    /// OAuth token refreshes.
    pub refreshes: u64,
    /// Times the shared rate limit's store failed and the client paced itself alone
    /// (see [`ClientBuilder::shared_rate_limit`]).
    pub shared_limit_errors: u64,
    /// REST 3.0 answers the portal replayed: a repeated call with the same
    /// `Idempotency-Key` got the stored answer of the first, which ran once.
    pub replayed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct MetricsCounters {
    pub(crate) requests: AtomicU64,
    pub(crate) retried_refused: AtomicU64,
    pub(crate) retried_ambiguous: AtomicU64,
    pub(crate) refreshes: AtomicU64,
    pub(crate) replayed: AtomicU64,
}

pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Relaxed);
}

impl MetricsCounters {
    /// A snapshot, with the shared limit's failures counted elsewhere.
    pub(crate) fn snapshot(&self, shared_limit_errors: u64) -> Metrics {
        Metrics {
            requests: self.requests.load(Relaxed),
            retried_refused: self.retried_refused.load(Relaxed),
            retried_ambiguous: self.retried_ambiguous.load(Relaxed),
            refreshes: self.refreshes.load(Relaxed),
            shared_limit_errors,
            replayed: self.replayed.load(Relaxed),
        }
    }
}
