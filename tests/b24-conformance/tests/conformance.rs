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
    let commit = b24_import::import::docs_commit(&docs).unwrap_or_else(|| "unknown".into());
    let results = gate::run(table::ENTRIES, &docs);
    let text = report::render(&results, &commit);
    let now = report::totals(&results);
    eprintln!(
        "conformance: requests {}/{} methods, responses {}/{} methods; on the wire {} of {} example calls sent exactly as written, {} read the same",
        now.request_pass,
        now.request_methods,
        now.response_pass,
        now.response_methods,
        now.wire_exact,
        now.wire_calls,
        now.wire_same
    );
    let path = report_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(base) = report::baseline(&committed)
        && base.fell(&now)
    {
        let fails: Vec<String> = results
            .iter()
            .flat_map(|r| {
                r.requests
                    .failures
                    .iter()
                    .chain(&r.responses.failures)
                    .map(move |(l, why)| format!("  {} ({}) line {l}: {why}", r.name, r.api))
                    .chain(r.wire.iter().flat_map(move |(at, diffs)| {
                        diffs.iter().filter(|d| !d.harmless()).map(move |d| {
                            format!("  {} ({}) line {at}: on the wire: {d}", r.name, r.api)
                        })
                    }))
            })
            .take(40)
            .collect();
        return Err(format!(
            "conformance fell below the committed baseline {base:?}: now {now:?}\n{}",
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

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

/// Every event spec has its own typed variant of `b24::events::Payload`.
fn every_event_has_a_typed_payload() -> Result<(), Failed> {
    let events = b24_spec::bindings::load_events(&specs_dir()).map_err(|e| e.to_string())?;
    if events.len() < 150 {
        return Err(format!("only {} event specs under specs/incoming", events.len()).into());
    }
    let untyped: Vec<&str> = events
        .iter()
        .filter(|e| {
            // An empty `data` decodes to the typed variant, or fails its required members
            // there: either way not `Unknown`.
            match b24::events::Payload::decode(&e.name, &serde_json::json!({})) {
                Ok(p) => p.name() != Some(e.name.as_str()),
                Err(err) => err.event != e.name,
            }
        })
        .map(|e| e.name.as_str())
        .collect();
    if untyped.is_empty() {
        Ok(())
    } else {
        Err(format!("events without a typed payload: {untyped:?}").into())
    }
}

/// Every example post of every event page: its `data` decodes into the event's typed
/// payload and comes back out without losing a member.
fn docs_examples_pass_through_every_event_payload() -> Result<(), Failed> {
    let docs = docs();
    let events = b24_spec::bindings::load_events(&specs_dir()).map_err(|e| e.to_string())?;
    let (mut examples, mut failures) = (0, Vec::new());
    for e in &events {
        let page = std::fs::read_to_string(docs.join(&e.docs.path))
            .map_err(|err| format!("{}: {err}", e.docs.path))?;
        for (line, data) in b24_import::import::event_examples(&page, &e.name) {
            let data = &data;
            examples += 1;
            let back = b24::events::Payload::decode(&e.name, data)
                .map_err(|err| err.to_string())
                .and_then(|p| p.to_json().map_err(|err| err.to_string()));
            match back {
                Ok(json) => {
                    let mut lost = Vec::new();
                    b24_conformance::check::losses(data, &json, "$.data", &mut lost);
                    if !lost.is_empty() {
                        failures.push(format!(
                            "{} line {line}: lost {}",
                            e.docs.path,
                            lost.join(", ")
                        ));
                    }
                }
                Err(why) => failures.push(format!("{} line {line}: {why}", e.docs.path)),
            }
        }
    }
    eprintln!(
        "events: {} event specs, {examples} example posts, {} decoded without loss",
        events.len(),
        examples - failures.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
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
    let trials = vec![
        Trial::test("docs_examples_pass_through_every_binding", gate).with_ignored_flag(!present),
        Trial::test(
            "docs_examples_pass_through_every_event_payload",
            docs_examples_pass_through_every_event_payload,
        )
        .with_ignored_flag(!present),
        Trial::test(
            "every_event_has_a_typed_payload",
            every_event_has_a_typed_payload,
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}
