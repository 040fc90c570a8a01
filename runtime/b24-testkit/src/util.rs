//! Small helpers: clock conversions, ATOM dates, JSON answers.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A JSON answer already rendered.
pub(crate) fn json_text_response(status: u16, text: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Maps monotonic instants to wall-clock Unix time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    origin: Instant,
    origin_unix: f64,
}

impl Clock {
    /// Anchors the clock now.
    pub fn new() -> Clock {
        Clock {
            origin: Instant::now(),
            origin_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs_f64(),
        }
    }

    /// Unix time of `t`.
    pub fn unix(&self, t: Instant) -> f64 {
        if t >= self.origin {
            self.origin_unix + (t - self.origin).as_secs_f64()
        } else {
            self.origin_unix - (self.origin - t).as_secs_f64()
        }
    }
}

/// `2026-03-03T09:16:37+00:00` for a Unix time.
pub fn atom(unix: f64) -> String {
    let secs = unix.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_dates() {
        assert_eq!(atom(0.0), "1970-01-01T00:00:00+00:00");
        assert_eq!(atom(1_772_518_597.4), "2026-03-03T06:16:37+00:00");
        assert_eq!(atom(951_782_400.0), "2000-02-29T00:00:00+00:00");
    }
}
