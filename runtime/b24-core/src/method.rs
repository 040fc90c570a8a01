//! The [`Method`] trait: what the runtime needs to know of a typed request.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Problem, ValidationError};
use crate::wire::FromWire;

/// REST API version of a method: the one vocabulary of the runtime (generated code, the
/// engines by name and the command line all say it so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// `POST {portal}/rest/{method}`.
    V2,
    /// REST 3.0: `POST {portal}/rest/api/{method}`.
    V3,
}

impl Api {
    /// `"v2"` or `"v3"`, as the specs write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Api::V2 => "v2",
            Api::V3 => "v3",
        }
    }
}

impl std::fmt::Display for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

/// How a list method pages, and where a page's items are: what a binding declares
/// ([`Method::API`], [`Method::PAGINATION`], [`ListMethod::ITEMS`]) and what a spec read
/// at run time says. The engines by name ([`Client::list_raw`](crate::Client::list_raw),
/// [`Client::export_raw`](crate::Client::export_raw)) take it; the typed ones read it off
/// the binding ([`Listing::of`]).
///
/// ```
/// use b24::{Api, Listing, Pagination};
/// // `crm.deal.list`: start/next pages of 50, a fast export over `ID`.
/// let deals = Listing::v2_export("ID", None);
/// assert_eq!(deals.api, Api::V2);
/// assert!(matches!(deals.pagination, Pagination::StartNext { fast_key: Some("ID"), .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listing {
    /// REST v2 or REST 3.0.
    pub api: Api,
    /// How the method pages.
    pub pagination: Pagination,
    /// The member of `result` that holds a page's items when the page wraps them in an
    /// object (`items` of `crm.item.list`); `None` when `result` is the array itself.
    pub items: Option<&'static str>,
}

impl Listing {
    /// A method of `api` paging as `pagination`, its items under `items`.
    pub const fn new(api: Api, pagination: Pagination, items: Option<&'static str>) -> Listing {
        Listing {
            api,
            pagination,
            items,
        }
    }

    /// What the binding `M` declares.
    pub const fn of<M: ListMethod>() -> Listing {
        Listing::new(M::API, M::PAGINATION, M::ITEMS)
    }

    /// A REST v2 list of `start`/`next` pages of 50 with a fast export over `key` (the
    /// `crm.*.list` methods: `ID`).
    pub const fn v2_export(key: &'static str, items: Option<&'static str>) -> Listing {
        let pagination = Pagination::StartNext {
            param: "start",
            page_size: 50,
            fast_key: Some(key),
        };
        Listing::new(Api::V2, pagination, items)
    }

    /// A REST 3.0 list: `pagination: {page, limit}`, its items under `items`.
    pub const fn v3() -> Listing {
        Listing::new(Api::V3, Pagination::V3Page, Some("items"))
    }
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
