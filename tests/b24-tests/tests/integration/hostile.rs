//! Hostile servers: no credential leaves for a host other than the portal's through a
//! redirect, the HTTP layer never sends a request twice, and secrets a server echoes back
//! never reach an error. The redirect tests put a redirecting "portal" in front of a
//! second local host that must never see a request carrying a token.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use b24::{AuthKind, Client, ConfigKind, Error, OAuthApp, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A local HTTP/1.1 host that records every request and answers each as its mode says.
struct Host {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

/// How a [`Host`] answers.
#[derive(Clone)]
enum Mode {
    /// With `answer(path)`, at once.
    Answer(Arc<dyn Fn(&str) -> String + Send + Sync>),
    /// Never: the connection stays open and silent.
    Silent,
    /// With the text, one byte at a time, each after the pause.
    Trickle(String, Duration),
    /// With a JSON answer that does not end: 64 KiB chunks until the client hangs up
    /// (at most `1 GiB`), with `Content-Length: 1 GiB` declared or chunked; counts
    /// what it wrote.
    Gigabyte {
        declared: bool,
        written: Arc<std::sync::atomic::AtomicU64>,
    },
}

/// One GiB.
const GIB: u64 = 1 << 30;

impl Host {
    async fn start(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Host {
        Host::serve(Mode::Answer(Arc::new(answer))).await
    }

    async fn serve(mode: Mode) -> Host {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let log = log.clone();
                let mode = mode.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut conn).await else {
                        return;
                    };
                    let path = request
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_string();
                    log.lock().expect("log").push(request);
                    match mode {
                        Mode::Answer(answer) => {
                            let _ = conn.write_all(answer(&path).as_bytes()).await;
                        }
                        Mode::Silent => tokio::time::sleep(Duration::from_secs(3600)).await,
                        Mode::Gigabyte { declared, written } => {
                            let head = if declared {
                                format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {GIB}\r\nConnection: close\r\n\r\n"
                                )
                            } else {
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_string()
                            };
                            if conn.write_all(head.as_bytes()).await.is_err() {
                                return;
                            }
                            let chunk = vec![b' '; 64 * 1024];
                            let framed = [
                                format!("{:x}\r\n", chunk.len()).into_bytes(),
                                chunk.clone(),
                                b"\r\n".to_vec(),
                            ]
                            .concat();
                            let part = if declared { &chunk } else { &framed };
                            while written.load(std::sync::atomic::Ordering::Relaxed) < GIB {
                                if conn.write_all(part).await.is_err() {
                                    return;
                                }
                                written.fetch_add(
                                    chunk.len() as u64,
                                    std::sync::atomic::Ordering::Relaxed,
                                );
                            }
                        }
                        Mode::Trickle(text, pause) => {
                            for b in text.as_bytes() {
                                if conn.write_all(&[*b]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(pause).await;
                            }
                        }
                    }
                    let _ = conn.shutdown().await;
                });
            }
        });
        Host { base, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().expect("log").clone()
    }
}

/// The request's head and body, once `Content-Length` bytes of body have arrived.
async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Some(text);
            }
        }
    }
}

fn redirect_to(location: &str) -> String {
    format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

fn ok_json(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn a_redirected_write_is_sent_once_and_its_token_goes_nowhere_else() {
    let foreign = Host::start(|_| ok_json(r#"{"result": 1}"#)).await;
    let target = foreign.base.clone();
    let portal = Host::start(move |path| redirect_to(&format!("{target}{path}"))).await;

    // A webhook: the token is in the path.
    let hook =
        Client::from_webhook(format!("{}/rest/1/webhooksecret/", portal.base)).expect("client");
    let err = hook
        .raw(
            "crm.item.add",
            serde_json::json!({"entityTypeId": 2, "fields": {"title": "x"}}),
        )
        .retry_ambiguous()
        .await
        .expect_err("a redirect is not followed");
    let Error::Config(c) = &err else {
        panic!("a configuration error: {err:?}")
    };
    assert_eq!(c.kind(), ConfigKind::Redirected);
    assert!(
        err.to_string().contains(&foreign.base),
        "names where it points: {err}"
    );
    assert!(!err.to_string().contains("webhooksecret"), "{err}");
    assert!(!err.may_have_run());

    // OAuth: the token is in the body.
    let oauth =
        Client::from_oauth(format!("{}/", portal.base), "oauthaccesstoken").expect("client");
    let err = oauth
        .raw("crm.item.add", serde_json::json!({"entityTypeId": 2}))
        .await
        .expect_err("a redirect is not followed");
    assert!(
        matches!(&err, Error::Config(c) if c.kind() == ConfigKind::Redirected),
        "{err:?}"
    );

    assert_eq!(portal.requests().len(), 2, "each write sent once");
    assert!(foreign.requests().is_empty(), "{:?}", foreign.requests());
}

#[tokio::test]
async fn a_redirected_token_refresh_sends_no_secret_elsewhere_and_takes_no_tokens() {
    let foreign = Host::start(|_| {
        ok_json(r#"{"access_token": "stolen", "refresh_token": "stolen", "expires_in": 3600}"#)
    })
    .await;
    let target = foreign.base.clone();
    let endpoint = Host::start(move |path| redirect_to(&format!("{target}{path}"))).await;
    let portal = b24_testkit::FakePortal::builder()
        .start()
        .await
        .expect("portal");
    let (access, refresh) = portal.handle().tokens();
    portal.handle().expire_access_token();
    let app = OAuthApp {
        client_id: "local.testkit".into(),
        client_secret: Secret::new("testkit-client-secret"),
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        expires_in: None,
    };
    let c = Client::builder()
        .token_endpoint(format!("{}/oauth/token/", endpoint.base))
        .oauth_app(&portal.portal_url(), app)
        .expect("client");
    let err = c
        .raw("profile", serde_json::json!({}))
        .await
        .expect_err("no tokens from a redirect");
    assert!(
        matches!(&err, Error::Auth(a) if a.kind() == AuthKind::RefreshFailed && a.status() == Some(307)),
        "{err:?}"
    );
    assert_eq!(endpoint.requests().len(), 1);
    assert!(foreign.requests().is_empty(), "{:?}", foreign.requests());
}

#[tokio::test]
async fn a_download_follows_redirects_within_the_portal_only() {
    let foreign = Host::start(|_| ok_json("foreign bytes")).await;
    let target = foreign.base.clone();
    let portal = Host::start(move |path| {
        if path.starts_with("/away") {
            redirect_to(&format!("{target}/file"))
        } else if path.starts_with("/moved") {
            redirect_to("/file.bin")
        } else {
            ok_json("portal bytes")
        }
    })
    .await;
    let c = Client::from_oauth(format!("{}/", portal.base), "oauthaccesstoken").expect("client");
    let bytes = c
        .download("/moved?id=1")
        .await
        .expect("same-origin redirect");
    assert_eq!(bytes, b"portal bytes");
    let err = c.download("/away?id=1").await.expect_err("another host");
    assert!(
        matches!(&err, Error::Config(c) if c.kind() == ConfigKind::Redirected),
        "{err:?}"
    );
    assert!(!err.to_string().contains("oauthaccesstoken"), "{err}");
    assert!(foreign.requests().is_empty(), "{:?}", foreign.requests());
    assert_eq!(portal.requests().len(), 3);
}

#[tokio::test]
async fn an_answer_from_another_host_is_not_taken_even_from_a_following_client() {
    let foreign = Host::start(|_| ok_json(r#"{"result": "not the portal's"}"#)).await;
    let target = foreign.base.clone();
    let portal = Host::start(move |path| redirect_to(&format!("{target}{path}"))).await;
    let http = b24::http_client_builder()
        .expect("builder")
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .expect("http");
    let c = Client::builder()
        .http_client(http)
        .webhook(&format!("{}/rest/1/webhooksecret/", portal.base))
        .expect("client");
    let err = c
        .raw("profile", serde_json::json!({}))
        .await
        .expect_err("the answer is not the portal's");
    assert!(
        matches!(&err, Error::Config(c) if c.kind() == ConfigKind::Redirected),
        "{err:?}"
    );
}

#[tokio::test]
async fn secrets_a_server_echoes_are_scrubbed_from_errors() {
    // A portal that echoes the webhook code in a non-string `error` and the description.
    let portal = Host::start(|_| {
        let body = r#"{"error": {"echo": "webhooksecret"}, "error_description": "bad webhooksecret"}"#;
        format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    })
    .await;
    let c = Client::from_webhook(format!("{}/rest/1/webhooksecret/", portal.base)).expect("client");
    let err = c
        .raw("profile", serde_json::json!({}))
        .await
        .expect_err("an error");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("webhooksecret"), "{shown}");

    // A token endpoint that echoes the refresh token and the client secret.
    let endpoint = Host::start(|_| {
        ok_json(r#"{"error": "invalid_grant for echoedrefresh with echoedclientsecret"}"#)
    })
    .await;
    let fake = b24_testkit::FakePortal::builder()
        .start()
        .await
        .expect("portal");
    let (access, _) = fake.handle().tokens();
    fake.handle().expire_access_token();
    let app = OAuthApp {
        client_id: "local.testkit".into(),
        client_secret: Secret::new("echoedclientsecret"),
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new("echoedrefresh")),
        expires_in: None,
    };
    let c = Client::builder()
        .token_endpoint(format!("{}/oauth/token/", endpoint.base))
        .oauth_app(&fake.portal_url(), app)
        .expect("client");
    let err = c
        .raw("profile", serde_json::json!({}))
        .await
        .expect_err("refused");
    let shown = format!("{err} {err:?}");
    assert!(
        matches!(&err, Error::Auth(a) if a.kind() == AuthKind::RefreshRefused),
        "{shown}"
    );
    assert!(!shown.contains("echoedrefresh"), "{shown}");
    assert!(!shown.contains("echoedclientsecret"), "{shown}");
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused_while_it_streams() {
    let big = format!(r#"{{"result": "{}"}}"#, "x".repeat(64 * 1024));
    let declared = big.clone();
    // With its length declared, and chunked without one (read until the limit passes).
    let sized = Host::start(move |_| ok_json(&declared)).await;
    let chunked = Host::start(move |_| {
        let mut out = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        for part in big.as_bytes().chunks(4096) {
            out.push_str(&format!("{:x}\r\n{}\r\n", part.len(), String::from_utf8_lossy(part)));
        }
        out.push_str("0\r\n\r\n");
        out
    })
    .await;
    for host in [&sized, &chunked] {
        let c = Client::builder()
            .max_response_bytes(16 * 1024)
            .webhook(&format!("{}/rest/1/webhooksecret/", host.base))
            .expect("client");
        let err = c
            .raw("crm.item.add", serde_json::json!({}))
            .await
            .expect_err("too large");
        let Error::Transport(t) = &err else {
            panic!("a transport error: {err:?}")
        };
        assert_eq!(t.kind(), b24::TransportKind::Body);
        assert!(
            err.to_string()
                .contains("larger than the limit of 16384 bytes"),
            "{err}"
        );
        assert!(err.may_have_run(), "the request was sent");
        // Within the default limit the same answer reads.
        let c =
            Client::from_webhook(format!("{}/rest/1/webhooksecret/", host.base)).expect("client");
        let v = c.raw("profile", serde_json::json!({})).await.expect("read");
        assert_eq!(v.as_str().map(str::len), Some(64 * 1024));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_answer_is_cut_off_at_the_limit_not_read_whole() {
    for declared in [true, false] {
        let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let host = Host::serve(Mode::Gigabyte {
            declared,
            written: written.clone(),
        })
        .await;
        // The default limit: 64 MiB.
        let c =
            Client::from_webhook(format!("{}/rest/1/webhooksecret/", host.base)).expect("client");
        let err = tokio::time::timeout(
            Duration::from_secs(120),
            c.raw("crm.item.list", serde_json::json!({"entityTypeId": 2})),
        )
        .await
        .expect("the call ends")
        .expect_err("too large");
        assert!(
            err.to_string()
                .contains("larger than the limit of 67108864 bytes"),
            "{err}"
        );
        let sent = written.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!(
            "1 GiB answer, length declared: {declared}: the host wrote {sent} bytes before the client hung up"
        );
        if declared {
            // Refused from the declared length, before reading the body.
            assert!(sent < 16 << 20, "{sent} bytes written");
        } else {
            // Read up to the limit, then dropped (plus what the sockets' buffers hold).
            assert!(sent < (64 << 20) + (16 << 20), "{sent} bytes written");
        }
    }
}

#[tokio::test]
async fn a_silent_or_trickling_server_ends_in_a_timeout_that_says_the_write_may_have_run() {
    let silent = Host::serve(Mode::Silent).await;
    let trickle = Host::serve(Mode::Trickle(
        ok_json(r#"{"result": 1}"#),
        Duration::from_millis(50),
    ))
    .await;
    for host in [&silent, &trickle] {
        let c = Client::builder()
            .timeout(Duration::from_millis(500))
            .webhook(&format!("{}/rest/1/webhooksecret/", host.base))
            .expect("client");
        // A hang guard, not a speed target: the call must end at all.
        let err = tokio::time::timeout(
            Duration::from_secs(30),
            c.raw("crm.item.add", serde_json::json!({"entityTypeId": 2})),
        )
        .await
        .expect("the call ends")
        .expect_err("no answer in time");
        let Error::Transport(t) = &err else {
            panic!("a transport error: {err:?}")
        };
        assert_eq!(t.kind(), b24::TransportKind::Timeout, "{err}");
        assert!(err.may_have_run());
        assert!(err.to_string().contains("may have run"), "{err}");
        assert_eq!(
            host.requests().len(),
            1,
            "a write that may have run is not repeated"
        );
    }
}

/// The open file descriptors of this process (its sockets among them), Linux only.
fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(|d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_on_one_client() {
    let p = b24_testkit::FakePortal::builder()
        .bucket(None)
        .operating(None)
        .start()
        .await
        .expect("portal");
    let c = Client::builder()
        .rate_limit(None)
        .webhook(&p.webhook_url())
        .expect("client");
    // The most descriptors open at once while the calls run (the portal's sockets, in this
    // process too, included): bounded by the client's requests in flight, not by the calls.
    let peak = Arc::new(Mutex::new(0usize));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(n) = open_fds() {
                    let mut p = peak.lock().expect("peak");
                    *p = (*p).max(n);
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let calls = (0..10_000u64).map(|n| {
        let c = c.clone();
        async move {
            c.raw(
                "im.recent.unread",
                serde_json::json!({"DIALOG_ID": format!("chat{}", n % 50 + 1)}),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(calls).await;
    sampler.abort();
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    let peak = *peak.lock().expect("peak");
    eprintln!(
        "10k concurrent calls: {} failed; peak open descriptors {peak}; requests {}",
        failed.len(),
        c.metrics().requests
    );
    assert!(
        failed.is_empty(),
        "{} failed, first: {:?}",
        failed.len(),
        failed.first()
    );
    if open_fds().is_some() {
        // 64 client sockets, as many on the portal's side, and the process's own files:
        // far below the 1,024 a default `ulimit -n` allows.
        assert!(peak < 512, "peak open descriptors {peak}");
    }
}

#[tokio::test]
async fn the_fake_portal_refuses_a_request_body_over_its_limit_and_runs_nothing() {
    let p = b24_testkit::FakePortal::builder()
        .max_request_bytes(64 * 1024)
        .start()
        .await
        .expect("portal");
    let c = Client::from_webhook(p.webhook_url()).expect("client");
    let add = |title: String| {
        c.raw(
            "crm.deal.add",
            serde_json::json!({"fields": {"TITLE": title}}),
        )
    };
    let err = add("x".repeat(100 * 1024)).await.expect_err("too large");
    eprintln!("{err}");
    assert!(err.to_string().contains("413"), "{err}");
    assert!(p.handle().writes().is_empty(), "nothing ran");
    add("x".repeat(1024)).await.expect("under the limit");
    assert_eq!(p.handle().writes().len(), 1);
}

#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread;

#[tokio::test]
async fn secrets_echoed_in_values_and_batch_commands_are_scrubbed() {
    // A long token: a message that shortens the value shows only its start.
    const TOKEN: &str = "echoedWebhookToken0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
    let host = Host::start(|path| {
        let body = if path.contains("/batch") {
            format!(
                r#"{{"result": {{"result": {{"c1": "{TOKEN}"}}, "result_error": {{"c0": {{"error": "{TOKEN}", "error_description": "bad token {TOKEN}"}}}}, "result_total": [], "result_next": [], "result_time": []}}}}"#
            )
        } else {
            format!(r#"{{"result": "{TOKEN}"}}"#)
        };
        ok_json(&body)
    })
    .await;
    let c = Client::from_webhook(format!("{}/rest/1/{TOKEN}/", host.base)).expect("client");
    let unread = MarkUnread::new(b24::types::DialogId::Chat(1));
    // A value that is not what the method returns: the error shows what came, scrubbed.
    let err = c.call(&unread).await.expect_err("not a bool");
    let mut shown = vec![format!("{err} {err:?}")];
    // A batch: one command's error and another's value echo it.
    let mut batch = c.batch();
    let a = batch.add(&unread).expect("add");
    let b = batch.add(&unread).expect("add");
    let results = batch.send().await.expect("batch");
    for r in [results.get(&a), results.get(&b)] {
        let e = r.expect_err("an error");
        shown.push(format!("{e} {e:?}"));
    }
    for s in &shown {
        assert!(!s.contains(&TOKEN[..12]), "the token leaked: {s}");
    }
    for s in &shown {
        assert!(s.contains("***"), "{s}");
    }
}
