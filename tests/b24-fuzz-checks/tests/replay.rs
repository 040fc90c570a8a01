//! Every fuzz target's check over its committed inputs (`tests/b24-fuzz/seeds`, and
//! `tests/b24-fuzz/regressions`: each input a fuzz run once crashed or hung on), the catalog's
//! specs, and — when the docs corpus is beside the repository — every docs page and every
//! JSON block of the docs, on the stable toolchain.

use std::path::{Path, PathBuf};

use b24_fuzz_checks::seeds::{collect_md, json_blocks};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let present = docs_dir().is_dir();
    if !present {
        eprintln!(
            "NOTE: the docs corpus is absent at {}: `every_docs_page_and_json_block` is IGNORED, not passed",
            docs_dir().display()
        );
    }
    let trials = vec![
        Trial::test("committed_seeds_and_regressions", || {
            committed_seeds_and_regressions();
            Ok(())
        }),
        Trial::test("every_catalog_and_ui_spec", || {
            every_catalog_and_ui_spec();
            Ok(())
        }),
        Trial::test(
            "every_docs_page_and_json_block",
            every_docs_page_and_json_block,
        )
        .with_ignored_flag(!present),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn docs_dir() -> PathBuf {
    repo().join("../shared/b24restdocs/api-reference")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files in `dir` (none when it does not exist).
fn inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn committed_seeds_and_regressions() {
    let mut ran = 0;
    for (target, check) in b24_fuzz_checks::TARGETS {
        for kind in ["seeds", "regressions"] {
            for (path, bytes) in inputs(&repo().join("tests/b24-fuzz").join(kind).join(target)) {
                eprintln!("{target}: {}", path.display());
                check(&bytes);
                ran += 1;
            }
        }
    }
    assert!(ran >= 20, "the committed inputs were not found ({ran})");
}

fn every_catalog_and_ui_spec() {
    let mut n = 0;
    for dir in [
        repo().join("specs"),
        repo().join("tests/b24-ui-tests/specs"),
    ] {
        for f in b24_spec::spec_files(&dir) {
            b24_fuzz_checks::spec(&std::fs::read(&f).expect("readable"));
            n += 1;
        }
    }
    assert!(n > 1_600, "{n} specs");
    let events = b24_spec::event_files(&repo().join("specs"));
    assert!(events.len() > 150, "{} event specs", events.len());
    for f in &events {
        b24_fuzz_checks::spec(&std::fs::read(f).expect("readable"));
    }
}

fn every_docs_page_and_json_block() -> Result<(), Failed> {
    let mut pages = Vec::new();
    collect_md(&docs_dir(), &mut pages);
    let (mut blocks, mut n) = (0, 0);
    for page in &pages {
        let bytes = std::fs::read(page).map_err(|e| format!("{}: {e}", page.display()))?;
        b24_fuzz_checks::docs_page(&bytes);
        n += 1;
        for block in json_blocks(&String::from_utf8_lossy(&bytes)) {
            let mut input = vec![0u8];
            input.extend_from_slice(block.as_bytes());
            b24_fuzz_checks::envelope(&input);
            b24_fuzz_checks::batch(&input);
            b24_fuzz_checks::scalars(block.trim().as_bytes());
            blocks += 1;
        }
    }
    eprintln!("{n} pages, {blocks} JSON blocks");
    if n > 1_000 && blocks > 1_000 {
        Ok(())
    } else {
        Err(format!("only {n} pages and {blocks} JSON blocks were found").into())
    }
}
