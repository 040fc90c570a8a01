//! The spec-driven fallback: every method of the spec catalog without a handler
//! validates its parameters against its spec and answers a canned result.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use b24_codegen::spec::{Spec, TypeDef};
use b24_codegen::ty::{Domain, Prim, TypeExpr};
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::methods::{ApiErr, CmdResult, Outcome, param};

/// Codes the docs use for a bad argument, most specific first.
const ARGUMENT_CODES: &[&str] = &[
    "ERROR_REQUIRED_PARAMETERS_MISSING",
    "INVALID_ARG_VALUE",
    "ERROR_ARGUMENT",
    "BX_EMPTY_REQUIRED",
    "INVALID_FORMAT",
];

/// The spec catalog, loaded on first use, plus the portal's extra specs.
#[derive(Default)]
pub struct Catalog {
    specs: OnceLock<BTreeMap<String, Spec>>,
    extra: Vec<Spec>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("loaded", &self.specs.get().map(BTreeMap::len))
            .finish()
    }
}

impl Catalog {
    /// The b24 catalog plus `extra` specs (which win over catalog ones of the same name).
    pub fn with_extra(extra: Vec<Spec>) -> Catalog {
        Catalog {
            specs: OnceLock::new(),
            extra,
        }
    }

    fn specs(&self) -> &BTreeMap<String, Spec> {
        self.specs.get_or_init(|| {
            let mut all: BTreeMap<String, Spec> = b24_specs::all()
                .iter()
                .filter(|e| e.api == "v2")
                .filter_map(|e| b24_codegen::load_str(Path::new(e.path), e.text).ok())
                .map(|s| (s.name.to_ascii_lowercase(), s))
                .collect();
            for s in &self.extra {
                all.insert(s.name.to_ascii_lowercase(), s.clone());
            }
            all
        })
    }

    /// Method names of the catalog.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.specs().values().map(|s| s.name.as_str())
    }

    /// Every scope the catalog mentions.
    pub fn scopes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .specs()
            .values()
            .flat_map(|s| s.scope.iter().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The spec of `method` (lower case).
    pub fn get(&self, method: &str) -> Option<&Spec> {
        self.specs().get(method)
    }

    /// Validates `params` against the spec and answers the canned result; `None` when the
    /// catalog has no such method.
    pub(crate) fn fallback(&self, cfg: &Config, method: &str, params: &Value) -> Option<CmdResult> {
        let spec = self.get(method)?;
        // Positional arguments arrive as an array, in the spec's parameter order.
        let named;
        let params = match params {
            Value::Array(args) => {
                named = Value::Object(
                    spec.request
                        .params
                        .iter()
                        .zip(args)
                        .map(|(p, v)| (p.name.clone(), v.clone()))
                        .collect(),
                );
                &named
            }
            other => other,
        };
        if let Err(e) = validate(spec, params) {
            return Some(Err(e));
        }
        let result = cfg
            .canned
            .get(method)
            .cloned()
            .unwrap_or_else(|| sample(spec, &spec.response.result, 0));
        Some(Ok(Outcome::of(result)))
    }
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

fn validate(spec: &Spec, params: &Value) -> Result<(), ApiErr> {
    for p in &spec.request.params {
        let v = param(params, &p.name);
        match v {
            None | Some(Value::Null) => {
                if p.required {
                    return Err(argument_error(
                        spec,
                        &p.name,
                        &format!("Required parameter '{}' is missing", p.name),
                    ));
                }
            }
            Some(Value::String(s)) if s.is_empty() && p.required => {
                return Err(argument_error(
                    spec,
                    &p.name,
                    &format!("Required parameter '{}' is empty", p.name),
                ));
            }
            Some(v) => {
                if let Err(why) = check_type(spec, &p.ty, v, 0) {
                    return Err(argument_error(
                        spec,
                        &p.name,
                        &format!("Parameter '{}': {why}", p.name),
                    ));
                }
                if !p.values.is_empty() && !p.open_enum {
                    let text = scalar_text(v);
                    if text.is_some_and(|t| !p.values.contains(&t)) {
                        return Err(argument_error(
                            spec,
                            &p.name,
                            &format!(
                                "Parameter '{}' must be one of: {}",
                                p.name,
                                p.values.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_int(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::String(s) => s.trim().parse::<i64>().is_ok(),
        _ => false,
    }
}

fn check_type(spec: &Spec, ty: &TypeExpr, v: &Value, depth: u32) -> Result<(), String> {
    if depth > 8 {
        return Ok(());
    }
    match ty {
        TypeExpr::Optional(inner) => {
            if v.is_null() {
                Ok(())
            } else {
                check_type(spec, inner, v, depth)
            }
        }
        TypeExpr::Prim(Prim::Int | Prim::Timestamp) | TypeExpr::Domain(Domain::Id(_)) => {
            if is_int(v) {
                Ok(())
            } else {
                Err(format!("expected an integer, got {v}"))
            }
        }
        TypeExpr::Prim(Prim::Float) => match v {
            Value::Number(_) => Ok(()),
            Value::String(s) if s.trim().parse::<f64>().is_ok() => Ok(()),
            _ => Err(format!("expected a number, got {v}")),
        },
        TypeExpr::Prim(Prim::Yn) => match v {
            Value::String(s) if s == "Y" || s == "N" => Ok(()),
            Value::Bool(_) => Ok(()),
            _ => Err(format!("expected Y or N, got {v}")),
        },
        TypeExpr::Prim(Prim::Bool | Prim::Bool01) => match v {
            Value::Bool(_) => Ok(()),
            Value::Number(n) if n.as_i64().is_some_and(|i| i == 0 || i == 1) => Ok(()),
            Value::String(s) if matches!(s.as_str(), "0" | "1" | "true" | "false" | "Y" | "N") => {
                Ok(())
            }
            _ => Err(format!("expected a boolean, got {v}")),
        },
        TypeExpr::Prim(Prim::String | Prim::Text | Prim::Char | Prim::Date | Prim::DateTime)
        | TypeExpr::Domain(Domain::Code(_)) => match v {
            Value::String(_) | Value::Number(_) => Ok(()),
            _ => Err(format!("expected a string, got {v}")),
        },
        TypeExpr::Domain(Domain::DialogId) => {
            let s = scalar_text(v).unwrap_or_default();
            let digits = s
                .strip_prefix("chat")
                .or_else(|| s.strip_prefix("sg"))
                .unwrap_or(&s);
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<u64>().is_ok_and(|n| n > 0)
            {
                Ok(())
            } else {
                Err(format!("expected a dialog id, got {v}"))
            }
        }
        TypeExpr::Prim(Prim::Any | Prim::File) | TypeExpr::Domain(Domain::Time) => Ok(()),
        TypeExpr::Array(inner) => match v {
            Value::Array(items) => items
                .iter()
                .try_for_each(|x| check_type(spec, inner, x, depth + 1)),
            Value::Object(m) => m
                .values()
                .try_for_each(|x| check_type(spec, inner, x, depth + 1)),
            _ => Err(format!("expected an array, got {v}")),
        },
        TypeExpr::Map(inner) => match v {
            Value::Object(m) => m
                .values()
                .try_for_each(|x| check_type(spec, inner, x, depth + 1)),
            Value::Array(a) if a.is_empty() => Ok(()),
            _ => Err(format!("expected an object, got {v}")),
        },
        TypeExpr::Named(n) => match spec.types.get(n) {
            Some(TypeDef::Struct(s)) => match v {
                Value::Object(m) => {
                    for f in &s.fields {
                        match m.get(&f.name) {
                            None | Some(Value::Null) if f.required => {
                                return Err(format!("missing `{}`", f.name));
                            }
                            None | Some(Value::Null) => {}
                            Some(x) => check_type(spec, &f.ty, x, depth + 1)
                                .map_err(|e| format!("`{}`: {e}", f.name))?,
                        }
                    }
                    Ok(())
                }
                Value::Array(a) if a.is_empty() => Ok(()),
                _ => Err(format!("expected an object, got {v}")),
            },
            Some(TypeDef::Enum(e)) => {
                let t = scalar_text(v).unwrap_or_default();
                let ok = e.values.iter().any(|x| {
                    if e.case_insensitive {
                        x.eq_ignore_ascii_case(&t)
                    } else {
                        *x == t
                    }
                });
                if ok {
                    Ok(())
                } else {
                    Err(format!("expected one of {}, got {v}", e.values.join(", ")))
                }
            }
            Some(TypeDef::Newtype(inner)) => check_type(spec, inner, v, depth + 1),
            Some(TypeDef::Map(m)) => check_type(
                spec,
                &TypeExpr::Map(Box::new(m.value.clone())),
                v,
                depth + 1,
            ),
            None => Ok(()),
        },
    }
}

/// Parameters that pass the spec's validation: every required parameter with a plausible
/// value (for tests of your own bindings against this portal).
pub fn sample_request(spec: &Spec) -> Value {
    Value::Object(
        spec.request
            .params
            .iter()
            .filter(|p| p.required)
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
            Prim::File | Prim::Any => Value::Null,
        },
        TypeExpr::Domain(d) => match d {
            Domain::DialogId => json!("chat1"),
            Domain::Time => json!({"start": 0, "finish": 0, "duration": 0, "processing": 0}),
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
                b24_codegen::spec::EnumRepr::Int => json!(
                    e.values
                        .first()
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                ),
                b24_codegen::spec::EnumRepr::String => {
                    json!(e.values.first().cloned().unwrap_or_default())
                }
            },
            Some(TypeDef::Newtype(inner)) => sample(spec, inner, depth + 1),
            Some(TypeDef::Map(_)) | None => json!({}),
        },
    }
}
