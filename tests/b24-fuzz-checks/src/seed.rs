//! Writes the seed corpora of the fuzz targets: `b24-fuzz-seed OUT [DOCS]`.
//!
//! - `spec`: every spec of the catalog (`specs/`, event specs too) and of the UI tests;
//! - `docs_page`: every page of the docs (`DOCS`, default `../shared/b24restdocs` beside the
//!   repository), else the reference page in `../shared/seed`;
//! - `envelope` and `batch`: every JSON block of the docs' pages (answers, errors, batch
//!   answers), with a status byte in front for `envelope` and a halt byte for `batch`;
//! - `scalars`: every string value of those blocks, and the forms in `tests/b24-fuzz/seeds/`.
//!
//! Plus the committed seeds in `tests/b24-fuzz/seeds/<target>/` and the inputs in
//! `tests/b24-fuzz/regressions/<target>/`. A missing docs folder is said
//! loudly, and the corpora are then built from the rest.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use b24_fuzz_checks::seeds::{collect_md, json_blocks, strings_of};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: b24-fuzz-seed OUT [DOCS]");
        std::process::exit(2);
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let docs = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared/b24restdocs"));
    let mut corpus = Corpus {
        out,
        counts: Vec::new(),
    };

    for dir in [repo.join("specs"), repo.join("tests/b24-ui-tests/specs")] {
        for f in b24_spec::spec_files(&dir) {
            corpus.add_file("spec", &f);
        }
    }
    for f in b24_spec::event_files(&repo.join("specs")) {
        corpus.add_file("spec", &f);
    }

    let mut pages = Vec::new();
    if docs.join("api-reference").is_dir() {
        collect_md(&docs.join("api-reference"), &mut pages);
    } else {
        eprintln!(
            "b24-fuzz-seed: NOTE: no docs at {} — docs_page, envelope, batch and scalars are seeded from the reference page and tests/b24-fuzz/seeds only",
            docs.display()
        );
        let seed = repo.join("../shared/seed/im.recent.unread.md");
        if seed.is_file() {
            pages.push(seed);
        }
    }
    let mut strings = BTreeSet::new();
    for page in &pages {
        corpus.add_file("docs_page", page);
        let Ok(text) = std::fs::read_to_string(page) else {
            continue;
        };
        for block in json_blocks(&text) {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&block) else {
                continue;
            };
            strings_of(&v, &mut strings);
            if block.contains("result_error") || block.contains("result_total") {
                corpus.add("batch", &[&[0u8][..], block.as_bytes()].concat());
            }
            corpus.add("envelope", &[&[0u8][..], block.as_bytes()].concat());
        }
    }
    for s in &strings {
        if s.len() <= 64 {
            corpus.add("scalars", s.as_bytes());
        }
    }
    // The committed seeds and every input a fuzz run once failed on; every target gets a
    // corpus folder, even one with no seed (libFuzzer refuses a missing one).
    for kind in ["seeds", "regressions"] {
        let dir = repo.join("tests/b24-fuzz").join(kind);
        for (target, _) in b24_fuzz_checks::TARGETS {
            if let Ok(rd) = std::fs::read_dir(dir.join(target)) {
                for e in rd.flatten() {
                    corpus.add_file(target, &e.path());
                }
            }
        }
    }
    for (target, _) in b24_fuzz_checks::TARGETS {
        let dir = corpus.out.join(target);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("b24-fuzz-seed: {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
    for (target, n) in &corpus.counts {
        println!("{target}: {n} seeds");
    }
}

struct Corpus {
    out: PathBuf,
    counts: Vec<(String, usize)>,
}

impl Corpus {
    fn add_file(&mut self, target: &str, path: &Path) {
        match std::fs::read(path) {
            Ok(bytes) => self.add(target, &bytes),
            Err(e) => eprintln!("b24-fuzz-seed: {}: {e}", path.display()),
        }
    }

    /// Writes one input, named by its content's hash (libFuzzer's corpus convention).
    fn add(&mut self, target: &str, bytes: &[u8]) {
        use std::hash::{Hash, Hasher};
        let dir = self.out.join(target);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("b24-fuzz-seed: {}: {e}", dir.display());
            std::process::exit(1);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        let path = dir.join(format!("seed-{:016x}", h.finish()));
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("b24-fuzz-seed: {}: {e}", path.display());
            std::process::exit(1);
        }
        match self.counts.iter_mut().find(|(t, _)| t == target) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((target.to_string(), 1)),
        }
    }
}
