//! The properties b24's parsers of outside input hold for *any* input, one function per
//! fuzz target (`tests/b24-fuzz/fuzz_targets/*.rs` call these and nothing else):
//!
//! - [`spec`]: the spec loader never panics, and every spec it accepts generates Rust that
//!   parses;
//! - [`docs_page`]: the docs importer reads any page without a panic, and a method page it
//!   reads gives a spec text the loader reads without a panic;
//! - [`envelope`]: an answer's body decodes (as untyped JSON and as typed results with
//!   dates, ids, flags and wrappers) or fails with an error naming the method and a JSON path;
//! - [`batch`]: a `batch` answer decodes, and every command's result is a value, an error of
//!   its own, or "not run"/"unknown", never a panic;
//! - [`scalars`]: `DialogId`, `Yn`, `DateTime` and `Date` read what they print;
//! - [`form`]: PHP's bracket-key forms (`b24::form`) read without a panic, and what a form
//!   reads into writes back to a form that reads the same.
//!
//! `tests/replay.rs` runs each over its seed corpus and the regression inputs in
//! `tests/b24-fuzz/regressions/<target>/` on the stable toolchain, so a crash once found stays
//! fixed.
#![deny(missing_docs)]
// The crm.deal.* methods are deprecated in the docs but still answer, and their results
// hold the most dates, ids and flags of any result: they stay among the decoded types.
#![allow(deprecated)]

use std::path::Path;
use std::str::FromStr;

use b24::__testing::{decode_batch_body, decode_body};
use b24::types::{Date, DateTime, DialogId, Yn};
use b24::{CommandError, Error, Method};
use serde_json::Value;

/// A fuzz target's property: panics when the input breaks it.
pub type Check = fn(&[u8]);

/// The fuzz targets, by name (the file names under `tests/b24-fuzz/fuzz_targets/`).
pub const TARGETS: [(&str, Check); 6] = [
    ("spec", spec),
    ("docs_page", docs_page),
    ("envelope", envelope),
    ("batch", batch),
    ("scalars", scalars),
    ("form", form),
];

/// A spec file's text: loads or is refused with diagnostics; an accepted spec generates
/// Rust that `syn` parses.
pub fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The same text as an event spec: an accepted one generates code that parses.
    if let Ok(ev) = b24_spec::load_event_str(Path::new("fuzz.toml"), text)
        && let Err(e) = b24_codegen::regen::generate_events(std::slice::from_ref(&ev))
    {
        panic!("an accepted event spec generated code that does not parse: {e}\n{text}");
    }
    let Ok(spec) = b24_spec::load_str(Path::new("fuzz.toml"), text) else {
        return;
    };
    let settings = b24_codegen::Settings::default();
    let tokens = match b24_codegen::generate(&spec, "Fuzzed", &settings) {
        Ok(t) => t,
        // A spec the generator refuses is refused with a message, which is allowed.
        Err(_) => return,
    };
    if let Err(e) = syn::parse2::<syn::File>(tokens.clone()) {
        panic!("an accepted spec generated code that does not parse: {e}\n{tokens}");
    }
}

/// A docs page: read without a panic; a method page's spec text goes through the loader.
pub fn docs_page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (_, page) = b24_import::import::page::read("api-reference/fuzz/fuzz-page.md", text);
    if let Some(page) = page {
        let toml = b24_import::import::spec_toml(
            &page,
            "api-reference/fuzz/fuzz-page.md",
            "0123456789abcdef0123456789abcdef01234567",
        );
        // Either way is fine; a panic is not.
        let _ = b24_spec::load_str(Path::new("fuzz.toml"), &toml);
    }
}

#[b24::b24_method("crm.deal.get")]
struct DealGet;
#[b24::b24_method("crm.deal.list")]
struct DealList;
#[b24::b24_method("crm.deal.fields")]
struct DealFields;
#[b24::b24_method("crm.item.get")]
struct ItemGet;
#[b24::b24_method("tasks.task.get")]
struct TaskGet;
#[b24::b24_method("im.recent.list")]
struct RecentList;
#[b24::b24_method("user.get")]
struct UserGet;

/// A typed decode of `body` as `M`'s result: a result, or an error that names `M` and,
/// for a malformed body or value, the JSON path.
fn decode_as<M: Method>(status: u16, body: &[u8]) {
    match decode_body::<M::Output>(M::NAME, status, body) {
        Ok(_) => {}
        Err(Error::Decode(d)) => {
            assert_eq!(d.method(), M::NAME, "{d}");
            assert!(d.path().starts_with('$'), "no JSON path: {d}");
            assert!(d.to_string().contains(M::NAME), "{d}");
        }
        Err(Error::Api(a)) => assert_eq!(a.method(), M::NAME, "{a}"),
        Err(_) => {}
    }
}

/// An answer's body: decoded untyped and as seven typed results.
pub fn envelope(data: &[u8]) {
    // The first byte picks the HTTP status, as a portal may send any.
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (
            [200, 400, 401, 403, 404, 500, 503, 429][usize::from(s % 8)],
            rest,
        ),
        None => (200, data),
    };
    match decode_body::<Value>("fuzz.method", status, body) {
        Ok(_) | Err(Error::Api(_)) => {}
        Err(Error::Decode(d)) => assert_eq!(d.method(), "fuzz.method", "{d}"),
        Err(_) => {}
    }
    decode_as::<DealGet>(status, body);
    decode_as::<DealList>(status, body);
    decode_as::<DealFields>(status, body);
    decode_as::<ItemGet>(status, body);
    decode_as::<TaskGet>(status, body);
    decode_as::<RecentList>(status, body);
    decode_as::<UserGet>(status, body);
}

/// A `batch` answer for three commands: each decodes to a value, an error of its own, or
/// "not run"/"unknown"; typed as a deal it fails with the command's path.
pub fn batch(data: &[u8]) {
    let halt = data.first().is_some_and(|b| b & 1 == 1);
    let body = data.get(1..).unwrap_or_default();
    let commands = [
        ("a", "crm.deal.add"),
        ("b", "crm.deal.get"),
        ("c", "user.get"),
    ];
    let Ok(results) = decode_batch_body(&commands, halt, 200, body) else {
        return;
    };
    for (key, method) in commands {
        match results.get_key::<Value>(key) {
            Ok(_) | Err(CommandError::NotRun { .. } | CommandError::Unknown { .. }) => {}
            Err(CommandError::Api(e)) => assert_eq!(e.method(), method, "{e}"),
            // Well-formed JSON that still is no `Value`: a number out of f64's range
            // (`1e400`), which the batch reader keeps raw. Named by its command's path.
            Err(CommandError::Decode(d)) => {
                assert!(
                    serde_json::from_slice::<Value>(body).is_err(),
                    "JSON that does not decode as JSON: {d}"
                );
                assert!(
                    d.path().starts_with(&format!("$.result.result.{key}")),
                    "{d}"
                );
            }
            Err(other) => panic!("unexpected: {other}"),
        }
        if let Err(CommandError::Decode(d)) = results.get_key::<<DealGet as Method>::Output>(key) {
            assert!(
                d.path().starts_with(&format!("$.result.result.{key}")),
                "{d}"
            );
        }
        let _ = (results.ran(), results.not_run());
    }
}

/// A form (a query string, an event's post body, a batch command's query) reads into a
/// tree, or is refused naming its key; the tree written as a form reads the same again,
/// and the fake portal reads it as the client does.
pub fn form(data: &[u8]) {
    let Ok(tree) = b24::form::decode(data) else {
        return;
    };
    let again = b24::form::encode(&tree);
    let back = b24::form::decode(again.as_bytes()).expect("a written form reads");
    assert_eq!(
        back,
        tree,
        "{:?} written as {again:?}",
        String::from_utf8_lossy(data)
    );
    // A form's pairs, unencoded, are the tree's leaves.
    let leaves = b24::form::pairs(&tree).len();
    assert_eq!(leaves, again.split('&').filter(|p| !p.is_empty()).count());
}

/// Scalars of outside input read what they print.
pub fn scalars(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = DialogId::from_str(s) {
        let again = DialogId::from_str(&d.to_string()).expect("a printed DialogId reads");
        assert_eq!(again, d, "{s:?}");
    }
    if let Ok(y) = Yn::from_str(s) {
        assert_eq!(Yn::from_str(y.as_str()).ok(), Some(y), "{s:?}");
    }
    let as_json = Value::String(s.to_string());
    if let Ok(Some(dt)) = b24::__private::wire::decode_value::<Option<DateTime>>(&as_json) {
        let printed = dt.to_string();
        let again = DateTime::from_str(&printed).expect("a printed DateTime reads");
        assert_eq!(again, dt, "{s:?} printed as {printed:?}");
        let wire = serde_json::to_value(dt).expect("serializes");
        let back: Option<DateTime> =
            b24::__private::wire::decode_value(&wire).expect("a sent DateTime reads");
        assert_eq!(back, Some(dt), "{s:?} sent as {wire}");
    }
    if let Ok(Some(d)) = b24::__private::wire::decode_value::<Option<Date>>(&as_json) {
        let wire = serde_json::to_value(d).expect("serializes");
        let back: Option<Date> = b24::__private::wire::decode_value(&wire).expect("reads");
        assert_eq!(back, Some(d), "{s:?}");
    }
    // Whatever the text, a number form of it decodes or fails without a panic.
    if let Ok(v) = serde_json::from_str::<Value>(s) {
        let _ = b24::__private::wire::decode_value::<Option<DateTime>>(&v);
        let _ = b24::__private::wire::decode_value::<Option<DialogId>>(&v);
        let _ = b24::__private::wire::decode_value::<Option<Yn>>(&v);
    }
}

/// Where seed inputs come from: the docs' pages and their JSON blocks.
pub mod seeds {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// Every `.md` file under `dir`, sorted.
    pub fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                collect_md(&p, out);
            } else if p.extension().is_some_and(|e| e == "md") {
                out.push(p);
            }
        }
    }

    /// The bodies of the page's ```json blocks.
    pub fn json_blocks(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            match &mut cur {
                None if t.starts_with("```json") => cur = Some(String::new()),
                Some(b) if t.starts_with("```") => {
                    out.push(std::mem::take(b));
                    cur = None;
                }
                Some(b) => {
                    b.push_str(line);
                    b.push('\n');
                }
                None => {}
            }
        }
        out
    }

    /// Every string value in `v`.
    pub fn strings_of(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                out.insert(s.clone());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| strings_of(x, out)),
            _ => {}
        }
    }
}
