//! Yandex Flavored Markdown, as far as the docs use it: `{% if %}` blocks are dropped,
//! `{% note %}`, `{% list tabs %}`, `{% cut %}` and `{% include %}` markers are removed
//! (their text stays), fenced code is set aside.

/// A page with the YFM markup resolved.
#[derive(Debug, Clone, Default)]
pub struct Clean {
    /// The text, without `{% … %}` markers and without fenced code.
    pub text: String,
    /// Fenced code blocks, in order.
    pub code: Vec<String>,
    /// Notes: their title and text (for deprecation marks).
    pub notes: Vec<String>,
}

/// Resolves the YFM markup of a page.
pub fn clean(src: &str) -> Clean {
    let mut out = Clean::default();
    let mut depth_if = 0usize;
    let mut in_code = false;
    let mut code = String::new();
    let mut note: Option<String> = None;
    for line in src.lines() {
        let t = line.trim();
        if in_code {
            if t.starts_with("```") {
                in_code = false;
                out.code.push(std::mem::take(&mut code));
            } else {
                code.push_str(line);
                code.push('\n');
            }
            continue;
        }
        if depth_if == 0 && t.starts_with("```") {
            in_code = true;
            continue;
        }
        if t.starts_with("{%") {
            let tag = t.trim_start_matches("{%").trim_start();
            if tag.starts_with("if ") {
                depth_if += 1;
            } else if tag.starts_with("endif") {
                depth_if = depth_if.saturating_sub(1);
            } else if depth_if == 0 && tag.starts_with("note") {
                note = Some(t.to_string());
            } else if depth_if == 0
                && tag.starts_with("endnote")
                && let Some(n) = note.take()
            {
                out.notes.push(n);
            }
            // Other markers (list, endlist, cut, include, …) are dropped.
            continue;
        }
        if depth_if > 0 {
            continue;
        }
        if let Some(n) = &mut note {
            n.push('\n');
            n.push_str(line);
        }
        out.text.push_str(line);
        out.text.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_if_blocks_and_markers() {
        let c = clean(
            "a\n{% if build == 'dev' %}\nsecret\n{% endif %}\n{% note warning \"DEPRECATED\" %}\nUse x.y\n{% endnote %}\n```js\ncode()\n```\nb\n",
        );
        assert_eq!(c.text, "a\nUse x.y\nb\n");
        assert_eq!(c.code, ["code()\n"]);
        assert_eq!(c.notes.len(), 1);
        assert!(c.notes[0].contains("DEPRECATED") && c.notes[0].contains("Use x.y"));
    }
}
