//! The importer over the official docs snapshot in `../shared/b24restdocs` (skipped,
//! loudly, when it is absent): coverage, determinism, freshness of the committed specs,
//! and `im.recent.unread` from the current page and from the older seed page.

use std::path::{Path, PathBuf};
use std::time::Instant;

use b24_codegen::import;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn docs() -> Option<PathBuf> {
    let d = std::env::var_os("B24_DOCS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared().join("b24restdocs"));
    if d.join("api-reference").is_dir() {
        Some(d)
    } else {
        eprintln!(
            "SKIPPED: the docs corpus is absent ({}); set B24_DOCS_DIR to run the corpus tests",
            d.display()
        );
        None
    }
}

fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs")
}

#[test]
fn coverage_of_the_docs_snapshot() {
    let Some(d) = docs() else { return };
    let commit = import::docs_commit(&d).expect("SOURCE.md names the commit");
    let t = Instant::now();
    let a = import::import_docs(&d, Some(&specs().join("overrides")), &commit);
    eprintln!(
        "imported the snapshot in {:.2}s (debug build)\n{}",
        t.elapsed().as_secs_f64(),
        a.report
    );
    let r = &a.report;
    assert!(r.method_pages >= 1664, "method pages: {}", r.method_pages);
    assert!(r.imported >= 1650, "imported: {}", r.imported);
    assert_eq!(r.imported + r.failures.len(), r.method_pages);
    assert!(r.failures.iter().all(|(_, why)| !why.is_empty()));
    assert!(
        r.pages
            .get(&import::PageKind::Index)
            .is_some_and(|n| *n > 300)
    );
    assert!(
        r.pages
            .get(&import::PageKind::Event)
            .is_some_and(|n| *n > 150)
    );
    for m in [
        "batch",
        "profile",
        "pull.application.event.add",
        "im.recent.unread",
        "im.recent.pin",
        "crm.item.list",
        "tasks.task.get",
    ] {
        assert!(
            a.files
                .keys()
                .any(|p| p.file_stem().is_some_and(|s| s == m)),
            "{m} imported"
        );
    }
    assert!(
        a.files
            .keys()
            .any(|p| p.to_string_lossy().ends_with("tasks.task.get@v3.toml")),
        "REST 3.0 twins"
    );
    // The cURL examples are checked against the tables; disagreements are reported.
    assert!(!r.example_mismatches.is_empty());
    // Same input, same bytes.
    let b = import::import_docs(&d, Some(&specs().join("overrides")), &commit);
    assert_eq!(a.files, b.files);
    // The committed specs are what the docs give (regenerate with `b24-gen import-docs`).
    let stale = import::check(&a, &specs());
    assert!(
        stale.is_empty(),
        "specs are stale against the docs: {stale:?}"
    );
}

#[test]
fn im_recent_unread_from_the_current_and_the_seed_page() {
    let Some(d) = docs() else { return };
    let current = std::fs::read_to_string(
        d.join("api-reference/chats/special-operations/im-recent-unread.md"),
    )
    .expect("page");
    let (_, page) = import::page::read(
        "api-reference/chats/special-operations/im-recent-unread.md",
        &current,
    );
    let cur = page.expect("a method page");
    let curated = b24_specs::find("im.recent.unread", "v2").expect("catalog");
    let curated = b24_codegen::load_str(Path::new(curated.path), curated.text).expect("loads");
    // Where the page and the curated spec agree: names, required flags, types, default,
    // result, error code.
    let facts: Vec<(String, bool, String, Option<String>)> = cur
        .params
        .iter()
        .map(|f| (f.name.clone(), f.required, f.ty.clone(), f.default.clone()))
        .collect();
    let want: Vec<(String, bool, String, Option<String>)> = curated
        .request
        .params
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.required,
                p.ty.to_string(),
                p.default.clone(),
            )
        })
        .collect();
    assert_eq!(facts, want);
    assert_eq!(cur.result, curated.response.result.to_string());
    assert_eq!(cur.errors[0].code, "DIALOG_ID_EMPTY");

    let Ok(seed) = std::fs::read_to_string(shared().join("seed/im.recent.unread.md")) else {
        eprintln!("SKIPPED: the seed page is absent");
        return;
    };
    let (_, page) = import::page::read("seed/im.recent.unread.md", &seed);
    let old = page.expect("a method page");
    // The older layout: the same parameters and required flags…
    let names: Vec<(&str, bool)> = old
        .params
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, [("DIALOG_ID", true), ("ACTION", false)]);
    assert_eq!(old.errors[0].code, "DIALOG_ID_EMPTY");
    // …and the differences, all on the side of the older page: no types (`unknown`),
    // no default for ACTION, no returned-data table.
    assert!(old.params.iter().all(|f| f.ty == "any"));
    assert!(old.params.iter().all(|f| f.default.is_none()));
    assert_eq!(old.result, "any");
}
