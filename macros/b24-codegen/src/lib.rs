//! The code generator behind [b24](https://docs.rs/b24): a spec (`b24-spec`) to Rust
//! tokens — the request type, its validation, its result types and its errors.
//!
//! A plain library, used by the `#[b24_method]` proc macro (which compiles only the
//! generator) and, with the `regen` feature, by `b24-gen regen` to write the generated
//! crates of the whole catalog.
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
//! let tokens = b24_codegen::generate(&spec, "RecentHide", &Default::default()).unwrap();
//! assert!(tokens.to_string().contains("pub struct RecentHide"));
//! ```
#![deny(missing_docs)]

mod expand;
mod fields;
#[cfg(feature = "regen")]
pub mod regen;
mod rust_type;

pub use expand::lints::ALLOWED as ALLOWED_LINTS;
#[cfg(feature = "regen")]
pub use expand::pretty;
pub use expand::{Settings, expand_item, generate};
