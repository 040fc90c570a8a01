//! The docs importer: the official docs (Markdown/YFM) → one spec per method.
//!
//! Pages are read from `api-reference/` and `settings/`; a page documents a method when
//! its title ends in the method's name. Curated corrections live in an overrides folder:
//! an override with a `schema` key replaces the imported spec, any other is merged over it
//! table by table. The same docs always give byte-identical specs.

mod datatypes;
mod emit;
mod entities;
mod events;
pub mod page;
mod table;
mod yfm;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use emit::{idempotent_guess, spec_toml};
pub use events::{EventReport, camel_name, data_of, event_examples, event_path, example_posts};
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
    /// Warnings by class: every page, line and detail.
    pub warnings: BTreeMap<String, Vec<(String, usize, String)>>,
    /// Method pages that gave no valid spec, with the reason.
    pub failures: Vec<(String, String)>,
    /// The imported specs weighed against their pages' examples.
    pub examples: ExampleReport,
    /// The event pages.
    pub events: EventReport,
}

/// How the imported specs read their pages' own examples (a spec-level estimate of the
/// conformance gate in `tests/b24-conformance`, which checks the generated bindings).
#[derive(Debug, Default)]
pub struct ExampleReport {
    /// Methods with at least one example call read as data.
    pub request_methods: usize,
    /// … whose every example call the spec accepts.
    pub request_pass: usize,
    /// Methods with at least one example response read as data.
    pub response_methods: usize,
    /// … whose every example result the spec decodes without loss.
    pub response_pass: usize,
    /// Method, side (`request`/`response`), page line and the first issue.
    pub failures: Vec<(String, &'static str, usize, String)>,
    /// Examples that are code rather than data: page, line, reason.
    pub unparsed: Vec<(String, usize, String)>,
}

/// What each warning class means, as the report explains it; `None` for a class that is
/// not explained (every class the importer emits is).
pub fn explain(class: &str) -> Option<&'static str> {
    Some(match class {
        "unreadable-row" => "a table row the importer could not read (it is left out)",
        "irregular-table" => {
            "a table read past an irregularity: no header row, a row without its closing `||`, text between rows"
        }
        "duplicate-field" => {
            "a row repeating a name in another letter case or as its element (`items[]`); the first is kept, the second reachable through `extra`"
        }
        "table-subheading" => "a row that titles a group of rows, not a key",
        "prose-name" => "a row whose name is a phrase, not a key",
        "raw-value-twin" => "a `~NAME` row: the raw twin of NAME, not a field of its own",
        "operator-key" => "a filter key with an operator (`=DELETED`), not a field",
        "param-from-example" => {
            "a parameter (or member) no table lists but the page's example calls pass: taken from them, typed by the value"
        }
        "field-from-example" => {
            "a result member no table lists but the page's example response has: taken from it"
        }
        "free-keys-from-example" => {
            "an object whose example keys are data, not names: its keys are free"
        }
        "shape-from-example" => {
            "an untyped parameter (`any`, an object or a list without a table) typed by what the page's example calls pass"
        }
        "kind-from-example" => {
            "a table's kind (array/object/number) the page's examples contradict: the examples win"
        }
        "result-from-example" => {
            "a result shape the example responses contradict (a wrapper, a list, a map by id): the examples win"
        }
        "required-omitted-by-example" => {
            "a nested field marked required that an example call leaves out: not required"
        }
        "moved-into-object" => {
            "a parameter every example passes inside an object parameter: a member of it"
        }
        "conditionally-required" => {
            "a parameter required only in some calls (\"relevant only for …\"): not required"
        }
        "no-parameters" => {
            "a page that says the method takes no parameters: its field table is not read as parameters"
        }
        "alternative-parameter-sets" => "numbered parameter tables: alternative sets of parameters",
        "result-siblings" => "a returned-data table listing the result's members next to `result`",
        "title-names-a-family" => {
            "a title naming a family (`im.recent`): the examples name the method"
        }
        "title-names-another-method" => {
            "a title naming another method (a typo): the examples and the file name agree on the method"
        }
        "title-names-no-method" => "a title naming no method: the examples and the file name do",
        "no-scope" => "a page naming no scope",
        "object-from-linked-page" => {
            "an object whose fields another page's table documents (`[task](./fields.md)`): typed from that table"
        }
        "entity-record" => {
            "a result record named by the entity its methods are about (`Deal`, `Task`)"
        }
        "entity-unified" => {
            "an entity's record given the fields every method of the entity documents, so they return one type"
        }
        "entity-not-unified" => {
            "an entity whose methods keep their own records: one type for all would fail a page's example"
        }
        "fields-by-convention" => {
            "a `*.fields` page without an example response: its result is the field descriptions by name, as every `*.fields` method returns them"
        }
        "type-from-data-types" => {
            "a member an example shaped whose object a data-types page documents: the page's type wins over the example value's"
        }
        "auth-row" => {
            "a parameter table listing `auth`, the access token every OAuth call carries: not a parameter of the method"
        }
        "name-from-example" => {
            "a name the table spells in another letter case or with other separators than every example call (`Id` for `id`): the example's spelling wins, it is a call that ran"
        }
        "names-from-example-convention" => {
            "an object the example calls write in SCREAMING_SNAKE_CASE where its table (a linked page of the result's entity) writes camelCase: the request spells every field so"
        }
        "examples-disagree-on-name" => {
            "example calls spelling one name differently: the first one's spelling is kept"
        }
        "same-method-twice" => "a second page for a method already documented: the first is kept",
        "same-event-twice" => "a second page for an event already documented: the first is kept",
        _ => return None,
    })
}

impl Report {
    fn warn(&mut self, class: &str, page: &str, line: usize, detail: &str) {
        self.warnings.entry(class.to_string()).or_default().push((
            page.to_string(),
            line,
            detail.to_string(),
        ));
    }

    /// Every warning as `page:line: class: detail`, one a line.
    pub fn warning_lines(&self) -> String {
        let mut out = String::new();
        for (class, list) in &self.warnings {
            for (page, line, detail) in list {
                out.push_str(&format!("{page}:{line}: {class}: {detail}\n"));
            }
        }
        out
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
        for (class, list) in &self.warnings {
            let ex: Vec<String> = list
                .iter()
                .take(2)
                .map(|(p, l, d)| format!("{p}:{l} {d}"))
                .collect();
            writeln!(f, "  {class}: {}", list.len())?;
            writeln!(f, "    {}", explain(class).unwrap_or("(not explained)"))?;
            writeln!(f, "    e.g. {}", ex.join("; "))?;
        }
        let ev = &self.events;
        writeln!(
            f,
            "event pages and sections: {}, event specs imported: {}, with an example post: {}, decoded without loss: {}",
            ev.pages, ev.imported, ev.with_example, ev.example_pass
        )?;
        writeln!(f, "failures: {}", self.failures.len())?;
        for (p, why) in &self.failures {
            writeln!(f, "  {p}: {why}")?;
        }
        let e = &self.examples;
        writeln!(
            f,
            "examples: requests {}/{} methods accepted, responses {}/{} decoded without loss ({} examples are code, not data)",
            e.request_pass,
            e.request_methods,
            e.response_pass,
            e.response_methods,
            e.unparsed.len()
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
    let mut pages = read_pages(docs, &mut out.report);
    let folders = events::Folders::of(&pages);
    events::import(
        docs,
        &folders,
        overrides,
        commit,
        &mut out.files,
        &mut out.report,
    );
    entities::unify(&mut pages, &mut out.report, &|rel, page| {
        decodes_examples(rel, page, commit)
    });
    for (rel, page) in pages {
        emit_page(&rel, &page, overrides, commit, &mut out);
    }
    out
}

/// Every method page of the docs, read (the first page of a method when two document it).
fn read_pages(docs: &Path, report: &mut Report) -> Vec<(String, page::MethodPage)> {
    let mut seen: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    let data_types = datatypes::DataTypes::read(docs);
    let mut pages = Vec::new();
    for sub in ["api-reference", "settings"] {
        for file in markdown_files(&docs.join(sub)) {
            let rel = file
                .strip_prefix(docs)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(src) = std::fs::read_to_string(&file) else {
                report.failures.push((rel, "unreadable".into()));
                continue;
            };
            let linked = |p: &str| std::fs::read_to_string(docs.join(p)).ok();
            let (kind, page) = page::read_with(&rel, &src, &linked);
            *report.pages.entry(kind).or_default() += 1;
            let Some(mut page) = page else { continue };
            data_types.resolve_references(&mut page);
            report.method_pages += 1;
            for w in &page.warnings {
                report.warn(w.class, &rel, w.line, &w.detail);
            }
            let key = (page.name.clone(), page.api);
            if let Some(first) = seen.get(&key) {
                report.warn(
                    "same-method-twice",
                    &rel,
                    1,
                    &format!("also documented by {first}"),
                );
                continue;
            }
            seen.insert(key, rel.clone());
            pages.push((rel, page));
        }
    }
    pages
}

/// The spec of one page, with its override, checked and weighed against its examples.
fn emit_page(
    rel: &str,
    page: &page::MethodPage,
    overrides: Option<&Path>,
    commit: &str,
    out: &mut Imported,
) {
    let path = spec_path(&page.name, page.api);
    let mut text = emit::spec_toml(page, rel, commit);
    if let Some(dir) = overrides {
        match apply_override(&dir.join(&path), &path, &text) {
            Ok(Some(t)) => text = t,
            Ok(None) => {}
            Err(e) => {
                out.report
                    .failures
                    .push((rel.to_string(), format!("override: {e}")));
                return;
            }
        }
    }
    match b24_spec::load_str(&path, &text) {
        Ok(spec) => {
            weigh_examples(&spec, &page.examples, rel, &mut out.report.examples);
            out.report.imported += 1;
            out.files.insert(path, text);
        }
        Err(e) => out
            .report
            .failures
            .push((rel.to_string(), first_problem(&e))),
    }
}

/// The first problem of a spec the loader refused, for the report.
fn first_problem(e: &b24_spec::SpecError) -> String {
    e.diagnostics
        .first()
        .map(|d| d.message.clone())
        .unwrap_or_default()
}

/// Whether the page's spec (without its override) decodes every example response.
fn decodes_examples(rel: &str, page: &page::MethodPage, commit: &str) -> bool {
    let path = spec_path(&page.name, page.api);
    let Ok(spec) = b24_spec::load_str(&path, &emit::spec_toml(page, rel, commit)) else {
        return false;
    };
    page.examples
        .results()
        .iter()
        .all(|x| b24_spec::conform::result(&spec, &x.body["result"]).is_empty())
}

/// Runs the page's examples through the spec (spec level; see [`b24_spec::conform`]).
fn weigh_examples(
    spec: &b24_spec::Spec,
    ex: &crate::examples::Examples,
    rel: &str,
    r: &mut ExampleReport,
) {
    for u in &ex.unparsed {
        r.unparsed.push((rel.to_string(), u.line, u.reason.clone()));
    }
    let erratum = |line: usize| {
        spec.errata
            .iter()
            .any(|e| e.line == Some(line) && e.member.is_none())
    };
    let calls: Vec<_> = ex
        .calls_for(&spec.name, spec.api == b24_spec::spec::Api::V3)
        .into_iter()
        .filter(|c| !erratum(c.line))
        .collect();
    if !calls.is_empty() {
        r.request_methods += 1;
        let mut ok = true;
        for c in &calls {
            let mut params = c.params.clone();
            for e in &spec.errata {
                if let Some(m) = &e.member
                    && e.line.is_none_or(|l| l == c.line)
                {
                    b24_spec::conform::remove_member(&mut params, m);
                }
            }
            let issues = b24_spec::conform::request(spec, &params);
            if !issues.is_empty() {
                ok = false;
                let all: Vec<String> = issues.iter().map(ToString::to_string).collect();
                r.failures
                    .push((spec.name.clone(), "request", c.line, all.join("; ")));
            }
        }
        if ok {
            r.request_pass += 1;
        }
    }
    let results: Vec<_> = ex
        .results()
        .into_iter()
        .filter(|r| !erratum(r.line))
        .collect();
    if !results.is_empty() {
        r.response_methods += 1;
        let first = results.iter().find_map(|x| {
            b24_spec::conform::result(spec, &x.body["result"])
                .into_iter()
                .next()
                .map(|i| (x.line, i))
        });
        match first {
            None => r.response_pass += 1,
            Some((line, i)) => {
                r.failures
                    .push((spec.name.clone(), "response", line, i.to_string()))
            }
        }
    }
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
    let mut over_v = over_v;
    let patches = over_v.remove("param");
    let field_patches = over_v.remove("field");
    merge(&mut base, over_v);
    if let Some(p) = patches {
        patch_params(&mut base, p, None)?;
    }
    if let Some(p) = field_patches {
        patch_params(&mut base, p, Some(()))?;
    }
    drop_unused_types(&mut base);
    let body = toml::to_string(&base).map_err(|e| e.to_string())?;
    let shown = rel.to_string_lossy().replace('\\', "/");
    Ok(Some(format!(
        "{HEADER} and merged with overrides/{shown},\n# do not edit.\n{body}"
    )))
}

/// `[[param]]` patches (`name` and the keys to change, `remove = true` to drop it, `rename`
/// to give it another wire name) applied to the imported parameters; `[[field]]` patches
/// also name the struct (`type = "Fields"`).
fn patch_params(
    base: &mut toml::Table,
    patches: toml::Value,
    struct_fields: Option<()>,
) -> Result<(), String> {
    let toml::Value::Array(patches) = patches else {
        return Err("`param` and `field` are arrays of tables ([[param]])".into());
    };
    for patch in patches {
        let toml::Value::Table(mut patch) = patch else {
            return Err("a [[param]] patch is a table".into());
        };
        let Some(toml::Value::String(name)) = patch.remove("name") else {
            return Err("a [[param]] patch needs `name`".into());
        };
        let list = if struct_fields.is_some() {
            let Some(toml::Value::String(ty)) = patch.remove("type_name") else {
                return Err(format!("the [[field]] patch of `{name}` needs `type_name`"));
            };
            base.get_mut("types")
                .and_then(|t| t.get_mut(&ty))
                .and_then(|t| t.get_mut("fields"))
                .ok_or_else(|| format!("no struct type `{ty}` to patch `{name}` in"))?
        } else {
            let req = base
                .entry("request")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            req.as_table_mut()
                .ok_or("`request` is not a table")?
                .entry("params")
                .or_insert_with(|| toml::Value::Array(Vec::new()))
        };
        let toml::Value::Array(items) = list else {
            return Err("`params`/`fields` is not an array".into());
        };
        let remove = patch
            .remove("remove")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let pos = items
            .iter()
            .position(|p| p.get("name").and_then(|n| n.as_str()) == Some(name.as_str()));
        match (pos, remove) {
            (Some(i), true) => {
                items.remove(i);
            }
            (None, true) => return Err(format!("no parameter `{name}` to remove")),
            (Some(i), false) => {
                let Some(t) = items[i].as_table_mut() else {
                    return Err(format!("parameter `{name}` is not a table"));
                };
                if let Some(toml::Value::String(new)) = patch.remove("rename") {
                    t.insert("name".into(), toml::Value::String(new));
                }
                for (k, v) in patch {
                    t.insert(k, v);
                }
            }
            (None, false) => {
                let mut t = toml::Table::new();
                t.insert("name".into(), toml::Value::String(name));
                for (k, v) in patch {
                    t.insert(k, v);
                }
                items.push(toml::Value::Table(t));
            }
        }
    }
    Ok(())
}

/// After an override replaced what used them, imported types nothing refers to any more.
fn drop_unused_types(base: &mut toml::Table) {
    fn names_in(v: &toml::Value, key: &str, out: &mut std::collections::BTreeSet<String>) {
        match v {
            toml::Value::String(s) if matches!(key, "type" | "result" | "value" | "data") => {
                for part in s.split(|c: char| !c.is_ascii_alphanumeric()) {
                    out.insert(part.to_string());
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|x| names_in(x, key, out)),
            toml::Value::Table(t) => t.iter().for_each(|(k, x)| names_in(x, k, out)),
            _ => {}
        }
    }
    loop {
        let Some(toml::Value::Table(types)) = base.get("types") else {
            return;
        };
        let mut used = std::collections::BTreeSet::new();
        for (k, v) in base.iter().filter(|(k, _)| *k != "types") {
            names_in(v, k, &mut used);
        }
        for (name, def) in types {
            let mut inner = std::collections::BTreeSet::new();
            names_in(def, "", &mut inner);
            inner.remove(name);
            used.extend(inner);
        }
        let unused: Vec<String> = types
            .keys()
            .filter(|k| !used.contains(*k))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        if let Some(toml::Value::Table(types)) = base.get_mut("types") {
            for u in unused {
                types.remove(&u);
            }
        }
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            // A table whose `style` the override changes (`[pagination]`) is replaced whole:
            // its other keys belong to the style.
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if o.get("style").is_some_and(|s| b.get("style") != Some(s)) =>
            {
                *b = o;
            }
            // So is a named type whose `kind` the override changes (a struct the import
            // made of an example's data keys, curated into a map): its keys belong to the
            // kind.
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if o.get("kind").is_some_and(|s| b.get("kind") != Some(s)) =>
            {
                *b = o;
            }
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
    b24_spec::spec_files(out)
        .into_iter()
        .chain(b24_spec::event_files(out))
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

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn an_override_that_changes_a_style_replaces_its_table() {
        let mut base: toml::Table = toml::from_str(
            "[pagination]\nstyle = \"limit_offset\"\noffset_param = \"offset\"\nitems = \"events\"\n[method]\nname = \"a\"\nidempotent = true\n",
        )
        .expect("toml");
        let over: toml::Table =
            toml::from_str("[pagination]\nstyle = \"none\"\n[method]\nidempotent = false\n")
                .expect("toml");
        merge(&mut base, over);
        let p = base["pagination"].as_table().expect("table");
        assert_eq!(p.len(), 1, "{p:?}");
        // Other tables still merge key by key.
        let m = base["method"].as_table().expect("table");
        assert_eq!(m["name"].as_str(), Some("a"));
        assert_eq!(m["idempotent"].as_bool(), Some(false));
    }
}
