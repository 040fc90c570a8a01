//! `b24-bench`: one scenario against a portal, timed, with its rate-limit bound.
//!
//! ```text
//! b24-bench --scenario export-all --n 20000            # in-process fake portal
//! b24-bench --webhook https://x.bitrix24.com/rest/1/xxxx/ --scenario single-calls --n 200
//! b24-bench --scenario decode --n 20000                # typed page decode vs Value
//! b24-bench --webhook http://127.0.0.1:8024/rest/1/t/ --redis redis://127.0.0.1:6379/ \
//!     --scenario many-writes --n 2000                  # one of several processes sharing a limit
//! ```
//!
//! Without `--webhook` it starts the fake portal with the simulated cost given by the
//! `--latency-*` flags (defaults: 50 ms a request, 5 ms a command, 0.2 ms a record) and
//! `--deals` seeded deals (default: N for export-all and many-writes). The last line of
//! stdout is one JSON object: scenario, records, http_requests, wall_s, and, against the
//! fake portal, the bound and the ratio to it (with `--jitter-ms`, for export-all, also the
//! bound on the same jittery network and the ratio to that).
#![allow(deprecated)] // crm.deal.* are deprecated in the docs in favour of crm.item.*

use std::time::{Duration, Instant};

use b24::prelude::*;
use b24::types::DialogId;
use b24::{Client, RateLimit, b24_method};
use clap::{Parser, ValueEnum};
use serde_json::json;

#[b24_method("crm.deal.list")]
pub struct DealList;

#[b24_method("crm.deal.update")]
pub struct DealUpdate;

#[b24_method("im.recent.unread")]
pub struct MarkUnread;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Every deal through the fast export of crm.deal.list.
    ExportAll,
    /// crm.deal.update of deals 1…N through batches.
    ManyWrites,
    /// N sequential im.recent.unread calls.
    SingleCalls,
    /// N decodes of one 50-deal crm.deal.list page into its typed result, against N
    /// decodes of the same bytes into `serde_json::Value` (no portal, no network).
    Decode,
}

#[derive(Debug, Parser)]
#[command(
    name = "b24-bench",
    version,
    about = "Run one b24 scenario against a portal"
)]
struct Args {
    /// Webhook URL of the portal; without it an in-process fake portal is started.
    #[arg(long)]
    webhook: Option<String>,
    /// Share the portal's rate limit with other processes through this Redis
    /// (`redis://127.0.0.1:6379/`): run several b24-bench at once against one portal.
    #[arg(long)]
    redis: Option<String>,
    /// The scenario.
    #[arg(long, value_enum)]
    scenario: Scenario,
    /// Size of the scenario.
    #[arg(long)]
    n: u64,
    /// Bucket capacity X (the client mirrors it; so does the fake portal).
    #[arg(long, default_value_t = 10.0)]
    bucket_x: f64,
    /// Bucket drain Y per second.
    #[arg(long, default_value_t = 5.0)]
    bucket_y: f64,
    /// Fake portal: seeded deals (default: N).
    #[arg(long)]
    deals: Option<u64>,
    /// Fake portal: latency per HTTP request, ms.
    #[arg(long, default_value_t = 50.0)]
    latency_request_ms: f64,
    /// Fake portal: latency per executed command, ms.
    #[arg(long, default_value_t = 5.0)]
    latency_command_ms: f64,
    /// Fake portal: latency per record read or written, ms.
    #[arg(long, default_value_t = 0.2)]
    latency_record_ms: f64,
    /// Network jitter: each request reaches the portal's limiter after a random delay up
    /// to this long, milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// Log the runtime's decisions (the export's plan, retries, waits) to stderr.
    #[arg(long)]
    trace: bool,
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v / 1000.0)
}

/// The rate-limit bound of a scenario on the fake portal's cost model.
fn bound(a: &Args) -> f64 {
    let (req, cmd, rec) = (
        a.latency_request_ms / 1e3,
        a.latency_command_ms / 1e3,
        a.latency_record_ms / 1e3,
    );
    let (x, y, n) = (a.bucket_x.floor(), a.bucket_y, a.n as f64);
    let rate = |requests: f64| ((requests - x) / y).max(0.0);
    match a.scenario {
        Scenario::ExportAll => {
            let pages = (n / 50.0).ceil();
            let batches = export_batches(n);
            let batch = req + 50.0_f64.min(pages) * (cmd + 50.0 * rec);
            rate(batches) + batch
        }
        Scenario::ManyWrites => {
            let batches = (n / 50.0).ceil();
            rate(batches) + req + 50.0_f64.min(n) * (cmd + rec)
        }
        Scenario::SingleCalls => rate(n) + req + cmd + rec,
        Scenario::Decode => 0.0,
    }
}

/// The batches of export-all's bound: its pages of 50 records, 50 pages a batch.
fn export_batches(records: f64) -> f64 {
    ((records / 50.0).ceil() / 50.0).ceil()
}

/// With `--jitter-ms`, export-all's bound on the same network: the bound's own batches
/// start together and each reaches the portal after its random delay (uniform up to J), so
/// the bound ends at the latest of them, expected `J × b / (b + 1)` later for `b` batches.
/// Reported beside the bound (which counts no jitter), not instead of it.
fn bound_jittered(a: &Args) -> Option<f64> {
    if a.jitter_ms <= 0.0 || !matches!(a.scenario, Scenario::ExportAll) {
        return None;
    }
    let together = export_batches(a.n as f64).min(a.bucket_x.floor()).max(1.0);
    Some(bound(a) + a.jitter_ms / 1e3 * together / (together + 1.0))
}

/// Typed decode of a 50-deal page against `serde_json::Value`, interleaved in rounds so
/// both see the same machine; the ratio is the median of the rounds' ratios.
async fn decode(n: u64) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    type Page = <DealList as b24::Method>::Output;
    let portal = b24_testkit::FakePortal::builder().deals(50).start().await?;
    let deals: Vec<serde_json::Value> =
        (1..=50).filter_map(|id| portal.handle().deal(id)).collect();
    let body = serde_json::to_vec(&json!({"result": deals, "total": 50, "next": 50}))?;
    // What a call does with the body: the envelope, then `result` straight into the page.
    let typed = |body: &[u8]| -> Result<usize, Box<dyn std::error::Error>> {
        let r = b24::__private::decode_body::<Page>("crm.deal.list", 200, body)?;
        Ok(r.result.len())
    };
    let untyped = |body: &[u8]| -> Result<usize, Box<dyn std::error::Error>> {
        let v: serde_json::Value = serde_json::from_slice(body)?;
        Ok(v["result"].as_array().map_or(0, Vec::len))
    };
    assert_eq!(typed(&body)?, 50, "the page decodes");
    let rounds = 10;
    let per = (n / rounds).max(1);
    let (mut t_typed, mut t_value, mut ratios) = (0.0, 0.0, Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..per {
            std::hint::black_box(untyped(std::hint::black_box(&body))?);
        }
        let v = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 0..per {
            std::hint::black_box(typed(std::hint::black_box(&body))?);
        }
        let ty = t.elapsed().as_secs_f64();
        t_value += v;
        t_typed += ty;
        ratios.push(ty / v);
    }
    ratios.sort_by(f64::total_cmp);
    let decodes = (per * rounds) as f64;
    Ok(json!({
        "scenario": "decode",
        "page_bytes": body.len(),
        "decodes": per * rounds,
        "value_us_per_page": (t_value / decodes * 1e7).round() / 10.0,
        "typed_us_per_page": (t_typed / decodes * 1e7).round() / 10.0,
        "ratio": (ratios[ratios.len() / 2] * 1000.0).round() / 1000.0,
    }))
}

/// The client of the run, and the fake portal it runs against unless `--webhook` names a
/// portal.
async fn connect(
    a: &Args,
) -> Result<(Client, Option<b24_testkit::RunningPortal>), Box<dyn std::error::Error>> {
    let limit = RateLimit::new(a.bucket_x, a.bucket_y);
    let (url, portal) = match &a.webhook {
        Some(u) => (u.clone(), None),
        None => {
            let deals = a.deals.unwrap_or(match a.scenario {
                Scenario::SingleCalls => 100,
                _ => a.n,
            });
            let p = b24_testkit::FakePortal::builder()
                .bucket(Some(b24_testkit::Bucket {
                    x: a.bucket_x,
                    y: a.bucket_y,
                }))
                .latency(b24_testkit::Latency {
                    per_request: ms(a.latency_request_ms),
                    per_command: ms(a.latency_command_ms),
                    per_record: ms(a.latency_record_ms),
                    jitter: ms(a.jitter_ms),
                })
                .deals(deals)
                .start()
                .await?;
            eprintln!("fake portal at {} with {deals} deals", p.base_url());
            (p.webhook_url(), Some(p))
        }
    };
    let mut builder = Client::builder().rate_limit(Some(limit));
    if let Some(redis) = &a.redis {
        builder = builder.shared_rate_limit(b24::RedisRateLimiter::connect(redis).await?);
    }
    Ok((builder.webhook(&url)?, portal))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    if a.trace {
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with_writer(std::io::stderr)
            .init();
    }
    if matches!(a.scenario, Scenario::Decode) {
        println!("{}", decode(a.n).await?);
        return Ok(());
    }
    let (client, portal) = connect(&a).await?;

    let started = Instant::now();
    let (records, errors) = match a.scenario {
        Scenario::ExportAll => {
            let select = [
                "ID",
                "TITLE",
                "STAGE_ID",
                "OPPORTUNITY",
                "CURRENCY_ID",
                "ASSIGNED_BY_ID",
                "DATE_CREATE",
            ];
            let req = DealList::new().select(select.map(String::from).to_vec());
            let mut last = 0;
            let mut deals = client.export(&req);
            let mut ids: Vec<i64> = Vec::with_capacity(a.n as usize);
            while let Some(deal) = deals.next().await {
                ids.extend(deal?.id);
                let p = deals.progress();
                if p.records >= last + 5000 {
                    last = p.records;
                    eprintln!("export: {} records, {} batches", p.records, p.requests);
                }
            }
            let received = ids.len();
            ids.sort_unstable();
            ids.dedup();
            (ids.len() as u64, (received - ids.len()) as u64)
        }
        Scenario::ManyWrites => {
            let updates = (1..=a.n as i64).map(|id| {
                DealUpdate::new(id).fields(deal_update::Deal {
                    title: Some(format!("Deal #{id} upd")),
                    ..Default::default()
                })
            });
            let results: Vec<_> = client.batch_all(updates).collect().await;
            let ok = results.iter().filter(|r| matches!(r, Ok(true))).count() as u64;
            for e in results.iter().filter_map(|r| r.as_ref().err()).take(5) {
                eprintln!("failed: {e}");
            }
            (ok, a.n - ok)
        }
        // Measured before the portal starts (no portal is involved).
        Scenario::Decode => return Err("the decode scenario has no portal".into()),
        Scenario::SingleCalls => {
            let mut ok = 0;
            for i in 0..a.n {
                let d = DialogId::Chat(i % 100 + 1);
                if client.call(&MarkUnread::new(d).action(true)).await? {
                    ok += 1;
                }
            }
            (ok, a.n - ok)
        }
    };
    let wall = started.elapsed().as_secs_f64();

    let scenario = match a.scenario {
        Scenario::ExportAll => "export-all",
        Scenario::ManyWrites => "many-writes",
        Scenario::SingleCalls => "single-calls",
        Scenario::Decode => "decode",
    };
    let m = client.metrics();
    let mut out = json!({
        "scenario": scenario,
        "records": records,
        "http_requests": m.requests,
        "wall_s": (wall * 1000.0).round() / 1000.0,
        "errors": errors,
        "retried_refused": m.retried_refused,
        "shared_limit_errors": m.shared_limit_errors,
    });
    if let Some(p) = &portal {
        let s = p.handle().stats();
        let b = bound(&a);
        out["bound_s"] = json!((b * 1000.0).round() / 1000.0);
        out["ratio"] = json!((wall / b * 1000.0).round() / 1000.0);
        if let Some(bj) = bound_jittered(&a) {
            out["bound_jittered_s"] = json!((bj * 1000.0).round() / 1000.0);
            out["ratio_jittered"] = json!((wall / bj * 1000.0).round() / 1000.0);
        }
        out["portal_http_requests"] = json!(s.http_requests);
        out["refused_503"] = json!(s.refused_503);
        out["writes"] = json!(s.writes);
        if matches!(a.scenario, Scenario::ManyWrites) {
            let writes = p.handle().writes();
            let mut targets: Vec<&str> = writes.iter().map(|w| w.target.as_str()).collect();
            targets.sort_unstable();
            let before = targets.len();
            targets.dedup();
            out["duplicate_writes"] = json!(before - targets.len());
        }
    }
    println!("{out}");
    Ok(())
}
