//! The docs importer: the official docs (Markdown/YFM) → one spec per method.
//!
//! Pages are read from `api-reference/` and `settings/`; a page documents a method when
//! its title ends in the method's name. Curated corrections live in an overrides folder:
//! an override with a `schema` key replaces the imported spec, any other is merged over it
//! table by table. The same docs always give byte-identical specs.

mod emit;
pub mod page;
mod table;
mod yfm;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use page::PageKind;

/// The marker of files the importer owns.
pub const HEADER: &str = "# Imported from the official docs by `b24-gen import-docs`";

/// What an import produced.
#[derive(Debug, Default)]
pub struct Imported {
    /// Spec files by path relative to the specs folder.
    pub files: BTreeMap<PathBuf, String>,
    /// Coverage.
    pub report: Report,
}

/// Coverage of an import.
#[derive(Debug, Default)]
pub struct Report {
    /// Pages seen, by kind.
    pub pages: BTreeMap<PageKind, usize>,
    /// Method pages.
    pub method_pages: usize,
    /// Specs written (valid).
    pub imported: usize,
    /// Warnings by class: count and example paths.
    pub warnings: BTreeMap<String, (usize, Vec<String>)>,
    /// Method pages that gave no valid spec, with the reason.
    pub failures: Vec<(String, String)>,
    /// Methods whose cURL example uses parameters the table does not list.
    pub example_mismatches: Vec<(String, Vec<String>)>,
}

impl Report {
    fn warn(&mut self, class: &str, example: &str) {
        let e = self.warnings.entry(class.to_string()).or_default();
        e.0 += 1;
        if e.1.len() < 3 {
            e.1.push(example.to_string());
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pages by kind:")?;
        for (k, n) in &self.pages {
            writeln!(f, "  {k:?}: {n}")?;
        }
        writeln!(f, "method pages: {}", self.method_pages)?;
        writeln!(f, "specs imported: {}", self.imported)?;
        writeln!(f, "warnings:")?;
        for (class, (n, ex)) in &self.warnings {
            writeln!(f, "  {class}: {n} (e.g. {})", ex.join(", "))?;
        }
        writeln!(f, "failures: {}", self.failures.len())?;
        for (p, why) in &self.failures {
            writeln!(f, "  {p}: {why}")?;
        }
        writeln!(
            f,
            "cURL examples naming parameters the table lacks: {}",
            self.example_mismatches.len()
        )?;
        Ok(())
    }
}

/// The docs commit named in `SOURCE.md` of a docs snapshot, if any.
pub fn docs_commit(docs: &Path) -> Option<String> {
    let text = std::fs::read_to_string(docs.join("SOURCE.md")).ok()?;
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_hexdigit()))
        .find(|w| w.len() == 40 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string)
}

fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('_'))
                {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The spec file of a method: `im/im.recent.unread.toml`, `tasks/tasks.task.get@v3.toml`.
pub fn spec_path(name: &str, api: &str) -> PathBuf {
    let ns = name.split('.').next().unwrap_or("misc");
    let file = if api == "v2" {
        format!("{name}.toml")
    } else {
        format!("{name}@{api}.toml")
    };
    PathBuf::from(ns).join(file)
}

/// Imports every method page of `docs`; `overrides` holds curated corrections.
pub fn import_docs(docs: &Path, overrides: Option<&Path>, commit: &str) -> Imported {
    let mut out = Imported::default();
    let mut seen: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    for sub in ["api-reference", "settings"] {
        for file in markdown_files(&docs.join(sub)) {
            let rel = file
                .strip_prefix(docs)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(src) = std::fs::read_to_string(&file) else {
                out.report.failures.push((rel, "unreadable".into()));
                continue;
            };
            let (kind, page) = page::read(&rel, &src);
            *out.report.pages.entry(kind).or_default() += 1;
            let Some(page) = page else { continue };
            out.report.method_pages += 1;
            for (class, ex) in &page.warnings {
                out.report.warn(class, &format!("{rel} ({ex})"));
            }
            let key = (page.name.clone(), page.api);
            if let Some(first) = seen.get(&key) {
                out.report
                    .warn("same-method-twice", &format!("{rel} = {first}"));
                continue;
            }
            seen.insert(key, rel.clone());
            let listed: Vec<&str> = page.params.iter().map(|f| f.name.as_str()).collect();
            let missing: Vec<String> = page
                .example_params
                .iter()
                .filter(|p| !listed.iter().any(|l| l.eq_ignore_ascii_case(p)))
                .cloned()
                .collect();
            if !missing.is_empty() && !page.params.iter().any(|f| f.dynamic) {
                out.report
                    .example_mismatches
                    .push((page.name.clone(), missing));
            }
            let path = spec_path(&page.name, page.api);
            let mut text = emit::spec_toml(&page, &rel, commit);
            if let Some(dir) = overrides {
                match apply_override(&dir.join(&path), &path, &text) {
                    Ok(Some(t)) => text = t,
                    Ok(None) => {}
                    Err(e) => {
                        out.report
                            .failures
                            .push((rel.clone(), format!("override: {e}")));
                        continue;
                    }
                }
            }
            match crate::load_str(&path, &text) {
                Ok(_) => {
                    out.report.imported += 1;
                    out.files.insert(path, text);
                }
                Err(e) => {
                    let first = e
                        .diagnostics
                        .first()
                        .map(|d| d.message.clone())
                        .unwrap_or_default();
                    out.report.failures.push((rel, first));
                }
            }
        }
    }
    out
}

/// Applies the override file at `path` to `imported`, if there is one.
fn apply_override(path: &Path, rel: &Path, imported: &str) -> Result<Option<String>, String> {
    let Ok(over) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let over_v: toml::Table =
        toml::from_str(&over).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    if over_v.contains_key("schema") {
        // A complete curated spec.
        return Ok(Some(over));
    }
    let mut base: toml::Table = toml::from_str(imported).map_err(|e| e.message().to_string())?;
    merge(&mut base, over_v);
    let body = toml::to_string(&base).map_err(|e| e.to_string())?;
    let shown = rel.to_string_lossy().replace('\\', "/");
    Ok(Some(format!(
        "{HEADER} and merged with overrides/{shown},\n# do not edit.\n{body}"
    )))
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Writes the import into `out`; imported files no longer produced are removed.
pub fn write(imported: &Imported, out: &Path) -> std::io::Result<()> {
    for stale in stale_files(imported, out) {
        std::fs::remove_file(out.join(stale))?;
    }
    for (rel, text) in &imported.files {
        let p = out.join(rel);
        if std::fs::read_to_string(&p).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(&p, text)?;
    }
    Ok(())
}

/// Files under `out` the importer owns that this import would not produce.
fn stale_files(imported: &Imported, out: &Path) -> Vec<PathBuf> {
    markdown_like(out)
        .into_iter()
        .filter(|rel| !imported.files.contains_key(rel))
        .filter(|rel| std::fs::read_to_string(out.join(rel)).is_ok_and(|t| t.starts_with(HEADER)))
        .collect()
}

fn markdown_like(out: &Path) -> Vec<PathBuf> {
    crate::spec_files(out)
        .into_iter()
        .filter_map(|p| p.strip_prefix(out).ok().map(Path::to_path_buf))
        .collect()
}

/// Differences between the import and `out`: files missing, changed or stale.
pub fn check(imported: &Imported, out: &Path) -> Vec<String> {
    let mut diffs = Vec::new();
    for (rel, text) in &imported.files {
        match std::fs::read_to_string(out.join(rel)) {
            Ok(t) if t == *text => {}
            Ok(_) => diffs.push(format!("changed: {}", rel.display())),
            Err(_) => diffs.push(format!("missing: {}", rel.display())),
        }
    }
    for stale in stale_files(imported, out) {
        diffs.push(format!("stale: {}", stale.display()));
    }
    diffs
}
