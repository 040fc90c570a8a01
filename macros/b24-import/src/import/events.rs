//! The docs' event pages (`…/events/on-*.md`) → one event spec each
//! (`incoming/<namespace>/<EVENT>.toml`).
//!
//! An event page reads like a method page whose result is the post its handler receives
//! (`event`, `event_handler_id`, `data`, `ts`, `auth`): the same tables, sub-tables and
//! example reconciliation give the type of the post, and the spec keeps its `data`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{HEADER, Report, datatypes, emit, page};
use crate::examples::{self, literal};
use b24_spec::spec::{Deprecation, Docs, EventSpec, TypeDef};
use b24_spec::ty::TypeExpr;

/// What the event import produced, besides its files.
#[derive(Debug, Default)]
pub struct EventReport {
    /// Events documented: `on-*.md` pages and the sections of pages of event formats.
    pub pages: usize,
    /// Event specs written.
    pub imported: usize,
    /// Events with an example post.
    pub with_example: usize,
    /// … whose every example `data` the spec decodes without loss.
    pub example_pass: usize,
}

/// The namespace of each method page's folder (for an event page, the namespace of the
/// methods documented beside it).
pub(super) struct Folders(BTreeMap<String, BTreeMap<String, usize>>);

impl Folders {
    pub(super) fn of(pages: &[(String, page::MethodPage)]) -> Folders {
        let mut m: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (rel, p) in pages {
            let ns = p.name.split('.').next().unwrap_or("").to_string();
            let mut dir = rel.as_str();
            while let Some(i) = dir.rfind('/') {
                dir = &dir[..i];
                *m.entry(dir.to_string())
                    .or_default()
                    .entry(ns.clone())
                    .or_default() += 1;
            }
        }
        Folders(m)
    }

    /// The event's namespace: among the namespaces of the methods documented in the nearest
    /// folder around the page, the one the folder is named after, else the one most of
    /// them have; the scope itself when no folder below the docs' root has methods.
    fn namespace(&self, rel: &str, scope: &[String]) -> Option<String> {
        let mut dir = &rel[..rel.rfind('/').unwrap_or(0)];
        while dir.contains('/') {
            if let Some(counts) = self.0.get(dir) {
                let folder = dir.rsplit('/').next().unwrap_or("").replace('-', "_");
                if counts.contains_key(&folder) {
                    return Some(folder);
                }
                // Most methods first; the first name among equals (deterministic).
                let mut best: Option<(&String, usize)> = None;
                for (ns, n) in counts {
                    if best.is_none_or(|(_, b)| *n > b) {
                        best = Some((ns, *n));
                    }
                }
                return best.map(|(ns, _)| ns.clone());
            }
            dir = &dir[..dir.rfind('/')?];
        }
        let known = self
            .0
            .values()
            .any(|c| scope.first().is_some_and(|s| c.contains_key(s)));
        scope.first().filter(|_| known).cloned()
    }
}

/// Imports every event page of `docs` into `files` (paths relative to the specs folder).
pub(super) fn import(
    docs: &Path,
    folders: &Folders,
    overrides: Option<&Path>,
    commit: &str,
    files: &mut BTreeMap<PathBuf, String>,
    report: &mut Report,
) {
    let data_types = datatypes::DataTypes::read(docs);
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in super::markdown_files(&docs.join("api-reference")) {
        let fname = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = file
            .strip_prefix(docs)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.contains("/events") {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&file) else {
            if fname.starts_with("on-") {
                report.failures.push((rel, "unreadable".into()));
            }
            continue;
        };
        // A page of one event (`on-*.md`), or a page of event formats with a section each
        // (`## ONIMV2MESSAGEADD`).
        let sections = event_sections(&src);
        let events: Vec<Option<String>> = if fname.starts_with("on-") {
            vec![None]
        } else {
            sections
                .into_iter()
                .map(|(name, _, _)| Some(name))
                .collect()
        };
        for name in events {
            report.events.pages += 1;
            let linked = |p: &str| std::fs::read_to_string(docs.join(p)).ok();
            let read = event_spec(
                &rel,
                &src,
                name,
                folders,
                &data_types,
                commit,
                &linked,
                report,
            );
            match read {
                Ok((ev, datas)) => {
                    if let Some(first) = seen.get(&ev.name) {
                        report.warn(
                            "same-event-twice",
                            &rel,
                            1,
                            &format!("also documented by {first}"),
                        );
                        continue;
                    }
                    seen.insert(ev.name.clone(), rel.clone());
                    emit_event(&rel, ev, &datas, overrides, files, report);
                }
                Err(why) => report.failures.push((rel.clone(), why)),
            }
        }
    }
}

/// The sections of a page of event formats: (event name, first line, line after the last),
/// 0-based, for each level-2 heading that is an event's name (`## ONIMV2MESSAGEADD`).
fn event_sections(src: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(title) = l.strip_prefix("## ") else {
            continue;
        };
        if let Some(last) = out.last_mut()
            && last.2 == lines.len()
        {
            last.2 = i;
        }
        let word = title.split_whitespace().next().unwrap_or("");
        if word.len() > 2
            && word.starts_with("ON")
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            out.push((word.to_string(), i, lines.len()));
        }
    }
    out
}

/// The page with only what documents `event`: its head (title, scope, notes) and the
/// event's section, that section's heading made the response's; other lines blank, so
/// that page lines stay right.
fn section_page(src: &str, event: &str) -> Option<String> {
    let (_, start, end) = event_sections(src)
        .into_iter()
        .find(|(n, _, _)| n == event)?;
    let head_end = src.lines().position(|l| l.starts_with("## ")).unwrap_or(0);
    let mut out = String::with_capacity(src.len());
    for (i, l) in src.lines().enumerate() {
        out.push_str(match i {
            _ if i == start => "## Response",
            _ if i < head_end || (start < i && i < end) => l,
            _ => "",
        });
        out.push('\n');
    }
    Some(out)
}

/// The example `data` of `event` on its page: each example post's `data` on a page of
/// one event; on a page of event formats, each JSON object of the event's section.
pub fn event_examples(src: &str, event: &str) -> Vec<(usize, Value)> {
    match section_page(src, event) {
        Some(section) => section_examples(&section),
        None => post_datas(&example_posts(src)),
    }
}

/// The JSON objects of a section of a page of event formats (each the data itself).
fn section_examples(section: &str) -> Vec<(usize, Value)> {
    json_objects(section)
        .into_iter()
        .filter(|(_, v)| v.get("result").is_none() && v.get("error").is_none())
        .collect()
}

/// The `data` of each example post.
fn post_datas(posts: &[(usize, Value)]) -> Vec<(usize, Value)> {
    posts
        .iter()
        .filter_map(|(line, post)| data_of(post).map(|d| (*line, d.clone())))
        .collect()
}

/// The spec file of an event: `incoming/crm/ONCRMDEALADD.toml`.
pub fn event_path(namespace: &str, name: &str) -> PathBuf {
    Path::new(b24_spec::EVENTS_DIR)
        .join(namespace)
        .join(format!("{name}.toml"))
}

fn emit_event(
    rel: &str,
    ev: EventSpec,
    datas: &[(usize, Value)],
    overrides: Option<&Path>,
    files: &mut BTreeMap<PathBuf, String>,
    report: &mut Report,
) {
    let path = event_path(&ev.namespace, &ev.name);
    let mut text = b24_spec::write::event_toml(&ev, &format!("{HEADER}, do not edit."));
    if let Some(dir) = overrides {
        match super::apply_override(&dir.join(&path), &path, &text) {
            Ok(Some(t)) => text = t,
            Ok(None) => {}
            Err(e) => {
                report
                    .failures
                    .push((rel.to_string(), format!("override: {e}")));
                return;
            }
        }
    }
    match b24_spec::load_event_str(&path, &text) {
        Ok(ev) => {
            if !datas.is_empty() {
                report.events.with_example += 1;
                if datas
                    .iter()
                    .all(|(_, d)| b24_spec::conform::event_data(&ev, d).is_empty())
                {
                    report.events.example_pass += 1;
                }
            }
            report.events.imported += 1;
            files.insert(path, text);
        }
        Err(e) => report
            .failures
            .push((rel.to_string(), super::first_problem(&e))),
    }
}

/// An example post's `data` (a post without `event` is the data itself, as the older
/// pages show it).
pub fn data_of(post: &Value) -> Option<&Value> {
    match post.get("event") {
        Some(_) => post.get("data"),
        None => Some(post),
    }
}

/// The example posts of an event page: its JSON objects with `event` or `data`.
pub fn example_posts(src: &str) -> Vec<(usize, Value)> {
    json_objects(src)
        .into_iter()
        .filter(|(_, v)| v.get("data").is_some() || v.get("event").is_some())
        .collect()
}

/// The JSON blocks of a page that are objects.
fn json_objects(src: &str) -> Vec<(usize, Value)> {
    examples::blocks(src)
        .into_iter()
        .filter(|b| matches!(b.lang.as_str(), "json" | "jsonc" | ""))
        .filter_map(|b| match literal::parse(&b.code, literal::Dialect::Json) {
            Ok(v @ Value::Object(_)) => Some((b.line, v)),
            _ => None,
        })
        .collect()
}

/// `on-crm-deal-add.md` → `OnCrmDealAdd`.
pub fn camel_name(file: &str) -> String {
    let stem = file.strip_suffix(".md").unwrap_or(file);
    stem.split('-')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The event's wire name: the example's `event`, else the title's last word when it names
/// an event, else the file name.
fn event_name(rel: &str, src: &str, posts: &[(usize, Value)]) -> String {
    if let Some(n) = posts
        .iter()
        .find_map(|(_, p)| p.get("event").and_then(Value::as_str))
    {
        return n.to_ascii_uppercase();
    }
    let h1 = src.lines().find(|l| l.starts_with("# ")).unwrap_or("");
    if let Some(w) = h1.split_whitespace().find(|w| {
        w.len() > 2
            && w[..2].eq_ignore_ascii_case("on")
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && w.chars().skip(2).any(|c| c.is_ascii_uppercase())
    }) {
        return w.to_ascii_uppercase();
    }
    let file = rel.rsplit('/').next().unwrap_or(rel);
    camel_name(file).to_ascii_uppercase()
}

type Read = (EventSpec, Vec<(usize, Value)>);

#[expect(
    clippy::too_many_arguments,
    reason = "the import's context, passed through"
)]
fn event_spec(
    rel: &str,
    src: &str,
    section: Option<String>,
    folders: &Folders,
    data_types: &datatypes::DataTypes,
    commit: &str,
    linked: &dyn Fn(&str) -> Option<String>,
    report: &mut Report,
) -> Result<Read, String> {
    let (name, text, posts, datas) = match section {
        Some(name) => {
            let text = section_page(src, &name).unwrap_or_default();
            // A section's examples are the data itself.
            let datas = section_examples(&text);
            (name, text, datas.clone(), datas)
        }
        None => {
            let posts = example_posts(src);
            let datas = post_datas(&posts);
            (event_name(rel, src, &posts), src.to_string(), posts, datas)
        }
    };
    let method = format!("event.{}", name.to_ascii_lowercase());
    let mut post = page::event_post(rel, &method, &text, posts, linked);
    let namespace = folders.namespace(rel, &post.scope).ok_or(
        "no method is documented near the page and its scope is no namespace: its namespace is unknown",
    )?;
    data_types.resolve_references(&mut post);
    for w in &post.warnings {
        if w.class != "no-scope" {
            report.warn(w.class, rel, w.line, &w.detail);
        }
    }
    keep_reachable(&mut post);
    let text = emit::spec_toml(&post, rel, commit);
    let spec = b24_spec::load_str(Path::new(rel), &text).map_err(|e| {
        let first = e.diagnostics.first().map(|d| d.message.clone());
        format!(
            "the post does not make a spec: {}",
            first.unwrap_or_default()
        )
    })?;
    let mut data = data_type(&spec.response.result, &spec.types);
    let mut types = BTreeMap::new();
    let mut todo: Vec<String> = data.named().into_iter().map(str::to_string).collect();
    while let Some(n) = todo.pop() {
        if types.contains_key(&n) {
            continue;
        }
        let Some(def) = spec.types.get(&n) else {
            continue;
        };
        todo.extend(b24_spec::bindings::referenced(def));
        types.insert(n, def.clone());
    }
    // The data's own type is `Data` (the post reader names a table-less root `Result`).
    if let TypeExpr::Named(root) = &data
        && root != "Data"
        && !types.contains_key("Data")
        && let Some(def) = types.remove(root)
    {
        types.insert("Data".to_string(), def);
        data = TypeExpr::Named("Data".to_string());
    }
    let ev = EventSpec {
        name,
        namespace,
        scope: spec.scope,
        docs: Docs {
            path: rel.to_string(),
            commit: commit.to_string(),
        },
        deprecated: spec.deprecated.map(|d| Deprecation {
            replacement: d.replacement,
        }),
        data,
        types,
        source: PathBuf::new(),
    };
    Ok((ev, datas))
}

/// Drops the named types the post's type does not reach (a table the reconciliation with
/// the example replaced, as `auth` on the application events).
fn keep_reachable(post: &mut page::MethodPage) {
    let names = |ty: &str| -> Vec<String> {
        TypeExpr::parse(ty)
            .map(|t| t.named().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let mut keep = std::collections::BTreeSet::new();
    let mut todo = names(&post.result);
    while let Some(n) = todo.pop() {
        if let Some(fields) = post.types.get(&n)
            && keep.insert(n)
        {
            todo.extend(fields.iter().flat_map(|f| names(&f.ty)));
        }
    }
    post.types.retain(|n, _| keep.contains(n));
}

/// The type of `data` in the post's type: its `data` member when the post has `event` and
/// `data`, the post itself otherwise (the older pages table the data alone).
fn data_type(post: &TypeExpr, types: &BTreeMap<String, TypeDef>) -> TypeExpr {
    let TypeExpr::Named(n) = post.non_optional() else {
        return post.clone();
    };
    let Some(TypeDef::Struct(s)) = types.get(n) else {
        return post.clone();
    };
    let has = |k: &str| s.fields.iter().any(|f| f.name == k);
    match s.fields.iter().find(|f| f.name == "data") {
        Some(d) if has("event") => d.ty.non_optional().clone(),
        _ => post.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"# Event When Creating a Thing onThingAdd

> Scope: [`thing`](../../scopes/permissions.md)

## What the Handler Receives

```json
{
    "event": "ONTHINGADD",
    "event_handler_id": "7",
    "data": { "FIELDS": { "ID": "42", "CREATED": "2025-01-15T10:30:00+02:00" } },
    "ts": "1735374081",
    "auth": { "domain": "x.bitrix24.com", "application_token": "t" }
}
```

#|
|| **Parameter**
`type` | **Description** ||
|| **event**
[`string`](../../data-types.md) | The event's code ||
|| **data**
[`object`](../../data-types.md) | The thing. Contains a single key `FIELDS` ||
|| **data.FIELDS**
[`object`](../../data-types.md) | Its fields. The structure is described [below](#fields) ||
|| **ts**
[`timestamp`](../../data-types.md) | When ||
|#

### Parameter FIELDS {#fields}

#|
|| **Parameter**
`type` | **Description** ||
|| **ID**
[`integer`](../../data-types.md) | The thing's id ||
|| **CREATED**
[`datetime`](../../data-types.md) | When it was made ||
|#
"#;

    fn folders() -> Folders {
        let mut counts = BTreeMap::new();
        counts.insert("thing".to_string(), 3);
        counts.insert("other".to_string(), 1);
        Folders([("api-reference/thing".to_string(), counts)].into())
    }

    fn read(rel: &str, src: &str, section: Option<&str>) -> Result<Read, String> {
        let mut report = Report::default();
        event_spec(
            rel,
            src,
            section.map(str::to_string),
            &folders(),
            &datatypes::DataTypes::read(Path::new("/nonexistent")),
            "abc1234",
            &|_| None,
            &mut report,
        )
    }

    #[test]
    fn an_event_page_gives_the_type_of_its_data() {
        let (ev, datas) =
            read("api-reference/thing/events/on-thing-add.md", PAGE, None).expect("an event spec");
        assert_eq!(ev.name, "ONTHINGADD");
        assert_eq!(
            (ev.namespace.as_str(), ev.scope.as_slice()),
            ("thing", &["thing".to_string()][..])
        );
        assert_eq!(ev.data.to_string(), "Data");
        let text = b24_spec::write::event_toml(&ev, "");
        assert!(text.contains(r#"{ name = "ID", type = "int" }"#), "{text}");
        assert!(
            text.contains(r#"{ name = "CREATED", type = "datetime" }"#),
            "{text}"
        );
        assert_eq!(datas.len(), 1);
        assert_eq!(datas[0].1["FIELDS"]["ID"], "42");
        assert!(b24_spec::conform::event_data(&ev, &datas[0].1).is_empty());
    }

    #[test]
    fn a_page_of_event_formats_gives_one_event_a_section() {
        let page = "# Event formats\n\n## Intro\n\ntext\n\n## ONTHINGV2ADD {#a}\n\n#|\n|| **Field** | **Type** | **Description** ||\n|| **id** | `integer` | Its id ||\n|#\n\n```json\n{ \"id\": 5 }\n```\n\n## ONTHINGV2DELETE {#b}\n\nNo table.\n";
        let sections = event_sections(page);
        let names: Vec<&str> = sections.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["ONTHINGV2ADD", "ONTHINGV2DELETE"]);
        let (ev, datas) = read(
            "api-reference/thing/events/events.md",
            page,
            Some("ONTHINGV2ADD"),
        )
        .expect("an event spec");
        assert_eq!(ev.name, "ONTHINGV2ADD");
        assert_eq!(datas, vec![(14, serde_json::json!({ "id": 5 }))]);
        let text = b24_spec::write::event_toml(&ev, "");
        assert!(text.contains(r#"{ name = "id", type = "int" }"#), "{text}");
        // The other section's example is not this event's.
        assert!(event_examples(page, "ONTHINGV2DELETE").is_empty());
    }

    #[test]
    fn names_come_from_the_example_the_title_or_the_file() {
        assert_eq!(camel_name("on-crm-deal-add.md"), "OnCrmDealAdd");
        let untitled = "# Event on Thing Removal\n\nNo example.\n";
        assert_eq!(
            event_name("x/events/on-thing-remove.md", untitled, &[]),
            "ONTHINGREMOVE"
        );
        let titled = "# Event on Thing Removal onThingDelete\n";
        assert_eq!(event_name("x/events/on-x.md", titled, &[]), "ONTHINGDELETE");
    }

    #[test]
    fn a_page_far_from_any_method_is_a_failure_with_the_reason() {
        let err = read(
            "api-reference/nowhere/events/on-thing-add.md",
            &PAGE.replace("`thing`", "`nope`"),
            None,
        )
        .expect_err("no namespace");
        assert!(err.contains("namespace is unknown"), "{err}");
    }
}
