//! The validated spec model: what one REST method takes, returns and fails with.
//!
//! Produced by [`crate::load_file`]; consumed by `b24_codegen::generate` and by tools.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::ty::TypeExpr;

/// Base of the official documentation site; a spec's `docs.path` is relative to it.
pub const DOCS_BASE: &str = "https://apidocs.bitrix24.com/";

/// One REST method.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Wire name, e.g. `im.recent.unread`.
    pub name: String,
    /// REST API version.
    pub api: Api,
    /// Scopes (permissions) the method needs.
    pub scope: Vec<String>,
    /// Where the method is documented.
    pub docs: Docs,
    /// Where the spec's facts come from.
    pub origin: Origin,
    /// Safe to retry after an ambiguous failure (the request may have run).
    pub idempotent: bool,
    /// Set when the docs mark the method deprecated.
    pub deprecated: Option<Deprecation>,
    /// `Some("batch")` for methods the runtime implements by hand.
    pub runtime: Option<String>,
    /// The parameters.
    pub request: Request,
    /// The `result` member of a successful response.
    pub response: Response,
    /// How the method pages through long results.
    pub pagination: Pagination,
    /// The method's own error codes (system errors are implied).
    pub errors: Vec<ErrorDef>,
    /// Named types used by parameters and results.
    pub types: BTreeMap<String, TypeDef>,
    /// Examples of the docs page that are wrong, as curated in an override.
    pub errata: Vec<Erratum>,
    /// The file the spec was loaded from.
    pub source: PathBuf,
}

impl Spec {
    /// The URL of the official page.
    pub fn docs_url(&self) -> String {
        self.docs.url()
    }
}

/// REST API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// `POST {portal}/rest/{method}`.
    V2,
    /// REST 3.0: `POST {portal}/rest/api/{method}`.
    V3,
}

impl Api {
    /// `"v2"` or `"v3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::V2 => "v2",
            Api::V3 => "v3",
        }
    }
}

/// Where a spec's facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// The official docs' method page (`b24-gen import-docs`, or a curator).
    #[default]
    Docs,
    /// A portal's own OpenAPI document (`b24-gen import-openapi`): `origin = "openapi"`.
    OpenApi,
}

impl Origin {
    /// `"docs"` or `"openapi"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Docs => "docs",
            Origin::OpenApi => "openapi",
        }
    }
}

/// The page that documents REST 3.0 and the portal's OpenAPI document: the `docs` of an
/// OpenAPI spec whose method has no page of its own.
pub const OPENAPI_PAGE: &str = "api-reference/rest-v3.md";

/// Where a method is documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docs {
    /// Path of the page in the docs repository, e.g. `api-reference/chats/im-recent-get.md`.
    pub path: String,
    /// Commit of the docs the spec was taken from (empty for an OpenAPI spec without a
    /// page of its own).
    pub commit: String,
}

impl Docs {
    /// The URL of the page on the official site.
    pub fn url(&self) -> String {
        let p = self.path.strip_suffix(".md").unwrap_or(&self.path);
        format!("{DOCS_BASE}{p}.html")
    }
}

/// Deprecation mark.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deprecation {
    /// The method to use instead, when the docs name one.
    pub replacement: Option<String>,
}

/// How parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A JSON object body.
    Json,
    /// Positional arguments (legacy `task.*` methods): a JSON array in parameter order.
    Positional,
}

/// The request side.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Body encoding.
    pub encoding: Encoding,
    /// Parameters in documentation order.
    pub params: Vec<Param>,
    /// Mutually exclusive parameter sets: a request gives every parameter of at least one
    /// set (empty: no such rule).
    pub alternatives: Vec<Vec<String>>,
    /// One-of groups: a request gives at least one parameter of each group ("at least one
    /// of `USER_ID` or `USER_PHONE_INNER`").
    pub one_of: Vec<Vec<String>>,
    /// Parameters with dynamic names (`UF_*`) the method takes besides `params`.
    pub extra_keys: Vec<ExtraKey>,
    /// A positional method that also takes its arguments by name (an object of them, in
    /// order): a request read from named arguments is sent so. `false` where the docs say
    /// the arguments "cannot be passed by name" (`task.commentitem.add`).
    pub by_name: bool,
}

/// An example of the docs page that is wrong: the conformance gate reports it with the
/// reason instead of counting it against the binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erratum {
    /// The page of the example, relative to the docs root, when it is not the method's own
    /// page (a guide that calls the method).
    pub page: Option<String>,
    /// 1-based page line of the example call or response (`None`: every example).
    pub line: Option<usize>,
    /// The one wrong member, as a path from the parameters or the `result`
    /// (`FIELDS.IS_RECCURING`): the rest of the example is still checked. `None`: the whole
    /// example is wrong.
    pub member: Option<String>,
    /// What is wrong with it (the curator's words, citing the page).
    pub why: String,
}

/// One request parameter (or one field of a named struct type).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Wire name.
    pub name: String,
    /// Type.
    pub ty: TypeExpr,
    /// Must be given.
    pub required: bool,
    /// The server's default, as written in the docs.
    pub default: Option<String>,
    /// Allowed values (for string or int parameters).
    pub values: Vec<String>,
    /// `values` are the documented ones, others are accepted too.
    pub open_enum: bool,
    /// Smallest allowed number.
    pub min: Option<i64>,
    /// Largest allowed number.
    pub max: Option<i64>,
    /// Most items allowed in an array or map.
    pub max_items: Option<usize>,
    /// The docs mark this parameter deprecated.
    pub deprecated: bool,
    /// A required string that may be empty (the server fills it in).
    pub allow_empty: bool,
    /// A curated fix: which fact was changed from the docs (kept for the importer).
    pub override_: Option<String>,
    /// The Rust field name, when the one made of the wire name would collide with another
    /// parameter's (`sort` and `SORT` of `department.get`).
    pub rust_name: Option<String>,
}

impl Param {
    /// The Rust field name: `rust_name`, else the snake case of the wire name.
    pub fn ident(&self) -> String {
        self.rust_name
            .clone()
            .unwrap_or_else(|| crate::naming::field_ident(&self.name))
    }
}

/// The response side.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Type of `result`.
    pub result: TypeExpr,
    /// Envelope shape.
    pub envelope: Envelope,
    /// Fields may be missing (they depend on `select`).
    pub partial: bool,
}

/// Envelope around `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{result, time}`.
    Plain,
    /// `{result, total, next?, time}`.
    List,
}

/// Pagination style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// One page only.
    None,
    /// `start` in the request; `next` and `total` in the envelope.
    StartNext {
        /// Request parameter carrying the offset (`start`).
        param: String,
        /// Fixed page size.
        page_size: u32,
        /// The fast mode of huge exports (`start = -1`, windows over this key).
        fast_key: Option<String>,
        /// The member of the result struct holding the page's items (`None`: the result
        /// is the array itself).
        items: Option<String>,
    },
    /// Explicit limit and offset parameters.
    LimitOffset {
        /// Offset parameter.
        offset_param: String,
        /// Limit parameter.
        limit_param: String,
        /// Most items per page.
        max_limit: Option<u32>,
        /// The member of the result struct holding the page's items (`None`: the result
        /// is the array itself).
        items: Option<String>,
    },
    /// REST 3.0 `pagination: {page, limit}`.
    V3Page,
}

/// A documented error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDef {
    /// The `error` member (may be empty, numeric or an HTTP status in the docs).
    pub code: String,
    /// HTTP status, when documented.
    pub http: Option<u16>,
    /// The `error_description` the server sends, when documented.
    pub message: Option<String>,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// An object with known fields.
    Struct(StructDef),
    /// One of a fixed set of values.
    Enum(EnumDef),
    /// A wrapper around a primitive.
    Newtype(TypeExpr),
    /// An object with free keys.
    Map(MapDef),
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Fields in documentation order.
    pub fields: Vec<Param>,
    /// Dynamic keys (`UF_CRM_*`).
    pub extra_keys: Vec<ExtraKey>,
}

/// A pattern of dynamic keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraKey {
    /// Pattern with one trailing `*`.
    pub pattern: String,
    /// Type of the values.
    pub ty: TypeExpr,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// Wire representation.
    pub repr: EnumRepr,
    /// The values.
    pub values: Vec<String>,
    /// The server accepts any letter case.
    pub case_insensitive: bool,
}

/// Wire representation of an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    /// Strings.
    String,
    /// Integers.
    Int,
}

/// A free-key object type.
#[derive(Debug, Clone, PartialEq)]
pub struct MapDef {
    /// Type of the values.
    pub value: TypeExpr,
    /// Operator prefixes allowed on keys (filters: `>=ID`, `!%TITLE`).
    pub key_prefixes: Vec<String>,
}

/// One event the portal posts to a handler bound with `event.bind` (`ONCRMDEALADD`): its
/// name, the scope it needs and the type of its `data`. Loaded from
/// `specs/incoming/<namespace>/<EVENT>.toml` by [`crate::load_event_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    /// Wire name, upper case (`ONCRMDEALADD`).
    pub name: String,
    /// The namespace whose cargo feature carries the event's typed payload (`crm`).
    pub namespace: String,
    /// Scopes an application needs to receive it.
    pub scope: Vec<String>,
    /// Where the event is documented.
    pub docs: Docs,
    /// Set when the docs mark the event deprecated.
    pub deprecated: Option<Deprecation>,
    /// Type of the post's `data`.
    pub data: TypeExpr,
    /// Named types used by `data`.
    pub types: BTreeMap<String, TypeDef>,
    /// The file the spec was loaded from.
    pub source: PathBuf,
}

impl EventSpec {
    /// The URL of the official page.
    pub fn docs_url(&self) -> String {
        self.docs.url()
    }

    /// The event as a method spec whose `result` is the event's `data` (no parameters):
    /// what the checks and the generator of results read.
    pub fn as_result_spec(&self) -> Spec {
        Spec {
            name: self.name.clone(),
            api: Api::V2,
            scope: self.scope.clone(),
            docs: self.docs.clone(),
            origin: Origin::Docs,
            idempotent: true,
            deprecated: self.deprecated.clone(),
            runtime: None,
            request: Request {
                encoding: Encoding::Json,
                params: Vec::new(),
                alternatives: Vec::new(),
                one_of: Vec::new(),
                extra_keys: Vec::new(),
                by_name: true,
            },
            response: Response {
                result: self.data.clone(),
                envelope: Envelope::Plain,
                partial: false,
            },
            pagination: Pagination::None,
            errors: Vec::new(),
            types: self.types.clone(),
            errata: Vec::new(),
            source: self.source.clone(),
        }
    }
}
