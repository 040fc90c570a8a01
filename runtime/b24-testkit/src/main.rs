//! `b24-testkit`: run the fake Bitrix24 portal as a command.

use std::time::Duration;

use b24_testkit::{Bucket, FakePortal, FaultRule, Latency, OAuthConfig, Operating, parse_fault};
use clap::Parser;

/// A fake Bitrix24 portal on 127.0.0.1 (see the b24-testkit crate docs).
#[derive(Debug, Parser)]
#[command(name = "b24-testkit", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8024)]
    port: u16,
    /// Rate limit: `standard` (50/2), `enterprise` (250/5), `off`, or `X/Y`.
    #[arg(long, default_value = "standard")]
    bucket: String,
    /// Operating-time budget per method in seconds (`off` to disable).
    #[arg(long, default_value = "480")]
    operating_budget: String,
    /// Operating-time window in seconds.
    #[arg(long, default_value_t = 600.0)]
    operating_window: f64,
    /// Simulated latency per HTTP request, milliseconds.
    #[arg(long, default_value_t = 0.0)]
    latency_request_ms: f64,
    /// Simulated latency per executed command, milliseconds.
    #[arg(long, default_value_t = 0.0)]
    latency_command_ms: f64,
    /// Simulated latency per record read or written, milliseconds.
    #[arg(long, default_value_t = 0.0)]
    latency_record_ms: f64,
    /// Network jitter: each request reaches the portal's limiter after a random delay up
    /// to this long, milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// Seeded deals (IDs 1…N).
    #[arg(long, default_value_t = 100)]
    deals: u64,
    /// Seeded dialogs (chat1…chatN).
    #[arg(long, default_value_t = 100)]
    dialogs: u64,
    /// Webhook user id.
    #[arg(long, default_value_t = 1)]
    webhook_user: u64,
    /// Webhook code.
    #[arg(long, default_value = "testkitwebhooktoken0001")]
    webhook_token: String,
    /// OAuth client id.
    #[arg(long, default_value = "local.testkit")]
    client_id: String,
    /// OAuth client secret.
    #[arg(long, default_value = "testkit-client-secret")]
    client_secret: String,
    /// First OAuth access token.
    #[arg(long, default_value = "testkit-access-0")]
    access_token: String,
    /// First OAuth refresh token.
    #[arg(long, default_value = "testkit-refresh-0")]
    refresh_token: String,
    /// Access-token lifetime, seconds.
    #[arg(long, default_value_t = 3600)]
    access_ttl: u64,
    /// A fault: `[METHOD:]FAULT[@N]` where FAULT is 500, drop-before, drop-after,
    /// truncated, html, slow:<ms> or error:<status>:<CODE>, and @N means every Nth request.
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// A canned result for a spec-only method: `METHOD=JSON`.
    #[arg(long = "canned")]
    canned: Vec<String>,
}

fn parse_rule(s: &str) -> Result<FaultRule, String> {
    let (body, every) = match s.rsplit_once('@') {
        Some((b, n)) => (b, n.parse::<u64>().map_err(|_| format!("bad @N in `{s}`"))?),
        None => (s, 1),
    };
    // METHOD:FAULT, where FAULT itself may contain `:` (slow:100, error:503:CODE).
    let (method, fault) = match body.split_once(':') {
        Some((m, f))
            if m.contains('.')
                || m == "batch"
                || m == "profile"
                || m == "methods"
                || m == "scope" =>
        {
            (Some(m), f)
        }
        _ => (None, body),
    };
    let mut rule = FaultRule::always(parse_fault(fault)?).every(every);
    if let Some(m) = method {
        rule = rule.method(m);
    }
    Ok(rule)
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v.max(0.0) / 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let bucket = match a.bucket.as_str() {
        "standard" => Some(Bucket::STANDARD),
        "enterprise" => Some(Bucket::ENTERPRISE),
        "off" => None,
        xy => {
            let (x, y) = xy
                .split_once('/')
                .ok_or("--bucket: expected standard, enterprise, off or X/Y")?;
            Some(Bucket {
                x: x.parse()?,
                y: y.parse()?,
            })
        }
    };
    let operating = match a.operating_budget.as_str() {
        "off" => None,
        b => Some(Operating {
            budget: Duration::from_secs_f64(b.parse()?),
            window: Duration::from_secs_f64(a.operating_window),
        }),
    };
    let mut portal = FakePortal::builder()
        .port(a.port)
        .bucket(bucket)
        .operating(operating)
        .latency(Latency {
            per_request: ms(a.latency_request_ms),
            per_command: ms(a.latency_command_ms),
            per_record: ms(a.latency_record_ms),
            jitter: ms(a.jitter_ms),
        })
        .deals(a.deals)
        .dialogs(a.dialogs)
        .webhook(a.webhook_user, a.webhook_token)
        .oauth(OAuthConfig {
            client_id: a.client_id,
            client_secret: a.client_secret,
            access_token: a.access_token,
            refresh_token: a.refresh_token,
            access_ttl: Duration::from_secs(a.access_ttl),
        });
    for f in &a.faults {
        portal = portal.fault(parse_rule(f)?);
    }
    for c in &a.canned {
        let (m, json) = c.split_once('=').ok_or("--canned: expected METHOD=JSON")?;
        portal = portal.canned(m, serde_json::from_str(json)?);
    }
    let running = portal.start().await?;
    println!("fake Bitrix24 portal listening on {}", running.base_url());
    println!("webhook URL: {}", running.webhook_url());
    println!(
        "OAuth portal: {}  token endpoint: {}",
        running.portal_url(),
        running.token_url()
    );
    println!("stats: {}/_stats", running.base_url());
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = running.wait() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_rules_from_flags() {
        let r = parse_rule("crm.deal.update:drop-after@3").expect("rule");
        assert_eq!(r.method.as_deref(), Some("crm.deal.update"));
        assert_eq!(r.every, 3);
        let r = parse_rule("error:503:QUERY_LIMIT_EXCEEDED").expect("rule");
        assert!(r.method.is_none());
        let r = parse_rule("im.recent.unread:slow:200").expect("rule");
        assert_eq!(
            r.fault,
            b24_testkit::Fault::SlowBody(Duration::from_millis(200))
        );
    }
}
