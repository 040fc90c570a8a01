//! `b24-gen describe`: a method's binding and facts from the committed specs.

use std::path::Path;
use std::process::Command;

fn describe(args: &[&str]) -> std::process::Output {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    Command::new(env!("CARGO_BIN_EXE_b24-gen"))
        .arg("describe")
        .args(args)
        .arg("--specs")
        .arg(specs)
        .output()
        .expect("b24-gen runs")
}

#[test]
fn names_the_binding_and_the_facts() {
    let out = describe(&["IM.RECENT.UNREAD"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "im.recent.unread (REST v2)",
        "b24::methods::im::RecentUnread  (feature \"im\", crate b24-methods-im)",
        "DIALOG_ID  .dialog_id  DialogId; required",
        "DIALOG_ID_EMPTY",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    // A part of a split namespace, and a REST 3.0 twin.
    let out = describe(&["crm.deal.list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("crate b24-methods-crm-deal"));
    let out = describe(&["tasks.task.get", "--v3"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("b24::methods::tasks::TaskGetV3"));
}

#[test]
fn an_unknown_method_is_an_error_with_a_suggestion() {
    let out = describe(&["im.recent.unred"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `im.recent.unread`"), "{err}");
}
