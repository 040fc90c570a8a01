//! A method's facts in plain text (`b24-gen describe`): where its binding lives, what it
//! takes, returns and may answer. Facts only; the docs page is linked, not quoted.

use std::fmt::Write as _;
use std::path::Path;

use crate::bindings::{Part, event_idents, parts};
use crate::naming;
use crate::spec::{Api, Deprecation, EventSpec, Pagination, Spec, TypeDef};

/// Describes the method `name` (any letter case) of `api` among `specs`, with its binding;
/// an unknown name is an error that suggests the closest one.
pub fn describe_method(specs: &[Spec], name: &str, api: Api) -> Result<String, String> {
    let Some(spec) = specs
        .iter()
        .find(|s| s.api == api && s.name.eq_ignore_ascii_case(name))
    else {
        let hint = naming::did_you_mean(name, specs.iter().map(|s| s.name.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!("no spec of `{name}` (REST {}){hint}", api.as_str()));
    };
    let parts = parts(specs);
    let binding = parts.iter().find_map(|p| {
        p.bindings
            .iter()
            .find(|b| b.method == spec.name && b.api == spec.api)
            .map(|b| (p, b.type_name.as_str()))
    });
    Ok(describe(spec, binding))
}

/// Describes `spec`; `part` is the generated crate holding its binding, when it has one.
pub fn describe(spec: &Spec, part: Option<(&Part, &str)>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (REST {})", spec.name, spec.api.as_str());
    if let Some((part, type_name)) = part {
        let _ = writeln!(
            out,
            "  binding     b24::methods::{}::{type_name}  (feature \"{}\", crate {})",
            part.namespace,
            part.namespace,
            part.package()
        );
    }
    docs_and_scope(&mut out, &spec.docs_url(), &spec.scope);
    let _ = writeln!(
        out,
        "  idempotent  {}",
        if spec.idempotent { "yes" } else { "no" }
    );
    let _ = writeln!(out, "  pagination  {}", pagination(&spec.pagination));
    deprecation_and_source(&mut out, spec.deprecated.as_ref(), &spec.source);

    let _ = writeln!(out, "parameters");
    if spec.request.params.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    let width = spec
        .request
        .params
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0);
    let rust_width = spec
        .request
        .params
        .iter()
        .map(|p| p.ident().len() + 1)
        .max()
        .unwrap_or(0);
    for p in &spec.request.params {
        let mut facts = vec![p.ty.to_string()];
        facts.push(if p.required { "required" } else { "optional" }.to_string());
        if let Some(d) = &p.default {
            facts.push(format!("default {d}"));
        }
        if !p.values.is_empty() {
            let open = if p.open_enum { ", …" } else { "" };
            facts.push(format!("one of {}{open}", p.values.join(", ")));
        }
        if p.min.is_some() || p.max.is_some() {
            let bound = |b: Option<i64>| b.map_or(String::new(), |v| v.to_string());
            facts.push(format!("range {}..={}", bound(p.min), bound(p.max)));
        }
        if let Some(n) = p.max_items {
            facts.push(format!("at most {n} items"));
        }
        if p.deprecated {
            facts.push("deprecated".to_string());
        }
        if p.allow_empty {
            facts.push("may be empty".to_string());
        }
        let _ = writeln!(
            out,
            "  {:width$}  {:rust_width$}  {}",
            p.name,
            format!(".{}", p.ident()),
            facts.join("; ")
        );
    }
    for set in &spec.request.alternatives {
        let _ = writeln!(out, "  one of the sets: {}", set.join(" + "));
    }
    for group in &spec.request.one_of {
        let _ = writeln!(out, "  at least one of: {}", group.join(", "));
    }
    for k in &spec.request.extra_keys {
        let _ = writeln!(out, "  and keys {} ({})", k.pattern, k.ty);
    }
    let _ = writeln!(
        out,
        "  and any other parameter through `.extra(key, value)`"
    );
    let _ = writeln!(out, "result\n  {}", spec.response.result);
    let _ = writeln!(out, "errors");
    if spec.errors.is_empty() {
        let _ = writeln!(out, "  (none documented; system errors apply)");
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &spec.errors {
        let mut line = if e.code.is_empty() {
            "\"\"".to_string()
        } else {
            e.code.clone()
        };
        if let Some(h) = e.http {
            let _ = write!(line, " (HTTP {h})");
        }
        if let Some(m) = &e.message {
            let _ = write!(line, ": {m}");
        }
        if seen.insert(line.clone()) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !spec.types.is_empty() {
        let _ = writeln!(out, "types");
        for (name, def) in &spec.types {
            let _ = writeln!(out, "  {name}: {}", type_def(def));
        }
    }
    out
}

/// Describes the event `name` (any letter case) among `events`, with its typed payload;
/// an unknown name is an error that suggests the closest one.
pub fn describe_event_named(events: &[EventSpec], name: &str) -> Result<String, String> {
    let Some(event) = events.iter().find(|e| e.name.eq_ignore_ascii_case(name)) else {
        let hint = naming::did_you_mean(name, events.iter().map(|e| e.name.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!("no spec of the event `{name}`{hint}"));
    };
    let idents = event_idents(events);
    Ok(describe_event(
        event,
        idents.get(&event.name).map(String::as_str),
    ))
}

/// Describes the event `spec`; `ident` is its variant of `b24::events::Payload`.
pub fn describe_event(spec: &EventSpec, ident: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (event)", spec.name);
    if let Some(ident) = ident {
        let _ = writeln!(
            out,
            "  payload     b24::events::Payload::{ident}  (data b24::events::{ns}::{ident}, feature \"{ns}\")",
            ns = naming::field_ident(&spec.namespace),
        );
    }
    docs_and_scope(&mut out, &spec.docs_url(), &spec.scope);
    deprecation_and_source(&mut out, spec.deprecated.as_ref(), &spec.source);
    let _ = writeln!(out, "data\n  {}", spec.data);
    if !spec.types.is_empty() {
        let _ = writeln!(out, "types");
        for (name, def) in &spec.types {
            let _ = writeln!(out, "  {name}: {}", type_def(def));
        }
    }
    out
}

/// The `docs` and `scope` lines.
fn docs_and_scope(out: &mut String, url: &str, scope: &[String]) {
    let _ = writeln!(out, "  docs        {url}");
    let scope = if scope.is_empty() {
        "-".to_string()
    } else {
        scope.join(", ")
    };
    let _ = writeln!(out, "  scope       {scope}");
}

/// The `deprecated` line (when it is) and the `spec` line.
fn deprecation_and_source(out: &mut String, deprecated: Option<&Deprecation>, source: &Path) {
    if let Some(dep) = deprecated {
        let _ = match &dep.replacement {
            Some(r) => writeln!(out, "  deprecated  use {r}"),
            None => writeln!(out, "  deprecated  yes"),
        };
    }
    let _ = writeln!(out, "  spec        {}", source.display());
}

fn pagination(p: &Pagination) -> String {
    match p {
        Pagination::None => "none".to_string(),
        Pagination::StartNext {
            param,
            page_size,
            fast_key,
            ..
        } => {
            let fast = fast_key
                .as_ref()
                .map_or(String::new(), |k| format!(", fast export over {k}"));
            format!("start/next ({param}, {page_size} a page{fast})")
        }
        Pagination::LimitOffset {
            offset_param,
            limit_param,
            max_limit,
            ..
        } => {
            let max = max_limit.map_or(String::new(), |m| format!(", at most {m}"));
            format!("limit/offset ({limit_param}, {offset_param}{max})")
        }
        Pagination::V3Page => "REST 3.0 pages".to_string(),
    }
}

fn type_def(def: &TypeDef) -> String {
    match def {
        TypeDef::Struct(s) => {
            let mut members: Vec<String> = s
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            members.extend(
                s.extra_keys
                    .iter()
                    .map(|k| format!("{}: {}", k.pattern, k.ty)),
            );
            format!("{{ {} }}", members.join(", "))
        }
        TypeDef::Enum(e) => e.values.join(" | "),
        TypeDef::Newtype(t) => t.to_string(),
        TypeDef::Map(m) => format!("map<{}>", m.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn says_the_facts_of_im_recent_unread() {
        let text = r#"
schema = 1
[method]
name = "im.recent.unread"
scope = ["im"]
docs = { path = "api-reference/chats/special-operations/im-recent-unread.md", commit = "5988ed13" }
[request]
params = [
  { name = "DIALOG_ID", type = "DialogId", required = true },
  { name = "ACTION", type = "yn", default = "Y" },
]
[response]
result = "bool"
[[error]]
code = "DIALOG_ID_EMPTY"
http = 400
"#;
        let spec = crate::load_str(Path::new("im.recent.unread.toml"), text).expect("spec");
        let part = Part {
            namespace: "im".into(),
            segment: None,
            bindings: Vec::new(),
        };
        let text = describe(&spec, Some((&part, "RecentUnread")));
        for line in [
            "im.recent.unread (REST v2)",
            "  binding     b24::methods::im::RecentUnread  (feature \"im\", crate b24-methods-im)",
            "  docs        https://apidocs.bitrix24.com/api-reference/chats/special-operations/im-recent-unread.html",
            "  idempotent  no",
            "  DIALOG_ID  .dialog_id  DialogId; required",
            "  ACTION     .action     yn; optional; default Y",
            "result\n  bool",
            "  DIALOG_ID_EMPTY (HTTP 400)",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn says_the_facts_of_an_event() {
        let text = crate::load::TEST_EVENT;
        let event =
            crate::load_event_str(Path::new("ONCRMDEALADD.toml"), text).expect("event spec");
        let events = [event];
        let text = describe_event_named(&events, "onCrmDealAdd").expect("found");
        for line in [
            "ONCRMDEALADD (event)",
            "  payload     b24::events::Payload::OnCrmDealAdd  (data b24::events::crm::OnCrmDealAdd, feature \"crm\")",
            "  docs        https://apidocs.bitrix24.com/api-reference/crm/deals/events/on-crm-deal-add.html",
            "  scope       crm",
            "data\n  Data",
            "  Fields: { ID: int }",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
        let err = describe_event_named(&events, "ONCRMDEALAD").expect_err("unknown");
        assert!(err.contains("did you mean `ONCRMDEALADD`"), "{err}");
    }
}
