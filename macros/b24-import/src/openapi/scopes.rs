//! The method-to-scope list of `rest.scope.list` (REST 3.0).
//!
//! The docs say what the method gives (the scope of every method, for all modules: page
//! `api-reference/rest-v3.md#permissions`) but show no answer, so [`read`] takes the forms
//! such a list can have and is strict about everything else:
//!
//! - `{"<scope>": ["<method>", …]}`: a scope and its methods (an array value);
//! - `{"<method>": "<scope>"}`: a method and its scope (a string value);
//! - `[{"method": "<method>", "scope": "<scope>" | ["<scope>", …]}, …]`, also under `items`;
//! - any of these grouped by module (`{"<module>": {…}}`), and the whole under `result`.
//!
//! [`b24_spec::openapi::scope_list`] writes the first form (the fake portal's answer).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Method → its scopes, from a `rest.scope.list` answer (or its `result`). An entry of no
/// form above is an error naming its JSON path.
pub fn read(answer: &Value) -> Result<BTreeMap<String, Vec<String>>, String> {
    let root = answer.get("result").unwrap_or(answer);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    walk(root, "result", 0, &mut out)?;
    Ok(out
        .into_iter()
        .map(|(m, s)| (m, s.into_iter().collect()))
        .collect())
}

fn walk(
    v: &Value,
    at: &str,
    depth: usize,
    out: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<(), String> {
    if depth > 4 {
        return Err(format!("{at}: nested deeper than a scope list is"));
    }
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                record(item, &format!("{at}[{i}]"), out)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{at}.{key}");
                match value {
                    Value::String(scope) => {
                        add(out, key, scope, &here)?;
                    }
                    Value::Array(methods) if methods.iter().all(Value::is_string) => {
                        for m in methods.iter().filter_map(Value::as_str) {
                            add(out, m, key, &here)?;
                        }
                    }
                    Value::Array(_) | Value::Object(_) => walk(value, &here, depth + 1, out)?,
                    _ => {
                        return Err(format!(
                            "{here}: neither a scope (a string), methods (strings) nor a group"
                        ));
                    }
                }
            }
            Ok(())
        }
        _ => Err(format!("{at}: not a list of methods and scopes")),
    }
}

fn record(
    item: &Value,
    at: &str,
    out: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<(), String> {
    let method = item
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{at}: a record without a `method` string"))?;
    match item.get("scope") {
        Some(Value::String(s)) => add(out, method, s, at),
        Some(Value::Array(ss)) if ss.iter().all(Value::is_string) => {
            for s in ss.iter().filter_map(Value::as_str) {
                add(out, method, s, at)?;
            }
            Ok(())
        }
        _ => Err(format!(
            "{at}: a record without a `scope` string or strings"
        )),
    }
}

fn add(
    out: &mut BTreeMap<String, BTreeSet<String>>,
    method: &str,
    scope: &str,
    at: &str,
) -> Result<(), String> {
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    if !word(method) || !word(scope) {
        return Err(format!(
            "{at}: `{method}` → `{scope}` is not a method and a scope"
        ));
    }
    out.entry(method.to_string())
        .or_default()
        .insert(scope.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn every_form_reads_and_bad_entries_are_named() {
        let forms = [
            json!({"result": {"task": ["tasks.task.add", "tasks.task.get"], "user.userfield": ["user.userfield.add"]}}),
            json!({"tasks.task.add": "task", "tasks.task.get": "task", "user.userfield.add": "user.userfield"}),
            json!({"items": [{"method": "tasks.task.add", "scope": ["task"]}, {"method": "tasks.task.get", "scope": "task"}, {"method": "user.userfield.add", "scope": "user.userfield"}]}),
            json!({"result": {"tasks": {"task": ["tasks.task.add", "tasks.task.get"]}, "main": {"user.userfield.add": "user.userfield"}}}),
        ];
        for f in &forms {
            let m = super::read(f).expect("reads");
            assert_eq!(m.len(), 3, "{f}");
            assert_eq!(m["tasks.task.get"], ["task"], "{f}");
            assert_eq!(m["user.userfield.add"], ["user.userfield"], "{f}");
        }
        let bad = super::read(&json!({"result": {"task": 5}})).expect_err("a number");
        assert!(bad.starts_with("result.task:"), "{bad}");
        let bad = super::read(&json!({"items": [{"scope": "task"}]})).expect_err("no method");
        assert!(bad.contains("result.items[0]"), "{bad}");
    }
}
