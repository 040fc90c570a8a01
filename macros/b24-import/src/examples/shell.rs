//! The one piece of shell the cURL examples need: the words of a command line, with
//! `'…'` and `"…"` quoting, backslash line continuations and `$…` expansions marked.

/// One shell word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text, quotes removed.
    pub text: String,
    /// Expansions met in the word (`$id`, `$(date -Iseconds)`), in order.
    pub expansions: Vec<String>,
    /// Byte offset of the word in the input.
    pub at: usize,
}

/// Splits a command line into words. Unbalanced quotes end the word at the end of input.
pub fn words(src: &str) -> Vec<Word> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '\\'
            && chars
                .get(i + 1)
                .is_some_and(|(_, n)| *n == '\n' || *n == '\r')
        {
            i += 2;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
            continue;
        }
        let mut w = Word {
            text: String::new(),
            expansions: Vec::new(),
            at,
        };
        while i < chars.len() {
            let (_, c) = chars[i];
            match c {
                c if c.is_whitespace() => break,
                '\\' => {
                    match chars.get(i + 1) {
                        Some((_, '\n')) => {}
                        Some((_, n)) => w.text.push(*n),
                        None => {}
                    }
                    i += 2;
                }
                '\'' => {
                    i += 1;
                    while i < chars.len() && chars[i].1 != '\'' {
                        w.text.push(chars[i].1);
                        i += 1;
                    }
                    i += 1;
                }
                '"' => {
                    i += 1;
                    while i < chars.len() && chars[i].1 != '"' {
                        match chars[i].1 {
                            '\\' if chars
                                .get(i + 1)
                                .is_some_and(|(_, n)| matches!(n, '"' | '\\' | '$' | '`')) =>
                            {
                                w.text.push(chars[i + 1].1);
                                i += 2;
                            }
                            '$' => i = expansion(&chars, i, &mut w),
                            ch => {
                                w.text.push(ch);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                }
                '$' => i = expansion(&chars, i, &mut w),
                ch => {
                    w.text.push(ch);
                    i += 1;
                }
            }
        }
        out.push(w);
    }
    out
}

/// Reads `$name`, `${name}` or `$(command)` at `i`; records it and puts a marker in the text.
fn expansion(chars: &[(usize, char)], mut i: usize, w: &mut Word) -> usize {
    let start = i;
    i += 1;
    match chars.get(i).map(|(_, c)| *c) {
        Some('(') => {
            let mut depth = 0;
            while i < chars.len() {
                match chars[i].1 {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        Some('{') => {
            while i < chars.len() && chars[i].1 != '}' {
                i += 1;
            }
            i += 1;
        }
        _ => {
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
        }
    }
    let text: String = chars[start..i.min(chars.len())]
        .iter()
        .map(|(_, c)| c)
        .collect();
    w.text.push_str(MARK);
    w.text.push_str(&w.expansions.len().to_string());
    w.text.push_str(MARK);
    w.expansions.push(text);
    i
}

/// Marks where an expansion stood in a word's text.
pub const MARK: &str = "\u{1}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_continuations_and_expansions() {
        let w = words(
            "curl -X POST \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"id\":'\"$id\"',\"a\":\"b c\"}' \\\n  https://x/rest/crm.deal.get",
        );
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts[0..4], ["curl", "-X", "POST", "-H"]);
        assert_eq!(texts[4], "Content-Type: application/json");
        assert_eq!(texts[5], "-d");
        assert_eq!(w[6].expansions, ["$id"]);
        assert_eq!(w[6].text, format!("{{\"id\":{MARK}0{MARK},\"a\":\"b c\"}}"));
        assert_eq!(texts[7], "https://x/rest/crm.deal.get");
        let d = words("-d \"$(date -Iseconds)\"");
        assert_eq!(d[1].expansions, ["$(date -Iseconds)"]);
    }
}
