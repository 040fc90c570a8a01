//! The gate over the docs snapshot in `../shared/b24restdocs` (or `B24_DOCS_DIR`): runs
//! every binding against its page's examples, checks the pass counts against the committed
//! `specs/CONFORMANCE.md` and that the report is fresh. Without the snapshot the test is
//! reported as ignored, with the reason, never as passed.

use std::path::PathBuf;

use b24_conformance::{gate, report, table};
use libtest_mimic::{Arguments, Failed, Trial};

fn docs() -> PathBuf {
    std::env::var_os("B24_DOCS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/b24restdocs")
        })
}

fn report_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/CONFORMANCE.md")
}

fn gate() -> Result<(), Failed> {
    let docs = docs();
    let commit = b24_codegen::import::docs_commit(&docs).unwrap_or_else(|| "unknown".into());
    let results = gate::run(table::ENTRIES, &docs);
    let text = report::render(&results, &commit);
    let now = report::totals(&results);
    eprintln!(
        "conformance: requests {}/{} methods, responses {}/{} methods",
        now.request_pass, now.request_methods, now.response_pass, now.response_methods
    );
    let path = report_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some((req, resp)) = report::baseline(&committed)
        && (now.request_pass < req || now.response_pass < resp)
    {
        let fails: Vec<String> = results
            .iter()
            .flat_map(|r| {
                r.requests
                    .failures
                    .iter()
                    .chain(&r.responses.failures)
                    .map(move |(l, why)| format!("  {} ({}) line {l}: {why}", r.name, r.api))
            })
            .take(40)
            .collect();
        return Err(format!(
            "conformance fell below the committed baseline: requests {} < {req} or responses {} < {resp}\n{}",
            now.request_pass,
            now.response_pass,
            fails.join("\n")
        )
        .into());
    }
    if std::env::var_os("B24_BLESS").is_some() {
        std::fs::write(&path, &text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        return Ok(());
    }
    if committed != text {
        return Err(format!(
            "{} is stale (the specs, the bindings or the docs changed): refresh it with \
             `B24_BLESS=1 cargo test -p b24-conformance --test conformance` and review the diff",
            path.display()
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let present = docs().join("api-reference").is_dir();
    if !present {
        println!(
            "SKIPPED: the docs corpus is absent ({}); set B24_DOCS_DIR to run the conformance gate",
            docs().display()
        );
    }
    let trial =
        Trial::test("docs_examples_pass_through_every_binding", gate).with_ignored_flag(!present);
    libtest_mimic::run(&args, vec![trial]).exit();
}
