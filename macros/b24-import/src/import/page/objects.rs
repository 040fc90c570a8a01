//! Object parameters and fields: the sub-tables that document them become named types.
//!
//! A sub-table is found by the anchor the description links to, or by a heading that
//! names the field. The tables under one heading are one object: tabs that document the
//! same object per entity type (`crm.item.add`: Lead, Deal, Contact, …) are merged, a
//! field required only where every tab requires it.

use std::collections::{BTreeMap, BTreeSet};

use super::super::table::Table;
use super::{Field, MethodPage, Place, Section, Warning, field};

/// The object tables of a page, grouped by heading, and the types made from them.
pub(super) struct Objects<'t> {
    groups: Vec<(Place, Vec<&'t Table>)>,
    /// Group index → the type made from it (a group becomes one type only).
    made: BTreeMap<usize, String>,
    names_used: BTreeMap<String, usize>,
    /// The page's docs-relative path, for its links.
    path: String,
    /// Other pages' text by docs-relative path.
    linked: &'t dyn Fn(&str) -> Option<String>,
    /// Linked page (with its anchor) → the type made from it.
    made_linked: BTreeMap<String, String>,
}

impl<'t> Objects<'t> {
    pub(super) fn new(
        tables: Vec<(Place, &'t Table)>,
        path: &str,
        linked: &'t dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let mut groups: Vec<(Place, Vec<&'t Table>)> = Vec::new();
        for (place, t) in tables {
            match groups
                .iter_mut()
                .find(|(p, _)| p.heading == place.heading && place.heading > 0)
            {
                Some((_, ts)) => ts.push(t),
                None => groups.push((place, vec![t])),
            }
        }
        Objects {
            groups,
            made: BTreeMap::new(),
            names_used: BTreeMap::new(),
            path: path.to_string(),
            linked,
            made_linked: BTreeMap::new(),
        }
    }

    fn fresh_name(&mut self, field_name: &str) -> String {
        let base = b24_spec::naming::pascal(field_name);
        let n = self.names_used.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}{n}") }
    }

    /// The named type for `field`, from the table of the page its description links to
    /// (`./fields.md`, `../x.md#anchor`): the table under the anchor, else the page's first
    /// field table.
    pub(super) fn resolve_linked(
        &mut self,
        field_name: &str,
        link: &str,
        response: bool,
        page: &mut MethodPage,
    ) -> Option<String> {
        let (file, anchor) = match link.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (link, None),
        };
        let target = join(&self.path, file)?;
        let key = format!("{target}#{}", anchor.unwrap_or(""));
        if let Some(t) = self.made_linked.get(&key) {
            return Some(t.clone());
        }
        let src = (self.linked)(&target)?;
        let c = super::yfm::clean(&src);
        let heads = super::headings(&c.text);
        let tabs = super::tables(&c.text);
        let table = tabs.iter().filter(|t| !t.nested).find(|t| {
            let h = t.header().join(" ");
            let field_table = h.contains("name") || h.contains("field") || h.contains("parameter");
            let under = match anchor {
                None => true,
                Some(a) => heads
                    .iter()
                    .rev()
                    .find(|(l, ..)| *l < t.line)
                    .is_some_and(|(_, _, _, an)| an.as_deref() == Some(a)),
            };
            field_table && under
        })?;
        let mut warnings = Vec::new();
        let fields = fold_paths(
            field::fields_of(table, response, &mut warnings),
            &mut page.types,
        );
        if fields.is_empty() {
            return None;
        }
        for w in warnings {
            page.warnings.push(Warning::new(
                w.class,
                0,
                format!("{target}:{}: {}", w.line, w.detail),
            ));
        }
        page.warnings.push(Warning::new(
            "object-from-linked-page",
            0,
            format!("`{field_name}` from {target}"),
        ));
        let tname = self.fresh_name(field_name);
        page.types.insert(tname.clone(), fields);
        self.made_linked.insert(key, tname.clone());
        Some(tname)
    }

    /// The named type for `field` (linked to `link`) in `sec`, made on first use.
    pub(super) fn resolve(
        &mut self,
        field_name: &str,
        link: Option<&str>,
        sec: Section,
        page: &mut MethodPage,
    ) -> Option<String> {
        let found = self.groups.iter().position(|(p, _)| {
            // Anchors in the docs do not always match their links exactly
            // (`#result-item` → `{#result-items}`): a prefix match counts too.
            let by_anchor = link.is_some_and(|l| {
                p.anchor.as_deref().is_some_and(|a| {
                    a == l || (l.len() > 3 && (a.starts_with(l) || l.starts_with(a)))
                })
            });
            let t = p.title.to_lowercase();
            let by_title = t.split_whitespace().any(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    == field_name.to_lowercase()
            });
            (by_anchor || by_title) && (p.sec == sec || p.sec == Section::Other || by_anchor)
        })?;
        if let Some(existing) = self.made.get(&found) {
            return Some(existing.clone());
        }
        let tname = self.fresh_name(field_name);
        let response = sec == Section::Response;
        let tables = self.groups[found].1.clone();
        let fields = merged(&tables, response, &mut page.warnings);
        let fields = fold_paths(fields, &mut page.types);
        page.types.insert(tname.clone(), fields);
        self.made.insert(found, tname.clone());
        Some(tname)
    }

    /// Resolves an object-typed parameter to its named type.
    pub(super) fn resolve_field(&mut self, f: &mut Field, sec: Section, page: &mut MethodPage) {
        if f.ty != "ObjectRef" && f.ty != "ObjectRef[]" {
            return;
        }
        let array = f.ty.ends_with("[]");
        let link = f.object.clone();
        let resolved = self
            .resolve(&f.name, link.as_deref(), sec, page)
            .or_else(|| {
                let l = f.page_link.clone()?;
                self.resolve_linked(&f.name, &l, sec == Section::Response, page)
            });
        let base = resolved.clone().unwrap_or_else(|| "map<any>".into());
        f.ty = if array {
            format!("{base}[]")
        } else if keyed_by_data(&f.desc) {
            // "Contains objects, each describing a parameter": the sub-table the row links
            // describes one value, the keys are data (the parameters' own codes). A table
            // found by the row's name alone may describe something else: any value.
            if link.is_some() && resolved.is_some() {
                format!("map<{base}>")
            } else {
                "map<any>".to_string()
            }
        } else {
            base
        };
        f.object = resolved;
    }

    /// Fields of the named types that point at further sub-tables.
    pub(super) fn nest(&mut self, page: &mut MethodPage) {
        let mut queue: Vec<String> = page.types.keys().cloned().collect();
        let mut budget = 64;
        while let Some(tn) = queue.pop() {
            let Some(fields) = page.types.get(&tn).cloned() else {
                continue;
            };
            for (i, f) in fields.iter().enumerate() {
                if !(f.ty == "ObjectRef" || f.ty == "ObjectRef[]") || budget == 0 {
                    continue;
                }
                budget -= 1;
                let array = f.ty.ends_with("[]");
                let before: BTreeSet<String> = page.types.keys().cloned().collect();
                let resolved = self
                    .resolve(&f.name, f.object.as_deref(), Section::Params, page)
                    .or_else(|| self.resolve(&f.name, f.object.as_deref(), Section::Response, page))
                    .or_else(|| {
                        let l = f.page_link.clone()?;
                        self.resolve_linked(&f.name, &l, true, page)
                    });
                // Only a table not yet made into a type nests: anything else could be a
                // cycle (a type holding itself), which stays a map.
                if let Some(new) = resolved.filter(|n| !before.contains(n)) {
                    if let Some(field) = page.types.get_mut(&tn).and_then(|v| v.get_mut(i)) {
                        field.ty = if array {
                            format!("{new}[]")
                        } else {
                            new.clone()
                        };
                    }
                    queue.push(new);
                }
            }
        }
    }
}

/// The description says the object holds one described object per key of its own:
/// "Contains objects, each describing a [parameter](#property)", "The key of the `fields`
/// object must match the field code from the template".
fn keyed_by_data(desc: &str) -> bool {
    let d = desc.to_lowercase();
    [
        "objects, each describing",
        "contains objects, each",
        "the key of the",
        "keys depend",
        "keys is not fixed",
    ]
    .iter()
    .any(|p| d.contains(p))
}

/// The fields of the tables of one object, merged.
fn merged(tables: &[&Table], response: bool, warnings: &mut Vec<Warning>) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut seen_in: BTreeMap<String, usize> = BTreeMap::new();
    for t in tables {
        for f in field::fields_of(t, response, warnings) {
            *seen_in.entry(f.name.clone()).or_default() += 1;
            match out.iter_mut().find(|o| o.name == f.name) {
                Some(o) => {
                    o.required &= f.required;
                    if o.ty != f.ty && o.ty != "any" {
                        // Tabs disagree on the type: accept both forms.
                        o.ty = "any".into();
                    }
                }
                None => out.push(f),
            }
        }
    }
    if tables.len() > 1 {
        // Required only where every tab requires it.
        for f in &mut out {
            if seen_in.get(&f.name).copied().unwrap_or(0) < tables.len() {
                f.required = false;
            }
        }
    }
    out
}

/// Parameters whose shape is fixed by the REST conventions, whatever their table says:
/// `filter` is a map of field names with operator prefixes, `order` a map of field names to
/// `ASC`/`DESC`, `select` a list of field names.
fn conventional(name: &str, ty: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let object_like = ty == "ObjectRef"
        || ty == "map<any>"
        || (ty.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !ty.ends_with("[]"));
    // Anything but a plain value: a `filter` or an `order` (its table may describe the
    // entity's fields instead).
    let structured = !matches!(
        ty,
        "string"
            | "text"
            | "char"
            | "int"
            | "float"
            | "bool"
            | "yn"
            | "bool01"
            | "date"
            | "datetime"
    );
    match lower.as_str() {
        "filter" if structured => Some("filter"),
        "order" if structured => Some("order"),
        "select" if ty == "any[]" => Some("string[]"),
        "select" if object_like => Some("any"),
        _ => None,
    }
}

/// Object references left anywhere become maps; conventional parameters get their shape;
/// types no field uses any more are dropped.
pub(super) fn finish(page: &mut MethodPage) {
    // A list method's own `filter`, `order`, `select`: the top-level parameters only (an
    // `order` inside `fields` is an order of a shop, not a sort order).
    for f in page.params.iter_mut() {
        if let Some(t) = conventional(&f.name, &f.ty) {
            f.ty = t.to_string();
        }
    }
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
}

/// Drops the types nothing refers to any more.
pub(super) fn drop_unused(page: &mut MethodPage) {
    // Drop types nothing refers to (e.g. the entity-field table a `filter` pointed at).
    loop {
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut mark = |ty: &str| {
            for part in ty.split(|c: char| !c.is_ascii_alphanumeric()) {
                used.insert(part.to_string());
            }
        };
        mark(&page.result);
        for f in page.params.iter() {
            mark(&f.ty);
        }
        for (name, fields) in &page.types {
            for f in fields {
                if f.ty
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .all(|p| p != name)
                {
                    mark(&f.ty);
                }
            }
        }
        let before = page.types.len();
        page.types.retain(|name, _| used.contains(name));
        if page.types.len() == before {
            break;
        }
    }
}

/// Rows named as member paths (`result.bot`, `LANG.TITLE`) become fields of a named type
/// for their parent row.
pub(super) fn fold_paths(
    fields: Vec<Field>,
    types: &mut BTreeMap<String, Vec<Field>>,
) -> Vec<Field> {
    let is_path = |f: &Field| !f.dynamic && f.name.contains('.');
    if !fields.iter().any(is_path) {
        return fields;
    }
    let mut top: Vec<Field> = Vec::new();
    // Path of a parent → the type made for it.
    let mut made: BTreeMap<String, String> = BTreeMap::new();
    // Deepest paths last, so parents exist before their members arrive.
    let mut sorted = fields;
    sorted.sort_by_key(|f| f.name.matches('.').count());
    for mut f in sorted {
        let split = if is_path(&f) {
            f.name
                .rsplit_once('.')
                .map(|(p, m)| (p.to_string(), m.to_string()))
        } else {
            None
        };
        let Some((parent, member)) = split else {
            top.push(f);
            continue;
        };
        if member.is_empty() || parent.is_empty() {
            continue;
        }
        f.name = member;
        let tname = match made.get(&parent) {
            Some(t) => t.clone(),
            None => {
                let base = b24_spec::naming::pascal(parent.rsplit('.').next().unwrap_or(&parent));
                let mut tname = base.clone();
                let mut i = 2;
                while types.contains_key(&tname) {
                    tname = format!("{base}{i}");
                    i += 1;
                }
                types.insert(tname.clone(), Vec::new());
                made.insert(parent.clone(), tname.clone());
                // Point the parent row (or a new one) at the type.
                let array_of = |ty: &str| ty.ends_with("[]");
                if let Some(p) = find_path(&mut top, types, &parent) {
                    p.ty = if array_of(&p.ty) {
                        format!("{tname}[]")
                    } else {
                        tname.clone()
                    };
                } else if !parent.contains('.') {
                    top.push(Field {
                        name: parent.clone(),
                        ty: tname.clone(),
                        required: false,
                        default: None,
                        values: Vec::new(),
                        object: None,
                        dynamic: false,
                        line: f.line,
                        desc: String::new(),
                        from_example: false,
                        allow_empty: false,
                        doc_ty: String::new(),
                        page_link: None,
                    });
                }
                tname
            }
        };
        if let Some(members) = types.get_mut(&tname)
            && !members.iter().any(|m| m.name == f.name)
        {
            members.push(f);
        }
    }
    top
}

/// The field at `path` (`result`, `result.bot`) among `top` and the types made so far.
fn find_path<'a>(
    top: &'a mut [Field],
    types: &'a mut BTreeMap<String, Vec<Field>>,
    path: &str,
) -> Option<&'a mut Field> {
    let segs: Vec<&str> = path.split('.').collect();
    let (last, parents) = segs.split_last()?;
    if parents.is_empty() {
        return top.iter_mut().find(|f| f.name == *last);
    }
    // Walk the parents without holding a borrow, then take the one field mutably.
    let mut ty = top.iter().find(|f| f.name == parents[0])?.ty.clone();
    for seg in &parents[1..] {
        let t = ty.trim_end_matches("[]").to_string();
        ty = types.get(&t)?.iter().find(|f| f.name == *seg)?.ty.clone();
    }
    let t = ty.trim_end_matches("[]").to_string();
    types.get_mut(&t)?.iter_mut().find(|f| f.name == *last)
}

/// `rel` resolved against the directory of the page at `from` (both docs-relative);
/// `None` when it leaves the docs.
fn join(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}
