//! The portal's two limits: the leaky bucket of request rate, and the per-method
//! operating-time budget.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::config::{Bucket, Operating};

/// The request-rate limit: each request adds 1 to a level that drains `y` per second;
/// requests still in flight count too (the effective level is at least their number);
/// a request that would take the effective level over `x` is refused.
#[derive(Debug)]
pub struct LeakyBucket {
    cfg: Bucket,
    level: f64,
    last: Instant,
    in_flight: u64,
}

impl LeakyBucket {
    /// An empty bucket.
    pub fn new(cfg: Bucket, now: Instant) -> LeakyBucket {
        LeakyBucket {
            cfg,
            level: 0.0,
            last: now,
            in_flight: 0,
        }
    }

    fn drain(&mut self, now: Instant) {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.level = (self.level - self.cfg.y * dt).max(0.0);
    }

    fn effective(&self) -> f64 {
        self.level.max(self.in_flight as f64)
    }

    /// Admits a request (true) or refuses it (false; it must not run).
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        self.drain(now);
        if self.effective() + 1.0 > self.cfg.x + 1e-9 {
            false
        } else {
            self.level += 1.0;
            self.in_flight += 1;
            true
        }
    }

    /// An admitted request has finished.
    pub fn release(&mut self, now: Instant) {
        self.drain(now);
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The current (effective) level.
    pub fn level(&mut self, now: Instant) -> f64 {
        self.drain(now);
        self.effective()
    }
}

/// Execution time per method over a sliding window of ten baskets.
#[derive(Debug)]
pub struct OperatingTracker {
    cfg: Operating,
    baskets: BTreeMap<String, VecDeque<(Instant, Duration)>>,
}

impl OperatingTracker {
    /// No time used yet.
    pub fn new(cfg: Operating) -> OperatingTracker {
        OperatingTracker {
            cfg,
            baskets: BTreeMap::new(),
        }
    }

    fn basket_len(&self) -> Duration {
        self.cfg.window / 10
    }

    fn prune(&mut self, method: &str, now: Instant) {
        let window = self.cfg.window;
        if let Some(q) = self.baskets.get_mut(method) {
            while q
                .front()
                .is_some_and(|(start, _)| now.saturating_duration_since(*start) >= window)
            {
                q.pop_front();
            }
        }
    }

    /// Time `method` has used within the window.
    pub fn used(&mut self, method: &str, now: Instant) -> Duration {
        self.prune(method, now);
        self.baskets
            .get(method)
            .map_or(Duration::ZERO, |q| q.iter().map(|(_, d)| *d).sum())
    }

    /// When the oldest basket of `method` leaves the window (the reset time).
    pub fn reset_at(&mut self, method: &str, now: Instant) -> Instant {
        self.prune(method, now);
        self.baskets
            .get(method)
            .and_then(|q| q.front())
            .map_or(now, |(start, _)| *start + self.cfg.window)
    }

    /// `Err(reset time)` when `method` has spent its budget.
    pub fn check(&mut self, method: &str, now: Instant) -> Result<(), Instant> {
        if self.used(method, now) > self.cfg.budget {
            Err(self.reset_at(method, now))
        } else {
            Ok(())
        }
    }

    /// Adds execution time to `method`.
    pub fn record(&mut self, method: &str, now: Instant, spent: Duration) {
        let basket = self.basket_len();
        let q = self.baskets.entry(method.to_string()).or_default();
        match q.back_mut() {
            Some((start, d)) if now.saturating_duration_since(*start) < basket => *d += spent,
            _ => q.push_back((now, spent)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_at_once_with_x10_admits_ten() {
        let t0 = Instant::now();
        let mut b = LeakyBucket::new(Bucket { x: 10.0, y: 5.0 }, t0);
        let admitted = (0..40).filter(|_| b.try_acquire(t0)).count();
        assert_eq!(admitted, 10);
        // Finished requests free room at Y per second: 0.2 s later, one more.
        for _ in 0..10 {
            b.release(t0);
        }
        assert!(!b.try_acquire(t0 + Duration::from_millis(150)));
        assert!(b.try_acquire(t0 + Duration::from_millis(200)));
        assert!(!b.try_acquire(t0 + Duration::from_millis(210)));
        b.release(t0 + Duration::from_millis(300));
        // Two seconds drain 10.
        let t2 = t0 + Duration::from_millis(2200);
        assert_eq!((0..40).filter(|_| b.try_acquire(t2)).count(), 10);
    }

    #[test]
    fn requests_in_flight_hold_the_level() {
        let t0 = Instant::now();
        let mut b = LeakyBucket::new(Bucket { x: 3.0, y: 5.0 }, t0);
        assert_eq!((0..5).filter(|_| b.try_acquire(t0)).count(), 3);
        // Long after, the three still in flight keep the bucket full.
        let later = t0 + Duration::from_secs(10);
        assert!(!b.try_acquire(later));
        b.release(later);
        assert!(b.try_acquire(later));
    }

    #[test]
    fn operating_budget_and_reset() {
        let t0 = Instant::now();
        let cfg = Operating {
            budget: Duration::from_secs(2),
            window: Duration::from_secs(10),
        };
        let mut o = OperatingTracker::new(cfg);
        assert!(o.check("m", t0).is_ok());
        o.record("m", t0, Duration::from_millis(1500));
        o.record("m", t0 + Duration::from_secs(3), Duration::from_millis(600));
        assert_eq!(
            o.used("m", t0 + Duration::from_secs(3)),
            Duration::from_millis(2100)
        );
        let reset = o
            .check("m", t0 + Duration::from_secs(4))
            .expect_err("over budget");
        assert_eq!(reset, t0 + Duration::from_secs(10));
        assert!(o.check("other", t0).is_ok());
        // After the first basket leaves the window, 0.6 s remain: under budget.
        assert!(o.check("m", t0 + Duration::from_secs(10)).is_ok());
    }
}
