//! The catalog of Bitrix24 REST method specs shipped with b24.
//!
//! Each spec is a TOML file `<namespace>/<method>.toml` (REST 3.0 twins:
//! `<method>@v3.toml`) in this package; the format is described in `FORMAT.md`.
//! The files are embedded at build time, so the `#[b24_method]` macro finds them
//! wherever the crate is built, and cargo rebuilds dependents when one changes.
//!
//! ```
//! let e = b24_specs::find("IM.RECENT.UNREAD", "v2").expect("in the catalog");
//! assert_eq!(e.name, "im.recent.unread");
//! assert!(e.text.contains("DIALOG_ID"));
//! ```
#![deny(missing_docs)]

/// One spec file of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Method name, from the file name.
    pub name: &'static str,
    /// API version, `"v2"` or `"v3"`, from the file name.
    pub api: &'static str,
    /// Absolute path of the file at build time (for diagnostics).
    pub path: &'static str,
    /// The file's contents.
    pub text: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// Every spec of the catalog.
pub fn all() -> &'static [Entry] {
    CATALOG
}

/// The spec of `name` (matched case-insensitively, as the server does) for `api`.
pub fn find(name: &str, api: &str) -> Option<&'static Entry> {
    CATALOG
        .iter()
        .find(|e| e.api == api && e.name.eq_ignore_ascii_case(name))
}

/// Every event spec (`incoming/<namespace>/<EVENT>.toml`: the `data` an event handler
/// receives; the format is in `FORMAT.md`). An entry's `name` is the event's wire name
/// (`ONCRMDEALADD`), its `api` is `"v2"`.
///
/// ```
/// let e = b24_specs::find_event("onCrmDealAdd").expect("in the catalog");
/// assert_eq!(e.name, "ONCRMDEALADD");
/// assert!(b24_specs::events().len() > 100);
/// ```
pub fn events() -> &'static [Entry] {
    EVENTS
}

/// The event spec of `name`, matched case-insensitively (as the portal does).
pub fn find_event(name: &str) -> Option<&'static Entry> {
    EVENTS.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

/// The file name of a method's spec: `im.recent.unread.toml`, `tasks.task.get@v3.toml`.
pub fn file_name(name: &str, api: &str) -> String {
    if api == "v2" {
        format!("{name}.toml")
    } else {
        format!("{name}@{api}.toml")
    }
}

/// The directory of the catalog's sources at build time.
pub fn source_dir() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}
