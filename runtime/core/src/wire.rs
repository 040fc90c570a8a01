//! Tolerant decoding of response values.
//!
//! REST v2 sends numbers as strings (`"ID": "37"`), booleans as `Y`/`N`, empty maps as
//! `[]` and "not set" as `false`. [`FromWire`] accepts all of these and, when a value
//! really is wrong, says where: [`WireError`] carries the JSON path.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// Decodes a type from a JSON value of a response, accepting the forms the REST API uses.
pub trait FromWire: Sized {
    /// Decodes `value`.
    fn from_wire(value: &Value) -> Result<Self, WireError>;

    /// The value to use when the member is absent or `null`; `None` makes that an error.
    fn absent() -> Option<Self> {
        None
    }
}

/// A response value that does not have the expected form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// Path segments from the decoded root, outermost first.
    path: Vec<Segment>,
    expected: String,
    found: String,
    server_code: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl WireError {
    /// `expected` something else than `found`.
    pub fn expected(expected: &str, found: &Value) -> WireError {
        WireError::new(expected, found)
    }

    /// Same as [`WireError::expected`].
    pub fn new(expected: &str, found: &Value) -> WireError {
        WireError {
            path: Vec::new(),
            expected: expected.to_string(),
            found: describe(found),
            server_code: None,
        }
    }

    /// The error code the server answers for such a value (for a request decoded from
    /// JSON: `DIALOG_ID_EMPTY`).
    #[must_use]
    pub fn with_server_code(mut self, code: &'static str) -> WireError {
        self.server_code = Some(code);
        self
    }

    /// The error code the server answers for such a value, if known.
    pub fn server_code(&self) -> Option<&'static str> {
        self.server_code
    }

    /// Whether the value is missing (absent or `null`) rather than of the wrong form.
    pub fn is_missing(&self) -> bool {
        self.found == MISSING
    }

    /// A required member is missing.
    pub fn missing(key: &str) -> WireError {
        WireError {
            path: vec![Segment::Key(key.to_string())],
            expected: "a value".into(),
            found: MISSING.into(),
            server_code: None,
        }
    }

    /// Prefixes the path with an object key.
    #[must_use]
    pub fn in_key(mut self, key: &str) -> WireError {
        self.path.insert(0, Segment::Key(key.to_string()));
        self
    }

    /// Prefixes the path with an array index.
    #[must_use]
    pub fn in_index(mut self, i: usize) -> WireError {
        self.path.insert(0, Segment::Index(i));
        self
    }

    /// The JSON path below `root`, e.g. `$.result.items[2].id`.
    pub fn path_from(&self, root: &str) -> String {
        let mut s = root.to_string();
        for seg in &self.path {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Segment::Key(k) => s.push_str(&format!("[{k:?}]")),
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    /// What was expected.
    pub fn expected_what(&self) -> &str {
        &self.expected
    }

    /// A short description of what was found.
    pub fn found(&self) -> &str {
        &self.found
    }
}

const MISSING: &str = "nothing (missing or null)";

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {}: expected {}, found {}",
            self.path_from("$"),
            self.expected,
            self.found
        )
    }
}

impl std::error::Error for WireError {}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A short rendering of a value for error messages.
fn describe(v: &Value) -> String {
    let s = match v {
        Value::Object(m) => return format!("an object with {} members", m.len()),
        Value::Array(a) => return format!("an array of {} items", a.len()),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(60).collect();
        format!("{cut}…")
    } else {
        s
    }
}

impl FromWire for Value {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        Ok(v.clone())
    }
    fn absent() -> Option<Self> {
        Some(Value::Null)
    }
}

/// A method that answers no data (`null`, or an empty list, whatever it did).
impl FromWire for () {
    fn from_wire(_: &Value) -> Result<Self, WireError> {
        Ok(())
    }
    fn absent() -> Option<Self> {
        Some(())
    }
}

impl FromWire for bool {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) => match s.as_str() {
                "Y" | "y" | "true" | "1" => Ok(true),
                "N" | "n" | "false" | "0" | "" => Ok(false),
                _ => Err(WireError::expected("a boolean", v)),
            },
            Value::Number(n) => match n.as_i64() {
                Some(1) => Ok(true),
                Some(0) => Ok(false),
                _ => Err(WireError::expected("a boolean", v)),
            },
            _ => Err(WireError::expected("a boolean", v)),
        }
    }
}

macro_rules! int_from_wire {
    ($($t:ty),*) => {$(
        impl FromWire for $t {
            fn from_wire(v: &Value) -> Result<Self, WireError> {
                let what = concat!("an integer (", stringify!($t), ")");
                match v {
                    Value::Number(n) => n
                        .as_i64()
                        .and_then(|i| <$t>::try_from(i).ok())
                        .or_else(|| n.as_u64().and_then(|i| <$t>::try_from(i).ok()))
                        .ok_or_else(|| WireError::expected(what, v)),
                    Value::String(s) => s.trim().parse::<$t>().map_err(|_| WireError::expected(what, v)),
                    _ => Err(WireError::expected(what, v)),
                }
            }
        }
    )*};
}
int_from_wire!(i64, u64, i32, u32);

impl FromWire for f64 {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Number(n) => n.as_f64().ok_or_else(|| WireError::expected("a number", v)),
            Value::String(s) => s
                .trim()
                .parse()
                .map_err(|_| WireError::expected("a number", v)),
            _ => Err(WireError::expected("a number", v)),
        }
    }
}

impl FromWire for String {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(WireError::expected("a string", v)),
        }
    }
}

impl<T: FromWire> FromWire for Option<T> {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Null => Ok(None),
            // "not set" arrives as `false` in many v2 responses, and as `""` where a date or
            // a number goes.
            Value::Bool(false) => Ok(T::from_wire(v).ok()),
            Value::String(s) if s.is_empty() => Ok(T::from_wire(v).ok()),
            _ => T::from_wire(v).map(Some),
        }
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromWire> FromWire for Vec<T> {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| T::from_wire(x).map_err(|e| e.in_index(i)))
                .collect(),
            // PHP arrays with non-sequential keys arrive as objects.
            Value::Object(m) => m
                .iter()
                .map(|(k, x)| T::from_wire(x).map_err(|e| e.in_key(k)))
                .collect(),
            _ => Err(WireError::expected("an array", v)),
        }
    }
}

impl<T: FromWire> FromWire for BTreeMap<String, T> {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Object(m) => m
                .iter()
                .map(|(k, x)| {
                    T::from_wire(x)
                        .map(|t| (k.clone(), t))
                        .map_err(|e| e.in_key(k))
                })
                .collect(),
            // An empty PHP array is `[]` even where a map is meant.
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    T::from_wire(x)
                        .map(|t| (i.to_string(), t))
                        .map_err(|e| e.in_index(i))
                })
                .collect(),
            _ => Err(WireError::expected("an object", v)),
        }
    }
}

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
            let named = m
                .keys()
                .filter(|k| *k != "start")
                .all(|k| names.iter().any(|n| n.eq_ignore_ascii_case(k)));
            if named {
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
/// when extra parameters are set — an object whose keys follow that order and then the
/// extras (the REST server reads an object's values in order and `start` by name).
/// Helper for generated code.
#[doc(hidden)]
pub fn positional_body(named: Value, names: &[&str], extra: &BTreeMap<String, Value>) -> Value {
    let Value::Object(mut m) = named else {
        return named;
    };
    for k in extra.keys() {
        m.shift_remove(k);
    }
    if extra.is_empty() {
        let mut args: Vec<Value> = names
            .iter()
            .map(|n| m.get(*n).cloned().unwrap_or(Value::Null))
            .collect();
        while args.last().is_some_and(Value::is_null) {
            args.pop();
        }
        return Value::Array(args);
    }
    let mut out = serde_json::Map::new();
    for n in names {
        out.insert((*n).to_string(), m.get(*n).cloned().unwrap_or(Value::Null));
    }
    for (k, v) in extra {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

/// Compares an enum value with a wire value.
/// `Deserialize` for generated types, through their tolerant [`FromWire`] decoder (so a
/// type reads the same from a request's JSON as from a response).
#[doc(hidden)]
pub fn deserialize<'de, T: FromWire, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let value = <Value as serde::Deserialize>::deserialize(d)?;
    T::from_wire(&value).map_err(<D::Error as serde::de::Error>::custom)
}

#[doc(hidden)]
pub fn same(found: &str, value: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        found.eq_ignore_ascii_case(value)
    } else {
        found == value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_strings() {
        assert_eq!(i64::from_wire(&json!("37")), Ok(37));
        assert_eq!(i64::from_wire(&json!(37)), Ok(37));
        assert_eq!(f64::from_wire(&json!("1.5")), Ok(1.5));
        assert_eq!(String::from_wire(&json!(5)), Ok("5".into()));
        assert!(i64::from_wire(&json!("x")).is_err());
        assert!(u32::from_wire(&json!(-1)).is_err());
    }

    #[test]
    fn booleans_in_every_form() {
        for (v, b) in [
            (json!(true), true),
            (json!("Y"), true),
            (json!("N"), false),
            (json!(1), true),
            (json!("0"), false),
        ] {
            assert_eq!(bool::from_wire(&v), Ok(b), "{v}");
        }
        assert!(bool::from_wire(&json!("yes")).is_err());
    }

    #[test]
    fn empty_array_is_an_empty_map() {
        let m: BTreeMap<String, i64> = FromWire::from_wire(&json!([])).expect("[] as map");
        assert!(m.is_empty());
        assert!(object(&json!([])).is_ok());
        assert!(object(&json!([1])).is_err());
    }

    #[test]
    fn false_means_not_set_for_options() {
        assert_eq!(Option::<String>::from_wire(&json!(false)), Ok(None));
        assert_eq!(Option::<bool>::from_wire(&json!(false)), Ok(Some(false)));
        assert_eq!(Option::<i64>::from_wire(&json!(null)), Ok(None));
    }

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
            positional_body(named.clone(), &names, &BTreeMap::new()),
            json!([5, null, {"ID": 1}])
        );
        let extra: BTreeMap<String, Value> = [("start".to_string(), json!(50))].into();
        let mut with_extra = named;
        with_extra["start"] = json!(50);
        assert_eq!(
            positional_body(with_extra, &names, &extra),
            json!({"TASKID": 5, "ORDER": null, "FILTER": {"ID": 1}, "start": 50})
        );
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let e = WireError::expected("x", &json!(1))
            .in_key("a b")
            .in_key("root");
        assert_eq!(e.path_from("$"), "$.root[\"a b\"]");
    }
}
