//! End to end: the runtime against the fake portal, over real HTTP on 127.0.0.1.

use b24::types::{DialogId, Yn};
use b24::{Client, Error, ErrorCode, Method, b24_method};
use b24_testkit::{Bucket, FakePortal, Fault, FaultRule, RunningPortal};
use serde_json::{Value, json};

#[b24_method("im.recent.unread")]
pub struct MarkUnread;

#[b24_method("im.recent.list")]
pub struct RecentList;

#[b24_method("im.recent.pin")]
pub struct Pin;

const TOKEN: &str = "e2eSecretWebhookCode42";

async fn portal() -> RunningPortal {
    FakePortal::builder()
        .webhook(7, TOKEN)
        .start()
        .await
        .expect("fake portal starts")
}

fn client(p: &RunningPortal) -> Client {
    Client::from_webhook(p.webhook_url()).expect("webhook client")
}

/// A client that surfaces every failure at once (no retries), to see each error as is.
fn client_no_retry(url: &str) -> Client {
    Client::builder()
        .retry(
            b24::RetryPolicy::default()
                .with_ambiguous_attempts(1)
                .with_refused_attempts(1),
        )
        .webhook(url)
        .expect("webhook client")
}

/// Every error message and debug form must be free of the token.
fn assert_no_secret(e: &Error, secret: &str) {
    let shown = format!("{e} | {e:?}");
    assert!(!shown.contains(secret), "secret leaked: {shown}");
}

#[tokio::test]
async fn webhook_call_sends_the_exact_path_and_body() {
    let p = portal().await;
    let c = client(&p);
    let ok = c
        .call(&MarkUnread::new("chat74".parse::<DialogId>().expect("id")).action(true))
        .await
        .expect("call succeeds");
    assert!(ok);
    let reqs = p.handle().requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].http_method, "POST");
    assert_eq!(reqs[0].path, format!("/rest/7/{TOKEN}/im.recent.unread"));
    assert_eq!(reqs[0].query, None);
    assert_eq!(reqs[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&reqs[0].body).expect("JSON body"),
        json!({"DIALOG_ID": "chat74", "ACTION": "Y"})
    );
    // The body keeps the documented parameter order.
    assert_eq!(reqs[0].body, r#"{"DIALOG_ID":"chat74","ACTION":"Y"}"#);
    assert!(p.handle().dialog(74).expect("chat74").unread);
}

#[tokio::test]
async fn optional_parameters_left_out_are_not_sent() {
    let p = portal().await;
    let c = client(&p);
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(3)))
            .await
            .expect("call")
    );
    assert_eq!(p.handle().requests()[0].body, r#"{"DIALOG_ID":"chat3"}"#);
    // The server's default (ACTION = Y) applies.
    assert!(p.handle().dialog(3).expect("chat3").unread);
}

#[tokio::test]
async fn oauth_call_posts_to_rest_method_with_auth_in_the_body() {
    let p = portal().await;
    let (access, _) = p.handle().tokens();
    let c = Client::from_oauth(p.portal_url(), access.clone()).expect("oauth client");
    let ok = c
        .call(&MarkUnread::new(DialogId::Chat(5)).action(Yn::N))
        .await
        .expect("call");
    assert!(ok);
    let reqs = p.handle().requests();
    assert_eq!(reqs[0].path, "/rest/im.recent.unread");
    assert_eq!(
        serde_json::from_str::<Value>(&reqs[0].body).expect("JSON body"),
        json!({"DIALOG_ID": "chat5", "ACTION": "N", "auth": access})
    );
    assert!(!format!("{c:?}").contains(&access));
}

#[tokio::test]
async fn true_for_a_known_dialog_false_for_an_unknown_one() {
    let p = portal().await;
    let c = client(&p);
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(1)))
            .await
            .expect("known")
    );
    assert!(
        !c.call(&MarkUnread::new(DialogId::Chat(100_000)))
            .await
            .expect("unknown")
    );
    assert!(
        !c.call(&MarkUnread::new(DialogId::User(12)))
            .await
            .expect("user dialog")
    );
}

#[tokio::test]
async fn flag_round_trips_through_the_typed_list() {
    let p = portal().await;
    let c = client(&p);
    let d = DialogId::Chat(42);
    c.call(&MarkUnread::new(d)).await.expect("mark");
    c.call(&Pin::new(d)).await.expect("pin");
    let page = c.call(&RecentList::new().limit(200)).await.expect("list");
    let items = page.items.expect("items");
    assert_eq!(items.len(), 100);
    // Pinned dialogs come first.
    assert_eq!(items[0].id, Some(d));
    assert_eq!(items[0].unread, Some(true));
    assert_eq!(items[0].pinned, Some(true));
    assert_eq!(items[0].type_, Some(recent_list::RecentItemType::Chat));
    let unread: Vec<_> = items.iter().filter(|i| i.unread == Some(true)).collect();
    assert_eq!(unread.len(), 1);
    // And cleared again.
    c.call(&MarkUnread::new(d).action(false))
        .await
        .expect("clear");
    let page = c
        .call(&RecentList::new().unread_only(true))
        .await
        .expect("list");
    assert!(page.items.expect("items").is_empty());
}

#[tokio::test]
async fn dialog_id_empty_is_a_typed_api_error() {
    let p = portal().await;
    let c = client(&p);
    let e = c
        .raw("im.recent.unread", json!({"DIALOG_ID": ""}))
        .await
        .expect_err("empty dialog id");
    let Error::Api(api) = &e else {
        panic!("not an API error: {e}")
    };
    assert_eq!(api.code(), &ErrorCode::DialogIdEmpty);
    assert_eq!(api.status(), 400);
    assert_eq!(api.method(), "im.recent.unread");
    assert_eq!(api.description(), "Dialog ID can't be empty");
    assert_no_secret(&e, TOKEN);
}

#[tokio::test]
async fn wrong_token_is_no_auth_found() {
    let p = portal().await;
    let bad = format!("{}/rest/7/wrongCodeAlsoSecret/", p.base_url());
    let c = Client::from_webhook(&bad).expect("client");
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("401");
    assert_eq!(e.api_code(), Some(&ErrorCode::NoAuthFound));
    let Error::Api(api) = &e else { panic!("{e}") };
    assert_eq!(api.status(), 401);
    assert_no_secret(&e, "wrongCodeAlsoSecret");
}

#[tokio::test]
async fn query_limit_exceeded_is_a_typed_api_error() {
    let p = FakePortal::builder()
        .webhook(7, TOKEN)
        .bucket(Some(Bucket { x: 2.0, y: 0.01 }))
        .start()
        .await
        .expect("portal");
    let c = client_no_retry(&p.webhook_url());
    for _ in 0..2 {
        c.call(&MarkUnread::new(DialogId::Chat(1)))
            .await
            .expect("within the bucket");
    }
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(2)))
        .await
        .expect_err("over the bucket");
    assert_eq!(e.api_code(), Some(&ErrorCode::QueryLimitExceeded));
    let Error::Api(api) = &e else { panic!("{e}") };
    assert_eq!(api.status(), 503);
    // The refused request did not run.
    assert!(!p.handle().dialog(2).expect("chat2").unread);
    assert_eq!(p.handle().stats().refused_503, 1);
    assert_no_secret(&e, TOKEN);
}

#[tokio::test]
async fn html_and_truncated_bodies_are_decode_errors_naming_the_method() {
    let p = portal().await;
    let c = client_no_retry(&p.webhook_url());
    p.handle().add_fault(
        FaultRule::always(Fault::Html)
            .method("im.recent.unread")
            .times(1),
    );
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("html");
    let Error::Decode(d) = &e else { panic!("{e}") };
    assert_eq!(d.method(), "im.recent.unread");
    assert_eq!(d.path(), "$");
    assert_eq!(d.status(), 502);
    assert_eq!(d.kind(), b24::DecodeKind::Body);
    assert!(e.to_string().contains("HTML"), "{e}");
    assert!(e.may_have_run());
    assert!(e.to_string().contains("may have run"), "{e}");
    assert_no_secret(&e, TOKEN);

    p.handle().add_fault(
        FaultRule::always(Fault::Truncated)
            .method("im.recent.list")
            .times(1),
    );
    let e = c.call(&RecentList::new()).await.expect_err("truncated");
    let Error::Decode(d) = &e else { panic!("{e}") };
    assert_eq!(d.method(), "im.recent.list");
    assert!(e.to_string().contains("truncated JSON"), "{e}");
    assert_no_secret(&e, TOKEN);
}

#[tokio::test]
async fn a_wrong_result_type_names_the_json_path() {
    let p = portal().await;
    let c = client(&p);
    // The raw call succeeds; a typed method whose spec says `bool` refuses a string.
    #[derive(serde::Serialize)]
    struct Profile;
    impl Method for Profile {
        const NAME: &'static str = "profile";
        type Output = bool;
    }
    let e = c.call(&Profile).await.expect_err("an object is not a bool");
    let Error::Decode(d) = &e else { panic!("{e}") };
    assert_eq!(d.method(), "profile");
    assert_eq!(d.path(), "$.result");
    assert_eq!(d.kind(), b24::DecodeKind::Value);
    assert!(d.problem().contains("expected a boolean"), "{e}");
}

#[tokio::test]
async fn a_request_that_fails_validation_sends_nothing() {
    let p = portal().await;
    let c = client(&p);
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(0)))
        .await
        .expect_err("chat0");
    let Error::Validation(v) = &e else {
        panic!("{e}")
    };
    assert_eq!(v.method(), "im.recent.unread");
    assert_eq!(v.problems()[0].field(), "DIALOG_ID");
    assert_eq!(v.problems()[0].value(), "chat0");
    assert_eq!(v.problems()[0].server_code(), Some("DIALOG_ID_EMPTY"));
    assert!(v.problems()[0].rule().contains("chatN"), "{e}");

    let e = c
        .call(&RecentList::new().limit(500))
        .await
        .expect_err("LIMIT over 200");
    assert!(
        e.to_string()
            .contains("LIMIT = \"500\": must be at most 200"),
        "{e}"
    );

    let e = c
        .raw("im.recent/unread", json!({}))
        .await
        .expect_err("bad method name");
    assert!(matches!(e, Error::Validation(_)), "{e}");

    assert_eq!(
        p.handle().stats().http_requests,
        0,
        "nothing reached the portal"
    );
    assert_no_secret(&e, TOKEN);
}

#[tokio::test]
async fn transport_errors_say_what_may_have_run_and_hide_the_token() {
    let p = portal().await;
    let c = client_no_retry(&p.webhook_url());
    p.handle().add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("im.recent.unread")
            .times(1),
    );
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(9)))
        .await
        .expect_err("dropped");
    let Error::Transport(t) = &e else {
        panic!("{e}")
    };
    assert!(t.may_have_run());
    assert!(
        p.handle().dialog(9).expect("chat9").unread,
        "the write ran before the drop"
    );
    assert_no_secret(&e, TOKEN);

    // Nothing listens on this port any more: a connection error, nothing ran.
    let addr = p.addr();
    drop(p);
    let c = Client::from_webhook(format!("http://{addr}/rest/7/{TOKEN}/")).expect("client");
    let e = c
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("refused");
    let Error::Transport(t) = &e else {
        panic!("{e}")
    };
    assert_eq!(t.kind(), b24::TransportKind::Connect);
    assert!(!t.may_have_run());
    assert_no_secret(&e, TOKEN);
}

#[tokio::test]
async fn a_full_call_exposes_the_time_block() {
    let p = portal().await;
    let c = client(&p);
    let r = c
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .full()
        .await
        .expect("call");
    assert!(r.result);
    let t = r.time.expect("time block");
    assert!(t.finish >= t.start);
    assert!(t.operating_reset_at.is_some());
    assert!(t.date_start.is_some());
}

#[tokio::test]
async fn a_raw_call_is_the_escape_hatch() {
    let p = portal().await;
    let c = client(&p);
    let v = c.raw("PROFILE", json!({})).await.expect("profile");
    assert_eq!(v["ID"], "1");
    let e = c.raw("no.such.method", json!({})).await.expect_err("404");
    assert_eq!(e.api_code(), Some(&ErrorCode::ErrorMethodNotFound));
}

#[test]
fn client_debug_hides_the_token() {
    let c = Client::from_webhook(format!("https://example.bitrix24.com/rest/7/{TOKEN}/"))
        .expect("client");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(TOKEN), "{dbg}");
    assert!(
        dbg.contains("example.bitrix24.com") && dbg.contains("user: 7"),
        "{dbg}"
    );
    let e = Client::from_webhook(format!("http://example.bitrix24.com/rest/7/{TOKEN}/"))
        .expect_err("plain http");
    assert_no_secret(&e, TOKEN);
    assert!(e.to_string().contains("plain http://"), "{e}");
}

#[b24_method("crm.item.list")]
pub struct ItemList;

/// The blocking client runs the seed call, a raw call and a paged list from plain
/// synchronous code, and refuses to block inside an async runtime.
#[test]
fn the_blocking_client_runs_the_seed_call_from_sync_code() {
    // The fake portal runs on a runtime of the test's; the client brings its own.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let p = rt
        .block_on(FakePortal::builder().deals(120).start())
        .expect("portal");
    let c = b24::blocking::Client::from_webhook(p.webhook_url()).expect("client");
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(1)))
            .expect("the seed call")
    );
    assert!(p.handle().dialog(1).expect("dialog").unread);
    c.call(&MarkUnread::new(DialogId::Chat(1)).action(Yn::N))
        .expect("unset");
    assert!(!p.handle().dialog(1).expect("dialog").unread);
    let full = c
        .call_full(&MarkUnread::new(DialogId::Chat(2)))
        .expect("full");
    assert!(full.result && full.time.is_some());
    let v = c
        .raw("im.recent.unread", json!({"DIALOG_ID": "chat3"}))
        .expect("raw");
    assert_eq!(v, json!(true));
    let deals: Vec<_> = c
        .list(ItemList::new(2)) // 2: deals
        .collect::<Result<_, _>>()
        .expect("every page");
    assert_eq!(deals.len(), 120);
    assert_eq!(c.metrics().requests, 4 + 3);
    // Inside an async runtime: refused with a clear error, nothing sent, no panic.
    let inside = rt.block_on(async { c.call(&MarkUnread::new(DialogId::Chat(4))) });
    let err = inside.expect_err("refused");
    assert!(
        matches!(&err, Error::Config(e) if e.kind() == b24::ConfigKind::Unsupported),
        "{err}"
    );
    assert!(err.to_string().contains("inside an async runtime"), "{err}");
    assert_eq!(c.metrics().requests, 7);
    // Its last clone may go inside an async context too.
    let clone = c.clone();
    drop(c);
    rt.block_on(async move { drop(clone) });
}
