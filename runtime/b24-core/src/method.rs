//! The [`Method`] trait: what the runtime needs to know of a typed request.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Problem, ValidationError};
use crate::wire::FromWire;

/// REST API version of a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// `POST {portal}/rest/{method}`.
    V2,
    /// REST 3.0: `POST {portal}/rest/api/{method}`.
    V3,
}

/// How a method pages through long results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pagination {
    /// A single answer.
    None,
    /// `start` in the request; `next` and `total` in the answer.
    StartNext {
        /// The offset parameter (`start`).
        param: &'static str,
        /// The fixed page size.
        page_size: u32,
        /// The key of the fast export mode (`start = -1`, windows over this key).
        fast_key: Option<&'static str>,
    },
    /// Explicit limit and offset parameters.
    LimitOffset {
        /// The offset parameter.
        offset_param: &'static str,
        /// The limit parameter.
        limit_param: &'static str,
        /// The largest limit.
        max_limit: Option<u32>,
    },
    /// REST 3.0 `pagination: {page, limit}`.
    V3Page,
}

/// A typed request for one REST method.
///
/// `#[b24_method]` implements it from the method's spec; it can also be implemented by
/// hand. The request serializes to the method's parameters.
pub trait Method: Serialize + Send + Sync {
    /// Wire name, e.g. `im.recent.unread`.
    const NAME: &'static str;
    /// REST API version.
    const API: Api = Api::V2;
    /// Scopes the method needs.
    const SCOPES: &'static [&'static str] = &[];
    /// Whether the method may be retried after an ambiguous failure.
    const IDEMPOTENT: bool = false;
    /// The official documentation page.
    const DOCS_URL: &'static str = "";
    /// How the method pages.
    const PAGINATION: Pagination = Pagination::None;
    /// The decoded `result`.
    type Output: FromWire + Send;

    /// Checks the parameters as the server would, before anything is sent.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    /// The parameters as JSON.
    fn params(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    /// Builds a request from JSON parameters (wire names, in any letter case), then
    /// validates it. JSON is read as tolerantly as a response (numbers and flags as strings,
    /// a positional method's arguments as an array or an object); parameters the spec does
    /// not list are kept in the binding's `extra`.
    ///
    /// ```
    /// # use b24::Method;
    /// #[b24::b24_method("im.recent.hide")]
    /// pub struct Hide;
    ///
    /// let ok = Hide::from_params(serde_json::json!({"DIALOG_ID": "chat7"}))?;
    /// assert_eq!(ok.dialog_id.to_string(), "chat7");
    /// let err = Hide::from_params(serde_json::json!({"DIALOG_ID": ""})).unwrap_err();
    /// assert!(err.to_string().contains("DIALOG_ID"));
    /// assert!(err.to_string().contains("DIALOG_ID_EMPTY"));
    /// # Ok::<(), b24::Error>(())
    /// ```
    fn from_params(params: Value) -> Result<Self, Error>
    where
        Self: FromWire + Sized,
    {
        let req = Self::from_wire(&params).map_err(|e| {
            let field = e.path_from("$");
            let field = field
                .strip_prefix("$.")
                .or_else(|| field.strip_prefix('$'))
                .unwrap_or(&field)
                .to_string();
            let value = lookup(&params, &field);
            let rule = if e.is_missing() {
                "is required".to_string()
            } else {
                format!("expected {}, found {}", e.expected_what(), e.found())
            };
            ValidationError::new(
                Self::NAME,
                vec![Problem::new(field, value, rule, e.server_code())],
            )
        })?;
        req.validate()?;
        Ok(req)
    }
}

/// The value at a dotted serde path, rendered for an error message.
fn lookup(params: &Value, path: &str) -> String {
    let mut cur = params;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(v) => cur = v,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A method whose answers are pages of items (`start`/`next`, or limit and offset):
/// usable with [`Client::list`](crate::Client::list) and, when the spec declares a fast
/// mode, [`Client::export`](crate::Client::export). `#[b24_method]` implements it from the spec.
pub trait ListMethod: Method {
    /// One item of a page.
    type Item: FromWire + Send;
    /// The member of `result` that holds the items when the page wraps them in an object
    /// (`items` of `crm.item.list`, `tasks` of `tasks.task.list`); `None` when `result`
    /// is the array itself.
    const ITEMS: Option<&'static str> = None;
    /// The items of one decoded page.
    fn items(output: Self::Output) -> Vec<Self::Item>;
}
