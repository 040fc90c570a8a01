//! PHP's bracket-key form (`filter[>ID]=5&select[0]=ID&data[FIELDS][ID]=42`): how a
//! Bitrix24 portal reads a query string or a form body into nested parameters, and how it
//! writes the events it posts. One codec for all of b24 — the batch's commands, the event
//! handler, the command line's `key[sub]=value` and the fake portal — so that each form
//! means the same everywhere.
//!
//! **Writing** ([`encode`], [`pairs`]):
//! - an object's members are `key[member]`, a list's items `key[0]`, `key[1]`, … (indexes,
//!   as PHP's `http_build_query` writes them; a portal reads `key[]` the same);
//! - `true` is `1` and `false` is `0` (what PHP writes; use `"Y"`/`"N"` where a method
//!   wants those);
//! - `null`, an empty list and an empty object have no form: they are left out;
//! - a number is written as JSON writes it; names and values are percent-encoded (a
//!   space is `+`), the brackets are not.
//!
//! **Reading** ([`decode`], [`insert`]):
//! - every value read from a form is a string (`"5"`, `"1"`): a form has no other kind;
//!   an empty value is `""`;
//! - `key[]` appends to a list; items given as `key[0]`, `key[1]`, … in order make a list;
//!   any other key (`key[5]` first, `key[name]`) makes an object, a list so far turned
//!   into an object keyed by its indexes;
//! - a later pair wins over an earlier one, as in PHP: `a=1&a[b]=2` is `{"a": {"b": "2"}}`;
//! - a name that is empty, an unclosed `[`, or a name nested deeper than [`MAX_DEPTH`]
//!   levels is an error naming the key.
//!
//! A key that is empty or holds `[` or `]` below the top level has no faithful form
//! (`[]` appends); the property tests round-trip everything else:
//! `decode(encode(v))` is `v` with its scalars as strings and its `null`s and empty
//! containers left out.
//!
//! ```
//! use serde_json::json;
//! let v = json!({"filter": {">ID": 5}, "select": ["ID", "TITLE"], "fields": {"OPENED": true, "X": null}});
//! let form = b24::form::encode(&v);
//! assert_eq!(form, "filter[%3EID]=5&select[0]=ID&select[1]=TITLE&fields[OPENED]=1");
//! assert_eq!(
//!     b24::form::decode(form.as_bytes())?,
//!     json!({"filter": {">ID": "5"}, "select": ["ID", "TITLE"], "fields": {"OPENED": "1"}})
//! );
//! # Ok::<(), b24::form::FormError>(())
//! ```

use serde_json::{Map, Value};

/// The most `[…]` levels one key may have: deeper keys are refused, not followed.
pub const MAX_DEPTH: usize = 16;

/// A form that cannot be read: the key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form key `{key}`: {reason}")]
pub struct FormError {
    key: String,
    reason: &'static str,
}

impl FormError {
    fn new(key: &str, reason: &'static str) -> FormError {
        // A key is the sender's text: cut, so that an error never carries a whole body.
        let key: String = key.chars().take(120).collect();
        FormError { key, reason }
    }

    /// The key as it came (cut at 120 characters).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &str {
        self.reason
    }
}

/// `value` as a form, percent-encoded: see the [module](self) for what each JSON value
/// becomes. The members of a top-level list are named by their index.
pub fn encode(value: &Value) -> String {
    encode_with(value, &|_| None)
}

/// [`encode`], with strings `verbatim` recognises written as it gives them, unencoded (a
/// batch's `$result[key]` references).
pub(crate) fn encode_with(value: &Value, verbatim: &dyn Fn(&str) -> Option<&str>) -> String {
    let mut out = String::new();
    walk(value, &mut String::new(), &mut |key, text, plain| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        match verbatim(text) {
            Some(raw) => out.push_str(raw),
            None if plain => out.push_str(text),
            None => out.extend(form_urlencoded::byte_serialize(text.as_bytes())),
        }
    });
    out
}

/// The form's pairs, not encoded: `("filter[>ID]", "5")`, in the order of [`encode`].
pub fn pairs(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk_raw(value, &mut String::new(), &mut out);
    out
}

/// Calls `emit` with each (encoded key, text, whether the text needs no encoding) of
/// `value`.
fn walk(value: &Value, key: &mut String, emit: &mut dyn FnMut(&str, &str, bool)) {
    match value {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                let at = key.len();
                push_segment(key, &encoded(k));
                walk(v, key, emit);
                key.truncate(at);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let at = key.len();
                push_segment(key, &i.to_string());
                walk(v, key, emit);
                key.truncate(at);
            }
        }
        Value::Bool(b) => emit(key, if *b { "1" } else { "0" }, true),
        Value::Number(n) => emit(key, &n.to_string(), false),
        Value::String(s) => emit(key, s, false),
    }
}

fn walk_raw(value: &Value, key: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                let at = key.len();
                push_segment(key, k);
                walk_raw(v, key, out);
                key.truncate(at);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let at = key.len();
                push_segment(key, &i.to_string());
                walk_raw(v, key, out);
                key.truncate(at);
            }
        }
        Value::Bool(b) => out.push((key.clone(), if *b { "1" } else { "0" }.into())),
        Value::Number(n) => out.push((key.clone(), n.to_string())),
        Value::String(s) => out.push((key.clone(), s.clone())),
    }
}

/// `key` with one more level: the name itself at the top, `[segment]` below it.
fn push_segment(key: &mut String, segment: &str) {
    if key.is_empty() {
        key.push_str(segment);
    } else {
        key.push('[');
        key.push_str(segment);
        key.push(']');
    }
}

fn encoded(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A form (a query string or an `application/x-www-form-urlencoded` body) as a JSON
/// object: see the [module](self) for how its keys nest.
pub fn decode(form: &[u8]) -> Result<Value, FormError> {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(form) {
        insert(&mut root, &key, Value::String(value.into_owned()))?;
    }
    Ok(root)
}

/// Sets `key` (`a`, `a[b]`, `a[b][]`) to `value` in `root`, as a form's pair would be —
/// with a value of any JSON kind (the command line's `fields[OPPORTUNITY]=1500.5`).
/// `root` becomes an object if it is not one.
pub fn insert(root: &mut Value, key: &str, value: Value) -> Result<(), FormError> {
    let path = segments(key)?;
    let mut at = root;
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    for (i, seg) in path.iter().enumerate() {
        let next = path.get(i + 1).copied();
        let slot = child(at, seg, next);
        if next.is_none() {
            *slot = value;
            return Ok(());
        }
        at = slot;
    }
    Ok(())
}

/// The levels of `key`: its name, then each `[…]`.
fn segments(key: &str) -> Result<Vec<&str>, FormError> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(FormError::new(key, "a pair without a name"));
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let Some((seg, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
            return Err(FormError::new(key, "an unclosed `[`"));
        };
        path.push(seg);
        rest = after;
        if path.len() > MAX_DEPTH {
            return Err(FormError::new(key, "nested deeper than 16 levels"));
        }
    }
    Ok(path)
}

/// The place of `seg` in the container `at` (made one when it is a value: a later pair
/// wins), created as a list when the level after it (`next`) starts one.
fn child<'v>(at: &'v mut Value, seg: &str, next: Option<&str>) -> &'v mut Value {
    let fresh = || match next {
        Some("" | "0") => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
        None => Value::Null,
    };
    // A list takes its next index (`[]`, or the index it has reached) and the indexes it
    // has; any other name turns it into an object keyed by its indexes.
    if let Value::Array(list) = at {
        let index = if seg.is_empty() {
            Some(list.len())
        } else {
            seg.parse::<usize>()
                .ok()
                .filter(|i| *i <= list.len() && seg == i.to_string())
        };
        if index.is_none() {
            let items = std::mem::take(list);
            *at = Value::Object(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
            );
        }
    }
    match at {
        Value::Array(list) => {
            let i = if seg.is_empty() {
                list.len()
            } else {
                seg.parse::<usize>().unwrap_or(list.len())
            };
            if i >= list.len() {
                list.push(fresh());
            }
            let last = list.len() - 1;
            settle(&mut list[i.min(last)], next, fresh)
        }
        Value::Object(map) => {
            let name = if seg.is_empty() {
                map.len().to_string()
            } else {
                seg.to_string()
            };
            settle(map.entry(name).or_insert_with(fresh), next, fresh)
        }
        other => {
            *other = Value::Object(Map::new());
            child(other, seg, next)
        }
    }
}

/// `slot`, made a container when a level follows and it holds a value.
fn settle<'v>(slot: &'v mut Value, next: Option<&str>, fresh: impl Fn() -> Value) -> &'v mut Value {
    if next.is_some() && !is_container(slot) {
        *slot = fresh();
    }
    slot
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Array(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tree_is_written_as_php_writes_it() {
        let q = encode(&json!({
            "filter": {">ID": 5, "STAGE_ID": ["NEW", "WON"]},
            "select": ["ID", "TITLE"],
            "fields": {"TITLE": "a b&c", "OPENED": true, "CLOSED": false},
            "none": null,
            "empty": [],
            "start": -1
        }));
        assert_eq!(
            q,
            "filter[%3EID]=5&filter[STAGE_ID][0]=NEW&filter[STAGE_ID][1]=WON&select[0]=ID&select[1]=TITLE&fields[TITLE]=a+b%26c&fields[OPENED]=1&fields[CLOSED]=0&start=-1"
        );
        assert_eq!(
            pairs(&json!({"a": {"b c": [true]}})),
            [("a[b c][0]".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn a_form_reads_into_a_tree_of_strings() {
        let v = decode(
            b"filter%5B%3EID%5D=5&filter[STAGE_ID]=NEW&select[]=ID&select[]=TITLE&start=-1&fields[UF][0]=a&fields[UF][1]=b&x[]=1&x[k]=2&plain=%D0%AF&e=",
        )
        .expect("a form");
        assert_eq!(
            v,
            json!({
                "filter": {">ID": "5", "STAGE_ID": "NEW"},
                "select": ["ID", "TITLE"],
                "start": "-1",
                "fields": {"UF": ["a", "b"]},
                "x": {"0": "1", "k": "2"},
                "plain": "Я",
                "e": ""
            })
        );
        // Indexes out of order, or not from 0, make an object; order is kept.
        let v = decode(b"a[1]=x&a[0]=y&cmd[z]=1&cmd[a]=2").expect("a form");
        assert_eq!(
            v,
            json!({"a": {"1": "x", "0": "y"}, "cmd": {"z": "1", "a": "2"}})
        );
        assert_eq!(
            v["cmd"]
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["z".to_string(), "a".to_string()])
        );
    }

    #[test]
    fn a_later_pair_wins_as_in_php() {
        assert_eq!(
            decode(b"a=1&a[b]=2").expect("form"),
            json!({"a": {"b": "2"}})
        );
        assert_eq!(decode(b"a[b]=2&a=1").expect("form"), json!({"a": "1"}));
        assert_eq!(decode(b"a=1&a=2").expect("form"), json!({"a": "2"}));
        assert_eq!(
            decode(b"a[]=1&a[0][x]=2").expect("form"),
            json!({"a": [{"x": "2"}]})
        );
    }

    #[test]
    fn a_bad_key_is_named() {
        for (form, reason) in [
            (&b"=5"[..], "a pair without a name"),
            (b"[a]=1", "a pair without a name"),
            (b"a[b=1", "an unclosed `[`"),
            (
                b"a[1][2][3][4][5][6][7][8][9][10][11][12][13][14][15][16]=x",
                "nested deeper than 16 levels",
            ),
        ] {
            let e = decode(form).expect_err("refused");
            assert_eq!(e.reason(), reason, "{e}");
            assert!(e.to_string().contains("form key `"), "{e}");
        }
    }

    #[test]
    fn a_typed_value_goes_in_at_its_key() {
        let mut root = json!({"select": ["ID"]});
        for (k, v) in [
            ("select[]", json!("TITLE")),
            ("fields[OPPORTUNITY]", json!(1500.5)),
            ("fields[UF][]", json!(true)),
        ] {
            insert(&mut root, k, v).expect("inserted");
        }
        assert_eq!(
            root,
            json!({"select": ["ID", "TITLE"], "fields": {"OPPORTUNITY": 1500.5, "UF": [true]}})
        );
    }

    #[test]
    fn a_reference_goes_verbatim() {
        let q = encode_with(&json!({"id": "\u{1}$result[a]", "t": "$x"}), &|s| {
            s.strip_prefix("\u{1}")
        });
        assert_eq!(q, "id=$result[a]&t=%24x");
    }
}
