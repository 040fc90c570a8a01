//! Webhook codes and tokens never reach logs, `Debug` or error messages — checked with
//! every log line captured at TRACE level, b24's and its dependencies'.

use std::io::Write;
use std::sync::{Arc, Mutex};

use b24::types::DialogId;
use b24::{Client, b24_method};
use b24_testkit::{FakePortal, Fault, FaultRule};

#[b24_method("im.recent.unread")]
pub struct MarkUnread;

const CODE: &str = "logSecretWebhookCode77";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_secret_in_logs_debug_or_errors() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut shown = Vec::new();
    rt.block_on(async {
        let portal = FakePortal::builder()
            .webhook(1, CODE)
            .start()
            .await
            .expect("portal");
        let client = Client::builder()
            .retry(
                b24::RetryPolicy::default()
                    .with_ambiguous_attempts(1)
                    .with_refused_attempts(1),
            )
            .webhook(&portal.webhook_url())
            .expect("client");
        shown.push(format!("{client:?}"));
        assert!(
            client
                .call(&MarkUnread::new(DialogId::Chat(1)))
                .await
                .expect("call")
        );
        for fault in [
            Fault::ServerError,
            Fault::Html,
            Fault::Truncated,
            Fault::DropAfterExecute,
        ] {
            portal.handle().add_fault(FaultRule::always(fault).times(1));
            let e = client
                .call(&MarkUnread::new(DialogId::Chat(2)))
                .await
                .expect_err("fault");
            shown.push(format!("{e} {e:?}"));
        }
        let e = client
            .call(&MarkUnread::new(DialogId::Chat(0)))
            .await
            .expect_err("invalid");
        shown.push(format!("{e} {e:?}"));
        let e = client
            .raw("im.recent.unread", serde_json::json!({"DIALOG_ID": ""}))
            .await
            .expect_err("api error");
        shown.push(format!("{e} {e:?}"));
        let (access, _) = portal.handle().tokens();
        let oauth = Client::from_oauth(portal.portal_url(), access.clone()).expect("oauth client");
        assert!(
            oauth
                .call(&MarkUnread::new(DialogId::Chat(3)))
                .await
                .expect("oauth call")
        );
        portal.handle().expire_access_token();
        let e = oauth
            .call(&MarkUnread::new(DialogId::Chat(3)))
            .await
            .expect_err("expired");
        shown.push(format!("{e} {e:?} {oauth:?}"));
        for s in &shown {
            assert!(!s.contains(&access), "access token leaked: {s}");
        }
        let addr = portal.addr();
        drop(portal);
        let gone = Client::builder()
            .retry(
                b24::RetryPolicy::default()
                    .with_ambiguous_attempts(1)
                    .with_refused_attempts(1),
            )
            .webhook(&format!("http://{addr}/rest/1/{CODE}/"))
            .expect("client");
        let e = gone
            .call(&MarkUnread::new(DialogId::Chat(1)))
            .await
            .expect_err("refused");
        shown.push(format!("{e} {e:?}"));
    });

    let logs =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logs.contains("im.recent.unread"),
        "b24 logs its calls: {logs}"
    );
    assert!(!logs.contains(CODE), "webhook code in the logs:\n{logs}");
    for s in &shown {
        assert!(!s.contains(CODE), "webhook code leaked: {s}");
    }
}

/// `Debug` (plain and `{:#?}`) of every public type that holds a secret, built with the
/// same secret everywhere: none shows it.
#[test]
fn no_secret_in_the_debug_of_any_type_holding_one() {
    const S: &str = "debugSecretValue991";
    let app = b24::OAuthApp {
        client_id: "app.client".into(),
        client_secret: b24::Secret::new(S),
        access_token: b24::Secret::new(S),
        refresh_token: Some(b24::Secret::new(S)),
        expires_in: None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _entered = rt.enter();
    let oauth = Client::builder()
        .oauth_app("https://example.bitrix24.com", app.clone())
        .expect("client");
    let webhook =
        Client::from_webhook(format!("https://example.bitrix24.com/rest/1/{S}/")).expect("client");
    let builder = Client::builder().token_store(|_: &b24::OAuthTokens| {});
    let unread = MarkUnread::new(DialogId::Chat(1));
    let call = webhook.call(&unread);
    let raw = oauth.raw(
        "im.recent.unread",
        serde_json::json!({"DIALOG_ID": "chat1"}),
    );
    let batch = webhook.batch();
    let portal_config = b24_testkit::Config {
        webhook_token: S.into(),
        oauth: b24_testkit::OAuthConfig {
            client_secret: S.into(),
            access_token: S.into(),
            refresh_token: S.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let portal = FakePortal::with_config(portal_config.clone());
    let shown = [
        format!("{:?} {:#?}", b24::Secret::new(S), b24::Secret::new(S)),
        format!("{app:?} {app:#?}"),
        format!("{oauth:?} {oauth:#?}"),
        format!("{webhook:?} {webhook:#?}"),
        format!("{builder:?} {builder:#?}"),
        format!("{call:?} {call:#?}"),
        format!("{raw:?} {raw:#?}"),
        format!("{batch:?} {batch:#?}"),
        format!("{portal_config:?} {portal_config:#?}"),
        format!("{:?} {:#?}", portal_config.oauth, portal_config.oauth),
        format!("{portal:?} {portal:#?}"),
    ];
    for s in &shown {
        assert!(!s.contains(S), "a secret in Debug: {s}");
    }
}
