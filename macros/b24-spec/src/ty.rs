//! Type expressions of the spec format (`int`, `string[]`, `map<RecentItem>`, `DialogId?`, …).

use std::fmt;

/// A primitive wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prim {
    /// A single-line string.
    String,
    /// A multi-line string.
    Text,
    /// A one-character string (mostly `Y`/`N` in the docs, but not always).
    Char,
    /// An integer (often sent as a string by REST v2).
    Int,
    /// A floating-point number (often sent as a string by REST v2).
    Float,
    /// `true`/`false` on the wire.
    Bool,
    /// `Y`/`N` on the wire.
    Yn,
    /// `1`/`0` on the wire.
    Bool01,
    /// `YYYY-MM-DD`.
    Date,
    /// ISO-8601 / ATOM date and time.
    DateTime,
    /// Seconds since the Unix epoch.
    Timestamp,
    /// A file: an id or a file description.
    File,
    /// Anything (`serde_json::Value`).
    Any,
    /// No data: the method answers `null` (or an empty list) whatever it did (`()`).
    Null,
}

impl Prim {
    /// Every primitive with its spelling in specs.
    pub const ALL: &'static [(&'static str, Prim)] = &[
        ("string", Prim::String),
        ("text", Prim::Text),
        ("char", Prim::Char),
        ("int", Prim::Int),
        ("float", Prim::Float),
        ("bool", Prim::Bool),
        ("yn", Prim::Yn),
        ("bool01", Prim::Bool01),
        ("date", Prim::Date),
        ("datetime", Prim::DateTime),
        ("timestamp", Prim::Timestamp),
        ("file", Prim::File),
        ("any", Prim::Any),
        ("null", Prim::Null),
    ];

    /// The spelling of this primitive in specs.
    pub fn as_str(self) -> &'static str {
        Prim::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("any", |(s, _)| s)
    }

    fn from_name(s: &str) -> Option<Prim> {
        Prim::ALL.iter().find(|(n, _)| *n == s).map(|(_, p)| *p)
    }
}

/// A shared domain type the runtime knows (`DialogId`, `user`, `crm_status`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// A dialog id: `chatN`, `sgN` or a user id `N` (`b24::types::DialogId`).
    DialogId,
    /// The `time` block of the envelope (`b24::Time`).
    Time,
    /// A field's description, as the `*.fields` methods return them (`b24::types::FieldInfo`).
    FieldInfo,
    /// A list method's `filter` (`b24::types::Filter`).
    Filter,
    /// A list method's `order` (`b24::types::Order`).
    Order,
    /// An integer id of some entity (user, deal, company, …).
    Id(&'static str),
    /// A string code of some directory (status, currency, …).
    Code(&'static str),
}

impl Domain {
    /// Domain types by spelling.
    pub const ALL: &'static [(&'static str, Domain)] = &[
        ("DialogId", Domain::DialogId),
        ("Time", Domain::Time),
        ("field_info", Domain::FieldInfo),
        ("filter", Domain::Filter),
        ("order", Domain::Order),
        ("user", Domain::Id("user")),
        ("crm_company", Domain::Id("crm_company")),
        ("crm_contact", Domain::Id("crm_contact")),
        ("crm_deal", Domain::Id("crm_deal")),
        ("crm_lead", Domain::Id("crm_lead")),
        ("crm_category", Domain::Id("crm_category")),
        ("location", Domain::Id("location")),
        ("crm_status", Domain::Code("crm_status")),
        ("crm_currency", Domain::Code("crm_currency")),
        ("crm_entity", Domain::Code("crm_entity")),
    ];

    /// The spelling of this domain type in specs.
    pub fn as_str(self) -> &'static str {
        Domain::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("any", |(s, _)| s)
    }

    fn from_name(s: &str) -> Option<Domain> {
        Domain::ALL.iter().find(|(n, _)| *n == s).map(|(_, d)| *d)
    }
}

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A primitive.
    Prim(Prim),
    /// A shared domain type.
    Domain(Domain),
    /// A type declared in the spec's `[types]` table.
    Named(String),
    /// `T[]`.
    Array(Box<TypeExpr>),
    /// `map<T>`: string keys.
    Map(Box<TypeExpr>),
    /// `T?`: may be `null` or absent.
    Optional(Box<TypeExpr>),
}

impl TypeExpr {
    /// Parses a type expression; named types are not resolved here (see [`TypeExpr::named`]).
    /// At most [`TypeExpr::MAX_DEPTH`] wrappers (`[]`, `map<…>`, `?`) nest.
    pub fn parse(s: &str) -> Result<TypeExpr, String> {
        Self::parse_at(s, 0)
    }

    /// How many wrappers a type expression may nest (`map<int[]>?` is 3).
    pub const MAX_DEPTH: usize = 8;

    fn parse_at(s: &str, depth: usize) -> Result<TypeExpr, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty type expression".into());
        }
        if depth > Self::MAX_DEPTH {
            return Err(format!(
                "the type expression nests more than {} wrappers (`[]`, `map<…>`, `?`)",
                Self::MAX_DEPTH
            ));
        }
        if let Some(inner) = s.strip_suffix('?') {
            let t = TypeExpr::parse_at(inner, depth + 1)?;
            if matches!(t, TypeExpr::Optional(_)) {
                return Err(format!("`{s}`: `?` given twice"));
            }
            return Ok(TypeExpr::Optional(Box::new(t)));
        }
        if let Some(inner) = s.strip_suffix("[]") {
            return Ok(TypeExpr::Array(Box::new(TypeExpr::parse_at(
                inner,
                depth + 1,
            )?)));
        }
        if let Some(rest) = s.strip_prefix("map<") {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("`{s}`: `map<` without a closing `>`"))?;
            return Ok(TypeExpr::Map(Box::new(TypeExpr::parse_at(
                inner,
                depth + 1,
            )?)));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || s.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(format!(
                "`{s}` is not a type expression (expected a name, `T[]`, `T?` or `map<T>`)"
            ));
        }
        if let Some(p) = Prim::from_name(s) {
            return Ok(TypeExpr::Prim(p));
        }
        if let Some(d) = Domain::from_name(s) {
            return Ok(TypeExpr::Domain(d));
        }
        Ok(TypeExpr::Named(s.to_string()))
    }

    /// Every named (spec-declared) type this expression mentions.
    pub fn named(&self) -> Vec<&str> {
        match self {
            TypeExpr::Named(n) => vec![n.as_str()],
            TypeExpr::Array(t) | TypeExpr::Map(t) | TypeExpr::Optional(t) => t.named(),
            TypeExpr::Prim(_) | TypeExpr::Domain(_) => Vec::new(),
        }
    }

    /// The type without an outer `?`.
    pub fn non_optional(&self) -> &TypeExpr {
        match self {
            TypeExpr::Optional(t) => t,
            t => t,
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Prim(p) => f.write_str(p.as_str()),
            TypeExpr::Domain(d) => f.write_str(d.as_str()),
            TypeExpr::Named(n) => f.write_str(n),
            TypeExpr::Array(t) => write!(f, "{t}[]"),
            TypeExpr::Map(t) => write!(f, "map<{t}>"),
            TypeExpr::Optional(t) => write!(f, "{t}?"),
        }
    }
}

/// The names a type expression may use, for error messages.
pub fn known_names() -> String {
    let prims: Vec<&str> = Prim::ALL.iter().map(|(n, _)| *n).collect();
    let doms: Vec<&str> = Domain::ALL.iter().map(|(n, _)| *n).collect();
    format!(
        "primitives: {}; domain types: {}",
        prims.join(", "),
        doms.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for s in [
            "int",
            "string[]",
            "map<RecentItem>",
            "DialogId?",
            "map<int[]>?",
            "user[]",
            "yn",
        ] {
            let t = TypeExpr::parse(s).expect(s);
            assert_eq!(t.to_string(), s);
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let at_limit = format!("int{}", "[]".repeat(TypeExpr::MAX_DEPTH));
        assert!(TypeExpr::parse(&at_limit).is_ok());
        // Deep enough to overflow the stack of a recursive parser without the bound.
        let deep = format!("{}int{}", "map<".repeat(200_000), ">".repeat(200_000));
        let e = TypeExpr::parse(&deep).expect_err("refused");
        assert!(e.contains("nests more than 8 wrappers"), "{e}");
        let e = TypeExpr::parse(&format!("int{}", "[]".repeat(9))).expect_err("refused");
        assert!(e.contains("nests more than 8"), "{e}");
    }

    #[test]
    fn classifies_names() {
        assert_eq!(TypeExpr::parse("yn"), Ok(TypeExpr::Prim(Prim::Yn)));
        assert_eq!(
            TypeExpr::parse("DialogId"),
            Ok(TypeExpr::Domain(Domain::DialogId))
        );
        assert_eq!(
            TypeExpr::parse("RecentItem[]"),
            Ok(TypeExpr::Array(Box::new(TypeExpr::Named(
                "RecentItem".into()
            ))))
        );
    }

    #[test]
    fn rejects_malformed_expressions() {
        for (s, why) in [
            ("", "empty"),
            ("map<int", "closing"),
            ("int??", "twice"),
            ("in t", "not a type expression"),
            ("1abc", "not a type expression"),
        ] {
            let e = TypeExpr::parse(s).expect_err(s);
            assert!(e.contains(why), "{s}: {e}");
        }
    }
}
