//! Yandex Flavored Markdown, as far as the docs use it: `{% if %}` blocks are dropped,
//! `{% note %}`, `{% list tabs %}`, `{% cut %}` and `{% include %}` markers are removed
//! (their text stays, also where a marker shares a line with text, as in a table cell
//! `{% endnote %} ||`), fenced code is set aside.
//!
//! The clean text keeps the page's lines: what was removed becomes blank, so a line
//! number in the clean text is a line number in the page.

/// A page with the YFM markup resolved.
#[derive(Debug, Clone, Default)]
pub struct Clean {
    /// The text, line for line, without `{% … %}` markers and without fenced code.
    pub text: String,
    /// Notes: their opening marker and text (for deprecation marks).
    pub notes: Vec<String>,
}

/// Resolves the YFM markup of a page.
pub fn clean(src: &str) -> Clean {
    let mut out = Clean::default();
    let mut depth_if = 0usize;
    let mut in_code = false;
    let mut note: Option<String> = None;
    for line in src.lines() {
        let t = line.trim();
        if in_code {
            if t.starts_with("```") {
                in_code = false;
                // A cell may end on the fence's line: ```` ``` || ````.
                let after = t.trim_start_matches('`').trim();
                if !after.is_empty() && depth_if == 0 {
                    out.text.push_str(after);
                }
            }
            out.text.push('\n');
            continue;
        }
        if depth_if == 0 && t.starts_with("```") {
            in_code = true;
            out.text.push('\n');
            continue;
        }
        if !line.contains("{%") {
            if depth_if == 0 {
                if let Some(n) = &mut note {
                    n.push('\n');
                    n.push_str(line);
                }
                out.text.push_str(line);
            }
            out.text.push('\n');
            continue;
        }
        // A line with markers: keep the text between them (outside `if` blocks).
        let mut kept = String::new();
        let mut rest = line;
        while let Some(start) = rest.find("{%") {
            if depth_if == 0 {
                kept.push_str(&rest[..start]);
            }
            // The closing `%}` after the opening `{%` (in `{%}` the two overlap: a fuzz run
            // found that reading it as open-and-closed sliced backwards).
            let Some(len) = rest[start + 2..].find("%}") else {
                // An unclosed marker: the rest of the line is the marker.
                rest = "";
                break;
            };
            let tag = rest[start + 2..start + 2 + len].trim();
            if tag.starts_with("if ") {
                depth_if += 1;
            } else if tag.starts_with("endif") {
                depth_if = depth_if.saturating_sub(1);
            } else if depth_if == 0 && tag.starts_with("note") {
                note = Some(format!("{{% {tag} %}}"));
            } else if depth_if == 0
                && tag.starts_with("endnote")
                && let Some(n) = note.take()
            {
                out.notes.push(n);
            }
            rest = &rest[start + 2 + len + 2..];
        }
        if depth_if == 0 {
            kept.push_str(rest);
        }
        if !kept.trim().is_empty() {
            if let Some(n) = &mut note {
                n.push('\n');
                n.push_str(&kept);
            }
            out.text.push_str(&kept);
        }
        out.text.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_if_blocks_and_markers_keeping_lines() {
        let src = "a\n{% if build == 'dev' %}\nsecret\n{% endif %}\n{% note warning \"DEPRECATED\" %}\nUse x.y\n{% endnote %}\n```js\ncode()\n```\nb\n";
        let c = clean(src);
        assert_eq!(c.text, "a\n\n\n\n\nUse x.y\n\n\n\n\nb\n");
        assert_eq!(c.text.lines().count(), src.lines().count());
        assert_eq!(c.notes.len(), 1);
        assert!(c.notes[0].contains("DEPRECATED") && c.notes[0].contains("Use x.y"));
    }

    #[test]
    fn keeps_a_cell_end_on_a_closing_fence() {
        let c = clean("|| **A** | like:\n```js\n'A': 1\n``` ||\n");
        assert_eq!(c.text, "|| **A** | like:\n\n\n||\n");
    }

    #[test]
    fn keeps_text_that_shares_a_line_with_a_marker() {
        let c = clean(
            "|| **A** | text\n{% note info \"\" %}\nAt least one of A or B.\n{% endnote %} ||\n|| **B** | x ||\n",
        );
        assert_eq!(
            c.text,
            "|| **A** | text\n\nAt least one of A or B.\n ||\n|| **B** | x ||\n"
        );
    }

    #[test]
    fn a_marker_whose_ends_overlap_is_unclosed() {
        // `{%}`: the `%` opens the marker and cannot also close it.
        let c = clean("a {%} b\nc {%} d %} e\n");
        assert_eq!(c.text, "a \nc  e\n");
    }
}
