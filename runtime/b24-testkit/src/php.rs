//! PHP-style parameters: `filter[>ID]=5&select[]=ID&cmd[a]=…` into nested JSON.

use serde_json::{Map, Value};

/// Parses a query string or form body with PHP-style nested keys. Values are strings.
pub fn parse_query(q: &str) -> Value {
    let mut root = Value::Object(Map::new());
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        insert(&mut root, &k, Value::String(v.into_owned()));
    }
    root
}

/// Inserts `value` at the PHP key `key` (`a[b][]`).
pub fn insert(root: &mut Value, key: &str, value: Value) {
    let (base, rest) = match key.find('[') {
        Some(i) if key.ends_with(']') => (&key[..i], &key[i..]),
        _ => (key, ""),
    };
    let mut path: Vec<&str> = vec![base];
    let mut r = rest;
    while let Some(stripped) = r.strip_prefix('[') {
        match stripped.find(']') {
            Some(end) => {
                path.push(&stripped[..end]);
                r = &stripped[end + 1..];
            }
            None => break,
        }
    }
    let mut cur = root;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        if seg.is_empty() && i > 0 {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            let Value::Array(a) = cur else { return };
            if last {
                a.push(value);
                return;
            }
            a.push(Value::Object(Map::new()));
            let Some(next) = a.last_mut() else { return };
            cur = next;
            continue;
        }
        if !cur.is_object() {
            // `a[0]=x` after `a[]=y` and similar: turn the array into a map by index.
            let old = std::mem::take(cur);
            let mut m = Map::new();
            if let Value::Array(items) = old {
                for (j, item) in items.into_iter().enumerate() {
                    m.insert(j.to_string(), item);
                }
            }
            *cur = Value::Object(m);
        }
        let Value::Object(m) = cur else { return };
        if last {
            m.insert(seg.to_string(), value);
            return;
        }
        cur = m
            .entry(seg.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys() {
        let v = parse_query(
            "filter%5B%3EID%5D=5&filter[STAGE_ID]=NEW&select[]=ID&select[]=TITLE&start=-1&order[ID]=ASC",
        );
        assert_eq!(
            v,
            json!({"filter": {">ID": "5", "STAGE_ID": "NEW"}, "select": ["ID", "TITLE"], "start": "-1", "order": {"ID": "ASC"}})
        );
    }

    #[test]
    fn batch_commands_keep_their_order() {
        let v = parse_query("cmd[z]=user.current&cmd[a]=crm.deal.get%3Fid%3D1&halt=1");
        let cmd = v["cmd"].as_object().expect("cmd map");
        assert_eq!(cmd.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(cmd["a"], "crm.deal.get?id=1");
    }

    #[test]
    fn deep_and_odd_keys() {
        let v = parse_query("fields[UF][0]=a&fields[UF][1]=b&x[]=1&x[k]=2&plain=%D0%AF");
        assert_eq!(v["fields"]["UF"], json!({"0": "a", "1": "b"}));
        assert_eq!(v["x"], json!({"0": "1", "k": "2"}));
        assert_eq!(v["plain"], "Я");
    }
}
