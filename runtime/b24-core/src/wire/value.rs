//! Helpers over an already parsed [`Value`]: the members of an object, positional
//! arguments. Requests decoded from JSON (`Method::from_params`) go this way.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{FromWire, WireError};

/// Decodes a member of an object (helper for generated code).
#[doc(hidden)]
pub fn field<T: FromWire>(obj: &serde_json::Map<String, Value>, key: &str) -> Result<T, WireError> {
    match obj.get(key) {
        None | Some(Value::Null) => match T::absent() {
            Some(t) => Ok(t),
            None => match obj.get(key) {
                Some(v) => T::from_wire(v).map_err(|e| e.in_key(key)),
                None => Err(WireError::missing(key)),
            },
        },
        Some(v) => T::from_wire(v).map_err(|e| e.in_key(key)),
    }
}

/// Decodes a member found by a scan of the object (helper for generated code).
#[doc(hidden)]
pub fn field_at<T: FromWire>(member: Option<&Value>, key: &str) -> Result<T, WireError> {
    match member {
        None | Some(Value::Null) => match T::absent() {
            Some(t) => Ok(t),
            None => match member {
                Some(v) => T::from_wire(v).map_err(|e| e.in_key(key)),
                None => Err(WireError::missing(key)),
            },
        },
        Some(v) => T::from_wire(v).map_err(|e| e.in_key(key)),
    }
}

/// The object a struct decodes from; `[]` counts as an empty object.
#[doc(hidden)]
pub fn object(v: &Value) -> Result<&serde_json::Map<String, Value>, WireError> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    match v {
        Value::Object(m) => Ok(m),
        Value::Array(a) if a.is_empty() => Ok(EMPTY.get_or_init(serde_json::Map::new)),
        _ => Err(WireError::expected("an object", v)),
    }
}

/// A scalar as a string (enum decoding).
#[doc(hidden)]
pub fn scalar_string(v: &Value) -> Result<String, WireError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(WireError::expected("a string or a number", v)),
    }
}

/// Finds the members of `obj` named in `names`, in one pass: an exact name first, else a
/// name in another letter case (the REST v2 server reads parameter names in any case).
/// Members matching no name go to `extra` when given (a struct's free keys), else are
/// left out. Helper for generated code.
#[doc(hidden)]
pub fn slots<'v, const N: usize>(
    obj: &'v serde_json::Map<String, Value>,
    names: &[&str; N],
    mut extra: Option<&mut BTreeMap<String, Value>>,
) -> [Option<&'v Value>; N] {
    let mut out: [Option<&'v Value>; N] = [None; N];
    let mut rest: Vec<(&'v String, &'v Value)> = Vec::new();
    for (key, member) in obj {
        let k = key.as_str();
        match names.iter().position(|n| n.len() == k.len() && *n == k) {
            Some(i) => out[i] = Some(member),
            None => rest.push((key, member)),
        }
    }
    for (key, member) in rest {
        let k = key.as_str();
        match names
            .iter()
            .position(|n| n.len() == k.len() && n.eq_ignore_ascii_case(k))
        {
            Some(i) if out[i].is_none() => out[i] = Some(member),
            _ => {
                if let Some(e) = extra.as_deref_mut() {
                    e.insert(key.clone(), member.clone());
                }
            }
        }
    }
    out
}

/// Whether `value` gives a positional method's arguments by name: an object whose every key
/// (but the REST server's own `start`) is one of `names`. Helper for generated code.
#[doc(hidden)]
pub fn by_name(value: &Value, names: &[&str]) -> bool {
    value.as_object().is_some_and(|m| {
        m.keys()
            .filter(|k| *k != "start")
            .all(|k| names.iter().any(|n| n.eq_ignore_ascii_case(k)))
    })
}

/// The named arguments of a positional method: a JSON array in `names` order, or an
/// object — by name when every key (but the REST server's own `start`) is a name, else by
/// the order of its values (the docs show both). Helper for generated code.
#[doc(hidden)]
pub fn positional<'v>(
    value: &'v Value,
    names: &[&str],
) -> Result<std::borrow::Cow<'v, serde_json::Map<String, Value>>, WireError> {
    use std::borrow::Cow;
    let by_order = |vals: Vec<&Value>, start: Option<&Value>| {
        let mut m: serde_json::Map<String, Value> = names
            .iter()
            .zip(vals)
            .map(|(n, v)| ((*n).to_string(), v.clone()))
            .collect();
        if let Some(s) = start {
            m.insert("start".into(), s.clone());
        }
        m
    };
    match value {
        Value::Array(args) => Ok(Cow::Owned(by_order(args.iter().collect(), None))),
        Value::Object(m) => {
            if by_name(value, names) {
                Ok(Cow::Borrowed(m))
            } else {
                let vals = m
                    .iter()
                    .filter(|(k, _)| *k != "start")
                    .map(|(_, v)| v)
                    .collect();
                Ok(Cow::Owned(by_order(vals, m.get("start"))))
            }
        }
        _ => Err(WireError::expected(
            "the arguments (an array, or an object)",
            value,
        )),
    }
}

/// The body of a positional method: its arguments as an array in parameter order, or —
/// when extra parameters are set, or `by_name` (the caller named them, and the method
/// takes names) — an object whose keys follow that order and then the extras (the REST
/// server reads an object's values in order and `start` by name).
/// Helper for generated code.
#[doc(hidden)]
pub fn positional_body(
    named: Value,
    names: &[&str],
    extra: &BTreeMap<String, Value>,
    by_name: bool,
) -> Value {
    let Value::Object(mut m) = named else {
        return named;
    };
    for k in extra.keys() {
        m.shift_remove(k);
    }
    if extra.is_empty() && !by_name {
        let mut args: Vec<Value> = names
            .iter()
            .map(|n| m.get(*n).cloned().unwrap_or(Value::Null))
            .collect();
        while args.last().is_some_and(Value::is_null) {
            args.pop();
        }
        return Value::Array(args);
    }
    // Read by name, the trailing arguments the caller left out stay out; a gap before a
    // given argument is a `null` (the server reads the values by order).
    let given = if by_name && extra.is_empty() {
        names
            .iter()
            .rposition(|n| m.get(*n).is_some_and(|v| !v.is_null()))
            .map_or(0, |i| i + 1)
    } else {
        names.len()
    };
    let mut out = serde_json::Map::new();
    for n in &names[..given] {
        out.insert((*n).to_string(), m.get(*n).cloned().unwrap_or(Value::Null));
    }
    for (k, v) in extra {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_carry_the_json_path() {
        let v = json!({"items": [{"id": 1}, {"id": "x"}]});
        let obj = object(&v).expect("object");
        let e = field::<Vec<BTreeMap<String, i64>>>(obj, "items").expect_err("x is not an int");
        assert_eq!(e.path_from("$.result"), "$.result.items[1].id");
        assert!(e.to_string().contains("expected an integer"), "{e}");
        assert!(e.to_string().contains("\"x\""), "{e}");
    }

    #[test]
    fn missing_members() {
        let v = json!({"a": 1});
        let obj = object(&v).expect("object");
        let e = field::<i64>(obj, "b").expect_err("b is missing");
        assert_eq!(e.path_from("$"), "$.b");
        assert_eq!(field::<Option<i64>>(obj, "b"), Ok(None));
        assert_eq!(field::<Value>(obj, "b"), Ok(Value::Null));
    }

    #[test]
    fn slots_prefer_exact_names_then_any_case_and_keep_the_rest() {
        let v = json!({"id": 1, "ID": 2, "title": "t", "UF_CRM_1": 3});
        let obj = object(&v).expect("object");
        let mut extra = BTreeMap::new();
        let [id, title, missing] = slots(obj, &["ID", "TITLE", "X"], Some(&mut extra));
        assert_eq!(id, Some(&json!(2)));
        assert_eq!(title, Some(&json!("t")));
        assert_eq!(missing, None);
        // `id` lost to the exact `ID`; both unknown keys are kept.
        assert_eq!(extra.keys().collect::<Vec<_>>(), ["UF_CRM_1", "id"]);
    }

    #[test]
    fn positional_arguments_by_array_name_or_order() {
        let names = ["TASKID", "FIELDS"];
        let (va, vb, vc) = (
            json!([5, {"T": 1}]),
            json!({"taskid": 5, "start": 50}),
            json!({"id": 5, "fields": {"T": 1}, "start": 0}),
        );
        let a = positional(&va, &names).expect("array");
        assert_eq!(a.get("TASKID"), Some(&json!(5)));
        let b = positional(&vb, &names).expect("named");
        assert_eq!(b.get("taskid"), Some(&json!(5)));
        // The docs' `{"fields": {…}}` for TASKDATA-like tables: by order.
        let c = positional(&vc, &names).expect("order");
        assert_eq!(c.get("TASKID"), Some(&json!(5)));
        assert_eq!(c.get("FIELDS"), Some(&json!({"T": 1})));
        assert_eq!(c.get("start"), Some(&json!(0)));
        assert!(positional(&json!(5), &names).is_err());
    }

    #[test]
    fn positional_bodies() {
        let names = ["TASKID", "ORDER", "FILTER"];
        let named = json!({"TASKID": 5, "FILTER": {"ID": 1}});
        assert_eq!(
            positional_body(named.clone(), &names, &BTreeMap::new(), false),
            json!([5, null, {"ID": 1}])
        );
        let extra: BTreeMap<String, Value> = [("start".to_string(), json!(50))].into();
        let mut with_extra = named;
        with_extra["start"] = json!(50);
        assert_eq!(
            positional_body(with_extra, &names, &extra, false),
            json!({"TASKID": 5, "ORDER": null, "FILTER": {"ID": 1}, "start": 50})
        );
        // Named by the caller: sent by name, a gap kept as `null`, no trailing `null`s.
        assert_eq!(
            positional_body(
                json!({"TASKID": 5, "FILTER": {"ID": 1}}),
                &names,
                &BTreeMap::new(),
                true
            ),
            json!({"TASKID": 5, "ORDER": null, "FILTER": {"ID": 1}})
        );
        assert_eq!(
            positional_body(json!({"TASKID": 5}), &names, &BTreeMap::new(), true),
            json!({"TASKID": 5})
        );
    }
}
