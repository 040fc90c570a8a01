//! The importers of `b24-gen`: the official docs (Markdown) into b24 specs
//! ([`import`]), a portal's own OpenAPI document into specs and a comparison with the
//! docs ([`openapi`]), and the example calls and answers of a docs page ([`examples`]),
//! which the importer weighs the tables against and the conformance gate runs every
//! binding through.
//!
//! Used only by `b24-gen` and the repository's tests: nothing a user's build compiles.
#![deny(missing_docs)]

pub mod examples;
pub mod import;
pub mod openapi;
