//! The code generator behind [b24](https://docs.rs/b24): the spec model, the spec loader
//! with `file:line:col` diagnostics, and the generator that turns a spec into Rust tokens.
//!
//! It is a plain library, used alike by the `#[b24_method]` proc macro, the `b24-gen`
//! CLI and tests. See `specs/FORMAT.md` in the repository for the spec format.
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
//! let spec = b24_codegen::load_str(Path::new("im.recent.hide.toml"), text).unwrap();
//! let tokens = b24_codegen::generate(&spec, "RecentHide", &Default::default()).unwrap();
//! assert!(b24_codegen::pretty(&tokens).unwrap().contains("pub struct RecentHide"));
//! ```
#![deny(missing_docs)]

pub mod conform;
pub mod describe;
mod diag;
pub mod examples;
mod expand;
mod fields;
pub mod import;
mod load;
pub mod naming;
pub mod openapi;
pub mod regen;
mod rust_type;
pub mod spec;
pub mod ty;
pub mod write;

pub use diag::{Diagnostic, SpecError, line_col};
pub use expand::{Settings, expand_item, generate, pretty};
pub use load::{
    EVENTS_DIR, SCHEMA, event_files, limits, load_event_file, load_event_str, load_file, load_str,
    spec_files,
};
pub use spec::Spec;
