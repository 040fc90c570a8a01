//! A real answer always decodes: one member of an unexpected form does not fail the call.
//! The typed result keeps everything else, the member's raw value stays in its struct's
//! `extra`, and the response says what it could not read (method, JSON path, what was
//! found), also as a `tracing` warning. A strict client keeps the old behaviour.

use std::io::Write;
use std::sync::{Arc, Mutex};

use b24::{Client, DecodeKind, Error};
use b24_testkit::{FakePortal, RunningPortal};
use serde_json::{Value, json};

#[b24::b24_method("vendor.rows.list", spec = "fixtures/vendor.rows.list.toml")]
pub struct RowsList;

/// What a real portal answered for a lead's source (`SOURCE_ID: "CALL"`, which the spec
/// calls an integer), next to rows that fit.
fn answer() -> Value {
    json!({"total": 2, "rows": [
        {"ID": "1", "quantity": 0.06, "SOURCE_ID": "4"},
        {"ID": "2", "quantity": "2.5", "SOURCE_ID": "CALL"}
    ]})
}

async fn portal() -> RunningPortal {
    FakePortal::builder()
        .webhook(1, "lenientTestWebhookCode")
        .spec(include_str!("../../fixtures/vendor.rows.list.toml"))
        .canned("vendor.rows.list", answer())
        .start()
        .await
        .expect("portal")
}

async fn one_member_of_another_form_leaves_the_rest_of_the_answer_typed() {
    let p = portal().await;
    let c = Client::from_webhook(p.webhook_url()).expect("client");
    let r = c
        .call(&RowsList::new())
        .full()
        .await
        .expect("the answer decodes");
    let rows = r.result.rows.expect("rows");
    assert_eq!(r.result.total, Some(2));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].source_id, Some(4));
    assert_eq!(rows[1].id, Some(2));
    assert_eq!(rows[1].quantity, Some(2.5));
    // The member that did not fit: out of its field, as it came in `extra`.
    assert_eq!(rows[1].source_id, None);
    assert_eq!(rows[1].extra.get("SOURCE_ID"), Some(&json!("CALL")));
    // And said.
    assert_eq!(r.unread.len(), 1, "{:?}", r.unread);
    let u = &r.unread[0];
    assert_eq!(u.path, "$.result.rows[1].SOURCE_ID");
    assert_eq!(u.found, "\"CALL\"");
    assert!(u.expected.contains("integer"), "{}", u.expected);
    assert_eq!(u.value, json!("CALL"));
}

#[tokio::test]
async fn a_strict_client_names_the_method_and_the_json_path() {
    let p = portal().await;
    let c = Client::builder()
        .strict_decoding(true)
        .webhook(&p.webhook_url())
        .expect("client");
    let e = c.call(&RowsList::new()).await.expect_err("strict");
    let Error::Decode(d) = &e else {
        panic!("a decode error, got {e:?}")
    };
    assert_eq!(d.kind(), DecodeKind::Value);
    let shown = e.to_string();
    assert!(shown.contains("vendor.rows.list"), "{shown}");
    assert!(shown.contains("$.result.rows[1].SOURCE_ID"), "{shown}");
    assert!(shown.contains("\"CALL\""), "{shown}");
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One test, so that the scoped subscriber is the only one the warning's callsite meets
/// (tracing caches a callsite's interest across the threads of a test binary).
#[test]
fn what_was_left_out_is_kept_and_said_also_as_a_tracing_warning() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(one_member_of_another_form_leaves_the_rest_of_the_answer_typed());
    let log = String::from_utf8(capture.0.lock().expect("log").clone()).expect("utf-8");
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("vendor.rows.list"), "{log}");
    assert!(log.contains("$.result.rows[1].SOURCE_ID"), "{log}");
    assert!(
        !log.contains("lenientTestWebhookCode"),
        "no secret in logs: {log}"
    );
}
