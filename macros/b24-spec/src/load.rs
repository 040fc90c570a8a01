//! Loading a spec file: TOML → raw model → validated [`Spec`], with every problem reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diags, SpecError};
use crate::naming;
use crate::spec::*;
use crate::ty::{Prim, TypeExpr, known_names};

/// The schema version this loader reads.
pub const SCHEMA: i64 = 1;

/// How large a spec may be. Far above any documented method (the largest has 52
/// parameters, a type of 94 fields, 81 types, 16 KB of TOML); low enough that a spec past
/// them is refused here, with its file and line, instead of exhausting rustc through the
/// macro.
pub mod limits {
    /// Bytes of one spec file.
    pub const MAX_BYTES: usize = 1 << 20;
    /// Parameters of a request, fields of a type.
    pub const MAX_MEMBERS: usize = 1_000;
    /// Named types of one spec.
    pub const MAX_TYPES: usize = 1_000;
    /// Values of one enum.
    pub const MAX_ENUM_VALUES: usize = 5_000;
    /// Named types inside named types, from a request or result down.
    pub const MAX_NESTING: usize = 32;
}

/// Every spec file under `dir`, sorted: `*.toml` except `Cargo.toml`, outside `overrides/`,
/// `src/`, `target/`, `incoming/` (event specs) and hidden folders.
pub fn spec_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                if !matches!(
                    name.as_str(),
                    "overrides" | "src" | "target" | event::EVENTS_DIR
                ) && !name.starts_with('.')
                {
                    dirs.push(p);
                }
            } else if name.ends_with(".toml") && name != "Cargo.toml" {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads and validates the spec file at `path`.
pub fn load_file(path: &Path) -> Result<Spec, SpecError> {
    load_str(path, &read_text(path)?)
}

/// The text of the spec file at `path`, or the error naming it.
fn read_text(path: &Path) -> Result<String, SpecError> {
    std::fs::read_to_string(path).map_err(|e| {
        let mut d = Diags::new(path, "");
        d.at(0..0, format!("cannot read the spec file: {e}"));
        d.finish().expect_err("one diagnostic was recorded")
    })
}

/// Whether `text` is within the size limit and of this schema (a spec of another schema is
/// named as such, not reported as the fields this version expects and does not find); the
/// problem is recorded in `d` otherwise.
fn size_and_schema_ok(d: &mut Diags<'_>, text: &str) -> bool {
    if text.len() > limits::MAX_BYTES {
        d.at(
            0..0,
            format!(
                "the spec is {} bytes; a spec may have at most {} bytes",
                text.len(),
                limits::MAX_BYTES
            ),
        );
        return false;
    }
    if let Ok(SchemaOnly { schema: Some(v) }) = toml::from_str::<SchemaOnly>(text)
        && *v.get_ref() != SCHEMA
    {
        d.at(
            v.span(),
            format!(
                "unsupported schema {} (this version of b24 reads schema {SCHEMA})",
                v.get_ref()
            ),
        );
        return false;
    }
    true
}

/// Validates spec text; `path` is used in diagnostics and kept in [`Spec::source`].
pub fn load_str(path: &Path, text: &str) -> Result<Spec, SpecError> {
    let mut d = Diags::new(path, text);
    if !size_and_schema_ok(&mut d, text) {
        return Err(d.finish().expect_err("one diagnostic was recorded"));
    }
    let raw: RawSpec = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            d.at(span, e.message().trim().to_string());
            return Err(d.finish().expect_err("one diagnostic was recorded"));
        }
    };
    let spec = Validator { d: &mut d }.spec(raw, path);
    d.finish()?;
    Ok(spec)
}

// ---------------------------------------------------------------- raw model

/// Only the schema version, whatever the rest holds.
#[derive(Deserialize)]
struct SchemaOnly {
    schema: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    #[expect(
        dead_code,
        reason = "required here; its value is checked by `SchemaOnly` first"
    )]
    schema: Spanned<i64>,
    method: RawMethod,
    #[serde(default)]
    request: RawRequest,
    response: Option<RawResponse>,
    pagination: Option<Spanned<RawPagination>>,
    #[serde(default, rename = "error")]
    errors: Vec<RawError>,
    #[serde(default)]
    types: BTreeMap<Spanned<String>, Spanned<RawTypeDef>>,
    #[serde(default, rename = "erratum")]
    errata: Vec<RawErratum>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawErratum {
    page: Option<Spanned<String>>,
    line: Option<Spanned<i64>>,
    member: Option<String>,
    why: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMethod {
    name: Spanned<String>,
    api: Option<Spanned<String>>,
    #[serde(default)]
    scope: Vec<Spanned<String>>,
    docs: Option<RawDocs>,
    origin: Option<Spanned<String>>,
    #[serde(default)]
    idempotent: bool,
    deprecated: Option<RawDeprecated>,
    runtime: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocs {
    path: Spanned<String>,
    commit: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDeprecated {
    Flag(bool),
    Info {
        #[serde(default)]
        replacement: Option<String>,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    params: Vec<Spanned<RawParam>>,
    #[serde(default)]
    alternatives: Vec<Vec<Spanned<String>>>,
    #[serde(default)]
    one_of: Vec<Spanned<Vec<Spanned<String>>>>,
    extra_keys: Option<Vec<RawExtraKey>>,
    by_name: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    name: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    #[serde(default)]
    required: bool,
    default: Option<Spanned<toml::Value>>,
    #[serde(rename = "enum")]
    values: Option<Vec<Spanned<toml::Value>>>,
    #[serde(default)]
    open_enum: bool,
    min: Option<Spanned<i64>>,
    max: Option<Spanned<i64>>,
    max_items: Option<Spanned<i64>>,
    #[serde(default)]
    pagination: bool,
    #[serde(default)]
    deprecated: bool,
    #[serde(default)]
    allow_empty: bool,
    #[serde(rename = "override")]
    override_: Option<String>,
    dict: Option<String>,
    rust_name: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    result: Spanned<String>,
    envelope: Option<Spanned<String>>,
    #[serde(default)]
    partial: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPagination {
    style: Spanned<String>,
    page_size: Option<u32>,
    request_param: Option<Spanned<String>>,
    response_next: Option<String>,
    response_total: Option<String>,
    fast_mode: Option<RawFastMode>,
    offset_param: Option<Spanned<String>>,
    limit_param: Option<Spanned<String>>,
    default_limit: Option<u32>,
    max_limit: Option<u32>,
    has_more: Option<String>,
    step: Option<String>,
    items: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFastMode {
    start: i64,
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawError {
    code: Spanned<toml::Value>,
    http: Option<Spanned<i64>>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTypeDef {
    kind: Spanned<String>,
    fields: Option<Vec<Spanned<RawParam>>>,
    extra_keys: Option<Vec<RawExtraKey>>,
    repr: Option<Spanned<String>>,
    values: Option<Vec<Spanned<toml::Value>>>,
    #[serde(default)]
    case_insensitive: bool,
    value: Option<Spanned<String>>,
    key_prefixes: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtraKey {
    pattern: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
}

// ---------------------------------------------------------------- validation

struct Validator<'d, 'a> {
    d: &'d mut Diags<'a>,
}

/// A type expression with the place it was written, for the second pass (name resolution).
struct TypeUse {
    ty: TypeExpr,
    span: std::ops::Range<usize>,
}

impl Validator<'_, '_> {
    fn spec(&mut self, raw: RawSpec, path: &Path) -> Spec {
        // `raw.schema` is SCHEMA: `load_str` refused any other before this parse.
        let mut uses: Vec<TypeUse> = Vec::new();
        let m = raw.method;
        let (api, deprecated) = self.method_facts(&m);
        let origin = self.origin(&m);
        let request = self.request(raw.request, &mut uses);
        let errata = self.errata(raw.errata);
        let response = self.response(raw.response, &mut uses);
        let pagination = match raw.pagination {
            None => Pagination::None,
            Some(p) => self.pagination(p, &request.params),
        };

        let errors = self.errors(raw.errors);
        let types = self.types(raw.types, uses);
        Spec {
            name: m.name.into_inner(),
            api,
            scope: m.scope.into_iter().map(|s| s.into_inner()).collect(),
            docs: match m.docs {
                Some(d) => Docs {
                    path: d.path.into_inner(),
                    commit: d.commit.into_inner(),
                },
                None => Docs {
                    path: crate::spec::OPENAPI_PAGE.to_string(),
                    commit: String::new(),
                },
            },
            origin,
            idempotent: m.idempotent,
            deprecated,
            runtime: m.runtime.map(|r| r.into_inner()),
            request,
            response,
            pagination,
            errors,
            types,
            errata,
            source: path.to_path_buf(),
        }
    }

    /// Scope names: letters, digits, `_` and `.`.
    fn scopes(&mut self, scope: &[Spanned<String>]) {
        for s in scope {
            if s.get_ref().is_empty()
                || !s
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                self.d
                    .at(s.span(), format!("`{}` is not a scope name", s.get_ref()));
            }
        }
    }

    /// `docs = { path, commit }`: a page of the docs and a commit id.
    fn docs(&mut self, docs: &RawDocs) {
        if !docs.path.get_ref().ends_with(".md") || docs.path.get_ref().starts_with('/') {
            self.d.at(
                docs.path.span(),
                "docs.path must be the relative path of a page of the docs, ending in `.md`",
            );
        }
        let commit = docs.commit.get_ref();
        if commit.len() < 7 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
            self.d.at(
                docs.commit.span(),
                "docs.commit must be a git commit id (at least 7 hex digits)",
            );
        }
    }

    /// The `origin` of the spec's facts; `docs` may be left out only by an OpenAPI spec.
    fn origin(&mut self, m: &RawMethod) -> Origin {
        let origin = match &m.origin {
            None => Origin::Docs,
            Some(o) => match o.get_ref().as_str() {
                "docs" => Origin::Docs,
                "openapi" => Origin::OpenApi,
                other => {
                    self.d.at(
                        o.span(),
                        format!("unknown origin `{other}`: `docs` (default) or `openapi`"),
                    );
                    Origin::Docs
                }
            },
        };
        if m.docs.is_none() && origin == Origin::Docs {
            self.d.at(
                m.name.span(),
                "missing `docs = { path, commit }` (only an `origin = \"openapi\"` spec may leave it out)",
            );
        }
        origin
    }

    /// Checks the `[method]` table's facts; its api and deprecation.
    fn method_facts(&mut self, m: &RawMethod) -> (Api, Option<Deprecation>) {
        let name = m.name.get_ref();
        if !is_method_name(name) {
            self.d.at(
                m.name.span(),
                format!(
                    "`{name}` is not a method name (letters, digits, `_`, separated by single dots)"
                ),
            );
        }
        let api = match m.api.as_ref().map(|a| a.get_ref().as_str()) {
            None | Some("v2") => Api::V2,
            Some("v3") => Api::V3,
            Some(other) => {
                let span = m.api.as_ref().map_or(0..0, |a| a.span());
                self.d.at(
                    span,
                    format!("unknown api `{other}`: expected `v2` or `v3`"),
                );
                Api::V2
            }
        };
        self.scopes(&m.scope);
        if let Some(docs) = &m.docs {
            self.docs(docs);
        }
        if let Some(r) = &m.runtime
            && r.get_ref() != "batch"
        {
            self.d.at(
                r.span(),
                format!(
                    "unknown runtime `{}`: the only hand-written method is `batch`",
                    r.get_ref()
                ),
            );
        }
        let deprecated = match &m.deprecated {
            None | Some(RawDeprecated::Flag(false)) => None,
            Some(RawDeprecated::Flag(true)) => Some(Deprecation::default()),
            Some(RawDeprecated::Info { replacement }) => Some(Deprecation {
                replacement: replacement.clone(),
            }),
        };
        (api, deprecated)
    }

    /// The `[request]` table: encoding, parameters and the rules between them.
    fn request(&mut self, request: RawRequest, uses: &mut Vec<TypeUse>) -> Request {
        let encoding = match request.encoding.as_ref().map(|e| e.get_ref().as_str()) {
            None | Some("json") => Encoding::Json,
            Some("positional") => Encoding::Positional,
            Some(other) => {
                let span = request.encoding.as_ref().map_or(0..0, |e| e.span());
                self.d.at(
                    span,
                    format!("unknown encoding `{other}`: expected `json` or `positional`"),
                );
                Encoding::Json
            }
        };
        let params = self.params(request.params, "parameter", uses);
        let mut alternatives = Vec::new();
        for set in request.alternatives {
            let mut names = Vec::new();
            for n in set {
                if !params.iter().any(|p| p.name == *n.get_ref()) {
                    self.d.at(
                        n.span(),
                        format!(
                            "alternative names `{}`, which is not a parameter",
                            n.get_ref()
                        ),
                    );
                }
                names.push(n.into_inner());
            }
            alternatives.push(names);
        }
        let one_of = self.one_of(request.one_of, &params);
        let request_extra = self.extra_keys(request.extra_keys.unwrap_or_default(), uses);
        if let Some(b) = &request.by_name
            && encoding != Encoding::Positional
        {
            self.d.at(
                b.span(),
                "`by_name` is for a positional method (`encoding = \"positional\"`)",
            );
        }
        let by_name = request.by_name.is_none_or(|b| *b.get_ref());
        Request {
            by_name,
            encoding,
            params,
            alternatives,
            one_of,
            extra_keys: request_extra,
        }
    }

    /// `[[erratum]]`: docs examples known to be wrong, each with its line and reason.
    fn errata(&mut self, raw: Vec<RawErratum>) -> Vec<Erratum> {
        let mut errata = Vec::new();
        for e in raw {
            let line = e
                .line
                .as_ref()
                .and_then(|l| match usize::try_from(*l.get_ref()) {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        self.d
                            .at(l.span(), "erratum line must be a positive page line");
                        None
                    }
                });
            if e.why.get_ref().trim().is_empty() {
                self.d
                    .at(e.why.span(), "an erratum says why the example is wrong");
            }
            if e.line.is_none() && e.member.is_none() {
                self.d.at(
                    e.why.span(),
                    "an erratum names the example (`line`), the wrong member (`member`), or both",
                );
            }
            if let Some(p) = &e.page
                && (e.line.is_none() || !p.get_ref().ends_with(".md"))
            {
                self.d.at(
                    p.span(),
                    "an erratum's `page` is a docs page (`….md`, relative to the docs root) and goes with the example's `line`",
                );
            }
            errata.push(Erratum {
                page: e.page.map(Spanned::into_inner),
                line,
                member: e.member,
                why: e.why.into_inner(),
            });
        }
        errata
    }

    /// The `[response]` table (a plain `any` result when absent).
    fn response(&mut self, response: Option<RawResponse>, uses: &mut Vec<TypeUse>) -> Response {
        match response {
            Some(r) => {
                let result = self.ty(&r.result, uses);
                let envelope = match r.envelope.as_ref().map(|e| e.get_ref().as_str()) {
                    None | Some("plain") => Envelope::Plain,
                    Some("list") => Envelope::List,
                    Some(other) => {
                        let span = r.envelope.as_ref().map_or(0..0, |e| e.span());
                        self.d.at(
                            span,
                            format!("unknown envelope `{other}`: expected `plain` or `list`"),
                        );
                        Envelope::Plain
                    }
                };
                Response {
                    result,
                    envelope,
                    partial: r.partial,
                }
            }
            None => Response {
                result: TypeExpr::Prim(Prim::Any),
                envelope: Envelope::Plain,
                partial: false,
            },
        }
    }

    /// `[[errors]]`: documented error codes with their HTTP status.
    fn errors(&mut self, raw: Vec<RawError>) -> Vec<ErrorDef> {
        let mut errors = Vec::new();
        for e in raw {
            let code = match e.code.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                _ => {
                    self.d
                        .at(e.code.span(), "error code must be a string or an integer");
                    String::new()
                }
            };
            let http = e.http.and_then(|h| match u16::try_from(*h.get_ref()) {
                Ok(v) if (100..=599).contains(&v) => Some(v),
                _ => {
                    self.d.at(
                        h.span(),
                        format!("{} is not an HTTP status (100–599)", h.get_ref()),
                    );
                    None
                }
            });
            errors.push(ErrorDef {
                code,
                http,
                message: e.message,
            });
        }
        errors
    }

    /// `[types.*]`: the named types, each used somewhere and declared before use.
    fn types(
        &mut self,
        raw: BTreeMap<Spanned<String>, Spanned<RawTypeDef>>,
        mut uses: Vec<TypeUse>,
    ) -> BTreeMap<String, TypeDef> {
        let mut types = BTreeMap::new();
        let mut declared: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
        if let Some((past, _)) = raw.iter().nth(limits::MAX_TYPES) {
            self.d.at(
                past.span(),
                format!(
                    "{} named types; a spec may have at most {}",
                    raw.len(),
                    limits::MAX_TYPES
                ),
            );
        }
        for (tname, def) in raw {
            let n = tname.get_ref().clone();
            if !is_type_name(&n) {
                self.d.at(
                    tname.span(),
                    format!("type name `{n}` must be UpperCamelCase (letters and digits)"),
                );
            } else if matches!(
                TypeExpr::parse(&n),
                Ok(TypeExpr::Prim(_) | TypeExpr::Domain(_))
            ) {
                self.d.at(
                    tname.span(),
                    format!("type `{n}` shadows a built-in type of the same name"),
                );
            }
            declared.insert(n.clone(), tname.span());
            let span = def.span();
            if let Some(t) = self.type_def(def.into_inner(), span, &mut uses) {
                types.insert(n, t);
            }
        }

        // Second pass: every named type used is declared, every declared type is used.
        let mut used = BTreeSet::new();
        for u in &uses {
            for n in u.ty.named() {
                used.insert(n.to_string());
                if !declared.contains_key(n) {
                    let hint = naming::did_you_mean(n, declared.keys().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.d.at(
                        u.span.clone(),
                        format!(
                            "unknown type `{n}`: declare it under [types.{n}] or use a built-in type ({}){hint}",
                            known_names()
                        ),
                    );
                }
            }
        }
        for (n, span) in &declared {
            if !used.contains(n) {
                self.d.at(
                    span.clone(),
                    format!("type `{n}` is declared but never used"),
                );
            }
        }
        if types.len() <= limits::MAX_TYPES {
            self.nesting(&types, &declared);
        }
        types
    }

    /// Named types that contain themselves (refused: the generated Rust type would be
    /// infinite or need boxing the docs never call for), and chains of named types nested
    /// deeper than [`limits::MAX_NESTING`].
    fn nesting(
        &mut self,
        types: &BTreeMap<String, TypeDef>,
        declared: &BTreeMap<String, std::ops::Range<usize>>,
    ) {
        let mut graph = Nesting {
            types,
            path: Vec::new(),
            height: BTreeMap::new(),
            cycles: Vec::new(),
        };
        for n in types.keys() {
            graph.visit(n);
        }
        let mut reported: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
        for cycle in &graph.cycles {
            if !reported.insert(cycle.iter().copied().collect()) {
                continue;
            }
            let chain: Vec<String> = cycle.iter().map(|n| format!("`{n}`")).collect();
            let span = declared.get(cycle[0]).cloned().unwrap_or(0..0);
            self.d.at(
                span,
                format!(
                    "type `{}` contains itself ({}); recursive types are not supported",
                    cycle[0],
                    chain.join(" → ")
                ),
            );
        }
        if let Some((n, h)) = graph.height.iter().max_by_key(|(_, h)| **h)
            && h + 1 > limits::MAX_NESTING
        {
            let span = declared.get(*n).cloned().unwrap_or(0..0);
            self.d.at(
                span,
                format!(
                    "named types nest {} levels deep from `{n}`; a spec may nest at most {}",
                    h + 1,
                    limits::MAX_NESTING
                ),
            );
        }
    }

    /// Key patterns (`UF_CRM_*`) with their value types.
    fn extra_keys(&mut self, raw: Vec<RawExtraKey>, uses: &mut Vec<TypeUse>) -> Vec<ExtraKey> {
        raw.into_iter()
            .map(|k| {
                let p = k.pattern.get_ref();
                if p.matches('*').count() != 1 || !p.ends_with('*') {
                    self.d.at(
                        k.pattern.span(),
                        format!("key pattern `{p}` must end in a single `*`"),
                    );
                }
                ExtraKey {
                    pattern: k.pattern.get_ref().clone(),
                    ty: self.ty(&k.ty, uses),
                }
            })
            .collect()
    }

    /// One-of groups: two or more optional parameters each, named at most once.
    fn one_of(
        &mut self,
        raw: Vec<Spanned<Vec<Spanned<String>>>>,
        params: &[Param],
    ) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for group in raw {
            let span = group.span();
            let group = group.into_inner();
            if group.len() < 2 {
                self.d
                    .at(span.clone(), "a one-of group names at least two parameters");
            }
            let mut names = Vec::new();
            for n in group {
                match params.iter().find(|p| p.name == *n.get_ref()) {
                    None => {
                        let hint = naming::did_you_mean(n.get_ref(), params.iter().map(|p| p.name.as_str()))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        self.d.at(n.span(), format!("one_of names `{}`, which is not a parameter{hint}", n.get_ref()));
                    }
                    Some(p) if p.required => self.d.at(
                        n.span(),
                        format!("`{}` is required, so a one-of group with it says nothing: make it optional", p.name),
                    ),
                    Some(_) => {}
                }
                if names.contains(n.get_ref()) {
                    self.d.at(
                        n.span(),
                        format!("`{}` is named twice in one group", n.get_ref()),
                    );
                }
                names.push(n.into_inner());
            }
            out.push(names);
        }
        out
    }

    /// An enum of more values than [`limits::MAX_ENUM_VALUES`] is reported at `span`.
    fn enum_size(&mut self, values: Option<&[Spanned<toml::Value>]>, span: std::ops::Range<usize>) {
        let n = values.map_or(0, <[_]>::len);
        if n > limits::MAX_ENUM_VALUES {
            self.d.at(
                span,
                format!(
                    "{n} enum values; a spec may list at most {}",
                    limits::MAX_ENUM_VALUES
                ),
            );
        }
    }

    fn ty(&mut self, s: &Spanned<String>, uses: &mut Vec<TypeUse>) -> TypeExpr {
        match TypeExpr::parse(s.get_ref()) {
            Ok(t) => {
                uses.push(TypeUse {
                    ty: t.clone(),
                    span: s.span(),
                });
                t
            }
            Err(e) => {
                self.d.at(s.span(), e);
                TypeExpr::Prim(Prim::Any)
            }
        }
    }

    fn params(
        &mut self,
        raw: Vec<Spanned<RawParam>>,
        what: &str,
        uses: &mut Vec<TypeUse>,
    ) -> Vec<Param> {
        if let Some(past) = raw.get(limits::MAX_MEMBERS) {
            self.d.at(
                past.span(),
                format!(
                    "{} {what}s; a spec may have at most {} (this is the first past the limit)",
                    raw.len(),
                    limits::MAX_MEMBERS
                ),
            );
        }
        let mut out: Vec<Param> = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for rp in raw {
            let rp = rp.into_inner();
            let name = rp.name.get_ref().clone();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                self.d.at(
                    rp.name.span(),
                    format!("`{name}` is not a valid {what} name"),
                );
            }
            let field = self.rust_name(rp.rust_name.as_ref(), &name);
            if let Some(prev) = seen.get(&field) {
                self.d.at(
                    rp.name.span(),
                    format!("{what} `{name}` collides with `{prev}`: both become the Rust field `{field}`"),
                );
            }
            seen.insert(field, name.clone());
            let ty = self.ty(&rp.ty, uses);
            self.enum_size(rp.values.as_deref(), rp.name.span());
            let values: Vec<String> = rp
                .values
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| self.scalar(&v, "enum value"))
                .collect();
            let default = rp.default.as_ref().and_then(|v| self.scalar(v, "default"));
            if let (Some(dv), Some(span)) = (&default, rp.default.as_ref().map(|v| v.span())) {
                if rp.required {
                    self.d.at(
                        span.clone(),
                        format!("{what} `{name}` is required, so it cannot have a default"),
                    );
                }
                if let Err(why) = check_literal(&ty, dv) {
                    self.d.at(
                        span.clone(),
                        format!("default `{dv}` of `{name}` is not a valid {}: {why}", ty),
                    );
                }
                if !values.is_empty() && !rp.open_enum && !values.contains(dv) {
                    self.d.at(
                        span,
                        format!("default `{dv}` of `{name}` is not one of its values {values:?}"),
                    );
                }
            }
            if let (Some(lo), Some(hi)) = (&rp.min, &rp.max)
                && lo.get_ref() > hi.get_ref()
            {
                self.d.at(
                    hi.span(),
                    format!(
                        "max {} of `{name}` is below its min {}",
                        hi.get_ref(),
                        lo.get_ref()
                    ),
                );
            }
            let max_items = rp
                .max_items
                .and_then(|m| match usize::try_from(*m.get_ref()) {
                    Ok(v) if v > 0 => Some(v),
                    _ => {
                        self.d.at(m.span(), "max_items must be a positive integer");
                        None
                    }
                });
            let _ = (rp.pagination, rp.dict);
            out.push(Param {
                name,
                ty,
                required: rp.required,
                default,
                values,
                open_enum: rp.open_enum,
                min: rp.min.map(|v| *v.get_ref()),
                max: rp.max.map(|v| *v.get_ref()),
                max_items,
                deprecated: rp.deprecated,
                allow_empty: rp.allow_empty,
                override_: rp.override_,
                rust_name: rp.rust_name.map(Spanned::into_inner),
            });
        }
        out
    }

    /// The Rust field name of a parameter: its `rust_name` (checked to be one), else the
    /// snake case of its wire name.
    fn rust_name(&mut self, given: Option<&Spanned<String>>, name: &str) -> String {
        let Some(r) = given else {
            return naming::field_ident(name);
        };
        let ok = r.get_ref().starts_with(|c: char| c.is_ascii_lowercase())
            && r.get_ref()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && naming::field_ident(r.get_ref()) == *r.get_ref();
        if !ok {
            self.d.at(
                r.span(),
                format!(
                    "rust_name `{}` is not a snake_case Rust field name",
                    r.get_ref()
                ),
            );
        }
        r.get_ref().clone()
    }

    fn scalar(&mut self, v: &Spanned<toml::Value>, what: &str) -> Option<String> {
        match v.get_ref() {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            _ => {
                self.d.at(
                    v.span(),
                    format!("{what} must be a string, a number or a boolean"),
                );
                None
            }
        }
    }

    fn pagination(&mut self, p: Spanned<RawPagination>, params: &[Param]) -> Pagination {
        let span = p.span();
        let p = p.into_inner();
        let has = |n: &str| params.iter().any(|x| x.name == n);
        let _ = (
            &p.response_next,
            &p.response_total,
            &p.has_more,
            &p.step,
            p.default_limit,
        );
        match p.style.get_ref().as_str() {
            "none" => Pagination::None,
            "start_next" => {
                let param = p
                    .request_param
                    .as_ref()
                    .map_or("start".to_string(), |s| s.get_ref().clone());
                if !has(&param) {
                    let at = p.request_param.as_ref().map_or(span.clone(), |s| s.span());
                    self.d.at(
                        at,
                        format!(
                            "pagination parameter `{param}` is not among the method's parameters"
                        ),
                    );
                }
                Pagination::StartNext {
                    param,
                    page_size: p.page_size.unwrap_or(50),
                    fast_key: p.fast_mode.map(|f| {
                        let _ = f.start;
                        f.key
                    }),
                    items: p.items.map(|i| i.into_inner()),
                }
            }
            "limit_offset" => {
                let mut get = |v: &Option<Spanned<String>>, what: &str| -> String {
                    match v {
                        Some(s) => {
                            if !has(s.get_ref()) {
                                self.d.at(
                                    s.span(),
                                    format!(
                                        "{what} `{}` is not among the method's parameters",
                                        s.get_ref()
                                    ),
                                );
                            }
                            s.get_ref().clone()
                        }
                        None => {
                            self.d.at(
                                span.clone(),
                                format!("limit_offset pagination needs `{what}`"),
                            );
                            String::new()
                        }
                    }
                };
                let offset_param = get(&p.offset_param, "offset_param");
                let limit_param = get(&p.limit_param, "limit_param");
                Pagination::LimitOffset {
                    offset_param,
                    limit_param,
                    max_limit: p.max_limit,
                    items: p.items.map(|i| i.into_inner()),
                }
            }
            "v3_page" => Pagination::V3Page,
            other => {
                self.d.at(
                    p.style.span(),
                    format!("unknown pagination style `{other}`: expected none, start_next, limit_offset or v3_page"),
                );
                Pagination::None
            }
        }
    }

    fn type_def(
        &mut self,
        t: RawTypeDef,
        span: std::ops::Range<usize>,
        uses: &mut Vec<TypeUse>,
    ) -> Option<TypeDef> {
        let kind = t.kind.get_ref().as_str();
        let stray = |present: bool, key: &str, d: &mut Diags<'_>| {
            if present {
                d.at(
                    span.clone(),
                    format!("`{key}` does not apply to a type of kind `{kind}`"),
                );
            }
        };
        match kind {
            "struct" => {
                stray(t.repr.is_some(), "repr", self.d);
                stray(t.values.is_some(), "values", self.d);
                stray(t.value.is_some(), "value", self.d);
                let Some(fields) = t.fields else {
                    self.d.at(span, "a struct type needs `fields`");
                    return None;
                };
                let fields = self.params(fields, "field", uses);
                let extra_keys = self.extra_keys(t.extra_keys.unwrap_or_default(), uses);
                Some(TypeDef::Struct(StructDef { fields, extra_keys }))
            }
            "enum" => {
                stray(t.fields.is_some(), "fields", self.d);
                let repr = match t.repr.as_ref().map(|r| r.get_ref().as_str()) {
                    None | Some("string") => EnumRepr::String,
                    Some("int") => EnumRepr::Int,
                    Some(other) => {
                        let s = t.repr.as_ref().map_or(span.clone(), |r| r.span());
                        self.d.at(
                            s,
                            format!("unknown enum repr `{other}`: expected `string` or `int`"),
                        );
                        EnumRepr::String
                    }
                };
                self.enum_size(t.values.as_deref(), span.clone());
                let values: Vec<String> = t
                    .values
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| self.scalar(v, "enum value"))
                    .collect();
                if values.is_empty() {
                    self.d
                        .at(span, "an enum type needs a non-empty `values` list");
                    return None;
                }
                if repr == EnumRepr::Int {
                    for v in &values {
                        if v.parse::<i64>().is_err() {
                            self.d.at(
                                span.clone(),
                                format!("value `{v}` of an int enum is not an integer"),
                            );
                        }
                    }
                }
                let mut idents = BTreeMap::new();
                for v in &values {
                    let id = naming::variant_ident(v);
                    if let Some(prev) = idents.insert(id.clone(), v.clone()) {
                        self.d.at(
                            span.clone(),
                            format!(
                                "enum values `{prev}` and `{v}` both become the variant `{id}`"
                            ),
                        );
                    }
                }
                Some(TypeDef::Enum(EnumDef {
                    repr,
                    values,
                    case_insensitive: t.case_insensitive,
                }))
            }
            "newtype" => {
                let Some(r) = &t.repr else {
                    self.d.at(span, "a newtype needs `repr` (a primitive type)");
                    return None;
                };
                match TypeExpr::parse(r.get_ref()) {
                    Ok(ty @ TypeExpr::Prim(_)) => Some(TypeDef::Newtype(ty)),
                    _ => {
                        self.d.at(
                            r.span(),
                            format!("newtype repr `{}` must be a primitive type", r.get_ref()),
                        );
                        None
                    }
                }
            }
            "map" => {
                stray(t.fields.is_some(), "fields", self.d);
                let value = match &t.value {
                    Some(v) => self.ty(v, uses),
                    None => TypeExpr::Prim(Prim::Any),
                };
                Some(TypeDef::Map(MapDef {
                    value,
                    key_prefixes: t.key_prefixes.unwrap_or_default(),
                }))
            }
            other => {
                self.d.at(
                    t.kind.span(),
                    format!("unknown type kind `{other}`: expected struct, enum, newtype or map"),
                );
                None
            }
        }
    }
}

/// The graph of named types inside named types, walked depth first.
struct Nesting<'t> {
    types: &'t BTreeMap<String, TypeDef>,
    /// The types being visited, outermost first.
    path: Vec<&'t str>,
    /// Finished types: how many named types nest below each, at most.
    height: BTreeMap<&'t str, usize>,
    /// Each cycle found: its types from the first back to the first.
    cycles: Vec<Vec<&'t str>>,
}

impl<'t> Nesting<'t> {
    /// The named types `def` holds directly (fields, extra keys, map values).
    fn inner(def: &'t TypeDef) -> Vec<&'t str> {
        match def {
            TypeDef::Struct(s) => s
                .fields
                .iter()
                .flat_map(|f| f.ty.named())
                .chain(s.extra_keys.iter().flat_map(|e| e.ty.named()))
                .collect(),
            TypeDef::Map(m) => m.value.named(),
            TypeDef::Enum(_) | TypeDef::Newtype(_) => Vec::new(),
        }
    }

    /// The height of `n` (0 for a type holding no named type).
    fn visit(&mut self, n: &'t str) -> usize {
        if let Some(h) = self.height.get(n) {
            return *h;
        }
        if let Some(i) = self.path.iter().position(|p| *p == n) {
            let mut cycle = self.path[i..].to_vec();
            cycle.push(n);
            self.cycles.push(cycle);
            return 0;
        }
        let Some((name, def)) = self.types.get_key_value(n) else {
            return 0;
        };
        self.path.push(name);
        let mut h = 0;
        for inner in Self::inner(def) {
            if self.types.contains_key(inner) {
                h = h.max(1 + self.visit(inner));
            }
        }
        self.path.pop();
        self.height.insert(name, h);
        h
    }
}

fn is_method_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `lit` is a valid literal of type `ty` (defaults and enum values).
fn check_literal(ty: &TypeExpr, lit: &str) -> Result<(), String> {
    match ty.non_optional() {
        TypeExpr::Prim(Prim::Yn) if !matches!(lit, "Y" | "N") => Err("expected `Y` or `N`".into()),
        TypeExpr::Prim(Prim::Bool) if !matches!(lit, "true" | "false") => {
            Err("expected `true` or `false`".into())
        }
        TypeExpr::Prim(Prim::Bool01) if !matches!(lit, "0" | "1") => {
            Err("expected `0` or `1`".into())
        }
        TypeExpr::Prim(Prim::Int | Prim::Timestamp) if lit.parse::<i64>().is_err() => {
            Err("expected an integer".into())
        }
        TypeExpr::Prim(Prim::Float) if lit.parse::<f64>().is_err() => {
            Err("expected a number".into())
        }
        _ => Ok(()),
    }
}

mod event;

#[cfg(test)]
pub(crate) use event::TEST_EVENT;
pub use event::{EVENTS_DIR, event_files, load_event_file, load_event_str};

#[cfg(test)]
mod tests;
