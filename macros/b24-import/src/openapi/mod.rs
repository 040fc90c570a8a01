//! REST 3.0's own description of a portal: its OpenAPI document
//! (`rest.documentation.openapi`, see `api-reference/rest-v3.md#openapi` of the docs) and its
//! method-to-scope list (`rest.scope.list`), both ways.
//!
//! - [`import`]: an OpenAPI document → specs (`origin = "openapi"`), every schema the
//!   spec format cannot hold reported, never dropped silently;
//! - [`document`] (from `b24-spec`): specs → the OpenAPI document a portal with these
//!   methods serves (the fake portal's `rest.documentation.openapi`);
//! - [`compare`]: where two sets of specs disagree on the wire (parameters, their JSON
//!   kinds and required flags, result members, scopes, paging);
//! - [`scopes`]: reads the scope list ([`scope_list`], from `b24-spec`, writes it).
//!
//! Types are compared by their JSON kind on the wire ([`Kind`]): `yn` and `string` are
//! both strings, a `user` id and an `int` are both integers, so a document written from
//! specs and read back compares equal to them.

mod compare;
mod read;
pub mod scopes;

use std::collections::BTreeMap;

pub use b24_spec::openapi::{document, scope_list};
pub use compare::{Difference, compare};
pub use read::{Imported, import, source_label};

use b24_spec::spec::{Spec, TypeDef};
use b24_spec::ty::{Domain, Prim, TypeExpr};

/// How deep [`Kind::of`] follows named types and wrappers (specs hold no cycles; this bounds
/// the work on a hostile one).
const MAX_DEPTH: usize = 16;

/// The JSON kind of a value on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A string; `Some("date")` / `Some("date-time")` when it holds one.
    String(Option<&'static str>),
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// An array of items of one kind.
    Array(Box<Kind>),
    /// An object with free keys.
    Map(Box<Kind>),
    /// An object with named members.
    Object(BTreeMap<String, Member>),
    /// Anything.
    Any,
}

/// A member of an [`Kind::Object`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its kind.
    pub kind: Kind,
    /// Must be given (requests) or is always there (results, where documents say so).
    pub required: bool,
}

impl Kind {
    /// The kind of `ty` in `spec` (its named types resolved).
    pub fn of(spec: &Spec, ty: &TypeExpr) -> Kind {
        Self::at(spec, ty, 0)
    }

    fn at(spec: &Spec, ty: &TypeExpr, depth: usize) -> Kind {
        if depth > MAX_DEPTH {
            return Kind::Any;
        }
        match ty {
            TypeExpr::Optional(t) => Self::at(spec, t, depth + 1),
            TypeExpr::Array(t) => Kind::Array(Box::new(Self::at(spec, t, depth + 1))),
            TypeExpr::Map(t) => Kind::Map(Box::new(Self::at(spec, t, depth + 1))),
            TypeExpr::Prim(p) => Self::prim(*p),
            TypeExpr::Domain(d) => match d {
                Domain::DialogId | Domain::Code(_) => Kind::String(None),
                Domain::Id(_) => Kind::Integer,
                Domain::Time | Domain::FieldInfo | Domain::Filter | Domain::Order => Kind::Any,
            },
            TypeExpr::Named(n) => match spec.types.get(n) {
                None => Kind::Any,
                Some(TypeDef::Newtype(t)) => Self::at(spec, t, depth + 1),
                Some(TypeDef::Map(m)) => Kind::Map(Box::new(Self::at(spec, &m.value, depth + 1))),
                Some(TypeDef::Enum(e)) => match e.repr {
                    b24_spec::spec::EnumRepr::Int => Kind::Integer,
                    b24_spec::spec::EnumRepr::String => Kind::String(None),
                },
                Some(TypeDef::Struct(s)) => Kind::Object(
                    s.fields
                        .iter()
                        .map(|f| {
                            let member = Member {
                                kind: Self::at(spec, &f.ty, depth + 1),
                                required: f.required,
                            };
                            (f.name.clone(), member)
                        })
                        .collect(),
                ),
            },
        }
    }

    fn prim(p: Prim) -> Kind {
        match p {
            Prim::String | Prim::Text | Prim::Char | Prim::Yn => Kind::String(None),
            Prim::Date => Kind::String(Some("date")),
            Prim::DateTime => Kind::String(Some("date-time")),
            Prim::Int | Prim::Timestamp | Prim::Bool01 => Kind::Integer,
            Prim::Float => Kind::Number,
            Prim::Bool => Kind::Boolean,
            Prim::File | Prim::Any | Prim::Null => Kind::Any,
        }
    }

    /// A short name: `string`, `date-time`, `integer[]`, `map<number>`, `object`, `any`.
    pub fn name(&self) -> String {
        match self {
            Kind::String(None) => "string".into(),
            Kind::String(Some(f)) => (*f).into(),
            Kind::Integer => "integer".into(),
            Kind::Number => "number".into(),
            Kind::Boolean => "boolean".into(),
            Kind::Array(k) => format!("{}[]", k.name()),
            Kind::Map(k) => format!("map<{}>", k.name()),
            Kind::Object(_) => "object".into(),
            Kind::Any => "any".into(),
        }
    }
}
