//! An OpenAPI document → specs.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::{Map, Value};

use b24_spec::spec::*;
use b24_spec::ty::{Prim, TypeExpr};

/// The marker of files `b24-gen import-openapi` writes.
pub const HEADER: &str = "# Imported from a portal's OpenAPI document by `b24-gen import-openapi`";

/// What [`import`] made of a document.
#[derive(Debug, Default)]
pub struct Imported {
    /// `title version` of the document.
    pub title: String,
    /// One spec per method, with the path under a specs folder
    /// (`<namespace>/<method>@v3.toml`) and the file's text.
    pub specs: Vec<(PathBuf, String, Spec)>,
    /// What could not be read as it is, as `<JSON path>: <reason>`: a method left out, or
    /// a schema read as something wider (`any`). Nothing is dropped without a line here.
    pub problems: Vec<String>,
}

/// Where a document came from, fit for a file header and the terminal: a file path as it is,
/// a URL as its origin only (a webhook's path holds its secret).
pub fn source_label(source: &str) -> String {
    match source.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => source.to_string(),
    }
}

/// Reads `doc` (the document itself, or a REST 3.0 answer holding it in `result`) into
/// specs of its methods (`api = "v3"`, `origin = "openapi"`). `source` names it in the
/// files' header (see [`source_label`]); `scopes` is the portal's method-to-scope list;
/// `docs` are the docs-imported specs, whose page a method's spec links when the docs have
/// it in REST 3.0.
pub fn import(
    doc: &Value,
    source: &str,
    scopes: &BTreeMap<String, Vec<String>>,
    docs: &[Spec],
) -> Imported {
    let doc = match doc.get("result") {
        Some(inner) if doc.get("openapi").is_none() => inner,
        _ => doc,
    };
    let mut out = Imported::default();
    let title = |k: &str| doc.pointer(&format!("/info/{k}")).and_then(Value::as_str);
    out.title = format!(
        "{} {}",
        title("title").unwrap_or("(untitled)"),
        title("version").unwrap_or("")
    )
    .trim()
    .to_string();
    if !doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with('3'))
    {
        out.problems
            .push("openapi: not an OpenAPI 3 document (no `openapi: \"3.x\"`)".into());
        return out;
    }
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        out.problems
            .push("paths: missing: the document lists no methods".into());
        return out;
    };
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let label = source_label(source);
    for (path, item) in paths {
        let at = format!("paths.{path}");
        let name = path.trim_start_matches('/').to_string();
        if !is_method_name(&name) {
            out.problems.push(format!(
                "{at}: `{name}` is not a REST method name; left out"
            ));
            continue;
        }
        let Some(op) = ["post", "get"]
            .iter()
            .find_map(|m| item.get(*m).filter(|o| o.is_object()))
        else {
            out.problems
                .push(format!("{at}: no `post` or `get` operation; left out"));
            continue;
        };
        let mut r = Reader {
            method: &name,
            schemas,
            problems: &mut out.problems,
            types: BTreeMap::new(),
            by_ref: HashMap::new(),
            stack: Vec::new(),
        };
        let twin = docs.iter().find(|s| s.api == Api::V3 && s.name == name);
        let spec = r.spec(&name, op, &at, scopes, twin);
        let rel = crate::import::spec_path(&name, "v3");
        let header = format!(
            "{HEADER} from \"{}\" of {label}:\n# do not edit, import it again.\n",
            out.title
        );
        let text = b24_spec::write::spec_toml(&spec, &header);
        match b24_spec::load_str(&rel, &text) {
            Ok(spec) => out.specs.push((rel, text, spec)),
            Err(e) => out.problems.push(format!(
                "{at}: the spec made of it is refused; left out: {e}"
            )),
        }
    }
    out
}

fn is_method_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

struct Reader<'a> {
    method: &'a str,
    schemas: Option<&'a Map<String, Value>>,
    problems: &'a mut Vec<String>,
    types: BTreeMap<String, TypeDef>,
    /// `$ref` → the named type made of it.
    by_ref: HashMap<String, String>,
    /// The `$ref`s being read (a schema that contains itself is read as `any` inside).
    stack: Vec<String>,
}

impl Reader<'_> {
    /// Records a problem once; one met in a shared schema names the method it was read for.
    fn problem(&mut self, at: &str, what: String) {
        let line = if at.starts_with("paths.") {
            format!("{at}: {what}")
        } else {
            format!("{at} (read for {}): {what}", self.method)
        };
        if !self.problems.contains(&line) {
            self.problems.push(line);
        }
    }

    fn spec(
        &mut self,
        name: &str,
        op: &Value,
        at: &str,
        scopes: &BTreeMap<String, Vec<String>>,
        twin: Option<&Spec>,
    ) -> Spec {
        let body_at = format!("{at}.requestBody");
        let body = op.pointer("/requestBody/content/application~1json/schema");
        let (params, open) = match body {
            None => (Vec::new(), false),
            Some(s) => self.body(s, &body_at),
        };
        if op
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty())
        {
            self.problem(
                &format!("{at}.parameters"),
                "query and path parameters are not read by REST 3.0 (only the JSON body); left out"
                    .into(),
            );
        }
        let result = self.result(op, at);
        let pagination = if params.iter().any(|p| p.name == "pagination") {
            Pagination::V3Page
        } else {
            Pagination::None
        };
        let docs = twin.map_or_else(
            || Docs {
                path: OPENAPI_PAGE.into(),
                commit: String::new(),
            },
            |t| t.docs.clone(),
        );
        let scope = scopes
            .get(name)
            .cloned()
            .or_else(|| twin.map(|t| t.scope.clone()))
            .unwrap_or_default();
        Spec {
            name: name.to_string(),
            api: Api::V3,
            scope,
            docs,
            origin: Origin::OpenApi,
            idempotent: crate::import::idempotent_guess(name),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .then(Deprecation::default),
            runtime: None,
            request: Request {
                encoding: Encoding::Json,
                params,
                alternatives: Vec::new(),
                one_of: Vec::new(),
                extra_keys: if open { any_keys() } else { Vec::new() },
                by_name: true,
            },
            response: Response {
                result,
                envelope: Envelope::Plain,
                partial: false,
            },
            pagination,
            errors: Vec::new(),
            types: std::mem::take(&mut self.types),
            errata: Vec::new(),
            source: PathBuf::new(),
        }
    }

    /// The parameters of a request body, and whether it takes other keys too.
    fn body(&mut self, schema: &Value, at: &str) -> (Vec<Param>, bool) {
        let (schema, at) = match self.deref(schema, at) {
            Some(s) => s,
            None => return (Vec::new(), true),
        };
        match self.members(&schema, &at, 0) {
            Some((fields, open)) => (fields, open),
            None => {
                self.problem(
                    &at,
                    "the body is not an object with properties; every key is taken".to_string(),
                );
                (Vec::new(), true)
            }
        }
    }

    /// The type of `result` in the 200 answer's schema (`{result, time}`, or the result
    /// itself when the schema has no `result` member).
    fn result(&mut self, op: &Value, at: &str) -> TypeExpr {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return TypeExpr::Prim(Prim::Any);
        };
        let Some((code, ok)) = ["200", "2XX", "201", "default"]
            .iter()
            .find_map(|c| responses.get(*c).map(|r| (*c, r)))
        else {
            return TypeExpr::Prim(Prim::Any);
        };
        let at = format!("{at}.responses.{code}");
        let Some(schema) = ok.pointer("/content/application~1json/schema") else {
            return TypeExpr::Prim(Prim::Any);
        };
        let Some((whole, whole_at)) = self.deref(schema, &at) else {
            return TypeExpr::Prim(Prim::Any);
        };
        match whole.pointer("/properties/result") {
            Some(result) => self.ty(
                result,
                "Result",
                &format!("{whole_at}.properties.result"),
                0,
            ),
            None => self.ty(schema, "Result", &at, 0),
        }
    }

    /// `schema` with its `$ref`s followed (a few steps at most), and where it is.
    fn deref(&mut self, schema: &Value, at: &str) -> Option<(Value, String)> {
        let mut s = schema.clone();
        let mut at = at.to_string();
        for _ in 0..8 {
            let Some(r) = s.get("$ref").and_then(Value::as_str) else {
                return Some((s, at));
            };
            let (target, name) = self.resolve(r, &at)?;
            at = format!("components.schemas.{name}");
            s = target;
        }
        self.problem(&at, "a `$ref` chain longer than 8; read as any".to_string());
        None
    }

    /// The schema a `$ref` names, and its name; `None` (reported) when it names nothing.
    fn resolve(&mut self, r: &str, at: &str) -> Option<(Value, String)> {
        let name = r.strip_prefix("#/components/schemas/")?.to_string();
        let name = name.replace("~1", "/").replace("~0", "~");
        match self.schemas.and_then(|s| s.get(&name)) {
            Some(t) => Some((t.clone(), name)),
            None => {
                self.problem(at, format!("`$ref` {r} names no schema; read as any"));
                None
            }
        }
    }

    /// The fields of an object schema (`properties`, `required`, `allOf` merged), and
    /// whether it takes other keys (`additionalProperties`). `None`: not an object with
    /// properties.
    fn members(&mut self, schema: &Value, at: &str, depth: usize) -> Option<(Vec<Param>, bool)> {
        let mut parts = vec![(schema.clone(), at.to_string())];
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for (i, part) in all.iter().enumerate() {
                if let Some(p) = self.deref(part, &format!("{at}.allOf.{i}")) {
                    parts.push(p);
                }
            }
        }
        let mut fields: Vec<Param> = Vec::new();
        let mut open = false;
        let mut any = false;
        for (part, at) in parts {
            let required: Vec<&str> = part
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            open |= part
                .get("additionalProperties")
                .is_some_and(|a| a.as_bool() == Some(true) || a.is_object());
            let Some(props) = part.get("properties").and_then(Value::as_object) else {
                continue;
            };
            any = true;
            for (name, ps) in props {
                let at = format!("{at}.properties.{name}");
                let param = self.param(name, ps, required.contains(&name.as_str()), &at, depth);
                match fields.iter_mut().find(|f| f.name == *name) {
                    Some(f) => *f = param,
                    None => fields.push(param),
                }
            }
        }
        any.then_some((fields, open))
    }

    fn param(
        &mut self,
        name: &str,
        schema: &Value,
        required: bool,
        at: &str,
        depth: usize,
    ) -> Param {
        let mut values = Vec::new();
        let ty = match inline_enum(schema) {
            Some((prim, vals)) => {
                values = vals;
                nullable(schema, TypeExpr::Prim(prim))
            }
            None => self.ty(schema, &b24_spec::naming::pascal(name), at, depth + 1),
        };
        Param {
            name: name.to_string(),
            ty,
            required,
            default: schema.get("default").and_then(scalar),
            open_enum: !values.is_empty(),
            values,
            min: schema.get("minimum").and_then(Value::as_i64),
            max: schema.get("maximum").and_then(Value::as_i64),
            max_items: schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .and_then(|m| usize::try_from(m).ok()),
            deprecated: schema.get("deprecated").and_then(Value::as_bool) == Some(true),
            allow_empty: false,
            override_: None,
            rust_name: None,
        }
    }

    /// The type of a schema; objects and enums become named types (named for the `$ref`,
    /// or `hint` where they are written in place).
    fn ty(&mut self, schema: &Value, hint: &str, at: &str, depth: usize) -> TypeExpr {
        if depth > b24_spec::limits::MAX_NESTING {
            self.problem(
                at,
                "nested deeper than the spec format holds; read as any".to_string(),
            );
            return TypeExpr::Prim(Prim::Any);
        }
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
            let plain = self.plain(schema, hint, at, depth);
            return nullable(schema, plain);
        };
        if let Some(n) = self.by_ref.get(r) {
            return TypeExpr::Named(n.clone());
        }
        if self.stack.iter().any(|s| s == r) {
            self.problem(
                at,
                format!(
                    "the schema {r} contains itself, which a spec cannot; the inner one is read as any"
                ),
            );
            return TypeExpr::Prim(Prim::Any);
        }
        let Some((target, name)) = self.resolve(r, at) else {
            return TypeExpr::Prim(Prim::Any);
        };
        let base = name.rsplit(['.', '/']).next().unwrap_or(&name).to_string();
        self.stack.push(r.to_string());
        let t = self.ty(
            &target,
            &base,
            &format!("components.schemas.{name}"),
            depth + 1,
        );
        self.stack.pop();
        if let TypeExpr::Named(n) = &t {
            self.by_ref.insert(r.to_string(), n.clone());
        }
        t
    }

    /// The type of a schema that is not a `$ref`, its `nullable` aside.
    fn plain(&mut self, schema: &Value, hint: &str, at: &str, depth: usize) -> TypeExpr {
        for key in ["oneOf", "anyOf"] {
            if schema.get(key).is_some() {
                self.problem(at, format!("`{key}` has no spec form; read as any"));
                return TypeExpr::Prim(Prim::Any);
            }
        }
        if let Some((prim, values)) = inline_enum(schema) {
            if prim == Prim::Yn {
                return TypeExpr::Prim(Prim::Yn);
            }
            let name = self.fresh(hint);
            let repr = if prim == Prim::Int {
                EnumRepr::Int
            } else {
                EnumRepr::String
            };
            self.types.insert(
                name.clone(),
                TypeDef::Enum(EnumDef {
                    repr,
                    values,
                    case_insensitive: false,
                }),
            );
            return TypeExpr::Named(name);
        }
        match kind_of(schema) {
            Some("string") => TypeExpr::Prim(match schema.get("format").and_then(Value::as_str) {
                Some("date") => Prim::Date,
                Some("date-time") => Prim::DateTime,
                _ => Prim::String,
            }),
            Some("integer") => TypeExpr::Prim(Prim::Int),
            Some("number") => TypeExpr::Prim(Prim::Float),
            Some("boolean") => TypeExpr::Prim(Prim::Bool),
            Some("array") => match schema.get("items") {
                Some(items) => {
                    let item = self.ty(items, hint, &format!("{at}.items"), depth + 1);
                    TypeExpr::Array(Box::new(item))
                }
                None => TypeExpr::Array(Box::new(TypeExpr::Prim(Prim::Any))),
            },
            Some("object") => self.object(schema, hint, at, depth),
            None => TypeExpr::Prim(Prim::Any),
            Some(other) => {
                self.problem(
                    at,
                    format!("type `{other}` is not an OpenAPI type; read as any"),
                );
                TypeExpr::Prim(Prim::Any)
            }
        }
    }

    fn object(&mut self, schema: &Value, hint: &str, at: &str, depth: usize) -> TypeExpr {
        let has_members = schema.get("properties").is_some() || schema.get("allOf").is_some();
        if has_members {
            let name = self.fresh(hint);
            // Reserved before the fields are read, so that their types take other names.
            let empty = TypeDef::Struct(StructDef {
                fields: Vec::new(),
                extra_keys: Vec::new(),
            });
            self.types.insert(name.clone(), empty);
            let (fields, open) = self.members(schema, at, depth).unwrap_or_default();
            let extra_keys = if open { any_keys() } else { Vec::new() };
            self.types.insert(
                name.clone(),
                TypeDef::Struct(StructDef { fields, extra_keys }),
            );
            return TypeExpr::Named(name);
        }
        // An object of free keys: `map<T>` for `additionalProperties: T`, `map<any>` for
        // `true`, `{}` or nothing said.
        match schema.get("additionalProperties") {
            Some(v) if v.is_object() => {
                let value = self.ty(v, hint, &format!("{at}.additionalProperties"), depth + 1);
                TypeExpr::Map(Box::new(value))
            }
            Some(Value::Bool(false)) => {
                self.problem(
                    at,
                    "an object that takes no keys at all; read as map<any>".to_string(),
                );
                TypeExpr::Map(Box::new(TypeExpr::Prim(Prim::Any)))
            }
            _ => TypeExpr::Map(Box::new(TypeExpr::Prim(Prim::Any))),
        }
    }

    /// A type name from `base` that is neither built in nor taken.
    fn fresh(&self, base: &str) -> String {
        let base = b24_spec::naming::pascal(base);
        let free = |n: &str| {
            matches!(TypeExpr::parse(n), Ok(TypeExpr::Named(_))) && !self.types.contains_key(n)
        };
        if free(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|n| free(n))
            .unwrap_or(base)
    }
}

/// The JSON type a schema names: its `type` (the one that is not `"null"` when it is a
/// list), or `object` when it has members.
fn kind_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ if schema.get("properties").is_some() || schema.get("allOf").is_some() => Some("object"),
        _ => None,
    }
}

/// `T?` when the schema says `nullable: true` or lists `"null"` among its types.
fn nullable(schema: &Value, ty: TypeExpr) -> TypeExpr {
    let null = schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|ts| ts.iter().any(|t| t == "null"));
    match ty {
        TypeExpr::Optional(_) => ty,
        ty if null => TypeExpr::Optional(Box::new(ty)),
        ty => ty,
    }
}

/// A string or integer schema's `enum` written in place: `yn` for exactly `Y`/`N`.
fn inline_enum(schema: &Value) -> Option<(Prim, Vec<String>)> {
    let values = schema.get("enum")?.as_array().filter(|v| !v.is_empty())?;
    match kind_of(schema) {
        Some("integer") if values.iter().all(Value::is_i64) => {
            Some((Prim::Int, values.iter().map(ToString::to_string).collect()))
        }
        Some("string") | None if values.iter().all(Value::is_string) => {
            let vals: Vec<String> = values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let mut sorted = vals.clone();
            sorted.sort();
            if sorted == ["N", "Y"] {
                Some((Prim::Yn, Vec::new()))
            } else {
                Some((Prim::String, vals))
            }
        }
        _ => None,
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn any_keys() -> Vec<ExtraKey> {
    vec![ExtraKey {
        pattern: "*".into(),
        ty: TypeExpr::Prim(Prim::Any),
    }]
}
