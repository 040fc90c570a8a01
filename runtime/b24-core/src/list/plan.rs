//! How an export spends the rate limit: windows shared out over batches so that the
//! batches the bucket lets start now and those it lets start later all finish together.
//!
//! The model: a batch of `n` windows takes `request + n × window` seconds (both measured
//! on the export's first answer); the `k`-th next request may start once the bucket has
//! drained to room for it, and once a request in flight ended if the bucket's capacity is
//! in flight. The plan is the smallest finish time `T` whose batches hold every window,
//! each batch as many windows as fit before `T` (at most 50).

/// What a batch costs, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cost {
    /// The request itself (network, the batch's own handling).
    pub request: f64,
    /// One window (one page of the list).
    pub window: f64,
}

impl Cost {
    /// The smallest cost a window is given: a zero would make every plan one batch.
    const MIN_WINDOW: f64 = 1e-4;

    /// The cost seen on a first answer: `total` seconds for the whole request as the
    /// client timed it, and as the portal timed its commands (if it did): the full page's
    /// and all of them together. Without the portal's timing, the request is taken as
    /// costing as much as the window.
    pub(crate) fn measured(total: f64, timed: Option<(f64, f64)>) -> Cost {
        let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
        let total = finite(total);
        let (window, commands) = match timed {
            Some((w, all)) if w.is_finite() && w > 0.0 => (w, finite(all).max(w)),
            _ => (total / 2.0, total / 2.0),
        };
        Cost {
            request: (total - commands).max(0.0),
            window: window.max(Self::MIN_WINDOW),
        }
    }
}

/// When the next requests may start, as the client's bucket sees it now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Room {
    /// The bucket's level now.
    pub level: f64,
    /// The level a request may take it to (the capacity less the client's headroom).
    pub limit: f64,
    /// How fast it drains, requests a second (infinite: no bucket).
    pub per_second: f64,
    /// How many more requests may be in flight at once.
    pub in_flight: usize,
}

impl Room {
    /// Seconds from now until the bucket has room for the `k`-th next request (0-based).
    fn by_level(&self, k: usize) -> f64 {
        let over = self.level + k as f64 + 1.0 - self.limit;
        if over <= 0.0 || self.per_second.is_infinite() {
            0.0
        } else {
            over / self.per_second
        }
    }
}

/// The batches of a plan: how many windows each holds, in start order (so in key order),
/// and the time they are planned to finish by.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub batches: Vec<usize>,
    pub finish: f64,
}

/// Shares `windows` out over batches of at most `per_batch`.
pub(crate) fn plan(windows: usize, per_batch: usize, cost: Cost, room: Room) -> Plan {
    let per_batch = per_batch.max(1);
    let room = Room {
        in_flight: room.in_flight.max(1),
        per_second: if room.per_second > 0.0 {
            room.per_second
        } else {
            f64::INFINITY
        },
        ..room
    };
    if windows == 0 {
        return Plan {
            batches: Vec::new(),
            finish: 0.0,
        };
    }
    // An upper bound that always fits: full batches one after another, each started when
    // the bucket lets it.
    let mut hi = cost.request + per_batch as f64 * cost.window;
    while fill(windows, per_batch, cost, room, hi).is_none() {
        hi *= 2.0;
        if !hi.is_finite() {
            // Not reachable with finite costs; an even split is still a correct plan.
            return even(windows, per_batch);
        }
    }
    let mut lo = cost.request + cost.window;
    // A millisecond is finer than any network is steady; 40 halvings reach it from hours.
    for _ in 0..40 {
        if hi - lo < 1e-3 {
            break;
        }
        let mid = (lo + hi) / 2.0;
        if fill(windows, per_batch, cost, room, mid).is_some() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    match fill(windows, per_batch, cost, room, hi) {
        Some(batches) => Plan {
            batches,
            finish: hi,
        },
        None => even(windows, per_batch),
    }
}

/// Full batches of `per_batch`, the last one shorter.
fn even(windows: usize, per_batch: usize) -> Plan {
    let mut batches = vec![per_batch; windows / per_batch];
    if !windows.is_multiple_of(per_batch) {
        batches.push(windows % per_batch);
    }
    Plan {
        batches,
        finish: f64::NAN,
    }
}

/// The batches that finish by `t`, if they hold every window.
fn fill(windows: usize, per_batch: usize, cost: Cost, room: Room, t: f64) -> Option<Vec<usize>> {
    let mut left = windows;
    let mut batches = Vec::new();
    // Finish times of the batches planned so far, kept sorted.
    let mut finishes: Vec<f64> = Vec::new();
    for k in 0..=windows {
        if left == 0 {
            return Some(batches);
        }
        let by_flight = match k.checked_sub(room.in_flight) {
            Some(i) => finishes[i],
            None => 0.0,
        };
        let start = room.by_level(k).max(by_flight);
        let fits = ((t - start - cost.request) / cost.window + 1e-9).floor();
        if fits < 1.0 {
            // Every later batch starts no earlier: none of them fits either.
            return None;
        }
        let n = (fits as usize).min(per_batch).min(left);
        left -= n;
        batches.push(n);
        let end = start + cost.request + n as f64 * cost.window;
        let at = finishes.partition_point(|f| *f <= end);
        finishes.insert(at, end);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BENCH: Cost = Cost {
        request: 0.05,
        window: 0.015,
    };

    fn room(level: f64) -> Room {
        Room {
            level,
            limit: 9.75,
            per_second: 5.0,
            in_flight: 10,
        }
    }

    #[test]
    fn a_burst_is_spent_on_batches_that_finish_together() {
        let p = plan(399, 50, BENCH, room(0.6));
        assert_eq!(p.batches.iter().sum::<usize>(), 399);
        // Nine start now and carry the most; the later ones, fewer.
        assert!(p.batches.len() >= 10, "{p:?}");
        assert!(p.batches[..9].iter().all(|n| *n == p.batches[0]), "{p:?}");
        assert!(p.batches[9] < p.batches[0], "{p:?}");
        // Better than nine even batches (45 windows each).
        assert!(p.finish < 0.05 + 45.0 * 0.015, "{p:?}");
    }

    #[test]
    fn a_small_list_is_one_batch_per_window_while_the_burst_lasts() {
        let p = plan(3, 50, BENCH, room(0.0));
        assert_eq!(p.batches, [1, 1, 1]);
        assert_eq!(plan(0, 50, BENCH, room(0.0)).batches, Vec::<usize>::new());
    }

    #[test]
    fn a_huge_list_is_full_batches_at_the_drain_rate() {
        let p = plan(4000, 50, BENCH, room(0.0));
        assert_eq!(p.batches.iter().sum::<usize>(), 4000);
        assert!(p.batches.iter().all(|n| *n <= 50));
        // 80 batches at least; the drain (5 a second after the first 9) sets the pace.
        assert!(p.batches.len() >= 80, "{}", p.batches.len());
        assert!(p.finish > (80.0 - 9.75) / 5.0, "{}", p.finish);
    }

    #[test]
    fn requests_in_flight_are_capped() {
        let room = Room {
            level: 0.0,
            limit: f64::INFINITY,
            per_second: f64::INFINITY,
            in_flight: 2,
        };
        let p = plan(10, 50, BENCH, room);
        assert_eq!(p.batches.iter().sum::<usize>(), 10);
        // Two at a time, each finishing before the next two: no gain from more batches.
        assert!(p.batches.len() <= 4, "{p:?}");
    }

    #[test]
    fn a_cost_is_measured_from_the_first_answer() {
        let c = Cost::measured(0.08, Some((0.015, 0.03)));
        assert!(
            (c.request - 0.05).abs() < 1e-9 && c.window == 0.015,
            "{c:?}"
        );
        let c = Cost::measured(0.08, None);
        assert_eq!((c.request, c.window), (0.04, 0.04));
        let c = Cost::measured(f64::NAN, Some((f64::INFINITY, 1.0)));
        assert_eq!(c.request, 0.0);
        assert!(c.window > 0.0);
        // Commands timed longer than the whole request: the request costs nothing more.
        let c = Cost::measured(0.01, Some((0.02, 0.03)));
        assert_eq!((c.request, c.window), (0.0, 0.02));
    }
}
