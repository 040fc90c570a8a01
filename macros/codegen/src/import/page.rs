//! One docs page → the facts of one method.

use std::collections::BTreeMap;

use super::table::{Table, plain, tables};
use super::yfm;

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
    /// Parameter names used in the cURL examples.
    pub example_params: Vec<String>,
    /// Parameters are passed by position (legacy `task.*` methods).
    pub positional: bool,
    /// Mutually exclusive parameter sets (names of each set's required parameters).
    pub alternatives: Vec<Vec<String>>,
    /// Problems noticed, by class.
    pub warnings: Vec<(&'static str, String)>,
}

/// Classifies a page and, for a method page, extracts its facts.
pub fn read(path: &str, src: &str) -> (PageKind, Option<MethodPage>) {
    let c = yfm::clean(src);
    let h1 = c.text.lines().find(|l| l.starts_with("# ")).unwrap_or("");
    // A title may not name the method at all (`How to Execute a Batch Request`): a page
    // whose file is named after the one-word method its examples call documents it.
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md");
    let name = method_name(h1).or_else(|| {
        let one_word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase());
        c.code
            .iter()
            .flat_map(|code| code.split_whitespace())
            .filter_map(|w| {
                w.trim_matches(|ch: char| ch == '\'' || ch == '"')
                    .rsplit_once("/rest/")
            })
            .map(|(_, rest)| {
                rest.rsplit('/')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(".json")
            })
            .find(|m| *m == stem && one_word(m))
            .map(str::to_string)
    });
    let file = path.rsplit('/').next().unwrap_or(path);
    let not_a_method = matches!(
        file,
        "index.md" | "events.md" | "migration.md" | "change-log.md"
    );
    let kind = match &name {
        Some(_) if !not_a_method => PageKind::Method,
        _ if path.ends_with("index.md") => PageKind::Index,
        _ if path.contains("/events/") || h1.to_lowercase().contains("event") => PageKind::Event,
        _ if path.contains("widget") || path.contains("placement") => PageKind::Widget,
        _ => PageKind::Guide,
    };
    if kind != PageKind::Method {
        return (kind, None);
    }
    let Some(mut name) = name else {
        return (kind, None);
    };
    // A title may name a family (`… of the im.recent List`): the examples' URLs and the
    // opening sentence name the method itself.
    let from_urls = example_methods(&c.code);
    let from_text = c
        .text
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|t| t.starts_with(&format!("{name}.")) && method_name(t).as_deref() == Some(*t))
        .map(str::to_string);
    let mut renamed = None;
    if let Some(better) = from_urls
        .iter()
        .find(|u| u.starts_with(&format!("{name}.")))
        .cloned()
        .or(from_text)
    {
        renamed = Some(format!("{name} -> {better}"));
        name = better;
    }
    let mut m = method(path, &name, &c);
    if let Some(r) = renamed {
        m.warnings.push(("title-names-a-family", r));
    }
    (kind, Some(m))
}

fn method_name(h1: &str) -> Option<String> {
    h1.split_whitespace()
        .rev()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_'))
        .find(|w| {
            w.contains('.')
                && w.split('.').all(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
                && w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        })
        .map(str::to_string)
}

/// Method names at the end of the REST URLs of the code examples.
fn example_methods(code: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for c in code {
        for word in c.split_whitespace() {
            let w = word.trim_matches(|ch: char| ch == '\'' || ch == '"' || ch == ',' || ch == ';');
            if let Some(i) = w.find("/rest/") {
                let last = w[i..].rsplit('/').next().unwrap_or("");
                let last = last.trim_end_matches(".json");
                if method_name(last).as_deref() == Some(last) && !out.iter().any(|o| o == last) {
                    out.push(last.to_string());
                }
            }
        }
    }
    out
}

/// Headings (level, text, anchor) by line.
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
            Some((i, level, title, anchor))
        })
        .collect()
}

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

fn method(path: &str, name: &str, c: &yfm::Clean) -> MethodPage {
    let mut page = MethodPage {
        name: name.to_string(),
        api: "v2",
        scope: Vec::new(),
        deprecated: None,
        params: Vec::new(),
        types: BTreeMap::new(),
        result: "any".into(),
        errors: Vec::new(),
        example_params: Vec::new(),
        positional: false,
        alternatives: Vec::new(),
        warnings: Vec::new(),
    };
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
    .any(|p| lower.contains(p))
        // The legacy `task.*` methods all take their arguments by position.
        || name.starts_with("task.");
    // Scope line.
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
        page.warnings.push(("no-scope", path.to_string()));
    }
    // REST 3.0 pages call /rest/api/.
    if c.code.iter().any(|code| code.contains("/rest/api/")) || path.contains("rest-v3") {
        page.api = "v3";
    }
    // Deprecation.
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
                .find(|t| method_name(t).as_deref() == Some(*t) && *t != name)
                .map(str::to_string)
        });
        page.deprecated = Some(replacement);
    }
    // cURL example parameter names.
    for code in &c.code {
        if let Some(start) = code.find("-d '") {
            let body = &code[start + 4..];
            if let Some(end) = body.find('\'')
                && let Ok(serde_json_like) = top_keys(&body[..end])
            {
                for k in serde_json_like {
                    if k != "auth" && !page.example_params.contains(&k) {
                        page.example_params.push(k);
                    }
                }
            }
        }
    }

    // Tables by section; object tables by anchor and by title.
    let heads = headings(&c.text);
    let tabs = tables(&c.text);
    let section_at = |line: usize| -> (Section, Option<String>, String) {
        let mut sec = Section::Other;
        let mut anchor = None;
        let mut title = String::new();
        for (l, level, t, a) in &heads {
            if *l > line {
                break;
            }
            if *level == 2 {
                sec = section_of(t);
                anchor = a.clone();
                title = t.clone();
            } else {
                anchor = a.clone();
                title = t.clone();
                if *level == 3 && section_of(t) == Section::Errors {
                    sec = Section::Errors;
                }
            }
        }
        (sec, anchor, title)
    };
    let mut objects: Vec<(Section, Option<String>, String, &Table)> = Vec::new();
    let mut main_params: Option<&Table> = None;
    let mut alt_tables: Vec<&Table> = Vec::new();
    let mut main_result: Option<&Table> = None;
    for t in &tabs {
        let (sec, anchor, title) = section_at(t.line);
        let header = t.header().join(" ");
        if sec == Section::Errors || header.contains("code") && !header.contains("name") {
            page.errors.extend(error_rows(t));
            continue;
        }
        if !(header.contains("name") || header.contains("parameter") || header.contains("field")) {
            continue;
        }
        let numbered = title.trim_start().starts_with(|c: char| c.is_ascii_digit());
        match sec {
            Section::Params if main_params.is_none() => {
                main_params = Some(t);
                if numbered {
                    alt_tables.push(t);
                }
            }
            Section::Params if numbered && !alt_tables.is_empty() && anchor.is_none() => {
                alt_tables.push(t)
            }
            Section::Response if main_result.is_none() => main_result = Some(t),
            _ => objects.push((sec, anchor, title, t)),
        }
    }

    // Pages without a parameters heading: the first field table before any response.
    if main_params.is_none()
        && let Some(i) = objects
            .iter()
            .position(|(sec, anchor, _, _)| *sec == Section::Other && anchor.is_none())
    {
        main_params = Some(objects.remove(i).3);
    }
    let mut names_used: BTreeMap<String, usize> = BTreeMap::new();
    // Table (by line) → the named type made from it: a table becomes one type only.
    let made: std::cell::RefCell<BTreeMap<usize, String>> = Default::default();
    let mut resolve =
        |field: &str, link: Option<&str>, sec: Section, page: &mut MethodPage| -> Option<String> {
            let found = objects.iter().find(|(s, a, title, _)| {
                // Anchors in the docs do not always match their links exactly
                // (`#result-item` → `{#result-items}`): a prefix match counts too.
                let by_anchor = link.is_some_and(|l| {
                    a.as_deref().is_some_and(|a| {
                        a == l || (l.len() > 3 && (a.starts_with(l) || l.starts_with(a)))
                    })
                });
                let t = title.to_lowercase();
                let by_title = t.split_whitespace().any(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        == field.to_lowercase()
                });
                (by_anchor || by_title) && (*s == sec || *s == Section::Other || by_anchor)
            })?;
            if let Some(existing) = made.borrow().get(&found.3.line) {
                return Some(existing.clone());
            }
            let base = crate::naming::pascal(field);
            let n = names_used.entry(base.clone()).or_insert(0);
            *n += 1;
            let tname = if *n == 1 { base } else { format!("{base}{n}") };
            let fields = fields_of(found.3, sec == Section::Response, &mut page.warnings);
            page.types.insert(tname.clone(), fields);
            made.borrow_mut().insert(found.3.line, tname.clone());
            Some(tname)
        };

    if let Some(t) = main_params {
        let mut fields = fields_of(t, false, &mut page.warnings);
        for f in &mut fields {
            if f.ty == "ObjectRef" || f.ty == "ObjectRef[]" {
                let array = f.ty.ends_with("[]");
                let link = f.object.clone();
                let resolved = resolve(&f.name, link.as_deref(), Section::Params, &mut page);
                let base = resolved.clone().unwrap_or_else(|| "map<any>".into());
                f.ty = if array { format!("{base}[]") } else { base };
                f.object = resolved;
            }
        }
        page.params = fields;
        // Numbered parameter tables ("1. By id", "2. By element") are alternative sets.
        if alt_tables.len() >= 2 {
            let sets: Vec<Vec<Field>> = alt_tables
                .iter()
                .map(|t| fields_of(t, false, &mut page.warnings))
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
            page.warnings
                .push(("alternative-parameter-sets", path.to_string()));
        }
    }
    if let Some(t) = main_result {
        let fields = fields_of(t, true, &mut page.warnings);
        let result = fields.iter().find(|f| f.name == "result");
        let siblings: Vec<&Field> = fields
            .iter()
            .filter(|f| !matches!(f.name.as_str(), "result" | "time" | "total" | "next"))
            .collect();
        page.result = match result {
            Some(r) if r.ty.starts_with("map<any>") || r.ty == "ObjectRef" => {
                match resolve("result", r.object.as_deref(), Section::Response, &mut page) {
                    Some(tn) => tn,
                    None => "map<any>".into(),
                }
            }
            Some(r) if r.ty == "ObjectRef[]" => {
                match resolve("result", r.object.as_deref(), Section::Response, &mut page) {
                    Some(tn) => format!("{tn}[]"),
                    None => "any[]".into(),
                }
            }
            Some(r) => r.ty.replace("ObjectRef", "map<any>"),
            None if !siblings.is_empty() => {
                // Fields listed next to `result` belong inside it.
                page.warnings.push(("result-siblings", path.to_string()));
                let tn = "Result".to_string();
                page.types
                    .insert(tn.clone(), siblings.into_iter().cloned().collect());
                tn
            }
            None => "any".into(),
        };
    }
    // Nested objects: fields of the named types that point at further sub-tables.
    let mut queue: Vec<(String, Section)> = page
        .types
        .keys()
        .map(|k| (k.clone(), Section::Params))
        .collect();
    let mut budget = 64;
    while let Some((tn, sec)) = queue.pop() {
        let Some(fields) = page.types.get(&tn).cloned() else {
            continue;
        };
        for (i, f) in fields.iter().enumerate() {
            if (f.ty == "ObjectRef" || f.ty == "ObjectRef[]") && budget > 0 {
                budget -= 1;
                let array = f.ty.ends_with("[]");
                let before: std::collections::BTreeSet<String> =
                    page.types.keys().cloned().collect();
                let resolved =
                    resolve(&f.name, f.object.as_deref(), sec, &mut page).or_else(|| {
                        resolve(&f.name, f.object.as_deref(), Section::Response, &mut page)
                    });
                // Only a table not yet made into a type nests: anything else could be a cycle
                // (a type holding itself), which stays a map.
                if let Some(new) = resolved.filter(|n| !before.contains(n)) {
                    if let Some(field) = page.types.get_mut(&tn).and_then(|v| v.get_mut(i)) {
                        field.ty = if array {
                            format!("{new}[]")
                        } else {
                            new.clone()
                        };
                    }
                    queue.push((new, sec));
                }
            }
        }
    }
    // Object references left anywhere become maps.
    for f in page
        .params
        .iter_mut()
        .chain(page.types.values_mut().flatten())
    {
        if f.ty.contains("ObjectRef") {
            f.ty = f.ty.replace("ObjectRef", "map<any>");
        }
    }
    if page.result.contains("ObjectRef") {
        page.result = page.result.replace("ObjectRef", "map<any>");
    }
    page
}

/// Top-level keys of a JSON object text.
fn top_keys(s: &str) -> Result<Vec<String>, ()> {
    let mut keys = Vec::new();
    let mut depth = 0i32;
    let mut chars = s.chars().peekable();
    let mut expect_key = false;
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => {
                depth += 1;
                expect_key = c == '{' && depth == 1;
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 1 => expect_key = true,
            '"' => {
                let mut k = String::new();
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                        continue;
                    }
                    if d == '"' {
                        break;
                    }
                    k.push(d);
                }
                if depth == 1 && expect_key {
                    keys.push(k);
                    expect_key = false;
                }
            }
            _ => {}
        }
    }
    if keys.is_empty() { Err(()) } else { Ok(keys) }
}

/// The fields of a parameter/field table (both layouts).
fn fields_of(t: &Table, response: bool, warnings: &mut Vec<(&'static str, String)>) -> Vec<Field> {
    let header = t.header();
    let old_layout = header.first().is_some_and(|h| h == "parameter") && header.len() >= 3;
    let desc_col = header
        .iter()
        .position(|h| h.contains("description"))
        .unwrap_or(1);
    let mut out: Vec<Field> = Vec::new();
    for row in t.rows.iter().skip(1) {
        let Some(first) = row.first() else { continue };
        let desc = row.get(desc_col).map(String::as_str).unwrap_or("");
        let Some(mut f) = field(first, desc, old_layout, response) else {
            warnings.push(("unreadable-row", plain(first)));
            continue;
        };
        let ident = crate::naming::field_ident(&f.name);
        if out
            .iter()
            .any(|o| crate::naming::field_ident(&o.name) == ident)
        {
            warnings.push(("duplicate-field", f.name.clone()));
            continue;
        }
        if old_layout {
            // The older layout gives no types; an example column shows the form.
            f.ty = "any".into();
        }
        out.push(f);
    }
    out
}

/// One row's first cell (`**NAME***` + type line) and description.
fn field(first: &str, desc: &str, old_layout: bool, response: bool) -> Option<Field> {
    let first = first.trim();
    let bold_end = first.strip_prefix("**")?.find("**")? + 2;
    let raw_name = &first[2..bold_end];
    let after = &first[bold_end + 2..];
    let marked = after.starts_with('*') || after.starts_with("^*^");
    let after = after.trim_start_matches("^*^").trim_start_matches('*');
    let mut required = raw_name.ends_with('*') || marked || raw_name.contains("^*^");
    let name = raw_name
        .trim_end_matches('*')
        .replace("^*^", "")
        .trim()
        .to_string();
    if name.is_empty() {
        return None;
    }
    let dynamic = name.contains("...")
        || name.contains('*')
        || name.contains("_xxx")
        || name.contains("_XXX")
        || name.contains('[');
    if dynamic {
        return Some(Field {
            name,
            ty: "any".into(),
            required: false,
            default: None,
            values: Vec::new(),
            object: None,
            dynamic: true,
        });
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    if old_layout {
        required |= first.contains("^*^");
    }
    let doc_ty = type_text(after);
    let values = listed_values(desc);
    let link = desc.find("](#").map(|p| {
        let rest = &desc[p + 3..];
        rest[..rest.find(')').unwrap_or(rest.len())].to_string()
    });
    let mut values = values;
    let mut ty = map_type(&doc_ty, &values);
    // Format placeholders (`chatXXX`, `sgXXX`) are not values: a dialog id.
    if values
        .iter()
        .any(|v| v.contains("XXX") || v.contains("xxx"))
    {
        if name.eq_ignore_ascii_case("DIALOG_ID") || values.iter().any(|v| v.starts_with("chat")) {
            ty = "DialogId".into();
        }
        values.clear();
    }
    if response
        && ty.starts_with("yn")
        && values.is_empty()
        && doc_ty.to_lowercase().starts_with("bool")
    {
        // Responses mostly carry JSON booleans; decoding accepts Y/N as well.
        ty = ty.replacen("yn", "bool", 1);
    }
    let object = if ty.contains("ObjectRef") { link } else { None };
    Some(Field {
        name,
        ty,
        required,
        default: default_of(desc),
        values,
        object,
        dynamic: false,
    })
}

/// The docs type from the type line: `[`integer`](…)`, `` `string[]` ``, `array of objects`.
fn type_text(after: &str) -> String {
    let line = after.trim().lines().next().unwrap_or("").trim();
    let mut parts = line.split('`');
    let _ = parts.next();
    let first = parts.next().unwrap_or("").trim().to_string();
    let lower = line.to_lowercase();
    if first == "array" && (lower.contains("of") || lower.contains('[')) {
        let inner: Vec<&str> = line.split('`').skip(3).step_by(2).collect();
        if let Some(i) = inner.first() {
            return format!("{}[]", i.trim());
        }
    }
    first
}

/// Maps a docs type to a spec type expression (`ObjectRef` marks an object to resolve).
fn map_type(doc: &str, values: &[String]) -> String {
    let doc = doc.trim();
    let (base, array) = match doc.strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (doc, false),
    };
    let base = base.split('|').next().unwrap_or("").trim().to_lowercase();
    let yn = !values.is_empty() && values.iter().all(|v| v == "Y" || v == "N");
    let tf = !values.is_empty() && values.iter().all(|v| v == "true" || v == "false");
    let zo = !values.is_empty() && values.iter().all(|v| v == "0" || v == "1");
    let t = match base.as_str() {
        "integer" | "int" | "number" => "int",
        "double" | "float" | "decimal" => "float",
        "string" | "text" | "char" if yn => "yn",
        "string" | "enum" | "char" if zo => "string",
        "string" | "enum" => "string",
        "text" => "text",
        "char" => "char",
        "boolean" | "bool" if tf => "bool",
        "boolean" | "bool" if zo => "bool01",
        "boolean" | "bool" => "yn",
        "date" => "date",
        "datetime" => "datetime",
        "timestamp" => "timestamp",
        "file" => "file",
        "object" => "ObjectRef",
        "array" => "any[]",
        "user" => "user",
        "crm_status" | "crm_currency" | "crm_entity" => base.as_str(),
        "crm_company" | "crm_contact" | "crm_deal" | "crm_lead" | "crm_category" | "location" => {
            base.as_str()
        }
        _ => "any",
    };
    let t = t.to_string();
    if array && t != "any[]" {
        format!("{t}[]")
    } else {
        t
    }
}

/// Values listed as `` - `X` — … `` in a description.
fn listed_values(desc: &str) -> Vec<String> {
    let mut out = Vec::new();
    for l in desc.lines() {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix("- `").or_else(|| t.strip_prefix("* `"))
            && let Some(end) = rest.find('`')
        {
            let v = rest[..end].trim_matches('\'').trim_matches('"').to_string();
            if !v.is_empty() && v.len() <= 40 && !v.contains(' ') && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// `Default: `Y`` and similar.
fn default_of(desc: &str) -> Option<String> {
    let lower = desc.to_lowercase();
    let p = lower.find("default")?;
    let rest = &desc[p..];
    let start = rest.find('`')?;
    if start > 40 {
        return None;
    }
    let v = &rest[start + 1..];
    let end = v.find('`')?;
    let v = v[..end].trim_matches('\'').trim_matches('"').trim();
    (!v.is_empty() && v.len() <= 40).then(|| v.to_string())
}

/// Error codes of an error table (any of the layouts).
fn error_rows(t: &Table) -> Vec<ErrorRow> {
    let header = t.header();
    let code_col = header
        .iter()
        .position(|h| h.starts_with("code") || h == "error code" || h.contains("code"));
    let Some(code_col) = code_col else {
        return Vec::new();
    };
    let status_col = header
        .iter()
        .position(|h| h.contains("status") || h == "http");
    let desc_col = header
        .iter()
        .position(|h| h.starts_with("description") || h.contains("message"));
    let has_value_col = header
        .iter()
        .any(|h| h.starts_with("value") || h.contains("explanation"));
    let mut out = Vec::new();
    for row in t.rows.iter().skip(1) {
        let Some(cell) = row.get(code_col) else {
            continue;
        };
        let mut lines = cell.lines();
        let first = lines.next().unwrap_or("");
        let code_text = plain(first);
        let lower = code_text.to_lowercase();
        let code = if lower == "empty value"
            || lower == "empty"
            || lower == "empty string"
            || lower == "\"\""
        {
            String::new()
        } else {
            code_text.clone()
        };
        if code.contains(' ') {
            continue;
        }
        let http = status_col
            .and_then(|c| row.get(c))
            .and_then(|s| {
                plain(s)
                    .chars()
                    .filter(|c| c.is_ascii_digit())
                    .collect::<String>()
                    .parse()
                    .ok()
            })
            .filter(|s| (100..600).contains(s));
        // The message: a second line in the code cell, or the description column when a
        // separate column explains it.
        let message = lines
            .next()
            .map(plain)
            .filter(|m| !m.is_empty())
            .or_else(|| {
                has_value_col
                    .then(|| desc_col.and_then(|c| row.get(c)).map(|s| plain(s)))
                    .flatten()
            })
            .filter(|m| m.len() <= 200);
        if !out
            .iter()
            .any(|e: &ErrorRow| e.code == code && e.message == message)
        {
            out.push(ErrorRow {
                code,
                http,
                message,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
