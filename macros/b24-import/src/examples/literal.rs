//! Data literals as the docs write them: JSON (with the liberties the pages take —
//! comments, trailing commas, `...` for "and so on"), JavaScript object literals and PHP
//! arrays. Anything that is not plain data (a variable, a call, string interpolation) is
//! an error naming what and where: such an example is reported, never guessed at.

use serde_json::{Map, Number, Value};

/// The notation of a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// JSON, plus comments, trailing commas and `...` elisions.
    Json,
    /// JavaScript object and array literals: bare keys, `'…'` strings, `undefined`.
    Js,
    /// PHP arrays: `['KEY' => value]`, `array(…)`, lists without keys.
    Php,
}

/// Why a literal could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitError {
    /// Byte offset in the input.
    pub at: usize,
    /// What was wrong.
    pub reason: String,
}

impl std::fmt::Display for LitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at byte {}: {}", self.at, self.reason)
    }
}

/// Parses one whole literal: nothing but whitespace and comments may follow it.
pub fn parse(src: &str, dialect: Dialect) -> Result<Value, LitError> {
    let mut p = Parser::new(src, dialect);
    let v = p.value()?;
    p.skip();
    if p.i < p.s.len() {
        return Err(p.err(format!("unexpected `{}` after the value", p.peek_text())));
    }
    Ok(v.unwrap_or(Value::Null))
}

/// Parses the literal at the start of `src` (after whitespace and comments) and returns it
/// with the byte offset just past it: for literals inside code (`call('m', [...], cb)`).
pub fn parse_prefix(src: &str, dialect: Dialect) -> Result<(Value, usize), LitError> {
    let mut p = Parser::new(src, dialect);
    let v = p.value()?;
    Ok((v.unwrap_or(Value::Null), p.i))
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    d: Dialect,
    depth: usize,
}

/// Nesting deeper than this is refused (no stack overflow on hostile input).
const MAX_DEPTH: usize = 128;

impl<'a> Parser<'a> {
    fn new(src: &'a str, d: Dialect) -> Self {
        Parser {
            s: src.as_bytes(),
            src,
            i: 0,
            d,
            depth: 0,
        }
    }

    fn err(&self, reason: impl Into<String>) -> LitError {
        LitError {
            at: self.i,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_text(&self) -> String {
        self.src[self.i..]
            .chars()
            .take(12)
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect()
    }

    fn starts(&self, t: &str) -> bool {
        self.s[self.i..].starts_with(t.as_bytes())
    }

    /// Skips whitespace and comments (`//`, `/* */`, and `#` in PHP).
    fn skip(&mut self) {
        loop {
            while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
            if self.starts("//") || (self.d == Dialect::Php && self.peek() == Some(b'#')) {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else if self.starts("/*") {
                match self.src[self.i + 2..].find("*/") {
                    Some(e) => self.i += e + 4,
                    None => self.i = self.s.len(),
                }
            } else {
                return;
            }
        }
    }

    /// An elision: `...` or `…` standing for "more of the same".
    fn elision(&mut self) -> bool {
        if self.starts("...") {
            self.i += 3;
            true
        } else if self.starts("…") {
            self.i += "…".len();
            true
        } else {
            false
        }
    }

    /// A value; `None` for an elision (dropped by the container).
    fn value(&mut self) -> Result<Option<Value>, LitError> {
        self.skip();
        if self.elision() {
            return Ok(None);
        }
        let Some(c) = self.peek() else {
            return Err(self.err("unexpected end of input"));
        };
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        let v = match (c, self.d) {
            (b'{', Dialect::Json | Dialect::Js) => self.object(b'}'),
            (b'[', Dialect::Json | Dialect::Js) => self.array(),
            (b'[', Dialect::Php) => self.php_array(b']'),
            (b'"', _) => self.string(b'"').map(Value::String),
            (b'\'', Dialect::Js | Dialect::Php) => self.string(b'\'').map(Value::String),
            (b'`', Dialect::Js) => self.string(b'`').map(Value::String),
            (b'-' | b'+' | b'0'..=b'9' | b'.', _) => self.number(),
            _ => self.word(),
        };
        self.depth -= 1;
        v.map(Some)
    }

    fn word(&mut self) -> Result<Value, LitError> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'\\')
        {
            self.i += 1;
        }
        let w = &self.src[start..self.i];
        let php = self.d == Dialect::Php;
        let is = |word: &str| w == word || (php && w.eq_ignore_ascii_case(word));
        if is("true") {
            Ok(Value::Bool(true))
        } else if is("false") {
            Ok(Value::Bool(false))
        } else if is("null") || (self.d == Dialect::Js && w == "undefined") {
            Ok(Value::Null)
        } else if php && w.eq_ignore_ascii_case("array") {
            self.skip();
            if self.peek() == Some(b'(') {
                self.php_array(b')')
            } else {
                Err(self.err("`array` without `(`"))
            }
        } else if w.is_empty() {
            Err(self.err(format!("unexpected `{}`", self.peek_text())))
        } else {
            self.i = start;
            Err(self.err(format!("`{w}` is code, not a literal value")))
        }
    }

    fn number(&mut self) -> Result<Value, LitError> {
        let start = self.i;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.i += 1;
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'_'))
            || (matches!(self.peek(), Some(b'-' | b'+'))
                && matches!(self.s.get(self.i - 1), Some(b'e' | b'E')))
        {
            self.i += 1;
        }
        let text: String = self.src[start..self.i]
            .trim_start_matches('+')
            .replace('_', "");
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => {
                self.i = start;
                Err(self.err(format!("`{text}` is not a number")))
            }
        }
    }

    fn string(&mut self, quote: u8) -> Result<String, LitError> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.src[self.i..].chars().next() else {
                self.i = start;
                return Err(self.err("unterminated string"));
            };
            let len = c.len_utf8();
            if c as u32 == u32::from(quote) {
                self.i += 1;
                return Ok(out);
            }
            if quote == b'`' && self.starts("${") {
                return Err(self.err("template string with `${…}` is code, not a literal"));
            }
            if self.d == Dialect::Php && quote == b'"' && c == '$' {
                return Err(self.err("PHP string with a `$variable` is code, not a literal"));
            }
            if c == '\\' {
                let Some(e) = self.src[self.i + 1..].chars().next() else {
                    return Err(self.err("unterminated escape"));
                };
                self.i += 1 + e.len_utf8();
                // PHP single-quoted strings only know `\'` and `\\`.
                if self.d == Dialect::Php && quote == b'\'' && e != '\'' && e != '\\' {
                    out.push('\\');
                    out.push(e);
                    continue;
                }
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    '/' => out.push('/'),
                    'u' => {
                        let hex = self.src.get(self.i..self.i + 4).unwrap_or("");
                        let cp = u32::from_str_radix(hex, 16)
                            .map_err(|_| self.err("bad `\\u` escape"))?;
                        self.i += 4;
                        // Surrogate pairs.
                        let ch = if (0xD800..0xDC00).contains(&cp) && self.starts("\\u") {
                            let lo = self
                                .src
                                .get(self.i + 2..self.i + 6)
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .unwrap_or(0);
                            self.i += 6;
                            char::from_u32(
                                0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00)),
                            )
                        } else {
                            char::from_u32(cp)
                        };
                        out.push(ch.unwrap_or('\u{FFFD}'));
                    }
                    other if self.d == Dialect::Json && !matches!(other, '"' | '\\') => {
                        return Err(self.err(format!("invalid escape `\\{other}`")));
                    }
                    other => out.push(other),
                }
                continue;
            }
            if self.d == Dialect::Json && (c == '\n' || c == '\r') {
                return Err(self.err("line break inside a string"));
            }
            out.push(c);
            self.i += len;
        }
    }

    /// A key: a string, a bare identifier (JS), or a number (JS, becoming its text).
    fn key(&mut self) -> Result<String, LitError> {
        match self.peek() {
            Some(b'"') => self.string(b'"'),
            Some(b'\'') if self.d != Dialect::Json => self.string(b'\''),
            Some(c)
                if self.d == Dialect::Js
                    && (c.is_ascii_alphanumeric() || c == b'_' || c == b'$') =>
            {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
                {
                    self.i += 1;
                }
                Ok(self.src[start..self.i].to_string())
            }
            Some(b'[') if self.d == Dialect::Js => {
                Err(self.err("computed key is code, not a literal"))
            }
            _ => Err(self.err(format!("expected a key, found `{}`", self.peek_text()))),
        }
    }

    fn object(&mut self, close: u8) -> Result<Value, LitError> {
        self.i += 1;
        let mut map = Map::new();
        loop {
            self.skip();
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok(Value::Object(map));
            }
            if self.elision() {
                self.after_item(close)?;
                continue;
            }
            if self.d == Dialect::Js && self.starts("...") {
                return Err(self.err("spread is code, not a literal"));
            }
            let k = self.key()?;
            self.skip();
            if self.peek() != Some(b':') {
                // JS shorthand `{ id }` names a variable.
                return Err(self.err(format!("expected `:` after key `{k}`")));
            }
            self.i += 1;
            if let Some(v) = self.value()? {
                map.insert(k, v);
            }
            self.after_item(close)?;
        }
    }

    fn array(&mut self) -> Result<Value, LitError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(Value::Array(items));
            }
            if let Some(v) = self.value()? {
                items.push(v);
            }
            self.after_item(b']')?;
        }
    }

    /// After a member: `,` or the closing bracket (left for the caller).
    fn after_item(&mut self, close: u8) -> Result<(), LitError> {
        self.skip();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(())
            }
            Some(c) if c == close => Ok(()),
            // `...` straight after a value, before the comma (`"a", ...`) is handled as an
            // item; anything else is an error.
            _ if self.starts("...") || self.starts("…") => Ok(()),
            _ => Err(self.err(format!(
                "expected `,` or `{}`, found `{}`",
                close as char,
                self.peek_text()
            ))),
        }
    }

    /// A PHP array: a list (no keys) becomes a JSON array, anything keyed an object.
    fn php_array(&mut self, close: u8) -> Result<Value, LitError> {
        self.i += 1;
        let mut entries: Vec<(Option<String>, Value)> = Vec::new();
        loop {
            self.skip();
            if self.peek() == Some(close) {
                self.i += 1;
                break;
            }
            if self.elision() {
                self.after_item(close)?;
                continue;
            }
            let first = self.value()?;
            self.skip();
            if self.starts("=>") {
                self.i += 2;
                let key = match first {
                    Some(Value::String(s)) => s,
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Bool(b)) => u8::from(b).to_string(),
                    _ => return Err(self.err("PHP array key must be a string or a number")),
                };
                if let Some(v) = self.value()? {
                    entries.push((Some(key), v));
                }
            } else if let Some(v) = first {
                entries.push((None, v));
            }
            self.after_item(close)?;
        }
        let sequential = entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| k.as_ref().is_none_or(|k| *k == i.to_string()));
        if sequential && !entries.is_empty() || entries.is_empty() {
            return Ok(Value::Array(entries.into_iter().map(|(_, v)| v).collect()));
        }
        let mut map = Map::new();
        let mut next = 0usize;
        for (k, v) in entries {
            let k = match k {
                Some(k) => {
                    if let Ok(n) = k.parse::<usize>() {
                        next = n + 1;
                    }
                    k
                }
                None => {
                    next += 1;
                    (next - 1).to_string()
                }
            };
            map.insert(k, v);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_with_the_docs_liberties() {
        let v = parse(
            r#"{
                "result": [ {"ID": "1",}, ... ], // a comment
                "total": 2, /* more */
                "next": 50,
            }"#,
            Dialect::Json,
        )
        .expect("lenient JSON");
        assert_eq!(v, json!({"result": [{"ID": "1"}], "total": 2, "next": 50}));
        assert!(parse(r#"{"a": 'x'}"#, Dialect::Json).is_err());
        assert!(parse("{\"a\": \"line\nbreak\"}", Dialect::Json).is_err());
        let e = parse(r#"{"a": 1 "b": 2}"#, Dialect::Json).expect_err("missing comma");
        assert!(e.reason.contains("expected `,`"), "{e}");
    }

    #[test]
    fn js_object_literals() {
        let v = parse(
            "{ fields: { TITLE: 'Deal \\'A\\'', 'OPPORTUNITY': 5000.5, IS_OPEN: true, x: undefined }, select: [\"ID\",], }",
            Dialect::Js,
        )
        .expect("JS literal");
        assert_eq!(
            v,
            json!({"fields": {"TITLE": "Deal 'A'", "OPPORTUNITY": 5000.5, "IS_OPEN": true, "x": null}, "select": ["ID"]})
        );
        for code in [
            "{ id: dealId }",
            "{ d: new Date() }",
            "{ t: `a${b}` }",
            "{ ...rest }",
            "{ id }",
        ] {
            assert!(parse(code, Dialect::Js).is_err(), "{code}");
        }
        let (v, end) = parse_prefix("{a: 1}, function(r) {}", Dialect::Js).expect("prefix");
        assert_eq!(v, json!({"a": 1}));
        assert_eq!(end, 6);
    }

    #[test]
    fn php_arrays() {
        let v = parse(
            "[ 'fields' => [ 'TITLE' => \"New\", 'IDS' => [1, 2, 3], 'OPENED' => TRUE, 'X' => null ], 'select' => array('ID', 'TITLE'), ]",
            Dialect::Php,
        )
        .expect("PHP array");
        assert_eq!(
            v,
            json!({"fields": {"TITLE": "New", "IDS": [1, 2, 3], "OPENED": true, "X": null}, "select": ["ID", "TITLE"]})
        );
        assert_eq!(parse("[]", Dialect::Php).expect("empty"), json!([]));
        assert_eq!(
            parse("[5 => 'a', 'b']", Dialect::Php).expect("numeric keys"),
            json!({"5": "a", "6": "b"})
        );
        for code in ["['ID' => $id]", "['D' => date('c')]", "[\"T\" => \"x $y\"]"] {
            assert!(parse(code, Dialect::Php).is_err(), "{code}");
        }
    }

    #[test]
    fn hostile_input_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep, Dialect::Json).is_err());
        for s in [
            "",
            "{",
            "\"abc",
            "{\"a\":",
            "[1,",
            "\"\\u12\"",
            "-",
            "{'a' 1}",
        ] {
            for d in [Dialect::Json, Dialect::Js, Dialect::Php] {
                let _ = parse(s, d);
            }
        }
    }
}
