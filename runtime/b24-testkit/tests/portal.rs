//! The fake portal over real HTTP: every behaviour of DESIGN.md section 4 it implements.

use std::time::Duration;

use b24_testkit::{Bucket, FakePortal, Fault, FaultRule, Latency, Operating, RunningPortal};
use serde_json::{Value, json};

/// A plain HTTP client: the workspace's reqwest has no crypto provider of its own (see
/// `b24_core::http_client_builder`), so the tests install *ring* as the process default.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

struct Answer {
    status: u16,
    body: Value,
}

async fn post_json(url: impl AsRef<str>, body: Value) -> Answer {
    let r = http()
        .post(url.as_ref())
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn post_form(url: impl AsRef<str>, form: &str) -> Answer {
    let r = http()
        .post(url.as_ref())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    Answer {
        status,
        body: r.json().await.expect("JSON body"),
    }
}

async fn start(b: FakePortal) -> RunningPortal {
    b.start().await.expect("portal starts")
}

fn hook(p: &RunningPortal, method: &str) -> String {
    format!("{}{method}", p.webhook_url())
}

fn error_of(a: &Answer) -> (u16, &str) {
    (a.status, a.body["error"].as_str().unwrap_or("<none>"))
}

/// Whether the answer broke off (before the headers or in the body).
async fn broken(r: reqwest::Result<reqwest::Response>) -> bool {
    match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    }
}

// ------------------------------------------------------------------ auth

#[tokio::test]
async fn webhook_auth() {
    let p = start(FakePortal::builder().webhook(3, "hookcode")).await;
    let ok = post_json(
        format!("{}/rest/3/hookcode/profile.json", p.base_url()),
        json!({}),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["result"]["ID"], "1");
    for bad in ["/rest/3/wrong/profile", "/rest/4/hookcode/profile"] {
        let a = post_json(format!("{}{bad}", p.base_url()), json!({})).await;
        assert_eq!(error_of(&a), (401, "NO_AUTH_FOUND"), "{bad}");
    }
}

#[tokio::test]
async fn oauth_auth_expiry_and_refresh() {
    let p = start(FakePortal::builder()).await;
    let h = p.handle();
    let (access, refresh) = h.tokens();
    let url = format!("{}/rest/profile", p.base_url());
    assert_eq!(post_json(&url, json!({ "auth": access })).await.status, 200);
    // In the query string too.
    assert_eq!(
        post_json(format!("{url}?auth={access}"), json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        error_of(&post_json(&url, json!({})).await),
        (401, "NO_AUTH_FOUND")
    );
    assert_eq!(
        error_of(&post_json(&url, json!({"auth": "nope"})).await),
        (401, "NO_AUTH_FOUND")
    );

    h.expire_access_token();
    assert_eq!(
        error_of(&post_json(&url, json!({ "auth": access })).await),
        (401, "expired_token")
    );

    let client = http();
    let bad = client
        .get(p.token_url())
        .query(&[
            ("grant_type", "refresh_token"),
            ("client_id", "local.testkit"),
            ("client_secret", "wrong"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(bad.status().as_u16(), 400);
    let fresh: Value = client
        .post(p.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "local.testkit"),
            ("client_secret", "testkit-client-secret"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let new_access = fresh["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    assert_ne!(new_access, access);
    assert_eq!(fresh["expires_in"], 3600);
    assert_eq!(fresh["client_endpoint"], format!("{}/rest/", p.base_url()));
    assert_ne!(fresh["refresh_token"], refresh);
    assert_eq!(
        post_json(&url, json!({ "auth": new_access })).await.status,
        200
    );
    // The old access token stops working, and the old refresh token is spent.
    assert_eq!(
        error_of(&post_json(&url, json!({ "auth": access })).await),
        (401, "expired_token")
    );
    let again = client
        .post(p.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "local.testkit"),
            ("client_secret", "testkit-client-secret"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(again.status().as_u16(), 400);
}

// ------------------------------------------------------------------ bodies and envelope

#[tokio::test]
async fn json_and_php_form_bodies_are_equivalent() {
    let p = start(FakePortal::builder().deals(30)).await;
    let url = hook(&p, "crm.deal.list");
    let j = post_json(&url, json!({"filter": {">ID": 5, "<=ID": 8}, "select": ["ID", "TITLE"], "order": {"ID": "DESC"}})).await;
    let f = post_form(
        &url,
        "filter%5B%3EID%5D=5&filter[%3C%3DID]=8&select[]=ID&select[]=TITLE&order[ID]=DESC",
    )
    .await;
    assert_eq!(j.status, 200);
    assert_eq!(j.body["result"], f.body["result"]);
    let ids: Vec<&str> = j.body["result"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["ID"].as_str().expect("ID"))
        .collect();
    assert_eq!(ids, ["8", "7", "6"]);
    assert_eq!(j.body["result"][0], json!({"ID": "8", "TITLE": "Deal #8"}));
}

#[tokio::test]
async fn envelope_time_block_and_errors() {
    let p = start(FakePortal::builder()).await;
    let a = post_json(hook(&p, "im.recent.unread"), json!({"DIALOG_ID": "chat1"})).await;
    assert_eq!(a.body["result"], true);
    for k in [
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    ] {
        assert!(
            a.body["time"].get(k).is_some(),
            "time.{k} missing: {}",
            a.body
        );
    }
    let e = post_json(hook(&p, "no.such.method"), json!({})).await;
    assert_eq!(error_of(&e), (404, "ERROR_METHOD_NOT_FOUND"));
    assert!(e.body["error_description"].is_string());
    // Method names are case-insensitive.
    assert_eq!(
        post_json(hook(&p, "IM.Recent.Unread"), json!({"DIALOG_ID": "chat2"}))
            .await
            .body["result"],
        true
    );
    // List envelope.
    let l = post_json(hook(&p, "crm.deal.list"), json!({})).await;
    assert_eq!(l.body["total"], 100);
    assert_eq!(l.body["next"], 50);
    assert_eq!(l.body["result"].as_array().map(Vec::len), Some(50));
}

// ------------------------------------------------------------------ limits

#[tokio::test]
async fn bucket_x10_y5_forty_at_once() {
    let p = start(
        FakePortal::builder()
            .bucket(Some(Bucket { x: 10.0, y: 5.0 }))
            .latency(Latency {
                per_request: Duration::from_millis(600),
                ..Latency::default()
            }),
    )
    .await;
    let client = http();
    let url = hook(&p, "im.recent.unread");
    let calls = (1..=40).map(|n| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let r = client
                .post(&url)
                .json(&json!({"DIALOG_ID": format!("chat{n}")}))
                .send()
                .await
                .expect("request");
            (
                n,
                r.status().as_u16(),
                r.json::<Value>().await.expect("JSON"),
            )
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    let ok: Vec<u64> = answers.iter().filter(|a| a.1 == 200).map(|a| a.0).collect();
    let refused: Vec<&(u64, u16, Value)> = answers.iter().filter(|a| a.1 == 503).collect();
    assert_eq!(ok.len(), 10);
    assert_eq!(refused.len(), 30);
    assert!(
        refused
            .iter()
            .all(|a| a.2["error"] == "QUERY_LIMIT_EXCEEDED")
    );
    let h = p.handle();
    let stats = h.stats();
    assert_eq!(stats.refused_503, 30);
    assert_eq!(stats.commands.get("im.recent.unread"), Some(&10));
    // None of the refused ones ran.
    for n in 1..=40u64 {
        assert_eq!(
            h.dialog(n).expect("dialog").unread,
            ok.contains(&n),
            "chat{n}"
        );
    }
    assert_eq!(h.writes().len(), 10);
}

#[tokio::test]
async fn bucket_presets_and_off() {
    assert_eq!(Bucket::STANDARD, Bucket { x: 50.0, y: 2.0 });
    assert_eq!(Bucket::ENTERPRISE, Bucket { x: 250.0, y: 5.0 });
    let p = start(FakePortal::builder().bucket(None)).await;
    let client = http();
    let url = hook(&p, "profile");
    let calls = (0..80).map(|_| client.post(&url).json(&json!({})).send());
    let statuses: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("request").status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200));
}

#[tokio::test]
async fn operating_time_limit_with_reset_time() {
    let p = start(
        FakePortal::builder()
            .operating(Some(Operating {
                budget: Duration::from_millis(200),
                window: Duration::from_secs(60),
            }))
            .latency(Latency {
                per_command: Duration::from_millis(150),
                ..Latency::default()
            }),
    )
    .await;
    let first = post_json(hook(&p, "crm.deal.get"), json!({"id": 1})).await;
    assert_eq!(first.status, 200);
    let start = first.body["time"]["start"].as_f64().expect("start");
    let op = first.body["time"]["operating"].as_f64().expect("operating");
    assert!(op >= 0.15, "operating {op}");
    assert_eq!(
        post_json(hook(&p, "crm.deal.get"), json!({"id": 1}))
            .await
            .status,
        200
    );
    let refused = post_json(hook(&p, "crm.deal.get"), json!({"id": 1})).await;
    assert_eq!(error_of(&refused), (429, "OPERATION_TIME_LIMIT"));
    let reset = refused.body["time"]["operating_reset_at"]
        .as_i64()
        .expect("operating_reset_at");
    assert!(
        (reset as f64 - (start + 60.0)).abs() <= 1.0,
        "reset {reset} vs start {start}"
    );
    let stats = p.handle().stats();
    assert_eq!(stats.refused_429, 1);
    assert_eq!(stats.commands.get("crm.deal.get"), Some(&2));
    // Other methods have budgets of their own.
    assert_eq!(
        post_json(hook(&p, "crm.deal.list"), json!({})).await.status,
        200
    );
    // And the limit can be switched off.
    p.handle().set_operating(None);
    assert_eq!(
        post_json(hook(&p, "crm.deal.get"), json!({"id": 1}))
            .await
            .status,
        200
    );
}

// ------------------------------------------------------------------ batch

#[tokio::test]
async fn batch_results_errors_references_and_halt() {
    let p = start(FakePortal::builder().deals(120)).await;
    let a = post_json(
        &hook(&p, "batch"),
        json!({"halt": 0, "cmd": {
            "first": "crm.deal.list?filter[>ID]=100&order[ID]=ASC&select[]=ID",
            "deal": "crm.deal.get?id=$result[first][0][ID]",
            "bad": "crm.deal.get?id=999999",
            "inner": "batch?cmd[x]=profile",
            "upd": "crm.deal.update?id=$result[deal][ID]&fields[TITLE]=Renamed",
        }}),
    )
    .await;
    assert_eq!(a.status, 200);
    let r = &a.body["result"];
    assert_eq!(r["result"]["deal"]["ID"], "101");
    assert_eq!(r["result"]["upd"], true);
    assert_eq!(r["result_total"]["first"], 20);
    assert_eq!(r["result_next"], json!([]), "empty maps arrive as []");
    assert_eq!(r["result_error"]["bad"]["error_description"], "Not found");
    assert_eq!(
        r["result_error"]["inner"]["error"],
        "ERROR_BATCH_METHOD_NOT_ALLOWED"
    );
    assert!(r["result_time"]["deal"]["duration"].is_number());
    assert_eq!(p.handle().deal(101).expect("deal")["TITLE"], "Renamed");

    // halt stops at the first error: later commands do not run.
    let h = post_json(
        &hook(&p, "batch"),
        json!({"halt": 1, "cmd": {"a": "crm.deal.get?id=0", "b": "crm.deal.update?id=5&fields[TITLE]=X"}}),
    )
    .await;
    assert_eq!(h.body["result"]["result"], json!([]));
    assert!(h.body["result"]["result_error"]["a"].is_object());
    assert_ne!(p.handle().deal(5).expect("deal")["TITLE"], "X");

    // At most 50 commands.
    let cmd: serde_json::Map<String, Value> = (0..51)
        .map(|i| (format!("c{i}"), json!("profile")))
        .collect();
    let e = post_json(hook(&p, "batch"), json!({ "cmd": cmd })).await;
    assert_eq!(error_of(&e), (400, "ERROR_BATCH_LENGTH_EXCEEDED"));
    assert_eq!(p.handle().stats().commands.get("profile"), None);
}

#[tokio::test]
async fn batch_over_form_encoding_keeps_command_order() {
    let p = start(FakePortal::builder()).await;
    let a = post_form(
        &hook(&p, "batch"),
        "cmd[z]=crm.deal.add%3Ffields%5BTITLE%5D%3DNew&cmd[a]=crm.deal.get%3Fid%3D%24result%5Bz%5D&halt=0",
    )
    .await;
    let id = a.body["result"]["result"]["z"].as_u64().expect("new id");
    assert_eq!(a.body["result"]["result"]["a"]["ID"], id.to_string());
    assert_eq!(a.body["result"]["result"]["a"]["TITLE"], "New");
}

// ------------------------------------------------------------------ stateful methods

#[tokio::test]
async fn im_recent_state() {
    let p = start(FakePortal::builder()).await;
    let h = p.handle();
    let set = |d: &str, a: &str| {
        post_json(
            hook(&p, "im.recent.unread"),
            json!({"DIALOG_ID": d, "ACTION": a}),
        )
    };
    assert_eq!(set("chat7", "Y").await.body["result"], true);
    assert!(h.dialog(7).expect("chat7").unread);
    let list = post_json(hook(&p, "im.recent.list"), json!({"UNREAD_ONLY": "Y"})).await;
    let items = list.body["result"]["items"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], "chat7");
    assert_eq!(list.body["total"], -1);
    assert_eq!(set("chat7", "N").await.body["result"], true);
    assert!(!h.dialog(7).expect("chat7").unread);
    assert_eq!(set("chat1000", "Y").await.body["result"], false);
    assert_eq!(set("sg3", "Y").await.body["result"], false);
    for bad in ["", "chat", "chatX", "chat0", "x1"] {
        assert_eq!(
            error_of(&set(bad, "Y").await),
            (400, "DIALOG_ID_EMPTY"),
            "{bad:?}"
        );
    }
    let missing = post_json(hook(&p, "im.recent.unread"), json!({})).await;
    assert_eq!(error_of(&missing), (400, "DIALOG_ID_EMPTY"));
    // Paging of the list.
    let page = post_json(
        hook(&p, "im.recent.list"),
        json!({"OFFSET": 90, "LIMIT": 50}),
    )
    .await;
    assert_eq!(
        page.body["result"]["items"].as_array().map(Vec::len),
        Some(10)
    );
    assert_eq!(page.body["result"]["hasMore"], false);
    // Pin and hide.
    post_json(hook(&p, "im.recent.pin"), json!({"DIALOG_ID": "chat3"})).await;
    post_json(hook(&p, "im.recent.hide"), json!({"DIALOG_ID": "chat4"})).await;
    let all = post_json(hook(&p, "im.recent.get"), json!({})).await;
    let all = all.body["result"].as_array().expect("items").clone();
    assert_eq!(all.len(), 99);
    assert_eq!(all[0]["id"], "chat3");
    assert!(all.iter().all(|i| i["id"] != "chat4"));
}

#[tokio::test]
async fn crm_deal_crud_and_queries() {
    let p = start(FakePortal::builder().deals(120)).await;
    let h = p.handle();
    let call = |m: &str, b: Value| post_json(hook(&p, m), b);
    let id = call(
        "crm.deal.add",
        json!({"fields": {"TITLE": "Big one", "OPPORTUNITY": 5000}}),
    )
    .await
    .body["result"]
        .as_u64()
        .expect("id");
    assert_eq!(id, 121);
    let got = call("crm.deal.get", json!({"id": id})).await;
    assert_eq!(got.body["result"]["TITLE"], "Big one");
    assert_eq!(got.body["result"]["OPPORTUNITY"], "5000");
    assert_eq!(
        call(
            "crm.deal.update",
            json!({"id": id, "fields": {"STAGE_ID": "WON"}})
        )
        .await
        .body["result"],
        true
    );
    assert_eq!(h.deal(id).expect("deal")["STAGE_ID"], "WON");
    assert_eq!(
        call("crm.deal.delete", json!({"id": id})).await.body["result"],
        true
    );
    let gone = call("crm.deal.get", json!({"id": id})).await;
    assert_eq!(gone.status, 400);
    assert_eq!(gone.body["error"], "");
    assert_eq!(gone.body["error_description"], "Not found");
    let writes: Vec<String> = h
        .writes()
        .iter()
        .map(|w| format!("{} {}", w.method, w.target))
        .collect();
    assert_eq!(
        writes,
        [
            "crm.deal.add deal:121",
            "crm.deal.update deal:121",
            "crm.deal.delete deal:121"
        ]
    );

    let ids = |v: &Value| -> Vec<u64> {
        v["result"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["ID"].as_str().and_then(|s| s.parse().ok()).expect("ID"))
            .collect()
    };
    let r = call(
        "crm.deal.list",
        json!({"filter": {"=STAGE_ID": "WON", "<=ID": 30}, "select": ["ID"]}),
    )
    .await;
    assert_eq!(ids(&r.body), [4, 10, 16, 22, 28]);
    let r = call(
        "crm.deal.list",
        json!({"filter": {"!STAGE_ID": "WON", ">ID": 115}}),
    )
    .await;
    assert_eq!(ids(&r.body), [116, 117, 119, 120]); // 118 is WON
    let r = call(
        "crm.deal.list",
        json!({"filter": {"%TITLE": "#11"}, "order": {"ID": "DESC"}}),
    )
    .await;
    assert_eq!(
        ids(&r.body),
        [119, 118, 117, 116, 115, 114, 113, 112, 111, 110, 11]
    );
    let r = call("crm.deal.list", json!({"filter": {"@ID": [3, 5, 7]}})).await;
    assert_eq!(ids(&r.body), [3, 5, 7]);
    let r = call("crm.deal.list", json!({"start": 100})).await;
    assert_eq!(ids(&r.body).len(), 20);
    assert_eq!(r.body["total"], 120);
    assert!(r.body.get("next").is_none());
    // start = -1: no counting, no next.
    let r = call(
        "crm.deal.list",
        json!({"start": -1, "order": {"ID": "ASC"}, "filter": {">ID": 60}}),
    )
    .await;
    assert_eq!(ids(&r.body), (61..=110).collect::<Vec<_>>());
    assert!(r.body.get("total").is_none() && r.body.get("next").is_none());
}

#[tokio::test]
async fn crm_item_over_deals() {
    let p = start(FakePortal::builder().deals(10)).await;
    let call = |m: &str, b: Value| post_json(hook(&p, m), b);
    let got = call("crm.item.get", json!({"entityTypeId": 2, "id": 3})).await;
    assert_eq!(got.body["result"]["item"]["id"], 3);
    assert_eq!(got.body["result"]["item"]["title"], "Deal #3");
    let list = call(
        "crm.item.list",
        json!({"entityTypeId": 2, "select": ["id", "title"], "filter": {">id": 8}}),
    )
    .await;
    assert_eq!(
        list.body["result"]["items"],
        json!([{"id": 9, "title": "Deal #9"}, {"id": 10, "title": "Deal #10"}])
    );
    assert_eq!(list.body["total"], 2);
    let added = call(
        "crm.item.add",
        json!({"entityTypeId": 2, "fields": {"title": "Via item"}}),
    )
    .await;
    let id = added.body["result"]["item"]["id"].as_u64().expect("id");
    assert_eq!(p.handle().deal(id).expect("deal")["TITLE"], "Via item");
    let upd = call(
        "crm.item.update",
        json!({"entityTypeId": 2, "id": id, "fields": {"stageId": "WON"}}),
    )
    .await;
    assert_eq!(upd.body["result"]["item"]["stageId"], "WON");
    assert_eq!(
        call("crm.item.delete", json!({"entityTypeId": 2, "id": id}))
            .await
            .body["result"],
        json!([])
    );
    assert_eq!(
        call("crm.item.get", json!({"entityTypeId": 2, "id": id}))
            .await
            .status,
        400
    );
    assert_eq!(call("crm.item.list", json!({})).await.status, 400);
    let methods: Vec<String> = p
        .handle()
        .writes()
        .iter()
        .map(|w| w.method.clone())
        .collect();
    assert_eq!(
        methods,
        ["crm.item.add", "crm.item.update", "crm.item.delete"]
    );
}

#[tokio::test]
async fn portal_methods() {
    let p = start(FakePortal::builder()).await;
    let call = |m: &str| post_json(hook(&p, m), json!({}));
    assert_eq!(call("profile").await.body["result"]["ADMIN"], true);
    assert_eq!(call("user.current").await.body["result"]["ID"], "1");
    let methods = call("methods").await.body["result"].clone();
    let methods: Vec<&str> = methods
        .as_array()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        methods.contains(&"im.recent.unread")
            && methods.contains(&"crm.deal.list")
            && methods.contains(&"batch")
    );
    let scopes = call("scope").await.body["result"].clone();
    assert!(scopes.as_array().expect("scopes").contains(&json!("im")));
}

// ------------------------------------------------------------------ spec-driven fallback

const VENDOR_SPEC: &str = r#"
schema = 1
[method]
name = "vendor.order.set"
docs = { path = "vendor/order.md", commit = "0123456789abcdef" }
[request]
params = [
  { name = "ID", type = "int", required = true },
  { name = "MODE", type = "string", enum = ["fast", "slow"] },
  { name = "FLAG", type = "yn" },
]
[response]
result = "Order"
[types.Order]
kind = "struct"
fields = [ { name = "id", type = "int" }, { name = "lines", type = "int[]" } ]
[[error]]
code = "ERROR_ID_MISSING"
http = 400
"#;

#[tokio::test]
async fn spec_driven_fallback_validates_and_answers() {
    let p = start(FakePortal::builder().spec(VENDOR_SPEC)).await;
    let call = |b: Value| post_json(hook(&p, "vendor.order.set"), b);
    let ok = call(json!({"ID": "5", "MODE": "fast", "FLAG": "Y"})).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["result"], json!({"id": 1, "lines": [1]}));
    assert_eq!(
        error_of(&call(json!({"MODE": "fast"})).await),
        (400, "ERROR_ID_MISSING")
    );
    assert_eq!(
        error_of(&call(json!({"ID": "five"})).await),
        (400, "ERROR_ID_MISSING")
    );
    assert_eq!(
        error_of(&call(json!({"ID": 1, "MODE": "warp"})).await),
        (400, "ERROR_ARGUMENT")
    );
    assert_eq!(
        error_of(&call(json!({"ID": 1, "FLAG": "maybe"})).await),
        (400, "ERROR_ARGUMENT")
    );
    p.handle().set_canned("vendor.order.set", json!({"id": 77}));
    assert_eq!(
        call(json!({"ID": 1})).await.body["result"],
        json!({"id": 77})
    );
    // A malformed extra spec fails the start with its line.
    let e = FakePortal::builder()
        .spec("schema = 1\n[method]\nname = 5\n")
        .start()
        .await
        .expect_err("bad spec");
    assert!(e.to_string().contains("extra-spec-1.toml:3:"), "{e}");
}

// ------------------------------------------------------------------ latency, faults, stats

#[tokio::test]
async fn simulated_cost_shows_in_the_time_block() {
    let p = start(FakePortal::builder().deals(200).latency(Latency {
        per_request: Duration::ZERO,
        per_command: Duration::from_millis(20),
        per_record: Duration::from_millis(1),
        jitter: Duration::ZERO,
    }))
    .await;
    let a = post_json(hook(&p, "crm.deal.list"), json!({})).await;
    let d = a.body["time"]["duration"].as_f64().expect("duration");
    assert!(
        d >= 0.02 + 50.0 * 0.001 - 1e-6,
        "duration {d} below the simulated cost of 50 records"
    );
}

#[tokio::test]
async fn faults_on_demand() {
    let p = start(FakePortal::builder()).await;
    let h = p.handle();
    let client = http();
    let unread = |n: u64| {
        client
            .post(hook(&p, "im.recent.unread"))
            .json(&json!({"DIALOG_ID": format!("chat{n}")}))
            .send()
    };

    h.add_fault(
        FaultRule::always(Fault::ServerError)
            .method("im.recent.unread")
            .times(1),
    );
    let r = unread(1).await.expect("answer");
    assert_eq!(r.status().as_u16(), 500);
    assert!(
        !h.dialog(1).expect("chat1").unread,
        "a 500 fault does not execute"
    );

    h.add_fault(
        FaultRule::always(Fault::DropBeforeExecute)
            .method("im.recent.unread")
            .times(1),
    );
    assert!(broken(unread(2).await).await, "the connection breaks");
    assert!(!h.dialog(2).expect("chat2").unread);

    h.add_fault(
        FaultRule::always(Fault::DropAfterExecute)
            .method("im.recent.unread")
            .times(1),
    );
    assert!(broken(unread(3).await).await);
    assert!(
        h.dialog(3).expect("chat3").unread,
        "executed before the drop"
    );

    h.add_fault(
        FaultRule::always(Fault::Truncated)
            .method("im.recent.unread")
            .times(1),
    );
    let text = unread(4).await.expect("answer").text().await.expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert!(h.dialog(4).expect("chat4").unread);

    h.add_fault(
        FaultRule::always(Fault::Html)
            .method("im.recent.unread")
            .times(1),
    );
    let r = unread(5).await.expect("answer");
    assert_eq!(r.status().as_u16(), 502);
    assert!(r.text().await.expect("text").starts_with("<html>"));

    h.add_fault(
        FaultRule::always(Fault::SlowBody(Duration::from_millis(100)))
            .method("im.recent.unread")
            .times(1),
    );
    let v: Value = unread(6)
        .await
        .expect("answer")
        .json()
        .await
        .expect("complete JSON");
    assert_eq!(v["result"], true);

    h.clear_faults();
    h.add_fault(
        FaultRule::always(Fault::Error {
            status: 503,
            code: "QUERY_LIMIT_EXCEEDED".into(),
        })
        .every(2),
    );
    let statuses: Vec<u16> = [7, 8, 9, 10]
        .into_iter()
        .map(&unread)
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<futures_util::future::JoinAll<_>>()
        .await
        .into_iter()
        .map(|r| r.expect("answer").status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 2);
    // Other methods are untouched by a method-specific rule.
    h.clear_faults();
    h.add_fault(FaultRule::always(Fault::ServerError).method("profile"));
    assert_eq!(unread(11).await.expect("answer").status().as_u16(), 200);
    assert_eq!(h.stats().faults, 8);
}

#[tokio::test]
async fn stats_over_http() {
    let p = start(FakePortal::builder()).await;
    post_json(hook(&p, "im.recent.unread"), json!({"DIALOG_ID": "chat1"})).await;
    post_json(hook(&p, "profile"), json!({})).await;
    let s: Value = http()
        .get(format!("{}/_stats", p.base_url()))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("JSON");
    assert_eq!(s["stats"]["http_requests"], 2);
    assert_eq!(s["stats"]["commands"]["im.recent.unread"], 1);
    assert_eq!(s["writes"], 1);
    p.handle().reset_stats();
    assert_eq!(p.handle().stats().http_requests, 0);
}

// ------------------------------------------------------------------ the command

#[tokio::test]
async fn runs_as_a_command_with_flags() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_b24-testkit"))
        .args([
            "--port",
            "0",
            "--bucket",
            "10/5",
            "--deals",
            "3",
            "--webhook-token",
            "cli",
            "--fault",
            "crm.deal.get:500@2",
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn b24-testkit");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("prints its address")
        .expect("read")
        .expect("a line");
    let base = first.rsplit(' ').next().expect("address").to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let url = |m: &str| format!("{base}/rest/1/cli/{m}");
    assert_eq!(
        post_json(url("crm.deal.list"), json!({})).await.body["total"],
        3
    );
    assert_eq!(
        post_json(url("crm.deal.get"), json!({"id": 1}))
            .await
            .status,
        200
    );
    assert_eq!(
        post_json(url("crm.deal.get"), json!({"id": 1}))
            .await
            .status,
        500
    );
    child.kill().await.expect("kill");
}
