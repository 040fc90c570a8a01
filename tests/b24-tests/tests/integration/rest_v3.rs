//! REST 3.0 against the fake portal: writes that run exactly once through their
//! `Idempotency-Key` (even when answers are lost after the portal ran the call), the
//! key's own errors, and errors in the v3 format with the fields they name.
#![allow(deprecated)] // crm.deal.add (the v2 comparison) is deprecated in the docs

use std::collections::BTreeSet;

use b24::prelude::*;
use b24::{ErrorCode, b24_method};
use b24_testkit::{FakePortal, Fault, FaultRule, RunningPortal};
use serde_json::json;

#[b24_method("crm.deal.add")]
struct DealAdd;

#[b24_method("tasks.task.add", api = "v3")]
struct TaskAddV3;

#[b24_method("tasks.task.list", api = "v3")]
struct TaskListV3;

#[b24_method("tasks.task.get", api = "v3")]
struct TaskGetV3;

async fn portal(drop_every: Option<(&str, u64)>) -> RunningPortal {
    let mut b = FakePortal::builder().bucket(None).operating(None).deals(0);
    if let Some((method, n)) = drop_every {
        b = b.fault(
            FaultRule::always(Fault::DropAfterExecute)
                .method(method)
                .every(n),
        );
    }
    b.start().await.expect("portal")
}

/// A portal without limits holding tasks 1…`n`.
async fn portal_with_tasks(n: u64) -> RunningPortal {
    let b = FakePortal::builder().bucket(None).operating(None).deals(0);
    b.tasks(n).start().await.expect("portal")
}

fn client(p: &RunningPortal) -> Client {
    Client::builder()
        .rate_limit(None)
        .webhook(&p.webhook_url())
        .expect("client")
}

fn task(i: usize) -> TaskAddV3 {
    TaskAddV3::new(task_add_v3::Fields {
        title: format!("Task {i}"),
        creator_id: 1,
        responsible_id: 1,
        deadline: None,
        crm_item_ids: None,
        extra: Default::default(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_v3_writes_with_a_tenth_of_the_answers_lost_run_exactly_once() {
    // Every tenth answer of tasks.task.add is lost after the portal ran the call.
    let p = portal(Some(("tasks.task.add", 10))).await;
    let c = client(&p);
    let results: Vec<_> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let c = &c;
            async move { c.call(&task(i)).full().await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{:?}", failed.first());
    let replayed = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.replayed))
        .count();
    let ids: BTreeSet<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok()?.result.item.as_ref()?.id)
        .collect();
    let writes = p.handle().writes();
    let targets: BTreeSet<&str> = writes.iter().map(|w| w.target.as_str()).collect();
    let faults = p.handle().stats().faults;
    eprintln!(
        "v3: 1000 calls, {} tasks written, {} distinct, {faults} answers lost, {replayed} replayed, {} retried",
        writes.len(),
        targets.len(),
        c.metrics().retried_ambiguous
    );
    assert_eq!(writes.len(), 1000, "every task once");
    assert_eq!(targets.len(), 1000, "none twice");
    assert_eq!(ids.len(), 1000, "each call got its own task");
    assert!(faults >= 100, "answers were lost: {faults}");
    assert_eq!(replayed as u64, c.metrics().replayed);
    assert!(
        replayed >= 90,
        "the lost answers came back as replays: {replayed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_on_v2_reports_the_lost_answers_as_may_have_run() {
    let p = portal(Some(("crm.deal.add", 10))).await;
    let c = client(&p);
    let results: Vec<_> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let c = &c;
            async move {
                let add = DealAdd::new(deal_add::Deal {
                    title: Some(format!("Deal {i}")),
                    ..Default::default()
                });
                c.call(&add).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let may_have_run = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(Error::may_have_run))
        .count();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let writes = p.handle().writes().len();
    eprintln!("v2: 1000 calls, {ok} ok, {may_have_run} may have run, {writes} deals written");
    assert_eq!(
        ok + may_have_run,
        1000,
        "every failure says it may have run"
    );
    assert!(may_have_run >= 90, "{may_have_run}");
    // They did run: the caller cannot tell which without looking.
    assert_eq!(writes, 1000);
    assert_eq!(p.handle().deal_count(), 1000);
}

#[tokio::test]
async fn a_key_kept_across_a_restart_runs_the_call_once() {
    let p = portal(None).await;
    let key = "order-4711-task";
    let first = client(&p)
        .call(&task(1))
        .idempotency_key(key)
        .full()
        .await
        .expect("first");
    // A new client (a restarted process) repeats the call with the key it kept.
    let again = client(&p)
        .call(&task(1))
        .idempotency_key(key)
        .full()
        .await
        .expect("repeat");
    assert!(!first.replayed && again.replayed);
    assert_eq!(first.result, again.result, "the stored answer");
    assert_eq!(p.handle().writes().len(), 1);
    // The key sent is the caller's, on the wire as the docs show it.
    let sent = p.handle().requests();
    assert!(sent.iter().all(|r| r.path.starts_with("/rest/api/")));
}

#[tokio::test]
async fn the_keys_own_errors() {
    let p = portal(None).await;
    let c = client(&p);
    c.call(&task(1))
        .idempotency_key("k-1")
        .await
        .expect("first");
    // The same key with another body: refused by the portal, nothing ran.
    let e = c
        .call(&task(2))
        .idempotency_key("k-1")
        .await
        .expect_err("reused");
    assert_eq!(e.api_code(), Some(&ErrorCode::IdempotencyKeyReused));
    assert!(!e.may_have_run(), "{e}");
    assert_eq!(p.handle().writes().len(), 1);
    // A key that is not 1–255 printable ASCII characters: refused before sending.
    let sent = p.handle().stats().http_requests;
    for bad in [String::new(), "ключ".to_string(), "x".repeat(256)] {
        let e = c
            .call(&task(3))
            .idempotency_key(bad.clone())
            .await
            .expect_err("invalid key");
        let Error::Validation(v) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(v.problems()[0].field(), "Idempotency-Key", "{e}");
        assert!(e.to_string().contains("printable ASCII"), "{e}");
    }
    // On REST v2 the header means nothing: refused too.
    let e = c
        .call(&DealAdd::new(deal_add::Deal::default()))
        .idempotency_key("k-2")
        .await
        .expect_err("v2");
    assert!(e.to_string().contains("REST 3.0"), "{e}");
    assert_eq!(p.handle().stats().http_requests, sent, "nothing sent");
}

#[tokio::test]
async fn a_v3_validation_error_names_the_field() {
    let p = portal(None).await;
    let c = client(&p);
    // By name, so that the client's own check does not stop it first.
    let e = c
        .raw(
            "tasks.task.add",
            json!({"fields": {"creatorId": 1, "responsibleId": 1}}),
        )
        .v3()
        .await
        .expect_err("title missing");
    eprintln!("{e}");
    assert_eq!(e.api_code(), Some(&ErrorCode::V3RequestValidation));
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status(), 400);
    assert_eq!(api.validation().len(), 1);
    assert_eq!(api.validation()[0].field(), "fields.title");
    assert_eq!(
        e.to_string(),
        "tasks.task.add failed with BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION \
         (HTTP 400): Error validating request object; `fields.title`: Required field `title` is not specified"
    );
    // An error is not kept: the same key runs again once the call is right.
    assert_eq!(p.handle().writes().len(), 0);
}

#[tokio::test]
async fn a_v3_list_is_streamed_to_the_end_page_by_page() {
    let p = portal(None).await;
    let c = client(&p);
    for i in 0..120 {
        c.call(&task(i)).await.expect("add");
    }
    let before = p.handle().requests().len();
    let all: Vec<_> = c.list(TaskListV3::new()).try_collect().await.expect("list");
    let ids: Vec<i64> = all.iter().filter_map(|t| t.id).collect();
    assert_eq!(
        ids,
        (1..=120).collect::<Vec<_>>(),
        "every task once, in order"
    );
    // Pages of the documented default size, asked for by number; the short one is the last.
    let asked: Vec<String> = p.handle().requests()[before..]
        .iter()
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(asked.len(), 3, "{asked:?}");
    for (n, body) in asked.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(
            v["pagination"],
            json!({"page": n + 1, "limit": 50}),
            "{body}"
        );
    }
    // A page size of the request's own is kept.
    let mut req = TaskListV3::new();
    req.pagination = Some(task_list_v3::Pagination {
        limit: Some(100),
        ..Default::default()
    });
    let n = c
        .list(req)
        .try_collect::<Vec<_>>()
        .await
        .expect("list")
        .len();
    assert_eq!(n, 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v3_list_is_exported_through_the_v3_batch_in_id_order() {
    let p = portal_with_tasks(2_000).await;
    let c = client(&p);
    let before = p.handle().requests().len();
    let mut export = c.export(&TaskListV3::new());
    let mut ids = Vec::new();
    while let Some(task) = export.next().await {
        ids.push(task.expect("task").id.expect("id"));
    }
    assert_eq!(
        ids,
        (1..=2_000).collect::<Vec<_>>(),
        "every task once, in id order"
    );
    let progress = export.progress();
    assert_eq!((progress.records, progress.max_key), (2_000, Some(2_000)));
    // The first page and the largest id in one batch, then the 39 windows of 50 ids after
    // the first page, shared out over batches that run in parallel: REST 3.0's batch only.
    let sent = &p.handle().requests()[before..];
    let mut calls = 0;
    for r in sent {
        let batch: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        let batch = batch.as_array().expect("a v3 batch is an array of calls");
        assert!(
            r.path.contains("/rest/api/") && r.path.ends_with("/batch"),
            "{}",
            r.path
        );
        assert!(batch.len() <= 50);
        assert!(
            batch.iter().all(|c| c["method"] == "tasks.task.list"),
            "{batch:?}"
        );
        calls += batch.len();
    }
    assert_eq!(calls, 2 + 39, "{} batches", sent.len());
    assert!(sent.len() <= 11, "{} batches", sent.len());

    // The request's own filter applies; a `select` without `id` still windows by it.
    let mut req = TaskListV3::new();
    req.filter = Some(b24::types::Filter::conditions().gt("id", 1_500));
    req.select = Some(vec!["title".into()]);
    let titles: Vec<String> = c
        .export(&req)
        .map_ok(|t| t.title.expect("title"))
        .try_collect()
        .await
        .expect("export");
    let want: Vec<String> = (1_501..=2_000).map(|i| format!("Task {i}")).collect();
    assert_eq!(titles, want);

    // A filter that is not a list of conditions is refused before anything is sent.
    let mut req = TaskListV3::new();
    req.filter = Some(b24::types::Filter::new().with(">id", 5));
    let err = c
        .export(&req)
        .try_collect::<Vec<_>>()
        .await
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("a REST 3.0 filter is an array of conditions"),
        "{err}"
    );
}

/// Related fields in `select`; a method's own REST 3.0 codes, from its page, are variants of
/// its error enum in words (the common ones stay `ErrorCode`s too).
#[tokio::test]
async fn a_v3_get_selects_related_fields_and_fails_with_its_own_code() {
    let p = portal_with_tasks(3).await;
    let c = client(&p);
    let task = c.call(&TaskGetV3::new(2)).await.expect("task 2");
    assert_eq!(task.item.and_then(|t| t.id), Some(2));
    // Related fields in `select` come back as an object of their own, typed.
    let mut req = TaskGetV3::new(3);
    req.select = Some(vec![
        "id".into(),
        "responsible.name".into(),
        "responsible.email".into(),
    ]);
    let item = c.call(&req).await.expect("task 3").item.expect("item");
    let responsible = item.responsible.expect("responsible");
    assert_eq!(responsible.name.as_deref(), Some("User 4"));
    assert_eq!(responsible.email.as_deref(), Some("user4@testkit.invalid"));
    assert_eq!(item.title, None, "not selected");
    let Err(Error::Api(e)) = c.call(&TaskGetV3::new(9)).await else {
        panic!("task 9 is not there")
    };
    assert_eq!(e.code(), &ErrorCode::V3EntityNotFound);
    assert_eq!(TaskGetV3Error::from(&e), TaskGetV3Error::EntityNotFound);
    assert_eq!(e.status(), 400);
}
