//! When a failed attempt is repeated: the [`RetryPolicy`], and the decision after each
//! failure — a pure step from what went wrong to *sleep*, *refresh* or *give up* — kept
//! apart from the loop that sends (`execute.rs`), so that it is tested alone under a
//! paused clock.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::{DecodeKind, Error, ErrorCode};

/// When calls are repeated.
///
/// A request the portal refused without running it (503 `QUERY_LIMIT_EXCEEDED`,
/// 429 `OPERATION_TIME_LIMIT`, no connection) is always repeated, after the wait the
/// portal asks for. A request that may have run (a timeout, a connection broken after
/// sending, a 5xx, a cut-off answer) is repeated only for idempotent methods, or when
/// the call says so ([`Call::retry_ambiguous`](crate::Call::retry_ambiguous)).
///
/// Waits after a 503, a failed connection or an ambiguous failure get up to a fifth added
/// at random, so that clients refused together do not come back together.
///
/// Every wait is bounded: a wait the portal asks for is capped at its 10-minute
/// operating-time window, and a call gives up — with the last error, or an
/// `OPERATION_TIME_LIMIT` it did not send — once its waits would pass the call's
/// deadline (default 12 minutes: one window and its retries).
///
/// ```
/// use std::time::Duration;
/// let policy = b24::RetryPolicy::default()
///     .with_ambiguous_attempts(1) // never repeat a request that may have run
///     .with_backoff(Duration::from_millis(50));
/// assert_eq!(policy.refused_attempts(), 30);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    ambiguous_attempts: u32,
    refused_attempts: u32,
    backoff: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts of a request that may have run, 30 of a refused one, 200 ms backoff,
    /// a 12-minute deadline.
    fn default() -> Self {
        RetryPolicy {
            ambiguous_attempts: 3,
            refused_attempts: 30,
            backoff: Duration::from_millis(200),
            deadline: Duration::from_secs(12 * 60),
        }
    }
}

impl RetryPolicy {
    /// Most attempts of a request that may have run (idempotent methods, or a call that
    /// opted in); 1 never repeats one. At least 1.
    pub fn with_ambiguous_attempts(mut self, attempts: u32) -> Self {
        self.ambiguous_attempts = attempts.max(1);
        self
    }

    /// Most attempts of a request the portal refused without running it. At least 1.
    pub fn with_refused_attempts(mut self, attempts: u32) -> Self {
        self.refused_attempts = attempts.max(1);
        self
    }

    /// The first pause between attempts of a request that may have run; it doubles
    /// each time.
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The most one call may take across its attempts and the waits between them: a
    /// wait that would pass it is not begun, and the call ends with the last error.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The most one call may take across its attempts and waits.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Most attempts of a request that may have run.
    pub fn ambiguous_attempts(&self) -> u32 {
        self.ambiguous_attempts
    }

    /// Most attempts of a request the portal refused without running it.
    pub fn refused_attempts(&self) -> u32 {
        self.refused_attempts
    }

    /// The first pause between attempts of a request that may have run.
    pub fn backoff(&self) -> Duration {
        self.backoff
    }
}

/// What a failed attempt says about repeating it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The portal's rate limit refused it (503 `QUERY_LIMIT_EXCEEDED`): it did not run.
    RateLimited,
    /// The method's operating-time budget is spent (429 `OPERATION_TIME_LIMIT`): it did
    /// not run.
    OperatingTime,
    /// No connection was made: it did not run.
    NotSent,
    /// The access token expired (401 `expired_token`): it did not run.
    Expired,
    /// It may have run: a timeout or a connection broken after sending, a 5xx, a cut-off
    /// or garbled answer.
    Ambiguous,
    /// Repeating it would fail the same way (a validation error, an API error of the
    /// method's own).
    Final,
}

impl Failure {
    /// How the attempt that ended in `e` failed.
    pub(crate) fn of(e: &Error) -> Failure {
        match e {
            Error::Api(api) => match api.code() {
                ErrorCode::QueryLimitExceeded => Failure::RateLimited,
                ErrorCode::OperationTimeLimit => Failure::OperatingTime,
                ErrorCode::ExpiredToken => Failure::Expired,
                _ if api.may_have_run() => Failure::Ambiguous,
                _ => Failure::Final,
            },
            Error::Transport(t) if !t.may_have_run() => Failure::NotSent,
            Error::Transport(_) => Failure::Ambiguous,
            // A cut-off or garbled answer: the request reached the portal.
            Error::Decode(d) if d.kind() == DecodeKind::Body => Failure::Ambiguous,
            _ => Failure::Final,
        }
    }

    /// Whether the request did not run (so repeating it cannot run it twice).
    pub(crate) fn refused(self) -> bool {
        matches!(
            self,
            Failure::RateLimited | Failure::OperatingTime | Failure::NotSent
        )
    }
}

/// The next step after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Wait this long, then send again.
    Sleep(Duration),
    /// Refresh the access token, then send again.
    Refresh,
    /// Stop: the call ends with the attempt's error.
    GiveUp,
}

/// The retries of one call: how many of each kind are left, and its deadline.
#[derive(Debug)]
pub(crate) struct Retries {
    policy: RetryPolicy,
    deadline: Instant,
    /// Whether a request that may have run is repeated (idempotent, keyed, or opted in).
    repeat_ambiguous: bool,
    ambiguous_attempts: u32,
    refused: u32,
    ambiguous: u32,
    refreshed: bool,
}

impl Retries {
    /// The retries of a call that starts now. `repeat_ambiguous`: the call may be repeated
    /// after an ambiguous failure; `keyed`: it carries an `Idempotency-Key`, so it runs
    /// once however often it is sent, and may be repeated as often as a refused one.
    pub(crate) fn new(policy: RetryPolicy, repeat_ambiguous: bool, keyed: bool) -> Retries {
        let ambiguous_attempts = if keyed {
            policy.ambiguous_attempts.max(policy.refused_attempts)
        } else {
            policy.ambiguous_attempts
        };
        Retries {
            policy,
            deadline: Instant::now() + policy.deadline,
            repeat_ambiguous: repeat_ambiguous || keyed,
            ambiguous_attempts,
            refused: 0,
            ambiguous: 0,
            refreshed: false,
        }
    }

    /// Whether a pause of `d`, begun now, ends by the call's deadline.
    pub(crate) fn fits(&self, d: Duration) -> bool {
        Instant::now() + d <= self.deadline
    }

    /// The step after an attempt failed with `failure`. `wait` is how long a refused
    /// request must wait before it is sent again (what the portal or the client's
    /// bucket says; ignored for the other failures).
    pub(crate) fn next(&mut self, failure: Failure, wait: Duration) -> Step {
        match failure {
            _ if failure.refused() => {
                if self.refused + 1 < self.policy.refused_attempts && self.fits(wait) {
                    self.refused += 1;
                    Step::Sleep(wait)
                } else {
                    Step::GiveUp
                }
            }
            Failure::Expired if !self.refreshed => {
                self.refreshed = true;
                Step::Refresh
            }
            Failure::Ambiguous
                if self.repeat_ambiguous && self.ambiguous + 1 < self.ambiguous_attempts =>
            {
                let base = self.policy.backoff * 2u32.saturating_pow(self.ambiguous);
                // The longest the jittered pause may be (a fifth more).
                if !self.fits(base.mul_f64(1.2)) {
                    return Step::GiveUp;
                }
                self.ambiguous += 1;
                Step::Sleep(crate::limits::jittered(base))
            }
            _ => Step::GiveUp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, TransportError, TransportKind};

    fn api(code: &str, status: u16) -> Error {
        ApiError::new("crm.deal.add", code, "", status).into()
    }

    fn transport(may_have_run: bool) -> Error {
        TransportError::new(
            "crm.deal.add",
            TransportKind::Request,
            may_have_run,
            "x".into(),
        )
        .into()
    }

    #[test]
    fn each_error_is_the_failure_it_says() {
        assert_eq!(
            Failure::of(&api("QUERY_LIMIT_EXCEEDED", 503)),
            Failure::RateLimited
        );
        assert_eq!(
            Failure::of(&api("OPERATION_TIME_LIMIT", 429)),
            Failure::OperatingTime
        );
        assert_eq!(Failure::of(&api("expired_token", 401)), Failure::Expired);
        assert_eq!(
            Failure::of(&api("INTERNAL_SERVER_ERROR", 500)),
            Failure::Ambiguous
        );
        assert_eq!(Failure::of(&api("ACCESS_DENIED", 403)), Failure::Final);
        assert_eq!(Failure::of(&transport(false)), Failure::NotSent);
        assert_eq!(Failure::of(&transport(true)), Failure::Ambiguous);
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .with_refused_attempts(3)
            .with_ambiguous_attempts(3)
            .with_backoff(Duration::from_millis(100))
            .with_deadline(Duration::from_secs(60))
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_request_waits_as_told_until_its_attempts_are_spent() {
        let mut r = Retries::new(policy(), false, false);
        let wait = Duration::from_secs(2);
        assert_eq!(r.next(Failure::RateLimited, wait), Step::Sleep(wait));
        assert_eq!(r.next(Failure::OperatingTime, wait), Step::Sleep(wait));
        // Three attempts: the third failure ends the call.
        assert_eq!(r.next(Failure::NotSent, wait), Step::GiveUp);
    }

    #[tokio::test(start_paused = true)]
    async fn no_wait_is_begun_that_ends_past_the_deadline() {
        let mut r = Retries::new(policy().with_refused_attempts(30), false, false);
        assert_eq!(
            r.next(Failure::OperatingTime, Duration::from_secs(61)),
            Step::GiveUp
        );
        tokio::time::advance(Duration::from_secs(50)).await;
        assert_eq!(
            r.next(Failure::RateLimited, Duration::from_secs(10)),
            Step::Sleep(Duration::from_secs(10))
        );
        tokio::time::advance(Duration::from_secs(10)).await;
        // At the deadline: not even a millisecond more.
        assert_eq!(
            r.next(Failure::RateLimited, Duration::from_millis(1)),
            Step::GiveUp
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_that_may_have_run_is_not_repeated() {
        let mut r = Retries::new(policy(), false, false);
        assert_eq!(r.next(Failure::Ambiguous, Duration::ZERO), Step::GiveUp);
        assert_eq!(r.next(Failure::Final, Duration::ZERO), Step::GiveUp);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idempotent_call_backs_off_doubling_with_a_fifth_of_jitter() {
        let mut r = Retries::new(policy(), true, false);
        let within = |s: Step, base: u64| match s {
            Step::Sleep(d) => {
                d >= Duration::from_millis(base) && d <= Duration::from_millis(base * 6 / 5)
            }
            _ => false,
        };
        assert!(within(r.next(Failure::Ambiguous, Duration::ZERO), 100));
        assert!(within(r.next(Failure::Ambiguous, Duration::ZERO), 200));
        assert_eq!(r.next(Failure::Ambiguous, Duration::ZERO), Step::GiveUp);
    }

    #[tokio::test(start_paused = true)]
    async fn a_keyed_call_is_repeated_as_often_as_a_refused_one() {
        let mut r = Retries::new(policy().with_refused_attempts(5), false, true);
        for _ in 0..4 {
            assert!(matches!(
                r.next(Failure::Ambiguous, Duration::ZERO),
                Step::Sleep(_)
            ));
        }
        assert_eq!(r.next(Failure::Ambiguous, Duration::ZERO), Step::GiveUp);
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_token_is_refreshed_once() {
        let mut r = Retries::new(policy(), false, false);
        assert_eq!(r.next(Failure::Expired, Duration::ZERO), Step::Refresh);
        assert_eq!(r.next(Failure::Expired, Duration::ZERO), Step::GiveUp);
    }

    #[tokio::test(start_paused = true)]
    async fn an_ambiguous_pause_that_would_pass_the_deadline_is_not_begun() {
        let p = policy()
            .with_backoff(Duration::from_secs(10))
            .with_deadline(Duration::from_secs(11));
        let mut r = Retries::new(p, true, false);
        // 10 s plus up to a fifth: it could end at 12 s, past the 11-s deadline.
        assert_eq!(r.next(Failure::Ambiguous, Duration::ZERO), Step::GiveUp);
    }
}
