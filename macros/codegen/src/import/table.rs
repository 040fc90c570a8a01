//! `#| … |#` tables: rows of `|| cell | cell ||`, cells spanning lines.

/// One table with the heading it stands under.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Rows of cells (the first row is the header).
    pub rows: Vec<Vec<String>>,
    /// Line (0-based) where the table starts.
    pub line: usize,
}

impl Table {
    /// The header cells, lower case, without markup.
    pub fn header(&self) -> Vec<String> {
        self.rows
            .first()
            .map(|r| r.iter().map(|c| plain(c).to_lowercase()).collect())
            .unwrap_or_default()
    }
}

/// Every table of `text`, nested ones included as tables of their own.
pub fn tables(text: &str) -> Vec<Table> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("#|") {
            let start = i;
            let mut depth = 0usize;
            let mut body = String::new();
            while i < lines.len() {
                let t = lines[i].trim();
                if t.starts_with("#|") {
                    depth += 1;
                }
                body.push_str(lines[i]);
                body.push('\n');
                if t.ends_with("|#") {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
            out.push(Table {
                rows: rows(&body),
                line: start,
            });
        }
        i += 1;
    }
    out
}

/// Splits a table body into rows and cells (top level only).
fn rows(body: &str) -> Vec<Vec<String>> {
    let inner = body.trim();
    let inner = inner.strip_prefix("#|").unwrap_or(inner);
    let inner = inner.strip_suffix("|#").unwrap_or(inner);
    let chars: Vec<char> = inner.chars().collect();
    let mut rows = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut in_row = false;
    let mut tick = false;
    let mut nested = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '`' {
            tick = !tick;
            cell.push(c);
            i += 1;
            continue;
        }
        if !tick && c == '#' && next == Some('|') {
            nested += 1;
            cell.push_str("#|");
            i += 2;
            continue;
        }
        if !tick && nested > 0 && c == '|' && next == Some('#') {
            nested -= 1;
            cell.push_str("|#");
            i += 2;
            continue;
        }
        if !tick && nested == 0 && c == '|' && next == Some('|') {
            if in_row {
                cells.push(std::mem::take(&mut cell).trim().to_string());
                rows.push(std::mem::take(&mut cells));
                in_row = false;
            } else {
                in_row = true;
                cell.clear();
            }
            i += 2;
            continue;
        }
        if in_row && !tick && nested == 0 && c == '|' {
            cells.push(std::mem::take(&mut cell).trim().to_string());
            i += 1;
            continue;
        }
        if in_row {
            cell.push(c);
        }
        i += 1;
    }
    rows
}

/// Text without Markdown markup: `**x**` → `x`, `[t](u)` → `t`, backticks dropped.
pub fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '`' | '_' if false => {}
            '*' | '`' => {}
            '[' => {
                let mut text = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    text.push(d);
                }
                if chars.peek() == Some(&'(') {
                    for d in chars.by_ref() {
                        if d == ')' {
                            break;
                        }
                    }
                }
                out.push_str(&plain(&text));
            }
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_cells_span_lines() {
        let t = tables(
            "x\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](a.md) | The id, `'a'|'b'`\n- more ||\n|#\n",
        );
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].rows.len(), 2);
        assert_eq!(t[0].rows[1][0], "**ID***\n[`integer`](a.md)");
        assert!(t[0].rows[1][1].contains("'a'|'b'"));
        assert_eq!(t[0].header(), ["name type", "description"]);
    }

    #[test]
    fn plain_text() {
        assert_eq!(plain("**Name** [`string`](../x.md) `a`"), "Name string a");
    }
}
