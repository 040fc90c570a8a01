//! The specs shipped with b24: a method's facts, its parameters checked, names suggested.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};

use b24_core::Api;
use b24_spec::Catalog;
use b24_spec::spec::{EventSpec, Spec};

use crate::fail::Fail;

/// The other REST version (where a name the user gave may be instead).
fn other(api: Api) -> Api {
    match api {
        Api::V2 => Api::V3,
        Api::V3 => Api::V2,
    }
}

/// The spec of `name` (any letter case), or an error that suggests a near name. Loaded
/// alone (a command needs a few specs, not the catalog), once, it lives as long as the
/// command.
pub fn spec(name: &str, api: Api) -> Result<&'static Spec, Fail> {
    type Loaded = HashMap<(String, Api), &'static Spec>;
    static LOADED: OnceLock<Mutex<Loaded>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Mutex::default);
    let key = (name.to_ascii_lowercase(), api);
    if let Some(spec) = loaded.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(spec);
    }
    match Catalog::shipped_method(name, api.into()) {
        Ok(Some(spec)) => {
            let spec: &'static Spec = Box::leak(Box::new(spec));
            loaded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, spec);
            Ok(spec)
        }
        Ok(None) => Err(unknown(name, api)),
        Err(e) => Err(Fail::Internal(format!(
            "the spec of {name} does not load: {e}"
        ))),
    }
}

/// "unknown method …", with the near name or the other API version that has it.
pub fn unknown(name: &str, api: Api) -> Fail {
    let elsewhere = b24_specs::find(name, other(api).as_str()).is_some();
    let hint = if elsewhere {
        if api == Api::V3 {
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
pub fn describe(method: &str, api: Api) -> Result<ExitCode, Fail> {
    let specs = all()?;
    let text = match b24_spec::describe::describe_method(specs, method, api.into()) {
        Ok(text) => text,
        Err(_) if api == Api::V2 && b24_specs::find_event(method).is_some() => {
            b24_spec::describe::describe_event_named(events()?, method).map_err(Fail::Input)?
        }
        Err(_) if api == Api::V3 || b24_specs::find(method, Api::V3.as_str()).is_some() => {
            return Err(unknown(method, api));
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
            let api = if spec.api == b24_spec::spec::Api::V3 {
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
