//! A method's parameters from the command line: `--json '{…}'`, `--json @file`,
//! `--json -` (standard input), then `key=value` pairs over it.

use serde_json::{Map, Value};

use crate::fail::Fail;

/// The parameters: the JSON object given, with each `key=value` set on it.
pub fn read(json: Option<&str>, pairs: &[String]) -> Result<Value, Fail> {
    let mut params = match json {
        None => Value::Object(Map::new()),
        Some(text) => {
            let (from, text) = if text == "-" || text == "@-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .map_err(|e| Fail::Input(format!("standard input: {e}")))?;
                ("standard input".to_string(), s)
            } else if let Some(path) = text.strip_prefix('@') {
                let s = std::fs::read_to_string(path)
                    .map_err(|e| Fail::Input(format!("{path}: {e}")))?;
                (path.to_string(), s)
            } else {
                ("--json".to_string(), text.to_string())
            };
            let v: Value = serde_json::from_str(&text).map_err(|e| {
                Fail::Input(format!("{from}:{}:{}: not JSON: {e}", e.line(), e.column()))
            })?;
            if !v.is_object() {
                return Err(Fail::Input(format!(
                    "{from}: the parameters are a JSON object, not {}",
                    b24_spec::conform::json_kind(&v)
                )));
            }
            v
        }
    };
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Fail::Input(format!(
                "`{pair}` is not `key=value` (use --json for a whole object)"
            )));
        };
        set(&mut params, key, value_of(value))
            .map_err(|why| Fail::Input(format!("`{pair}`: {why}")))?;
    }
    Ok(params)
}

/// A value as JSON when it is JSON, as text otherwise (`5` → 5, `Deal` → "Deal").
fn value_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

/// Sets `key` (`a`, `a[b]`, `a[b][]`) to `value` in `root`.
fn set(root: &mut Value, key: &str, value: Value) -> Result<(), String> {
    let (head, rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err("the key is empty".into());
    }
    let mut path = vec![head.to_string()];
    let mut rest = rest;
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
            return Err(format!("`{key}` has an unclosed `[`"));
        };
        path.push(inner.0.to_string());
        rest = inner.1;
    }
    let mut at = root;
    let last = path.len() - 1;
    for (i, seg) in path.iter().enumerate() {
        let end = i == last;
        if seg.is_empty() {
            let Value::Array(list) = at else {
                return Err(format!(
                    "`{key}`: `[]` appends to a list, and this is not one"
                ));
            };
            if end {
                list.push(value);
                return Ok(());
            }
            list.push(Value::Object(Map::new()));
            at = list.last_mut().ok_or("a list was just appended to")?;
            continue;
        }
        let next_is_list = path.get(i + 1).is_some_and(String::is_empty);
        let Value::Object(map) = at else {
            return Err(format!(
                "`{key}`: `{seg}` is inside a value that is not an object"
            ));
        };
        if end {
            map.insert(seg.clone(), value);
            return Ok(());
        }
        at = map.entry(seg.clone()).or_insert_with(|| {
            if next_is_list {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn pairs_nest_and_read_json() {
        let p = super::read(
            Some(r#"{"select": ["ID"]}"#),
            &[
                "id=5".into(),
                "fields[TITLE]=New deal".into(),
                "fields[OPPORTUNITY]=1500.5".into(),
                "select[]=TITLE".into(),
                "flag=true".into(),
                "code=\"007\"".into(),
            ],
        )
        .expect("params");
        assert_eq!(
            p,
            json!({
                "select": ["ID", "TITLE"],
                "id": 5,
                "fields": {"TITLE": "New deal", "OPPORTUNITY": 1500.5},
                "flag": true,
                "code": "007"
            })
        );
        for bad in ["novalue", "=5", "a[b=1"] {
            assert!(super::read(None, &[bad.into()]).is_err(), "{bad}");
        }
        assert!(super::read(Some("[1]"), &[]).is_err());
    }
}
