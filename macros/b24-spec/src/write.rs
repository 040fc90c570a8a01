//! A spec as TOML text: the inverse of [`crate::load_str`], for tools that make specs from
//! something other than a docs page (`b24-gen import-openapi`).
//!
//! `load_str(write(spec)) == spec` (but for [`Spec::source`]) for every spec the loader
//! accepts; a test holds every committed spec to it.

use std::fmt::Write as _;

use crate::spec::*;
use crate::ty::{Prim, TypeExpr};

/// The TOML text of `spec`, after `header` (comment lines, each starting with `#`).
pub fn spec_toml(spec: &Spec, header: &str) -> String {
    let mut s = head(header, "method");
    let _ = writeln!(s, "name = {}", q(&spec.name));
    let _ = writeln!(s, "api = {}", q(spec.api.as_str()));
    if spec.origin != Origin::Docs {
        let _ = writeln!(s, "origin = {}", q(spec.origin.as_str()));
    }
    let _ = writeln!(s, "scope = [{}]", list(&spec.scope));
    if !(spec.origin == Origin::OpenApi && spec.docs.commit.is_empty()) {
        let _ = writeln!(
            s,
            "docs = {{ path = {}, commit = {} }}",
            q(&spec.docs.path),
            q(&spec.docs.commit)
        );
    }
    if spec.idempotent {
        s.push_str("idempotent = true\n");
    }
    deprecation(&mut s, spec.deprecated.as_ref());
    if let Some(r) = &spec.runtime {
        let _ = writeln!(s, "runtime = {}", q(r));
    }
    request(&mut s, &spec.request);
    response(&mut s, &spec.response);
    pagination(&mut s, &spec.pagination);
    for e in &spec.errors {
        let _ = write!(s, "\n[[error]]\ncode = {}\n", q(&e.code));
        if let Some(h) = e.http {
            let _ = writeln!(s, "http = {h}");
        }
        if let Some(m) = &e.message {
            let _ = writeln!(s, "message = {}", q(m));
        }
    }
    for (name, def) in &spec.types {
        let _ = write!(s, "\n[types.{name}]\n");
        type_def(&mut s, def);
    }
    for e in &spec.errata {
        s.push_str("\n[[erratum]]\n");
        if let Some(p) = &e.page {
            let _ = writeln!(s, "page = {}", q(p));
        }
        if let Some(l) = e.line {
            let _ = writeln!(s, "line = {l}");
        }
        if let Some(m) = &e.member {
            let _ = writeln!(s, "member = {}", q(m));
        }
        let _ = writeln!(s, "why = {}", q(&e.why));
    }
    s
}

fn request(s: &mut String, r: &Request) {
    let empty = r.params.is_empty()
        && r.alternatives.is_empty()
        && r.one_of.is_empty()
        && r.extra_keys.is_empty()
        && r.encoding == Encoding::Json;
    if empty {
        return;
    }
    s.push_str("\n[request]\n");
    if r.encoding == Encoding::Positional {
        s.push_str("encoding = \"positional\"\n");
        if !r.by_name {
            s.push_str("by_name = false\n");
        }
    }
    params(s, "params", &r.params);
    groups(s, "alternatives", &r.alternatives);
    groups(s, "one_of", &r.one_of);
    extra_keys(s, &r.extra_keys);
}

fn response(s: &mut String, r: &Response) {
    let default = r.result == TypeExpr::Prim(Prim::Any) && r.envelope == Envelope::Plain;
    if default && !r.partial {
        return;
    }
    let _ = write!(s, "\n[response]\nresult = {}\n", q(&r.result.to_string()));
    if r.envelope == Envelope::List {
        s.push_str("envelope = \"list\"\n");
    }
    if r.partial {
        s.push_str("partial = true\n");
    }
}

fn pagination(s: &mut String, p: &Pagination) {
    match p {
        Pagination::None => {}
        Pagination::V3Page => s.push_str("\n[pagination]\nstyle = \"v3_page\"\n"),
        Pagination::StartNext {
            param,
            page_size,
            fast_key,
            items,
        } => {
            s.push_str("\n[pagination]\nstyle = \"start_next\"\n");
            let _ = writeln!(s, "request_param = {}", q(param));
            let _ = writeln!(s, "page_size = {page_size}");
            if let Some(k) = fast_key {
                let _ = writeln!(s, "fast_mode = {{ start = -1, key = {} }}", q(k));
            }
            if let Some(i) = items {
                let _ = writeln!(s, "items = {}", q(i));
            }
        }
        Pagination::LimitOffset {
            offset_param,
            limit_param,
            max_limit,
            items,
        } => {
            s.push_str("\n[pagination]\nstyle = \"limit_offset\"\n");
            let _ = writeln!(s, "offset_param = {}", q(offset_param));
            let _ = writeln!(s, "limit_param = {}", q(limit_param));
            if let Some(m) = max_limit {
                let _ = writeln!(s, "max_limit = {m}");
            }
            if let Some(i) = items {
                let _ = writeln!(s, "items = {}", q(i));
            }
        }
    }
}

/// The TOML text of an event spec, after `header`: the inverse of
/// [`crate::load_event_str`].
pub fn event_toml(ev: &EventSpec, header: &str) -> String {
    let mut s = head(header, "event");
    let _ = writeln!(s, "name = {}", q(&ev.name));
    let _ = writeln!(s, "namespace = {}", q(&ev.namespace));
    let _ = writeln!(s, "scope = [{}]", list(&ev.scope));
    let _ = writeln!(
        s,
        "docs = {{ path = {}, commit = {} }}",
        q(&ev.docs.path),
        q(&ev.docs.commit)
    );
    deprecation(&mut s, ev.deprecated.as_ref());
    let _ = writeln!(s, "data = {}", q(&ev.data.to_string()));
    for (name, def) in &ev.types {
        let _ = write!(s, "\n[types.{name}]\n");
        type_def(&mut s, def);
    }
    s
}

/// `header` (comment lines), the schema and the opening of the `[table]`.
fn head(header: &str, table: &str) -> String {
    let mut s = String::from(header);
    if !header.is_empty() && !header.ends_with('\n') {
        s.push('\n');
    }
    let _ = write!(s, "schema = 1\n\n[{table}]\n");
    s
}

fn deprecation(s: &mut String, d: Option<&Deprecation>) {
    match d {
        None => {}
        Some(Deprecation { replacement: None }) => s.push_str("deprecated = true\n"),
        Some(Deprecation {
            replacement: Some(r),
        }) => {
            let _ = writeln!(s, "deprecated = {{ replacement = {} }}", q(r));
        }
    }
}

fn type_def(s: &mut String, def: &TypeDef) {
    match def {
        TypeDef::Struct(d) => {
            s.push_str("kind = \"struct\"\n");
            extra_keys(s, &d.extra_keys);
            if d.fields.is_empty() {
                s.push_str("fields = []\n");
            }
            params(s, "fields", &d.fields);
        }
        TypeDef::Enum(e) => {
            s.push_str("kind = \"enum\"\n");
            if e.repr == EnumRepr::Int {
                s.push_str("repr = \"int\"\n");
            }
            if e.case_insensitive {
                s.push_str("case_insensitive = true\n");
            }
            let values: Vec<String> = e
                .values
                .iter()
                .map(|v| literal(v, e.repr == EnumRepr::Int))
                .collect();
            let _ = writeln!(s, "values = [{}]", values.join(", "));
        }
        TypeDef::Newtype(t) => {
            let _ = write!(s, "kind = \"newtype\"\nrepr = {}\n", q(&t.to_string()));
        }
        TypeDef::Map(m) => {
            let _ = write!(s, "kind = \"map\"\nvalue = {}\n", q(&m.value.to_string()));
            if !m.key_prefixes.is_empty() {
                let _ = writeln!(s, "key_prefixes = [{}]", list(&m.key_prefixes));
            }
        }
    }
}

fn params(s: &mut String, key: &str, ps: &[Param]) {
    if ps.is_empty() {
        return;
    }
    let _ = writeln!(s, "{key} = [");
    for p in ps {
        let _ = write!(
            s,
            "  {{ name = {}, type = {}",
            q(&p.name),
            q(&p.ty.to_string())
        );
        if p.required {
            s.push_str(", required = true");
        }
        if let Some(d) = &p.default {
            let _ = write!(s, ", default = {}", q(d));
        }
        if !p.values.is_empty() {
            let _ = write!(s, ", enum = [{}]", list(&p.values));
        }
        if p.open_enum {
            s.push_str(", open_enum = true");
        }
        if let Some(m) = p.min {
            let _ = write!(s, ", min = {m}");
        }
        if let Some(m) = p.max {
            let _ = write!(s, ", max = {m}");
        }
        if let Some(m) = p.max_items {
            let _ = write!(s, ", max_items = {m}");
        }
        if p.deprecated {
            s.push_str(", deprecated = true");
        }
        if p.allow_empty {
            s.push_str(", allow_empty = true");
        }
        if let Some(o) = &p.override_ {
            let _ = write!(s, ", override = {}", q(o));
        }
        if let Some(r) = &p.rust_name {
            let _ = write!(s, ", rust_name = {}", q(r));
        }
        s.push_str(" },\n");
    }
    s.push_str("]\n");
}

fn groups(s: &mut String, key: &str, groups: &[Vec<String>]) {
    if groups.is_empty() {
        return;
    }
    let inner: Vec<String> = groups.iter().map(|g| format!("[{}]", list(g))).collect();
    let _ = writeln!(s, "{key} = [{}]", inner.join(", "));
}

fn extra_keys(s: &mut String, keys: &[ExtraKey]) {
    if keys.is_empty() {
        return;
    }
    s.push_str("extra_keys = [\n");
    for k in keys {
        let _ = writeln!(
            s,
            "  {{ pattern = {}, type = {} }},",
            q(&k.pattern),
            q(&k.ty.to_string())
        );
    }
    s.push_str("]\n");
}

fn list(items: &[String]) -> String {
    items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", ")
}

/// An enum value: an integer literal for an `int` enum, a string otherwise.
fn literal(v: &str, int: bool) -> String {
    match v.parse::<i64>() {
        Ok(i) if int => i.to_string(),
        _ => q(v),
    }
}

/// A TOML basic string.
pub fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Every committed spec (imports and complete overrides) reads back from its written
    /// text as the same spec.
    #[test]
    fn every_committed_spec_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        let files = crate::spec_files(&root);
        assert!(files.len() > 1_000, "{} spec files", files.len());
        let mut failed = Vec::new();
        for f in &files {
            let Ok(spec) = crate::load_file(f) else {
                continue; // partial overrides are not specs on their own
            };
            let text = super::spec_toml(&spec, "# round trip\n");
            match crate::load_str(f, &text) {
                Ok(back) if back == spec => {}
                Ok(_) => failed.push(format!("{}: differs after a round trip", f.display())),
                Err(e) => failed.push(format!("{}: {e}\n{text}", f.display())),
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn every_committed_event_spec_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        let files = crate::event_files(&root);
        assert!(files.len() > 150, "{} event specs", files.len());
        for f in &files {
            let ev = crate::load_event_file(f).expect("a committed event spec loads");
            let text = super::event_toml(&ev, "# round trip\n");
            let back = crate::load_event_str(f, &text).expect("the written spec loads");
            assert_eq!(back, ev, "{}", f.display());
        }
    }

    #[test]
    fn an_openapi_spec_without_a_page_round_trips() {
        let text = "schema = 1\n[method]\nname = \"x.y.get\"\napi = \"v3\"\norigin = \"openapi\"\n";
        let spec = crate::load_str(&PathBuf::from("x.toml"), text).expect("loads");
        assert_eq!(spec.origin, crate::spec::Origin::OpenApi);
        assert_eq!(spec.docs.path, crate::spec::OPENAPI_PAGE);
        let back = crate::load_str(&PathBuf::from("x.toml"), &super::spec_toml(&spec, ""))
            .expect("reads back");
        assert_eq!(back, spec);
        let err = crate::load_str(
            &PathBuf::from("x.toml"),
            "schema = 1\n[method]\nname = \"x.y.get\"\n",
        )
        .expect_err("docs are required of a docs spec");
        assert!(err.to_string().contains("missing `docs"), "{err}");
    }
}
