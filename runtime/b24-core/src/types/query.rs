//! The `filter` and `order` parameters of list methods.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::check::Check;
use crate::wire::{FromWire, WireError};

/// A list method's `filter`: field names, each with an optional operator prefix, and the
/// values they are compared with (REST v2: `{">=ID": 5, "!%TITLE": "test"}`); REST 3.0
/// methods take a list of conditions instead (`[["id", ">", 5]]`).
///
/// ```
/// use b24::types::Filter;
/// let f = Filter::new().eq("STAGE_ID", "WON").ge("OPPORTUNITY", 1000).like("TITLE", "Deal");
/// assert_eq!(
///     serde_json::to_value(&f)?,
///     serde_json::json!({"STAGE_ID": "WON", ">=OPPORTUNITY": 1000, "%TITLE": "Deal"})
/// );
/// let v3 = Filter::conditions().when("id", ">", 1000).any_of("status", ["NEW", "PENDING"]);
/// assert_eq!(
///     serde_json::to_value(&v3)?,
///     serde_json::json!([["id", ">", 1000], ["status", "in", ["NEW", "PENDING"]]])
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter(Repr);

#[derive(Debug, Clone, PartialEq)]
enum Repr {
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Map(Vec::new())
    }
}

impl Filter {
    /// An empty REST v2 filter (a map).
    pub fn new() -> Filter {
        Filter::default()
    }

    /// An empty REST 3.0 filter (a list of conditions).
    pub fn conditions() -> Filter {
        Filter(Repr::List(Vec::new()))
    }

    /// `key` as written (an operator prefix included) compared with `value`.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Filter {
        let (key, value) = (key.into(), value.into());
        match &mut self.0 {
            Repr::Map(m) => match m.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key, value)),
            },
            Repr::List(l) => l.push(Value::Array(vec![Value::from(key), value])),
        }
        self
    }

    /// A comparison: the key `<prefix><field>` of a REST v2 filter, the condition
    /// `[field, op, value]` of a REST 3.0 one (operators of `api-reference/rest-v3.md#operators`).
    fn op(
        mut self,
        prefix: &str,
        op: &str,
        field: impl Into<String>,
        value: impl Into<Value>,
    ) -> Filter {
        let field = field.into();
        if let Repr::List(l) = &mut self.0 {
            l.push(Value::Array(vec![field.into(), op.into(), value.into()]));
            return self;
        }
        self.with(format!("{prefix}{field}"), value)
    }

    /// `field` equals `value` (a list: equals one of them).
    #[must_use]
    pub fn eq(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op("", "=", field, value)
    }
    /// `field` is not `value` (`!`; REST 3.0 `!=`).
    #[must_use]
    pub fn ne(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op("!", "!=", field, value)
    }
    /// `field > value`.
    #[must_use]
    pub fn gt(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op(">", ">", field, value)
    }
    /// `field >= value`.
    #[must_use]
    pub fn ge(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op(">=", ">=", field, value)
    }
    /// `field < value`.
    #[must_use]
    pub fn lt(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op("<", "<", field, value)
    }
    /// `field <= value`.
    #[must_use]
    pub fn le(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op("<=", "<=", field, value)
    }
    /// `field` contains `value` (`%`). REST 3.0 lists no such operator: a portal refuses
    /// the condition `[field, "%", value]` with its own error.
    #[must_use]
    pub fn like(self, field: impl Into<String>, value: impl Into<Value>) -> Filter {
        self.op("%", "%", field, value)
    }
    /// `field` is one of `values` (`@`; REST 3.0 `in`).
    #[must_use]
    pub fn any_of(self, field: impl Into<String>, values: impl Into<Value>) -> Filter {
        self.op("@", "in", field, values)
    }

    /// A REST 3.0 condition `[field, op, value]` (on a REST v2 filter: the key `opfield`).
    #[must_use]
    pub fn when(mut self, field: &str, op: &str, value: impl Into<Value>) -> Filter {
        if let Repr::List(l) = &mut self.0 {
            l.push(Value::Array(vec![field.into(), op.into(), value.into()]));
            return self;
        }
        let prefix = if op == "=" { "" } else { op };
        self.op(prefix, op, field, value)
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Map(m) => m.is_empty(),
            Repr::List(l) => l.is_empty(),
        }
    }

    /// The filter as JSON.
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Map(m) => Value::Object(m.iter().cloned().collect::<Map<_, _>>()),
            Repr::List(l) => Value::Array(l.clone()),
        }
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Filter {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Filter::new(), |f, (k, v)| f.with(k, v))
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Filter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl FromWire for Filter {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::Object(m) => Ok(Filter(Repr::Map(
                m.iter().map(|(k, x)| (k.clone(), x.clone())).collect(),
            ))),
            Value::Array(a) => Ok(Filter(Repr::List(a.clone()))),
            _ => Err(WireError::expected(
                "a filter (an object of fields, or a list of conditions)",
                v,
            )),
        }
    }
}

impl Check for Filter {}

/// A direction of sorting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortDir {
    /// `ASC`.
    Asc,
    /// `DESC`.
    Desc,
    /// Another value, sent as it is.
    Other(String),
}

/// A list method's `order`: field names and directions, in order of precedence.
///
/// ```
/// use b24::types::Order;
/// let o = Order::new().desc("DATE_CREATE").asc("ID");
/// assert_eq!(serde_json::to_value(&o)?, serde_json::json!({"DATE_CREATE": "DESC", "ID": "ASC"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// A direction read from JSON goes back out as it was written (`"desc"` stays `"desc"`);
/// two orders are equal when they sort by the same fields the same way.
#[derive(Debug, Clone, Default)]
pub struct Order(Vec<(String, SortDir)>, Vec<Option<String>>);

impl PartialEq for Order {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Order {}

impl Order {
    /// No order (the method's default).
    pub fn new() -> Order {
        Order::default()
    }

    /// Then by `field`, ascending.
    #[must_use]
    pub fn asc(mut self, field: impl Into<String>) -> Order {
        self.0.push((field.into(), SortDir::Asc));
        self.1.push(None);
        self
    }

    /// Then by `field`, descending.
    #[must_use]
    pub fn desc(mut self, field: impl Into<String>) -> Order {
        self.0.push((field.into(), SortDir::Desc));
        self.1.push(None);
        self
    }

    /// The fields and directions.
    pub fn fields(&self) -> &[(String, SortDir)] {
        &self.0
    }
}

impl Serialize for Order {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m: Map<String, Value> = self
            .0
            .iter()
            .zip(self.1.iter().chain(std::iter::repeat(&None)))
            .map(|((k, d), written)| {
                let v = match (written, d) {
                    (Some(w), _) => w.clone(),
                    (None, SortDir::Asc) => "ASC".to_string(),
                    (None, SortDir::Desc) => "DESC".to_string(),
                    (None, SortDir::Other(o)) => o.clone(),
                };
                (k.clone(), Value::from(v))
            })
            .collect();
        m.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Order {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl FromWire for Order {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        let m = crate::wire::object(v)?;
        let mut order = Order::new();
        for (k, d) in m {
            let s = crate::wire::scalar_string(d).map_err(|e| e.in_key(k))?;
            let dir = if s.eq_ignore_ascii_case("asc") {
                SortDir::Asc
            } else if s.eq_ignore_ascii_case("desc") {
                SortDir::Desc
            } else {
                SortDir::Other(s.clone())
            };
            order.0.push((k.clone(), dir));
            // The direction goes back out as written: `desc` is not re-written `DESC`.
            order.1.push(Some(s));
        }
        Ok(order)
    }
}

impl Check for Order {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_read_both_forms_and_write_them_back() {
        let v2 = json!({">=ID": 5, "!%TITLE": "x", "@STAGE_ID": ["NEW", "WON"]});
        let f = Filter::from_wire(&v2).expect("map");
        assert_eq!(f.to_value(), v2);
        let v3 = json!([["id", ">", 1000], {"logic": "OR"}]);
        assert_eq!(Filter::from_wire(&v3).expect("list").to_value(), v3);
        assert!(Filter::from_wire(&json!([])).expect("empty").is_empty());
        assert!(Filter::from_wire(&json!("x")).is_err());
        let f = Filter::new().eq("ID", 1).eq("ID", 2);
        assert_eq!(f.to_value(), json!({"ID": 2}), "one value per key");
    }

    #[test]
    fn orders_in_any_case() {
        let o =
            Order::from_wire(&json!({"id": "desc", "SORT": "ASC", "X": "nulls"})).expect("reads");
        assert_eq!(o.fields()[0], ("id".to_string(), SortDir::Desc));
        assert_eq!(o.fields()[2].1, SortDir::Other("nulls".into()));
        assert_eq!(
            serde_json::to_value(&o).expect("writes"),
            json!({"id": "desc", "SORT": "ASC", "X": "nulls"}),
            "directions go back out as written"
        );
        let upper = Order::from_wire(&json!({"id": "DESC", "SORT": "asc", "X": "nulls"}));
        assert_eq!(Ok(o), upper, "equal however the directions are written");
    }
}
