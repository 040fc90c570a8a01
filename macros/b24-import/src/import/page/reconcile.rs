//! The page's tables weighed against its example calls. The examples are the docs' own
//! test data: a parameter they pass that no table lists becomes a parameter (typed by its
//! JSON form), and where a table calls a value an array but every example passes an
//! object (a PHP "array" is often a JSON object), the object wins. Each fill is a warning.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::{Field, MethodPage, Warning};
use b24_spec::conform::{json_kind as kind, matches_pattern};

/// Fills what the tables miss from the example calls of the page's method.
pub(super) fn with_examples(page: &mut MethodPage) {
    if page.positional {
        return;
    }
    let calls: Vec<(usize, Value)> = page
        .examples
        .calls_for(&page.name, page.api == "v3")
        .into_iter()
        .filter(|c| c.params.is_object())
        .map(|c| (c.line, c.params.clone()))
        .collect();
    if calls.is_empty() {
        return;
    }
    move_into_objects(page, &calls);
    let mut spelling = Spelling {
        decided: HashSet::new(),
        result_types: crate::import::entities::reach(page, [page.result.clone()]),
        written: HashSet::new(),
    };
    for (_, c) in &calls {
        keys_of(c, &mut spelling.written);
    }
    for (line, params) in &calls {
        let Value::Object(obj) = params else { continue };
        for (key, value) in obj {
            if key == "auth" {
                continue;
            }
            let mut params = std::mem::take(&mut page.params);
            member(&mut params, None, key, value, *line, page, &mut spelling);
            page.params = params;
        }
    }
    unrequire_omitted(page, &calls);
    shape_untyped(page, &calls);
}

/// A parameter the tables leave untyped (`any`, `map<any>`, `any[]`) but the example calls
/// pass: its shape is what they pass (objects with names for keys become structs).
fn shape_untyped(page: &mut MethodPage, calls: &[(usize, Value)]) {
    for i in 0..page.params.len() {
        let ty = page.params[i].ty.clone();
        if !matches!(ty.as_str(), "any" | "map<any>" | "any[]") {
            continue;
        }
        let name = page.params[i].name.clone();
        // `string | object`: the table allows either kind, which an example of one of
        // them does not narrow.
        if free_keys(&page.params[i].desc) || page.params[i].doc_ty.contains('|') {
            continue;
        }
        let values: Vec<(usize, &Value)> = calls
            .iter()
            .filter_map(|(line, c)| {
                let o = c.as_object()?;
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                    .map(|(_, v)| (*line, v))
            })
            .filter(|(_, v)| !v.is_null())
            .collect();
        let Some(((line, first), rest)) = values.split_first() else {
            continue;
        };
        let mut shape = infer_shape(first, &name, *line, page, 1);
        for (l, v) in rest {
            shape = fit(&shape, v, *l, page, 1);
        }
        // The table's kind stands (an object stays an object); placeholders say nothing.
        let agrees = match ty.as_str() {
            "map<any>" => !shape.ends_with("[]") && !scalar(&shape),
            "any[]" => shape.ends_with("[]"),
            _ => true,
        };
        let placeholder = matches!(first, Value::String(s) if b24_spec::conform::is_placeholder(s));
        if shape != "any" && agrees && !placeholder && shape != ty {
            page.warnings.push(Warning::new(
                "shape-from-example",
                *line,
                format!("`{name}`: the table says `{ty}`, the example calls pass `{shape}`"),
            ));
            page.params[i].ty = shape;
        }
    }
}

/// A required parameter that no example passes at the top level but every example passes
/// inside one object parameter is a member of that object (the table listed it as a row
/// of its own, right after the object's row).
fn move_into_objects(page: &mut MethodPage, calls: &[(usize, Value)]) {
    let top = |key: &str| {
        calls.iter().any(|(_, c)| {
            c.as_object()
                .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(key)))
        })
    };
    let mut moves: Vec<(usize, String)> = Vec::new();
    for (i, p) in page.params.iter().enumerate() {
        if !p.required || top(&p.name) {
            continue;
        }
        let holder = page.params.iter().find(|o| {
            o.name != p.name
                && calls.iter().all(|(_, c)| {
                    c.get(&o.name)
                        .and_then(Value::as_object)
                        .is_some_and(|m| m.contains_key(&p.name))
                })
        });
        if let Some(o) = holder {
            moves.push((i, o.name.clone()));
        }
    }
    for (i, holder) in moves.into_iter().rev() {
        let f = page.params.remove(i);
        let line = calls[0].0;
        page.warnings.push(Warning::new(
            "moved-into-object",
            f.line,
            format!(
                "`{}` is a member of `{holder}` in every example (line {line})",
                f.name
            ),
        ));
        let Some(h) = page.params.iter_mut().find(|o| o.name == holder) else {
            continue;
        };
        let tname = if h.ty.starts_with(|c: char| c.is_ascii_uppercase()) {
            h.ty.trim_end_matches("[]").to_string()
        } else {
            let n = b24_spec::naming::pascal(&holder);
            h.ty = n.clone();
            n
        };
        page.types.entry(tname).or_default().push(f);
    }
}

/// A field of a nested object that the table marks required but an example call leaves
/// out is not required in every call (an update passes only what changes).
fn unrequire_omitted(page: &mut MethodPage, calls: &[(usize, Value)]) {
    fn walk(
        ty: &str,
        v: &Value,
        line: usize,
        types: &mut std::collections::BTreeMap<String, Vec<Field>>,
        warnings: &mut Vec<Warning>,
        depth: usize,
    ) {
        let name = ty.trim_end_matches("[]").trim_end_matches('?');
        if depth > 16 || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let objects: Vec<&serde_json::Map<String, Value>> = match v {
            Value::Object(m) => vec![m],
            Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        };
        let Some(fields) = types.get(name).cloned() else {
            return;
        };
        for m in objects {
            for f in &fields {
                let given = m.keys().any(|k| k.eq_ignore_ascii_case(&f.name));
                if f.required && !given {
                    if let Some(ff) = types
                        .get_mut(name)
                        .and_then(|fs| fs.iter_mut().find(|x| x.name == f.name))
                    {
                        ff.required = false;
                    }
                    warnings.push(Warning::new(
                        "required-omitted-by-example",
                        line,
                        format!("`{}` of `{name}`", f.name),
                    ));
                }
                if let Some(sub) = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(&f.name)) {
                    walk(&f.ty, sub.1, line, types, warnings, depth + 1);
                }
            }
        }
    }
    for (line, c) in calls {
        let Value::Object(obj) = c else { continue };
        for p in page.params.clone() {
            if let Some((_, v)) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(&p.name)) {
                walk(&p.ty, v, *line, &mut page.types, &mut page.warnings, 0);
            }
        }
    }
}

/// The names the example calls spell: a call that ran is the authority on how a request
/// writes a name, where the table (or a fields page it links, often the result's
/// camelCase entity) spells it otherwise.
struct Spelling {
    /// (owner, name as the table wrote it, loosely) already spelt by an earlier example.
    decided: HashSet<(String, String)>,
    /// Types the result reaches: their names are the answer's, not the request's.
    result_types: std::collections::BTreeSet<String>,
    /// Every name the page's example calls write, at any depth: a table's spelling that
    /// one of them writes too stands.
    written: HashSet<String>,
}

fn keys_of(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                keys_of(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys_of(x, out)),
        _ => {}
    }
}

/// A name without its letter case and word separators: `RESPONSIBLE_ID`, `responsibleId`
/// and `ResponsibleId` are one name.
fn loose(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `responsibleId` → `RESPONSIBLE_ID`.
fn screaming(name: &str) -> String {
    b24_spec::naming::words(name).join("_").to_ascii_uppercase()
}

fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Gives field `i` the example's spelling `key` (same name, other letter case or word
/// separators), once per field: examples that disagree keep the first one's.
fn respell(
    fields: &mut [Field],
    i: usize,
    owner: Option<&str>,
    key: &str,
    line: usize,
    page: &mut MethodPage,
    spelling: &mut Spelling,
) {
    let table = fields[i].name.clone();
    if table == key
        || fields[i].dynamic
        || fields.iter().any(|f| f.name == key)
        || spelling.written.contains(&table)
    {
        return;
    }
    let owner_name = owner.unwrap_or("").to_string();
    if spelling.result_types.contains(&owner_name) {
        // The type is also the answer's: its names are the answer's.
        return;
    }
    if !spelling.decided.insert((owner_name, loose(&table))) {
        page.warnings.push(Warning::new(
            "examples-disagree-on-name",
            line,
            format!("`{key}`: an earlier example spells it `{table}`"),
        ));
        return;
    }
    page.warnings.push(Warning::new(
        "name-from-example",
        line,
        format!("`{key}`: the table writes `{table}`, the example call `{key}`"),
    ));
    fields[i].name = key.to_string();
}

/// An object whose example calls write every name of the type in SCREAMING_SNAKE where
/// its table (often a linked fields page of the result's camelCase entity) writes
/// camelCase: the request spells every field so (`tasks.task.add` takes
/// `fields.RESPONSIBLE_ID`, and answers `responsibleId`).
fn adopt_convention(
    sub: &mut [Field],
    owner: &str,
    obj: &serde_json::Map<String, Value>,
    line: usize,
    page: &mut MethodPage,
    spelling: &mut Spelling,
) {
    if spelling.result_types.contains(owner) {
        return;
    }
    let mut screaming_hits = 0;
    for k in obj.keys() {
        let Some(f) = sub
            .iter()
            .find(|f| !f.dynamic && loose(&f.name) == loose(k))
        else {
            continue;
        };
        if f.name == *k && is_camel(k) && k.chars().any(|c| c.is_ascii_uppercase()) {
            // An example writes a camelCase name as the table does: no convention to adopt.
            return;
        }
        if is_screaming(k) && is_camel(&f.name) {
            screaming_hits += 1;
        }
    }
    if screaming_hits < 2 {
        return;
    }
    let mut changed = Vec::new();
    for f in sub.iter_mut() {
        if !f.dynamic && is_camel(&f.name) {
            let s = screaming(&f.name);
            changed.push(format!("{} → {s}", f.name));
            spelling.decided.insert((owner.to_string(), loose(&f.name)));
            f.name = s;
        }
    }
    if !changed.is_empty() {
        page.warnings.push(Warning::new(
            "names-from-example-convention",
            line,
            format!(
                "`{owner}`: the example calls write its names in SCREAMING_SNAKE_CASE, the table in camelCase ({})",
                changed.join(", ")
            ),
        ));
    }
}

/// Reconciles one member `key: value` of an example with `fields` (of the named type
/// `owner`, or the parameters when `None`).
fn member(
    fields: &mut Vec<Field>,
    owner: Option<&str>,
    key: &str,
    value: &Value,
    line: usize,
    page: &mut MethodPage,
    spelling: &mut Spelling,
) {
    let found = fields
        .iter()
        .position(|f| f.name == key)
        .or_else(|| fields.iter().position(|f| f.name.eq_ignore_ascii_case(key)))
        .or_else(|| {
            fields
                .iter()
                .position(|f| !f.dynamic && loose(&f.name) == loose(key))
        });
    if let Some(i) = found {
        respell(fields, i, owner, key, line, page, spelling);
    }
    let Some(i) = found else {
        if fields
            .iter()
            .any(|f| f.dynamic && dynamic_match(&f.name, key))
        {
            return;
        }
        if !valid_name(key) || collides(fields, key) {
            // Keys that are data (`CALENDAR_EVENT|UF_CRM_1`, `.landing-block-node`): the
            // object holds free keys.
            if !fields.iter().any(|f| f.dynamic && f.name == "*") {
                page.warnings.push(Warning::new(
                    "free-keys-from-example",
                    line,
                    format!("`{key}`: the example's keys are data, not names"),
                ));
                fields.push(open_row(line));
            }
            return;
        }
        let what = match owner {
            Some(o) => format!("`{key}` of `{o}`"),
            None => format!("`{key}`"),
        };
        page.warnings.push(Warning::new(
            "param-from-example",
            line,
            format!("{what}: no table lists it, the example passes it"),
        ));
        fields.push(Field::inferred(key, &infer(value), line));
        return;
    };
    let ty = fields[i].ty.clone();
    let new_ty = kind_from_example(&ty, value);
    if let Some(nt) = new_ty.filter(|nt| *nt != ty) {
        page.warnings.push(Warning::new(
            "kind-from-example",
            line,
            format!(
                "`{key}`: the table says `{ty}`, the example passes {}",
                kind(value)
            ),
        ));
        fields[i].ty = nt;
    }
    // Into a named struct's fields.
    let ty = fields[i].ty.clone();
    let named = ty.trim_end_matches("[]");
    if !named.starts_with(|c: char| c.is_ascii_uppercase()) {
        return;
    }
    let Some(mut sub) = page.types.remove(named) else {
        return;
    };
    let objects: Vec<&Value> = match value {
        Value::Object(_) => vec![value],
        Value::Array(a) => a.iter().filter(|v| v.is_object()).collect(),
        _ => Vec::new(),
    };
    for o in objects {
        if let Value::Object(m) = o {
            adopt_convention(&mut sub, named, m, line, page, spelling);
            for (k, v) in m {
                member(&mut sub, Some(named), k, v, line, page, spelling);
            }
        }
    }
    page.types.insert(named.to_string(), sub);
}

/// The type an example value shows where the table's `ty` would refuse it or lose part of
/// it, if any.
fn kind_from_example(ty: &str, value: &Value) -> Option<String> {
    let named = ty.trim_end_matches("[]").to_string();
    let is_named = named.starts_with(|c: char| c.is_ascii_uppercase());
    let pair = |a: &[Value]| a.len() == 2 && a.iter().all(Value::is_string);
    match value {
        // `["name.ext", "<base64>"]`: one file, not a list of them.
        Value::Array(a) if ty == "file[]" && pair(a) => Some("file".to_string()),
        Value::Object(m) if !m.is_empty() && ty.ends_with("[]") && !is_named => {
            Some("map<any>".to_string())
        }
        Value::Object(m) if !m.is_empty() && ty.ends_with("[]") && is_named => Some(named.clone()),
        Value::Array(a) if !a.is_empty() && is_named && !ty.ends_with("[]") => {
            if a.iter().all(Value::is_object) {
                Some(format!("{named}[]"))
            } else {
                Some("any".to_string())
            }
        }
        Value::Array(a) if !a.is_empty() && ty == "map<any>" => Some("any".to_string()),
        // A flag in the form the example writes it: JSON `true` where the table's
        // "boolean" was read as `Y`/`N`, and `"Y"` where it was read as JSON.
        Value::Bool(_) if matches!(ty, "yn" | "bool01") => Some("bool".to_string()),
        Value::String(s) if ty == "bool" && (s == "Y" || s == "N") => Some("yn".to_string()),
        Value::Object(m) if !m.is_empty() && scalar(ty) => Some("any".to_string()),
        Value::Array(a) if !a.is_empty() && scalar(ty) => Some(infer(value)),
        // Not a date where the table says a date: the table's type is wrong.
        Value::String(s)
            if matches!(ty, "date" | "datetime")
                && !s.is_empty()
                && !b24_spec::conform::is_datetime(s)
                && !b24_spec::conform::is_placeholder(s) =>
        {
            Some("string".to_string())
        }
        // A word where the table says a number (`"ID": "65e5a449e8f135.21284909"`): the
        // table's type is wrong.
        Value::String(s)
            if matches!(ty, "int" | "float")
                && !s.is_empty()
                && s.trim().parse::<f64>().is_err()
                && !b24_spec::conform::is_placeholder(s) =>
        {
            Some("string".to_string())
        }
        _ => None,
    }
}

/// The description says the object's keys are data ("where the key is the name of the
/// property", "key-value"): a map, not a struct, whatever names an example shows.
fn free_keys(desc: &str) -> bool {
    let d = desc.to_lowercase();
    [
        "the key is",
        "keys are",
        "key-value",
        "key of each",
        "arbitrary",
        "any key",
        // "The set of keys depends on the specific template", "the list of `fields` keys
        // is not fixed", "specific values depend on the placement".
        "keys depends on",
        "keys depend on",
        "is not fixed",
        "values depend on the",
        // "The key of the `fields` object must match the field code", "in the format
        // `{"FieldCode":"Value"}`".
        "the key of the",
        "\":\"value\"}",
    ]
    .iter()
    .any(|p| d.contains(p))
}

fn scalar(ty: &str) -> bool {
    matches!(
        ty,
        "string"
            | "text"
            | "char"
            | "int"
            | "float"
            | "yn"
            | "bool"
            | "bool01"
            | "date"
            | "datetime"
    )
}

/// A dynamic row (`UF_CRM_...`, `PROPERTY_N`) that covers `key`.
fn dynamic_match(pattern_name: &str, key: &str) -> bool {
    if pattern_name == "*" {
        return true;
    }
    let pattern = crate::import::emit::pattern_of(pattern_name);
    if pattern.len() > 1 && matches_pattern(&pattern, key) {
        return true;
    }
    let prefix: String = pattern_name
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
        .collect();
    let prefix = prefix
        .trim_end_matches(['X', 'x', 'N'])
        .trim_end_matches('_');
    !prefix.is_empty() && matches_pattern(&format!("{prefix}*"), key)
}

/// The spec type of an example value.
pub(super) fn infer(v: &Value) -> String {
    match v {
        Value::String(_) => "string".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "int".into(),
        Value::Number(_) => "float".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => "any".into(),
        Value::Object(_) => "map<any>".into(),
        Value::Array(a) => {
            let kinds: std::collections::BTreeSet<String> = a.iter().map(infer).collect();
            match kinds.iter().next() {
                Some(k) if kinds.len() == 1 && (k == "string" || k == "int") => format!("{k}[]"),
                _ => "any[]".into(),
            }
        }
    }
}

/// Fits the result type to the page's example responses where the tables' reading would
/// refuse or lose part of them: a wrapper object the table flattened (`{"booking": {…}}`),
/// a list shown where the table says one object (or the reverse), a map keyed by ids, a
/// documented field the table missed.
pub(super) fn result_with_examples(page: &mut MethodPage) {
    let results: Vec<(usize, Value)> = page
        .examples
        .results()
        .into_iter()
        .map(|r| (r.line, r.body["result"].clone()))
        .collect();
    // `*.fields` methods describe fields: one shared description type, whatever the
    // table lists (often the entity's own fields, not what describes them).
    let verb = page
        .name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if verb == "fields" || verb == "getfields" {
        match results.iter().find(|(_, v)| !v.is_null()) {
            Some((line, v)) => {
                let shape = infer_shape(v, "Result", *line, page, 0);
                if shape.contains("field_info") {
                    page.result = shape;
                }
            }
            None if matches!(page.result.as_str(), "any" | "map<any>") => {
                page.warnings.push(Warning::new(
                    "fields-by-convention",
                    0,
                    "no example: a `*.fields` method returns field descriptions by name",
                ));
                page.result = "map<field_info>".into();
            }
            None => {}
        }
    }
    fit_all(page, &results);
    // No shape from the tables (or one the examples contradict): the first example
    // response gives names and kinds, the others refine them.
    let untyped = matches!(
        page.result.trim_end_matches('?'),
        "any" | "any[]" | "map<any>"
    );
    if untyped && let Some((line, v)) = results.iter().find(|(_, v)| !v.is_null()) {
        let inferred = infer_shape(v, "Result", *line, page, 0);
        if inferred != "any" {
            page.warnings.push(Warning::new(
                "result-from-example",
                *line,
                format!(
                    "`{}` -> `{inferred}` (the shape of the example)",
                    page.result
                ),
            ));
            page.result = inferred;
            fit_all(page, &results);
        }
    }
    // Every example answers `null` or an empty list: the method answers no data.
    let nothing = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    if matches!(page.result.as_str(), "any" | "any[]")
        && !results.is_empty()
        && results.iter().all(|(_, v)| nothing(v))
    {
        page.result = "null".into();
        return;
    }
    // A `null` result in an example: the result may be absent.
    if results.iter().any(|(_, v)| v.is_null())
        && !page.result.ends_with('?')
        && page.result != "any"
    {
        page.result.push('?');
    }
}

/// Fits the result type to every example; examples may disagree with each other, so
/// until every one of them reads.
fn fit_all(page: &mut MethodPage, results: &[(usize, Value)]) {
    for _ in 0..3 {
        let mut changed = false;
        for (line, v) in results {
            let ty = page.result.clone();
            let fitted = fit(&ty, v, *line, page, 0);
            if fitted != ty {
                page.warnings.push(Warning::new(
                    "result-from-example",
                    *line,
                    format!("`{ty}` -> `{fitted}`"),
                ));
                page.result = fitted;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn is_named(ty: &str) -> bool {
    ty.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Keys that are ids, not names (`"39": {…}`).
fn id_keyed(m: &serde_json::Map<String, Value>) -> bool {
    !m.is_empty()
        && m.keys()
            .all(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_digit()))
}

/// The type expression that reads `v` without loss, starting from `ty`.
fn fit(ty: &str, v: &Value, line: usize, page: &mut MethodPage, depth: usize) -> String {
    if depth > 16 || v.is_null() {
        return ty.to_string();
    }
    if let Some(inner) = ty.strip_suffix('?') {
        return format!("{}?", fit(inner, v, line, page, depth));
    }
    if let Some(elem) = ty.strip_suffix("[]") {
        return match v {
            Value::Array(a) => {
                let mut e = elem.to_string();
                for x in a {
                    e = fit(&e, x, line, page, depth + 1);
                }
                format!("{e}[]")
            }
            Value::Object(m) if id_keyed(m) => {
                let mut e = elem.to_string();
                for x in m.values() {
                    e = fit(&e, x, line, page, depth + 1);
                }
                format!("map<{e}>")
            }
            Value::Object(m) if m.is_empty() => ty.to_string(),
            Value::Object(_) if is_named(elem) => fit(elem, v, line, page, depth + 1),
            Value::Object(_) => "map<any>".into(),
            _ => "any".into(),
        };
    }
    if let Some(inner) = ty.strip_prefix("map<").and_then(|t| t.strip_suffix('>')) {
        return match v {
            Value::Object(m) => {
                let mut e = inner.to_string();
                for x in m.values() {
                    e = fit(&e, x, line, page, depth + 1);
                }
                format!("map<{e}>")
            }
            Value::Array(a) if a.is_empty() => ty.to_string(),
            _ => "any".into(),
        };
    }
    if is_named(ty) {
        return fit_struct(ty, v, line, page, depth);
    }
    let fits = match (ty, v) {
        ("any", _) => true,
        ("string" | "text" | "char", Value::String(_) | Value::Number(_)) => true,
        ("date" | "datetime", Value::String(s)) => {
            s.is_empty() || b24_spec::conform::is_datetime(s)
        }
        ("datetime", Value::Number(n)) => n.is_i64(),
        (
            "int" | "timestamp" | "user" | "crm_company" | "crm_contact" | "crm_deal" | "crm_lead"
            | "crm_category" | "location",
            Value::Number(n),
        ) => n.is_i64() || n.is_u64(),
        ("int" | "timestamp", Value::String(s)) => s.trim().parse::<i64>().is_ok(),
        ("float", Value::Number(_)) => true,
        ("float", Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        ("bool" | "yn" | "bool01", Value::Bool(_)) => true,
        ("bool" | "yn" | "bool01", Value::String(s)) => {
            matches!(s.as_str(), "Y" | "N" | "true" | "false" | "1" | "0" | "")
        }
        ("bool" | "yn" | "bool01", Value::Number(n)) => matches!(n.as_i64(), Some(0 | 1)),
        ("crm_status" | "crm_currency" | "crm_entity", Value::String(_)) => true,
        ("DialogId", Value::String(_) | Value::Number(_)) => true,
        ("file", _) => true,
        ("field_info", Value::Object(_)) => true,
        ("null", _) => true,
        _ => false,
    };
    if fits {
        return ty.to_string();
    }
    match v {
        Value::Object(m) if id_keyed(m) => "map<any>".into(),
        Value::Object(_) => "map<any>".into(),
        Value::Array(_) => "any[]".into(),
        // `false` where a value is not set.
        Value::Bool(false) => ty.to_string(),
        // Text where the table says a date: text.
        Value::String(_) if matches!(ty, "date" | "datetime") => "string".into(),
        // A scalar of another kind (a number where a string was documented, …).
        _ => "any".into(),
    }
}

fn fit_struct(ty: &str, v: &Value, line: usize, page: &mut MethodPage, depth: usize) -> String {
    let Some(fields) = page.types.get(ty).cloned() else {
        return ty.to_string();
    };
    let m = match v {
        Value::Object(m) => m,
        Value::Array(a) if a.is_empty() => return ty.to_string(),
        // A list where the table describes one item.
        Value::Array(a) => {
            let mut e = ty.to_string();
            for x in a {
                e = fit(&e, x, line, page, depth + 1);
            }
            return format!("{e}[]");
        }
        _ => return "any".into(),
    };
    let mut names = Names::of(&fields);
    let dynamic: Vec<String> = fields
        .iter()
        .filter(|f| f.dynamic)
        .map(|f| f.name.clone())
        .collect();
    let matches_dynamic = |k: &str| dynamic.iter().any(|d| dynamic_match(d, k));
    let known = |k: &str| names.position(k).is_some() || matches_dynamic(k);
    if id_keyed(m) && !m.keys().any(|k| known(k)) {
        let mut e = ty.to_string();
        for x in m.values() {
            e = fit(&e, x, line, page, depth + 1);
        }
        return format!("map<{e}>");
    }
    // A wrapper the table flattened: one unknown key holding what the type describes.
    let unknown: Vec<&String> = m.keys().filter(|k| !known(k)).collect();
    if unknown.len() == 1 && m.keys().all(|k| !known(k) || unknown.contains(&k)) {
        let key = unknown[0].clone();
        let inner = &m[&key];
        let overlap = |o: &serde_json::Map<String, Value>| {
            o.keys().filter(|k| known(k)).count() * 2 >= o.len().max(1)
        };
        let wraps = match inner {
            Value::Object(o) => overlap(o),
            Value::Array(a) => a.first().and_then(Value::as_object).is_some_and(overlap),
            _ => false,
        };
        if wraps && !fields.is_empty() {
            let inner_ty = fit(ty, inner, line, page, depth + 1);
            let wrapper = unique_name(page, &format!("{ty}Wrapper"));
            page.types.insert(
                wrapper.clone(),
                vec![Field::inferred(&key, &inner_ty, line)],
            );
            return wrapper;
        }
    }
    // Field by field; fields the table missed come from the example.
    let mut fields = fields;
    for (k, x) in m {
        match names.position(k) {
            Some(i) => {
                let t = fields[i].ty.clone();
                let nt = match sharpen(&fields[i].name, &t, x) {
                    Some(s) => {
                        page.warnings.push(Warning::new(
                            "kind-from-example",
                            line,
                            format!("`{k}` of `{ty}`: `{t}` in the table, `{s}` by the example"),
                        ));
                        s.to_string()
                    }
                    None => fit(&t, x, line, page, depth + 1),
                };
                fields[i].ty = nt;
            }
            None if matches_dynamic(k) => {}
            None if valid_name(k) && !names.collides(k) => {
                page.warnings.push(Warning::new(
                    "field-from-example",
                    line,
                    format!("`{k}` of `{ty}`: no table lists it, the example response has it"),
                ));
                let f = Field::inferred(k, &infer_response(x), line);
                names.add(&f, fields.len());
                fields.push(f);
            }
            None => {
                // Keys that are data, not names: the struct holds free keys too.
                if !fields.iter().any(|f| f.dynamic && f.name == "*") {
                    fields.push(open_row(line));
                }
            }
        }
    }
    page.types.insert(ty.to_string(), fields);
    ty.to_string()
}

/// A response member the tables call a string but the example shows to be more: a date
/// and time in a date's field.
fn sharpen(name: &str, ty: &str, v: &Value) -> Option<&'static str> {
    // An id sent as digits (`"ID": "8017"`) is not made an integer: the table's type
    // stands, and a real portal's `SOURCE_ID: "CALL"` or `ENTITY_ID: "shared_files_s1"`
    // shows why (DESIGN.md section 5: an example value only refines `any`).
    if ty != "string" {
        return None;
    }
    let s = v.as_str()?;
    let lower = name.to_ascii_lowercase();
    let dated = ["date", "time", "deadline", "_at"]
        .iter()
        .any(|w| lower.contains(w));
    if dated && s.len() >= 19 && s.contains(['T', ' ']) && b24_spec::conform::is_datetime(s) {
        return Some("datetime");
    }
    None
}

/// The type an example value shows: structs for objects with names for keys (made under
/// `hint`), maps for objects keyed by ids or data, lists, and the kinds of scalars.
fn infer_shape(v: &Value, hint: &str, line: usize, page: &mut MethodPage, depth: usize) -> String {
    if depth > 12 {
        return "any".into();
    }
    match v {
        Value::Array(a) => match a.first() {
            None => "any[]".into(),
            Some(first) => {
                let mut t = infer_shape(first, hint, line, page, depth + 1);
                for x in &a[1..] {
                    t = fit(&t, x, line, page, depth + 1);
                }
                format!("{t}[]")
            }
        },
        Value::Object(m) if m.is_empty() => "map<any>".into(),
        Value::Object(m) if m.values().all(is_field_description) => "map<field_info>".into(),
        Value::Object(m) if id_keyed(m) || !m.keys().all(|k| valid_name(k)) => {
            let mut vals = m.values();
            let Some(first) = vals.next() else {
                return "map<any>".into();
            };
            let mut t = infer_shape(first, hint, line, page, depth + 1);
            for x in vals {
                t = fit(&t, x, line, page, depth + 1);
            }
            format!("map<{t}>")
        }
        Value::Object(m) => {
            let ids: std::collections::BTreeSet<String> =
                m.keys().map(|k| b24_spec::naming::field_ident(k)).collect();
            if ids.len() < m.len() {
                // Two keys that become one Rust field (`chatId`, `chat_id`): free keys.
                return "map<any>".into();
            }
            let name = unique_name(page, &b24_spec::naming::pascal(hint));
            page.types.insert(name.clone(), Vec::new());
            let mut fields = Vec::new();
            for (k, x) in m {
                let ty = infer_shape(x, k, line, page, depth + 1);
                fields.push(Field::inferred(k, &ty, line));
            }
            page.types.insert(name.clone(), fields);
            name
        }
        Value::String(s)
            if b24_spec::conform::is_datetime(s) && s.len() >= 19 && s.contains(['T', ' ']) =>
        {
            "datetime".into()
        }
        Value::Null => "any".into(),
        // `false` where a value may be unset tells nothing of its kind.
        Value::Bool(false) if depth > 0 => "any".into(),
        other => infer(other),
    }
}

/// `{"type": "string", "isRequired": false, "isReadOnly": true, …}`: what the `*.fields`
/// methods describe each field with.
fn is_field_description(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.get("type").is_some_and(Value::is_string)
            && ["isRequired", "isReadOnly", "isMultiple", "isImmutable"]
                .iter()
                .any(|k| o.contains_key(*k))
    })
}

/// A dynamic row matching every key (`extra_keys = [{ pattern = "*" }]`).
pub(super) fn open_row(line: usize) -> Field {
    Field {
        dynamic: true,
        ..Field::inferred("*", "any", line)
    }
}

/// A type's fields by name, for lookups in one step: a type of n fields fitted to an
/// example of n keys costs n, not n² (the importer stays linear in a page's size).
struct Names {
    /// Exact name → index.
    exact: HashMap<String, usize>,
    /// ASCII-lowercased name → the first index with it.
    folded: HashMap<String, usize>,
    /// The Rust field names the (non-dynamic) fields take.
    idents: HashSet<String>,
}

impl Names {
    fn of(fields: &[Field]) -> Self {
        let mut n = Names {
            exact: HashMap::new(),
            folded: HashMap::new(),
            idents: HashSet::new(),
        };
        for (i, f) in fields.iter().enumerate() {
            n.add(f, i);
        }
        n
    }

    fn add(&mut self, f: &Field, i: usize) {
        self.exact.entry(f.name.clone()).or_insert(i);
        self.folded.entry(f.name.to_ascii_lowercase()).or_insert(i);
        if !f.dynamic {
            self.idents.insert(b24_spec::naming::field_ident(&f.name));
        }
    }

    /// The field named `k`, else the first named `k` in another case.
    fn position(&self, k: &str) -> Option<usize> {
        self.exact
            .get(k)
            .or_else(|| self.folded.get(&k.to_ascii_lowercase()))
            .copied()
    }

    /// `k` would become the same Rust field as one the type has (`chat_id` and `chatId`).
    fn collides(&self, k: &str) -> bool {
        self.idents.contains(&b24_spec::naming::field_ident(k))
    }
}

/// `key` would become the same Rust field as one the type has (`chat_id` and `chatId`):
/// such a member is kept among the free keys instead.
fn collides(fields: &[Field], key: &str) -> bool {
    let id = b24_spec::naming::field_ident(key);
    fields
        .iter()
        .any(|f| !f.dynamic && b24_spec::naming::field_ident(&f.name) == id)
}

pub(super) fn valid_name(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit())
}

fn unique_name(page: &MethodPage, base: &str) -> String {
    let builtin = |n: &str| {
        matches!(
            b24_spec::ty::TypeExpr::parse(n),
            Ok(b24_spec::ty::TypeExpr::Prim(_) | b24_spec::ty::TypeExpr::Domain(_))
        )
    };
    let base = if base.is_empty() || builtin(base) {
        format!("{base}Value")
    } else {
        base.to_string()
    };
    let mut n = base.clone();
    let mut i = 2;
    while page.types.contains_key(&n) {
        n = format!("{base}{i}");
        i += 1;
    }
    n
}

/// The spec type of a response value: like a request's, but objects and lists of objects
/// stay free-form (their members are not documented).
fn infer_response(v: &Value) -> String {
    match v {
        Value::Object(m) if id_keyed(m) => "map<any>".into(),
        // A date and time with its offset (`2024-04-05T12:00:00+03:00`): a date and time.
        Value::String(s)
            if b24_spec::conform::is_datetime(s) && s.len() >= 19 && s.contains(['T', ' ']) =>
        {
            "datetime".into()
        }
        Value::Null => "any".into(),
        other => infer(other),
    }
}
