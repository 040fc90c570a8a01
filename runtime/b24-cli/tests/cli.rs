//! `b24` as a process against the fake portal: what it prints, what it writes, its exit
//! status, and that no token is ever printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use std::time::Duration;

use b24_testkit::{FakePortal, Latency, Operating, RunningPortal};
use serde_json::Value;

const TOKEN: &str = "clitestwebhooktoken77";

struct Portal {
    _rt: tokio::runtime::Runtime,
    portal: RunningPortal,
    dir: PathBuf,
}

fn portal(deals: u64) -> Portal {
    portal_with(deals, |p| p)
}

/// A portal with `deals` deals, no limits unless `set` sets them.
fn portal_with(deals: u64, set: impl FnOnce(FakePortal) -> FakePortal) -> Portal {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let builder = FakePortal::builder()
        .bucket(None)
        .operating(None)
        .deals(deals)
        .webhook(1, TOKEN);
    let portal = rt.block_on(set(builder).start()).expect("portal");
    let dir = std::env::temp_dir().join(format!(
        "b24-cli-{}-{}",
        std::process::id(),
        portal.addr().port()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    Portal {
        _rt: rt,
        portal,
        dir,
    }
}

impl Portal {
    fn b24(&self, args: &[&str]) -> Output {
        self.b24_in(args, None)
    }

    fn b24_in(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_b24"));
        cmd.args(args)
            .env("B24_WEBHOOK_URL", self.portal.webhook_url())
            .env("B24_CONFIG", self.dir.join("config.toml"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("b24 runs");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write stdin");
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().expect("b24 ends");
        for s in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(s).contains(TOKEN),
                "the token was printed: {}",
                String::from_utf8_lossy(s)
            );
        }
        out
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The process failed with `code` and said `says`.
fn fails(o: &Output, code: i32, says: &str) {
    assert_eq!(o.status.code(), Some(code), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains(says), "{}", text(&o.stderr));
}

#[test]
fn call_prints_the_result_and_refuses_bad_input_before_sending() {
    let p = portal(10);
    let o = p.b24(&["call", "crm.deal.get", "id=5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let deal: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(deal["ID"], "5");
    let o = p.b24(&["call", "crm.deal.get", "--raw", "--json", r#"{"id": 6}"#]);
    let answer: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(answer["result"]["ID"], "6");
    assert!(answer["time"]["duration"].is_number(), "{answer}");

    let sent = p.portal.handle().requests().len();
    let o = p.b24(&["call", "crm.deal.gett", "id=5"]);
    fails(
        &o,
        2,
        "unknown method crm.deal.gett (did you mean crm.deal.get?)",
    );
    let o = p.b24(&[
        "call",
        "crm.deal.add",
        "fields[TITLE]=x",
        "fields[OPPORTUNITY]=abc",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("invalid parameters for crm.deal.add, not sent")
            && text(&o.stderr).contains(
                "fields.OPPORTUNITY = \"abc\": wrong form: expected a number, found a string"
            ),
        "{}",
        text(&o.stderr)
    );
    // An offline handler has no URL; an online one needs it (a one-of from the override).
    let o = p.b24(&["call", "event.bind", "event=ONCRMDEALADD"]);
    fails(&o, 2, "give at least one of handler, event_type");
    let o = p.b24(&["call", "crm.deal.get"]);
    fails(&o, 2, "id: missing");
    let o = p.b24(&["call", "call.followup.get", "id=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr)
            .contains("unknown method call.followup.get (it is a REST 3.0 method: add --v3)"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(p.portal.handle().requests().len(), sent, "nothing was sent");

    // The portal's own error: exit 1, its code and text.
    let o = p.b24(&["call", "crm.deal.get", "id=999999"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Not found"), "{}", text(&o.stderr));
}

#[test]
fn no_portal_or_a_wrong_token_is_a_clear_error_without_the_token() {
    let p = portal(1);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_b24"));
    let o = cmd
        .args(["call", "crm.deal.get", "id=1"])
        .env_remove("B24_WEBHOOK_URL")
        .env("B24_CONFIG", p.path("none.toml"))
        .output()
        .expect("b24 runs");
    fails(&o, 3, "no portal: set B24_WEBHOOK_URL");

    let wrong = p.portal.webhook_url().replace(TOKEN, "wrongtoken12345678");
    let o = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["call", "crm.deal.get", "id=1"])
        .env("B24_WEBHOOK_URL", &wrong)
        .env("B24_CONFIG", p.path("none.toml"))
        .output()
        .expect("b24 runs");
    let err = text(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("wrongtoken12345678"), "{err}");
}

#[test]
fn profiles_keep_the_webhook_private() {
    let p = portal(3);
    let o = p.b24_in(
        &["profile", "add", "work"],
        Some(&format!("{}\n", p.portal.webhook_url())),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let config = p.path("config.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("config")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let o = p.b24(&["profile", "list"]);
    assert_eq!(text(&o.stdout), format!("work\t{}\n", p.portal.base_url()));
    // The profile is used instead of the environment.
    let o = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["--profile", "work", "call", "crm.deal.get", "id=2"])
        .env_remove("B24_WEBHOOK_URL")
        .env("B24_CONFIG", &config)
        .output()
        .expect("b24 runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = p.b24(&["--profile", "home", "call", "crm.deal.get", "id=2"]);
    fails(&o, 3, "no profile `home`");
}

#[test]
fn list_writes_every_record_once_and_resumes() {
    let p = portal(3_000);
    let jsonl = p.path("deals.jsonl");
    let o = p.b24(&[
        "list",
        "crm.deal.list",
        "-o",
        jsonl.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let ids = |path: &PathBuf| -> Vec<i64> {
        std::fs::read_to_string(path)
            .expect("file")
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("a JSON line");
                v["ID"].as_str().and_then(|s| s.parse().ok()).expect("ID")
            })
            .collect()
    };
    assert_eq!(ids(&jsonl), (1..=3_000).collect::<Vec<_>>());
    assert!(
        text(&o.stderr).contains("3000 records of crm.deal.list"),
        "{}",
        text(&o.stderr)
    );

    // Cut after 1,234 records (and half a line): --resume goes on after the last whole one.
    let all = std::fs::read_to_string(&jsonl).expect("file");
    let cut: Vec<&str> = all.lines().take(1_234).collect();
    std::fs::write(&jsonl, format!("{}\n", cut.join("\n"))).expect("write");
    let o = p.b24(&[
        "list",
        "crm.deal.list",
        "-o",
        jsonl.to_str().expect("utf-8"),
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("resuming after ID 1234"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        ids(&jsonl),
        (1..=3_000).collect::<Vec<_>>(),
        "every deal once"
    );

    // CSV: the header row a spreadsheet expects, the columns of --select.
    let csv = p.path("deals.csv");
    let o = p.b24(&[
        "list",
        "crm.deal.list",
        "--select",
        "ID,TITLE,STAGE_ID",
        "--filter",
        r#"{"<=ID": 3}"#,
        "--format",
        "csv",
        "-o",
        csv.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(&csv).expect("csv");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "ID,TITLE,STAGE_ID");
    assert_eq!(lines.len(), 4, "{written}");
    assert!(lines[1].starts_with("1,Deal #1,"), "{written}");

    // A method that is not a list.
    let o = p.b24(&["list", "crm.deal.get"]);
    fails(&o, 2, "is not a list method");
}

#[test]
fn list_resumes_a_json_array_cut_in_a_record() {
    let p = portal(2_000);
    let json = p.path("deals.json");
    let list = |resume: bool| {
        let mut args = vec![
            "list",
            "crm.deal.list",
            "--format",
            "json",
            "-o",
            json.to_str().expect("utf-8"),
        ];
        if resume {
            args.push("--resume");
        }
        let o = p.b24(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        o
    };
    let ids = || -> Vec<i64> {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("file")).expect("JSON");
        v.as_array()
            .expect("an array")
            .iter()
            .map(|d| d["ID"].as_str().and_then(|s| s.parse().ok()).expect("ID"))
            .collect()
    };
    list(false);
    assert_eq!(ids(), (1..=2_000).collect::<Vec<_>>());
    // An interrupted run: the file stops inside record 1,001.
    let all = std::fs::read_to_string(&json).expect("file");
    let at = all.find("{\"ID\":\"1001\"").expect("record 1001") + 20;
    std::fs::write(&json, &all[..at]).expect("write");
    let o = list(true);
    assert!(
        text(&o.stderr).contains("resuming after ID 1000"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(ids(), (1..=2_000).collect::<Vec<_>>(), "every deal once");
    // A whole file: nothing after its last record, still one JSON array.
    list(true);
    assert_eq!(ids(), (1..=2_000).collect::<Vec<_>>());
}

#[test]
fn batch_runs_a_file_with_a_result_line_each() {
    let p = portal(10);
    let file = p.path("commands.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"method\": \"crm.deal.get\", \"params\": {\"id\": 5}}\n",
            "\n",
            "{\"method\": \"crm.deal.get\", \"params\": {\"id\": 999999}}\n",
            "{\"method\": \"crm.deal.update\", \"params\": {\"id\": 7, \"fields\": {\"TITLE\": \"Renamed\"}}}\n",
        ),
    )
    .expect("write");
    let o = p.b24(&["batch", file.to_str().expect("utf-8")]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "one command failed: {}",
        text(&o.stderr)
    );
    let lines: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (lines[0]["line"].as_i64(), &lines[0]["result"]["ID"]),
        (Some(1), &Value::from("5"))
    );
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["error"]["description"], "Not found");
    assert_eq!(lines[2]["result"], true);
    assert_eq!(p.portal.handle().deal(7).expect("deal")["TITLE"], "Renamed");

    // A bad line stops everything before anything is sent.
    std::fs::write(&file, "{\"method\": \"crm.deal.get\", \"params\": {\"id\": 1}}\n{\"method\": \"crm.deal.gett\"}\n").expect("write");
    let sent = p.portal.handle().requests().len();
    let o = p.b24(&["batch", file.to_str().expect("utf-8")]);
    fails(
        &o,
        2,
        ":2: unknown method crm.deal.gett (did you mean crm.deal.get?)",
    );
    assert_eq!(p.portal.handle().requests().len(), sent);
}

#[test]
fn describe_search_and_scopes_read_the_catalog() {
    let p = portal(0);
    let o = p.b24(&["describe", "CRM.DEAL.GET"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o.stdout).contains("b24::methods::crm::DealGet"),
        "{}",
        text(&o.stdout)
    );
    let o = p.b24(&["describe", "tasks.task.get", "--v3"]);
    assert!(text(&o.stdout).contains("TaskGetV3"), "{}", text(&o.stdout));
    let o = p.b24(&["search", "recent", "unread"]);
    assert!(
        text(&o.stdout).starts_with("im.recent.unread\tim\t"),
        "{}",
        text(&o.stdout)
    );
    let o = p.b24(&["search", "nosuchwordanywhere"]);
    assert_eq!(o.status.code(), Some(2));
    // Events: described from their specs, found by search, suggested when misspelt.
    let o = p.b24(&["describe", "onCrmDealAdd"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for line in [
        "ONCRMDEALADD (event)",
        "b24::events::Payload::OnCrmDealAdd",
        "  Fields: { ID: int",
    ] {
        assert!(
            text(&o.stdout).contains(line),
            "{line} in {}",
            text(&o.stdout)
        );
    }
    let o = p.b24(&["search", "oncrmdeal"]);
    assert!(
        text(&o.stdout).contains("ONCRMDEALADD (event)\tcrm\t"),
        "{}",
        text(&o.stdout)
    );
    let o = p.b24(&["describe", "ONCRMDEALAD"]);
    fails(
        &o,
        2,
        "unknown method or event ONCRMDEALAD (did you mean ONCRMDEALADD?)",
    );

    let o = p.b24(&[
        "scopes",
        "crm.deal.add",
        "im.message.add",
        "im.recent.unread",
    ]);
    assert_eq!(
        text(&o.stdout),
        "crm\tcrm.deal.add\nim\tim.message.add im.recent.unread\n"
    );
    let o = p.b24(&["scopes", "crm.deal.ad"]);
    fails(&o, 2, "did you mean crm.deal.add?");

    let src = p.path("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(
        src.join("main.rs"),
        concat!(
            "use b24::methods::crm::{DealGet, DealUpdate};\n",
            "#[b24_method(\"tasks.task.add\", api = \"v3\")] struct Add;\n",
            "async fn f(c: b24::Client) { c.raw(\"im.message.add\", json!({})).await; }\n",
        ),
    )
    .expect("write");
    let o = p.b24(&["scopes", "--from", src.to_str().expect("utf-8")]);
    assert_eq!(
        text(&o.stdout),
        "crm\tcrm.deal.get crm.deal.update\nim\tim.message.add\ntasks\ttasks.task.add\n",
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn list_on_the_library_engine_refuses_a_server_that_ignores_the_offset() {
    // `im.department.colleagues.list` pages by OFFSET/LIMIT; this portal answers the same
    // page whatever the offset: the library's check makes that a protocol error (exit 4),
    // not an endless list.
    let p = portal_with(0, |b| {
        b.canned(
            "im.department.colleagues.list",
            serde_json::json!([{"ID": 1}, {"ID": 2}]),
        )
    });
    let o = p.b24(&["list", "im.department.colleagues.list"]);
    fails(
        &o,
        4,
        "answered the same page for offsets 0 and 2: it does not page by offset",
    );
    // The two records of the first page were written before the check stopped the list.
    assert_eq!(text(&o.stdout).lines().count(), 2, "{}", text(&o.stdout));
}

#[test]
fn batch_on_the_library_engine_resends_what_the_operating_limit_refused() {
    // 100 ms of operating time a command, 300 ms allowed per method in a 2-s window: one
    // batch of eight runs three, the portal refuses five with OPERATION_TIME_LIMIT, and the
    // engine sends those again once the window allows.
    let p = portal_with(10, |b| {
        b.operating(Some(Operating {
            budget: Duration::from_millis(300),
            window: Duration::from_secs(2),
        }))
        .latency(Latency {
            per_command: Duration::from_millis(100),
            ..Latency::default()
        })
    });
    let file = p.path("gets.jsonl");
    let lines: String = (1..=8)
        .map(|id| format!("{{\"method\": \"crm.deal.get\", \"params\": {{\"id\": {id}}}}}\n"))
        .collect();
    std::fs::write(&file, lines).expect("write");
    let o = p.b24(&["batch", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let results: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let ids: Vec<&Value> = results.iter().map(|r| &r["result"]["ID"]).collect();
    let want: Vec<Value> = (1..=8).map(|id| Value::from(id.to_string())).collect();
    assert_eq!(ids, want.iter().collect::<Vec<_>>(), "{}", text(&o.stdout));
    let stats = p.portal.handle().stats();
    assert!(stats.refused_429 > 0, "the limit refused some: {stats:?}");
    assert_eq!(
        stats.commands.get("crm.deal.get"),
        Some(&8),
        "each ran once: {stats:?}"
    );
}

#[test]
fn batch_on_the_library_engine_runs_its_batches_together() {
    // 200 commands are four batches; with 300 ms a request they are on the wire together
    // (the bucket's concurrency), not one after another.
    let p = portal_with(10, |b| {
        b.latency(Latency {
            per_request: Duration::from_millis(300),
            ..Latency::default()
        })
    });
    let file = p.path("many.jsonl");
    let lines: String = (0..200)
        .map(|i| {
            format!(
                "{{\"method\": \"crm.deal.get\", \"params\": {{\"id\": {}}}}}\n",
                i % 10 + 1
            )
        })
        .collect();
    std::fs::write(&file, lines).expect("write");
    let o = p.b24(&["batch", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 200);
    let stats = p.portal.handle().stats();
    assert_eq!(stats.commands.get("batch"), Some(&4), "{stats:?}");
    assert_eq!(stats.max_in_flight, 4, "four batches at once: {stats:?}");
}
