//! Event specs (`specs/incoming/<namespace>/<EVENT>.toml`): the name, scope and `data` type
//! of one event, checked like a method spec's types.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Diags, RawDeprecated, RawDocs, RawTypeDef, TypeUse, Validator};
use crate::SpecError;
use crate::spec::{Deprecation, Docs, EventSpec};

/// The folder of event specs inside a specs folder.
pub const EVENTS_DIR: &str = "incoming";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEventSpec {
    #[expect(
        dead_code,
        reason = "required here; its value is checked by `SchemaOnly` first"
    )]
    schema: Spanned<i64>,
    event: RawEvent,
    #[serde(default)]
    types: BTreeMap<Spanned<String>, Spanned<RawTypeDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: Spanned<String>,
    namespace: Spanned<String>,
    #[serde(default)]
    scope: Vec<Spanned<String>>,
    docs: RawDocs,
    deprecated: Option<RawDeprecated>,
    data: Spanned<String>,
}

/// Every event spec under `dir` (its `incoming/` folder), sorted.
pub fn event_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(namespaces) = std::fs::read_dir(dir.join(EVENTS_DIR)) else {
        return out;
    };
    for ns in namespaces.flatten() {
        let Ok(files) = std::fs::read_dir(ns.path()) else {
            continue;
        };
        for f in files.flatten() {
            let p = f.path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads and validates the event spec at `path`.
pub fn load_event_file(path: &Path) -> Result<EventSpec, SpecError> {
    load_event_str(path, &super::read_text(path)?)
}

/// Validates event spec text; `path` is used in diagnostics and kept in
/// [`EventSpec::source`].
pub fn load_event_str(path: &Path, text: &str) -> Result<EventSpec, SpecError> {
    let mut d = Diags::new(path, text);
    if !super::size_and_schema_ok(&mut d, text) {
        return Err(d.finish().expect_err("one diagnostic was recorded"));
    }
    let raw: RawEventSpec = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            d.at(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(d.finish().expect_err("one diagnostic was recorded"));
        }
    };
    let ev = raw.event;
    let word = |w: &Spanned<String>, case: fn(&char) -> bool, what: &str, d: &mut Diags<'_>| {
        let text = w.get_ref();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| case(&c) || c.is_ascii_digit() || c == '_')
        {
            d.at(w.span(), format!("`{text}` is not {what}, digits and `_`)"));
        }
    };
    word(
        &ev.name,
        char::is_ascii_uppercase,
        "an event name (upper-case letters",
        &mut d,
    );
    word(
        &ev.namespace,
        char::is_ascii_lowercase,
        "a namespace (lower-case letters",
        &mut d,
    );
    let mut v = Validator { d: &mut d };
    v.scopes(&ev.scope);
    v.docs(&ev.docs);
    let mut uses: Vec<TypeUse> = Vec::new();
    let data = v.ty(&ev.data, &mut uses);
    let types = v.types(raw.types, uses);
    let spec = EventSpec {
        name: ev.name.into_inner(),
        namespace: ev.namespace.into_inner(),
        scope: ev.scope.into_iter().map(|s| s.into_inner()).collect(),
        docs: Docs {
            path: ev.docs.path.into_inner(),
            commit: ev.docs.commit.into_inner(),
        },
        deprecated: ev.deprecated.map(|r| match r {
            RawDeprecated::Flag(_) => Deprecation::default(),
            RawDeprecated::Info { replacement } => Deprecation { replacement },
        }),
        data,
        types,
        source: path.to_path_buf(),
    };
    d.finish()?;
    Ok(spec)
}

/// A valid event spec (`ONCRMDEALADD`), for the tests of what reads event specs.
#[cfg(test)]
pub(crate) const TEST_EVENT: &str = r#"
schema = 1
[event]
name = "ONCRMDEALADD"
namespace = "crm"
scope = ["crm"]
docs = { path = "api-reference/crm/deals/events/on-crm-deal-add.md", commit = "abc1234" }
data = "Data"
[types.Data]
kind = "struct"
fields = [{ name = "FIELDS", type = "Fields" }]
[types.Fields]
kind = "struct"
fields = [{ name = "ID", type = "int" }]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = TEST_EVENT;

    #[test]
    fn an_event_spec_loads_with_its_types() {
        let e = load_event_str(Path::new("ONCRMDEALADD.toml"), GOOD).expect("valid");
        assert_eq!(e.name, "ONCRMDEALADD");
        assert_eq!(e.namespace, "crm");
        assert_eq!(e.types.len(), 2);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace("\"ONCRMDEALADD\"", "\"onCrmDealAdd\"")
            .replace("type = \"Fields\"", "type = \"Missing\"");
        let e = load_event_str(Path::new("x.toml"), &bad).expect_err("invalid");
        let shown = e.to_string();
        assert!(shown.contains("not an event name"), "{shown}");
        assert!(shown.contains("Missing"), "{shown}");
        assert!(shown.contains("x.toml:4:8"), "{shown}");
    }
}
