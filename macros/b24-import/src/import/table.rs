//! `#| … |#` tables: rows of `|| cell | cell ||`, cells spanning lines.
//!
//! The docs are hand-written, and a table is not always well formed: a row may lack its
//! closing `||` (the next row's `||` at the start of a line opens a new row, and `|#` ends
//! the table), a table may have no header row, a cell may hold `\|`, inline code with
//! pipes, or a nested table. Each of these is read as the author meant it and recorded as
//! a problem with its line.

/// One row: its cells and the page line where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line of the row's opening `||`.
    pub line: usize,
    /// The cells, trimmed.
    pub cells: Vec<String>,
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Rows; the first is the header (one is made up when the table has none).
    pub rows: Vec<Row>,
    /// 1-based line of the table's `#|`.
    pub line: usize,
    /// Irregularities read past: line and what.
    pub problems: Vec<(usize, String)>,
    /// Stands inside a cell of another table (a list of values, say).
    pub nested: bool,
}

impl Table {
    /// The header cells, lower case, without markup.
    pub fn header(&self) -> Vec<String> {
        self.rows
            .first()
            .map(|r| r.cells.iter().map(|c| plain(c).to_lowercase()).collect())
            .unwrap_or_default()
    }

    /// The rows after the header.
    pub fn body(&self) -> &[Row] {
        self.rows.get(1..).unwrap_or(&[])
    }
}

/// Every table of `text` (line numbers as in `text`), nested tables included as tables of
/// their own.
pub fn tables(text: &str) -> Vec<Table> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Table> = Vec::new();
    // Line ranges of the tables found, to tell nested ones.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.trim_start().starts_with("#|") {
            continue;
        }
        // The table's text: from `#|` to its matching `|#`.
        let mut depth = 0usize;
        let mut body = String::new();
        let mut closed = false;
        for l in &lines[i..] {
            let t = l.trim();
            depth += t.matches("#|").count();
            body.push_str(l);
            body.push('\n');
            let ends = t.matches("|#").count();
            if ends > 0 {
                depth = depth.saturating_sub(ends);
                if depth == 0 {
                    closed = true;
                    break;
                }
            }
        }
        let mut t = parse(&body, i + 1);
        let end = i + body.lines().count();
        t.nested = spans.iter().any(|(a, b)| *a < i && i < *b);
        spans.push((i, end));
        if !closed {
            t.problems
                .push((i + 1, "table not closed with `|#`".to_string()));
        }
        out.push(t);
    }
    out
}

/// Parses one table's text starting at page line `first_line`.
fn parse(body: &str, first_line: usize) -> Table {
    let inner = body.trim_start();
    let skipped = body.len() - inner.len();
    let lead_lines = body[..skipped].matches('\n').count();
    let inner = inner.strip_prefix("#|").unwrap_or(inner);
    let chars: Vec<char> = inner.chars().collect();
    let mut p = RowParser {
        rows: Vec::new(),
        problems: Vec::new(),
        cells: Vec::new(),
        cell: String::new(),
        in_row: false,
        row_line: 0,
    };
    let mut line = first_line + lead_lines;
    let mut tick = false;
    let mut nested = 0usize;
    let mut line_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            // Inline code does not run across lines.
            tick = false;
            line_start = true;
            p.cell.push(c);
            i += 1;
            continue;
        }
        let at_start = line_start;
        if !c.is_whitespace() {
            line_start = false;
        }
        if c == '\\' && next == Some('|') {
            p.cell.push('|');
            i += 2;
            continue;
        }
        if c == '`' {
            tick = !tick;
            p.cell.push(c);
            i += 1;
            continue;
        }
        if tick {
            p.cell.push(c);
            i += 1;
            continue;
        }
        if c == '#' && next == Some('|') {
            nested += 1;
            p.cell.push_str("#|");
            i += 2;
            continue;
        }
        if c == '|' && next == Some('#') {
            if nested == 0 {
                // The end of this table.
                if p.in_row {
                    p.problems
                        .push((p.row_line, "row not closed with `||` before `|#`".into()));
                    p.close_row();
                }
                break;
            }
            nested -= 1;
            p.cell.push_str("|#");
            i += 2;
            continue;
        }
        if nested > 0 {
            p.cell.push(c);
            i += 1;
            continue;
        }
        if c == '|' && next == Some('|') {
            let rest_of_line = chars[i + 2..].iter().take_while(|c| **c != '\n');
            let opens_line = at_start && rest_of_line.clone().any(|c| !c.is_whitespace());
            p.double_bar(line, opens_line);
            i += 2;
            continue;
        }
        if p.in_row && c == '|' {
            p.cells.push(std::mem::take(&mut p.cell).trim().to_string());
            i += 1;
            continue;
        }
        if p.in_row {
            p.cell.push(c);
        } else if !c.is_whitespace() {
            p.problems.push((line, "text outside any row".into()));
            // Report a stray run once.
            while i + 1 < chars.len() && chars[i + 1] != '\n' {
                i += 1;
            }
        }
        i += 1;
    }
    if p.in_row {
        p.problems.push((p.row_line, "row not closed".into()));
        p.close_row();
    }
    let mut t = Table {
        rows: p.rows,
        line: first_line,
        problems: p.problems,
        nested: false,
    };
    add_missing_header(&mut t);
    t
}

/// A table whose first row is data gets the usual header, and a problem saying so.
fn add_missing_header(t: &mut Table) {
    if t.rows.first().is_some_and(|r| looks_like_data(&r.cells)) {
        let line = t.rows[0].line;
        t.problems.push((line, "table without a header row".into()));
        t.rows.insert(
            0,
            Row {
                line,
                cells: vec!["**Name**\n`type`".into(), "**Description**".into()],
            },
        );
    }
}

struct RowParser {
    rows: Vec<Row>,
    problems: Vec<(usize, String)>,
    cells: Vec<String>,
    cell: String,
    in_row: bool,
    row_line: usize,
}

impl RowParser {
    /// A `||` at page line `line`: closes the open row or opens one. `opens_line`: it
    /// starts a line that has content after it, so it opens a new row even inside one
    /// (the previous row was not closed).
    fn double_bar(&mut self, line: usize, opens_line: bool) {
        if self.in_row && opens_line {
            self.problems
                .push((self.row_line, "row not closed with `||`".into()));
            self.close_row();
            self.open_row(line);
        } else if self.in_row {
            self.close_row();
        } else {
            self.open_row(line);
        }
    }

    fn open_row(&mut self, line: usize) {
        self.in_row = true;
        self.row_line = line;
        self.cell.clear();
        self.cells.clear();
    }

    fn close_row(&mut self) {
        self.cells
            .push(std::mem::take(&mut self.cell).trim().to_string());
        let cells = std::mem::take(&mut self.cells);
        self.in_row = false;
        if cells.iter().all(|c| c.is_empty()) {
            return;
        }
        self.rows.push(Row {
            line: self.row_line,
            cells,
        });
    }
}

/// A first row that is a field (`**NAME**` over a type link), not column titles.
fn looks_like_data(cells: &[String]) -> bool {
    let Some(first) = cells.first() else {
        return false;
    };
    let mut lines = first.lines();
    let name = lines.next().unwrap_or("").trim();
    let second = lines.next().unwrap_or("").trim();
    name.starts_with("**") && second.starts_with("[`") && second.contains("](")
}

/// Text without Markdown markup: `**x**` → `x`, `[t](u)` → `t`, backticks dropped.
pub fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
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
        assert_eq!(t[0].line, 2);
        assert_eq!(t[0].rows.len(), 2);
        assert_eq!(t[0].rows[1].line, 5);
        assert_eq!(t[0].rows[1].cells[0], "**ID***\n[`integer`](a.md)");
        assert!(t[0].rows[1].cells[1].contains("'a'|'b'"));
        assert_eq!(t[0].header(), ["name type", "description"]);
        assert!(t[0].problems.is_empty());
    }

    #[test]
    fn unclosed_rows_are_read_and_reported() {
        let t = &tables(
            "#|\n|| **Name**\n`type` | **Description** ||\n|| **A**\n[`string`](x) | first\n|| **B**\n[`string`](x) | second ||\n|| **C**\n[`int`](x) | last, no closing\n|#\n",
        )[0];
        let names: Vec<&str> = t
            .body()
            .iter()
            .map(|r| r.cells[0].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(names, ["**A**", "**B**", "**C**"]);
        assert_eq!(t.body()[2].cells[1], "last, no closing");
        assert_eq!(
            t.problems,
            [
                (4, "row not closed with `||`".to_string()),
                (8, "row not closed with `||` before `|#`".to_string())
            ]
        );
    }

    #[test]
    fn escaped_pipes_lone_closers_and_headerless_tables() {
        let t = &tables(
            "#|\n|| **NAME***\n[`string` \\| `object`](x) | A name\n||\n|| **B**\n[`int`](x) | b ||\n|#\n",
        )[0];
        assert_eq!(t.header(), ["name type", "description"]);
        assert_eq!(t.body().len(), 2);
        assert_eq!(t.body()[0].cells[0], "**NAME***\n[`string` | `object`](x)");
        assert_eq!(t.body()[0].cells[1], "A name");
        assert_eq!(t.problems, [(2, "table without a header row".to_string())]);
    }

    #[test]
    fn nested_tables_stay_in_their_cell_and_are_tables_too() {
        let all = tables(
            "#|\n|| **Name** | **Description** ||\n|| **A** | values:\n#|\n|| x | y ||\n|#\n ||\n|| **B** | b ||\n|#\n",
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].body().len(), 2);
        assert!(all[0].body()[0].cells[1].contains("#|"));
        assert_eq!(all[1].line, 4);
        assert!(!all[0].nested && all[1].nested);
    }

    #[test]
    fn plain_text() {
        assert_eq!(plain("**Name** [`string`](../x.md) `a`"), "Name string a");
    }
}
