//! A method's parameters from the command line: `--json '{…}'`, `--json @file`,
//! `--json -` (standard input), then `key=value` pairs over it, each key read as a PHP
//! form's key (`fields[TITLE]`, `select[]`: `b24_core::form`, whose docs say how they
//! nest), each value as JSON when it is JSON.

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
        b24_core::form::insert(&mut params, key, value_of(value))
            .map_err(|e| Fail::Input(format!("`{pair}`: {}", e.reason())))?;
    }
    Ok(params)
}

/// A value as JSON when it is JSON, as text otherwise (`5` → 5, `Deal` → "Deal").
fn value_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
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
