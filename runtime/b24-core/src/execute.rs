//! The way every request takes: the method's operating-time budget, an OAuth refresh
//! when one is due, the rate limit, one attempt (`attempt.rs`), and after a failure the
//! retry decision (`retry.rs`) — wait and send again, refresh the token, or give up.

use std::time::Duration;

use crate::auth::Auth;
use crate::client::Client;
use crate::envelope::RawAnswer;
use crate::error::{ApiError, Error};
use crate::metrics::bump;
use crate::prepared::Prepared;
use crate::retry::{Failure, Retries, Step};

impl Client {
    /// Sends `req` through the limits, with the retries the policy allows: a request
    /// that may have run is repeated only when `req` says it may be.
    pub(crate) async fn execute(&self, req: &Prepared) -> Result<RawAnswer, Error> {
        let method = req.method.as_ref();
        let mut retries = Retries::new(self.inner.retry, req.retry_ambiguous, req.key.is_some());
        loop {
            self.before_attempt(method, &retries).await?;
            let generation = match &self.inner.endpoint.auth {
                Auth::OAuth(state) => state.current().1,
                Auth::Webhook { .. } => 0,
            };
            let result = {
                let permit = self.inner.limiter.acquire().await;
                let r = self.attempt(req).await;
                self.inner.limiter.release(permit).await;
                r
            };
            let e = match result {
                Ok(answer) => {
                    self.observe(method, &answer).await;
                    return Ok(answer);
                }
                Err(e) => e,
            };
            let failure = Failure::of(&e);
            let wait = self.wait_after(method, failure).await;
            match retries.next(failure, wait) {
                Step::Sleep(d) => {
                    let counter = if failure.refused() {
                        &self.inner.metrics.retried_refused
                    } else {
                        &self.inner.metrics.retried_ambiguous
                    };
                    bump(counter);
                    tracing::debug!(target: "b24", method, wait_ms = d.as_millis() as u64, ?failure, "retrying");
                    tokio::time::sleep(d).await;
                }
                Step::Refresh => {
                    let Auth::OAuth(state) = &self.inner.endpoint.auth else {
                        return Err(e);
                    };
                    if !state.can_refresh() {
                        return Err(e);
                    }
                    if state.refresh(&self.inner.http, generation).await? {
                        bump(&self.inner.metrics.refreshes);
                    }
                }
                Step::GiveUp => return Err(e),
            }
        }
    }

    /// What comes before each attempt: pauses other processes shared, the method's
    /// operating-time budget (a wait past the call's deadline is not begun), and an
    /// OAuth token refreshed ahead of its expiry.
    async fn before_attempt(&self, method: &str, retries: &Retries) -> Result<(), Error> {
        if let Some(paused) = self.inner.limiter.paused_elsewhere().await {
            for (m, until) in paused {
                self.inner.operating.pause_until(&m, until);
            }
        }
        if let Some(wait) = self.inner.operating.wait_for(method) {
            if !retries.fits(wait) {
                return Err(ApiError::new(
                    method,
                    "OPERATION_TIME_LIMIT",
                    format!(
                        "not sent: the method's operating-time budget is spent for {} s more, past the call's deadline",
                        wait.as_secs()
                    ),
                    429,
                )
                .into());
            }
            tracing::debug!(target: "b24", method, wait_ms = wait.as_millis() as u64, "operating-time budget spent: waiting");
            tokio::time::sleep(wait).await;
        }
        if let Auth::OAuth(state) = &self.inner.endpoint.auth
            && state.expired()
            && state.can_refresh()
        {
            let (_, generation) = state.current();
            if state.refresh(&self.inner.http, generation).await? {
                bump(&self.inner.metrics.refreshes);
            }
        }
        Ok(())
    }

    /// The operating time an answer reports, kept (and shared when the budget is spent).
    async fn observe(&self, method: &str, answer: &RawAnswer) {
        if let Some(t) = &answer.time
            && let Some(reset) =
                self.inner
                    .operating
                    .observe(method, t.operating, t.operating_reset_at)
        {
            self.inner.limiter.share_pause(method, reset as f64).await;
        }
    }

    /// How long a request refused with `failure` waits before it is sent again: what the
    /// bucket (a 503), the operating-time budget (a 429, shared with other processes) or
    /// a failed connection calls for, with jitter where clients refused together would
    /// come back together.
    async fn wait_after(&self, method: &str, failure: Failure) -> Duration {
        match failure {
            Failure::RateLimited => {
                self.inner.limiter.saturate();
                crate::limits::jittered(self.inner.limiter.retry_after_503())
            }
            Failure::OperatingTime => {
                let d = self
                    .inner
                    .operating
                    .blocked(method, None, Duration::from_secs(10));
                let until = crate::limits::unix_now() + d.as_secs_f64();
                self.inner.limiter.share_pause(method, until).await;
                d
            }
            Failure::NotSent => crate::limits::jittered(Duration::from_millis(100)),
            Failure::Expired | Failure::Ambiguous | Failure::Final => Duration::ZERO,
        }
    }
}
