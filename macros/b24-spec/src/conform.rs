//! Checks a JSON value against a spec as the generated binding reads it: the same tolerant
//! forms (numbers as strings, `Y`/`N` flags, `[]` for an empty map), the same validation
//! (required parameters, one-of groups, closed enums), and — what a typed struct would do
//! silently — members the spec does not know, reported as losses.
//!
//! The importer uses it to weigh its reading of a page against the page's own examples;
//! the fake portal uses its request side (without the losses) as the server's validation.

use serde_json::Value;

use crate::spec::{Encoding, Spec, TypeDef};
use crate::ty::{Domain, Prim, TypeExpr};

/// What is wrong at one place of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// JSON path from the checked root, e.g. `$.fields.TITLE`.
    pub path: String,
    /// The kind.
    pub kind: IssueKind,
    /// What was expected or found.
    pub detail: String,
}

/// Kinds of [`Issue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// A member the spec does not know: a typed binding would drop it (a loss).
    Unknown,
    /// A required member is missing.
    Missing,
    /// None of a one-of group (or of the alternative sets) is given.
    OneOf,
    /// The value has a form the type does not accept.
    Form,
    /// The value breaks a rule of the spec (closed enum, empty required string).
    Rule,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = match self.kind {
            IssueKind::Unknown => "unknown member",
            IssueKind::Missing => "missing",
            IssueKind::OneOf => "none of",
            IssueKind::Form => "wrong form",
            IssueKind::Rule => "rule",
        };
        write!(f, "{}: {k}: {}", self.path, self.detail)
    }
}

/// A placeholder the docs put where a real value goes: `**put_id_here**`,
/// `your_invoice_id`, `<access_token>`.
pub fn is_placeholder(s: &str) -> bool {
    let s = s.trim();
    (s.len() > 4 && s.starts_with("**") && s.ends_with("**"))
        || (s.len() > 2 && s.starts_with('<') && s.ends_with('>') && !s.contains(' '))
        || ((s.starts_with("your_") || s.starts_with("put_"))
            && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

/// The example with every placeholder that stands where the spec expects a non-string
/// (an id, a number, a flag) replaced by a sample of that type, so the rest of the
/// example can be checked. Placeholders where a string goes stay as they are.
pub fn fill_placeholders(spec: &Spec, ty: &TypeExpr, v: &Value) -> Value {
    fill(spec, ty, v, 0)
}

/// [`fill_placeholders`] for a request's parameters.
pub fn fill_request(spec: &Spec, params: &Value) -> Value {
    match params {
        Value::Object(m) => {
            let members = Members::of(&spec.request.params);
            Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let v = match members.get(k) {
                            Some(p) => fill(spec, &p.ty, v, 0),
                            None => v.clone(),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(a) if spec.request.encoding == Encoding::Positional => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| match spec.request.params.get(i) {
                    Some(p) => fill(spec, &p.ty, v, 0),
                    None => v.clone(),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn fill(spec: &Spec, ty: &TypeExpr, v: &Value, depth: usize) -> Value {
    if depth > 32 {
        return v.clone();
    }
    match (ty, v) {
        (TypeExpr::Optional(inner), _) => fill(spec, inner, v, depth),
        (_, Value::String(s)) if is_placeholder(s) => match ty {
            TypeExpr::Prim(Prim::Int | Prim::Timestamp) | TypeExpr::Domain(Domain::Id(_)) => {
                Value::from(1)
            }
            TypeExpr::Prim(Prim::Float) => Value::from(1.5),
            TypeExpr::Prim(Prim::Bool | Prim::Yn | Prim::Bool01) => Value::from("Y"),
            TypeExpr::Domain(Domain::DialogId) => Value::from("chat1"),
            TypeExpr::Prim(Prim::Date) => Value::from("2026-01-01"),
            TypeExpr::Prim(Prim::DateTime) => Value::from("2026-01-01T10:00:00+00:00"),
            _ => v.clone(),
        },
        (TypeExpr::Array(inner), Value::Array(a)) => {
            Value::Array(a.iter().map(|x| fill(spec, inner, x, depth + 1)).collect())
        }
        (TypeExpr::Array(inner) | TypeExpr::Map(inner), Value::Object(m)) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), fill(spec, inner, x, depth + 1)))
                .collect(),
        ),
        (TypeExpr::Named(n), Value::Object(m)) => match spec.types.get(n) {
            Some(TypeDef::Struct(s)) => {
                let members = Members::of(&s.fields);
                Value::Object(
                    m.iter()
                        .map(|(k, x)| {
                            let x = match members.get(k) {
                                Some(f) => fill(spec, &f.ty, x, depth + 1),
                                None => x.clone(),
                            };
                            (k.clone(), x)
                        })
                        .collect(),
                )
            }
            Some(TypeDef::Map(md)) => {
                let t = TypeExpr::Map(Box::new(md.value.clone()));
                fill(spec, &t, v, depth + 1)
            }
            _ => v.clone(),
        },
        (TypeExpr::Named(n), Value::String(_)) => match spec.types.get(n) {
            Some(TypeDef::Newtype(inner)) => fill(spec, &inner.clone(), v, depth + 1),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

/// Checks example parameters against the request side of `spec` (placeholders filled in
/// first, see [`fill_request`]).
pub fn request(spec: &Spec, params: &Value) -> Vec<Issue> {
    let params = &fill_request(spec, params);
    let mut c = Checker {
        spec,
        out: Vec::new(),
        request: true,
    };
    let mut named;
    let obj = match params {
        Value::Array(args) if spec.request.encoding == Encoding::Positional => {
            named = positional_names(spec, args.iter());
            &named
        }
        // Positional methods read a JSON object's values in order, unless its keys are
        // the parameters' names.
        Value::Object(m)
            if spec.request.encoding == Encoding::Positional
                && !m
                    .keys()
                    .filter(|k| !FRAMEWORK_KEYS.contains(&k.as_str()))
                    .all({
                        let members = Members::of(&spec.request.params);
                        move |k| members.get(k).is_some()
                    }) =>
        {
            named = positional_names(
                spec,
                m.iter()
                    .filter(|(k, _)| !FRAMEWORK_KEYS.contains(&k.as_str()))
                    .map(|(_, v)| v),
            );
            // The REST server itself reads `start`, whatever the method.
            if let Some(v) = m.get("start") {
                named.insert("start".into(), v.clone());
            }
            &named
        }
        Value::Object(m) => m,
        Value::Array(a) if a.is_empty() => &serde_json::Map::new(),
        other => {
            c.push(
                "$",
                IssueKind::Form,
                format!("expected an object, found {}", json_kind(other)),
            );
            return c.out;
        }
    };
    let mut given: Vec<&str> = Vec::new();
    let members = Members::of(&spec.request.params);
    for (k, v) in obj {
        if spec.request.encoding == Encoding::Positional && k == "start" {
            continue;
        }
        match members.get(k) {
            Some(p) => {
                if !v.is_null() {
                    given.push(&p.name);
                }
                let path = format!("$.{k}");
                c.param(&path, p, v);
            }
            None if spec
                .request
                .extra_keys
                .iter()
                .any(|e| matches_pattern(&e.pattern, k)) => {}
            None => c.push(
                &format!("$.{k}"),
                IssueKind::Unknown,
                "not a parameter of the spec".into(),
            ),
        }
    }
    for p in spec.request.params.iter().filter(|p| p.required) {
        if !given.contains(&p.name.as_str()) {
            c.push(
                &format!("$.{}", p.name),
                IssueKind::Missing,
                "a required parameter".into(),
            );
        }
    }
    for group in &spec.request.one_of {
        if !group.iter().any(|n| given.contains(&n.as_str())) {
            c.push(
                "$",
                IssueKind::OneOf,
                format!("give at least one of {}", group.join(", ")),
            );
        }
    }
    if !spec.request.alternatives.is_empty()
        && !spec
            .request
            .alternatives
            .iter()
            .any(|set| set.iter().all(|n| given.contains(&n.as_str())))
    {
        let sets: Vec<String> = spec
            .request
            .alternatives
            .iter()
            .map(|s| format!("{{{}}}", s.join(", ")))
            .collect();
        c.push(
            "$",
            IssueKind::OneOf,
            format!("give every parameter of one set: {}", sets.join(" or ")),
        );
    }
    c.out
}

/// Keys the REST server reads itself, outside a positional method's arguments.
pub const FRAMEWORK_KEYS: &[&str] = &["start", "auth"];

fn positional_names<'v>(
    spec: &Spec,
    args: impl Iterator<Item = &'v Value>,
) -> serde_json::Map<String, Value> {
    spec.request
        .params
        .iter()
        .zip(args)
        .map(|(p, v)| (p.name.clone(), v.clone()))
        .collect()
}

/// Checks an example's `result` against the response side of `spec`.
pub fn result(spec: &Spec, result: &Value) -> Vec<Issue> {
    let mut c = Checker {
        spec,
        out: Vec::new(),
        request: false,
    };
    c.value("$.result", &spec.response.result, result, 0);
    c.out
}

/// What an event's `data` example does to its spec (as [`result`] does to a method's
/// `result`), paths from `$.data`.
pub fn event_data(ev: &crate::spec::EventSpec, data: &Value) -> Vec<Issue> {
    let spec = ev.as_result_spec();
    let mut c = Checker {
        spec: &spec,
        out: Vec::new(),
        request: false,
    };
    c.value("$.data", &spec.response.result, data, 0);
    c.out
}

/// The member of `params` whose wire name is `key`: exactly, else ignoring letter case (the
/// REST v2 server reads parameter names in any case).
pub fn find_member<'a>(
    params: &'a [crate::spec::Param],
    key: &str,
) -> Option<&'a crate::spec::Param> {
    Members::of(params).get(key)
}

/// Parameters or fields by wire name, for lookups in one step: an object of n keys checked
/// against n members costs n, not n² (see [`find_member`] for the rule).
pub struct Members<'a> {
    params: &'a [crate::spec::Param],
    exact: std::collections::HashMap<&'a str, usize>,
    folded: std::collections::HashMap<String, usize>,
}

impl<'a> Members<'a> {
    /// Indexes `params`.
    pub fn of(params: &'a [crate::spec::Param]) -> Self {
        let mut exact = std::collections::HashMap::new();
        let mut folded = std::collections::HashMap::new();
        for (i, p) in params.iter().enumerate() {
            exact.entry(p.name.as_str()).or_insert(i);
            folded.entry(p.name.to_ascii_lowercase()).or_insert(i);
        }
        Members {
            params,
            exact,
            folded,
        }
    }

    /// The member named `key`, else the first named `key` in another case.
    pub fn get(&self, key: &str) -> Option<&'a crate::spec::Param> {
        self.exact
            .get(key)
            .or_else(|| self.folded.get(&key.to_ascii_lowercase()))
            .map(|i| &self.params[*i])
    }
}

/// `a string`, `an object`, …: the JSON kind of a value, for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Checker<'a> {
    spec: &'a Spec,
    out: Vec<Issue>,
    request: bool,
}

impl Checker<'_> {
    fn push(&mut self, path: &str, kind: IssueKind, detail: String) {
        self.out.push(Issue {
            path: path.to_string(),
            kind,
            detail,
        });
    }

    fn param(&mut self, path: &str, p: &crate::spec::Param, v: &Value) {
        if v.is_null() || (!p.required && (*v == Value::Bool(false) || v.as_str() == Some(""))) {
            return;
        }
        self.value(path, &p.ty, v, 0);
        if !self.request {
            return;
        }
        let base = p.ty.non_optional();
        let stringy = matches!(base, TypeExpr::Prim(Prim::String | Prim::Text | Prim::Char));
        if p.required
            && !p.allow_empty
            && stringy
            && v.as_str().is_some_and(|s| s.trim().is_empty())
        {
            self.push(path, IssueKind::Rule, "must not be empty".into());
        }
        if !p.values.is_empty()
            && !p.open_enum
            && (stringy || matches!(base, TypeExpr::Prim(Prim::Int)))
        {
            let text = match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            if let Some(t) = text
                && !p.values.contains(&t)
            {
                self.push(
                    path,
                    IssueKind::Rule,
                    format!("`{t}` is not one of {}", p.values.join(", ")),
                );
            }
        }
    }

    fn form(&mut self, path: &str, what: &str, v: &Value) {
        self.push(
            path,
            IssueKind::Form,
            format!("expected {what}, found {}", json_kind(v)),
        );
    }

    fn value(&mut self, path: &str, ty: &TypeExpr, v: &Value, depth: usize) {
        if depth > 32 {
            return;
        }
        match ty {
            TypeExpr::Optional(inner) => {
                if !v.is_null() && *v != Value::Bool(false) {
                    self.value(path, inner, v, depth);
                }
            }
            TypeExpr::Prim(p) => self.prim(path, *p, v),
            TypeExpr::Domain(d) => match d {
                Domain::DialogId => {
                    let ok = match v {
                        Value::String(s) => {
                            let digits = s
                                .strip_prefix("chat")
                                .or_else(|| s.strip_prefix("sg"))
                                .unwrap_or(s);
                            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                        }
                        Value::Number(n) => n.as_u64().is_some_and(|n| n >= 1),
                        _ => false,
                    };
                    if !ok {
                        self.form(path, "a dialog id (chatN, sgN or a user id)", v);
                    }
                }
                Domain::Time => {}
                Domain::FieldInfo => {
                    if !v.is_object() {
                        self.form(path, "a field description (an object)", v);
                    }
                }
                Domain::Filter => {
                    if !v.is_object() && !v.is_array() {
                        self.form(path, "a filter (an object, or a list of conditions)", v);
                    }
                }
                Domain::Order => {
                    let ok = match v {
                        Value::Object(m) => m.values().all(|d| d.is_string() || d.is_number()),
                        Value::Array(a) => a.is_empty(),
                        _ => false,
                    };
                    if !ok {
                        self.form(path, "an order (fields and ASC/DESC)", v);
                    }
                }
                Domain::Id(_) => self.prim(path, Prim::Int, v),
                Domain::Code(_) => self.prim(path, Prim::String, v),
            },
            TypeExpr::Array(inner) => match v {
                Value::Array(items) => {
                    for (i, x) in items.iter().enumerate() {
                        self.value(&format!("{path}[{i}]"), inner, x, depth + 1);
                    }
                }
                Value::Object(m) => {
                    for (k, x) in m {
                        self.value(&member_path(path, k), inner, x, depth + 1);
                    }
                }
                _ => self.form(path, "an array", v),
            },
            TypeExpr::Map(inner) => match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        self.value(&member_path(path, k), inner, x, depth + 1);
                    }
                }
                Value::Array(items) => {
                    for (i, x) in items.iter().enumerate() {
                        self.value(&format!("{path}[{i}]"), inner, x, depth + 1);
                    }
                }
                _ => self.form(path, "an object", v),
            },
            TypeExpr::Named(n) => self.named(path, n, v, depth),
        }
    }

    fn named(&mut self, path: &str, name: &str, v: &Value, depth: usize) {
        let Some(def) = self.spec.types.get(name) else {
            return;
        };
        match def {
            TypeDef::Struct(s) => {
                let obj = match v {
                    Value::Object(m) => m,
                    Value::Array(a) if a.is_empty() => return,
                    _ => return self.form(path, &format!("an object (`{name}`)"), v),
                };
                let members = Members::of(&s.fields);
                for (k, x) in obj {
                    let p = member_path(path, k);
                    match members.get(k) {
                        Some(f) => {
                            // `false` is "not set" where a field may be left out.
                            let unset =
                                !f.required && (*x == Value::Bool(false) || x.as_str() == Some(""));
                            if !x.is_null() && !unset {
                                self.value(&p, &f.ty, x, depth + 1);
                                if self.request {
                                    self.param(&p, f, x);
                                    // `param` re-checked the form: keep one report.
                                    self.dedup();
                                }
                            }
                        }
                        None if s.extra_keys.iter().any(|e| matches_pattern(&e.pattern, k)) => {}
                        None => {
                            self.push(&p, IssueKind::Unknown, format!("not a field of `{name}`"))
                        }
                    }
                }
                for f in s
                    .fields
                    .iter()
                    .filter(|f| f.required && !matches!(f.ty, TypeExpr::Optional(_)))
                {
                    let present = obj.iter().any(|(k, x)| {
                        !x.is_null() && (k == &f.name || k.eq_ignore_ascii_case(&f.name))
                    });
                    if !present
                        && !matches!(f.ty.non_optional(), TypeExpr::Prim(Prim::Any | Prim::File))
                    {
                        self.push(
                            &member_path(path, &f.name),
                            IssueKind::Missing,
                            format!("a required field of `{name}`"),
                        );
                    }
                }
            }
            TypeDef::Enum(e) => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return self.form(path, &format!("a value of `{name}`"), v),
                };
                let known = e.values.iter().any(|x| {
                    if e.case_insensitive {
                        x.eq_ignore_ascii_case(&text)
                    } else {
                        *x == text
                    }
                });
                if !known && self.request {
                    self.push(
                        path,
                        IssueKind::Rule,
                        format!("`{text}` is not one of {}", e.values.join(", ")),
                    );
                }
            }
            TypeDef::Newtype(inner) => self.value(path, &inner.clone(), v, depth + 1),
            TypeDef::Map(m) => {
                let t = TypeExpr::Map(Box::new(m.value.clone()));
                self.value(path, &t, v, depth + 1)
            }
        }
    }

    fn dedup(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        self.out
            .retain(|i| seen.insert((i.path.clone(), i.kind, i.detail.clone())));
    }

    fn prim(&mut self, path: &str, p: Prim, v: &Value) {
        let ok = match p {
            Prim::Any | Prim::File | Prim::Null => true,
            Prim::String | Prim::Text | Prim::Char => {
                matches!(v, Value::String(_) | Value::Number(_))
            }
            Prim::Date | Prim::DateTime => match v {
                Value::String(s) => is_datetime(s),
                Value::Number(n) => p == Prim::DateTime && n.is_i64(),
                _ => false,
            },
            Prim::Int | Prim::Timestamp => match v {
                Value::Number(n) => n.is_i64() || n.is_u64(),
                Value::String(s) => s.trim().parse::<i64>().is_ok(),
                _ => false,
            },
            Prim::Float => match v {
                Value::Number(_) => true,
                Value::String(s) => s.trim().parse::<f64>().is_ok(),
                _ => false,
            },
            Prim::Bool | Prim::Yn | Prim::Bool01 => match v {
                Value::Bool(_) => true,
                Value::String(s) => {
                    matches!(
                        s.as_str(),
                        "Y" | "y" | "N" | "n" | "true" | "false" | "1" | "0" | ""
                    )
                }
                Value::Number(n) => matches!(n.as_i64(), Some(0 | 1)),
                _ => false,
            },
        };
        if !ok {
            let what = match p {
                Prim::Date => "a date (2024-04-05)",
                Prim::DateTime => "a date and time (2024-04-05T12:00:00+03:00)",
                Prim::Int | Prim::Timestamp => "an integer",
                Prim::Float => "a number",
                Prim::Bool | Prim::Yn | Prim::Bool01 => "a flag (Y/N, true/false, 1/0)",
                _ => "a string",
            };
            self.form(path, what, v);
        }
    }
}

/// Whether `s` has one of the forms the runtime's `DateTime` reads: ISO-8601 with or
/// without a time and an offset (`2024-04-05`, `2024-04-05T12:00`, `…:00.5+03:00`, `…Z`)
/// or the display format `05.04.2024 12:00:00`.
pub fn is_datetime(s: &str) -> bool {
    fn digits(s: &str, n: usize) -> Option<&str> {
        let d = s.get(..n)?;
        d.bytes().all(|b| b.is_ascii_digit()).then(|| &s[n..])
    }
    let s = s.trim();
    let rest = if let Some(r) = digits(s, 4).and_then(|r| r.strip_prefix('-')) {
        digits(r, 2)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|r| digits(r, 2))
    } else {
        digits(s, 2)
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| digits(r, 2))
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| digits(r, 4))
    };
    let Some(rest) = rest else { return false };
    if rest.is_empty() {
        return true;
    }
    let Some(mut r) = rest
        .strip_prefix(['T', ' '])
        .and_then(|r| digits(r, 2))
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| digits(r, 2))
    else {
        return false;
    };
    if let Some(x) = r.strip_prefix(':').and_then(|x| digits(x, 2)) {
        r = x;
        if let Some(frac) = r.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            r = &frac[n..];
        }
    }
    match r {
        "" | "Z" | "z" => true,
        _ => {
            let Some(o) = r.strip_prefix(['+', '-']) else {
                return false;
            };
            let Some(after) = digits(o, 2) else {
                return false;
            };
            let after = after.strip_prefix(':').unwrap_or(after);
            after.is_empty() || digits(after, 2).is_some_and(str::is_empty)
        }
    }
}

fn member_path(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

/// `value` without the member at `path` (`FIELDS.IS_RECCURING`, keys matched in any
/// letter case); whether it was there.
pub fn remove_member(value: &mut Value, path: &str) -> bool {
    let mut cur = value;
    let segs: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    for seg in parents {
        let Some(next) = (match cur {
            Value::Object(m) => {
                let key = m.keys().find(|k| k.eq_ignore_ascii_case(seg)).cloned();
                key.and_then(|k| m.get_mut(&k))
            }
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }) else {
            return false;
        };
        cur = next;
    }
    match cur {
        Value::Object(m) => {
            let key = m.keys().find(|k| k.eq_ignore_ascii_case(last)).cloned();
            key.is_some_and(|k| m.shift_remove(&k).is_some())
        }
        _ => false,
    }
}

/// `UF_CRM_*` matches `UF_CRM_123`.
pub fn matches_pattern(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key
            .get(..prefix.len())
            .is_some_and(|k| k.eq_ignore_ascii_case(prefix)),
        None => pattern.eq_ignore_ascii_case(key),
    }
}
