//! Client-side validation that mirrors the server's own checks.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Problem, ValidationError};

/// Validation of a parameter value beyond what its type guarantees.
///
/// Generated code calls it for every field; the default accepts everything.
pub trait Check {
    /// Records problems of `self`, reached at `field` (e.g. `DIALOG_ID`, `fields.TITLE`).
    fn check(&self, field: &str, problems: &mut Problems) {
        let _ = (field, problems);
    }
}

macro_rules! no_check {
    ($($t:ty),*) => {$( impl Check for $t {} )*};
}
no_check!(String, i64, u64, i32, u32, f64, bool, Value, ());

impl<T: Check> Check for Option<T> {
    fn check(&self, field: &str, problems: &mut Problems) {
        if let Some(v) = self {
            v.check(field, problems);
        }
    }
}

impl<T: Check> Check for Vec<T> {
    fn check(&self, field: &str, problems: &mut Problems) {
        for (i, v) in self.iter().enumerate() {
            v.check(&format!("{field}[{i}]"), problems);
        }
    }
}

impl<T: Check> Check for BTreeMap<String, T> {
    fn check(&self, field: &str, problems: &mut Problems) {
        for (k, v) in self {
            v.check(&format!("{field}.{k}"), problems);
        }
    }
}

/// What a constraint needs to know of a value; `None` skips the constraint.
pub trait Inspect {
    /// The value as text (strings, numbers).
    fn text(&self) -> Option<String> {
        None
    }
    /// The value as an integer.
    fn int(&self) -> Option<i64> {
        None
    }
    /// Number of items (arrays, maps).
    fn items(&self) -> Option<usize> {
        None
    }
}

impl Inspect for String {
    fn text(&self) -> Option<String> {
        Some(self.clone())
    }
}
impl Inspect for i64 {
    fn text(&self) -> Option<String> {
        Some(self.to_string())
    }
    fn int(&self) -> Option<i64> {
        Some(*self)
    }
}
impl<T> Inspect for Vec<T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}
impl<T> Inspect for BTreeMap<String, T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}
impl<T: Inspect> Inspect for Option<T> {
    fn text(&self) -> Option<String> {
        self.as_ref().and_then(Inspect::text)
    }
    fn int(&self) -> Option<i64> {
        self.as_ref().and_then(Inspect::int)
    }
    fn items(&self) -> Option<usize> {
        self.as_ref().and_then(Inspect::items)
    }
}

/// Collects every validation problem of one request.
#[derive(Debug)]
pub struct Problems {
    method: &'static str,
    list: Vec<Problem>,
}

impl Problems {
    /// An empty collection for `method`.
    pub fn new(method: &'static str) -> Problems {
        Problems {
            method,
            list: Vec::new(),
        }
    }

    /// Records a problem.
    pub fn push(&mut self, field: &str, value: &str, rule: &str, server_code: Option<&str>) {
        self.list
            .push(Problem::new(field, value, rule, server_code));
    }

    /// A required string must not be empty.
    pub fn non_empty(&mut self, field: &str, v: &impl Inspect) {
        if v.text().is_some_and(|t| t.trim().is_empty()) {
            self.push(
                field,
                &v.text().unwrap_or_default(),
                "must not be empty",
                None,
            );
        }
    }

    /// The value must be one of `allowed`.
    pub fn one_of(&mut self, field: &str, v: &impl Inspect, allowed: &[&str]) {
        if let Some(t) = v.text()
            && !allowed.contains(&t.as_str())
        {
            self.push(
                field,
                &t,
                &format!("must be one of: {}", allowed.join(", ")),
                None,
            );
        }
    }

    /// The value must lie within `min..=max`.
    pub fn range(&mut self, field: &str, v: &impl Inspect, min: Option<i64>, max: Option<i64>) {
        if let Some(i) = v.int() {
            let rule = match (min, max) {
                (Some(lo), Some(hi)) => format!("must be between {lo} and {hi}"),
                (Some(lo), None) => format!("must be at least {lo}"),
                (None, Some(hi)) => format!("must be at most {hi}"),
                (None, None) => return,
            };
            if min.is_some_and(|lo| i < lo) || max.is_some_and(|hi| i > hi) {
                self.push(field, &i.to_string(), &rule, None);
            }
        }
    }

    /// At most `n` items.
    pub fn max_items(&mut self, field: &str, v: &impl Inspect, n: usize) {
        if let Some(len) = v.items()
            && len > n
        {
            self.push(
                field,
                &format!("{len} items"),
                &format!("must have at most {n} items"),
                None,
            );
        }
    }

    /// Every parameter of at least one of `sets` must be given (`present` says which are).
    pub fn alternatives(&mut self, sets: &[&[&str]], present: &[(&str, bool)]) {
        let given = |n: &str| present.iter().any(|(p, yes)| *p == n && *yes);
        if sets.is_empty() || sets.iter().any(|set| set.iter().all(|n| given(n))) {
            return;
        }
        let shown: Vec<String> = sets
            .iter()
            .map(|s| format!("{{{}}}", s.join(", ")))
            .collect();
        let field: Vec<&str> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        self.push(
            &field.join("|"),
            "",
            &format!(
                "give every parameter of one of these sets: {}",
                shown.join(" or ")
            ),
            None,
        );
    }

    /// At least one parameter of `group` must be given (`present` says which are): the
    /// docs' "at least one of `USER_ID` or `USER_PHONE_INNER`".
    pub fn at_least_one(&mut self, group: &[&str], present: &[(&str, bool)]) {
        let given = |n: &str| present.iter().any(|(p, yes)| *p == n && *yes);
        if group.is_empty() || group.iter().any(|n| given(n)) {
            return;
        }
        self.push(
            &group.join("|"),
            "",
            &format!("give at least one of: {}", group.join(", ")),
            None,
        );
    }

    /// `Ok` when nothing was recorded, else every problem at once.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ValidationError::new(self.method, self.list))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_report_field_value_and_rule() {
        let mut p = Problems::new("im.recent.list");
        p.range("LIMIT", &Some(500i64), None, Some(200));
        p.range("OFFSET", &Some(0i64), Some(0), None);
        p.one_of("ORDER", &"UP".to_string(), &["ASC", "DESC"]);
        p.non_empty("TITLE", &" ".to_string());
        p.max_items("cmd", &vec![0; 51], 50);
        let e = p.finish().expect_err("four problems");
        assert_eq!(e.problems().len(), 4);
        let msg = e.to_string();
        for part in [
            "im.recent.list",
            "LIMIT = \"500\": must be at most 200",
            "ORDER = \"UP\": must be one of: ASC, DESC",
            "TITLE = \" \": must not be empty",
            "cmd = \"51 items\": must have at most 50 items",
        ] {
            assert!(msg.contains(part), "`{part}` not in: {msg}");
        }
    }

    #[test]
    fn alternative_sets() {
        let sets: &[&[&str]] = &[&["attachId"], &["moduleId", "entityId"]];
        let mut p = Problems::new("vote.attachedvote.get");
        p.alternatives(
            sets,
            &[("attachId", false), ("moduleId", true), ("entityId", false)],
        );
        let e = p.finish().expect_err("no set complete");
        assert!(
            e.to_string().contains("{attachId} or {moduleId, entityId}"),
            "{e}"
        );
        let mut p = Problems::new("m");
        p.alternatives(
            sets,
            &[("attachId", false), ("moduleId", true), ("entityId", true)],
        );
        assert!(p.finish().is_ok());
    }

    #[test]
    fn at_least_one_of_a_group() {
        let mut p = Problems::new("telephony.externalCall.register");
        p.at_least_one(
            &["USER_ID", "USER_PHONE_INNER"],
            &[("USER_ID", false), ("USER_PHONE_INNER", false)],
        );
        let e = p.finish().expect_err("neither given");
        let msg = e.to_string();
        assert!(msg.contains("USER_ID|USER_PHONE_INNER"), "{msg}");
        assert!(
            msg.contains("give at least one of: USER_ID, USER_PHONE_INNER"),
            "{msg}"
        );
        let mut p = Problems::new("m");
        p.at_least_one(&["A", "B"], &[("A", false), ("B", true)]);
        assert!(p.finish().is_ok());
    }

    #[test]
    fn absent_optional_values_skip_constraints() {
        let mut p = Problems::new("m");
        p.range("LIMIT", &None::<i64>, None, Some(200));
        p.one_of("X", &None::<String>, &["A"]);
        assert!(p.finish().is_ok());
    }
}
