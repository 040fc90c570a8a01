//! The spec-driven fallback: every method of the spec catalog without a handler
//! validates its parameters against its spec and answers a canned result.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use b24_spec::conform::{Issue, IssueKind};
use b24_spec::spec::{Api, Spec, TypeDef};
use b24_spec::ty::{Domain, Prim, TypeExpr};
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::outcome::{ApiErr, CmdResult, Outcome};

/// Codes the docs use for a bad argument, most specific first.
const ARGUMENT_CODES: &[&str] = &[
    "ERROR_REQUIRED_PARAMETERS_MISSING",
    "INVALID_ARG_VALUE",
    "ERROR_ARGUMENT",
    "BX_EMPTY_REQUIRED",
    "INVALID_FORMAT",
];

/// The shipped specs (`b24_spec::Catalog::shipped`, loaded on first use) plus the portal's
/// extra specs, which win over shipped ones of the same name.
pub struct Catalog {
    /// The portal's own specs, by lower-case name.
    extra: BTreeMap<String, Spec>,
    /// The OpenAPI document of the REST 3.0 specs, made on first use.
    openapi: OnceLock<Value>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("extra", &self.extra.len())
            .finish()
    }
}

/// The shipped catalog; a spec of it that does not load is the portal's error, answered
/// as such (a broken build of b24, never the caller's request).
fn shipped() -> Result<&'static b24_spec::Catalog, ApiErr> {
    b24_spec::Catalog::shipped().map_err(|e| ApiErr::new(500, "INTERNAL_SERVER_ERROR", e))
}

impl Catalog {
    /// The b24 catalog plus `extra` specs (which win over catalog ones of the same name).
    pub fn with_extra(extra: Vec<Spec>) -> Catalog {
        Catalog {
            extra: extra
                .into_iter()
                .map(|s| (s.name.to_ascii_lowercase(), s))
                .collect(),
            openapi: OnceLock::new(),
        }
    }

    /// The REST v2 specs: the shipped ones no extra spec replaces, then the extra ones.
    fn v2(&self) -> Result<impl Iterator<Item = &Spec>, ApiErr> {
        let shipped = shipped()?
            .methods()
            .iter()
            .filter(|s| s.api == Api::V2 && !self.extra.contains_key(&s.name.to_ascii_lowercase()));
        Ok(shipped.chain(self.extra.values()))
    }

    /// The portal's OpenAPI document (`rest.documentation.openapi`): its REST 3.0 methods.
    pub fn openapi(&self) -> Result<&Value, ApiErr> {
        if let Some(doc) = self.openapi.get() {
            return Ok(doc);
        }
        let v3 = shipped()?.methods().iter().filter(|s| s.api == Api::V3);
        // The title of the docs' example answer (`api-reference/rest-v3.md`).
        let doc = b24_spec::openapi::document(v3, "Bitrix24 REST V3 API");
        Ok(self.openapi.get_or_init(|| doc))
    }

    /// The portal's method-to-scope list (`rest.scope.list`), both REST versions.
    pub fn scope_list(&self) -> Result<Value, ApiErr> {
        let v3 = shipped()?.methods().iter().filter(|s| s.api == Api::V3);
        Ok(b24_spec::openapi::scope_list(self.v2()?.chain(v3)))
    }

    /// Method names of the catalog (REST v2).
    pub fn names(&self) -> Result<Vec<String>, ApiErr> {
        Ok(self.v2()?.map(|s| s.name.clone()).collect())
    }

    /// Every scope the catalog mentions (REST v2).
    pub fn scopes(&self) -> Result<Vec<String>, ApiErr> {
        let mut v: Vec<String> = self.v2()?.flat_map(|s| s.scope.iter().cloned()).collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// The REST v2 spec of `method` (any letter case).
    pub fn get(&self, method: &str) -> Result<Option<&Spec>, ApiErr> {
        if let Some(s) = self.extra.get(&method.to_ascii_lowercase()) {
            return Ok(Some(s));
        }
        Ok(shipped()?.method(method, Api::V2))
    }

    /// Validates `params` against the spec and answers the canned result (a canned result
    /// set for a method without a spec is answered too); `None` when the portal knows
    /// nothing of the method. Parameters the spec does not list are accepted, and returned
    /// so the portal can record them: the portal is never stricter than the docs.
    pub(crate) fn fallback(
        &self,
        cfg: &Config,
        method: &str,
        params: &Value,
    ) -> Option<(CmdResult, Vec<String>)> {
        let spec = match self.get(method) {
            Ok(spec) => spec,
            Err(e) => return Some((Err(e), Vec::new())),
        };
        let Some(spec) = spec else {
            let canned = cfg.canned.get(method)?;
            return Some((Ok(Outcome::of(canned.clone())), Vec::new()));
        };
        let issues = b24_spec::conform::request(spec, params);
        let unlisted: Vec<String> = issues
            .iter()
            .filter(|i| i.kind == IssueKind::Unknown && top_level(&i.path))
            .map(|i| i.path.trim_start_matches("$.").to_string())
            .collect();
        if let Some(e) = refusal(spec, &issues) {
            return Some((Err(e), unlisted));
        }
        let result = cfg
            .canned
            .get(method)
            .cloned()
            .unwrap_or_else(|| sample(spec, &spec.response.result, 0));
        Some((Ok(Outcome::of(result)), unlisted))
    }
}

fn top_level(path: &str) -> bool {
    path == "$"
        || path
            .strip_prefix("$.")
            .is_some_and(|p| !p.contains(['.', '[']))
}

/// What a server following the docs would refuse: a missing required parameter, none of a
/// one-of group, a top-level value of the wrong form or outside a closed list. Anything
/// nested, and anything the docs do not list, is accepted.
fn refusal(spec: &Spec, issues: &[Issue]) -> Option<ApiErr> {
    let i = issues
        .iter()
        .find(|i| i.kind != IssueKind::Unknown && top_level(&i.path))?;
    let name = i.path.trim_start_matches("$.").trim_start_matches('$');
    let why = match i.kind {
        IssueKind::Missing => format!("Required parameter '{name}' is missing"),
        IssueKind::OneOf => format!("Parameters missing: {}", i.detail),
        _ => format!("Parameter '{name}': {}", i.detail),
    };
    Some(argument_error(spec, name, &why))
}

/// The error the server gives for a bad `param`: a documented code naming the
/// parameter, else a documented generic argument code, else `ERROR_ARGUMENT`.
fn argument_error(spec: &Spec, param_name: &str, why: &str) -> ApiErr {
    let upper = param_name.to_ascii_uppercase();
    let documented = spec
        .errors
        .iter()
        .find(|e| !upper.is_empty() && e.code.to_ascii_uppercase().contains(&upper))
        .or_else(|| {
            ARGUMENT_CODES
                .iter()
                .find_map(|c| spec.errors.iter().find(|e| e.code == *c))
        });
    match documented {
        Some(e) => ApiErr::new(e.http.unwrap_or(400), &e.code, why),
        None => ApiErr::new(400, "ERROR_ARGUMENT", why),
    }
}

/// Parameters that pass the spec's validation: every required parameter, and the first
/// parameter of each one-of group, with a plausible value (for tests of your own bindings
/// against this portal).
pub fn sample_request(spec: &Spec) -> Value {
    // The required parameters, and the first of each one-of group.
    let wanted = |p: &b24_spec::spec::Param| {
        p.required
            || spec
                .request
                .one_of
                .iter()
                .any(|g| g.first() == Some(&p.name))
    };
    Value::Object(
        spec.request
            .params
            .iter()
            .filter(|p| wanted(p))
            .map(|p| {
                let v = match p.values.first() {
                    Some(first) if matches!(p.ty, TypeExpr::Prim(Prim::Int)) => {
                        json!(first.parse::<i64>().unwrap_or(1))
                    }
                    Some(first) => json!(first),
                    None => match sample(spec, &p.ty, 0) {
                        Value::Null => json!("1"),
                        v => v,
                    },
                };
                (p.name.clone(), v)
            })
            .collect(),
    )
}

/// A plausible value of `ty`, so that typed bindings decode the canned answer.
pub fn sample(spec: &Spec, ty: &TypeExpr, depth: u32) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    match ty {
        TypeExpr::Optional(inner) => sample(spec, inner, depth),
        TypeExpr::Prim(p) => match p {
            Prim::String | Prim::Text => json!("string"),
            Prim::Char | Prim::Yn => json!("Y"),
            Prim::Int => json!(1),
            Prim::Timestamp => json!(1_767_225_600),
            Prim::Float => json!(1.5),
            Prim::Bool => json!(true),
            Prim::Bool01 => json!(1),
            Prim::Date => json!("2026-01-01"),
            Prim::DateTime => json!("2026-01-01T10:00:00+00:00"),
            Prim::File | Prim::Any | Prim::Null => Value::Null,
        },
        TypeExpr::Domain(d) => match d {
            Domain::DialogId => json!("chat1"),
            Domain::Time => json!({"start": 0, "finish": 0, "duration": 0, "processing": 0}),
            Domain::Filter => json!({}),
            Domain::Order => json!({"ID": "ASC"}),
            Domain::FieldInfo => {
                json!({"type": "string", "isRequired": false, "isReadOnly": false, "isImmutable": false, "isMultiple": false, "isDynamic": false, "title": "Title"})
            }
            Domain::Id(_) => json!(1),
            Domain::Code(_) => json!("NEW"),
        },
        TypeExpr::Array(inner) => json!([sample(spec, inner, depth + 1)]),
        TypeExpr::Map(inner) => json!({ "key": sample(spec, inner, depth + 1) }),
        TypeExpr::Named(n) => match spec.types.get(n) {
            Some(TypeDef::Struct(s)) => Value::Object(
                s.fields
                    .iter()
                    .map(|f| (f.name.clone(), sample(spec, &f.ty, depth + 1)))
                    .collect::<Map<String, Value>>(),
            ),
            Some(TypeDef::Enum(e)) => match e.repr {
                b24_spec::spec::EnumRepr::Int => json!(
                    e.values
                        .first()
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                ),
                b24_spec::spec::EnumRepr::String => {
                    json!(e.values.first().cloned().unwrap_or_default())
                }
            },
            Some(TypeDef::Newtype(inner)) => sample(spec, inner, depth + 1),
            Some(TypeDef::Map(_)) | None => json!({}),
        },
    }
}
