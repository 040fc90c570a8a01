//! Incoming events through `b24::events::router` on a real socket: a post from the portal
//! reaches the handler typed; forged ones (wrong token, no token, not a form of an event,
//! 1 MB) are refused and never reach it.

use std::time::Duration;

use b24::Secret;
use b24::events::{Event, router};
use tokio::sync::mpsc;

const TOKEN: &str = "app-token-4f1c9a";

async fn serve() -> (String, mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().nest(
        "/events",
        router(Secret::new(TOKEN), move |e: Event| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(e);
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/events", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

async fn post(url: &str, body: impl Into<reqwest::Body>) -> u16 {
    b24::http_client_builder()
        .expect("TLS")
        .build()
        .expect("an HTTP client")
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post")
        .status()
        .as_u16()
}

fn form(token: Option<&str>) -> String {
    let mut f = form_pairs(&[
        ("event", "ONCRMDEALADD"),
        ("event_handler_id", "3"),
        ("data[FIELDS][ID]", "42"),
        ("ts", "1764800000"),
        ("auth[domain]", "example.bitrix24.com"),
        ("auth[member_id]", "m1"),
    ]);
    if let Some(t) = token {
        f.push_str(&format!("&auth%5Bapplication_token%5D={t}"));
    }
    f
}

fn form_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", k.replace('[', "%5B").replace(']', "%5D"), v))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn an_event_reaches_the_handler_and_forged_posts_do_not() {
    let (url, mut rx) = serve().await;
    assert_eq!(post(&url, form(Some(TOKEN))).await, 200);
    let e = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("in time")
        .expect("an event");
    assert_eq!(
        (e.name.as_str(), e.handler_id, e.ts),
        ("ONCRMDEALADD", Some(3), Some(1_764_800_000))
    );
    assert_eq!(e.data["FIELDS"]["ID"], "42");
    assert_eq!(e.auth.domain.as_deref(), Some("example.bitrix24.com"));
    assert!(!format!("{e:?}").contains(TOKEN));

    let big = format!("{}&pad={}", form(Some(TOKEN)), "x".repeat(1 << 20));
    for (what, body, status) in [
        ("a wrong token", form(Some("app-token-4f1c9b")), 401),
        ("no token", form(None), 401),
        ("an empty token", form(Some("")), 401),
        ("not an event", "hello=world".to_string(), 400),
        ("a broken form", "event=X&a[b=1".to_string(), 400),
        ("1 MB", big, 413),
    ] {
        assert_eq!(post(&url, body).await, status, "{what}");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.try_recv().is_err(), "no forged post reached the handler");
}

async fn fake_portal() -> b24_testkit::RunningPortal {
    b24_testkit::FakePortal::builder()
        .bucket(None)
        .operating(None)
        .deals(20)
        .application_token(TOKEN)
        .start()
        .await
        .expect("portal")
}

fn client(p: &b24_testkit::RunningPortal) -> b24::Client {
    b24::Client::builder()
        .rate_limit(None)
        .webhook(&p.webhook_url())
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_handler_receives_the_portals_event() {
    let p = fake_portal().await;
    let c = client(&p);
    let (url, mut rx) = serve().await;
    c.bind_event("OnCrmDealAdd", &url).await.expect("bind");
    let id = c
        .raw(
            "crm.deal.add",
            serde_json::json!({ "fields": { "TITLE": "From the event test" } }),
        )
        .await
        .expect("add");
    let e = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the post came in time")
        .expect("an event");
    assert_eq!(e.name, "ONCRMDEALADD");
    assert_eq!(e.data["FIELDS"]["ID"], id.to_string());
    assert!(e.handler_id.is_some() && e.ts.is_some());
    // Typed: the `data` of ONCRMDEALADD as its docs page gives it, the id an integer.
    let payload = b24::events::Payload::of(&e).expect("the documented form");
    assert_eq!(payload.name(), Some("ONCRMDEALADD"));
    let b24::events::Payload::OnCrmDealAdd(data) = payload else {
        panic!("not the typed ONCRMDEALADD: {payload:?}");
    };
    let typed_id: Option<i64> = data.fields.and_then(|f| f.id);
    assert_eq!(typed_id.map(|i| i.to_string()), Some(id.to_string()));
    // Unbound: no more posts.
    c.unbind_event("ONCRMDEALADD", Some(&url))
        .await
        .expect("unbind");
    c.raw(
        "crm.deal.add",
        serde_json::json!({ "fields": { "TITLE": "x" } }),
    )
    .await
    .expect("add");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.try_recv().is_err(), "nothing after unbind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_to_a_chat_reaches_the_handler_typed() {
    let p = fake_portal().await;
    let c = client(&p);
    let (url, mut rx) = serve().await;
    c.bind_event("ONIMV2MESSAGEADD", &url).await.expect("bind");
    let id = c
        .raw(
            "im.message.add",
            serde_json::json!({ "DIALOG_ID": "chat3", "MESSAGE": "Hello, chat" }),
        )
        .await
        .expect("sent");
    let e = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("the post came in time")
        .expect("an event");
    let b24::events::Payload::OnImV2MessageAdd(data) =
        b24::events::Payload::of(&e).expect("the documented form")
    else {
        panic!("not ONIMV2MESSAGEADD: {e:?}");
    };
    let message = data.message.expect("the message");
    assert_eq!(message.id.map(|i| i.to_string()), Some(id.to_string()));
    assert_eq!(message.chat_id, Some(3));
    assert_eq!(message.text.as_deref(), Some("Hello, chat"));
    assert_eq!(message.is_system, Some(false));
    let chat = data.chat.expect("the chat");
    assert_eq!(chat.dialog_id.as_deref(), Some("chat3"));
    assert_eq!(data.language.as_deref(), Some("en"));
    // An empty message is refused with the page's code, and nothing is posted.
    let err = c
        .raw(
            "im.message.add",
            serde_json::json!({ "DIALOG_ID": "chat3" }),
        )
        .await
        .expect_err("empty");
    assert!(err.to_string().contains("MESSAGE_EMPTY"), "{err}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "no event for a refused message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_with_another_applications_token_never_reaches_the_handler() {
    let p = b24_testkit::FakePortal::builder()
        .bucket(None)
        .application_token("another-applications-token")
        .start()
        .await
        .expect("portal");
    let c = client(&p);
    let (url, mut rx) = serve().await;
    c.bind_event("ONCRMDEALUPDATE", &url).await.expect("bind");
    c.raw(
        "crm.deal.update",
        serde_json::json!({ "id": 1, "fields": { "TITLE": "y" } }),
    )
    .await
    .expect("update");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rx.try_recv().is_err(), "refused with 401, not handed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_queue_drains_without_losing_or_repeating_when_the_consumer_fails() {
    let p = fake_portal().await;
    let c = client(&p);
    c.bind_offline_event("ONCRMDEALUPDATE").await.expect("bind");
    for id in 1..=10 {
        c.raw(
            "crm.deal.update",
            serde_json::json!({ "id": id, "fields": { "TITLE": "z" } }),
        )
        .await
        .expect("update");
    }
    let mut seen: Vec<String> = Vec::new();
    // The consumer fails on the sixth event (fetched four at a time).
    let mut queue = c.offline_events().limit(4);
    let err = queue
        .drain(|e| {
            let deal = e.data["FIELDS"]["ID"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let fail = deal == "6";
            if !fail {
                seen.push(deal);
            }
            async move {
                if fail {
                    Err("the consumer fell over")
                } else {
                    Ok(())
                }
            }
        })
        .await
        .expect_err("it failed");
    let b24::events::DrainError::Handler { processed, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(processed, 5);
    // A new consumer takes up the held events by the process id it kept.
    let process = queue.process_id().expect("a process").to_string();
    let mut again = c.offline_events().limit(4).resume(process);
    let n = again
        .drain(|e| {
            // The queue's events read typed as well.
            let payload = b24::events::Payload::of_offline(&e).expect("the documented form");
            let b24::events::Payload::OnCrmDealUpdate(data) = payload else {
                panic!("not ONCRMDEALUPDATE: {payload:?}");
            };
            let id: Option<i64> = data.fields.and_then(|f| f.id);
            seen.push(id.map(|i| i.to_string()).unwrap_or_default());
            async { Ok::<(), std::io::Error>(()) }
        })
        .await
        .expect("drained");
    assert_eq!(n, 5);
    let want: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
    assert_eq!(seen, want, "every event once, in order");
    assert!(
        again.fetch().await.expect("fetch").is_empty(),
        "the queue is empty"
    );
}

#[test]
fn a_payload_of_the_wrong_form_names_the_event_and_the_path_and_an_unknown_event_stays_json() {
    let e = Event::from_form(
        form_pairs(&[
            ("event", "ONCRMDEALUPDATE"),
            ("data[FIELDS][ID]", "forty-two"),
            ("auth[application_token]", "t"),
        ])
        .as_bytes(),
    )
    .expect("an event");
    let err = b24::events::Payload::of(&e).expect_err("ID is not an integer");
    assert_eq!(err.event, "ONCRMDEALUPDATE");
    assert_eq!(err.path, "$.data.FIELDS.ID");
    assert!(err.to_string().contains("forty-two"), "{err}");
    let e =
        Event::from_form(form_pairs(&[("event", "ONSOMETHINGNEW"), ("data[X]", "1")]).as_bytes())
            .expect("an event");
    match b24::events::Payload::of(&e).expect("any data") {
        b24::events::Payload::Unknown(data) => assert_eq!(data["X"], "1"),
        other => panic!("typed an unknown event: {other:?}"),
    }
}
