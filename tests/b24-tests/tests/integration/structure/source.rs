//! What the checks read in one source file: its code without tests and comments, its
//! functions and their lengths, the lines that panic on purpose.

/// The code before the file's `#[cfg(test)] mod tests`, without comments.
pub fn code_of(text: &str) -> String {
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

/// Whether a file says it is generated (its first lines).
pub fn is_generated(text: &str) -> bool {
    text.lines()
        .take(3)
        .any(|l| l.contains("@generated") || l.contains("generated, do not edit"))
}

/// `(lines, name, first line)` of every function in `code`, by brace counting (strings
/// and char literals blanked first).
pub fn functions(code: &str) -> Vec<(usize, String, usize)> {
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

/// `line` with the insides of its string and char literals left out.
pub fn blank_literals(line: &str) -> String {
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

/// What a library may not call outside its tests: each is a panic that could carry a value
/// (a token in a URL, a secret in a body) into a message.
pub const PANICS: [&str; 6] = [
    ".unwrap()",
    ".expect(",
    "panic!(",
    "unreachable!(",
    "todo!(",
    "unimplemented!(",
];

/// The lines of `code` that panic on purpose (see [`PANICS`]).
pub fn panics_in(code: &str) -> Vec<(usize, String)> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| PANICS.iter().any(|p| blank_literals(l).contains(p)))
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

#[test]
fn the_function_scan_counts_lines() {
    let code = "fn a() {\n    let s = \"}\";\n    let c = '{';\n}\nfn b();\npub(crate) async fn c(x: u8) -> u8 {\n    x\n}\n";
    assert_eq!(
        functions(code),
        vec![(4, "a".to_string(), 1), (3, "c".to_string(), 6)]
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
