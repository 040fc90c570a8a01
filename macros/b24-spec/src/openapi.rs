//! Specs → what a portal with their methods says of itself: its OpenAPI document
//! (`rest.documentation.openapi`, REST 3.0) and its method-to-scope list
//! (`rest.scope.list`). The fake portal serves both; `b24-gen import-openapi` reads them
//! back (see the `b24-import` crate).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// How deep the writer follows named types and wrappers (specs hold no cycles; this bounds
/// the work on a hostile one).
const MAX_DEPTH: usize = 16;

use crate::spec::{Api, EnumRepr, Param, Spec, TypeDef};
use crate::ty::{Domain, Prim, TypeExpr};

/// The OpenAPI 3.0 document of the REST 3.0 methods among `specs`, in the shape
/// `rest.documentation.openapi` answers (`paths` keyed `/<method>`, one `post` each, object
/// schemas in `components.schemas`), titled `title`. A spec's named struct and enum types
/// are schemas named `<method>.<Type>`; its other types are written in place.
pub fn document<'a>(specs: impl IntoIterator<Item = &'a Spec>, title: &str) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let mut tags = BTreeSet::new();
    for spec in specs.into_iter().filter(|s| s.api == Api::V3) {
        let tag = spec.name.split('.').next().unwrap_or_default().to_string();
        let mut w = Writer {
            spec,
            schemas: &mut schemas,
        };
        let body = w.object(&spec.request.params, !spec.request.extra_keys.is_empty(), 0);
        let result = w.schema(&spec.response.result, 0);
        let op = json!({
            "tags": [tag],
            "operationId": spec.name,
            "externalDocs": { "url": spec.docs_url() },
            "requestBody": {
                "content": { "application/json": { "schema": body } }
            },
            "responses": {
                "200": {
                    "description": "OK",
                    "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "result": result, "time": { "type": "object" } }
                    } } }
                }
            }
        });
        paths.insert(format!("/{}", spec.name), json!({ "post": op }));
        tags.insert(tag);
    }
    json!({
        "openapi": "3.0.0",
        "info": { "title": title, "version": "1.0.0" },
        "tags": tags.into_iter().map(|t| json!({ "name": t })).collect::<Vec<_>>(),
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

struct Writer<'a> {
    spec: &'a Spec,
    schemas: &'a mut Map<String, Value>,
}

impl Writer<'_> {
    /// An object schema of `fields`.
    fn object(&mut self, fields: &[Param], open: bool, depth: usize) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in fields {
            let mut s = self.schema(&f.ty, depth + 1);
            if !f.values.is_empty()
                && let Some(o) = s.as_object_mut()
            {
                let int = o.get("type").and_then(Value::as_str) == Some("integer");
                let values: Vec<Value> = f
                    .values
                    .iter()
                    .map(|v| match v.parse::<i64>() {
                        Ok(i) if int => json!(i),
                        _ => json!(v),
                    })
                    .collect();
                o.insert("enum".into(), Value::Array(values));
            }
            if f.required {
                required.push(json!(f.name));
            }
            properties.insert(f.name.clone(), s);
        }
        let mut o = json!({ "type": "object", "properties": properties });
        if !required.is_empty() {
            o["required"] = Value::Array(required);
        }
        if open {
            o["additionalProperties"] = json!(true);
        }
        o
    }

    fn schema(&mut self, ty: &TypeExpr, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return json!({});
        }
        match ty {
            TypeExpr::Optional(t) => {
                let mut s = self.schema(t, depth + 1);
                if let Some(o) = s.as_object_mut()
                    && !o.is_empty()
                    && !o.contains_key("$ref")
                {
                    o.insert("nullable".into(), json!(true));
                }
                s
            }
            TypeExpr::Array(t) => json!({ "type": "array", "items": self.schema(t, depth + 1) }),
            TypeExpr::Map(t) => json!({
                "type": "object", "additionalProperties": self.schema(t, depth + 1)
            }),
            TypeExpr::Prim(p) => prim(*p),
            TypeExpr::Domain(d) => match d {
                Domain::DialogId | Domain::Code(_) => json!({ "type": "string" }),
                Domain::Id(_) => json!({ "type": "integer" }),
                Domain::Time | Domain::FieldInfo | Domain::Filter | Domain::Order => json!({}),
            },
            TypeExpr::Named(n) => self.named(n, depth),
        }
    }

    fn named(&mut self, name: &str, depth: usize) -> Value {
        let key = format!("{}.{name}", self.spec.name);
        let schema = match self.spec.types.get(name) {
            None => return json!({}),
            Some(TypeDef::Newtype(t)) => return self.schema(t, depth + 1),
            Some(TypeDef::Map(m)) => {
                return json!({
                    "type": "object", "additionalProperties": self.schema(&m.value, depth + 1)
                });
            }
            Some(TypeDef::Enum(e)) => match e.repr {
                EnumRepr::Int => json!({
                    "type": "integer",
                    "enum": e.values.iter().map(|v| v.parse::<i64>().map_or_else(|_| json!(v), |i| json!(i))).collect::<Vec<_>>(),
                }),
                EnumRepr::String => json!({ "type": "string", "enum": e.values }),
            },
            Some(TypeDef::Struct(s)) => {
                if !self.schemas.contains_key(&key) {
                    // Reserved first: a type met again while it is written is a reference.
                    self.schemas.insert(key.clone(), json!({}));
                    let o = self.object(&s.fields, !s.extra_keys.is_empty(), depth);
                    self.schemas.insert(key.clone(), o);
                }
                return json!({ "$ref": format!("#/components/schemas/{key}") });
            }
        };
        self.schemas.insert(key.clone(), schema);
        json!({ "$ref": format!("#/components/schemas/{key}") })
    }
}

fn prim(p: Prim) -> Value {
    match p {
        Prim::String | Prim::Text | Prim::Char => json!({ "type": "string" }),
        Prim::Yn => json!({ "type": "string", "enum": ["Y", "N"] }),
        Prim::Date => json!({ "type": "string", "format": "date" }),
        Prim::DateTime => json!({ "type": "string", "format": "date-time" }),
        Prim::Int | Prim::Timestamp => json!({ "type": "integer" }),
        Prim::Bool01 => json!({ "type": "integer", "enum": [0, 1] }),
        Prim::Float => json!({ "type": "number" }),
        Prim::Bool => json!({ "type": "boolean" }),
        Prim::File | Prim::Any | Prim::Null => json!({}),
    }
}

/// The scope list of `specs` in the form `{"<scope>": ["<method>", …]}`. A method in
/// both REST versions has the scopes of its REST 3.0 spec (the list is REST 3.0's).
pub fn scope_list<'a>(specs: impl IntoIterator<Item = &'a Spec>) -> Value {
    let mut by_method: BTreeMap<&str, (Api, BTreeSet<&str>)> = BTreeMap::new();
    for s in specs {
        let entry = by_method.entry(&s.name).or_insert((s.api, BTreeSet::new()));
        if s.api > entry.0 {
            *entry = (s.api, BTreeSet::new());
        }
        if s.api == entry.0 {
            entry.1.extend(s.scope.iter().map(String::as_str));
        }
    }
    let mut by_scope: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (method, (_, scopes)) in by_method {
        for scope in scopes {
            by_scope.entry(scope).or_default().insert(method);
        }
    }
    let map: Map<String, Value> = by_scope
        .into_iter()
        .map(|(scope, methods)| {
            let methods = methods.into_iter().map(Value::from).collect();
            (scope.to_string(), Value::Array(methods))
        })
        .collect();
    Value::Object(map)
}
