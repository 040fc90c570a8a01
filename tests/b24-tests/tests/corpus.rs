//! The importer over the official docs snapshot in `../shared/b24restdocs` (or
//! `B24_DOCS_DIR`): coverage, determinism, freshness of the committed specs, every warning
//! explained, and `im.recent.unread` from the current page and from the older seed page.
//! Without the snapshot these tests are reported as ignored, with the reason.

use std::path::{Path, PathBuf};
use std::time::Instant;

use b24_import::import;
use libtest_mimic::{Arguments, Failed, Trial};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn docs() -> PathBuf {
    std::env::var_os("B24_DOCS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared().join("b24restdocs"))
}

fn specs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(what().into()) }
}

fn coverage_of_the_docs_snapshot() -> Result<(), Failed> {
    let d = docs();
    let commit = import::docs_commit(&d).ok_or("SOURCE.md names no commit")?;
    let t = Instant::now();
    let a = import::import_docs(&d, Some(&specs().join("overrides")), &commit);
    eprintln!(
        "imported the snapshot in {:.2}s (debug build)\n{}",
        t.elapsed().as_secs_f64(),
        a.report
    );
    let r = &a.report;
    check(r.method_pages >= 1671, || {
        format!("method pages: {}", r.method_pages)
    })?;
    check(r.failures.is_empty(), || {
        format!("failures: {:?}", r.failures)
    })?;
    check(r.imported == r.method_pages, || {
        "every method page imports".into()
    })?;
    check(
        r.pages
            .get(&import::PageKind::Index)
            .is_some_and(|n| *n > 300),
        || "index pages".into(),
    )?;
    check(
        r.pages
            .get(&import::PageKind::Event)
            .is_some_and(|n| *n > 150),
        || "event pages".into(),
    )?;
    // Every row is read, or reported in a class the report explains.
    check(!r.warnings.contains_key("unreadable-row"), || {
        format!("unreadable rows: {:?}", r.warnings.get("unreadable-row"))
    })?;
    for class in r.warnings.keys() {
        check(import::explain(class).is_some(), || {
            format!("warning class `{class}` is not explained")
        })?;
    }
    for m in [
        "batch",
        "profile",
        "events",
        "pull.application.event.add",
        "im.recent.unread",
        "im.recent.pin",
        "crm.item.list",
        "crm.item.fields",
        "crm.status.fields",
        "crm.status.entity.types",
        "crm.requisite.fields",
        "crm.requisite.userfield.update",
        "crm.item.details.configuration.get",
        "crm.automation.trigger.delete",
        "department.delete",
        "tasks.task.get",
    ] {
        check(
            a.files
                .keys()
                .any(|p| p.file_stem().is_some_and(|s| s == m)),
            || format!("{m} imported"),
        )?;
    }
    for typo in ["ctrigger.delete", "department.department.delete"] {
        check(
            !a.files
                .keys()
                .any(|p| p.file_stem().is_some_and(|s| s == typo)),
            || format!("{typo} is a title typo, not a method"),
        )?;
    }
    check(
        a.files.keys().any(|p| {
            p.to_string_lossy()
                .ends_with("humanresources.employee.search@v3.toml")
        }),
        || "the REST 3.0 method named by its examples".into(),
    )?;
    // The examples the spec-level check reads: the typed gate is tests/b24-conformance.
    let e = &r.examples;
    check(e.request_pass * 100 >= e.request_methods * 99, || {
        format!("requests {}/{}", e.request_pass, e.request_methods)
    })?;
    check(e.response_pass * 100 >= e.response_methods * 99, || {
        format!("responses {}/{}", e.response_pass, e.response_methods)
    })?;
    // Same input, same bytes.
    let b = import::import_docs(&d, Some(&specs().join("overrides")), &commit);
    check(a.files == b.files, || "the import is deterministic".into())?;
    // The committed specs are what the docs give (regenerate with `b24-gen import-docs`).
    let stale = import::check(&a, &specs());
    check(stale.is_empty(), || {
        format!("specs are stale against the docs: {stale:?}")
    })
}

fn im_recent_unread_from_the_current_and_the_seed_page() -> Result<(), Failed> {
    let d = docs();
    let current = std::fs::read_to_string(
        d.join("api-reference/chats/special-operations/im-recent-unread.md"),
    )
    .map_err(|e| format!("page: {e}"))?;
    let (_, page) = import::page::read(
        "api-reference/chats/special-operations/im-recent-unread.md",
        &current,
    );
    let cur = page.ok_or("a method page")?;
    let curated = b24_specs::find("im.recent.unread", "v2").ok_or("catalog")?;
    let curated =
        b24_spec::load_str(Path::new(curated.path), curated.text).map_err(|e| e.to_string())?;
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
    check(facts == want, || format!("{facts:?} != {want:?}"))?;
    check(cur.result == curated.response.result.to_string(), || {
        cur.result.clone()
    })?;
    check(cur.errors[0].code == "DIALOG_ID_EMPTY", || {
        format!("{:?}", cur.errors)
    })?;

    let seed = std::fs::read_to_string(shared().join("seed/im.recent.unread.md"))
        .map_err(|e| format!("seed: {e}"))?;
    let (_, page) = import::page::read("seed/im.recent.unread.md", &seed);
    let old = page.ok_or("a method page")?;
    // The older layout: the same parameters and required flags…
    let names: Vec<(&str, bool)> = old
        .params
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    check(names == [("DIALOG_ID", true), ("ACTION", false)], || {
        format!("{names:?}")
    })?;
    check(old.errors[0].code == "DIALOG_ID_EMPTY", || {
        format!("{:?}", old.errors)
    })?;
    // …and the differences, all on the side of the older page: types only from its example
    // column (a string where the current page says a dialog id), no default for ACTION, no
    // returned-data table.
    let types: Vec<&str> = old.params.iter().map(|f| f.ty.as_str()).collect();
    check(types == ["string", "yn"], || format!("{types:?}"))?;
    check(old.params.iter().all(|f| f.default.is_none()), || {
        "no defaults".into()
    })?;
    check(old.result == "bool" || old.result == "any", || {
        old.result.clone()
    })
}

fn main() {
    let args = Arguments::from_args();
    let present = docs().join("api-reference").is_dir();
    if !present {
        println!(
            "SKIPPED: the docs corpus is absent ({}); set B24_DOCS_DIR to run the corpus tests",
            docs().display()
        );
    }
    let trials = vec![
        Trial::test(
            "coverage_of_the_docs_snapshot",
            coverage_of_the_docs_snapshot,
        ),
        Trial::test(
            "im_recent_unread_from_the_current_and_the_seed_page",
            im_recent_unread_from_the_current_and_the_seed_page,
        ),
    ]
    .into_iter()
    .map(|t| t.with_ignored_flag(!present))
    .collect();
    libtest_mimic::run(&args, trials).exit();
}
