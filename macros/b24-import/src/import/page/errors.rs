//! Error codes: the error tables of a page (the layouts REST v2 pages use), the
//! `Error Code: `…`` lines of REST 3.0 pages, and the codes of the error examples.

use serde_json::Value;

use super::super::table::{Table, plain};
use super::ErrorRow;

/// Error codes of an error table (any of the layouts).
pub(super) fn table_rows(t: &Table) -> Vec<ErrorRow> {
    let header = t.header();
    let code_col = header
        .iter()
        .position(|h| h.starts_with("code") || h == "error code" || h.contains("code"));
    let Some(code_col) = code_col else {
        return Vec::new();
    };
    let status_col = header
        .iter()
        .position(|h| h.contains("status") || h == "http");
    let desc_col = header
        .iter()
        .position(|h| h.starts_with("description") || h.contains("message"));
    let has_value_col = header
        .iter()
        .any(|h| h.starts_with("value") || h.contains("explanation"));
    let mut out = Vec::new();
    for row in t.body() {
        let Some(cell) = row.cells.get(code_col) else {
            continue;
        };
        let mut lines = cell.lines();
        let first = lines.next().unwrap_or("");
        let code_text = plain(first);
        let lower = code_text.to_lowercase();
        let code = if matches!(
            lower.as_str(),
            "empty value" | "empty" | "empty string" | "\"\"" | "-" | "—"
        ) {
            String::new()
        } else {
            code_text.clone()
        };
        if code.contains(' ') || !code.chars().all(|c| c.is_ascii_graphic()) {
            continue;
        }
        let http = status_col
            .and_then(|c| row.cells.get(c))
            .and_then(|s| {
                plain(s)
                    .chars()
                    .filter(|c| c.is_ascii_digit())
                    .collect::<String>()
                    .parse()
                    .ok()
            })
            .filter(|s| (100..600).contains(s));
        // The message: a second line in the code cell, or the description column when a
        // separate column explains it.
        let message = lines
            .next()
            .map(plain)
            .filter(|m| !m.is_empty())
            .or_else(|| {
                has_value_col
                    .then(|| desc_col.and_then(|c| row.cells.get(c)).map(|s| plain(s)))
                    .flatten()
            })
            .filter(|m| m.len() <= 200);
        push(&mut out, code, http, message);
    }
    out
}

/// `Error Code: `BITRIX_REST_V3_…`` lines (REST 3.0 pages), with the HTTP status of the
/// nearest `HTTP Status: **400**` line above them.
pub(super) fn code_lines(text: &str) -> Vec<ErrorRow> {
    let mut out = Vec::new();
    let mut status: Option<u16> = None;
    for l in text.lines() {
        let t = l.trim();
        let lower = t.to_lowercase();
        if lower.starts_with("http status") {
            status = t
                .split(|c: char| !c.is_ascii_digit())
                .find_map(|d| d.parse::<u16>().ok())
                .filter(|s| (100..600).contains(s));
            continue;
        }
        if lower.starts_with("error code:") {
            for (i, part) in t.split('`').enumerate() {
                if i % 2 == 1 && is_code(part) {
                    push(&mut out, part.to_string(), status, None);
                }
            }
        }
    }
    out
}

/// The code of an error example: `{"error": "CODE", …}` (REST v2) or
/// `{"error": {"code": "CODE", …}}` (REST 3.0).
pub(super) fn example_code(body: &Value) -> Option<String> {
    let e = body.get("error")?;
    let code = match e {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("code")?.as_str()?.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    is_code(&code).then_some(code)
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

pub(super) fn push(
    out: &mut Vec<ErrorRow>,
    code: String,
    http: Option<u16>,
    message: Option<String>,
) {
    if !out
        .iter()
        .any(|e: &ErrorRow| e.code == code && e.message == message)
    {
        out.push(ErrorRow {
            code,
            http,
            message,
        });
    }
}
