//! UI tests: every misuse of `#[b24_method]` has a committed `.stderr`.
//! Regenerate with `TRYBUILD=overwrite cargo test -p b24-ui-tests`. The uses that must
//! compile are `pass.rs`: with only misuses here, trybuild checks (`cargo check`) instead
//! of building, so its second build of the dependencies makes no code.
#![allow(unsafe_code)]

#[test]
fn ui() {
    // trybuild compiles the cases in a crate of its own under target/; this points
    // `spec = "…"` paths back at this crate. SAFETY: set once, before trybuild spawns
    // cargo, while this is the only test of this binary (no other thread reads the
    // environment).
    unsafe { std::env::set_var("B24_TEST_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")) };
    let t = trybuild::TestCases::new();
    t.compile_fail("cases/*.rs");
}
