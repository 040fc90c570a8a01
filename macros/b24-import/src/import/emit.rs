//! A method page → spec TOML text, deterministically.

use std::fmt::Write as _;

use super::page::{Field, MethodPage};

use b24_spec::write::q;

fn field_line(f: &Field) -> String {
    let mut s = format!("  {{ name = {}, type = {}", q(&f.name), q(&f.ty));
    if f.required {
        s.push_str(", required = true");
        if f.allow_empty && matches!(f.ty.as_str(), "string" | "text" | "char") {
            s.push_str(", allow_empty = true");
        }
    }
    if let Some(d) = &f.default
        && literal_ok(&f.ty, d)
        && !f.required
    {
        let _ = write!(s, ", default = {}", q(d));
    }
    let enum_ok = matches!(f.ty.as_str(), "string" | "int") && !f.values.is_empty();
    if enum_ok
        && f.values
            .iter()
            .all(|v| f.ty != "int" || v.parse::<i64>().is_ok())
    {
        let vals: Vec<String> = f.values.iter().map(|v| q(v)).collect();
        let _ = write!(s, ", enum = [{}], open_enum = true", vals.join(", "));
    }
    s.push_str(" },\n");
    s
}

fn literal_ok(ty: &str, lit: &str) -> bool {
    match ty {
        "yn" => lit == "Y" || lit == "N",
        "bool" => lit == "true" || lit == "false",
        "bool01" => lit == "0" || lit == "1",
        "int" | "timestamp" => lit.parse::<i64>().is_ok(),
        "float" => lit.parse::<f64>().is_ok(),
        "string" | "text" | "char" | "date" | "datetime" => true,
        _ => false,
    }
}

/// The key pattern of a dynamic row: `UF_CRM_...` → `UF_CRM_*`, `PARENT_ID_xxx` →
/// `PARENT_ID_*`, `UF_` → `UF_*`, `property<N>` → `property*`.
pub(super) fn pattern_of(name: &str) -> String {
    // `PROPERTY_PropertyId` → `PROPERTY_*`; `propertyN` → `property*`.
    if let Some((head, tail)) = name.split_once('_')
        && tail.ends_with("Id")
        && tail.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return format!("{head}_*");
    }
    if let Some(head) = name.strip_suffix('N')
        && !head.is_empty()
        && head.chars().all(|c| c.is_ascii_lowercase())
    {
        return format!("{head}*");
    }
    let mut prefix = String::new();
    for (i, c) in name.char_indices() {
        let rest = &name[i..];
        if rest.starts_with("...")
            || rest.starts_with("xxx")
            || rest.starts_with("XXX")
            || matches!(c, '*' | '[' | '<' | '{' | '.' | ' ')
        {
            break;
        }
        prefix.push(c);
    }
    format!("{prefix}*")
}

/// Guesses idempotency from the verb (the last segment of the name).
pub fn idempotent_guess(name: &str) -> bool {
    let verb = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    [
        "get",
        "list",
        "fields",
        "search",
        "count",
        "getfields",
        "getlist",
        "info",
        "version",
        "status",
    ]
    .iter()
    .any(|v| verb == *v || verb.starts_with("get") || verb.ends_with("list"))
}

/// The spec text of a method page.
/// The member holding a paged method's items when its result wraps them in an object
/// (`{"items": […]}` of `crm.item.list`, `{"tasks": […]}` of `tasks.task.list`): the one
/// array member of the result's type. `None` when the result is the array itself, or
/// when the type has no array member or several.
fn list_member(p: &MethodPage) -> Option<&str> {
    let fields = p.types.get(&p.result)?;
    let mut arrays = fields
        .iter()
        .filter(|f| !f.dynamic && f.ty.trim_end_matches('?').ends_with("[]"));
    let one = arrays.next()?;
    arrays.next().is_none().then_some(one.name.as_str())
}

/// The key a fast export filters and orders by: `id` where the items name their fields
/// in camelCase (`crm.item.list`: `'order' => ['id' => 'ASC'], 'filter' => ['>id' => …]`
/// in `settings/performance/huge-data.md`), `ID` otherwise.
fn fast_key(p: &MethodPage) -> &'static str {
    let element = match list_member(p) {
        Some(member) => p.types.get(&p.result).and_then(|fields| {
            let f = fields.iter().find(|f| f.name == member)?;
            Some(
                f.ty.trim_end_matches('?')
                    .trim_end_matches("[]")
                    .to_string(),
            )
        }),
        None => p.result.strip_suffix("[]").map(str::to_string),
    };
    let fields = element.and_then(|e| p.types.get(&e));
    let has = |name: &str| fields.is_some_and(|fs| fs.iter().any(|f| f.name == name));
    if has("id") && !has("ID") { "id" } else { "ID" }
}

/// The spec file text of a read page (`docs_path` and `commit` name its source).
pub fn spec_toml(p: &MethodPage, docs_path: &str, commit: &str) -> String {
    let mut s = String::new();
    s.push_str("# Imported from the official docs by `b24-gen import-docs`: do not edit,\n");
    s.push_str("# put corrections in specs/overrides/ instead.\n");
    s.push_str("schema = 1\n\n[method]\n");
    let _ = writeln!(s, "name = {}", q(&p.name));
    let _ = writeln!(s, "api = {}", q(p.api));
    let scopes: Vec<String> = p.scope.iter().map(|x| q(x)).collect();
    let _ = writeln!(s, "scope = [{}]", scopes.join(", "));
    let _ = writeln!(
        s,
        "docs = {{ path = {}, commit = {} }}",
        q(docs_path),
        q(commit)
    );
    if idempotent_guess(&p.name) {
        s.push_str("idempotent = true\n");
    }
    match &p.deprecated {
        Some(Some(r)) => {
            let _ = writeln!(s, "deprecated = {{ replacement = {} }}", q(r));
        }
        Some(None) => s.push_str("deprecated = true\n"),
        None => {}
    }
    request_toml(&mut s, p);
    pagination_toml(&mut s, p);
    let _ = write!(s, "\n[response]\nresult = {}\n", q(&p.result));
    for e in &p.errors {
        s.push_str("\n[[error]]\n");
        let _ = writeln!(s, "code = {}", q(&e.code));
        if let Some(h) = e.http {
            let _ = writeln!(s, "http = {h}");
        }
        if let Some(m) = &e.message {
            let _ = writeln!(s, "message = {}", q(m));
        }
    }
    types_toml(&mut s, p);
    s
}

/// The `[request]` table: parameters, alternatives, key patterns and one-of groups.
fn request_toml(s: &mut String, p: &MethodPage) {
    let params: Vec<&Field> = p.params.iter().filter(|f| !f.dynamic).collect();
    if !params.is_empty() {
        s.push_str("\n[request]\n");
        if p.positional {
            s.push_str("encoding = \"positional\"   # the docs: pass parameters in the order of the table\n");
        }
        s.push_str("params = [\n");
        for f in params {
            s.push_str(&field_line(f));
        }
        s.push_str("]\n");
        if !p.alternatives.is_empty() {
            let sets: Vec<String> = p
                .alternatives
                .iter()
                .map(|set| {
                    format!(
                        "[{}]",
                        set.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            let _ = writeln!(s, "alternatives = [{}]", sets.join(", "));
        }
        let dynamic: Vec<String> = p
            .params
            .iter()
            .filter(|f| f.dynamic)
            .map(|f| pattern_of(&f.name))
            .collect();
        if !dynamic.is_empty() {
            let mut pats = dynamic;
            pats.dedup();
            let keys: Vec<String> = pats
                .iter()
                .map(|pat| format!("{{ pattern = {}, type = \"any\" }}", q(pat)))
                .collect();
            let _ = writeln!(s, "extra_keys = [{}]", keys.join(", "));
        }
        if !p.one_of.is_empty() {
            let groups: Vec<String> = p
                .one_of
                .iter()
                .map(|g| {
                    format!(
                        "[{}]",
                        g.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            let _ = writeln!(s, "one_of = [{}]", groups.join(", "));
        }
    }
}

/// The `[pagination]` table, from the paging parameters the method takes.
fn pagination_toml(s: &mut String, p: &MethodPage) {
    let names: Vec<&str> = p.params.iter().map(|f| f.name.as_str()).collect();
    if p.api == "v3" && names.contains(&"pagination") {
        s.push_str("\n[pagination]\nstyle = \"v3_page\"\n");
    } else if names.contains(&"start") {
        s.push_str(
            "\n[pagination]\nstyle = \"start_next\"\nrequest_param = \"start\"\npage_size = 50\n",
        );
        if names.contains(&"filter") && names.contains(&"order") {
            let _ = writeln!(s, "fast_mode = {{ start = -1, key = {} }}", q(fast_key(p)));
        }
        if let Some(items) = list_member(p) {
            let _ = writeln!(s, "items = {}", q(items));
        }
    } else if let (Some(o), Some(l)) = (
        names.iter().find(|n| n.eq_ignore_ascii_case("offset")),
        names.iter().find(|n| n.eq_ignore_ascii_case("limit")),
    ) {
        let _ = write!(
            s,
            "\n[pagination]\nstyle = \"limit_offset\"\noffset_param = {}\nlimit_param = {}\n",
            q(o),
            q(l)
        );
        if let Some(items) = list_member(p) {
            let _ = writeln!(s, "items = {}", q(items));
        }
    }
}

/// One `[types.*]` table per named type.
fn types_toml(s: &mut String, p: &MethodPage) {
    for (name, fields) in &p.types {
        let _ = write!(s, "\n[types.{name}]\nkind = \"struct\"\n");
        let dynamic: Vec<&Field> = fields.iter().filter(|f| f.dynamic).collect();
        if !dynamic.is_empty() {
            s.push_str("extra_keys = [\n");
            let mut patterns: Vec<String> = dynamic.iter().map(|d| pattern_of(&d.name)).collect();
            patterns.dedup();
            for pat in patterns {
                let _ = writeln!(s, "  {{ pattern = {}, type = \"any\" }},", q(&pat));
            }
            s.push_str("]\n");
        }
        s.push_str("fields = [\n");
        for f in fields.iter().filter(|f| !f.dynamic) {
            s.push_str(&field_line(f));
        }
        s.push_str("]\n");
    }
}
