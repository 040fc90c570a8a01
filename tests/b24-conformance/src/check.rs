//! What one example does to one binding: read it through the binding's types, and see
//! what comes back out.

use b24::__private::wire::FromWire;
use b24::Method;
use serde_json::Value;

/// One binding of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Method name.
    pub name: &'static str,
    /// `v2` or `v3`.
    pub api: &'static str,
    /// Example parameters → the binding's request (decoded, validated) → its body.
    pub request: fn(&Value) -> Result<Value, String>,
    /// An example `result` → the binding's result type → re-encoded.
    pub result: fn(&Value) -> Result<Value, String>,
}

/// Reads example parameters into `M` as `Method::from_params` does (tolerant decoding,
/// then the binding's validation) and gives back the body `M` would send.
pub fn request<M: Method + FromWire>(params: &Value) -> Result<Value, String> {
    let m = M::from_params(params.clone()).map_err(|e| e.to_string())?;
    m.params()
        .map_err(|e| format!("cannot encode the request: {e}"))
}

/// Reads an example `result` into `M::Output` and re-encodes it.
pub fn result<M: Method>(result: &Value) -> Result<Value, String>
where
    M::Output: serde::Serialize,
{
    let out = <M::Output as FromWire>::from_wire(result).map_err(|e| {
        format!(
            "cannot decode: {}",
            e.to_string().replacen("at $", "at $.result", 1)
        )
    })?;
    serde_json::to_value(&out).map_err(|e| format!("cannot re-encode: {e}"))
}

/// Every member of `example` that `encoded` does not hold any more (compared by key, in
/// any letter case, at any depth). `null` members and empty containers hold nothing, and
/// neither do `false` and `""` where a binding reads them as "not set" (`None`), as the
/// REST API means them.
pub fn losses(example: &Value, encoded: &Value, path: &str, out: &mut Vec<String>) {
    match (example, encoded) {
        (Value::Object(e), Value::Object(c)) => {
            for (k, v) in e {
                if v.is_null() {
                    continue;
                }
                let here = member(path, k);
                let found = c.get(k).or_else(|| {
                    c.iter()
                        .find(|(ck, _)| ck.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v)
                });
                match found {
                    Some(cv) => losses(v, cv, &here, out),
                    None if empty(v) || unset(v) => {}
                    None => out.push(here),
                }
            }
        }
        (Value::Array(e), Value::Array(c)) => {
            for (i, v) in e.iter().enumerate() {
                match c.get(i) {
                    Some(cv) => losses(v, cv, &format!("{path}[{i}]"), out),
                    None if v.is_null() || empty(v) => {}
                    None => out.push(format!("{path}[{i}]")),
                }
            }
        }
        // A PHP list sent as an object, or read back as a list: compared by order.
        (Value::Object(e), Value::Array(c)) => {
            for ((k, v), cv) in e.iter().zip(c) {
                losses(v, cv, &member(path, k), out);
            }
        }
        (Value::Array(e), Value::Object(c)) => {
            for (i, (v, cv)) in e.iter().zip(c.values()).enumerate() {
                losses(v, cv, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Object(e), _) if !e.is_empty() => out.push(path.to_string()),
        (Value::Array(e), _) if !e.is_empty() => out.push(path.to_string()),
        _ => {}
    }
}

fn unset(v: &Value) -> bool {
    matches!(v, Value::Bool(false)) || v.as_str() == Some("")
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn member(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}
