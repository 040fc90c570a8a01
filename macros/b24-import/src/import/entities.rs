//! One type per entity: the record the methods of one entity return (`crm.deal.get`,
//! `crm.deal.list`, …) gets the entity's name and the union of the fields their pages
//! document, so the generated crate shares one `Deal` among them (see
//! `regen::shared_types`) and users convert nothing between calls.

use std::collections::{BTreeMap, BTreeSet};

use super::Report;
use super::page::{Field, MethodPage};

/// Names and unifies the entity records of `pages`. `decodes` says whether a page's
/// spec decodes its own example responses: a group whose union would make one of them
/// fail keeps its own records (the examples are the oracle).
pub(super) fn unify(
    pages: &mut [(String, MethodPage)],
    report: &mut Report,
    decodes: &dyn Fn(&str, &MethodPage) -> bool,
) {
    let groups = entity_groups(pages, report);
    for ((key, _), members) in groups {
        if members.len() < 2 {
            continue;
        }
        let entity = entity_name(&pages[members[0]].1.name).unwrap_or_default();
        // The record and the types it reaches, per member; a member whose other types
        // (parameters' ones) share a name with them would mix unrelated types: skip.
        let closures: Vec<BTreeSet<String>> = members
            .iter()
            .map(|&i| reach(&pages[i].1, [entity.clone()]))
            .collect();
        let names: BTreeSet<String> = closures.iter().flatten().cloned().collect();
        let clash = members.iter().zip(&closures).any(|(&i, own)| {
            let page = &pages[i].1;
            names
                .iter()
                .any(|n| page.types.contains_key(n) && !own.contains(n))
        });
        if clash {
            continue;
        }
        let before: Vec<(String, MethodPage)> = members.iter().map(|&i| pages[i].clone()).collect();
        let unified = try_unify(pages, &members, &before, &names, decodes);
        if !unified {
            // The pages hold the last attempt: name the first member it fails.
            let rel = members
                .iter()
                .zip(&before)
                .find(|(i, (rel, old))| decodes(rel, old) && !decodes(rel, &pages[**i].1))
                .map_or(before[0].0.clone(), |(_, (rel, _))| rel.clone());
            report.warn(
                "entity-not-unified",
                &rel,
                1,
                &format!(
                    "`{entity}` of `{key}.*` stays per method: the union fails this page's example"
                ),
            );
            for (&i, old) in members.iter().zip(before) {
                pages[i] = old;
            }
            continue;
        }
        let methods: Vec<String> = members.iter().map(|&i| pages[i].1.name.clone()).collect();
        for &i in &members {
            let rel = &pages[i].0;
            report.warn(
                "entity-unified",
                rel,
                1,
                &format!(
                    "`{entity}` of `{key}.*`: the fields of {}",
                    methods.join(", ")
                ),
            );
        }
    }
}

/// Names the entity record of every reading page, and groups the pages by entity (method
/// name without its verb, and API).
fn entity_groups(
    pages: &mut [(String, MethodPage)],
    report: &mut Report,
) -> BTreeMap<(String, &'static str), Vec<usize>> {
    let mut groups: BTreeMap<(String, &'static str), Vec<usize>> = BTreeMap::new();
    for (i, (rel, page)) in pages.iter_mut().enumerate() {
        // Only reading methods return the entity's record; a write returns a status.
        let verb = page
            .name
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(
            verb.as_str(),
            "get" | "list" | "getlist" | "search" | "find"
        ) {
            continue;
        }
        let Some(entity) = entity_name(&page.name) else {
            continue;
        };
        let Some(record) = record_type(page) else {
            continue;
        };
        if (generic(&record) || plural(&record, &entity)) && !page.types.contains_key(&entity) {
            rename(page, &record, &entity);
            report.warn(
                "entity-record",
                rel,
                1,
                &format!("`{record}` is the `{entity}` record"),
            );
        }
        if record_type(page).as_deref() == Some(entity.as_str()) {
            let key = page
                .name
                .rsplit_once('.')
                .map_or(page.name.clone(), |(e, _)| e.to_string());
            groups.entry((key, page.api)).or_default().push(i);
        }
    }
    groups
}

/// Gives every member the union of the group's types (`names`), widening a number against
/// a string to the number first, then to the string; `true` when every member still
/// decodes the examples it decoded `before`. The pages keep the last attempt.
fn try_unify(
    pages: &mut [(String, MethodPage)],
    members: &[usize],
    before: &[(String, MethodPage)],
    names: &BTreeSet<String>,
    decodes: &dyn Fn(&str, &MethodPage) -> bool,
) -> bool {
    // A number in one table and a string in another (a numeric string in an example)
    // is tried as the number first: the number decoder takes numeric strings, and
    // the table's type is the fact. The string is the fallback when an example
    // holds a value no number decoder takes.
    [Widen::ToNumber, Widen::ToString].into_iter().any(|how| {
        let mut merged: BTreeMap<String, Vec<Field>> = BTreeMap::new();
        for (_, page) in before {
            for (name, fields) in &page.types {
                if names.contains(name) {
                    merge(merged.entry(name.clone()).or_default(), fields, how);
                }
            }
        }
        for (&i, old) in members.iter().zip(before) {
            let page = &mut pages[i].1;
            *page = old.1.clone();
            page.types.extend(merged.clone());
            // A type a conflict turned into `any` may now be unreached.
            let roots = page
                .params
                .iter()
                .map(|f| f.ty.clone())
                .chain([page.result.clone()]);
            let used = reach(page, roots);
            page.types
                .retain(|n, _| !names.contains(n) || used.contains(n));
        }
        !members
            .iter()
            .zip(before)
            .any(|(i, (rel, old))| decodes(rel, old) && !decodes(rel, &pages[*i].1))
    })
}

/// How [`widen`] joins a number and a string.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Widen {
    /// To the number: what the tables say, and its decoder takes numeric strings.
    ToNumber,
    /// To the string: its decoder takes numbers too.
    ToString,
}

/// Adds `fields` to `union`: a field's first type wins over `any`, two different types
/// widen (see [`widen`]), and a field whose Rust name another one already takes (`id` next to
/// `ID`) stays reachable as an extra key.
fn merge(union: &mut Vec<Field>, fields: &[Field], how: Widen) {
    for f in fields {
        let ident = b24_spec::naming::field_ident(&f.name);
        let collides = union
            .iter()
            .any(|u| u.name != f.name && b24_spec::naming::field_ident(&u.name) == ident);
        match union.iter_mut().find(|u| u.name == f.name) {
            Some(u) if u.ty == f.ty => {}
            Some(u) if u.ty == "any" => u.ty = f.ty.clone(),
            Some(_) if f.ty == "any" => {}
            Some(u) => u.ty = widen(&u.ty, &f.ty, how),
            None if collides => {}
            None => {
                let mut f = f.clone();
                f.required = false;
                union.push(f);
            }
        }
    }
}

/// The type both `a` and `b` decode into: `float` for `int` and `float`, the number or the
/// string (as `how` says) for a number and a string, else `any`.
fn widen(a: &str, b: &str, how: Widen) -> String {
    let base = |t: &str| t.trim_end_matches('?').to_string();
    let (x, y) = (base(a), base(b));
    let opt = if a.ends_with('?') || b.ends_with('?') {
        "?"
    } else {
        ""
    };
    let pair = |p: &str, q: &str| (x == p && y == q) || (x == q && y == p);
    let to = if pair("int", "float") {
        "float"
    } else if pair("int", "string") || pair("float", "string") {
        match how {
            Widen::ToString => "string",
            Widen::ToNumber if x == "string" => y.as_str(),
            Widen::ToNumber => x.as_str(),
        }
    } else if x == y {
        return format!("{x}{opt}");
    } else {
        return "any".into();
    };
    format!("{to}{opt}")
}

/// The named types reached from `roots` (type expressions) through the page's types.
/// The named types that `roots` reach, through the fields of each.
pub(crate) fn reach(
    page: &MethodPage,
    roots: impl IntoIterator<Item = String>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(ty) = todo.pop() {
        for word in type_words(&ty) {
            if page.types.contains_key(&word) && seen.insert(word.clone()) {
                todo.extend(page.types[&word].iter().map(|f| f.ty.clone()));
            }
        }
    }
    seen
}

fn type_words(ty: &str) -> Vec<String> {
    ty.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(str::to_string)
        .collect()
}

/// `crm.deal.get` → `Deal`, `tasks.task.list` → `Task`, `user.get` → `User`.
fn entity_name(method: &str) -> Option<String> {
    let segs: Vec<&str> = method.split('.').collect();
    let e = match segs.len() {
        0 | 1 => return None,
        2 => segs[0],
        n => segs[n - 2],
    };
    let name = b24_spec::naming::pascal(e);
    let builtin = matches!(
        b24_spec::ty::TypeExpr::parse(&name),
        Ok(b24_spec::ty::TypeExpr::Prim(_) | b24_spec::ty::TypeExpr::Domain(_))
    );
    (!builtin && name.chars().all(|c| c.is_ascii_alphanumeric())).then_some(name)
}

/// A name the importer made up (`Result`, `Result2`, `ResultWrapper`, `Item`, `Items`).
fn generic(name: &str) -> bool {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
    matches!(base, "Result" | "ResultWrapper" | "Item" | "Items" | "Data")
}

/// `Tasks`, `Boxes`, `TaskList`, `TaskItems`: names the importer took from a list's key.
fn plural(name: &str, entity: &str) -> bool {
    name.strip_prefix(entity)
        .is_some_and(|rest| matches!(rest, "s" | "es" | "List" | "Item" | "Items"))
}

/// The base named type of a type expression (`Deal[]?` → `Deal`).
fn base(ty: &str) -> Option<String> {
    let mut t = ty.trim_end_matches('?');
    loop {
        if let Some(x) = t.strip_suffix("[]") {
            t = x.trim_end_matches('?');
        } else if let Some(x) = t.strip_prefix("map<").and_then(|x| x.strip_suffix('>')) {
            t = x.trim_end_matches('?');
        } else {
            break;
        }
    }
    t.starts_with(|c: char| c.is_ascii_uppercase())
        .then(|| t.to_string())
}

/// The record the page returns: the result's struct, or the struct one wrapper member
/// holds (`{"task": {…}}`, `{"items": […]}`).
fn record_type(page: &MethodPage) -> Option<String> {
    let t = base(&page.result)?;
    let fields = page.types.get(&t)?;
    let inner: Vec<String> = fields.iter().filter_map(|f| base(&f.ty)).collect();
    let wrapper =
        fields.iter().filter(|f| !f.dynamic).count() <= 3 && inner.len() == 1 && generic(&t);
    if wrapper && page.types.contains_key(&inner[0]) {
        Some(inner[0].clone())
    } else {
        Some(t)
    }
}

/// Renames the type `from` to `to` everywhere in the page.
fn rename(page: &mut MethodPage, from: &str, to: &str) {
    let swap = |ty: &str| -> String {
        let mut out = String::new();
        let mut word = String::new();
        for c in ty.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                out.push_str(if word == from { to } else { &word });
                word.clear();
                out.push(c);
            }
        }
        out.push_str(if word == from { to } else { &word });
        out
    };
    page.result = swap(&page.result);
    for f in page
        .params
        .iter_mut()
        .chain(page.types.values_mut().flatten())
    {
        f.ty = swap(&f.ty);
    }
    if let Some(def) = page.types.remove(from) {
        page.types.insert(to.to_string(), def);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_and_record_bases() {
        assert_eq!(entity_name("crm.deal.get").as_deref(), Some("Deal"));
        assert_eq!(entity_name("user.get").as_deref(), Some("User"));
        assert_eq!(entity_name("profile"), None);
        assert_eq!(base("map<Deal[]?>?").as_deref(), Some("Deal"));
        assert_eq!(base("int[]"), None);
        assert!(plural("Tasks", "Task") && !plural("TaskStage", "Task"));
        let (num, text) = (Widen::ToNumber, Widen::ToString);
        assert_eq!(widen("int", "float", num), "float");
        assert_eq!(widen("string", "int?", num), "int?");
        assert_eq!(widen("float", "string", num), "float");
        assert_eq!(widen("string", "int?", text), "string?");
        assert_eq!(widen("int", "bool", num), "any");
    }
}
