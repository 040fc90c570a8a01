//! The gate itself, on a binding of a spec written for this test and a page whose examples
//! break it in every way the gate must see: a parameter the spec lacks, a value the binding
//! refuses, a member the spec does not describe (in a request and in a response), and an
//! example a curator marked wrong.

use std::path::{Path, PathBuf};

use b24_conformance::check::{Entry, request, result};
use b24_conformance::{gate, report};

#[b24::b24_method("vendor.widget.add", spec = "tests/fixtures/vendor.widget.add.toml")]
pub struct WidgetAdd;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn every_kind_of_failure_is_caught_with_its_line() {
    let entry = Entry {
        name: "vendor.widget.add",
        api: "v2",
        request: request::<WidgetAdd>,
        result: result::<WidgetAdd>,
    };
    let spec_text =
        std::fs::read_to_string(fixtures().join("vendor.widget.add.toml")).expect("spec");
    let results = gate::run_with(&[entry], &fixtures(), |_, _| {
        b24_spec::load_str(Path::new("vendor.widget.add.toml"), &spec_text)
            .map_err(|e| e.to_string())
    });
    let r = &results[0];
    assert_eq!(
        r.requests.examples, 4,
        "the curator's erratum is not counted"
    );
    assert_eq!(r.requests.passed, 1);
    let fails: Vec<(usize, &str)> = r
        .requests
        .failures
        .iter()
        .map(|(l, w)| (l.line, w.as_str()))
        .collect();
    assert_eq!(fails[0].0, 5);
    assert!(
        fails[0].1.contains("not parameters of the spec") && fails[0].1.contains("SHAPE"),
        "{}",
        fails[0].1
    );
    assert_eq!(fails[1].0, 6);
    assert!(fails[1].1.contains("SIZE"), "{}", fails[1].1);
    assert_eq!(fails[2].0, 7);
    assert!(fails[2].1.contains("TAGS.WEIGHT"), "{}", fails[2].1);
    assert_eq!(r.responses.examples, 1);
    assert_eq!(r.responses.passed, 0);
    assert!(
        r.responses.failures[0].1.contains("does not describe")
            && r.responses.failures[0].1.contains("$.result.OWNER"),
        "{:?}",
        r.responses.failures
    );
    assert_eq!(
        r.errata,
        [(
            gate::Place::own(15),
            "a wrong example, marked by a curator".to_string()
        )]
    );
    // The report counts the method as failing on both sides.
    let t = report::totals(&results);
    assert_eq!((t.request_pass, t.request_methods), (0, 1));
    assert_eq!((t.response_pass, t.response_methods), (0, 1));
}
