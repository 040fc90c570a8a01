//! Every spec of the shipped catalog loads, is filed under its own name, and generates
//! code that parses.

use std::path::Path;

#[test]
fn every_catalog_spec_loads_and_generates() {
    let all = b24_specs::all();
    assert!(all.len() >= 1660, "catalog has {} specs", all.len());
    let mut problems = Vec::new();
    for e in all {
        match b24_spec::load_str(Path::new(e.path), e.text) {
            Ok(spec) => {
                if spec.name != e.name || spec.api.as_str() != e.api {
                    problems.push(format!(
                        "{}: filed as {} ({}) but is {} ({})",
                        e.path,
                        e.name,
                        e.api,
                        spec.name,
                        spec.api.as_str()
                    ));
                }
                let name = b24_spec::naming::pascal(&spec.name);
                if let Err(err) = b24_codegen::generate(&spec, &name, &Default::default())
                    .and_then(|t| b24_codegen::pretty(&t))
                {
                    problems.push(format!("{}: {err}", e.path));
                }
            }
            Err(err) => problems.push(err.to_string()),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
