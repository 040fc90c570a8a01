//! A request-rate budget shared by every process that calls one portal.
//!
//! The docs say that the applications calling a portal from one server share one rate
//! limit: two workers, a cron job and a web handler each pacing themselves perfectly still
//! overrun it together. A [`RateLimiter`] keeps the portal's bucket where all of them see
//! it; [`ClientBuilder::shared_rate_limit`](crate::ClientBuilder::shared_rate_limit) puts a
//! client on one. With feature `redis`, `RedisRateLimiter` keeps it in Redis, updated by
//! one atomic script per request, under a key per portal (one deployment can serve many).
//!
//! The store also keeps the methods paused by their **operating-time budget**: the process
//! that is refused with 429 (or sees an answer spend the budget) records until when, and
//! the others read that at most once a second and wait instead of sending. The portal's
//! answers carry the shared total too, so without the store each process still learns
//! it, one refused request later.
//!
//! **When the shared store fails** (Redis down at start or mid-run), a client does not
//! stop: it paces itself with its own bucket, as a client without a shared limiter does,
//! warns once per outage (`tracing`, target `b24`), counts the failures in
//! [`Metrics::shared_limit_errors`](crate::Metrics::shared_limit_errors), and asks the store
//! again after a second. Processes that then overrun the portal together get 503
//! `QUERY_LIMIT_EXCEEDED`, which the portal answers without running the request, so it is
//! repeated safely: nothing is lost or doubled, only paced less well until the store is
//! back.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::{Error, RateLimit};

/// A boxed future of a [`RateLimiter`].
pub type LimitFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Where a portal's request budget is kept, for clients in many processes.
///
/// The portal counts a request against its bucket when it arrives, and while it runs: a
/// store keeps both, the level (draining `per_second`) and the requests in flight, each
/// by the ticket its client gave it.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Takes room for one request to `portal` (its origin, `https://x.bitrix24.com`) in a
    /// bucket of `capacity` requests draining `limit.per_second()` a second, with at most
    /// `limit.capacity()` requests in flight: `Ok(None)` to send now (the request is in
    /// flight under `ticket` until [`release`](Self::release), or `timeout` at most),
    /// `Ok(Some(wait))` when there is no room yet (ask again after `wait`).
    fn take<'a>(
        &'a self,
        portal: &'a str,
        room: Room,
        ticket: &'a str,
    ) -> LimitFuture<'a, Option<Duration>>;

    /// The request of `ticket` has finished.
    fn release<'a>(&'a self, portal: &'a str, ticket: &'a str) -> LimitFuture<'a, ()>;

    /// The portal refused a request (503): its bucket is fuller than the store says; fill
    /// the store's bucket to the portal's capacity.
    fn saturate<'a>(&'a self, portal: &'a str, room: Room) -> LimitFuture<'a, ()>;

    /// `method` of `portal` has spent its operating-time budget and is paused until
    /// `until` (Unix seconds): keep it for the other processes. The default keeps nothing
    /// (each process then learns it from the portal's own answers).
    fn pause<'a>(&'a self, portal: &'a str, method: &'a str, until: f64) -> LimitFuture<'a, ()> {
        let _ = (portal, method, until);
        Box::pin(async { Ok(()) })
    }

    /// The methods of `portal` paused by their operating-time budget, and until when (Unix
    /// seconds); entries already past may be among them. The default knows none.
    fn paused<'a>(&'a self, portal: &'a str) -> LimitFuture<'a, Vec<(String, f64)>> {
        let _ = portal;
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// What one request needs room in: the portal's limit, the level a client lets the bucket
/// reach (the capacity less a little headroom), and how long a request may stay in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Room {
    /// The portal's limit.
    pub limit: RateLimit,
    /// The most the level may reach.
    pub level: f64,
    /// After this, a request never released (its process died) no longer counts.
    pub timeout: Duration,
}

#[cfg(feature = "redis")]
pub use self::redis_store::RedisRateLimiter;

#[cfg(feature = "redis")]
mod redis_store {
    use super::*;
    use crate::error::{ConfigError, ConfigKind, TransportError, TransportKind};

    /// The bucket in one script, so that no two processes ever see the same room: the
    /// level drains by the Redis server's own clock (`TIME`), requests in flight past their
    /// timeout are dropped, then one request is taken if both fit, else the script says
    /// how long to wait. KEYS: the level's hash, the in-flight set (ticket → expiry).
    /// ARGV: `take`/`fill`, capacity X, the level allowed, drain Y, the keys' expiry,
    /// ticket, request timeout; or `release`, ticket.
    const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local op = ARGV[1]
if op == 'release' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return '0'
end
local x = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local y = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'level', 'last')
local level = tonumber(v[1]) or 0
local last = tonumber(v[2]) or now
if now > last then level = math.max(0, level - y * (now - last)) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local flying = redis.call('ZCARD', KEYS[2])
local wait = 0
if op == 'fill' then
  level = math.max(level, x)
elseif level + 1 <= cap and flying + 1 <= x then
  level = level + 1
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), ARGV[6])
elseif level + 1 > cap then
  wait = (level + 1 - cap) / y
else
  wait = 0.005
end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'last', tostring(now))
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return tostring(wait)
";

    /// A [`RateLimiter`] in Redis: one hash per portal under `b24:rate:<origin>` (or your
    /// prefix), updated by one atomic script per request. Cheap to clone.
    #[derive(Clone)]
    pub struct RedisRateLimiter {
        conn: redis::aio::ConnectionManager,
        script: std::sync::Arc<redis::Script>,
        prefix: String,
    }

    impl fmt::Debug for RedisRateLimiter {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // The URL may hold a password: it is not kept.
            f.debug_struct("RedisRateLimiter")
                .field("prefix", &self.prefix)
                .finish_non_exhaustive()
        }
    }

    impl RedisRateLimiter {
        /// Connects to `url` (`redis://host:port/db`, `rediss://…`); an unreachable or
        /// malformed address is an error here, at start (afterwards the client falls back
        /// to its own pacing while Redis is away, see the [module](super) docs).
        pub async fn connect(url: &str) -> Result<RedisRateLimiter, Error> {
            let client = redis::Client::open(url).map_err(|e| {
                Error::from(ConfigError::new(
                    ConfigKind::Url,
                    format!("not a Redis address: {:?}", e.kind()),
                ))
            })?;
            let config = redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Some(Duration::from_millis(500)))
                .set_response_timeout(Some(Duration::from_millis(500)))
                .set_number_of_retries(1)
                .set_max_delay(Duration::from_millis(500));
            let conn = redis::aio::ConnectionManager::new_with_config(client, config)
                .await
                .map_err(|e| redis_error("connecting to Redis", &e))?;
            Ok(RedisRateLimiter {
                conn,
                script: std::sync::Arc::new(redis::Script::new(SCRIPT)),
                prefix: "b24:rate:".into(),
            })
        }

        /// Keys become `prefix + portal origin` (default `b24:rate:`).
        #[must_use]
        pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
            self.prefix = prefix.into();
            self
        }

        /// The key of `portal`'s bucket.
        pub fn key(&self, portal: &str) -> String {
            format!("{}{portal}", self.prefix)
        }

        /// The key of `portal`'s methods paused by their operating-time budget (method →
        /// until, Unix seconds).
        fn paused_key(&self, portal: &str) -> String {
            format!("{}{portal}:paused", self.prefix)
        }

        /// The key of `portal`'s set of requests in flight.
        fn flying_key(&self, portal: &str) -> String {
            format!("{}{portal}:flying", self.prefix)
        }

        async fn run(
            &self,
            portal: &str,
            op: &str,
            room: Room,
            ticket: &str,
        ) -> Result<f64, Error> {
            let mut conn = self.conn.clone();
            let limit = room.limit;
            // The bucket empties in x / y seconds: keys idle twice that long are gone.
            let ttl = ((limit.capacity() / limit.per_second()) * 2.0)
                .max(room.timeout.as_secs_f64() * 2.0)
                .ceil()
                .max(60.0) as u64;
            let mut call = self.script.prepare_invoke();
            call.key(self.key(portal))
                .key(self.flying_key(portal))
                .arg(op);
            if op == "release" {
                call.arg(ticket);
            } else {
                call.arg(limit.capacity())
                    .arg(room.level)
                    .arg(limit.per_second())
                    .arg(ttl)
                    .arg(ticket)
                    .arg(room.timeout.as_secs_f64());
            }
            let wait: String = call
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error("the shared rate limit", &e))?;
            wait.parse::<f64>().map_err(|_| {
                TransportError::new(
                    "the shared rate limit",
                    TransportKind::Request,
                    false,
                    "Redis answered the script with a non-number".into(),
                )
                .into()
            })
        }
    }

    /// A Redis failure, without its address (which may hold a password).
    fn redis_error(what: &str, e: &redis::RedisError) -> Error {
        TransportError::new(
            what,
            TransportKind::Connect,
            false,
            format!("Redis: {:?} error", e.kind()),
        )
        .into()
    }

    impl RateLimiter for RedisRateLimiter {
        fn take<'a>(
            &'a self,
            portal: &'a str,
            room: Room,
            ticket: &'a str,
        ) -> LimitFuture<'a, Option<Duration>> {
            Box::pin(async move {
                let wait = self.run(portal, "take", room, ticket).await?;
                Ok((wait > 0.0).then(|| Duration::from_secs_f64(wait.min(600.0))))
            })
        }

        fn release<'a>(&'a self, portal: &'a str, ticket: &'a str) -> LimitFuture<'a, ()> {
            let room = Room {
                limit: RateLimit::new(1.0, 1.0),
                level: 0.0,
                timeout: Duration::ZERO,
            };
            Box::pin(async move { self.run(portal, "release", room, ticket).await.map(|_| ()) })
        }

        fn saturate<'a>(&'a self, portal: &'a str, room: Room) -> LimitFuture<'a, ()> {
            Box::pin(async move { self.run(portal, "fill", room, "").await.map(|_| ()) })
        }

        fn pause<'a>(
            &'a self,
            portal: &'a str,
            method: &'a str,
            until: f64,
        ) -> LimitFuture<'a, ()> {
            Box::pin(async move {
                let mut conn = self.conn.clone();
                // A pause lasts the operating-time window (10 minutes) at most.
                redis::pipe()
                    .atomic()
                    .hset(self.paused_key(portal), method, until)
                    .ignore()
                    .expire(self.paused_key(portal), 660)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| redis_error("the shared operating-time pauses", &e))
            })
        }

        fn paused<'a>(&'a self, portal: &'a str) -> LimitFuture<'a, Vec<(String, f64)>> {
            Box::pin(async move {
                let mut conn = self.conn.clone();
                let all: Vec<(String, f64)> = redis::cmd("HGETALL")
                    .arg(self.paused_key(portal))
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| redis_error("the shared operating-time pauses", &e))?;
                Ok(all)
            })
        }
    }
}
