//! Receive the portal's events: an axum server with `b24::events::typed_router`, a handler
//! bound with `event.bind`, and a deal added to make the portal post `ONCRMDEALADD`, read
//! as its typed data.
//!
//! Against the in-process fake portal (one command, it exits once the event came):
//!
//! ```text
//! cargo run -p b24 --example event_handler --features event-handler,crm
//! ```
//!
//! Against a real portal, `B24_WEBHOOK_URL`, `B24_APPLICATION_TOKEN` and
//! `B24_HANDLER_URL` (this server's public URL) are read, and it serves until stopped.

use std::time::Duration;

use b24::events::{Event, Payload, PayloadError, typed_router};
use b24::{Client, Secret};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("B24_WEBHOOK_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let token =
        std::env::var("B24_APPLICATION_TOKEN").unwrap_or_else(|_| "example-app-token".into());
    let (client, _portal) = match &real {
        Some(url) => (Client::from_webhook(url)?, None),
        None => {
            let portal = b24_testkit::FakePortal::builder()
                .application_token(token.clone())
                .start()
                .await?;
            eprintln!(
                "B24_WEBHOOK_URL is not set: the fake portal at {}",
                portal.base_url()
            );
            (Client::from_webhook(portal.webhook_url())?, Some(portal))
        }
    };

    let (tx, mut rx) = mpsc::unbounded_channel::<(Event, Result<Payload, PayloadError>)>();
    let app = axum::Router::new().nest(
        "/b24/events",
        typed_router(Secret::new(token), move |event, data| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((event, data));
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let local = format!("http://{}/b24/events", listener.local_addr()?);
    let handler_url = std::env::var("B24_HANDLER_URL").unwrap_or(local);
    tokio::spawn(async move { axum::serve(listener, app).await });

    client.bind_event("ONCRMDEALADD", &handler_url).await?;
    println!("bound ONCRMDEALADD to {handler_url}");
    if real.is_none() {
        let id = client
            .raw(
                "crm.deal.add",
                serde_json::json!({ "fields": { "TITLE": "Event example" } }),
            )
            .await?;
        println!("crm.deal.add -> {id}");
    }
    loop {
        let next = if real.is_some() {
            rx.recv().await
        } else {
            tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .map_err(|_| "no event came in 5 s")?
        };
        let Some((e, data)) = next else { break };
        match data? {
            Payload::OnCrmDealAdd(data) => {
                let id: Option<i64> = data.fields.and_then(|f| f.id);
                println!("{} (handler {:?}): deal {id:?}", e.name, e.handler_id);
            }
            other => println!("{} (handler {:?}): {other:?}", e.name, e.handler_id),
        }
        if real.is_none() {
            break;
        }
    }
    client
        .unbind_event("ONCRMDEALADD", Some(&handler_url))
        .await?;
    Ok(())
}
