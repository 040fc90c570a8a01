//! The gate: every binding of the catalog against the examples of its docs page.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use b24_import::examples::{self, Examples};
use b24_spec::Spec;
use b24_spec::spec::{Api, Encoding};
use serde_json::Value;

use crate::check::{Entry, losses};

/// Where an example is: a line of the method's own page, or of another page that calls
/// the method (a guide, a page on keyboards or attachments, a tutorial).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    /// The other page, relative to the docs root; `None`: the method's own page.
    pub page: Option<String>,
    /// 1-based line (0: the method as a whole).
    pub line: usize,
}

impl Place {
    /// A line of the method's own page.
    pub fn own(line: usize) -> Place {
        Place { page: None, line }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.page {
            Some(p) => write!(f, "{p}:{}", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

/// How one side (requests or responses) of a method fared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    /// Examples read as data.
    pub examples: usize,
    /// … that passed.
    pub passed: usize,
    /// Where and why, for each example that did not.
    pub failures: Vec<(Place, String)>,
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
    /// Examples the spec's override marks as wrong: where and why.
    pub errata: Vec<(Place, String)>,
    /// Errata whose line holds no example any more (the docs changed: review them).
    pub stale_errata: Vec<Place>,
    /// Examples that are code rather than data.
    pub code: usize,
    /// The page is missing from the docs snapshot.
    pub no_page: bool,
    /// Each example call the binding sends, with every difference between the body it
    /// sends and the example's (page line, differences; empty: sent exactly as written).
    pub wire: Vec<(Place, Vec<crate::wire::Diff>)>,
}

/// Runs every entry of the catalog against the docs in `docs`.
pub fn run(entries: &[Entry], docs: &Path) -> Vec<MethodResult> {
    run_with(entries, docs, catalog_spec)
}

/// The spec of a binding of the catalog.
pub fn catalog_spec(name: &str, api: &str) -> Result<Spec, String> {
    let c = b24_specs::find(name, api).ok_or_else(|| "not in the catalog".to_string())?;
    b24_spec::load_str(Path::new(c.path), c.text).map_err(|e| e.to_string())
}

/// Runs `entries` against the docs in `docs`, their specs found by `spec`: the examples
/// of each method's own page, and the calls of the method that other pages show.
pub fn run_with(
    entries: &[Entry],
    docs: &Path,
    spec: impl Fn(&str, &str) -> Result<Spec, String>,
) -> Vec<MethodResult> {
    let specs: Vec<Result<Spec, String>> = entries.iter().map(|e| spec(e.name, e.api)).collect();
    let own: HashSet<String> = specs
        .iter()
        .filter_map(|s| s.as_ref().ok())
        .map(|s| s.docs.path.clone())
        .collect();
    let elsewhere = Elsewhere::read(docs, &own);
    entries
        .iter()
        .zip(specs)
        .map(|(e, s)| method(e, docs, s, &elsewhere))
        .collect()
}

/// The example calls of every page that is not a method's own page, by method name
/// (lower case).
#[derive(Debug, Default)]
struct Elsewhere {
    calls: HashMap<String, Vec<(String, examples::Call)>>,
}

impl Elsewhere {
    fn read(docs: &Path, own: &HashSet<String>) -> Elsewhere {
        let mut out = Elsewhere::default();
        let mut pages = Vec::new();
        markdown_files(docs, docs, &mut pages);
        pages.sort();
        for rel in pages {
            if own.contains(&rel) {
                continue;
            }
            let Ok(src) = std::fs::read_to_string(docs.join(&rel)) else {
                continue;
            };
            for c in examples::of_page(&src).calls {
                out.calls
                    .entry(c.method.to_ascii_lowercase())
                    .or_default()
                    .push((rel.clone(), c));
            }
        }
        out
    }

    /// The calls of `method` through one API, without repeats (the same parameters in
    /// several languages of one page count once).
    fn calls_for(&self, method: &str, v3: bool) -> Vec<(&str, &examples::Call)> {
        let mut out: Vec<(&str, &examples::Call)> = Vec::new();
        for (page, c) in self
            .calls
            .get(&method.to_ascii_lowercase())
            .into_iter()
            .flatten()
        {
            if c.v3 == v3 && !out.iter().any(|(p, o)| *p == page && o.params == c.params) {
                out.push((page, c));
            }
        }
        out
    }
}

fn markdown_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "md")
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn method(
    e: &Entry,
    docs: &Path,
    spec: Result<Spec, String>,
    elsewhere: &Elsewhere,
) -> MethodResult {
    let mut r = MethodResult {
        name: e.name.to_string(),
        api: e.api.to_string(),
        ..Default::default()
    };
    let spec = match spec {
        Ok(s) => s,
        Err(why) => {
            r.requests
                .failures
                .push((Place::own(0), format!("spec: {why}")));
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
    let v3 = spec.api == Api::V3;
    let own = ex.calls_for(e.name, v3).into_iter().map(|c| (None, c));
    let other = elsewhere
        .calls_for(e.name, v3)
        .into_iter()
        .map(|(p, c)| (Some(p.to_string()), c));
    let mut errata = Errata::new(&spec);
    for (page, c) in own.chain(other) {
        let at = Place { page, line: c.line };
        if let Some(why) = errata.whole(&at) {
            r.errata.push((at, why));
            continue;
        }
        let mut params = c.params.clone();
        r.errata.extend(errata.strip(&at, &mut params));
        r.requests.examples += 1;
        match request(e, &spec, &params) {
            Ok((filled, sent)) => {
                r.requests.passed += 1;
                let positional = spec.request.encoding == Encoding::Positional;
                r.wire
                    .push((at, crate::wire::diff(&filled, &sent, positional)));
            }
            Err(why) => r.requests.failures.push((at, why)),
        }
    }
    for x in results(&ex) {
        let at = Place::own(x.line);
        if let Some(why) = errata.whole(&at) {
            r.errata.push((at, why));
            continue;
        }
        let mut body = x.body["result"].clone();
        r.errata.extend(errata.strip(&at, &mut body));
        r.responses.examples += 1;
        match result(e, &spec, &body) {
            Ok(()) => r.responses.passed += 1,
            Err(why) => r.responses.failures.push((at, why)),
        }
    }
    r.stale_errata = errata.unused();
    r
}

/// The errata of one spec, and which of them an example used.
struct Errata<'s> {
    spec: &'s Spec,
    used: Vec<usize>,
}

impl<'s> Errata<'s> {
    fn new(spec: &'s Spec) -> Errata<'s> {
        Errata {
            spec,
            used: Vec::new(),
        }
    }

    fn place(x: &b24_spec::spec::Erratum) -> Place {
        Place {
            page: x.page.clone(),
            line: x.line.unwrap_or(0),
        }
    }

    /// An erratum with a line is about the example at that line of its page; one without
    /// is about its member wherever an example passes it.
    fn applies(x: &b24_spec::spec::Erratum, at: &Place) -> bool {
        match x.line {
            Some(l) => x.page == at.page && l == at.line,
            None => true,
        }
    }

    /// Why the whole example at `at` is wrong, when an erratum says it is.
    fn whole(&mut self, at: &Place) -> Option<String> {
        let i = self
            .spec
            .errata
            .iter()
            .position(|x| x.line.is_some() && x.member.is_none() && Self::applies(x, at))?;
        self.used.push(i);
        Some(self.spec.errata[i].why.clone())
    }

    /// Takes the members errata mark wrong out of the example at `at`.
    fn strip(&mut self, at: &Place, v: &mut Value) -> Vec<(Place, String)> {
        let mut out = Vec::new();
        for (i, x) in self.spec.errata.iter().enumerate() {
            let Some(member) = &x.member else { continue };
            if Self::applies(x, at)
                && b24_spec::conform::remove_member(v, member)
                && !self.used.contains(&i)
            {
                self.used.push(i);
                let place = if x.line.is_some() {
                    Self::place(x)
                } else {
                    at.clone()
                };
                out.push((place, format!("`{member}`: {}", x.why)));
            }
        }
        out
    }

    fn unused(&self) -> Vec<Place> {
        self.spec
            .errata
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.used.contains(i))
            .map(|(_, x)| Self::place(x))
            .collect()
    }
}

fn results(ex: &Examples) -> Vec<&examples::Response> {
    ex.results()
}

/// One example call: the spec knows every parameter, the binding accepts the call, and
/// what it sends keeps everything the example passed.
fn request(e: &Entry, spec: &Spec, params: &Value) -> Result<(Value, Value), String> {
    let params = b24_spec::conform::fill_request(spec, params);
    let positional = spec.request.encoding == Encoding::Positional;
    // Every parameter and member documented: a binding sends the others only through
    // `extra`.
    let unknown: Vec<String> = b24_spec::conform::request(spec, &params)
        .into_iter()
        .filter(|i| i.kind == b24_spec::conform::IssueKind::Unknown)
        // The source key of offline events, which "modifying calls" of any method pass
        // (api-reference/events/offline-events.md line 1186): sent through `extra`.
        .filter(|i| i.path != "$.auth_connector")
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
        Ok((params, encoded))
    } else {
        Err(format!("the request drops {}", lost.join(", ")))
    }
}

/// One example response: the binding decodes its `result` and re-encodes all of it.
fn result(e: &Entry, spec: &Spec, result: &Value) -> Result<(), String> {
    let result = b24_spec::conform::fill_placeholders(spec, &spec.response.result, result);
    // Every member documented: a struct keeps unknown members in `extra`, so nothing is
    // lost, but a member there is one the spec does not describe.
    let unknown: Vec<String> = b24_spec::conform::result(spec, &result)
        .into_iter()
        .filter(|i| i.kind == b24_spec::conform::IssueKind::Unknown)
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
