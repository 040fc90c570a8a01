//! Embeds every `*.toml` method spec below this package into the catalog
//! (`OUT_DIR/catalog.rs`); the event specs in `incoming/` are not method specs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
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
                // `incoming/` holds event specs: `b24-gen regen` reads them from disk.
                if !matches!(name, "src" | "target" | "incoming") && !name.starts_with('.') {
                    dirs.push(p);
                }
            } else if name.ends_with(".toml") && name != "Cargo.toml" && !is_override(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// Every spec of the catalog, sorted by file path.\npub static CATALOG: &[Entry] = &[\n",
    );
    for f in &files {
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
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// Override files (curation kept apart from imported specs) live in `overrides/` folders.
fn is_override(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "overrides")
}
