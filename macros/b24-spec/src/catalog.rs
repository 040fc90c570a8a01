//! The catalog of the specs b24 ships (`b24-specs`), loaded once per process.
//!
//! Every tool that reads the shipped specs — the command line, the fake portal, the
//! conformance gate — goes through [`Catalog::shipped`]: one loop, one place where a spec
//! that fails to load is an error (with its file, line and reason) instead of a spec
//! silently missing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::SpecError;
use crate::spec::{Api, EventSpec, Spec};

/// The loaded specs: methods (sorted by name, then API) and events.
#[derive(Debug)]
pub struct Catalog {
    methods: Vec<Spec>,
    events: Vec<EventSpec>,
    /// (lower-case name, API) → index into `methods`.
    by_name: HashMap<(String, Api), usize>,
}

static SHIPPED: OnceLock<Result<Catalog, String>> = OnceLock::new();

impl Catalog {
    /// The specs embedded in `b24-specs`, loaded on the first call. A spec that does not
    /// load makes this an error naming every such spec (`path:line:col: reason`).
    pub fn shipped() -> Result<&'static Catalog, &'static str> {
        SHIPPED
            .get_or_init(|| Catalog::from_entries(b24_specs::all(), b24_specs::events()))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The shipped spec of one method, loaded alone (what a process that needs one method
    /// does, like one command of a command line): `Ok(None)` when b24 ships no such method,
    /// an error (file, line, reason) when its spec does not load.
    pub fn shipped_method(name: &str, api: Api) -> Result<Option<Spec>, SpecError> {
        match b24_specs::find(name, api.as_str()) {
            Some(e) => crate::load_str(Path::new(e.path), e.text).map(Some),
            None => Ok(None),
        }
    }

    /// Loads the given spec files (method specs, then event specs).
    pub fn from_entries(
        methods: &[b24_specs::Entry],
        events: &[b24_specs::Entry],
    ) -> Result<Catalog, String> {
        let mut errors: Vec<String> = Vec::new();
        let mut out = Catalog {
            methods: Vec::with_capacity(methods.len()),
            events: Vec::with_capacity(events.len()),
            by_name: HashMap::with_capacity(methods.len()),
        };
        for e in methods {
            match crate::load_str(Path::new(e.path), e.text) {
                Ok(s) => out.methods.push(s),
                Err(err) => errors.push(err.to_string()),
            }
        }
        for e in events {
            match crate::load_event_str(Path::new(e.path), e.text) {
                Ok(s) => out.events.push(s),
                Err(err) => errors.push(err.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(format!(
                "{} of the shipped specs do not load:\n{}",
                errors.len(),
                errors.join("\n")
            ));
        }
        out.methods
            .sort_by(|a, b| (&a.name, a.api).cmp(&(&b.name, b.api)));
        for (i, s) in out.methods.iter().enumerate() {
            out.by_name
                .entry((s.name.to_ascii_lowercase(), s.api))
                .or_insert(i);
        }
        Ok(out)
    }

    /// Every method spec, sorted by name, then API.
    pub fn methods(&self) -> &[Spec] {
        &self.methods
    }

    /// Every event spec.
    pub fn events(&self) -> &[EventSpec] {
        &self.events
    }

    /// The spec of `name` (matched case-insensitively, as the portal does) for `api`.
    pub fn method(&self, name: &str, api: Api) -> Option<&Spec> {
        let i = self.by_name.get(&(name.to_ascii_lowercase(), api))?;
        self.methods.get(*i)
    }

    /// The spec of `name` for REST v2, else its REST 3.0 twin.
    pub fn method_any_api(&self, name: &str) -> Option<&Spec> {
        self.method(name, Api::V2)
            .or_else(|| self.method(name, Api::V3))
    }

    /// The event spec of `name`, matched case-insensitively.
    pub fn event(&self, name: &str) -> Option<&EventSpec> {
        self.events
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_specs_all_load() {
        let c = Catalog::shipped().expect("every shipped spec loads");
        assert!(c.methods().len() > 1500, "{}", c.methods().len());
        assert!(c.events().len() > 150);
        assert_eq!(
            c.method("IM.RECENT.UNREAD", Api::V2)
                .map(|s| s.name.as_str()),
            Some("im.recent.unread")
        );
        assert!(c.event("onCrmDealAdd").is_some());
    }

    #[test]
    fn a_spec_that_does_not_load_is_an_error_naming_it() {
        let bad = b24_specs::Entry {
            name: "x.y",
            api: "v2",
            path: "x/x.y.toml",
            text: "schema = 1\n[method]\nname = 1\n",
        };
        let e = Catalog::from_entries(&[bad], &[]).expect_err("a broken spec");
        assert!(e.contains("x/x.y.toml"), "{e}");
    }
}
