//! `b24-cost`: one workload, run under `valgrind --tool=callgrind` to count the
//! instructions it takes; `runtime/b24-bench/cost.sh` runs each workload at two sizes against
//! a fake portal in another process and reports instructions per call (or per page).
//!
//! ```text
//! b24-cost --webhook http://127.0.0.1:8024/rest/1/t/ --what call-b24 --n 500
//! b24-cost --webhook http://127.0.0.1:8024/rest/1/t/ --what call-raw --n 500
//! b24-cost --what decode-typed --n 500
//! ```
//!
//! `call-b24` is a typed `im.recent.unread` through a client with pacing off; `call-raw`
//! the same request with reqwest and serde_json alone (the same JSON body, the answer
//! decoded into a struct of its `result` and `time`). `decode-typed` and `decode-value`
//! decode one 50-deal `crm.deal.list` page: into the typed result, and into
//! `serde_json::Value`.
#![allow(deprecated)] // crm.deal.list is deprecated in the docs in favour of crm.item.list

use b24::types::DialogId;
use b24::{Client, b24_method};
use clap::{Parser, ValueEnum};
use serde::Deserialize;
use serde_json::json;

#[b24_method("im.recent.unread")]
pub struct MarkUnread;

#[b24_method("crm.deal.list")]
pub struct DealList;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    /// Typed `im.recent.unread` calls through b24, pacing off.
    CallB24,
    /// The same requests with reqwest and serde_json.
    CallRaw,
    /// Decodes of a 50-deal page into the typed result.
    DecodeTyped,
    /// Decodes of the same bytes into `serde_json::Value`.
    DecodeValue,
}

#[derive(Debug, Parser)]
#[command(
    name = "b24-cost",
    version,
    about = "One workload, to count its instructions"
)]
struct Args {
    /// Webhook URL of the portal (the calls' workloads).
    #[arg(long)]
    webhook: Option<String>,
    /// The workload.
    #[arg(long, value_enum)]
    what: What,
    /// How many calls or decodes.
    #[arg(long)]
    n: u64,
}

/// The answer of `im.recent.unread` as the raw client reads it: what b24 reads too.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // read to be decoded, as b24 decodes them
struct Answer {
    result: bool,
    time: Time,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Time {
    start: f64,
    finish: f64,
    duration: f64,
    processing: f64,
    date_start: String,
    date_finish: String,
    operating_reset_at: Option<i64>,
    operating: Option<f64>,
}

fn dialog(i: u64) -> DialogId {
    DialogId::Chat(i % 100 + 1)
}

async fn call_b24(webhook: &str, n: u64) -> Result<u64, Box<dyn std::error::Error>> {
    let client = Client::builder().rate_limit(None).webhook(webhook)?;
    let mut ok = 0;
    for i in 0..n {
        ok += u64::from(
            client
                .call(&MarkUnread::new(dialog(i)).action(true))
                .await?,
        );
    }
    Ok(ok)
}

async fn call_raw(webhook: &str, n: u64) -> Result<u64, Box<dyn std::error::Error>> {
    let http = b24::http_client_builder()?.build()?;
    let url = format!(
        "{}im.recent.unread",
        webhook.trim_end_matches('/').to_owned() + "/"
    );
    let mut ok = 0;
    for i in 0..n {
        let body = json!({ "DIALOG_ID": dialog(i).to_string(), "ACTION": "Y" });
        let bytes = http
            .post(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let answer: Answer = serde_json::from_slice(&bytes)?;
        ok += u64::from(answer.result);
    }
    Ok(ok)
}

async fn page() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let portal = b24_testkit::FakePortal::builder().deals(50).start().await?;
    let deals: Vec<serde_json::Value> =
        (1..=50).filter_map(|id| portal.handle().deal(id)).collect();
    Ok(serde_json::to_vec(
        &json!({"result": deals, "total": 50, "next": 50}),
    )?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let webhook = || a.webhook.as_deref().ok_or("--webhook is needed for calls");
    let done = match a.what {
        What::CallB24 => call_b24(webhook()?, a.n).await?,
        What::CallRaw => call_raw(webhook()?, a.n).await?,
        What::DecodeTyped => {
            type Page = <DealList as b24::Method>::Output;
            let body = page().await?;
            let mut rows = 0;
            for _ in 0..a.n {
                let r = b24::__private::decode_body::<Page>(
                    "crm.deal.list",
                    200,
                    std::hint::black_box(&body),
                )?;
                rows += r.result.len() as u64;
            }
            rows / 50
        }
        What::DecodeValue => {
            let body = page().await?;
            let mut rows = 0;
            for _ in 0..a.n {
                let v: serde_json::Value = serde_json::from_slice(std::hint::black_box(&body))?;
                rows += v["result"].as_array().map_or(0, Vec::len) as u64;
            }
            rows / 50
        }
    };
    if done != a.n {
        return Err(format!("{done} of {} went through", a.n).into());
    }
    println!("{}", json!({ "what": format!("{:?}", a.what), "n": a.n }));
    Ok(())
}
