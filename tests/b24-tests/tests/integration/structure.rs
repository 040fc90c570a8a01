//! The code's shape, kept by CI, over every crate of the workspace as `cargo metadata`
//! lists it (a new crate is checked the day it is added):
//!
//! - no circle between the files of a crate (a file uses only files below it);
//! - the dependency rules of [`RULES`] (tools read specs through `b24-spec`, never the
//!   generator; only `b24-gen` runs the importers);
//! - no hand-written function longer than [`MAX_FN_LINES`];
//! - no library or tool code users run panics on purpose (see [`source::PANICS`]).
//!
//! Each check has a self-test that builds a small workspace on disk with the fault in it.

mod modules;
mod source;
mod workspace;

use std::path::{Path, PathBuf};

use workspace::Crate;

/// The longest a hand-written function may be (generated code is exempt).
const MAX_FN_LINES: usize = 125;

/// Who may depend on a crate (`[dependencies]`; crates under `tests/` and the
/// dev-dependencies of crates under `macros/` are tests, and exempt).
struct Rule {
    krate: &'static str,
    allowed: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        krate: "b24-codegen",
        allowed: &["b24-macros", "b24-gen"],
        why: "the generator is what the macro and `regen` need; a tool reads specs through `b24-spec`",
    },
    Rule {
        krate: "b24-import",
        allowed: &["b24-gen"],
        why: "the importers run in `b24-gen` only",
    },
];

/// What the checks found in one workspace.
#[derive(Debug, Default)]
struct Report {
    crates: usize,
    files: usize,
    functions: usize,
    problems: Vec<String>,
}

fn check(root: &Path) -> Report {
    let mut report = Report::default();
    let crates = match workspace::crates(root) {
        Ok(c) => c,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    for c in &crates {
        dependencies(c, &mut report);
        if c.generated {
            continue;
        }
        report.crates += 1;
        code(root, c, &mut report);
    }
    report
}

fn dependencies(c: &Crate, report: &mut Report) {
    if c.dir.starts_with("tests") {
        return;
    }
    for (dep, kind) in &c.deps {
        if kind == "dev" && c.dir.starts_with("macros") {
            continue;
        }
        for rule in RULES.iter().filter(|r| r.krate == dep) {
            if !rule.allowed.contains(&c.name.as_str()) {
                report.problems.push(format!(
                    "{} ({}) depends on {dep} ({kind}): {}",
                    c.name,
                    c.dir.display(),
                    rule.why
                ));
            }
        }
    }
}

/// The circles, long functions and panics of one hand-written crate.
fn code(root: &Path, c: &Crate, report: &mut Report) {
    let mut files: Vec<PathBuf> = Vec::new();
    for target in c.code_roots() {
        let g = modules::graph(target);
        report.problems.extend(g.unreadable.iter().cloned());
        for circle in modules::circles(&g) {
            let shown: Vec<String> = circle
                .iter()
                .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
                .collect();
            report.problems.push(format!(
                "{}: a module circle: {}",
                c.name,
                shown.join(" → ")
            ));
        }
        files.extend(g.files.into_values());
    }
    files.sort();
    files.dedup();
    let panic_free = c.ships() && c.dir.starts_with("runtime");
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if source::is_generated(&text) {
            continue;
        }
        report.files += 1;
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let code = source::code_of(&text);
        for (n, name, line) in source::functions(&code) {
            report.functions += 1;
            if n > MAX_FN_LINES {
                report.problems.push(format!(
                    "{shown}:{line}: `{name}` is {n} lines (at most {MAX_FN_LINES}: split it)"
                ));
            }
        }
        let example = file.components().any(|p| p.as_os_str() == "examples");
        if panic_free && !example {
            for (line, l) in source::panics_in(&code) {
                report.problems.push(format!(
                    "{shown}:{line}: panics on purpose (return an error instead): {l}"
                ));
            }
        }
    }
}

/// What publishing needs of the workspace at `root`: every published crate carries what
/// crates.io shows and the license files, depends (normal or build) only on published
/// crates, and `.ci/unpublished` (the crates `.ci/run` leaves out of `cargo package`) names
/// exactly the crates that say `publish = false`.
fn publishing(root: &Path) -> Vec<String> {
    let crates = match workspace::crates(root) {
        Ok(c) => c,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    let unpublished: Vec<&str> = crates
        .iter()
        .filter(|c| !c.publish)
        .map(|c| c.name.as_str())
        .collect();
    for c in crates.iter().filter(|c| c.publish) {
        if !c.missing.is_empty() {
            problems.push(format!(
                "{} ({}): published, but its manifest has no {}",
                c.name,
                c.dir.display(),
                c.missing.join(", ")
            ));
        }
        for f in b24_codegen::regen::LICENSE_FILES {
            if !root.join(&c.dir).join(f).is_file() {
                problems.push(format!(
                    "{} ({}): published without {f}",
                    c.name,
                    c.dir.display()
                ));
            }
        }
        for (dep, kind) in c.deps.iter().filter(|(_, k)| k != "dev") {
            if unpublished.contains(&dep.as_str()) {
                problems.push(format!(
                    "{}: published, but depends on {dep} ({kind}), which is not",
                    c.name
                ));
            }
        }
    }
    let listed = std::fs::read_to_string(root.join(".ci/unpublished")).unwrap_or_default();
    let mut listed: Vec<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    listed.sort_unstable();
    let mut want = unpublished.clone();
    want.sort_unstable();
    if listed != want {
        problems.push(format!(
            ".ci/unpublished names {listed:?}; the crates with `publish = false` are {want:?}"
        ));
    }
    problems
}

#[test]
fn every_published_crate_carries_what_crates_io_shows() {
    let problems = publishing(&workspace_root());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_published_crate_without_keywords_or_on_an_unpublished_one_is_caught() {
    let shown = "description = \"d\"\nlicense = \"MIT\"\nrepository = \"r\"\nhomepage = \"h\"\n\
                 documentation = \"d\"\nreadme = \"README.md\"\ncategories = [\"api-bindings\"]\n";
    let lib = manifest("lib", "tool = { path = \"../tool\" }\n")
        .replace("[dependencies]", &format!("{shown}\n[dependencies]"));
    let tool = manifest("tool", "").replace("[dependencies]", "publish = false\n\n[dependencies]");
    let root = scratch(
        "publish",
        &[
            ("Cargo.toml", &workspace(&["lib", "tool"])),
            (".ci/unpublished", "# not published\ntool\n"),
            ("lib/Cargo.toml", &lib),
            ("lib/src/lib.rs", ""),
            ("lib/LICENSE-APACHE", ""),
            ("lib/LICENSE-MIT", ""),
            ("tool/Cargo.toml", &tool),
            ("tool/src/lib.rs", ""),
        ],
    );
    let problems = publishing(&root);
    assert_eq!(
        problems,
        [
            "lib (lib): published, but its manifest has no keywords",
            "lib: published, but depends on tool (normal), which is not",
        ]
    );
    std::fs::write(root.join(".ci/unpublished"), "").expect("write");
    assert!(publishing(&root)[2].starts_with(".ci/unpublished names []"));
    let _ = std::fs::remove_dir_all(&root);
}

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

#[test]
fn the_workspace_keeps_its_shape() {
    let report = check(&workspace_root());
    assert!(
        report.crates >= 14 && report.files > 120 && report.functions > 1200,
        "found only {} crates, {} files, {} functions: the scan is broken",
        report.crates,
        report.files,
        report.functions
    );
    assert!(
        report.problems.is_empty(),
        "{} problems:\n{}",
        report.problems.len(),
        report.problems.join("\n")
    );
}

/// A scratch workspace: `files` written under a fresh folder (manifests included).
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("b24-structure-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a folder")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn manifest(name: &str, deps: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{deps}"
    )
}

/// A workspace manifest of `members`.
fn workspace(members: &[&str]) -> String {
    let members: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members.join(", ")
    )
}

#[test]
fn a_circle_between_two_files_is_caught() {
    let root = scratch(
        "circle",
        &[
            ("Cargo.toml", &workspace(&["runtime/b24-x"])),
            ("runtime/b24-x/Cargo.toml", &manifest("b24-x", "")),
            ("runtime/b24-x/src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
            (
                "runtime/b24-x/src/a.rs",
                "use crate::b::B;\npub struct A(B);\n",
            ),
            (
                "runtime/b24-x/src/b.rs",
                "pub struct B;\npub fn f() -> Option<super::a::A> { None }\n",
            ),
            ("runtime/b24-x/src/c.rs", "use crate::{a::A, b::B};\n"),
        ],
    );
    let report = check(&root);
    assert_eq!(
        report.problems,
        [
            "b24-x: a module circle: runtime/b24-x/src/a.rs → runtime/b24-x/src/b.rs → runtime/b24-x/src/a.rs"
        ]
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_tool_depending_on_the_generator_is_caught() {
    let root = scratch(
        "tool",
        &[
            (
                "Cargo.toml",
                &workspace(&["macros/b24-codegen", "runtime/b24-cli"]),
            ),
            (
                "macros/b24-codegen/Cargo.toml",
                &manifest("b24-codegen", ""),
            ),
            ("macros/b24-codegen/src/lib.rs", "pub fn generate() {}\n"),
            (
                "runtime/b24-cli/Cargo.toml",
                &manifest(
                    "b24-cli",
                    "b24-codegen = { path = \"../../macros/b24-codegen\" }\n",
                ),
            ),
            (
                "runtime/b24-cli/src/main.rs",
                "fn main() { b24_codegen::generate() }\n",
            ),
        ],
    );
    let report = check(&root);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with("b24-cli (runtime/b24-cli) depends on b24-codegen (normal)"),
        "{:?}",
        report.problems
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_new_crate_with_a_long_function_is_caught() {
    let body = "    let _ = 1;\n".repeat(MAX_FN_LINES);
    let root = scratch(
        "long",
        &[
            ("Cargo.toml", &workspace(&["runtime/b24-new"])),
            ("runtime/b24-new/Cargo.toml", &manifest("b24-new", "")),
            (
                "runtime/b24-new/src/lib.rs",
                "mod inner;\npub fn short() {}\n",
            ),
            (
                "runtime/b24-new/src/inner.rs",
                &format!("pub fn long() {{\n{body}}}\n"),
            ),
        ],
    );
    let report = check(&root);
    assert_eq!(report.crates, 1);
    assert_eq!(
        report.problems,
        [format!(
            "runtime/b24-new/src/inner.rs:1: `long` is {} lines (at most {MAX_FN_LINES}: split it)",
            MAX_FN_LINES + 2
        )]
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_panic_in_a_runtime_crate_is_caught_and_a_test_crate_may_panic() {
    let root = scratch(
        "panic",
        &[
            ("Cargo.toml", &workspace(&["runtime/b24-x", "tests/b24-t"])),
            ("runtime/b24-x/Cargo.toml", &manifest("b24-x", "")),
            (
                "runtime/b24-x/src/lib.rs",
                "pub fn f(x: Option<u8>) -> u8 {\n    x.unwrap()\n}\n",
            ),
            ("tests/b24-t/Cargo.toml", &manifest("b24-t", "")),
            (
                "tests/b24-t/src/lib.rs",
                "pub fn f(x: Option<u8>) -> u8 {\n    x.unwrap()\n}\n",
            ),
        ],
    );
    let report = check(&root);
    assert_eq!(
        report.problems,
        ["runtime/b24-x/src/lib.rs:2: panics on purpose (return an error instead): x.unwrap()"]
    );
    let _ = std::fs::remove_dir_all(&root);
}
