//! The docs-examples conformance gate: every binding of the catalog against the example
//! calls and responses of its own docs page (`tests/conformance.rs` runs it and keeps
//! `specs/CONFORMANCE.md` true).
#![deny(missing_docs)]

pub mod check;
pub mod gate;
pub mod report;
pub mod table;
pub mod wire;
