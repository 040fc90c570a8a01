//! `b24-gen import-openapi` as a process: over the fake portal's document and scope list
//! (asked for through its webhook), and over a document written by hand for the tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use b24_testkit::FakePortal;

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../b24-import/tests/data")
        .join(name)
}

fn import_openapi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_b24-gen"))
        .arg("import-openapi")
        .args(args)
        .arg("--specs")
        .arg(specs())
        .output()
        .expect("b24-gen runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_fake_portals_document_imports_and_agrees_with_the_docs() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let portal = rt
        .block_on(FakePortal::builder().webhook(1, "s3cr3tw3bh00k").start())
        .expect("portal");
    let url = portal.webhook_url();
    let out = tempdir("fake");
    let o = import_openapi(&[&url, "--out", out.to_str().expect("utf-8"), "--compare"]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "no differences: {stdout}");
    assert!(
        stderr.contains("Bitrix24 REST V3 API 1.0.0: 106 methods"),
        "{stderr}"
    );
    assert!(
        stderr.contains("0 problems") && stderr.contains("0 differences"),
        "{stderr}"
    );
    // Specs on disk, marked with their source, which never holds the webhook's secret.
    let add = std::fs::read_to_string(out.join("tasks/tasks.task.add@v3.toml")).expect("spec");
    assert!(add.contains("origin = \"openapi\""), "{add}");
    assert!(add.contains("scope = [\"tasks\"]"), "{add}");
    assert!(add.contains(&portal.base_url()), "{add}");
    for output in [&add, &stdout, &stderr] {
        assert!(!output.contains("s3cr3tw3bh00k"));
    }
    let check = Command::new(env!("CARGO_BIN_EXE_b24-gen"))
        .arg("check")
        .arg(&out)
        .output()
        .expect("b24-gen runs");
    assert!(check.status.success(), "{}", text(&check.stderr));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_handwritten_document_is_compared_with_the_docs() {
    let doc = data("openapi-handwritten.json");
    let scopes = data("scope-list-handwritten.json");
    let o = import_openapi(&[
        doc.to_str().expect("utf-8"),
        "--scopes",
        scopes.to_str().expect("utf-8"),
        "--compare",
    ]);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "differences: {stdout}\n{stderr}");
    for l in [
        "tasks.task.stage.move: portal has it, docs -",
        "tasks.task.get params.withCounters: portal boolean, docs -",
        "tasks.task.get scope: portal task, docs tasks",
    ] {
        assert!(stdout.lines().any(|x| x == l), "{l:?} in\n{stdout}");
    }
    assert!(
        stderr.contains("warning: paths./tasks.task.ghost: no `post` or `get` operation; left out"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Hand-written test portal 0.1: 4 methods, 4 scopes listed, 8 problems"),
        "{stderr}"
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let o = import_openapi(&["no-such-file.json", "--compare"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("error: no-such-file.json: "),
        "{}",
        text(&o.stderr)
    );
    let o = import_openapi(&[data("scope-list-handwritten.json").to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("say what to do"),
        "{}",
        text(&o.stderr)
    );
    // A portal that is not there: the error names its origin, not the webhook's secret.
    let o = import_openapi(&["http://127.0.0.1:9/rest/1/s3cr3tw3bh00k/", "--compare"]);
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("http://127.0.0.1:9: rest.documentation.openapi: "),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3tw3bh00k"), "{stderr}");
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("b24-gen-openapi-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_scope_list_fills_the_scopes_the_pages_leave_out() {
    let dir = tempdir("fill");
    let specs = dir.join("specs");
    for rel in ["event/event.bind.toml", "tasks/tasks.task.get@v3.toml"] {
        let to = specs.join(rel);
        std::fs::create_dir_all(to.parent().expect("dir")).expect("mkdir");
        std::fs::copy(self::specs().join(rel), &to).expect("copy");
    }
    // A list written for this test: one method whose page names no scope, one that does.
    let list = dir.join("scopes.json");
    std::fs::write(
        &list,
        r#"{"result": {"event.bind": "testscope", "tasks.task.get": "task"}}"#,
    )
    .expect("write");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_b24-gen"))
            .args(["import-openapi"])
            .arg(data("openapi-handwritten.json"))
            .arg("--scopes")
            .arg(&list)
            .arg("--specs")
            .arg(&specs)
            .arg("--fill-scopes")
            .output()
            .expect("b24-gen runs")
    };
    let o = run();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("filled the scope of 1 specs"),
        "{}",
        text(&o.stderr)
    );
    let written = std::fs::read_to_string(specs.join("overrides/event/event.bind.toml"))
        .expect("an override");
    assert!(
        written.starts_with("# The page (https://apidocs.bitrix24.com/"),
        "{written}"
    );
    assert!(
        written.contains(&format!("`rest.scope.list` of {}", list.display())),
        "{written}"
    );
    assert!(
        written.ends_with("[method]\nscope = [\"testscope\"]\n"),
        "{written}"
    );
    assert!(
        !specs.join("overrides/tasks").exists(),
        "a page that names its scope is kept"
    );
    // An override that is there already is not overwritten.
    let o = run();
    assert!(
        text(&o.stderr).contains("it has an override already"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
