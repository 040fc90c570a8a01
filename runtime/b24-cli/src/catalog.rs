//! The specs shipped with b24: a method's facts, its parameters checked, names suggested.

use std::process::ExitCode;

use b24_spec::Catalog;
use b24_spec::spec::{Api, EventSpec, Spec};

use crate::fail::Fail;

fn api_str(v3: bool) -> &'static str {
    if v3 { "v3" } else { "v2" }
}

/// The spec of `name` (any letter case), or an error that suggests a near name.
pub fn spec(name: &str, v3: bool) -> Result<Spec, Fail> {
    let api = if v3 { Api::V3 } else { Api::V2 };
    match Catalog::shipped_method(name, api) {
        Ok(Some(spec)) => Ok(spec),
        Ok(None) => Err(unknown(name, v3)),
        Err(e) => Err(Fail::Internal(format!(
            "the spec of {name} does not load: {e}"
        ))),
    }
}

/// "unknown method …", with the near name or the other API version that has it.
pub fn unknown(name: &str, v3: bool) -> Fail {
    let other = b24_specs::find(name, api_str(!v3)).is_some();
    let hint = if other {
        if v3 {
            " (it is a REST v2 method: leave out --v3)".to_string()
        } else {
            " (it is a REST 3.0 method: add --v3)".to_string()
        }
    } else {
        let names = b24_specs::all().iter().map(|e| e.name);
        match b24_spec::naming::did_you_mean(name, names) {
            Some(near) => format!(" (did you mean {near}?)"),
            None => " (`b24 search <words>` finds methods)".to_string(),
        }
    };
    Fail::Input(format!(
        "unknown method {name}{hint}; --unchecked sends it anyway"
    ))
}

/// Every problem of `params` for `spec`, each naming the method, the parameter and the rule.
pub fn check(spec: &Spec, params: &serde_json::Value) -> Result<(), Fail> {
    let issues = b24_spec::conform::request(spec, params);
    if issues.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = issues
        .iter()
        .map(|i| {
            let param = i.path.strip_prefix("$.").unwrap_or(&i.path);
            let rule = i.to_string();
            let rule = rule.split_once(": ").map_or("", |(_, r)| r).to_string();
            match value_at(params, param) {
                Some(v) => format!("  {param} = {v}: {rule}"),
                None => format!("  {param}: {rule}"),
            }
        })
        .collect();
    Err(Fail::Input(format!(
        "invalid parameters for {}, not sent (see {}):\n{}",
        spec.name,
        spec.docs_url(),
        lines.join("\n")
    )))
}

/// The value at `a.b[2].c` in `params`, as JSON text (cut at 80 characters).
fn value_at(params: &serde_json::Value, path: &str) -> Option<String> {
    let mut at = params;
    for seg in path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        at = at.get(name)?;
        if let Some(i) = index {
            at = at.get(i)?;
        }
    }
    let text = at.to_string();
    Some(match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    })
}

/// The catalog of the shipped specs, loaded once.
fn shipped() -> Result<&'static Catalog, Fail> {
    Catalog::shipped().map_err(|e| Fail::Internal(e.to_string()))
}

/// Every spec of the catalog.
pub fn all() -> Result<&'static [Spec], Fail> {
    Ok(shipped()?.methods())
}

/// A method's facts, or an event's (`ONCRMDEALADD`, any letter case) when no method has
/// the name.
pub fn describe(method: &str, v3: bool) -> Result<ExitCode, Fail> {
    let specs = all()?;
    let api = if v3 { Api::V3 } else { Api::V2 };
    let text = match b24_spec::describe::describe_method(specs, method, api) {
        Ok(text) => text,
        Err(_) if !v3 && b24_specs::find_event(method).is_some() => {
            b24_spec::describe::describe_event_named(events()?, method).map_err(Fail::Input)?
        }
        Err(_) if v3 || b24_specs::find(method, api_str(true)).is_some() => {
            return Err(unknown(method, v3));
        }
        Err(_) => {
            let names = b24_specs::all()
                .iter()
                .chain(b24_specs::events())
                .map(|e| e.name);
            let hint = match b24_spec::naming::did_you_mean(method, names) {
                Some(near) => format!(" (did you mean {near}?)"),
                None => " (`b24 search <words>` finds methods and events)".to_string(),
            };
            return Err(Fail::Input(format!(
                "unknown method or event {method}{hint}"
            )));
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Every event spec of the catalog.
pub fn events() -> Result<&'static [EventSpec], Fail> {
    Ok(shipped()?.events())
}

pub fn search(words: &[String]) -> Result<ExitCode, Fail> {
    let words: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    // Every word in the name, the scopes or the docs page's path.
    let hit = |name: &str, scope: &[String], page: &str| {
        let hay = format!("{name} {} {page}", scope.join(" ")).to_ascii_lowercase();
        words.iter().all(|w| hay.contains(w.as_str()))
    };
    // Name (with what it is), scopes, docs page.
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for spec in all()? {
        if hit(&spec.name, &spec.scope, &spec.docs.path) {
            let api = if spec.api == Api::V3 {
                " (REST 3.0)"
            } else {
                ""
            };
            let name = format!("{}{api}", spec.name);
            lines.push((name, spec.scope.join(","), spec.docs_url()));
        }
    }
    for event in events()? {
        if hit(&event.name, &event.scope, &event.docs.path) {
            let name = format!("{} (event)", event.name);
            lines.push((name, event.scope.join(","), event.docs_url()));
        }
    }
    for (name, scope, url) in &lines {
        println!("{name}\t{scope}\t{url}");
    }
    let found = lines.len();
    if found == 0 {
        return Err(Fail::Input(format!(
            "no method or event matches {}",
            words.join(" ")
        )));
    }
    Ok(ExitCode::SUCCESS)
}
