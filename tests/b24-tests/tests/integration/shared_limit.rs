//! A rate limit shared across processes through Redis: clients that each pace themselves
//! perfectly overrun a portal together (the portal refuses with 503), and keep to its
//! limit when they share the bucket; a method paused by its operating-time budget is
//! paused for all of them. Each client here has its own bucket, as a process would. A real `redis-server` is started on a free local port (installed from the
//! distribution's packages when missing and running as root), and stopped at the end.

#![allow(deprecated)] // crm.deal.get is deprecated in the docs in favour of crm.item.get

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use b24::{Client, RateLimit, RedisRateLimiter};
use b24_testkit::{Bucket, FakePortal, RunningPortal};

/// A `redis-server` of the test's own, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Redis::on(port)
    }

    fn on(port: u16) -> Redis {
        ensure_installed();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `redis-server` on the PATH, installed from the distribution's packages if missing
/// (as `.ci/run` does) when running as root.
fn ensure_installed() {
    let found = || {
        Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if found() {
        return;
    }
    let apt = |args: &[&str]| {
        let _ = Command::new("apt-get")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    apt(&["install", "-y", "-q", "redis-server"]);
    if !found() {
        apt(&["update", "-q"]);
        apt(&["install", "-y", "-q", "redis-server"]);
    }
    assert!(
        found(),
        "these tests need redis-server: install it (Debian: apt-get install redis-server)"
    );
}

/// A portal with a small, fast bucket: 10 requests, draining 20 a second.
const LIMIT: RateLimit = RateLimit::new(10.0, 20.0);

async fn portal() -> RunningPortal {
    FakePortal::builder()
        .bucket(Some(Bucket { x: 10.0, y: 20.0 }))
        .operating(None)
        .deals(0)
        .start()
        .await
        .expect("portal")
}

/// `workers` clients, each with a bucket of its own (as separate processes have), each
/// adding `n` deals at once; the deals that exist afterwards, and the portal's 503s.
async fn add_from(
    workers: usize,
    n: usize,
    p: &RunningPortal,
    shared: Option<&RedisRateLimiter>,
) -> (usize, u64, Vec<b24::Metrics>) {
    let clients: Vec<Client> = (0..workers)
        .map(|_| {
            let b = Client::builder().rate_limit(Some(LIMIT));
            let b = match shared {
                Some(s) => b.shared_rate_limit(s.clone()),
                None => b,
            };
            b.webhook(&p.webhook_url()).expect("client")
        })
        .collect();
    let calls = clients.iter().enumerate().flat_map(|(w, c)| {
        (0..n).map(move |i| {
            c.raw(
                "crm.deal.add",
                serde_json::json!({"fields": {"TITLE": format!("w{w}-{i}")}}),
            )
        })
    });
    let results = futures_util::future::join_all(calls.map(|c| async move { c.await })).await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    let writes = p.handle().writes();
    let mut titles: Vec<String> = writes
        .iter()
        .map(|w| {
            w.params["fields"]["TITLE"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), writes.len(), "a write applied twice");
    (
        writes.len(),
        p.handle().stats().refused_503,
        clients.iter().map(Client::metrics).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_bucket_keep_to_the_portal_limit_together() {
    let redis = Redis::start();
    // Alone, each client paces itself perfectly; together they overrun the portal, which
    // refuses with 503 (repeated, since it ran nothing: every write still applies once).
    let p = portal().await;
    let (applied, refused, _) = add_from(3, 30, &p, None).await;
    assert_eq!(applied, 90);
    assert!(refused > 0, "three unshared clients were never refused");
    eprintln!("3 clients, own buckets only: {refused} × 503");

    // Sharing the bucket through Redis: never refused.
    let limiter = RedisRateLimiter::connect(&redis.url())
        .await
        .expect("redis");
    let p = portal().await;
    let started = Instant::now();
    let (applied, refused, metrics) = add_from(3, 30, &p, Some(&limiter)).await;
    let wall = started.elapsed().as_secs_f64();
    // 90 requests, a burst of 10 then 20 a second: the bound.
    let bound = (90.0 - 10.0) / 20.0;
    eprintln!(
        "3 clients, one Redis bucket: {refused} × 503, {wall:.2} s against a bound of {bound:.2} s ({:.2}×)",
        wall / bound
    );
    assert_eq!(applied, 90);
    assert_eq!(refused, 0, "a shared bucket was refused");
    assert!(metrics.iter().all(|m| m.shared_limit_errors == 0));
    assert_eq!(
        limiter.key(&p.base_url()),
        format!("b24:rate:{}", p.base_url()),
        "one bucket per portal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_is_an_error_and_mid_run_a_fallback_to_own_pacing() {
    // Nothing listens: refused at start, with no address or password in the message.
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let err = RedisRateLimiter::connect(&format!("redis://:hunter2@127.0.0.1:{closed}/"))
        .await
        .expect_err("nothing listens");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(matches!(err, b24::Error::Transport(_)), "{err:?}");

    let mut redis = Redis::start();
    let port = redis.port;
    let limiter = RedisRateLimiter::connect(&redis.url())
        .await
        .expect("redis");
    let p = portal().await;
    let c = Client::builder()
        .rate_limit(Some(LIMIT))
        .shared_rate_limit(limiter.clone())
        .webhook(&p.webhook_url())
        .expect("client");
    let add = |i: usize| {
        c.raw(
            "crm.deal.add",
            serde_json::json!({"fields": {"TITLE": format!("d{i}")}}),
        )
    };
    for i in 0..5 {
        add(i).await.expect("with redis");
    }
    assert_eq!(c.metrics().shared_limit_errors, 0);
    // Redis goes away mid-run: the calls go on, paced by the client's own bucket.
    drop(redis);
    for i in 5..15 {
        add(i).await.expect("without redis");
    }
    assert!(c.metrics().shared_limit_errors > 0);
    // Back on the same port: used again.
    redis = Redis::on(port);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let errors = c.metrics().shared_limit_errors;
    for i in 15..20 {
        add(i).await.expect("redis back");
    }
    assert!(
        c.metrics().shared_limit_errors <= errors + 1,
        "Redis answers again"
    );
    assert_eq!(p.handle().writes().len(), 20, "every write applied once");
    assert_eq!(p.handle().stats().refused_503, 0);
    drop(redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_that_lies_about_its_limit_costs_time_not_writes() {
    // The client is told the standard bucket (50, 2 a second); the portal's is 10 and 20 a
    // second, so the client's burst overruns it: 503 storms, each repeated after a wait.
    let p = portal().await;
    let c = Client::builder()
        .rate_limit(Some(RateLimit::STANDARD))
        .webhook(&p.webhook_url())
        .expect("client");
    let calls = (0..40).map(|i| {
        c.raw(
            "crm.deal.add",
            serde_json::json!({"fields": {"TITLE": format!("l{i}")}}),
        )
    });
    let results = futures_util::future::join_all(calls.map(|c| async move { c.await })).await;
    assert!(results.iter().all(Result::is_ok));
    let refused = p.handle().stats().refused_503;
    eprintln!(
        "a lying portal: {refused} × 503, {} retried",
        c.metrics().retried_refused
    );
    assert!(refused > 0);
    assert_eq!(p.handle().writes().len(), 40, "every write applied once");
}

#[b24::b24_method("crm.deal.get")]
struct DealGet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_paused_by_its_operating_time_is_paused_for_every_process() {
    // 30 ms of work allowed per minute, and every call takes 40 ms: the second call of
    // crm.deal.get is refused (429, not run) until the minute is over.
    let p = FakePortal::builder()
        .bucket(None)
        .operating(Some(b24_testkit::Operating {
            budget: Duration::from_millis(30),
            window: Duration::from_secs(60),
        }))
        .latency(b24_testkit::Latency {
            per_command: Duration::from_millis(40),
            ..Default::default()
        })
        .deals(5)
        .start()
        .await
        .expect("portal");
    let redis = Redis::start();
    let process = |shared: Option<RedisRateLimiter>| {
        let b = Client::builder()
            .rate_limit(None)
            .retry(b24::RetryPolicy::default().with_deadline(Duration::from_secs(1)));
        match shared {
            Some(s) => b.shared_rate_limit(s),
            None => b,
        }
        .webhook(&p.webhook_url())
        .expect("client")
    };
    let limiter = RedisRateLimiter::connect(&redis.url())
        .await
        .expect("redis");
    let a = process(Some(limiter.clone()));
    a.call(&DealGet::new(1)).await.expect("within the budget");
    let refused = a.call(&DealGet::new(2)).await.expect_err("spent");
    assert_eq!(
        refused.api_code(),
        Some(&b24::ErrorCode::OperationTimeLimit)
    );
    assert_eq!(p.handle().stats().refused_429, 1);

    // Another process sharing the store waits without sending (here: past its deadline,
    // so it gives up at once, and says it did not send).
    let b = process(Some(limiter));
    let sent = p.handle().stats().http_requests;
    let paused = b.call(&DealGet::new(3)).await.expect_err("paused");
    assert_eq!(paused.api_code(), Some(&b24::ErrorCode::OperationTimeLimit));
    assert!(paused.to_string().contains("not sent"), "{paused}");
    assert_eq!(p.handle().stats().http_requests, sent, "nothing sent");
    // Other methods go on.
    b.raw("crm.deal.fields", serde_json::json!({}))
        .await
        .expect("another method");

    // A process without the store learns it from the portal: one refused request.
    let c = process(None);
    let refused = c.call(&DealGet::new(4)).await.expect_err("spent");
    assert_eq!(
        refused.api_code(),
        Some(&b24::ErrorCode::OperationTimeLimit)
    );
    assert_eq!(p.handle().stats().refused_429, 2);
    assert_eq!(p.handle().stats().commands.get("crm.deal.get"), Some(&1));
    drop(redis);
}
