//! The README's examples: every ```rust block compiles (tests/b24-tests/build.rs makes each one an
//! async function `<section>_<n>` with `client` and `dialog` in scope), and those the fake
//! portal can answer run against it.

use b24::types::DialogId;
use b24_testkit::FakePortal;

mod blocks {
    include!(concat!(env!("OUT_DIR"), "/readme.rs"));
}

#[test]
fn every_rust_block_of_the_readme_is_compiled() {
    // The functions are type-checked by building this test; this keeps the count honest
    // (a block the generator missed would not be compiled).
    let fenced = include_str!("../../../../README.md")
        .lines()
        .filter(|l| l.trim_start() == "```rust")
        .count();
    assert_eq!(blocks::BLOCKS, fenced);
    assert!(fenced >= 6, "the README shows its examples: {fenced}");
}

#[tokio::test]
async fn the_error_handling_example_runs_against_the_fake_portal() {
    let portal = FakePortal::builder().start().await.expect("portal");
    let client = b24::Client::from_webhook(portal.webhook_url()).expect("client");
    blocks::errors_1(client.clone(), DialogId::Chat(1))
        .await
        .expect("the example handles its errors");
}

#[tokio::test]
async fn the_runtime_tour_runs_against_the_fake_portal() {
    let portal = FakePortal::builder()
        .deals(120)
        .start()
        .await
        .expect("portal");
    let client = b24::Client::from_webhook(portal.webhook_url()).expect("client");
    blocks::more_of_the_runtime_1(client, DialogId::Chat(1))
        .await
        .expect("the tour runs");
}
