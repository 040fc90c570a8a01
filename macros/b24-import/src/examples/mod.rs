//! The examples of a docs page: the calls it shows (cURL JSON bodies, `BX24.callMethod`
//! and `$b24` calls in JavaScript, `CRest::call` and `->call` in PHP) and the responses it
//! shows (JSON with a `result` or an `error` member).
//!
//! These are the docs' own test data: the importer reads names and shapes from them, and
//! the conformance gate checks every binding against them. An example that is code rather
//! than data (a variable, a function call) is kept in [`Examples::unparsed`] with its line
//! and the reason.
//!
//! ```
//! let page = "# Get a deal crm.deal.get\n\n```bash\ncurl -d '{\"id\": 5}' https://x/rest/crm.deal.get\n```\n\n```json\n{\"result\": {\"ID\": \"5\"}}\n```\n";
//! let ex = b24_import::examples::of_page(page);
//! assert_eq!(ex.calls[0].method, "crm.deal.get");
//! assert_eq!(ex.calls[0].params, serde_json::json!({"id": 5}));
//! assert_eq!(ex.responses[0].body["result"]["ID"], "5");
//! ```

pub mod literal;
pub mod shell;

use serde_json::Value;

pub use literal::{Dialect, LitError};

/// The language of an example call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// A `curl … -d '{json}' …/rest/method` command.
    Curl,
    /// JavaScript: `BX24.callMethod`, `$b24.callMethod`, `$b24.actions.*.call.make`.
    Js,
    /// PHP: `CRest::call`, `$b24Service->core->call`.
    Php,
}

impl Lang {
    /// `curl`, `js` or `php`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Js => "js",
            Lang::Php => "php",
        }
    }
}

/// One example call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// 1-based line of the call in the page.
    pub line: usize,
    /// Its language.
    pub lang: Lang,
    /// The method called, as written.
    pub method: String,
    /// The parameters (an object; an array for positional methods), without `auth`.
    pub params: Value,
    /// The call goes to REST 3.0 (`/rest/api/…`, `actions.v3`).
    pub v3: bool,
}

/// One example response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// 1-based line of the block in the page.
    pub line: usize,
    /// The whole body (`result`, `time`, … or `error`, …).
    pub body: Value,
}

impl Response {
    /// Whether this shows an error rather than a result.
    pub fn is_error(&self) -> bool {
        self.body.get("error").is_some() && self.body.get("result").is_none()
    }
}

/// An example that is not plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct Unparsed {
    /// 1-based line.
    pub line: usize,
    /// `curl`, `js`, `php` or `json`.
    pub what: &'static str,
    /// The method, when it could be read.
    pub method: Option<String>,
    /// Why it was not read.
    pub reason: String,
}

/// Everything a page shows by example.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Examples {
    /// Example calls, in page order.
    pub calls: Vec<Call>,
    /// Example responses, in page order.
    pub responses: Vec<Response>,
    /// Examples that could not be read as data.
    pub unparsed: Vec<Unparsed>,
}

impl Examples {
    /// The calls of `method` (matched case-insensitively, as the server does), without
    /// repeats: the same parameters shown in several languages count once.
    pub fn calls_of(&self, method: &str) -> Vec<&Call> {
        let mut out: Vec<&Call> = Vec::new();
        for c in &self.calls {
            if c.method.eq_ignore_ascii_case(method) && !out.iter().any(|o| o.params == c.params) {
                out.push(c);
            }
        }
        out
    }

    /// The calls of `method` through one API (`v3`: REST 3.0 addresses only; else the
    /// others), without repeats.
    pub fn calls_for(&self, method: &str, v3: bool) -> Vec<&Call> {
        self.calls_of(method)
            .into_iter()
            .filter(|c| c.v3 == v3)
            .collect()
    }

    /// The successful responses, without repeats.
    pub fn results(&self) -> Vec<&Response> {
        let mut out: Vec<&Response> = Vec::new();
        for r in self.responses.iter().filter(|r| !r.is_error()) {
            if !out
                .iter()
                .any(|o| o.body.get("result") == r.body.get("result"))
            {
                out.push(r);
            }
        }
        out
    }
}

/// A fenced code block.
#[derive(Debug, Clone)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string, lower case (`bash`, `json`, `php`, …; empty when none).
    pub lang: String,
    /// The code, with the fence's indentation removed.
    pub code: String,
}

/// The fenced code blocks of a page, outside `{% if %}` blocks (the docs' build-only parts).
pub fn blocks(src: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String, usize, String)> = None;
    let mut depth_if = 0usize;
    for (n, line) in src.lines().enumerate() {
        let t = line.trim();
        if let Some((start, lang, indent, code)) = &mut open {
            if t.starts_with("```") {
                out.push(Block {
                    line: *start,
                    lang: std::mem::take(lang),
                    code: std::mem::take(code),
                });
                open = None;
            } else {
                // The byte where the code starts: the fence's indent of whitespace is
                // left out (a fuzz run found a 2-byte space counted as one byte).
                let strip = line
                    .char_indices()
                    .find(|(i, c)| *i >= *indent || !c.is_whitespace())
                    .map_or(line.len(), |(i, _)| i);
                code.push_str(&line[strip..]);
                code.push('\n');
            }
            continue;
        }
        if t.starts_with("{%") {
            let tag = t.trim_start_matches("{%").trim_start();
            if tag.starts_with("if ") {
                depth_if += 1;
            } else if tag.starts_with("endif") {
                depth_if = depth_if.saturating_sub(1);
            }
            continue;
        }
        if depth_if == 0 && t.starts_with("```") {
            let indent = line.len() - line.trim_start().len();
            let lang = t.trim_start_matches('`').trim().to_ascii_lowercase();
            open = Some((n + 1, lang, indent, String::new()));
        }
    }
    out
}

/// Reads the examples of a page.
pub fn of_page(src: &str) -> Examples {
    let mut ex = Examples::default();
    for b in blocks(src) {
        match b.lang.as_str() {
            "bash" | "curl" | "sh" | "shell" | "http" if b.code.contains("curl") => {
                curl_calls(&b, &mut ex)
            }
            "json" | "jsonc" | "" | "javascript" | "js" | "text" | "plaintext"
                if looks_like_response(&b.code) =>
            {
                response(&b, &mut ex)
            }
            "js" | "javascript" | "ts" | "html" => js_calls(&b, &mut ex),
            "php" => php_calls(&b, &mut ex),
            _ => {}
        }
    }
    ex
}

fn looks_like_response(code: &str) -> bool {
    let t = code.trim_start();
    t.starts_with('{') && (code.contains("\"result\"") || code.contains("\"error\""))
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at.min(code.len())].matches('\n').count()
}

fn response(b: &Block, ex: &mut Examples) {
    match literal::parse(&b.code, Dialect::Json) {
        Ok(v @ Value::Object(_)) if v.get("result").is_some() || v.get("error").is_some() => {
            ex.responses.push(Response {
                line: b.line,
                body: v,
            })
        }
        Ok(_) => {}
        Err(e) => ex.unparsed.push(Unparsed {
            line: b.line + 1 + line_of(&b.code, e.at),
            what: "json",
            method: None,
            reason: format!("response example is not JSON: {}", e.reason),
        }),
    }
}

/// The method at the end of a REST URL: `…/rest/crm.deal.add`, `…/rest/api/tasks.task.get`,
/// `…/rest/1/token/crm.deal.add.json`.
pub fn method_of_url(url: &str) -> Option<(String, bool)> {
    let i = url.find("/rest/")?;
    let rest = &url[i + "/rest/".len()..];
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let last = last.strip_suffix(".json").unwrap_or(last);
    let ok = !last.is_empty()
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        && !last.starts_with('.')
        && last.chars().any(|c| c.is_ascii_alphabetic());
    ok.then(|| (last.to_string(), path.starts_with("api/")))
}

fn curl_calls(b: &Block, ex: &mut Examples) {
    // One block may hold several commands.
    for cmd in b.code.split("\ncurl").enumerate().map(|(i, c)| {
        if i == 0 {
            c.to_string()
        } else {
            format!("curl{c}")
        }
    }) {
        let offset = b.code.find(cmd.trim_start()).unwrap_or(0);
        let words = shell::words(&cmd);
        if !words.iter().any(|w| w.text == "curl") {
            continue;
        }
        let url = words
            .iter()
            .rev()
            .find_map(|w| method_of_url(&w.text).map(|m| (m, w)));
        let Some(((method, v3), _)) = url else {
            continue;
        };
        let line = b.line + 1 + line_of(&b.code, offset);
        let data = words.windows(2).find(|p| {
            matches!(
                p[0].text.as_str(),
                "-d" | "--data" | "--data-raw" | "--data-binary"
            )
        });
        let Some(pair) = data else {
            // No body: a call without parameters.
            ex.calls.push(Call {
                line,
                lang: Lang::Curl,
                method,
                params: Value::Object(Default::default()),
                v3,
            });
            continue;
        };
        let body = &pair[1];
        let line = b.line + 1 + line_of(&b.code, offset + body.at);
        let text = match substitute(&body.text, &body.expansions) {
            Ok(t) => t,
            Err(why) => {
                ex.unparsed.push(Unparsed {
                    line,
                    what: "curl",
                    method: Some(method),
                    reason: why,
                });
                continue;
            }
        };
        match literal::parse(&text, Dialect::Json) {
            Ok(mut params) => {
                strip_auth(&mut params);
                ex.calls.push(Call {
                    line,
                    lang: Lang::Curl,
                    method,
                    params,
                    v3,
                });
            }
            Err(e) => ex.unparsed.push(Unparsed {
                line,
                what: "curl",
                method: Some(method),
                reason: format!("body is not JSON: {}", e.reason),
            }),
        }
    }
}

/// Puts back the shell expansions of a body: `$(date …)` inside a JSON string is a date
/// and time; any other expansion leaves the body as code, not data.
fn substitute(text: &str, expansions: &[String]) -> Result<String, String> {
    let mut out = text.to_string();
    for (i, e) in expansions.iter().enumerate() {
        let mark = format!("{}{i}{}", shell::MARK, shell::MARK);
        if e.starts_with("$(date") {
            out = out.replace(&mark, "2026-01-01T10:00:00+00:00");
        } else {
            return Err(format!("the body uses the shell variable `{e}`"));
        }
    }
    Ok(out)
}

fn strip_auth(params: &mut Value) {
    if let Value::Object(m) = params {
        m.shift_remove("auth");
    }
}

/// Index just past the `(` of each occurrence of `needle` (which ends in `(`).
fn call_sites<'a>(code: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    code.match_indices(needle)
        .map(move |(i, _)| i + needle.len())
}

fn skip_ws(code: &str, mut i: usize) -> usize {
    let b = code.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if code[i..].starts_with("//") {
            i += code[i..].find('\n').unwrap_or(code.len() - i);
        } else {
            return i;
        }
    }
}

/// `'method'` or `"method"` at `i`: the name and the index past it.
fn string_arg(code: &str, i: usize, d: Dialect) -> Option<(String, usize)> {
    let i = skip_ws(code, i);
    if !code[i..].starts_with(['\'', '"']) {
        return None;
    }
    let (v, len) = literal::parse_prefix(&code[i..], d).ok()?;
    match v {
        Value::String(s) => Some((s, i + len)),
        _ => None,
    }
}

/// The parameters after the method name: `, {…}` or nothing (`)`).
fn params_arg(code: &str, i: usize, d: Dialect) -> Result<Value, String> {
    let i = skip_ws(code, i);
    match code[i..].chars().next() {
        Some(')') => Ok(Value::Object(Default::default())),
        Some(',') => {
            let j = skip_ws(code, i + 1);
            let rest = &code[j..];
            if rest.starts_with("function") || rest.starts_with('(') || rest.starts_with(')') {
                // `callMethod('m', function(result) {…})`: no parameters.
                return Ok(Value::Object(Default::default()));
            }
            literal::parse_prefix(rest, d)
                .map(|(v, _)| v)
                .map_err(|e| e.reason)
        }
        _ => Err("cannot find the parameters".into()),
    }
}

fn js_calls(b: &Block, ex: &mut Examples) {
    let code = &b.code;
    // `BX24.callMethod(`, `B24.callMethod(`, `$b24.callMethod(`: any receiver.
    for i in call_sites(code, ".callMethod(") {
        {
            let receiver = &code[..i - ".callMethod(".len()];
            if !receiver.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '$' || c == '_') {
                continue;
            }
            let line = b.line + 1 + line_of(code, i);
            let Some((method, after)) = string_arg(code, i, Dialect::Js) else {
                continue;
            };
            push_call(
                ex,
                line,
                Lang::Js,
                method,
                params_arg(code, after, Dialect::Js),
                false,
            );
        }
    }
    // `$b24.actions.v2.call.make({ method: 'm', params: {…}, requestId: … })`.
    for (i, _) in code.match_indices(".call.make") {
        let v3 = code[..i].ends_with("v3");
        let line = b.line + 1 + line_of(code, i);
        let Some(open) = code[i..].find('(').map(|o| i + o + 1) else {
            continue;
        };
        let window_end = code[open..]
            .find(".call.make")
            .map_or(code.len(), |e| open + e);
        let window = &code[open..window_end];
        let Some(m) = window.find("method:") else {
            continue;
        };
        let Some((method, _)) = string_arg(window, m + "method:".len(), Dialect::Js) else {
            continue;
        };
        let params = match window.find("params:") {
            Some(p) => literal::parse_prefix(&window[p + "params:".len()..], Dialect::Js)
                .map(|(v, _)| v)
                .map_err(|e| e.reason),
            None => Ok(Value::Object(Default::default())),
        };
        push_call(ex, line, Lang::Js, method, params, v3);
    }
}

fn php_calls(b: &Block, ex: &mut Examples) {
    let code = &b.code;
    for needle in ["::call(", "->call("] {
        for i in call_sites(code, needle) {
            let line = b.line + 1 + line_of(code, i);
            let Some((method, after)) = string_arg(code, i, Dialect::Php) else {
                continue;
            };
            let line = line + line_of(&code[i..], after - i);
            push_call(
                ex,
                line,
                Lang::Php,
                method,
                params_arg(code, after, Dialect::Php),
                false,
            );
        }
    }
}

fn push_call(
    ex: &mut Examples,
    line: usize,
    lang: Lang,
    method: String,
    params: Result<Value, String>,
    v3: bool,
) {
    let plausible = !method.is_empty()
        && method
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    if !plausible {
        return;
    }
    match params {
        Ok(mut p) => {
            // An empty PHP array is an empty parameter list.
            if p == Value::Array(Vec::new()) {
                p = Value::Object(Default::default());
            }
            strip_auth(&mut p);
            ex.calls.push(Call {
                line,
                lang,
                method,
                params: p,
                v3,
            });
        }
        Err(reason) => ex.unparsed.push(Unparsed {
            line,
            what: lang.as_str(),
            method: Some(method),
            reason: format!("parameters are code, not data: {reason}"),
        }),
    }
}

#[cfg(test)]
mod tests;
