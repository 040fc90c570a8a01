//! The cross-crate tests of b24, one test binary: each module was a test target of its
//! own, and each target is one more link of the whole crate graph (and its waits ran
//! one after another; here they overlap). Run one module with
//! `cargo test -p b24-tests --test integration <module>::`.

mod bindings;
mod catalog;
mod e2e;
mod events;
mod expand;
mod fidelity;
mod hostile;
mod lenient;
mod readme;
mod rest_v3;
mod scale;
mod secrets;
mod shared_limit;
mod snapshot_compiles;
mod structure;
mod wire;
