//! The gate: every binding of the catalog against the examples of its docs page.

use std::path::Path;

use b24_codegen::Spec;
use b24_codegen::examples::{self, Examples};
use b24_codegen::spec::{Api, Encoding};
use serde_json::Value;

use crate::check::{Entry, losses};

/// How one side (requests or responses) of a method fared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    /// Examples read as data.
    pub examples: usize,
    /// … that passed.
    pub passed: usize,
    /// Page line and why, for each example that did not.
    pub failures: Vec<(usize, String)>,
}

impl Side {
    /// Every example passed (and there was one).
    pub fn pass(&self) -> bool {
        self.examples > 0 && self.passed == self.examples
    }
}

/// One method's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodResult {
    /// Method name.
    pub name: String,
    /// `v2` or `v3`.
    pub api: String,
    /// The example calls.
    pub requests: Side,
    /// The example responses.
    pub responses: Side,
    /// Examples the spec's override marks as wrong: page line and why.
    pub errata: Vec<(usize, String)>,
    /// Errata whose line holds no example any more (the docs changed: review them).
    pub stale_errata: Vec<usize>,
    /// Examples that are code rather than data.
    pub code: usize,
    /// The page is missing from the docs snapshot.
    pub no_page: bool,
}

/// Runs every entry of the catalog against the docs in `docs`.
pub fn run(entries: &[Entry], docs: &Path) -> Vec<MethodResult> {
    run_with(entries, docs, catalog_spec)
}

/// The spec of a binding of the catalog.
pub fn catalog_spec(name: &str, api: &str) -> Result<Spec, String> {
    let c = b24_specs::find(name, api).ok_or_else(|| "not in the catalog".to_string())?;
    b24_codegen::load_str(Path::new(c.path), c.text).map_err(|e| e.to_string())
}

/// Runs `entries` against the docs in `docs`, their specs found by `spec`.
pub fn run_with(
    entries: &[Entry],
    docs: &Path,
    spec: impl Fn(&str, &str) -> Result<Spec, String>,
) -> Vec<MethodResult> {
    entries
        .iter()
        .map(|e| method(e, docs, spec(e.name, e.api)))
        .collect()
}

fn method(e: &Entry, docs: &Path, spec: Result<Spec, String>) -> MethodResult {
    let mut r = MethodResult {
        name: e.name.to_string(),
        api: e.api.to_string(),
        ..Default::default()
    };
    let spec = match spec {
        Ok(s) => s,
        Err(why) => {
            r.requests.failures.push((0, format!("spec: {why}")));
            return r;
        }
    };
    let Ok(src) = std::fs::read_to_string(docs.join(&spec.docs.path)) else {
        r.no_page = true;
        return r;
    };
    let ex = examples::of_page(&src);
    r.code = ex
        .unparsed
        .iter()
        .filter(|u| {
            u.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(e.name))
        })
        .count();
    // Whole examples the overrides mark wrong, and wrong members taken out of the others.
    let whole = |line: usize| {
        spec.errata
            .iter()
            .position(|x| x.line == Some(line) && x.member.is_none())
    };
    let mut used: Vec<usize> = Vec::new();
    let strip = |line: usize, v: &mut Value, used: &mut Vec<usize>, r: &mut MethodResult| {
        for (i, x) in spec.errata.iter().enumerate() {
            let Some(member) = &x.member else { continue };
            if x.line.is_none_or(|l| l == line)
                && b24_codegen::conform::remove_member(v, member)
                && !used.contains(&i)
            {
                used.push(i);
                r.errata
                    .push((x.line.unwrap_or(line), format!("`{member}`: {}", x.why)));
            }
        }
    };
    for c in ex.calls_for(e.name, spec.api == Api::V3) {
        if let Some(i) = whole(c.line) {
            r.errata.push((c.line, spec.errata[i].why.clone()));
            used.push(i);
            continue;
        }
        let mut params = c.params.clone();
        strip(c.line, &mut params, &mut used, &mut r);
        r.requests.examples += 1;
        match request(e, &spec, &params) {
            Ok(()) => r.requests.passed += 1,
            Err(why) => r.requests.failures.push((c.line, why)),
        }
    }
    for x in results(&ex) {
        if let Some(i) = whole(x.line) {
            r.errata.push((x.line, spec.errata[i].why.clone()));
            used.push(i);
            continue;
        }
        let mut body = x.body["result"].clone();
        strip(x.line, &mut body, &mut used, &mut r);
        r.responses.examples += 1;
        match result(e, &spec, &body) {
            Ok(()) => r.responses.passed += 1,
            Err(why) => r.responses.failures.push((x.line, why)),
        }
    }
    r.stale_errata = spec
        .errata
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, x)| x.line.unwrap_or(0))
        .collect();
    r
}

fn results(ex: &Examples) -> Vec<&examples::Response> {
    ex.results()
}

/// One example call: the spec knows every parameter, the binding accepts the call, and
/// what it sends keeps everything the example passed.
fn request(e: &Entry, spec: &Spec, params: &Value) -> Result<(), String> {
    let params = b24_codegen::conform::fill_request(spec, params);
    let positional = spec.request.encoding == Encoding::Positional;
    // Every parameter and member documented: a binding sends the others only through
    // `extra`.
    let unknown: Vec<String> = b24_codegen::conform::request(spec, &params)
        .into_iter()
        .filter(|i| i.kind == b24_codegen::conform::IssueKind::Unknown)
        .map(|i| i.path.trim_start_matches("$.").to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "not parameters of the spec (a binding sends them only through `extra`): {}",
            unknown.join(", ")
        ));
    }
    let encoded = (e.request)(&params)?;
    let mut lost = Vec::new();
    if positional {
        let names: Vec<&str> = spec
            .request
            .params
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let named = |v: &Value| {
            b24::__private::wire::positional(v, &names)
                .map(|m| Value::Object(m.into_owned()))
                .unwrap_or(Value::Null)
        };
        losses(&named(&params), &named(&encoded), "$", &mut lost);
    } else {
        losses(&params, &encoded, "$", &mut lost);
    }
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("the request drops {}", lost.join(", ")))
    }
}

/// One example response: the binding decodes its `result` and re-encodes all of it.
fn result(e: &Entry, spec: &Spec, result: &Value) -> Result<(), String> {
    let result = b24_codegen::conform::fill_placeholders(spec, &spec.response.result, result);
    // Every member documented: a struct keeps unknown members in `extra`, so nothing is
    // lost, but a member there is one the spec does not describe.
    let unknown: Vec<String> = b24_codegen::conform::result(spec, &result)
        .into_iter()
        .filter(|i| i.kind == b24_codegen::conform::IssueKind::Unknown)
        .map(|i| i.path)
        .collect();
    if !unknown.is_empty() {
        let shown: Vec<&str> = unknown.iter().take(5).map(String::as_str).collect();
        return Err(format!(
            "members the spec does not describe (kept in `extra`): {}{}",
            shown.join(", "),
            if unknown.len() > 5 {
                format!(" and {} more", unknown.len() - 5)
            } else {
                String::new()
            }
        ));
    }
    let encoded = (e.result)(&result)?;
    let mut lost = Vec::new();
    losses(&result, &encoded, "$.result", &mut lost);
    if lost.is_empty() {
        Ok(())
    } else {
        let shown: Vec<&str> = lost.iter().take(5).map(String::as_str).collect();
        let more = if lost.len() > 5 {
            format!(" and {} more", lost.len() - 5)
        } else {
            String::new()
        };
        Err(format!("the result type drops {}{more}", shown.join(", ")))
    }
}
