//! The code's shape, kept by CI: no module circles in the runtime, the testkit and the
//! code generator (a module uses only modules below it), and no hand-written function
//! longer than [`MAX_FN_LINES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a hand-written function may be (generated code is exempt).
const MAX_FN_LINES: usize = 125;

/// The crates whose layering is checked, relative to the workspace.
const LAYERED: &[&str] = &[
    "runtime/core/src",
    "runtime/testkit/src",
    "macros/codegen/src",
    "macros/cli/src",
    "macros/src",
    "runtime/src",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The code before the file's `#[cfg(test)] mod tests`, without comments.
fn code_of(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level module → the top-level modules it names (`crate::x`, or `super::x` from a
/// file directly under the crate root).
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).expect("under src");
        let parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        let top = parts[0].clone();
        if parts.len() == 1 && (top == "lib" || top == "main") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).expect("read"));
        let mut uses = BTreeSet::new();
        let top_level_file = parts.len() == 1;
        for prefix in ["crate::", "super::"] {
            if prefix == "super::" && !top_level_file {
                continue;
            }
            for (i, _) in code.match_indices(prefix) {
                let name: String = code[i + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                uses.insert(name);
            }
        }
        graph.entry(top).or_default().extend(uses);
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for (m, uses) in graph.iter_mut() {
        uses.retain(|u| modules.contains(u) && u != m);
    }
    graph
}

/// A circle of `graph`, if it has one.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut circle = path[i..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_circles() {
    let mut circles = Vec::new();
    for dir in LAYERED {
        let src = workspace().join(dir);
        assert!(src.is_dir(), "{} is not a folder", src.display());
        let graph = module_graph(&src);
        if dir.ends_with("core/src") || dir.ends_with("testkit/src") || dir.ends_with("codegen/src")
        {
            assert!(graph.len() > 5, "{dir}: only {} modules found", graph.len());
        }
        if let Some(c) = find_circle(&graph) {
            circles.push(format!("{dir}: {}", c.join(" → ")));
        }
    }
    assert!(
        circles.is_empty(),
        "module circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_circle_finder_finds_circles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(
        find_circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

/// `(lines, name, first line)` of every function in `code`, by brace counting (strings
/// and char literals blanked first).
fn functions(code: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<String> = code.lines().map(blank_literals).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let mut depth = 0i64;
        let mut opened = false;
        for (j, l) in lines.iter().enumerate().skip(i) {
            for c in l.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if !opened && l.trim_end().ends_with(';') {
                break;
            }
            if opened && depth <= 0 {
                out.push((j - i + 1, name.clone(), i + 1));
                break;
            }
        }
    }
    out
}

fn fn_name(line: &str) -> Option<String> {
    let t = line.trim_start();
    let t = t
        .strip_prefix("pub(crate) ")
        .or_else(|| t.strip_prefix("pub(super) "))
        .or_else(|| t.strip_prefix("pub "))
        .unwrap_or(t);
    let t = t.strip_prefix("const ").unwrap_or(t);
    let t = t.strip_prefix("async ").unwrap_or(t);
    let t = t.strip_prefix("fn ")?;
    let name: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn blank_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_str = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push('"');
            }
            '\'' => {
                // A char literal ('{', '\'', '\n'), not a lifetime.
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') && rest.chars().nth(2) == Some('\'') {
                    chars.nth(2);
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn no_long_hand_written_functions() {
    let roots = [
        "runtime/core/src",
        "runtime/testkit/src",
        "runtime/bench/src",
        "runtime/src",
        "macros",
        "tests/conformance/src",
        "tests/src",
    ];
    let mut long = Vec::new();
    let mut counted = 0;
    for root in roots {
        for file in rust_files(&workspace().join(root)) {
            let text = std::fs::read_to_string(&file).expect("read");
            if text.contains("@generated") || text.contains("generated, do not edit") {
                continue;
            }
            for (n, name, line) in functions(&code_of(&text)) {
                counted += 1;
                if n > MAX_FN_LINES {
                    long.push(format!("{}:{line}: `{name}` is {n} lines", file.display()));
                }
            }
        }
    }
    assert!(
        counted > 500,
        "found only {counted} functions: the scan is broken"
    );
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_scan_counts_lines() {
    let code = "fn a() {\n    let s = \"}\";\n    let c = '{';\n}\nfn b();\npub(crate) async fn c(x: u8) -> u8 {\n    x\n}\n";
    assert_eq!(
        functions(code),
        vec![(4, "a".to_string(), 1), (3, "c".to_string(), 6)]
    );
}

/// What a library may not call outside its tests: each is a panic that could carry a value
/// (a token in a URL, a secret in a body) into a message.
const PANICS: [&str; 6] = [
    ".unwrap()",
    ".expect(",
    "panic!(",
    "unreachable!(",
    "todo!(",
    "unimplemented!(",
];

/// The lines of `code` that panic on purpose (see [`PANICS`]).
fn panics_in(code: &str) -> Vec<(usize, String)> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| PANICS.iter().any(|p| blank_literals(l).contains(p)))
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn the_runtime_never_panics_on_purpose() {
    // The client's library code: errors carry what went wrong (scrubbed); no panic does.
    let mut found = Vec::new();
    let mut files = 0;
    for root in ["runtime/core/src", "runtime/src"] {
        for file in rust_files(&workspace().join(root)) {
            let text = std::fs::read_to_string(&file).expect("read");
            files += 1;
            for (line, l) in panics_in(&code_of(&text)) {
                found.push(format!("{}:{line}: {l}", file.display()));
            }
        }
    }
    assert!(files > 20, "found only {files} files: the scan is broken");
    assert!(
        found.is_empty(),
        "the runtime panics on purpose (return an error instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_panic_scan_finds_panics() {
    let code = "fn a() {\n    let x = y.unwrap();\n    let s = \"not .unwrap() here\";\n    z.expect(\"why\");\n}\n";
    assert_eq!(
        panics_in(code),
        [
            (2, "let x = y.unwrap();".to_string()),
            (4, "z.expect(\"why\");".to_string())
        ]
    );
}
