//! The benchmark binary runs its scenarios against the fake portal and reports what the
//! README's figures are read from: every record, no error, no write applied twice.
//! (Its speed is a figure, never asserted here.)

use std::process::Command;

use serde_json::Value;

/// The last stdout line of `b24-bench` with `args`: its JSON report.
fn report(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_b24-bench"))
        .args(args)
        .args([
            "--latency-request-ms",
            "5",
            "--latency-command-ms",
            "0.5",
            "--latency-record-ms",
            "0.02",
        ])
        .env_remove("B24_WEBHOOK_URL")
        .output()
        .expect("b24-bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "b24-bench {args:?}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().expect("a report line");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not a JSON report ({e}): {last}"))
}

#[test]
fn export_all_reads_every_deal_once_without_errors() {
    let r = report(&["--scenario", "export-all", "--n", "3000"]);
    assert_eq!(r["scenario"], "export-all");
    assert_eq!(r["records"], 3000, "{r}");
    assert_eq!(r["errors"], 0, "{r}");
    assert!(r["ratio"].as_f64().is_some_and(|x| x > 0.0), "{r}");
}

#[test]
fn many_writes_apply_each_write_once() {
    let r = report(&["--scenario", "many-writes", "--n", "300"]);
    assert_eq!(r["writes"], 300, "{r}");
    assert_eq!(r["duplicate_writes"], 0, "{r}");
    assert_eq!(r["errors"], 0, "{r}");
}
