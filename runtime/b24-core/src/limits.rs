//! Client-side limits: a leaky bucket that mirrors the portal's, so a correctly
//! configured client is never refused with 503, and a per-method tracker of the
//! operating-time budget, so a spent method is paused instead of hammered with 429s.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::shared_limit::{RateLimiter, Room};

/// The portal's request-rate limit: a leaky bucket holding `capacity` requests that
/// drains `per_second` requests a second (the docs call them X and Y).
///
/// ```
/// let limit = b24::RateLimit::new(50.0, 2.0);
/// assert_eq!(limit, b24::RateLimit::STANDARD);
/// assert_eq!((limit.capacity(), limit.per_second()), (50.0, 2.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub(crate) x: f64,
    pub(crate) y: f64,
}

impl RateLimit {
    /// Standard plans: 50 requests, draining 2 a second.
    pub const STANDARD: RateLimit = RateLimit::new(50.0, 2.0);
    /// Enterprise plans: 250 requests, draining 5 a second.
    pub const ENTERPRISE: RateLimit = RateLimit::new(250.0, 5.0);

    /// A bucket of `capacity` requests draining `per_second` a second; both are at least
    /// one request (smaller values are raised to it).
    pub const fn new(capacity: f64, per_second: f64) -> Self {
        RateLimit {
            x: if capacity >= 1.0 { capacity } else { 1.0 },
            y: if per_second > 0.0 { per_second } else { 1.0 },
        }
    }

    /// How many requests the bucket holds (X).
    pub const fn capacity(&self) -> f64 {
        self.x
    }

    /// How many requests drain from it a second (Y).
    pub const fn per_second(&self) -> f64 {
        self.y
    }
}

/// The client's bucket at one moment (see [`Limiter::room`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BucketNow {
    pub level: f64,
    pub limit: f64,
    pub per_second: f64,
    pub free: usize,
}

/// A little headroom against clock differences between client and portal.
const MARGIN: f64 = 0.05;

/// How much earlier than its place in the client's pace a request may reach the portal:
/// the first requests of a burst wait for new connections while later ones reuse them, and
/// network delay varies from request to request. The bucket keeps `y × JITTER` requests of
/// headroom (0.1 of a request at the standard 2/s), so a request that arrives up to this
/// much early still finds room; it costs at most this long once per exhausted burst.
const JITTER: Duration = Duration::from_millis(50);

/// The headroom the client's bucket keeps below the portal's capacity (room for at
/// least one request is always left).
fn headroom(cfg: RateLimit) -> f64 {
    (cfg.y * JITTER.as_secs_f64()).min(cfg.x - 1.0).max(MARGIN)
}

#[derive(Debug)]
struct BucketState {
    level: f64,
    last: tokio::time::Instant,
    in_flight: u64,
}

impl BucketState {
    /// Lets the level drain for the time since it was last looked at.
    fn drain(&mut self, cfg: RateLimit) {
        let now = tokio::time::Instant::now();
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.level = (self.level - cfg.y * dt).max(0.0);
    }
}

/// The client's copy of the portal's leaky bucket (requests in flight count too), and
/// the shared one when the client has it.
#[derive(Debug)]
pub(crate) struct Limiter {
    cfg: Option<RateLimit>,
    state: Mutex<BucketState>,
    /// Waiters take turns (tokio's mutex is fair), so requests leave in call order.
    turn: tokio::sync::Mutex<()>,
    released: tokio::sync::Notify,
    shared: Option<Shared>,
}

/// The bucket every process calling the portal shares (see [`crate::shared_limit`]).
#[derive(Debug)]
struct Shared {
    store: std::sync::Arc<dyn RateLimiter>,
    /// The portal's origin: the store keeps one bucket per portal.
    portal: String,
    /// The longest a request of this client is in flight.
    timeout: Duration,
    /// Tickets given out (a ticket names a request in flight in the store).
    tickets: AtomicU64,
    /// A 503 came: fill the shared bucket before the next request.
    saturated: AtomicBool,
    /// The store failed: until then, the client paces itself alone.
    down_until: Mutex<Option<Instant>>,
    /// The outage was reported (once per outage).
    warned: AtomicBool,
    errors: AtomicU64,
    /// When the methods other processes paused were last read.
    synced: Mutex<Option<Instant>>,
}

/// How often a client reads the methods other processes found paused by their
/// operating-time budget.
const PAUSED_SYNC: Duration = Duration::from_secs(1);

/// How long a client paces itself alone after the shared store failed, before asking it
/// again.
const SHARED_RETRY: Duration = Duration::from_secs(1);

/// A slot in the bucket; dropping it ends the request's time in flight here (and
/// [`Limiter::release`] in the shared store).
#[derive(Debug)]
pub(crate) struct Permit<'a>(Option<&'a Limiter>, Option<String>);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.0 {
            let mut s = l.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
            drop(s);
            l.released.notify_waiters();
        }
    }
}

impl Limiter {
    pub(crate) fn new(cfg: Option<RateLimit>) -> Limiter {
        Limiter {
            cfg,
            state: Mutex::new(BucketState {
                level: 0.0,
                last: tokio::time::Instant::now(),
                in_flight: 0,
            }),
            turn: tokio::sync::Mutex::new(()),
            released: tokio::sync::Notify::new(),
            shared: None,
        }
    }

    /// Shares the bucket of `portal` (its origin) through `store`, besides this copy; a
    /// request counts as in flight there for `timeout` at most.
    pub(crate) fn with_shared(
        mut self,
        store: std::sync::Arc<dyn RateLimiter>,
        portal: String,
        timeout: Duration,
    ) -> Limiter {
        self.shared = Some(Shared {
            store,
            portal,
            timeout,
            tickets: AtomicU64::new(0),
            saturated: AtomicBool::new(false),
            down_until: Mutex::new(None),
            warned: AtomicBool::new(false),
            errors: AtomicU64::new(0),
            synced: Mutex::new(None),
        });
        self
    }

    /// The methods other processes found paused by their operating-time budget, and until
    /// when (Unix seconds): read from the shared store at most once per [`PAUSED_SYNC`];
    /// `None` between reads, without a store, or while it is down.
    pub(crate) async fn paused_elsewhere(&self) -> Option<Vec<(String, f64)>> {
        let shared = self.shared.as_ref()?;
        {
            let mut synced = shared.synced.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if synced.is_some_and(|t| now < t + PAUSED_SYNC) || !shared.up() {
                return None;
            }
            *synced = Some(now);
        }
        match shared.store.paused(&shared.portal).await {
            Ok(paused) => {
                shared.answered();
                Some(paused)
            }
            Err(e) => {
                shared.failed(&e);
                None
            }
        }
    }

    /// `method` is paused by its operating-time budget until `until` (Unix seconds): the
    /// other processes are told through the shared store, if there is one.
    pub(crate) async fn share_pause(&self, method: &str, until: f64) {
        let Some(shared) = &self.shared else { return };
        if !shared.up() {
            return;
        }
        match shared.store.pause(&shared.portal, method, until).await {
            Ok(()) => shared.answered(),
            Err(e) => shared.failed(&e),
        }
    }

    /// How often the shared store failed.
    pub(crate) fn shared_errors(&self) -> u64 {
        self.shared
            .as_ref()
            .map_or(0, |s| s.errors.load(Ordering::Relaxed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BucketState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for room in the bucket (and in the shared one, if any).
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        let Some(cfg) = self.cfg else {
            return Permit(None, None);
        };
        let _turn = self.turn.lock().await;
        let mut permit = self.local(cfg).await;
        if let Some(shared) = &self.shared {
            permit.1 = shared.take(cfg).await;
        }
        permit
    }

    /// The request of `permit` has finished: its slot is free here and in the shared store.
    pub(crate) async fn release(&self, mut permit: Permit<'_>) {
        if let (Some(shared), Some(ticket)) = (&self.shared, permit.1.take())
            && shared.up()
            && let Err(e) = shared.store.release(&shared.portal, &ticket).await
        {
            shared.failed(&e);
        }
        drop(permit);
    }

    /// Waits for room in this client's bucket (the caller holds the turn).
    async fn local(&self, cfg: RateLimit) -> Permit<'_> {
        loop {
            let released = self.released.notified();
            let wait = {
                let mut s = self.lock();
                s.drain(cfg);
                // The headroom guards the drain timing; requests in flight are counted exactly.
                let limit = cfg.x - headroom(cfg);
                if s.level + 1.0 <= limit && s.in_flight as f64 + 1.0 <= cfg.x {
                    s.level += 1.0;
                    s.in_flight += 1;
                    return Permit(Some(self), None);
                }
                // Bound by the level: wait for it to drain; bound by requests in flight:
                // wait for one to finish (or the drain, whichever is first).
                let over = s.level + 1.0 - limit;
                if over > 0.0 {
                    // At least the timer's 1 ms: a wait that rounds to zero would spin.
                    Some(Duration::from_secs_f64(over / cfg.y).max(Duration::from_millis(1)))
                } else {
                    None
                }
            };
            match wait {
                Some(d) => {
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = released => {}
                    }
                }
                None => released.await,
            }
        }
    }

    /// The portal refused a request (503): it saw a fuller bucket than we did.
    pub(crate) fn saturate(&self) {
        if let Some(cfg) = self.cfg {
            let mut s = self.lock();
            s.level = s.level.max(cfg.x);
        }
        if let Some(shared) = &self.shared {
            shared.saturated.store(true, Ordering::Relaxed);
        }
    }

    /// The bucket as it is now, for planning: its level, the level a request may take it
    /// to, its drain, and how many more requests may be in flight.
    pub(crate) fn room(&self) -> BucketNow {
        let Some(cfg) = self.cfg else {
            return BucketNow {
                level: 0.0,
                limit: f64::INFINITY,
                per_second: f64::INFINITY,
                free: self.capacity(),
            };
        };
        let mut s = self.lock();
        s.drain(cfg);
        BucketNow {
            level: s.level,
            limit: cfg.x - headroom(cfg),
            per_second: cfg.y,
            free: (cfg.x.floor() as usize).saturating_sub(s.in_flight as usize),
        }
    }

    /// How many requests may be in flight at once: the bucket's capacity (8 without one).
    pub(crate) fn capacity(&self) -> usize {
        self.cfg.map_or(8, |c| c.x.floor().max(1.0) as usize)
    }

    /// How long to wait after a 503 when no bucket is configured.
    pub(crate) fn retry_after_503(&self) -> Duration {
        match self.cfg {
            Some(cfg) => Duration::from_secs_f64(1.0 / cfg.y),
            None => Duration::from_millis(500),
        }
    }
}

impl Shared {
    /// Takes room in the shared bucket, waiting as it says, and gives the ticket the
    /// request is in flight under; when the store fails, returns at once with none (the
    /// client's own bucket paces it) and leaves the store alone for a while.
    async fn take(&self, cfg: RateLimit) -> Option<String> {
        let room = Room {
            limit: cfg,
            level: cfg.x - headroom(cfg),
            timeout: self.timeout,
        };
        if self.saturated.swap(false, Ordering::Relaxed)
            && self.up()
            && let Err(e) = self.store.saturate(&self.portal, room).await
        {
            self.failed(&e);
            return None;
        }
        let ticket = self.ticket();
        while self.up() {
            match self.store.take(&self.portal, room, &ticket).await {
                Ok(None) => {
                    self.answered();
                    return Some(ticket);
                }
                Ok(Some(wait)) => {
                    self.answered();
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
                Err(e) => {
                    self.failed(&e);
                    return None;
                }
            }
        }
        None
    }

    /// A name no other request of any process has: this process, a count, a random part.
    fn ticket(&self) -> String {
        use std::hash::BuildHasher;
        let n = self.tickets.fetch_add(1, Ordering::Relaxed);
        let r = std::collections::hash_map::RandomState::new().hash_one(n);
        format!("{}-{n}-{r:x}", std::process::id())
    }

    /// Whether the store is asked (it has not failed within [`SHARED_RETRY`]).
    fn up(&self) -> bool {
        let down = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
        down.is_none_or(|t| Instant::now() >= t)
    }

    fn answered(&self) {
        if self.warned.swap(false, Ordering::Relaxed) {
            tracing::info!(target: "b24", portal = %self.portal, "the shared rate limit answers again");
        }
        *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn failed(&self, e: &crate::Error) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + SHARED_RETRY);
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(target: "b24", portal = %self.portal, error = %e, "the shared rate limit failed: pacing with this client's own bucket until it answers");
        }
    }
}

/// What the portal said of one method's operating-time budget.
#[derive(Debug, Clone, Copy)]
struct Budget {
    operating: f64,
    reset_at: Option<Instant>,
    blocked_until: Option<Instant>,
}

/// Pauses methods whose operating-time budget is spent, from the `time` blocks seen.
#[derive(Debug)]
pub(crate) struct OperatingTracker {
    /// Seconds of budget (480 on real portals); calls stop just below it.
    budget: f64,
    methods: Mutex<HashMap<String, Budget>>,
}

impl OperatingTracker {
    pub(crate) fn new(budget: Duration) -> OperatingTracker {
        OperatingTracker {
            budget: budget.as_secs_f64(),
            methods: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Budget>> {
        self.methods.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `method` must wait before it may run, if at all.
    pub(crate) fn wait_for(&self, method: &str) -> Option<Duration> {
        let m = self.lock();
        let b = m.get(key(method).as_ref())?;
        let now = Instant::now();
        let until = match b.blocked_until {
            Some(t) if t > now => Some(t),
            _ if b.operating >= self.budget => b.reset_at.filter(|t| *t > now),
            _ => None,
        }?;
        Some(until - now)
    }

    /// Feeds `time.operating` and `time.operating_reset_at` of an answer; the reset time
    /// (Unix seconds) when this answer spent the budget.
    pub(crate) fn observe(
        &self,
        method: &str,
        operating: Option<f64>,
        reset_at_unix: Option<i64>,
    ) -> Option<i64> {
        let operating = operating?;
        let reset_at = reset_at_unix.map(unix_to_instant);
        let budget = Budget {
            operating,
            reset_at,
            blocked_until: None,
        };
        let mut m = self.lock();
        match m.get_mut(key(method).as_ref()) {
            Some(b) => *b = budget,
            None => {
                m.insert(key(method).into_owned(), budget);
            }
        }
        reset_at_unix.filter(|_| operating >= self.budget)
    }

    /// Another process found `method` paused until `until` (Unix seconds).
    pub(crate) fn pause_until(&self, method: &str, until: f64) {
        let until = unix_f64_to_instant(until);
        if until <= Instant::now() {
            return;
        }
        let mut m = self.lock();
        let entry = m.entry(key(method).into_owned()).or_insert(Budget {
            operating: 0.0,
            reset_at: None,
            blocked_until: None,
        });
        entry.blocked_until = entry.blocked_until.max(Some(until));
    }

    /// The portal answered 429 for `method`: block it until the reset time (or `fallback`).
    pub(crate) fn blocked(
        &self,
        method: &str,
        reset_at_unix: Option<i64>,
        fallback: Duration,
    ) -> Duration {
        let now = Instant::now();
        let mut m = self.lock();
        let entry = m.entry(key(method).into_owned()).or_insert(Budget {
            operating: self.budget,
            reset_at: None,
            blocked_until: None,
        });
        let until = match reset_at_unix.map(unix_to_instant).or(entry.reset_at) {
            Some(t) if t > now => t,
            // Refused again just after the reset the portal gave, in whole seconds: one
            // more grain, not the fallback of knowing nothing.
            Some(t) if now.duration_since(t) <= 2 * RESET_GRAIN => now + RESET_GRAIN,
            _ => now + fallback.min(MAX_SERVER_WAIT),
        };
        entry.blocked_until = Some(until);
        until - now
    }
}

/// A method's name as the tracker keys it: the server reads names in any case (borrowed
/// when already lower case, as names almost always are).
fn key(method: &str) -> std::borrow::Cow<'_, str> {
    if method.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(method.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(method)
    }
}

/// `d` and up to a fifth more, at random: clients refused together do not all come back
/// at the same moment.
pub(crate) fn jittered(d: Duration) -> Duration {
    use std::hash::BuildHasher;
    let r = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    d.mul_f64(1.0 + (r % 1000) as f64 / 5000.0)
}

/// The longest a server-given reset time is believed: the operating-time window is 10
/// minutes, so a later reset (a wrong clock, a hostile answer) is taken as its end.
pub(crate) const MAX_SERVER_WAIT: Duration = Duration::from_secs(600);

/// The grain of a portal's reset times (`operating_reset_at`, whole Unix seconds): the
/// true reset may come up to one grain after the one given.
const RESET_GRAIN: Duration = Duration::from_secs(1);

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn unix_to_instant(unix: i64) -> Instant {
    unix_f64_to_instant(unix as f64)
}

/// A moment given in Unix seconds (at most [`MAX_SERVER_WAIT`] away) as an `Instant`.
fn unix_f64_to_instant(unix: f64) -> Instant {
    let delta = (unix - unix_now())
        .min(MAX_SERVER_WAIT.as_secs_f64())
        .max(-MAX_SERVER_WAIT.as_secs_f64());
    let now = Instant::now();
    if delta >= 0.0 {
        now + Duration::from_secs_f64(delta)
    } else {
        now.checked_sub(Duration::from_secs_f64(-delta))
            .unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn limiter_paces_at_the_drain_rate_after_the_burst() {
        let l = Limiter::new(Some(RateLimit::new(10.0, 5.0)));
        let t0 = tokio::time::Instant::now();
        let mut starts = Vec::new();
        for _ in 0..13 {
            drop(l.acquire().await);
            starts.push(t0.elapsed().as_secs_f64());
        }
        assert!(starts[..9].iter().all(|s| *s < 0.001), "{starts:?}");
        // The 10th fits only after the headroom drains; then one every 0.2 s.
        let lead = headroom(RateLimit::new(10.0, 5.0)) / 5.0;
        for (i, s) in starts.iter().enumerate().skip(10) {
            let want = (i as f64 - 9.0) * 0.2 + lead;
            assert!(
                (s - want).abs() < 0.02,
                "request {i} at {s}, want {want}: {starts:?}"
            );
        }
    }

    /// The portal's bucket fed with the client's send times, the burst's requests reaching
    /// it up to `JITTER` late (new connections) and the later ones on time: never over.
    #[tokio::test(start_paused = true)]
    async fn pacing_holds_when_the_burst_arrives_late() {
        let cfg = RateLimit::new(5.0, 20.0);
        let l = Limiter::new(Some(cfg));
        let t0 = tokio::time::Instant::now();
        let mut arrivals = Vec::new();
        for i in 0..30 {
            drop(l.acquire().await);
            let late = if i < 5 {
                JITTER.as_secs_f64() * 0.95
            } else {
                0.0
            };
            arrivals.push(t0.elapsed().as_secs_f64() + late);
        }
        arrivals.sort_by(f64::total_cmp);
        let (mut level, mut last) = (0.0_f64, 0.0);
        for (i, a) in arrivals.iter().enumerate() {
            level = (level - cfg.y * (a - last)).max(0.0);
            last = *a;
            assert!(
                level + 1.0 <= cfg.x + 1e-9,
                "request {i} refused at {a}: level {level}"
            );
            level += 1.0;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_hold_their_slot() {
        let l = Limiter::new(Some(RateLimit::new(3.0, 100.0)));
        let a = l.acquire().await;
        let _b = l.acquire().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        // Drained long ago, but two are still in flight: one more fits, then none.
        let _c = l.acquire().await;
        let blocked = tokio::time::timeout(Duration::from_secs(1), l.acquire()).await;
        assert!(blocked.is_err());
        drop(a);
        assert!(
            tokio::time::timeout(Duration::from_millis(10), l.acquire())
                .await
                .is_ok()
        );
    }

    #[test]
    fn a_reset_time_far_away_is_capped_at_the_window() {
        // (A few microseconds pass between reading the clocks.)
        let cap = MAX_SERVER_WAIT + Duration::from_millis(100);
        let t = OperatingTracker::new(Duration::from_secs(480));
        t.observe("crm.deal.get", Some(1e12), Some(i64::MAX));
        let w = t.wait_for("crm.deal.get").expect("blocked");
        assert!(w <= cap, "{w:?}");
        let w = t.blocked("crm.deal.add", Some(i64::MAX), Duration::MAX);
        assert!(w <= cap, "{w:?}");
        let w = t.blocked("crm.deal.list", None, Duration::MAX);
        assert!(w <= cap, "{w:?}");
    }

    #[test]
    fn jitter_adds_up_to_a_fifth_and_varies() {
        let d = Duration::from_millis(500);
        let all: Vec<Duration> = (0..200).map(|_| jittered(d)).collect();
        assert!(
            all.iter().all(|j| *j >= d && *j <= d.mul_f64(1.2)),
            "{all:?}"
        );
        let distinct: std::collections::BTreeSet<Duration> = all.into_iter().collect();
        assert!(
            distinct.len() > 50,
            "only {} distinct waits",
            distinct.len()
        );
    }

    #[test]
    fn operating_tracker_pauses_a_spent_method() {
        let t = OperatingTracker::new(Duration::from_secs(480));
        assert!(t.wait_for("crm.deal.list").is_none());
        let in_a_minute = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
            + 60;
        t.observe("crm.deal.list", Some(100.0), Some(in_a_minute));
        assert!(t.wait_for("crm.deal.list").is_none());
        t.observe("CRM.DEAL.LIST", Some(480.5), Some(in_a_minute));
        let w = t.wait_for("crm.deal.list").expect("paused");
        assert!(
            w > Duration::from_secs(55) && w <= Duration::from_secs(61),
            "{w:?}"
        );
        assert!(t.wait_for("crm.deal.get").is_none());
        let w = t.blocked("crm.deal.get", None, Duration::from_secs(2));
        assert!(w <= Duration::from_secs(2) && w > Duration::from_secs(1));
    }

    #[test]
    fn refused_just_after_the_reset_it_was_given_a_method_waits_one_grain_not_the_fallback() {
        let t = OperatingTracker::new(Duration::from_millis(30));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        // The portal rounds its reset time down: it has just passed, yet the method is
        // refused.
        t.observe("crm.deal.get", Some(0.04), Some(now));
        let w = t.blocked("crm.deal.get", None, Duration::from_secs(10));
        assert!(w <= RESET_GRAIN && w > Duration::ZERO, "{w:?}");
        // Long past (or never given): nothing is known, the fallback.
        t.observe("crm.deal.list", Some(0.04), Some(now - 60));
        let w = t.blocked("crm.deal.list", None, Duration::from_secs(10));
        assert!(w > Duration::from_secs(9), "{w:?}");
    }
}
