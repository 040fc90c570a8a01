//! What a catalog of specs becomes: the binding each spec is (its namespace and type
//! name), the crates the bindings are grouped into, and the identifiers of the events.
//! Shared by the generator, the command lines and the fake portal, so that all of them
//! name a binding the same way.

use std::collections::BTreeMap;
use std::path::Path;

use crate::naming;
use crate::spec::{Api, EventSpec, Spec};

/// One binding: where it lives and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Module (and cargo feature): the first segment of the method name.
    pub namespace: String,
    /// Type name inside the module.
    pub type_name: String,
    /// Method name.
    pub method: String,
    /// API version.
    pub api: Api,
}

/// Names every spec: `im.recent.unread` → `im::RecentUnread`, REST 3.0 twins get `V3`,
/// one-word methods keep their name (`profile` → `profile::Profile`), and names that
/// still collide in a namespace get `2`, `3`, … in method-name order.
pub fn name_bindings(specs: &[Spec]) -> Vec<Binding> {
    let mut sorted: Vec<&Spec> = specs.iter().collect();
    sorted.sort_by(|a, b| (&a.name, a.api).cmp(&(&b.name, b.api)));
    let mut taken: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out = Vec::new();
    for s in sorted {
        let namespace = namespace_of(&s.name);
        let rest = s.name.split_once('.').map_or(s.name.as_str(), |(_, r)| r);
        let mut base = naming::pascal(rest);
        if s.api == Api::V3 {
            base.push_str("V3");
        }
        let n = taken
            .entry((namespace.clone(), base.to_ascii_lowercase()))
            .or_insert(0);
        *n += 1;
        let type_name = if *n == 1 { base } else { format!("{base}{n}") };
        out.push(Binding {
            namespace,
            type_name,
            method: s.name.clone(),
            api: s.api,
        });
    }
    out
}

/// The module / feature of a method.
pub fn namespace_of(method: &str) -> String {
    let ns = method
        .split('.')
        .next()
        .unwrap_or("misc")
        .to_ascii_lowercase();
    let ns = naming::field_ident(&ns);
    if ns == "self_" || ns == "crate_" || ns == "super_" {
        format!("ns_{ns}")
    } else {
        ns
    }
}

/// A namespace with more methods than this is split into one crate per second segment
/// of the method names (`crm.deal.*` → `b24-methods-crm-deal`), so that a change to one
/// spec rebuilds a small crate.
pub const SPLIT_ABOVE: usize = 200;

/// In a split namespace, segments with fewer methods than this share the crate `<ns>-other`.
pub const MIN_PART: usize = 10;

/// One generated crate: a whole namespace, or one part of a split one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The namespace (module and cargo feature).
    pub namespace: String,
    /// The part of a split namespace (`deal`, …, `other`), `None` for a whole namespace.
    pub segment: Option<String>,
    /// The bindings in it, in method-name order.
    pub bindings: Vec<Binding>,
}

impl Part {
    /// The crate's folder under `methods/`, and its package name after `b24-methods-`.
    pub fn dir(&self) -> String {
        let ns = self.namespace.trim_matches('_');
        match &self.segment {
            Some(seg) => format!("{ns}-{}", seg.trim_matches('_')),
            None => ns.to_string(),
        }
        .replace('_', "-")
    }

    /// The package name: `b24-methods-crm-deal`.
    pub fn package(&self) -> String {
        format!("b24-methods-{}", self.dir())
    }

    /// The library (Rust) name: `b24_methods_crm_deal`.
    pub fn library(&self) -> String {
        self.package().replace('-', "_")
    }

    /// What the crate holds, for its docs: `` `crm` `` or `` `crm.deal.*` ``.
    pub fn what(&self) -> String {
        match self.segment.as_deref() {
            None => format!("`{}` namespace", self.namespace),
            Some("other") => format!("smaller groups of the `{}` namespace", self.namespace),
            Some(seg) => format!("`{}.{seg}.*` methods", self.namespace),
        }
    }
}

/// Groups the bindings into crates (see [`SPLIT_ABOVE`] and [`MIN_PART`]), sorted by
/// namespace, then part.
pub fn parts(specs: &[Spec]) -> Vec<Part> {
    let mut namespaces: BTreeMap<String, Vec<Binding>> = BTreeMap::new();
    for b in name_bindings(specs) {
        namespaces.entry(b.namespace.clone()).or_default().push(b);
    }
    let mut out = Vec::new();
    for (ns, list) in namespaces {
        if list.len() <= SPLIT_ABOVE {
            out.push(Part {
                namespace: ns,
                segment: None,
                bindings: list,
            });
            continue;
        }
        // `crm.deal.add` → `deal`; a method of one or two segments goes to `other`.
        let keyed: Vec<(String, Binding)> = list
            .into_iter()
            .map(|b| {
                let mut it = b.method.split('.').skip(1);
                let seg = match (it.next(), it.next()) {
                    (Some(seg), Some(_)) => naming::field_ident(&seg.to_ascii_lowercase()),
                    _ => "other".to_string(),
                };
                (seg, b)
            })
            .collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (seg, _) in &keyed {
            *counts.entry(seg.as_str()).or_insert(0) += 1;
        }
        let small: Vec<String> = counts
            .into_iter()
            .filter(|(_, n)| *n < MIN_PART)
            .map(|(seg, _)| seg.to_string())
            .collect();
        let mut split: BTreeMap<String, Vec<Binding>> = BTreeMap::new();
        for (seg, b) in keyed {
            let seg = if small.contains(&seg) {
                "other".to_string()
            } else {
                seg
            };
            split.entry(seg).or_default().push(b);
        }
        for (seg, bindings) in split {
            out.push(Part {
                namespace: ns.clone(),
                segment: Some(seg),
                bindings,
            });
        }
    }
    out
}

/// The named types a definition refers to.
pub fn referenced(d: &crate::spec::TypeDef) -> Vec<String> {
    use crate::spec::TypeDef;
    let exprs: Vec<&crate::ty::TypeExpr> = match d {
        TypeDef::Struct(s) => s
            .fields
            .iter()
            .map(|f| &f.ty)
            .chain(s.extra_keys.iter().map(|k| &k.ty))
            .collect(),
        TypeDef::Newtype(t) => vec![t],
        TypeDef::Map(m) => vec![&m.value],
        TypeDef::Enum(_) => Vec::new(),
    };
    exprs
        .into_iter()
        .flat_map(|t| t.named())
        .map(str::to_string)
        .collect()
}

/// Loads every spec under `dir` (overrides excluded), failing on the first bad one.
pub fn load_specs(dir: &Path) -> Result<Vec<Spec>, crate::SpecError> {
    crate::spec_files(dir)
        .iter()
        .map(|f| crate::load_file(f))
        .collect()
}

/// Loads every event spec under `dir` (`incoming/`), failing on the first bad one.
pub fn load_events(dir: &Path) -> Result<Vec<EventSpec>, crate::SpecError> {
    crate::event_files(dir)
        .iter()
        .map(|f| crate::load_event_file(f))
        .collect()
}

/// The namespaces that have events.
pub fn event_namespaces(events: &[EventSpec]) -> Vec<String> {
    let mut ns: Vec<String> = events.iter().map(|e| e.namespace.clone()).collect();
    ns.sort();
    ns.dedup();
    ns
}

/// The Rust name of each event (by wire name): its page's file name in UpperCamelCase
/// (`on-crm-deal-add.md` → `OnCrmDealAdd`); an event of a page of several
/// (`ONIMV2MESSAGEADD`) is split into the words of the other events' file names
/// (`OnImV2MessageAdd`).
pub fn event_idents(events: &[EventSpec]) -> BTreeMap<String, String> {
    let stem = |e: &EventSpec| {
        let file = e.docs.path.rsplit('/').next().unwrap_or(&e.docs.path);
        file.strip_prefix("on-")
            .and_then(|f| f.strip_suffix(".md"))
            .map(str::to_string)
    };
    let mut words: std::collections::BTreeSet<String> = ["v2".to_string()].into();
    for e in events {
        if let Some(s) = stem(e) {
            words.extend(s.split('-').map(str::to_string));
        }
    }
    let mut taken: std::collections::BTreeSet<String> = ["Unknown".to_string()].into();
    events
        .iter()
        .map(|e| {
            let file_words = stem(e).map(|s| s.split('-').map(str::to_string).collect());
            let lower = e.name.to_ascii_lowercase();
            let split = file_words.or_else(|| {
                lower
                    .strip_prefix("on")
                    .and_then(|rest| segment(rest, &words))
            });
            let ident = match split {
                Some(ws) => {
                    let mut id = String::from("On");
                    for w in ws {
                        let mut c = w.chars();
                        if let Some(f) = c.next() {
                            id.push(f.to_ascii_uppercase());
                            id.push_str(c.as_str());
                        }
                    }
                    id
                }
                None => naming::pascal(&lower),
            };
            // A Rust identifier, unlike every other event's and `Unknown`.
            let mut ident: String = ident
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !ident.starts_with(|c: char| c.is_ascii_alphabetic()) {
                ident.insert_str(0, "On");
            }
            let base = ident.clone();
            let mut n = 2;
            while !taken.insert(ident.clone()) {
                ident = format!("{base}{n}");
                n += 1;
            }
            (e.name.clone(), ident)
        })
        .collect()
}

/// `text` split into `words`, the fewest first; a piece that is no word costs three words
/// and one a letter (`reactionchange` stays one piece when neither half is known).
fn segment(text: &str, words: &std::collections::BTreeSet<String>) -> Option<Vec<String>> {
    // best[i]: the cost of the cheapest split of text[..i], and where its last piece starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; text.len() + 1];
    best[0] = Some((0, 0));
    for end in 1..=text.len() {
        for start in 0..end {
            let (Some((n, _)), Some(piece)) = (best[start], text.get(start..end)) else {
                continue;
            };
            let cost = n + if words.contains(piece) {
                1
            } else {
                3 + piece.len()
            };
            if best[end].is_none_or(|(m, _)| cost < m) {
                best[end] = Some((cost, start));
            }
        }
    }
    let mut out = Vec::new();
    let mut end = text.len();
    while end > 0 {
        let (_, start) = best[end]?;
        out.push(text[start..end].to_string());
        end = start;
    }
    out.reverse();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{event_idents, segment};
    use crate::spec::{EventSpec, Spec};

    fn event(name: &str, path: &str) -> EventSpec {
        let text = format!(
            "schema = 1\n[event]\nname = \"{name}\"\nnamespace = \"type\"\ndocs = {{ path = \"{path}\", commit = \"abc1234\" }}\ndata = \"any\"\n"
        );
        crate::load_event_str(std::path::Path::new("x.toml"), &text).expect("valid")
    }

    #[test]
    fn every_event_gets_an_identifier_of_its_own() {
        let events = [
            event("UNKNOWN", "a/events.md"),
            event("ONX", "a/on-1 x.md"),
            event("ONY", "a/on-1-x.md"),
        ];
        let ids = event_idents(&events);
        assert_eq!(ids["UNKNOWN"], "Unknown2");
        assert_eq!(ids["ONX"], "On1x");
        assert_eq!(ids["ONY"], "On1X");
    }

    #[test]
    fn an_upper_case_name_splits_into_the_known_words() {
        let words = ["im", "imbot", "v2", "message", "add", "join", "chat"]
            .map(String::from)
            .into();
        let split = |t: &str| segment(t, &words).map(|w| w.join("-"));
        assert_eq!(
            split("imv2messageadd").as_deref(),
            Some("im-v2-message-add")
        );
        assert_eq!(
            split("imbotv2joinchat").as_deref(),
            Some("imbot-v2-join-chat")
        );
        // What no word covers stays one piece.
        assert_eq!(
            split("imv2reactionchange").as_deref(),
            Some("im-v2-reactionchange")
        );
    }

    fn spec(name: &str, api: crate::spec::Api) -> Spec {
        let text = format!(
            "schema = 1\n[method]\nname = \"{name}\"\napi = \"{}\"\ndocs = {{ path = \"x.md\", commit = \"0123456789\" }}\n",
            api.as_str()
        );
        crate::load_str(std::path::Path::new("x.toml"), &text).expect("spec")
    }

    #[test]
    fn names_are_deterministic_and_collisions_resolved() {
        let specs = vec![
            spec("tasks.task.get", crate::spec::Api::V3),
            spec("tasks.task.get", crate::spec::Api::V2),
            spec("im.v2.Event.get", crate::spec::Api::V2),
            spec("im.v2.event.get", crate::spec::Api::V2),
            spec("profile", crate::spec::Api::V2),
        ];
        let b = super::name_bindings(&specs);
        let names: Vec<String> = b
            .iter()
            .map(|b| format!("{}::{}", b.namespace, b.type_name))
            .collect();
        assert_eq!(
            names,
            [
                "im::V2EventGet",
                "im::V2EventGet2",
                "profile::Profile",
                "tasks::TaskGet",
                "tasks::TaskGetV3"
            ]
        );
    }
}
