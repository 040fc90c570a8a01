//! Embeds every `*.toml` method spec below this package into the catalog
//! (`OUT_DIR/catalog.rs`, `CATALOG`), and the event specs of `incoming/` apart from them
//! (`EVENTS`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut out = String::from("/// Every spec of the catalog, sorted by file path.\n");
    out.push_str(&catalog("CATALOG", &spec_files(&root, true)));
    out.push_str("/// Every event spec (`incoming/`), sorted by file path.\n");
    out.push_str(&catalog(
        "EVENTS",
        &spec_files(&root.join("incoming"), false),
    ));
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// The spec files below `root` (overrides left out: they are merged into the specs at
/// import); `incoming/` too unless `skip_incoming`.
fn spec_files(root: &Path, skip_incoming: bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if p.is_dir() {
                let skipped = matches!(name, "src" | "target")
                    || (skip_incoming && name == "incoming")
                    || name.starts_with('.');
                if !skipped {
                    dirs.push(p);
                }
            } else if name.ends_with(".toml") && name != "Cargo.toml" && !is_override(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// `pub static <list>: &[Entry]` holding `files`.
fn catalog(list: &str, files: &[PathBuf]) -> String {
    let mut out = format!("pub static {list}: &[Entry] = &[\n");
    for f in files {
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let (name, api) = match stem.split_once('@') {
            Some((n, a)) => (n, a),
            None => (stem, "v2"),
        };
        let p = f.to_str().expect("spec paths are UTF-8");
        let _ = writeln!(
            out,
            "    Entry {{ name: {name:?}, api: {api:?}, path: {p:?}, text: include_str!({p:?}) }},"
        );
    }
    out.push_str("];\n");
    out
}

/// Override files (curation kept apart from imported specs) live in `overrides/` folders.
fn is_override(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "overrides")
}
