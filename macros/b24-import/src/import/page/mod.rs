//! One docs page → the facts of one method.
//!
//! The page's tables give the facts; its examples check them and fill what the tables
//! miss (a parameter only the example calls pass, an object the table calls an array).
//! Everything read past — an unreadable row, a table without a header, a parameter known
//! only from an example — is a [`Warning`] with the page line.

mod errors;
mod field;
mod objects;
mod reconcile;
mod rules;
mod title;

use std::collections::BTreeMap;

use super::table::{Table, tables};
use super::yfm;
use crate::examples::{self, Examples};

/// The kind of a docs page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    /// Documents one method.
    Method,
    /// An index of a section.
    Index,
    /// An event.
    Event,
    /// A widget / placement.
    Widget,
    /// Anything else (guides, data types, …).
    Guide,
}

/// A parameter or field as the docs give it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Wire name.
    pub name: String,
    /// Spec type expression.
    pub ty: String,
    /// Marked required.
    pub required: bool,
    /// Literal default.
    pub default: Option<String>,
    /// Values listed in the description.
    pub values: Vec<String>,
    /// Named type of a nested object, if its sub-table was found.
    pub object: Option<String>,
    /// Dynamic-key row (`UF_CRM_*`).
    pub dynamic: bool,
    /// 1-based page line of its row (0: not from a table).
    pub line: usize,
    /// The description, as plain text (read for rules, never emitted).
    pub desc: String,
    /// Known only from the page's example calls.
    pub from_example: bool,
    /// The description says an empty value is allowed.
    pub allow_empty: bool,
    /// The type as the docs write it (`integer`, `sale_order.id`).
    pub doc_ty: String,
    /// Another page the description links to (`./fields.md`), relative to this one.
    pub page_link: Option<String>,
}

impl Field {
    /// A field no table lists, named by an example (a call, a response, a path row).
    pub(crate) fn inferred(name: &str, ty: &str, line: usize) -> Field {
        Field {
            name: name.to_string(),
            ty: ty.to_string(),
            required: false,
            default: None,
            values: Vec::new(),
            object: None,
            dynamic: false,
            line,
            desc: String::new(),
            from_example: true,
            allow_empty: false,
            doc_ty: String::new(),
            page_link: None,
        }
    }
}

/// A documented error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// The code.
    pub code: String,
    /// HTTP status.
    pub http: Option<u16>,
    /// The server's message.
    pub message: Option<String>,
}

/// Something the importer read past or filled in, at a page line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The class (`unreadable-row`, `param-from-example`, …).
    pub class: &'static str,
    /// 1-based page line (0: the page as a whole).
    pub line: usize,
    /// What, in a few words.
    pub detail: String,
}

impl Warning {
    pub(crate) fn new(class: &'static str, line: usize, detail: impl Into<String>) -> Warning {
        Warning {
            class,
            line,
            detail: detail.into(),
        }
    }
}

/// The facts of one method page.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodPage {
    /// Method name.
    pub name: String,
    /// `v2` or `v3`.
    pub api: &'static str,
    /// Scopes.
    pub scope: Vec<String>,
    /// Deprecated, with the replacement when named.
    pub deprecated: Option<Option<String>>,
    /// Parameters.
    pub params: Vec<Field>,
    /// Named types: name → fields.
    pub types: BTreeMap<String, Vec<Field>>,
    /// Type of `result`.
    pub result: String,
    /// Errors.
    pub errors: Vec<ErrorRow>,
    /// Parameters are passed by position (legacy `task.*` methods).
    pub positional: bool,
    /// Mutually exclusive parameter sets (names of each set's required parameters).
    pub alternatives: Vec<Vec<String>>,
    /// One-of groups: at least one parameter of each must be given.
    pub one_of: Vec<Vec<String>>,
    /// The page's examples.
    pub examples: Examples,
    /// Problems noticed.
    pub warnings: Vec<Warning>,
    /// Members of the result that its table types by a data-types object
    /// (`productRows: crm_item_product_row[]`), by member name.
    pub documented_members: Vec<(String, String)>,
}

/// The fields of a table in the current or the older layout (for the data-types pages).
pub(crate) fn fields_of_table(t: &Table, warnings: &mut Vec<Warning>) -> Vec<Field> {
    field::fields_of(t, false, warnings)
}

/// Classifies a page and, for a method page, extracts its facts.
pub fn read(path: &str, src: &str) -> (PageKind, Option<MethodPage>) {
    read_with(path, src, &|_| None)
}

/// [`read`], with the other pages of the docs at hand (`linked` gives a page's text by its
/// docs-relative path): an object described on another page (`[fields](./fields.md)`) is
/// typed from that page's table.
pub fn read_with(
    path: &str,
    src: &str,
    linked: &dyn Fn(&str) -> Option<String>,
) -> (PageKind, Option<MethodPage>) {
    let c = yfm::clean(src);
    let h1 = c.text.lines().find(|l| l.starts_with("# ")).unwrap_or("");
    let ex = examples::of_page(src);
    let named = title::method(path, h1, &ex.calls, &c.text);
    let file = path.rsplit('/').next().unwrap_or(path);
    let not_a_method = matches!(file, "index.md" | "migration.md" | "change-log.md");
    let kind = match &named {
        Some(_) if !not_a_method => PageKind::Method,
        _ if path.ends_with("index.md") => PageKind::Index,
        _ if path.contains("/events/") || h1.to_lowercase().contains("event") => PageKind::Event,
        _ if path.contains("widget") || path.contains("placement") => PageKind::Widget,
        _ => PageKind::Guide,
    };
    let (PageKind::Method, Some((name, source))) = (kind, named) else {
        return (kind, None);
    };
    let mut m = method(path, &name, &c, ex, linked);
    match source {
        title::Source::Title => {}
        title::Source::Family(t) => m.warnings.push(Warning::new(
            "title-names-a-family",
            1,
            format!("{t} -> {name}"),
        )),
        title::Source::TitleTypo(t) => m.warnings.push(Warning::new(
            "title-names-another-method",
            1,
            format!("the title says `{t}`, the examples and the file name `{name}`"),
        )),
        title::Source::Examples => m.warnings.push(Warning::new(
            "title-names-no-method",
            1,
            format!("named `{name}` by its examples and file name"),
        )),
    }
    (kind, Some(m))
}

/// An event page read like a method page whose result is the post its handler receives:
/// the section of the post's table ("What the Handler Receives", or "Parameters" on the
/// older pages) stands for the response and each example post (`posts`: page line and
/// body) for an example response.
pub(crate) fn event_post(
    path: &str,
    name: &str,
    src: &str,
    posts: Vec<(usize, serde_json::Value)>,
    linked: &dyn Fn(&str) -> Option<String>,
) -> MethodPage {
    let mut c = yfm::clean(src);
    let mut text = String::with_capacity(c.text.len());
    for l in c.text.lines() {
        let lower = l.to_lowercase();
        let post_section = l.starts_with("## ")
            && (lower.contains("handler receives") || lower.trim_end() == "## parameters");
        // Same line count: page lines stay right in warnings.
        text.push_str(if post_section { "## Response" } else { l });
        text.push('\n');
    }
    c.text = text;
    let ex = Examples {
        responses: posts
            .into_iter()
            .map(|(line, body)| examples::Response {
                line,
                body: serde_json::json!({ "result": body }),
            })
            .collect(),
        ..Examples::default()
    };
    let mut page = method(path, name, &c, ex, linked);
    // An event page has no call: nothing is a parameter.
    page.params.clear();
    page
}

/// Headings (line, level, text, anchor); lines 1-based.
fn headings(text: &str) -> Vec<(usize, usize, String, Option<String>)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let level = l.chars().take_while(|c| *c == '#').count();
            if level == 0 || level > 6 || !l[level..].starts_with(' ') {
                return None;
            }
            let rest = l[level..].trim();
            let (title, anchor) = match rest.rfind("{#") {
                Some(p) => (
                    rest[..p].trim().to_string(),
                    Some(rest[p + 2..].trim_end_matches('}').trim().to_string()),
                ),
                None => (rest.to_string(), None),
            };
            Some((i + 1, level, title, anchor))
        })
        .collect()
}

/// The part of a page a table stands in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Params,
    Response,
    Errors,
    Other,
}

fn section_of(title: &str) -> Section {
    let t = title.to_lowercase();
    if t.contains("error") {
        Section::Errors
    } else if t.contains("response") || t.contains("returned") || t.contains("result") {
        Section::Response
    } else if t.contains("parameter")
        || t.contains("request")
        || t.contains("fields") && !t.contains("return")
    {
        Section::Params
    } else {
        Section::Other
    }
}

/// Where a table stands: its section and its nearest heading.
#[derive(Debug, Clone)]
struct Place {
    sec: Section,
    anchor: Option<String>,
    title: String,
    /// Line of the nearest heading (tables under one heading are tabs of one object).
    heading: usize,
}

fn place_of(heads: &[(usize, usize, String, Option<String>)], line: usize) -> Place {
    let mut p = Place {
        sec: Section::Other,
        anchor: None,
        title: String::new(),
        heading: 0,
    };
    for (l, level, t, a) in heads {
        if *l > line {
            break;
        }
        if *level == 2 {
            p.sec = section_of(t);
        } else if *level == 3 && section_of(t) == Section::Errors {
            p.sec = Section::Errors;
        }
        p.anchor = a.clone();
        p.title = t.clone();
        p.heading = *l;
    }
    p
}

fn empty_page(name: &str, examples: Examples) -> MethodPage {
    MethodPage {
        name: name.to_string(),
        api: "v2",
        scope: Vec::new(),
        deprecated: None,
        params: Vec::new(),
        types: BTreeMap::new(),
        result: "any".into(),
        errors: Vec::new(),
        positional: false,
        alternatives: Vec::new(),
        one_of: Vec::new(),
        examples,
        warnings: Vec::new(),
        documented_members: Vec::new(),
    }
}

fn method(
    path: &str,
    name: &str,
    c: &yfm::Clean,
    ex: Examples,
    linked: &dyn Fn(&str) -> Option<String>,
) -> MethodPage {
    let mut page = empty_page(name, ex);
    facts(path, name, c, &mut page);
    let heads = headings(&c.text);
    let tabs = tables(&c.text);
    for t in &tabs {
        for (line, why) in &t.problems {
            page.warnings
                .push(Warning::new("irregular-table", *line, why.clone()));
        }
    }
    let sorted = sort_tables(&tabs, &heads, &mut page);
    let mut objs = objects::Objects::new(sorted.objects, path, linked);
    if let Some(t) = sorted.params {
        read_params(t, &sorted.alternatives, &mut objs, &mut page);
    }
    if rules::no_parameters(&c.text) && !page.params.is_empty() {
        page.warnings.push(Warning::new(
            "no-parameters",
            page.params[0].line,
            "the page says the method takes no parameters: the table is not read as parameters",
        ));
        page.params.clear();
        page.types.clear();
    }
    page.one_of = rules::one_of_groups(&mut page.params, &c.text);
    rules::conditionally_required(&mut page.params, &mut page.warnings);
    page.positional |= legacy_positional(&page);
    if let Some(t) = sorted.result {
        read_result(path, t, &mut objs, &mut page);
    }
    objs.nest(&mut page);
    read_errors(c, &mut page);
    reconcile::with_examples(&mut page);
    objects::finish(&mut page);
    reconcile::result_with_examples(&mut page);
    objects::drop_unused(&mut page);
    page
}

/// Scope, API version, deprecation and positional arguments.
fn facts(path: &str, name: &str, c: &yfm::Clean, page: &mut MethodPage) {
    let lower = c.text.to_lowercase();
    page.positional = [
        "according to the order in the table",
        "order of parameters in the request",
        "order of the parameters",
        "specified order of parameters",
        "parameter order is",
        "in the order shown",
        "strictly in the order",
    ]
    .iter()
    .any(|p| lower.contains(p));
    // The legacy `task.*` methods take their arguments by position (decided once the
    // tables are read: see `legacy_positional`).
    let _ = name;
    for l in c
        .text
        .lines()
        .filter(|l| l.trim_start().starts_with("> Scope"))
    {
        for (i, part) in l.split('`').enumerate() {
            if i % 2 == 1
                && !part.is_empty()
                && part
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
            {
                page.scope.push(part.to_string());
            }
        }
    }
    if page.scope.is_empty() {
        page.warnings
            .push(Warning::new("no-scope", 0, "the page names no scope"));
    }
    // REST 3.0 pages call /rest/api/.
    if page.examples.calls.iter().any(|c| c.v3) || path.contains("rest-v3") {
        page.api = "v3";
    }
    let dep_note = c.notes.iter().find(|n| {
        let l = n.to_lowercase();
        l.contains("deprecated")
            || l.contains("outdated")
            || l.contains("no longer")
            || l.contains("halted")
    });
    if path.contains("/outdated/") || path.contains("/deprecated/") || dep_note.is_some() {
        let replacement = dep_note.and_then(|n| {
            n.split('[')
                .skip(1)
                .filter_map(|p| p.split(']').next())
                .map(|t| t.trim_matches('`'))
                .find(|t| title::is_method_like(t) && *t != name)
                .map(str::to_string)
        });
        page.deprecated = Some(replacement);
    }
}

/// A legacy `task.*` method takes its arguments by position — unless every example calls
/// it with the table's own names (`task.stages.*`).
fn legacy_positional(page: &MethodPage) -> bool {
    if !page.name.starts_with("task.") || page.params.is_empty() {
        return false;
    }
    let calls = page.examples.calls_of(&page.name);
    let named = |c: &&examples::Call| {
        c.params.as_object().is_some_and(|o| {
            !o.is_empty()
                && o.keys()
                    .filter(|k| !matches!(k.as_str(), "start" | "auth"))
                    .all(|k| page.params.iter().any(|p| p.name.eq_ignore_ascii_case(k)))
        })
    };
    calls.is_empty() || !calls.iter().all(named)
}

/// A page's tables by role.
struct Sorted<'t> {
    params: Option<&'t Table>,
    alternatives: Vec<&'t Table>,
    result: Option<&'t Table>,
    objects: Vec<(Place, &'t Table)>,
}

fn sort_tables<'t>(
    tabs: &'t [Table],
    heads: &[(usize, usize, String, Option<String>)],
    page: &mut MethodPage,
) -> Sorted<'t> {
    let mut s = Sorted {
        params: None,
        alternatives: Vec::new(),
        result: None,
        objects: Vec::new(),
    };
    for t in tabs.iter().filter(|t| !t.nested) {
        let place = place_of(heads, t.line);
        let header = t.header().join(" ");
        if place.sec == Section::Errors {
            page.errors.extend(errors::table_rows(t));
            continue;
        }
        if !(header.contains("name") || header.contains("parameter") || header.contains("field")) {
            continue;
        }
        let numbered = place
            .title
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit());
        match place.sec {
            Section::Params if s.params.is_none() => {
                s.params = Some(t);
                if numbered {
                    s.alternatives.push(t);
                }
            }
            Section::Params if numbered && !s.alternatives.is_empty() && place.anchor.is_none() => {
                s.alternatives.push(t)
            }
            Section::Response if s.result.is_none() => s.result = Some(t),
            _ => s.objects.push((place, t)),
        }
    }
    // Pages without a parameters heading: the first field table before any response —
    // except on `*.fields` pages, whose tables describe the fields returned.
    let describes_fields = {
        let verb = page.name.rsplit('.').next().unwrap_or("").to_lowercase();
        verb == "fields" || verb == "getfields"
    };
    if s.params.is_none()
        && !describes_fields
        && let Some(i) = s
            .objects
            .iter()
            .position(|(p, _)| p.sec == Section::Other && p.anchor.is_none())
    {
        s.params = Some(s.objects.remove(i).1);
    }
    s
}

fn read_params(
    t: &Table,
    alt_tables: &[&Table],
    objs: &mut objects::Objects<'_>,
    page: &mut MethodPage,
) {
    let mut fields = field::fields_of(t, false, &mut page.warnings);
    // `auth` is the OAuth token every call may carry (the client sends it), not an argument
    // of the method, even where a table lists it first.
    if let Some(i) = fields.iter().position(|f| f.name == "auth") {
        let f = fields.remove(i);
        page.warnings.push(Warning::new(
            "auth-row",
            f.line,
            "`auth`: the access token of every OAuth call, not a parameter of the method",
        ));
    }
    let mut fields = objects::fold_paths(fields, &mut page.types);
    for f in &mut fields {
        objs.resolve_field(f, Section::Params, page);
    }
    page.params = fields;
    // Numbered parameter tables ("1. By id", "2. By element") are alternative sets.
    if alt_tables.len() < 2 {
        return;
    }
    let sets: Vec<Vec<Field>> = alt_tables
        .iter()
        .map(|t| field::fields_of(t, false, &mut page.warnings))
        .collect();
    for set in sets.iter().skip(1) {
        for f in set {
            if !page.params.iter().any(|p| p.name == f.name) {
                page.params.push(f.clone());
            }
        }
    }
    for set in &sets {
        let req: Vec<String> = set
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name.clone())
            .collect();
        page.alternatives.push(if req.is_empty() {
            set.iter().map(|f| f.name.clone()).collect()
        } else {
            req
        });
    }
    // Required only where every set requires it.
    for p in &mut page.params {
        p.required = sets
            .iter()
            .all(|set| set.iter().any(|f| f.name == p.name && f.required));
    }
    page.warnings.push(Warning::new(
        "alternative-parameter-sets",
        alt_tables[0].line,
        format!("{} sets", sets.len()),
    ));
}

fn read_result(path: &str, t: &Table, objs: &mut objects::Objects<'_>, page: &mut MethodPage) {
    let fields = field::fields_of(t, true, &mut page.warnings);
    let fields = objects::fold_paths(fields, &mut page.types);
    let result = fields.iter().find(|f| f.name == "result");
    for f in &fields {
        let object = f.doc_ty.trim_end_matches("[]").trim();
        if !object.is_empty()
            && object.contains('_')
            && object
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            page.documented_members
                .push((f.name.clone(), object.to_string()));
        }
    }
    let siblings: Vec<&Field> = fields
        .iter()
        .filter(|f| !matches!(f.name.as_str(), "result" | "time" | "total" | "next"))
        .collect();
    page.result = match result {
        Some(r) if r.ty.starts_with("map<any>") || r.ty == "ObjectRef" => objs
            .resolve("result", r.object.as_deref(), Section::Response, page)
            .unwrap_or_else(|| "map<any>".into()),
        Some(r) if r.ty == "ObjectRef[]" => {
            match objs.resolve("result", r.object.as_deref(), Section::Response, page) {
                Some(tn) => format!("{tn}[]"),
                None => "any[]".into(),
            }
        }
        Some(r) => r.ty.replace("ObjectRef", "map<any>"),
        None if !siblings.is_empty() => {
            // Fields listed next to `result` belong inside it.
            page.warnings.push(Warning::new(
                "result-siblings",
                t.line,
                path.rsplit('/').next().unwrap_or(path),
            ));
            let tn = "Result".to_string();
            page.types
                .insert(tn.clone(), siblings.into_iter().cloned().collect());
            tn
        }
        None => "any".into(),
    };
}

fn read_errors(c: &yfm::Clean, page: &mut MethodPage) {
    for e in errors::code_lines(&c.text) {
        errors::push(&mut page.errors, e.code, e.http, e.message);
    }
    let from_examples: Vec<String> = page
        .examples
        .responses
        .iter()
        .filter_map(|r| errors::example_code(&r.body))
        .collect();
    for code in from_examples {
        if !page.errors.iter().any(|e| e.code == code) {
            errors::push(&mut page.errors, code, None, None);
        }
    }
}

#[cfg(test)]
mod tests;
