//! `b24 scopes`: the scopes an application needs, for the methods named or the methods a
//! source tree calls.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use b24_spec::Spec;
use b24_spec::spec::Api;

use crate::catalog;
use crate::fail::{Fail, io};

/// The arguments of `b24 scopes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Method names (REST v2; a name only REST 3.0 has is taken from there).
    methods: Vec<String>,
    /// A folder of Rust sources: the methods of its `#[b24_method("…")]` attributes, its
    /// `b24::methods::<ns>::<Type>` bindings and its method names in string literals.
    #[arg(long)]
    from: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode, Fail> {
    if args.methods.is_empty() && args.from.is_none() {
        return Err(Fail::Input(
            "name methods, or give --from <source folder>".into(),
        ));
    }
    let specs = catalog::all()?;
    let mut used: BTreeSet<(String, Api)> = BTreeSet::new();
    for m in &args.methods {
        let spec = find(specs, m, Api::V2)
            .or_else(|| find(specs, m, Api::V3))
            .ok_or_else(|| catalog::unknown(m, b24_core::Api::V2))?;
        used.insert((spec.name.clone(), spec.api));
    }
    if let Some(dir) = &args.from {
        let mut files = Vec::new();
        rust_files(dir, &mut files)?;
        let bindings = b24_spec::bindings::name_bindings(specs);
        for f in &files {
            let text = std::fs::read_to_string(f).map_err(|e| io(f, e))?;
            scan(&text, specs, &bindings, &mut used);
        }
        eprintln!(
            "{} methods in {} files under {}",
            used.len(),
            files.len(),
            dir.display()
        );
    }
    let mut by_scope: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, api) in &used {
        let Some(spec) = find(specs, name, *api) else {
            continue;
        };
        let scopes = if spec.scope.is_empty() {
            vec!["(none)".to_string()]
        } else {
            spec.scope.clone()
        };
        for s in scopes {
            by_scope.entry(s).or_default().insert(name.clone());
        }
    }
    for (scope, methods) in &by_scope {
        let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
        println!("{scope}\t{}", methods.join(" "));
    }
    Ok(ExitCode::SUCCESS)
}

fn find<'a>(specs: &'a [Spec], name: &str, api: Api) -> Option<&'a Spec> {
    specs
        .iter()
        .find(|s| s.api == api && s.name.eq_ignore_ascii_case(name))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fail> {
    let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
    for e in entries {
        let path = e.map_err(|e| io(dir, e))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The methods `text` calls: string literals that are method names (`b24_method`'s, with
/// its `api = "v3"`, and raw calls') and paths to bindings (`methods::crm::DealGet`, also in
/// `use b24::methods::crm::{DealGet, DealAdd}`).
fn scan(
    text: &str,
    specs: &[Spec],
    bindings: &[b24_spec::bindings::Binding],
    used: &mut BTreeSet<(String, Api)>,
) {
    for line in text.lines() {
        let v3 = line.contains("b24_method") && line.contains("api = \"v3\"");
        for (i, lit) in line.split('"').enumerate() {
            if i % 2 == 1 && lit.contains('.') {
                let api = if v3 { Api::V3 } else { Api::V2 };
                if let Some(s) = find(specs, lit, api).or_else(|| find(specs, lit, Api::V3)) {
                    used.insert((s.name.clone(), s.api));
                }
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find("methods::") {
        rest = &rest[i + "methods::".len()..];
        let ns: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = rest[ns.len()..].strip_prefix("::").unwrap_or("");
        let names: Vec<String> = if let Some(group) = after.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            group
                .split(',')
                .map(|n| n.split_whitespace().next().unwrap_or_default().to_string())
                .collect()
        } else {
            vec![
                after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            ]
        };
        for name in names.iter().filter(|n| !n.is_empty()) {
            if let Some(b) = bindings
                .iter()
                .find(|b| b.namespace == ns && b.type_name == *name)
            {
                used.insert((b.method.clone(), b.api));
            }
        }
    }
}
