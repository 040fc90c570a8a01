//! Answers recorded from real portals (`real-answers/*.jsonl`, each with its source) decode
//! through the bindings — strictly, as the gate decodes the docs' examples — and come back
//! out without losing a member. They are the oracle beside the docs' own examples: a type
//! taken from an example's value instead of the documented type fails here.

use std::path::PathBuf;

use b24_conformance::check::losses;
use b24_conformance::table::ENTRIES;
use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("real-answers")
}

/// One recorded answer: the method, where it was recorded, and its `result`.
struct Answer {
    file: String,
    line: usize,
    method: String,
    api: String,
    source: String,
    result: Value,
}

fn answers() -> Vec<Answer> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("real-answers/ is part of the crate")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON: {e}", i + 1));
            let field = |k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{name}:{}: no `{k}`", i + 1))
                    .to_string()
            };
            out.push(Answer {
                file: name.clone(),
                line: i + 1,
                method: field("method"),
                api: v
                    .get("api")
                    .and_then(Value::as_str)
                    .unwrap_or("v2")
                    .to_string(),
                source: field("source"),
                result: v
                    .get("result")
                    .cloned()
                    .unwrap_or_else(|| panic!("{name}:{}: no `result`", i + 1)),
            });
        }
    }
    out
}

#[test]
fn every_recorded_answer_decodes_without_loss() {
    let all = answers();
    assert!(all.len() >= 36, "only {} recorded answers", all.len());
    let mut failures = Vec::new();
    let mut sources = std::collections::BTreeSet::new();
    for a in &all {
        sources.insert(a.source.split_whitespace().next().unwrap_or("").to_string());
        let Some(e) = ENTRIES
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(&a.method) && e.api == a.api)
        else {
            failures.push(format!("{}:{} {}: no binding", a.file, a.line, a.method));
            continue;
        };
        match (e.result)(&a.result) {
            Ok(back) => {
                let mut lost = Vec::new();
                losses(&a.result, &back, "$.result", &mut lost);
                if !lost.is_empty() {
                    failures.push(format!(
                        "{}:{} {}: loses {}",
                        a.file,
                        a.line,
                        a.method,
                        lost.join(", ")
                    ));
                }
            }
            Err(why) => failures.push(format!("{}:{} {}: {why}", a.file, a.line, a.method)),
        }
    }
    eprintln!(
        "real answers: {} from {} sources, {} decoded without loss",
        all.len(),
        sources.len(),
        all.len() - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
