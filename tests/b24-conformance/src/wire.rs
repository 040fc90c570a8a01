//! The exact comparison of a docs example call with the body a binding sends: names
//! case-sensitive at every depth, objects never equal to lists, booleans in the form the
//! example writes them, date-times with their time and offset, strings unchanged. The one
//! freedom: a number may travel as a numeric string and back.
//!
//! Every difference has a [`Class`]; a few classes are *harmless* — a portal reads the
//! body the same (see [`Diff::harmless`]).

use std::fmt;

use serde_json::Value;

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A top-level parameter's name in another letter case (`id` sent as `ID`): PHP's REST
    /// layer reads top-level parameters without regard to case. Harmless.
    TopNameCase,
    /// A nested member's name in another letter case (`fields.TITLE` sent as
    /// `fields.title`): the method's own code matches it exactly.
    NameCase,
    /// An object sent as a list, a list as an object, a container as a scalar.
    Shape,
    /// A boolean in another form (`true` sent as `"Y"`, `"Y"` as `true`).
    BoolForm,
    /// A date-time sent as a date alone, or without its offset.
    DateCut,
    /// A string changed only in letter case: `desc` sent as `DESC`. Harmless for a sort
    /// direction (the portal reads both), a change of value otherwise.
    StringCase,
    /// Any other change of a value.
    Value,
    /// A member of the example that is not sent.
    Dropped,
    /// A member the example does not pass, sent anyway.
    Added,
    /// A `null` or an empty container of the example left out, or one added. Harmless.
    Empty,
    /// The top level of a legacy positional method (`task.*`) sent as a list where the
    /// example names the arguments, or the other way round. Harmless: the portal takes
    /// both.
    Positional,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 11] = [
        Class::NameCase,
        Class::Shape,
        Class::BoolForm,
        Class::DateCut,
        Class::Value,
        Class::StringCase,
        Class::Dropped,
        Class::Added,
        Class::TopNameCase,
        Class::Empty,
        Class::Positional,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::TopNameCase => "top-level name case",
            Class::NameCase => "name case",
            Class::Shape => "shape",
            Class::BoolForm => "boolean form",
            Class::DateCut => "date-time cut",
            Class::StringCase => "string case",
            Class::Value => "value changed",
            Class::Dropped => "dropped",
            Class::Added => "added",
            Class::Empty => "empty left out",
            Class::Positional => "positional top level",
        }
    }
}

/// One difference at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// JSON path in the example (`$.fields.TITLE`).
    pub path: String,
    /// The kind.
    pub class: Class,
    /// What the example has and what is sent, rendered short.
    pub detail: String,
}

impl Diff {
    /// Whether a portal reads the body the same despite this difference.
    pub fn harmless(&self) -> bool {
        match self.class {
            Class::TopNameCase | Class::Empty | Class::Positional => true,
            Class::StringCase => {
                self.detail.to_ascii_lowercase().contains("\"asc\"")
                    || self.detail.to_ascii_lowercase().contains("\"desc\"")
            }
            _ => false,
        }
    }
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.path, self.class.name(), self.detail)
    }
}

/// Every difference between the example's `example` and the `sent` body. `positional`:
/// the method takes its arguments by position (a list and an object of the same
/// arguments are the same call at the top level).
pub fn diff(example: &Value, sent: &Value, positional: bool) -> Vec<Diff> {
    let mut out = Vec::new();
    match (example, sent) {
        (Value::Object(e), Value::Array(s)) if positional => {
            out.push(top_positional());
            for ((k, v), sv) in e.iter().zip(s) {
                walk(v, sv, &member("$", k), 1, &mut out);
            }
        }
        (Value::Array(e), Value::Object(s)) if positional => {
            out.push(top_positional());
            for (i, (v, sv)) in e.iter().zip(s.values()).enumerate() {
                walk(v, sv, &format!("$[{i}]"), 1, &mut out);
            }
        }
        _ => walk(example, sent, "$", 0, &mut out),
    }
    out
}

fn top_positional() -> Diff {
    Diff {
        path: "$".into(),
        class: Class::Positional,
        detail: "arguments by name in one, by position in the other".into(),
    }
}

fn walk(e: &Value, s: &Value, path: &str, depth: usize, out: &mut Vec<Diff>) {
    let mut push = |class: Class, detail: String| {
        out.push(Diff {
            path: path.to_string(),
            class,
            detail,
        })
    };
    match (e, s) {
        (Value::Object(em), Value::Object(sm)) => {
            for (k, v) in em {
                let here = member(path, k);
                if let Some(sv) = sm.get(k) {
                    walk(v, sv, &here, depth + 1, out);
                    continue;
                }
                let other = sm.iter().find(|(sk, _)| sk.eq_ignore_ascii_case(k));
                match other {
                    Some((sk, sv)) => {
                        out.push(Diff {
                            path: here.clone(),
                            class: if depth == 0 {
                                Class::TopNameCase
                            } else {
                                Class::NameCase
                            },
                            detail: format!("`{k}` sent as `{sk}`"),
                        });
                        walk(v, sv, &here, depth + 1, out);
                    }
                    None if nothing(v) => out.push(Diff {
                        path: here,
                        class: Class::Empty,
                        detail: format!("{} not sent", short(v)),
                    }),
                    None => out.push(Diff {
                        path: here,
                        class: Class::Dropped,
                        detail: format!("{} not sent", short(v)),
                    }),
                }
            }
            for (k, v) in sm {
                if em.contains_key(k) || em.keys().any(|ek| ek.eq_ignore_ascii_case(k)) {
                    continue;
                }
                out.push(Diff {
                    path: member(path, k),
                    class: if nothing(v) {
                        Class::Empty
                    } else {
                        Class::Added
                    },
                    detail: format!("{} sent", short(v)),
                });
            }
        }
        (Value::Array(ea), Value::Array(sa)) => {
            for (i, v) in ea.iter().enumerate() {
                let here = format!("{path}[{i}]");
                match sa.get(i) {
                    Some(sv) => walk(v, sv, &here, depth + 1, out),
                    None => out.push(Diff {
                        path: here,
                        class: if nothing(v) {
                            Class::Empty
                        } else {
                            Class::Dropped
                        },
                        detail: format!("{} not sent", short(v)),
                    }),
                }
            }
            for (i, v) in sa.iter().enumerate().skip(ea.len()) {
                out.push(Diff {
                    path: format!("{path}[{i}]"),
                    class: Class::Added,
                    detail: format!("{} sent", short(v)),
                });
            }
        }
        (Value::Null, Value::Null) => {}
        (Value::Bool(a), Value::Bool(b)) if a == b => {}
        (Value::String(a), Value::String(b)) if a == b => {}
        // A number may travel as a numeric string and back.
        (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_))
            if same_number(e, s) => {}
        (Value::String(a), Value::String(b)) => {
            if date_cut(a, b) {
                push(Class::DateCut, format!("{} sent as {}", short(e), short(s)));
            } else if a.eq_ignore_ascii_case(b) {
                push(
                    Class::StringCase,
                    format!("{} sent as {}", short(e), short(s)),
                );
            } else if flag(e).is_some() && flag(e) == flag(s) {
                push(
                    Class::BoolForm,
                    format!("{} sent as {}", short(e), short(s)),
                );
            } else {
                push(Class::Value, format!("{} sent as {}", short(e), short(s)));
            }
        }
        (Value::Object(m), _) | (_, Value::Object(m))
            if !(m.is_empty() && nothing(s) && nothing(e)) =>
        {
            push(Class::Shape, format!("{} sent as {}", short(e), short(s)));
        }
        (Value::Array(a), _) | (_, Value::Array(a))
            if !(a.is_empty() && nothing(s) && nothing(e)) =>
        {
            push(Class::Shape, format!("{} sent as {}", short(e), short(s)));
        }
        _ if nothing(e) && nothing(s) => {}
        _ if flag(e).is_some() && flag(e) == flag(s) => {
            push(
                Class::BoolForm,
                format!("{} sent as {}", short(e), short(s)),
            );
        }
        _ => push(Class::Value, format!("{} sent as {}", short(e), short(s))),
    }
}

/// `null` or an empty object or list.
fn nothing(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The truth a value stands for, when it is a flag in one of the REST API's forms.
fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "Y" | "y" | "true" | "1" => Some(true),
            "N" | "n" | "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn same_number(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => {
                let t = s.trim();
                if t.is_empty() || t != s {
                    return None;
                }
                t.parse::<f64>().ok().filter(|f| f.is_finite())
            }
            _ => None,
        }
    };
    // Two strings must be equal as text (`"007"` is not `"7"`): only a number and a
    // string meet by value.
    if a.is_string() && b.is_string() {
        return false;
    }
    matches!((num(a), num(b)), (Some(x), Some(y)) if x == y)
}

/// `sent` is `example` with its time or its offset left out.
fn date_cut(example: &str, sent: &str) -> bool {
    let e = example.trim();
    let looks_dated = |s: &str| {
        s.len() >= 10
            && s.as_bytes()[4] == b'-'
            && s.as_bytes()[7] == b'-'
            && s[..4].bytes().all(|b| b.is_ascii_digit())
    };
    if !looks_dated(e) || !looks_dated(sent) {
        return false;
    }
    sent.len() < e.len() && e.starts_with(sent)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn member(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}
