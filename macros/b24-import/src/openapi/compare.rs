//! Where a portal's specs and the docs' specs disagree on the wire.

use std::collections::BTreeMap;
use std::fmt;

use super::{Kind, Member};
use b24_spec::spec::{Api, Pagination, Spec};

/// One disagreement between the portal and the docs about a REST 3.0 method.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The method.
    pub method: String,
    /// Where: `""` for the method, `params.fields.title`, `result.item.id`, `scope`, …
    pub at: String,
    /// What the portal says (`-`: nothing).
    pub portal: String,
    /// What the docs say (`-`: nothing).
    pub docs: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() {
            String::new()
        } else {
            format!(" {}", self.at)
        };
        write!(
            f,
            "{}{at}: portal {}, docs {}",
            self.method, self.portal, self.docs
        )
    }
}

/// Every difference between the REST 3.0 methods of `portal` and of `docs`, sorted:
/// methods only one side has, parameters and result members only one side has, their JSON
/// kinds ([`Kind`]) and required flags, the scopes (when both name some) and the paging.
pub fn compare(portal: &[Spec], docs: &[Spec]) -> Vec<Difference> {
    let v3 = |specs: &[Spec]| -> BTreeMap<String, Spec> {
        specs
            .iter()
            .filter(|s| s.api == Api::V3)
            .map(|s| (s.name.clone(), s.clone()))
            .collect()
    };
    let (p, d) = (v3(portal), v3(docs));
    let mut out = Vec::new();
    let mut diff = |method: &str, at: &str, portal: String, docs: String| {
        out.push(Difference {
            method: method.to_string(),
            at: at.to_string(),
            portal,
            docs,
        });
    };
    for (name, ps) in &p {
        let Some(ds) = d.get(name) else {
            let v2 = docs.iter().any(|s| s.name == *name && s.api == Api::V2);
            let docs = if v2 { "REST v2 only" } else { "-" };
            diff(name, "", "has it".into(), docs.into());
            continue;
        };
        if !ps.scope.is_empty() && !ds.scope.is_empty() && ps.scope != ds.scope {
            diff(name, "scope", ps.scope.join(","), ds.scope.join(","));
        }
        let paged = |s: &Spec| matches!(s.pagination, Pagination::V3Page);
        if paged(ps) != paged(ds) {
            let say = |b: bool| if b { "pages" } else { "one page" }.to_string();
            diff(name, "pagination", say(paged(ps)), say(paged(ds)));
        }
        let params = |s: &Spec| -> BTreeMap<String, Member> {
            s.request
                .params
                .iter()
                .map(|f| {
                    let kind = Kind::of(s, &f.ty);
                    (
                        f.name.clone(),
                        Member {
                            kind,
                            required: f.required,
                        },
                    )
                })
                .collect()
        };
        members(&mut diff, name, "params", &params(ps), &params(ds), true);
        let (pr, dr) = (
            Kind::of(ps, &ps.response.result),
            Kind::of(ds, &ds.response.result),
        );
        kinds(&mut diff, name, "result", &pr, &dr);
    }
    for name in d.keys().filter(|n| !p.contains_key(*n)) {
        diff(name, "", "-".into(), "has it".into());
    }
    out.sort();
    out
}

type Diff<'f> = dyn FnMut(&str, &str, String, String) + 'f;

fn members(
    diff: &mut Diff<'_>,
    method: &str,
    at: &str,
    p: &BTreeMap<String, Member>,
    d: &BTreeMap<String, Member>,
    request: bool,
) {
    for (name, pm) in p {
        let here = format!("{at}.{name}");
        match d.get(name) {
            None => diff(method, &here, pm.kind.name(), "-".into()),
            Some(dm) => {
                if request && pm.required != dm.required {
                    let say = |r: bool| if r { "required" } else { "optional" }.to_string();
                    diff(method, &here, say(pm.required), say(dm.required));
                }
                kinds(diff, method, &here, &pm.kind, &dm.kind);
            }
        }
    }
    for (name, dm) in d.iter().filter(|(n, _)| !p.contains_key(*n)) {
        diff(method, &format!("{at}.{name}"), "-".into(), dm.kind.name());
    }
}

fn kinds(diff: &mut Diff<'_>, method: &str, at: &str, p: &Kind, d: &Kind) {
    match (p, d) {
        (Kind::Object(pm), Kind::Object(dm)) => members(diff, method, at, pm, dm, false),
        (Kind::Array(pi), Kind::Array(di)) => kinds(diff, method, &format!("{at}[]"), pi, di),
        (Kind::Map(pv), Kind::Map(dv)) => kinds(diff, method, &format!("{at}.*"), pv, dv),
        (p, d) if p != d => diff(method, at, p.name(), d.name()),
        _ => {}
    }
}
