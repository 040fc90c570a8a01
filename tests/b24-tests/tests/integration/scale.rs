//! The runtime at scale against the fake portal: typed batches, lists and export, the
//! limits, retries that never repeat a write, OAuth refresh. Functional checks only; the
//! timing figures are in `b24-bench`.
#![allow(deprecated)] // crm.deal.* are deprecated in the docs in favour of crm.item.*

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use b24::prelude::*;
use b24::types::DialogId;
use b24::{
    Client, CommandError, Error, ErrorCode, OAuthApp, RateLimit, RetryPolicy, Secret, b24_method,
};
use b24_testkit::{Bucket, FakePortal, Fault, FaultRule, Operating, RunningPortal};

#[b24_method("crm.deal.get")]
pub struct DealGet;
#[b24_method("crm.deal.add")]
pub struct DealAdd;
#[b24_method("crm.deal.update")]
pub struct DealUpdate;
#[b24_method("crm.deal.list")]
pub struct DealList;
#[b24_method("im.recent.unread")]
pub struct MarkUnread;
#[b24_method("im.recent.list")]
pub struct RecentList;
#[b24_method("im.department.colleagues.list")]
pub struct Colleagues;

async fn portal(b: FakePortal) -> RunningPortal {
    b.start().await.expect("portal")
}

fn client(p: &RunningPortal) -> Client {
    Client::from_webhook(p.webhook_url()).expect("client")
}

fn title_update(id: i64, title: &str) -> DealUpdate {
    DealUpdate::new(id).fields(deal_update::Deal {
        title: Some(title.to_string()),
        ..Default::default()
    })
}

/// Every write target of the portal's log appears once.
fn assert_no_duplicate_writes(p: &RunningPortal) -> usize {
    let writes = p.handle().writes();
    let mut seen = BTreeSet::new();
    for w in &writes {
        assert!(
            seen.insert((w.method.clone(), w.target.clone())),
            "{} {} applied twice",
            w.method,
            w.target
        );
    }
    writes.len()
}

#[tokio::test]
async fn typed_batch_with_errors_references_and_halt() {
    let p = portal(FakePortal::builder().deals(20)).await;
    let c = client(&p);
    let mut b = c.batch();
    let deal = b.add(&DealGet::new(7)).expect("add");
    let missing = b.add(&DealGet::new(999)).expect("add");
    let flag = b.add(&MarkUnread::new(DialogId::Chat(3))).expect("add");
    let created = b
        .add(&DealAdd::new(deal_add::Deal {
            title: Some("Batch made".into()),
            ..Default::default()
        }))
        .expect("add");
    // A reference goes where the id would: no placeholder.
    let fetched = b
        .add(&DealGet::new(created.result()))
        .expect("add with a reference");
    let r = b.send().await.expect("batch");
    assert_eq!(
        r.get(&deal).expect("deal 7").title.as_deref(),
        Some("Deal #7")
    );
    let Err(CommandError::Api(e)) = r.get(&missing) else {
        panic!("the missing deal is an error")
    };
    assert_eq!(e.description(), "Not found");
    assert_eq!(e.method(), "crm.deal.get");
    assert!(r.get(&flag).expect("flag"));
    let id = r.get(&created).expect("new id");
    assert_eq!(id, 21);
    assert_eq!(
        r.get(&fetched).expect("fetched through $result").id,
        Some(21)
    );
    assert_eq!(r.ran().len(), 5);
    assert_eq!(p.handle().stats().http_requests, 1);

    // halt: the commands after the failing one do not run, and say so.
    let mut b = c.batch().halt(true);
    let _bad = b.add(&DealGet::new(999)).expect("add");
    let upd = b.add(&title_update(5, "never")).expect("add");
    let r = b.send().await.expect("batch");
    let e = r.get(&upd).expect_err("halted");
    assert!(e.not_run(), "{e}");
    assert_eq!(r.not_run(), ["c1"]);
    assert_ne!(p.handle().deal(5).expect("deal")["TITLE"], "never");
}

#[tokio::test]
async fn batch_limits_are_checked_before_sending() {
    let p = portal(FakePortal::builder()).await;
    let c = client(&p);
    let mut b = c.batch();
    for i in 1..=50 {
        b.add(&DealGet::new(i)).expect("fits");
    }
    let e = b.add(&DealGet::new(51)).expect_err("the 51st");
    assert!(e.to_string().contains("at most 50 commands"), "{e}");
    let e = c
        .batch()
        .add(&MarkUnread::new(DialogId::Chat(0)))
        .expect_err("invalid");
    assert!(matches!(e, Error::Validation(_)));
    assert_eq!(p.handle().stats().http_requests, 0);
}

#[tokio::test]
async fn batch_all_applies_every_write_once() {
    let p = portal(FakePortal::builder().deals(130)).await;
    let c = client(&p);
    let results = c
        .batch_all((1..=130).map(|id| title_update(id, &format!("Deal #{id} upd"))))
        .collect::<Vec<_>>()
        .await;
    assert_eq!(results.len(), 130);
    assert!(results.iter().all(|r| matches!(r, Ok(true))));
    assert_eq!(
        p.handle().stats().http_requests,
        3,
        "130 commands: 3 batches"
    );
    assert_eq!(assert_no_duplicate_writes(&p), 130);
    assert_eq!(
        p.handle().deal(130).expect("deal")["TITLE"],
        "Deal #130 upd"
    );
    // Per-command failures stay next to the successes.
    let results = c
        .batch_all([title_update(1, "a"), title_update(9999, "b")])
        .collect::<Vec<_>>()
        .await;
    assert!(matches!(results[0], Ok(true)));
    assert!(matches!(&results[1], Err(CommandError::Api(e)) if e.description() == "Not found"));
}

#[tokio::test]
async fn list_streams_every_page() {
    let p = portal(FakePortal::builder().deals(137)).await;
    let c = client(&p);
    let mut filter = std::collections::BTreeMap::new();
    filter.insert(">ID".to_string(), serde_json::json!(10));
    let deals: Vec<_> = c
        .list(
            DealList::new()
                .filter(filter)
                .select(vec!["ID".into(), "TITLE".into()]),
        )
        .collect()
        .await;
    let ids: Vec<i64> = deals
        .into_iter()
        .map(|d| d.expect("deal").id.expect("ID"))
        .collect();
    assert_eq!(ids, (11..=137).collect::<Vec<_>>());
    assert_eq!(
        p.handle().stats().http_requests,
        3,
        "pages of 50 via start/next"
    );
}

#[tokio::test]
async fn list_pages_by_limit_and_offset() {
    let p = portal(FakePortal::builder().dialogs(437)).await;
    let c = client(&p);
    let ids = |items: Vec<Result<recent_list::RecentItem, Error>>| -> BTreeSet<String> {
        items
            .into_iter()
            .map(|i| i.expect("item").id.expect("id").to_string())
            .collect()
    };

    // No LIMIT of its own: the spec's largest (200) is asked for; the short page is the last.
    let all = ids(c.list(RecentList::new()).collect().await);
    assert_eq!(all.len(), 437, "every dialog once");
    assert_eq!(p.handle().stats().http_requests, 3, "200 + 200 + 37");
    let sent: Vec<(i64, i64)> = p
        .handle()
        .requests()
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).expect("JSON body");
            (
                body["OFFSET"].as_i64().unwrap(),
                body["LIMIT"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sent, [(0, 200), (200, 200), (400, 200)]);

    // The request's own offset and limit: pages of 100 from 137; the list ends exactly on a
    // page boundary, so one empty page says it is over.
    p.handle().reset_stats();
    let rest = ids(c
        .list(RecentList::new().offset(137).limit(100))
        .collect()
        .await);
    assert_eq!(rest.len(), 300);
    assert!(rest.is_subset(&all));
    assert_eq!(p.handle().stats().http_requests, 4, "100 + 100 + 100 + 0");
}

#[tokio::test]
async fn a_list_that_ignores_its_offset_ends_with_an_error_not_a_loop() {
    // An answer that never changes, whatever the OFFSET.
    let p = portal(FakePortal::builder().canned(
        "im.department.colleagues.list",
        serde_json::json!([1, 2, 3]),
    ))
    .await;
    let c = client(&p);
    let items: Vec<_> = c.list(Colleagues::new()).collect().await;
    assert_eq!(items.len(), 4, "one page, then the error");
    assert!(items[..3].iter().all(|i| i.is_ok()));
    let err = items[3].as_ref().expect_err("the repeated page");
    assert!(err.to_string().contains("does not page by offset"), "{err}");
    assert!(
        matches!(err, Error::Protocol(e) if e.kind() == b24::ProtocolKind::Paging),
        "{err:?}"
    );
    assert_eq!(p.handle().stats().http_requests, 2);
}

#[tokio::test]
async fn export_has_no_duplicates_and_no_gaps() {
    let p = portal(FakePortal::builder().deals(3210)).await;
    let c = client(&p);
    // Gaps in the key space.
    for id in [1, 2, 500, 501, 502, 3210] {
        c.raw("crm.deal.delete", serde_json::json!({ "id": id }))
            .await
            .expect("delete");
    }
    let mut progress = Vec::new();
    let mut stream = c.export(&DealList::new().select(vec!["ID".into(), "STAGE_ID".into()]));
    let mut deals = Vec::new();
    while let Some(deal) = stream.next().await {
        deals.push(deal.expect("export"));
        progress.push(stream.progress());
    }
    progress.push(stream.progress());
    let ids: Vec<i64> = deals.iter().map(|d| d.id.expect("ID")).collect();
    let want: Vec<i64> = (1..=3210)
        .filter(|i| ![1, 2, 500, 501, 502, 3210].contains(i))
        .collect();
    assert_eq!(ids, want, "every deal once, in key order");
    assert_eq!(deals[0].stage_id.as_deref(), Some("EXECUTING")); // deal 3
    let last = progress.last().expect("progress reported");
    assert_eq!(last.records, want.len());
    assert_eq!(last.max_key, Some(3209));
    // The filter applies; an empty result is fine.
    let mut filter = std::collections::BTreeMap::new();
    filter.insert("=STAGE_ID".to_string(), serde_json::json!("WON"));
    let won = c
        .export(&DealList::new().filter(filter.clone()))
        .try_collect::<Vec<_>>()
        .await
        .expect("export");
    assert!(won.iter().all(|d| d.stage_id.as_deref() == Some("WON")));
    assert_eq!(won.len(), want.iter().filter(|i| *i % 6 == 4).count());
    filter.insert(">ID".to_string(), serde_json::json!(100_000));
    assert!(
        c.export(&DealList::new().filter(filter))
            .try_collect::<Vec<_>>()
            .await
            .expect("export")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_known_only_by_name_exports_as_json() {
    let p = portal(FakePortal::builder().deals(1_234).tasks(321)).await;
    let c = client(&p);
    let params = serde_json::json!({ "select": ["ID", "TITLE"], "filter": { ">ID": 100 } });
    let deals: Vec<serde_json::Value> = c
        .export_raw("crm.deal.list", params, b24::Listing::v2_export("ID", None))
        .try_collect()
        .await
        .expect("export");
    let ids: Vec<i64> = deals
        .iter()
        .map(|d| d["ID"].as_str().and_then(|s| s.parse().ok()).expect("ID"))
        .collect();
    assert_eq!(ids, (101..=1_234).collect::<Vec<_>>());
    let tasks: Vec<serde_json::Value> = c
        .export_raw(
            "tasks.task.list",
            serde_json::Value::Null,
            b24::Listing::v3(),
        )
        .try_collect()
        .await
        .expect("export");
    let ids: Vec<i64> = tasks
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, (1..=321).collect::<Vec<_>>());
    let err = c
        .export_raw(
            "crm.deal.list",
            serde_json::json!([1]),
            b24::Listing::v2_export("ID", None),
        )
        .try_collect::<Vec<_>>()
        .await
        .expect_err("params are an object");
    assert!(
        err.to_string()
            .contains("the parameters of a list method are a JSON object"),
        "{err}"
    );
}

#[tokio::test]
async fn export_edges_a_short_list_a_full_page_one_more_and_a_select_without_the_key() {
    // The first answer carries the first page: a list it holds whole needs nothing more;
    // two windows left go out as two batches at once.
    for (deals, requests) in [(30, 1), (50, 1), (51, 2), (101, 3)] {
        let p = portal(FakePortal::builder().deals(deals)).await;
        let c = client(&p);
        let got: Vec<_> = c
            .export(&DealList::new())
            .try_collect()
            .await
            .expect("export");
        let ids: Vec<i64> = got.iter().map(|d| d.id.expect("ID")).collect();
        assert_eq!(ids, (1..=deals as i64).collect::<Vec<_>>(), "{deals} deals");
        assert_eq!(p.handle().stats().http_requests, requests, "{deals} deals");
    }
    // A select without the key: the keys come from a command of their own, the items
    // stay as selected, and they are the items the plain list gives.
    let p = portal(FakePortal::builder().deals(260)).await;
    let c = client(&p);
    let select = || DealList::new().select(vec!["STAGE_ID".into()]);
    let exported: Vec<_> = c.export(&select()).try_collect().await.expect("export");
    let listed: Vec<_> = c.list(select()).try_collect().await.expect("list");
    assert_eq!(exported.len(), 260);
    assert!(exported.iter().all(|d| d.id.is_none()), "only STAGE_ID");
    let stages = |v: &[_]| -> Vec<Option<String>> {
        v.iter()
            .map(|d: &<DealList as b24::ListMethod>::Item| d.stage_id.clone())
            .collect()
    };
    assert_eq!(stages(&exported), stages(&listed));
}

#[tokio::test]
async fn a_mirrored_bucket_is_never_refused() {
    let p = portal(FakePortal::builder().bucket(Some(Bucket { x: 5.0, y: 20.0 }))).await;
    let c = Client::builder()
        .rate_limit(Some(RateLimit::new(5.0, 20.0)))
        .webhook(&p.webhook_url())
        .expect("client");
    let calls = (1..=30).map(|n| {
        let c = c.clone();
        async move { c.call(&MarkUnread::new(DialogId::Chat(n))).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| matches!(r, Ok(true))));
    assert_eq!(p.handle().stats().refused_503, 0);
    assert_eq!(c.metrics().retried_refused, 0);
}

#[tokio::test]
async fn query_limit_exceeded_is_waited_out_and_retried() {
    let p = portal(FakePortal::builder().bucket(Some(Bucket { x: 3.0, y: 20.0 }))).await;
    // No client-side bucket: the portal refuses, the client waits and repeats.
    let c = Client::builder()
        .rate_limit(None)
        .webhook(&p.webhook_url())
        .expect("client");
    let calls = (1..=12).map(|id| {
        let c = c.clone();
        async move { c.call(&title_update(id, "x")).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| matches!(r, Ok(true))), "{results:?}");
    assert!(p.handle().stats().refused_503 > 0);
    assert!(c.metrics().retried_refused > 0);
    assert_eq!(
        assert_no_duplicate_writes(&p),
        12,
        "a refused write did not run, so repeating it is safe"
    );
}

#[tokio::test]
async fn operation_time_limit_waits_for_the_reset() {
    let p = portal(
        FakePortal::builder()
            .operating(Some(Operating {
                budget: Duration::from_millis(30),
                window: Duration::from_secs(2),
            }))
            .latency(b24_testkit::Latency {
                per_command: Duration::from_millis(40),
                ..Default::default()
            }),
    )
    .await;
    let c = Client::builder()
        .operating_budget(Duration::from_secs(480))
        .webhook(&p.webhook_url())
        .expect("client");
    assert!(c.call(&DealGet::new(1)).await.is_ok());
    // The second call is refused with 429 until the first basket leaves the window.
    assert!(c.call(&DealGet::new(2)).await.is_ok());
    assert!(p.handle().stats().refused_429 >= 1);
    assert_eq!(p.handle().stats().commands.get("crm.deal.get"), Some(&2));
}

#[tokio::test]
async fn a_batch_reference_takes_a_parameters_place_and_stays_in_its_batch() {
    let p = portal(FakePortal::builder().deals(3)).await;
    let c = client(&p);
    let mut b = c.batch();
    let first = b.add(&DealGet::new(2)).expect("add");
    // Into a nested path, `add_with` still does it.
    let by_ref = b.add(&DealGet::new(first.at(&["ID"]))).expect("add");
    let nested = b
        .add_with(
            &DealUpdate::new(1).fields(deal_update::Deal::default()),
            &[("fields.TITLE", first.at(&["TITLE"]))],
        )
        .expect("add");
    let r = b.send().await.expect("batch");
    assert_eq!(r.get(&by_ref).expect("by reference").id, Some(2));
    assert!(r.get(&nested).expect("updated"));
    let title = c.call(&DealGet::new(1)).await.expect("deal 1").title;
    assert_eq!(title.as_deref(), Some("Deal #2"));

    // Outside a batch a reference means nothing: refused, nothing sent.
    let sent = p.handle().stats().http_requests;
    let err = c
        .call(&DealGet::new(first.at(&["ID"])))
        .await
        .expect_err("a reference outside a batch");
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(
        err.to_string().contains("only meaningful inside a batch"),
        "{err}"
    );
    assert_eq!(p.handle().stats().http_requests, sent);
}

#[tokio::test]
async fn a_wait_past_the_call_deadline_is_not_begun() {
    // The portal's window is a minute: a refused call would wait for most of it.
    let p = portal(
        FakePortal::builder()
            .operating(Some(Operating {
                budget: Duration::from_millis(30),
                window: Duration::from_secs(60),
            }))
            .latency(b24_testkit::Latency {
                per_command: Duration::from_millis(40),
                ..Default::default()
            }),
    )
    .await;
    let c = Client::builder()
        .retry(RetryPolicy::default().with_deadline(Duration::from_secs(1)))
        .webhook(&p.webhook_url())
        .expect("client");
    assert!(c.call(&DealGet::new(1)).await.is_ok());
    // Refused by the portal; the wait for its reset does not fit the deadline.
    let guard = Duration::from_secs(30);
    let refused = tokio::time::timeout(guard, c.call(&DealGet::new(2)))
        .await
        .expect("ends within the deadline, not after the reset")
        .expect_err("refused");
    assert_eq!(refused.api_code(), Some(&ErrorCode::OperationTimeLimit));
    assert!(!refused.may_have_run());
    // Now known to be blocked: not even sent.
    let sent = p.handle().stats().http_requests;
    let blocked = tokio::time::timeout(guard, c.call(&DealGet::new(3)))
        .await
        .expect("ends at once")
        .expect_err("blocked");
    assert_eq!(blocked.api_code(), Some(&ErrorCode::OperationTimeLimit));
    assert!(blocked.to_string().contains("not sent"), "{blocked}");
    assert_eq!(p.handle().stats().http_requests, sent);
}

#[tokio::test]
async fn ambiguous_failures_repeat_only_idempotent_calls() {
    let p = portal(FakePortal::builder()).await;
    let c = client(&p);
    let h = p.handle();
    // Idempotent: dropped after it ran, repeated, fine.
    h.add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("im.recent.unread")
            .times(1),
    );
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(4)))
            .await
            .expect("repeated")
    );
    assert_eq!(c.metrics().retried_ambiguous, 1);
    // A write: not repeated; the error says it may have run, and it ran once.
    h.add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("crm.deal.update")
            .times(1),
    );
    let e = c
        .call(&title_update(5, "once"))
        .await
        .expect_err("not repeated");
    let Error::Transport(t) = &e else {
        panic!("{e}")
    };
    assert!(t.may_have_run());
    h.add_fault(
        FaultRule::always(Fault::ServerError)
            .method("crm.deal.update")
            .times(1),
    );
    let e = c
        .call(&title_update(6, "once"))
        .await
        .expect_err("not repeated");
    assert_eq!(e.api_code(), Some(&ErrorCode::InternalServerError));
    let updates: Vec<_> = h
        .writes()
        .into_iter()
        .filter(|w| w.method == "crm.deal.update")
        .collect();
    assert_eq!(
        updates.len(),
        1,
        "deal 5 once; deal 6 never ran (a 500 before running)"
    );
    // The caller may opt in for one call.
    h.add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("crm.deal.update")
            .times(1),
    );
    let ok = c.call(&title_update(7, "opt-in")).retry_ambiguous().await;
    assert!(ok.expect("repeated by consent"));
}

#[tokio::test]
async fn faults_never_duplicate_a_write_and_every_failure_says_what_ran() {
    let p = portal(FakePortal::builder().deals(600)).await;
    let h = p.handle();
    h.add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("batch")
            .every(4),
    );
    h.add_fault(
        FaultRule::always(Fault::ServerError)
            .method("batch")
            .every(5),
    );
    h.add_fault(
        FaultRule::always(Fault::Error {
            status: 503,
            code: "QUERY_LIMIT_EXCEEDED".into(),
        })
        .method("batch")
        .every(3)
        .times(2),
    );
    h.add_fault(FaultRule::always(Fault::Truncated).method("batch").every(7));
    let c = Client::builder()
        .retry(RetryPolicy::default().with_backoff(Duration::from_millis(10)))
        .webhook(&p.webhook_url())
        .expect("client");
    let results = c
        .batch_all((1..=600).map(|id| title_update(id, "faulty")))
        .collect::<Vec<_>>()
        .await;
    let ok = results.iter().filter(|r| matches!(r, Ok(true))).count();
    let unknown: Vec<&CommandError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        ok > 0 && !unknown.is_empty(),
        "ok {ok}, failed {}",
        unknown.len()
    );
    assert_eq!(ok + unknown.len(), 600);
    for e in &unknown {
        assert!(
            matches!(e, CommandError::Unknown { .. }),
            "a whole-batch failure says the commands may have run: {e}"
        );
    }
    let writes = assert_no_duplicate_writes(&p);
    // Every command reported ok ran; those reported unknown ran or not, never twice.
    assert!(writes >= ok && writes <= 600, "writes {writes}, ok {ok}");
    assert!(p.handle().stats().faults >= 5);
}

#[tokio::test]
async fn oauth_refresh_is_shared_by_concurrent_calls_and_saved() {
    let p = portal(FakePortal::builder()).await;
    let (access, refresh) = p.handle().tokens();
    let saved: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = saved.clone();
    let app = OAuthApp {
        client_id: "local.testkit".into(),
        client_secret: Secret::new("testkit-client-secret"),
        access_token: Secret::new(access.clone()),
        refresh_token: Some(Secret::new(refresh)),
        expires_in: None,
    };
    let c = Client::builder()
        .token_endpoint(p.token_url())
        .token_store(move |t: &b24::OAuthTokens| {
            store
                .lock()
                .expect("lock")
                .push(t.access_token.expose().to_string());
        })
        .oauth_app(&p.portal_url(), app)
        .expect("client");
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(1)))
            .await
            .expect("first call")
    );
    p.handle().expire_access_token();
    let calls = (1..=10).map(|n| {
        let c = c.clone();
        async move { c.call(&MarkUnread::new(DialogId::Chat(n))).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| matches!(r, Ok(true))), "{results:?}");
    assert_eq!(c.metrics().refreshes, 1, "one refresh for all");
    let (new_access, _) = p.handle().tokens();
    assert_ne!(new_access, access);
    assert_eq!(*saved.lock().expect("lock"), vec![new_access.clone()]);
    assert!(!format!("{c:?}").contains(&new_access));
}

#[tokio::test]
async fn oauth_refreshes_ahead_of_expiry() {
    let p = portal(FakePortal::builder()).await;
    let (access, refresh) = p.handle().tokens();
    let app = OAuthApp {
        client_id: "local.testkit".into(),
        client_secret: Secret::new("testkit-client-secret"),
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(refresh)),
        expires_in: Some(Duration::ZERO),
    };
    let c = Client::builder()
        .token_endpoint(p.token_url())
        .oauth_app(&p.portal_url(), app)
        .expect("client");
    assert!(
        c.call(&MarkUnread::new(DialogId::Chat(1)))
            .await
            .expect("call")
    );
    assert_eq!(c.metrics().refreshes, 1);
    // The portal never answered expired_token: the refresh came first.
    assert_eq!(p.handle().stats().http_requests, 1);
}

#[tokio::test]
async fn a_refused_or_impossible_refresh_is_an_auth_error_with_its_kind() {
    let p = portal(FakePortal::builder()).await;
    let (access, _) = p.handle().tokens();
    let app = |refresh: Option<&str>| OAuthApp {
        client_id: "local.testkit".into(),
        client_secret: Secret::new("testkit-client-secret"),
        access_token: Secret::new(access.clone()),
        refresh_token: refresh.map(Secret::new),
        expires_in: None,
    };
    p.handle().expire_access_token();
    let spent = Client::builder()
        .token_endpoint(p.token_url())
        .oauth_app(&p.portal_url(), app(Some("spent-refresh-token")))
        .expect("client");
    let err = spent
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("the refresh is refused");
    let Error::Auth(a) = &err else {
        panic!("an auth error: {err:?}")
    };
    assert_eq!(a.kind(), b24::AuthKind::RefreshRefused);
    assert_eq!(a.code(), Some("invalid_grant"));
    assert!(!err.may_have_run());
    assert!(!err.to_string().contains("spent-refresh-token"), "{err}");
    assert!(!format!("{err:?}").contains("spent-refresh-token"));

    let none = Client::builder()
        .token_endpoint(p.token_url())
        .oauth_app(&p.portal_url(), app(None))
        .expect("client");
    let err = none
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("nothing to refresh with");
    assert_eq!(err.api_code(), Some(&ErrorCode::ExpiredToken), "{err:?}");

    let broken = Client::builder()
        .token_endpoint(format!("{}no-such-endpoint/", p.portal_url()))
        .oauth_app(&p.portal_url(), app(Some("any-refresh-token")))
        .expect("client");
    let err = broken
        .call(&MarkUnread::new(DialogId::Chat(1)))
        .await
        .expect_err("the endpoint gives no tokens");
    let Error::Auth(a) = &err else {
        panic!("an auth error: {err:?}")
    };
    assert_eq!(a.kind(), b24::AuthKind::RefreshFailed, "{err}");
    assert!(!err.to_string().contains("any-refresh-token"), "{err}");
}

#[b24_method("crm.item.list")]
pub struct ItemList;

#[tokio::test]
async fn crm_items_list_and_export_through_their_items_member() {
    // `crm.item.list` wraps its page in `{"items": […]}` and names the key `id`.
    let p = portal(FakePortal::builder().deals(260)).await;
    let c = client(&p);
    c.raw(
        "crm.item.delete",
        serde_json::json!({"entityTypeId": 2, "id": 7}),
    )
    .await
    .expect("delete");
    let want: Vec<i64> = (1..=260).filter(|i| *i != 7).collect();
    let mut export = c.export(&ItemList::new(2));
    let mut ids = Vec::new();
    while let Some(item) = export.next().await {
        ids.push(item.expect("item").id.expect("id"));
    }
    assert_eq!(ids, want, "every item once, in key order");
    assert_eq!(export.progress().records, want.len());
    assert_eq!(export.progress().max_key, Some(260));
    let listed: Vec<_> = c.list(ItemList::new(2)).try_collect().await.expect("list");
    let listed: Vec<i64> = listed.iter().map(|i| i.id.expect("id")).collect();
    assert_eq!(listed, want);
}

/// What the writes of one fault mix became, checked against the portal's write log.
#[derive(Debug, Default)]
struct Tally {
    /// Reported done, and in the log exactly once.
    applied_once: usize,
    /// Reported "may have run" (`CommandError::Unknown`), and in the log at most once.
    may_have_run: usize,
    /// … of which the log shows ran.
    may_have_run_applied: usize,
    /// Reported failed or not run, and not in the log.
    failed: usize,
    /// In the log more than once.
    duplicates: usize,
    /// Reported done but not in the log, or reported failed but in it.
    silent: usize,
}

impl Tally {
    /// Adds one write: what the client said, how often the log shows it.
    fn add(&mut self, said: Result<(), &CommandError>, in_log: usize) {
        if in_log > 1 {
            self.duplicates += 1;
        }
        match said {
            Ok(()) if in_log == 1 => self.applied_once += 1,
            Ok(()) => self.silent += 1,
            Err(CommandError::Unknown { .. }) => {
                self.may_have_run += 1;
                self.may_have_run_applied += usize::from(in_log > 0);
            }
            Err(_) if in_log == 0 => self.failed += 1,
            Err(_) => self.silent += 1,
        }
    }
}

/// The deal ids written by `method` per title, from the portal's log.
fn logged_titles(
    p: &RunningPortal,
    method: &str,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for w in p.handle().writes() {
        if w.method != method {
            continue;
        }
        let title = w.params["fields"]["TITLE"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        out.entry(title).or_default().push(w.target.clone());
    }
    out
}

/// The writes so far went from `.0` to `.1` (`(0, 0)` before the first).
#[derive(Clone, Copy)]
struct Progress(u64, u64);

impl Progress {
    fn start(self) -> bool {
        self.1 == 0
    }

    /// The write count passed `n` just now.
    fn crossed(self, n: u64) -> bool {
        self.0 < n && n <= self.1
    }
}

/// 2,000 adds and 2,000 updates through `batch_all` under the faults `setup` adds (it may
/// add more while the writes run: it is called at the start and whenever the portal's
/// write count changes).
async fn writes_under(
    mix: &str,
    oauth: bool,
    setup: impl Fn(&b24_testkit::PortalHandle, Progress) + Send + Sync + 'static,
) -> Tally {
    const N: i64 = 2_000;
    let p = portal(
        FakePortal::builder()
            .deals(N as u64)
            .bucket(None)
            .operating(None),
    )
    .await;
    let h = p.handle();
    setup(&h, Progress(0, 0));
    // Faults that start mid-run (503 bursts, a token expiring) follow the write count.
    let watcher = {
        let h = h.clone();
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                let w = h.stats().writes;
                if w != last {
                    setup(&h, Progress(last, w));
                    last = w;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let builder = Client::builder()
        .rate_limit(None)
        .retry(RetryPolicy::default().with_backoff(Duration::from_millis(5)));
    let c = if oauth {
        let (access, refresh) = h.tokens();
        let app = OAuthApp {
            client_id: "local.testkit".into(),
            client_secret: Secret::new("testkit-client-secret"),
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new(refresh)),
            expires_in: None,
        };
        builder
            .token_endpoint(p.token_url())
            .oauth_app(&p.portal_url(), app)
            .expect("client")
    } else {
        builder.webhook(&p.webhook_url()).expect("client")
    };
    let adds = c
        .batch_all((0..N).map(|i| {
            DealAdd::new(deal_add::Deal {
                title: Some(format!("{mix}-add-{i}")),
                ..Default::default()
            })
        }))
        .collect::<Vec<_>>()
        .await;
    let updates = c
        .batch_all((1..=N).map(|id| title_update(id, &format!("{mix}-upd-{id}"))))
        .collect::<Vec<_>>()
        .await;
    watcher.abort();

    let mut t = Tally::default();
    let added = logged_titles(&p, "crm.deal.add");
    for (i, r) in adds.iter().enumerate() {
        let targets = added
            .get(&format!("{mix}-add-{i}"))
            .cloned()
            .unwrap_or_default();
        if let Ok(id) = r {
            // The id the client was given is the deal the portal made for this command.
            assert_eq!(targets, [format!("deal:{id}")], "{mix}: add #{i}");
        }
        t.add(r.as_ref().map(|_| ()), targets.len());
    }
    let updated = logged_titles(&p, "crm.deal.update");
    for (i, r) in updates.iter().enumerate() {
        let id = i + 1;
        let targets = updated
            .get(&format!("{mix}-upd-{id}"))
            .cloned()
            .unwrap_or_default();
        assert!(
            targets.iter().all(|t| *t == format!("deal:{id}")),
            "{mix}: update #{i}"
        );
        let said = match r {
            Ok(true) => Ok(()),
            Ok(false) => panic!("{mix}: update #{i} answered false"),
            Err(e) => Err(e),
        };
        t.add(said, targets.len());
    }
    let faults = h.stats().faults;
    eprintln!(
        "faults at scale | {mix:<14} | applied once {:>4} | may have run {:>3} (ran {:>3}) | failed {:>3} | duplicates {} | silent {} | faults fired {faults} | refreshes {}",
        t.applied_once,
        t.may_have_run,
        t.may_have_run_applied,
        t.failed,
        t.duplicates,
        t.silent,
        c.metrics().refreshes,
    );
    assert_eq!(
        t.applied_once + t.may_have_run + t.failed,
        2 * N as usize,
        "{mix}: every write is accounted for: {t:?}"
    );
    assert_eq!((t.duplicates, t.silent), (0, 0), "{mix}: {t:?}");
    assert!(
        faults > 0 || c.metrics().refreshes > 1,
        "{mix}: no fault fired"
    );
    t
}

/// A burst of `n` refusals (503 `QUERY_LIMIT_EXCEEDED`) on the next batches.
fn burst(h: &b24_testkit::PortalHandle, n: u64) {
    h.add_fault(
        FaultRule::always(Fault::Error {
            status: 503,
            code: "QUERY_LIMIT_EXCEEDED".into(),
        })
        .method("batch")
        .times(n),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_at_scale_never_apply_a_write_twice_or_lose_one_silently() {
    // One in twenty answers lost after the portal ran the batch.
    let drops = writes_under("drops", false, |h, at| {
        if at.start() {
            h.add_fault(
                FaultRule::always(Fault::DropAfterExecute)
                    .method("batch")
                    .every(20),
            );
        }
    })
    .await;
    assert!(drops.may_have_run > 0 && drops.may_have_run_applied == drops.may_have_run);
    // One in twenty refused with 500 before running.
    let errors = writes_under("500s", false, |h, at| {
        if at.start() {
            h.add_fault(
                FaultRule::always(Fault::ServerError)
                    .method("batch")
                    .every(20),
            );
        }
    })
    .await;
    assert!(errors.may_have_run > 0 && errors.may_have_run_applied == 0);
    // Bursts of refusals: waited out and repeated (the portal ran nothing), so all apply.
    let bursts = writes_under("503 bursts", false, |h, at| {
        if at.start() || at.crossed(1_000) || at.crossed(3_000) {
            burst(h, 3);
        }
    })
    .await;
    assert_eq!(bursts.applied_once, 4_000, "{bursts:?}");
    // The access token expires mid-run (twice): refreshed, repeated, all apply.
    let expiry = writes_under("token expiry", true, |h, at| {
        if at.crossed(1_000) || at.crossed(3_000) {
            h.expire_access_token();
        }
    })
    .await;
    assert_eq!(expiry.applied_once, 4_000, "{expiry:?}");
    // Everything at once.
    writes_under("all at once", true, |h, at| {
        if at.start() {
            h.add_fault(
                FaultRule::always(Fault::DropAfterExecute)
                    .method("batch")
                    .every(20),
            );
            h.add_fault(
                FaultRule::always(Fault::ServerError)
                    .method("batch")
                    .every(19),
            );
            h.add_fault(
                FaultRule::always(Fault::Truncated)
                    .method("batch")
                    .every(23),
            );
        }
        if at.crossed(1_000) || at.crossed(3_000) {
            burst(h, 3);
            h.expire_access_token();
        }
    })
    .await;
}
