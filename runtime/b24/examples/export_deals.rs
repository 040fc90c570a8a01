//! Export every deal to a JSON Lines file with the fast export, and report the rate.
//!
//! Talks to the portal in `B24_WEBHOOK_URL` when set, and to a fake portal with 20,000
//! deals started in-process otherwise:
//!
//! ```text
//! cargo run -p b24 --example export_deals --features crm -- deals.jsonl
//! ```

use std::io::Write;

use b24::Client;
use b24::methods::crm::ItemList;
use b24::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "deals.jsonl".into());
    let (client, _portal) = match std::env::var("B24_WEBHOOK_URL") {
        Ok(url) if !url.is_empty() => (Client::from_webhook(&url)?, None),
        _ => {
            let portal = b24_testkit::FakePortal::builder()
                .deals(20_000)
                .start()
                .await?;
            eprintln!("B24_WEBHOOK_URL is not set: a fake portal with 20,000 deals");
            (Client::from_webhook(portal.webhook_url())?, Some(portal))
        }
    };
    let started = std::time::Instant::now();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    // Deals are the CRM items of type 2 (`crm.deal.list` is deprecated in the docs).
    let request = ItemList::new(2).select(vec!["id".into(), "title".into(), "stageId".into()]);
    let mut deals = client.export(&request);
    while let Some(deal) = deals.next().await {
        let deal = deal?;
        let line =
            serde_json::json!({ "id": deal.id, "title": deal.title, "stage": deal.stage_id });
        writeln!(file, "{line}")?;
    }
    file.flush()?;
    let p = deals.progress();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} deals in {secs:.2} s ({:.0}/s, {} requests) → {out}",
        p.records,
        p.records as f64 / secs,
        p.requests
    );
    Ok(())
}
