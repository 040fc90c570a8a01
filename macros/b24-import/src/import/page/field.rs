//! One table row → one field: name, required mark, type, listed values, default.

use super::super::table::{Row, Table, plain};
use super::{Field, Warning};

/// The layout of a field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `|| **NAME***\n[`type`](…) | Description ||`.
    Current,
    /// `|| **Parameter** | **Example** | **Description** | **Revision** ||`: required marked
    /// `^*^`, no usable type, an example column.
    Older,
}

/// The fields of a parameter/field table (both layouts); unreadable rows are warnings.
pub(super) fn fields_of(t: &Table, response: bool, warnings: &mut Vec<Warning>) -> Vec<Field> {
    let header = t.header();
    let layout = if header.first().is_some_and(|h| h == "parameter") && header.len() >= 3 {
        Layout::Older
    } else {
        Layout::Current
    };
    let desc_col = header
        .iter()
        .position(|h| h.contains("description"))
        .unwrap_or(1);
    let example_col = header.iter().position(|h| h.starts_with("example"));
    let type_col = header
        .iter()
        .position(|h| h == "type" || h.starts_with("type "))
        .filter(|c| *c > 0);
    let mut out: Vec<Field> = Vec::new();
    // Rust field name → index in `out`: a repeat is found in one lookup, so a table of n
    // rows costs n, not n².
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in t.body() {
        let Some(first) = row.cells.first() else {
            continue;
        };
        let desc = row.cells.get(desc_col).map(String::as_str).unwrap_or("");
        let type_cell = type_col.and_then(|c| row.cells.get(c)).map(String::as_str);
        let f = match field(first, type_cell, desc, layout, response, row) {
            Ok(f) => f,
            Err((class, why)) => {
                warnings.push(Warning::new(class, row.line, why));
                continue;
            }
        };
        let mut f = f;
        if response {
            // A response member marked required is still decoded when absent: a decode
            // never fails for a member the portal left out.
            f.required = false;
        }
        if layout == Layout::Older {
            // The older layout gives no types; the example column shows the form.
            let example = example_col
                .and_then(|c| row.cells.get(c))
                .map(String::as_str);
            f.ty = example.map_or_else(|| "any".into(), example_type);
        }
        let ident = b24_spec::naming::field_ident(&f.name);
        if let Some(prev) = seen.get(&ident).map(|i| &out[*i]) {
            warnings.push(Warning::new(
                "duplicate-field",
                row.line,
                format!("`{}` repeats `{}` (line {})", f.name, prev.name, prev.line),
            ));
            continue;
        }
        seen.insert(ident, out.len());
        out.push(f);
    }
    out
}

/// The spec type an older-layout example shows: `'chat74'` a string, `5` an int, …;
/// anything else `any`.
fn example_type(cell: &str) -> String {
    let t = plain(cell);
    let t = t.trim();
    if t.is_empty() {
        return "any".into();
    }
    let unq = t.trim_matches(|c| c == '\'' || c == '"');
    let quoted = unq.len() + 2 == t.len();
    if matches!(unq, "Y" | "N") {
        "yn".into()
    } else if !quoted && unq.parse::<i64>().is_ok() {
        "int".into()
    } else if !quoted && matches!(unq, "true" | "false") {
        "bool".into()
    } else if quoted && !unq.contains(['{', '[']) {
        "string".into()
    } else {
        "any".into()
    }
}

/// Why a row gives no field: the class (`unreadable-row` for a row the importer cannot
/// read; the other classes are rows that are not fields, explained in the report) and
/// what.
type Skip = (&'static str, String);

/// The name cell's name: `**NAME***`, or `` `NAME` `` (tables of keys without types).
fn name_cell(first: &str) -> Result<(&str, &str), Skip> {
    if let Some(after_open) = first.strip_prefix("**") {
        let Some(bold_len) = after_open.find("**") else {
            return Err((
                "unreadable-row",
                format!("the name in `{}` is not closed with `**`", short(first)),
            ));
        };
        return Ok((&after_open[..bold_len], &after_open[bold_len + 2..]));
    }
    if let Some(after_open) = first.strip_prefix('`')
        && let Some(len) = after_open.find('`')
    {
        return Ok((&after_open[..len], &after_open[len + 1..]));
    }
    Err((
        "unreadable-row",
        format!(
            "the first cell `{}` holds no bold or code name",
            short(&plain(first))
        ),
    ))
}

/// One row's first cell (`**NAME***` + type line), optional type cell and description.
fn field(
    first: &str,
    type_cell: Option<&str>,
    desc: &str,
    layout: Layout,
    response: bool,
    row: &Row,
) -> Result<Field, Skip> {
    let (name, after, required) = field_name(first.trim(), desc)?;
    let mut f = Field {
        name: name.clone(),
        ty: "any".into(),
        required: false,
        default: None,
        values: Vec::new(),
        object: None,
        dynamic: false,
        line: row.line,
        desc: desc.to_string(),
        from_example: false,
        allow_empty: false,
        doc_ty: String::new(),
        page_link: None,
    };
    if is_dynamic(&name) || numbered_family(&name, desc) {
        f.dynamic = true;
        return Ok(f);
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err((
            "unreadable-row",
            format!("`{}` is not a parameter name", short(&name)),
        ));
    }
    // The type: its own cell in the current layout, else the name cell's second line.
    let type_source = match type_cell {
        Some(cell) if layout == Layout::Current => cell,
        _ => after,
    };
    let doc_ty = type_text(type_source);
    let mut values = listed_values(desc);
    let link = desc.find("](#").map(|p| {
        let rest = &desc[p + 3..];
        rest[..rest.find(')').unwrap_or(rest.len())].to_string()
    });
    let mut ty = field_type(&doc_ty, &mut values, desc, link.is_some(), response);
    // "Default: `Y`" inside a required parameter's description is a contradiction the
    // importer does not resolve: the default is kept only for optional parameters.
    f.default = default_of(desc);
    // A type that names another page's object (`[`item`](./object-fields.md)`).
    if ty == "any"
        && let Some(p) = page_link(type_source)
    {
        ty = if doc_ty.ends_with("[]") {
            "ObjectRef[]"
        } else {
            "ObjectRef"
        }
        .into();
        f.page_link = Some(p);
    }
    f.object = if ty.contains("ObjectRef") { link } else { None };
    if ty.contains("ObjectRef") && f.page_link.is_none() {
        f.page_link = page_link(desc);
    }
    f.doc_ty = doc_ty;
    f.ty = ty;
    f.values = values;
    f.required = required;
    f.allow_empty = allows_empty(desc);
    Ok(f)
}

/// The key a name cell names, what follows it in the cell, and whether it is marked
/// required; rows that name no key (prose, operators, raw twins) are skipped with why.
fn field_name<'a>(first: &'a str, desc: &str) -> Result<(String, &'a str, bool), Skip> {
    let (raw_name, after) = name_cell(first)?;
    let marked = after.starts_with('*') || after.starts_with("^*^") || after.starts_with("\\*");
    let after = after
        .trim_start_matches("^*^")
        .trim_start_matches("\\*")
        .trim_start_matches('*');
    let required = raw_name.ends_with('*') || marked || raw_name.contains("^*^");
    let mut name = raw_name
        .trim_end_matches('*')
        .replace("^*^", "")
        .replace('\\', "")
        .trim()
        .trim_matches('`')
        .to_string();
    if name.is_empty() && (raw_name.contains('*') || raw_name.contains('\\')) {
        // `**\***`: "every field" in a select list.
        name = "*".into();
    }
    if name.is_empty() {
        return Err(("unreadable-row", "a row with an empty name".into()));
    }
    // `TITLE (LANG)`: a member of `LANG`.
    if let Some((member, parent)) = name
        .strip_suffix(')')
        .and_then(|n| n.split_once(" ("))
        .filter(|(m, p)| !m.contains(' ') && !p.contains(' '))
    {
        name = format!("{parent}.{member}");
    }
    if name.contains(' ') {
        let class = if plain(desc).is_empty() {
            "table-subheading"
        } else {
            "prose-name"
        };
        return Err((class, format!("`{}` is prose, not a key", short(&name))));
    }
    if let Some(twin) = name.strip_prefix('~') {
        return Err((
            "raw-value-twin",
            format!("`{name}` is the raw twin of `{twin}`, not a field of its own"),
        ));
    }
    if name.starts_with(['=', '>', '<', '!', '%', '@']) && !name.ends_with('>') {
        return Err((
            "operator-key",
            format!("`{name}` is a filter key with an operator, not a field"),
        ));
    }
    Ok((name, after, required))
}

/// A family of keys named by a number the description explains: `propertyN` ("where `N` —
/// property identifier"), `PROPERTY_PropertyId` (a property's id after `PROPERTY_`).
fn numbered_family(name: &str, desc: &str) -> bool {
    let lower_then_n = name.len() > 1
        && name.ends_with('N')
        && name[..name.len() - 1]
            .chars()
            .all(|c| c.is_ascii_lowercase());
    let explained = desc.contains("where `N`") || desc.contains("where N ");
    let id_after_prefix = name.split_once('_').is_some_and(|(head, tail)| {
        head.chars().all(|c| c.is_ascii_uppercase())
            && tail.starts_with(|c: char| c.is_ascii_uppercase())
            && tail.ends_with("Id")
            && tail.chars().any(|c| c.is_ascii_lowercase())
    });
    (lower_then_n && explained) || id_after_prefix
}

/// A key pattern rather than a key: `UF_*`, `PROPERTY_xxx`, `FIELDS[...]`, `<id>`, `*`.
fn is_dynamic(name: &str) -> bool {
    name.contains("...")
        || name.contains('*')
        || name.contains("_xxx")
        || name.contains("_XXX")
        || name.contains('[')
        || name.contains('<')
        || name.contains('{')
        || name == "*"
        || name.ends_with('_') && (name.starts_with("UF") || name.starts_with("uf"))
}

/// The spec type of a documented type text, refined by what the description says
/// (files in base64, dialog ids, objects a sub-table documents); clears `values` that are
/// format placeholders.
fn field_type(
    doc_ty: &str,
    values: &mut Vec<String>,
    desc: &str,
    has_anchor: bool,
    response: bool,
) -> String {
    let mut ty = map_type(doc_ty, values);
    // A file's content in base64 (`["name.ext", "<base64>"]`): a file upload.
    let lower = desc.to_lowercase();
    if lower.contains("base64") {
        // "an array containing the file name and a Base64 string" is one file.
        let one = lower.contains("file name") || lower.contains("name and");
        match ty.as_str() {
            "string" | "any" | "string[]" | "map<any>" => ty = "file".into(),
            "any[]" if one => ty = "file".into(),
            "any[]" => ty = "file[]".into(),
            _ => {}
        }
    }
    // A PHP "array" whose keys a sub-table documents is an object.
    if ty == "any[]" && has_anchor && doc_ty.trim() == "array" {
        ty = "ObjectRef".into();
    }
    // A PHP associative array (`array("field"=>"value"[, ...])`) is a JSON object: read
    // as a list it would lose its keys.
    if ty == "any[]" && (desc.contains("=>") || desc.contains("=&gt;")) {
        ty = "map<any>".into();
    }
    // Format placeholders (`chatXXX`, `sgXXX`) are not values: a dialog id.
    if values
        .iter()
        .any(|v| v.contains("XXX") || v.contains("xxx"))
    {
        values.clear();
    }
    if (ty == "string" || ty == "any") && lists_dialog_formats(desc) {
        ty = "DialogId".into();
    }
    if response
        && ty.starts_with("yn")
        && values.is_empty()
        && doc_ty.to_lowercase().starts_with("bool")
    {
        // Responses mostly carry JSON booleans; decoding accepts Y/N as well.
        ty = ty.replacen("yn", "bool", 1);
    }
    ty
}

/// Whether the description allows an empty value.
fn allows_empty(desc: &str) -> bool {
    let lower = desc.to_lowercase();
    [
        "empty string",
        "empty value",
        "if empty",
        "can be empty",
        "may be empty",
        "pass an empty",
        "is passed empty",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

/// The docs type from the type line: `[`integer`](…)`, `` `string[]` ``, `array of objects`.
pub(super) fn type_text(after: &str) -> String {
    let type_lines: Vec<&str> = after
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| l.contains('`'))
        .take_while(|l| l.starts_with('[') || l.starts_with('`'))
        .collect();
    let line = type_lines
        .first()
        .copied()
        .or_else(|| after.trim().lines().find(|l| l.contains('`')))
        .unwrap_or("")
        .trim();
    let mut parts = line.split('`');
    let _ = parts.next();
    let first = parts.next().unwrap_or("").trim().to_string();
    let lower = line.to_lowercase();
    if first == "array" && (lower.contains(" of") || lower.contains('[')) {
        let inner: Vec<&str> = line.split('`').skip(3).step_by(2).collect();
        if let Some(i) = inner.first() {
            return format!("{}[]", i.trim());
        }
    }
    // `string` | `object`, or one type per line: a value of either form.
    let alternatives: std::collections::BTreeSet<String> = type_lines
        .iter()
        .flat_map(|l| {
            l.split('`')
                .skip(1)
                .step_by(2)
                .map(|a| a.trim().to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    let either = (line.contains('|') || type_lines.len() > 1) && alternatives.len() >= 2;
    if either {
        // Kept as `string|object`: a value of any kind (`map_type`), which an example of
        // one kind does not narrow.
        return alternatives.into_iter().collect::<Vec<_>>().join("|");
    }
    first
}

/// Maps a docs type to a spec type expression (`ObjectRef` marks an object to resolve).
pub(super) fn map_type(doc: &str, values: &[String]) -> String {
    // `string|object`, `integer|integer[]`: values of more than one kind, either of which
    // the call may pass.
    let kinds: Vec<&str> = doc
        .split('|')
        .map(|k| {
            k.trim()
                .trim_matches(|c: char| c == '\\' || c == '`' || c.is_whitespace())
        })
        .filter(|k| !k.is_empty())
        .collect();
    if kinds.len() > 1 {
        let first = kinds[0].to_lowercase();
        return if kinds.iter().all(|k| k.to_lowercase() == first) {
            map_type(kinds[0], values)
        } else {
            "any".into()
        };
    }
    let doc = doc.trim();
    let (base, array) = match doc.strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (doc, false),
    };
    let base = base.trim().to_lowercase();
    let yn = !values.is_empty() && values.iter().all(|v| v == "Y" || v == "N");
    let tf = !values.is_empty() && values.iter().all(|v| v == "true" || v == "false");
    let zo = !values.is_empty() && values.iter().all(|v| v == "0" || v == "1");
    let t = match base.as_str() {
        "integer" | "int" | "number" | "long" => "int",
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
        "null" => "null",
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

/// Last words of a list's lead-in that say its items are not the values ("…formats:",
/// "…, where:", "for example:").
const NOT_VALUES_END: &[&str] = &[
    "format",
    "formats",
    "where",
    "example",
    "examples",
    "prefix",
    "prefixes",
    "methods",
    "parameters",
    "contains",
    "e.g",
];

/// Values listed as `` - `X` — … `` in a description, after a lead-in that introduces them
/// ("Possible values:", "Action for the flag:"); lists of formats, fields, examples or a
/// template's parts are not values.
pub(super) fn listed_values(desc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_values = false;
    for l in desc.lines() {
        let t = l.trim_start();
        let item = t.strip_prefix("- ").or_else(|| t.strip_prefix("* "));
        match item {
            Some(rest) if in_values => {
                if let Some(v) = item_code(rest)
                    && !out.contains(&v)
                {
                    out.push(v);
                }
            }
            Some(_) => {}
            None if t.is_empty() => {}
            None => {
                let lower = t.to_lowercase();
                let introduces = lower.trim_end().ends_with(':') || lower.contains("values");
                // Whole words only ("information" is not "format"): a lead-in that speaks
                // of formats, or ends in "where:", "for example:", lists no values.
                let words: Vec<&str> = lower
                    .split(|c: char| !c.is_alphanumeric() && c != '.')
                    .map(|w| w.trim_matches('.'))
                    .filter(|w| !w.is_empty())
                    .collect();
                let excluded = words.iter().any(|w| *w == "format" || *w == "formats")
                    || words.last().is_some_and(|w| NOT_VALUES_END.contains(w));
                in_values = introduces && !excluded;
            }
        }
    }
    out
}

/// The code a list item starts with: `` `Y` — yes `` → `Y`.
fn item_code(rest: &str) -> Option<String> {
    let v = rest.strip_prefix('`').and_then(|r| r.split('`').next())?;
    let v = v.trim_matches('\'').trim_matches('"').to_string();
    // `<ID>`, `{NUMBER}`: placeholders of a format, not values.
    let placeholder = v.contains(['<', '{']);
    (!v.is_empty() && v.len() <= 40 && !v.contains(' ') && !placeholder).then_some(v)
}

/// A dialog id's formats (`chatXXX`, `sgXXX`) listed in a description.
fn lists_dialog_formats(desc: &str) -> bool {
    desc.lines().any(|l| {
        let t = l.trim_start();
        t.strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .and_then(item_code)
            .is_some_and(|v| v.starts_with("chat") && (v.contains("XXX") || v.contains("xxx")))
    })
}

/// `Default: `Y`` and similar.
pub(super) fn default_of(desc: &str) -> Option<String> {
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

/// The first link of a description to another docs page (`](./fields.md)`,
/// `](../x/object-fields.md#item)`), not to the data-types page.
fn page_link(desc: &str) -> Option<String> {
    desc.split("](")
        .skip(1)
        .filter_map(|p| p.split(')').next())
        .map(str::trim)
        .find(|l| {
            let page = l.split('#').next().unwrap_or("");
            page.ends_with(".md")
                && !page.ends_with("data-types.md")
                && !page.ends_with("index.md")
                && !l.contains("://")
        })
        .map(str::to_string)
}
