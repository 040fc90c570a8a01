//! The spec model of [b24](https://docs.rs/b24)'s Bitrix24 bindings: one TOML file a
//! method, loaded with `file:line:col` diagnostics (every problem at once), the naming of
//! the bindings, the dynamic checker of a JSON value against a spec, `describe`, and the
//! catalog of the specs b24 ships, loaded once.
//!
//! Everything that reads specs depends on this crate — the proc macro, the generator, the
//! command lines, the fake portal — and none of them needs a code generator to do it. See
//! `specs/FORMAT.md` in the repository for the format.
//!
//! The feature `tools` (on by default) adds what tools need beyond loading a spec: the
//! checker, `describe`, the naming of the whole catalog's bindings, the spec and OpenAPI
//! writers, and [`Catalog`]. The proc macro leaves it out: it loads one spec and names it.
//!
//! ```
//! use std::path::Path;
//! let text = r#"
//! schema = 1
//! [method]
//! name = "im.recent.hide"
//! scope = ["im"]
//! docs = { path = "api-reference/chats/special-operations/im-recent-hide.md", commit = "5988ed13" }
//! [request]
//! params = [{ name = "DIALOG_ID", type = "DialogId", required = true }]
//! [response]
//! result = "bool"
//! "#;
//! let spec = b24_spec::load_str(Path::new("im.recent.hide.toml"), text).unwrap();
//! assert_eq!(spec.request.params[0].ident(), "dialog_id");
//! let catalog = b24_spec::Catalog::shipped().unwrap();
//! assert!(catalog.method("im.recent.unread", b24_spec::spec::Api::V2).is_some());
//! ```
#![deny(missing_docs)]

#[cfg(feature = "tools")]
pub mod bindings;
#[cfg(feature = "tools")]
mod catalog;
#[cfg(feature = "tools")]
pub mod conform;
#[cfg(feature = "tools")]
pub mod describe;
mod diag;
mod load;
pub mod naming;
#[cfg(feature = "tools")]
pub mod openapi;
pub mod spec;
pub mod ty;
#[cfg(feature = "tools")]
pub mod write;

#[cfg(feature = "tools")]
pub use catalog::Catalog;
pub use diag::{Diagnostic, SpecError, line_col};
pub use load::{
    EVENTS_DIR, SCHEMA, event_files, limits, load_event_file, load_event_str, load_file, load_str,
    spec_files,
};
pub use spec::Spec;
