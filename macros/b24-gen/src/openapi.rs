//! `b24-gen import-openapi`: a portal's OpenAPI document (and scope list) → specs, the
//! differences from the docs-imported specs, and the scopes the docs leave out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use b24_import::openapi;
use b24_spec::spec::Spec;
use serde_json::Value;

/// The arguments of `b24-gen import-openapi`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  b24-gen import-openapi openapi.json --scopes scopes.json --out portal-specs
  b24-gen import-openapi \"$B24_WEBHOOK_URL\" --compare
  b24-gen import-openapi \"$B24_WEBHOOK_URL\" --fill-scopes

Exit status: 0 done (no differences with --compare), 1 differences found, 2 an error.")]
pub struct ImportOpenapi {
    /// The document: a JSON file (the document, or a REST 3.0 answer holding it in
    /// `result`), or a portal's inbound webhook URL, whose `rest.documentation.openapi` is
    /// asked for.
    source: String,
    /// The method-to-scope list (`rest.scope.list`): a JSON file or a webhook URL. With a
    /// webhook source it is asked of the same portal unless given.
    #[arg(long)]
    scopes: Option<String>,
    /// The docs-imported specs: their pages are linked, and `--compare` and
    /// `--fill-scopes` read them.
    #[arg(long, default_value = "specs")]
    specs: PathBuf,
    /// Write one spec per method here (`<namespace>/<method>@v3.toml`, `origin = "openapi"`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print where the portal and the docs-imported specs disagree, one line each.
    #[arg(long)]
    compare: bool,
    /// Write an override (`<specs>/overrides/<namespace>/<method>.toml`) with the scope
    /// the portal's list gives for every spec the docs give none; re-run `import-docs`.
    #[arg(long)]
    fill_scopes: bool,
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// Reads `source`: a file, or the answer of `method` (REST 3.0) of the portal a webhook
/// URL names. Errors never hold the URL's path (its secret).
fn fetch(source: &str, method: &str) -> Result<Value, String> {
    if !is_url(source) {
        let text = std::fs::read_to_string(source).map_err(|e| format!("{source}: {e}"))?;
        return serde_json::from_str(&text)
            .map_err(|e| format!("{source}:{}:{}: {e}", e.line(), e.column()));
    }
    let label = openapi::source_label(source);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let client = b24_core::Client::builder()
            .webhook(source)
            .map_err(|e| format!("{label}: {e}"))?;
        client
            .raw(method, serde_json::json!({}))
            .v3()
            .await
            .map_err(|e| format!("{label}: {method}: {e}"))
    })
}

pub fn run(args: ImportOpenapi) -> ExitCode {
    if args.out.is_none() && !args.compare && !args.fill_scopes {
        eprintln!("error: say what to do: --out DIR, --compare, --fill-scopes (or several)");
        return ExitCode::from(2);
    }
    match import(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn import(args: &ImportOpenapi) -> Result<ExitCode, String> {
    let docs = b24_spec::bindings::load_specs(&args.specs).map_err(|e| e.to_string())?;
    let doc = fetch(&args.source, "rest.documentation.openapi")?;
    let scope_source = match (&args.scopes, is_url(&args.source)) {
        (Some(s), _) => Some(s.as_str()),
        (None, true) => Some(args.source.as_str()),
        (None, false) => None,
    };
    let scopes = match scope_source {
        Some(s) => openapi::scopes::read(&fetch(s, "rest.scope.list")?)
            .map_err(|e| format!("{}: {e}", openapi::source_label(s)))?,
        None => BTreeMap::new(),
    };
    let imported = openapi::import(&doc, &args.source, &scopes, &docs);
    for p in &imported.problems {
        eprintln!("warning: {p}");
    }
    eprintln!(
        "{}: {} methods, {} scopes listed, {} problems",
        imported.title,
        imported.specs.len(),
        scopes.len(),
        imported.problems.len()
    );
    if let Some(out) = &args.out {
        for (rel, text, _) in &imported.specs {
            write(&out.join(rel), text)?;
        }
        eprintln!(
            "wrote {} specs under {}",
            imported.specs.len(),
            out.display()
        );
    }
    if args.fill_scopes {
        let Some(from) = scope_source else {
            return Err(
                "--fill-scopes needs a scope list: --scopes <file|URL>, or a webhook source".into(),
            );
        };
        fill_scopes(&args.specs, &docs, &scopes, &openapi::source_label(from))?;
    }
    let mut code = ExitCode::SUCCESS;
    if args.compare {
        let portal: Vec<Spec> = imported.specs.into_iter().map(|(_, _, s)| s).collect();
        let diffs = openapi::compare(&portal, &docs);
        for d in &diffs {
            println!("{d}");
        }
        eprintln!("{} differences", diffs.len());
        if !diffs.is_empty() {
            code = ExitCode::from(1);
        }
    }
    Ok(code)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// An override with the portal's scope for every spec whose page names none.
fn fill_scopes(
    specs: &Path,
    docs: &[Spec],
    scopes: &BTreeMap<String, Vec<String>>,
    label: &str,
) -> Result<(), String> {
    let mut filled = 0;
    for spec in docs.iter().filter(|s| s.scope.is_empty()) {
        let Some(found) = scopes.get(&spec.name).filter(|s| !s.is_empty()) else {
            continue;
        };
        let rel = b24_import::import::spec_path(&spec.name, spec.api.as_str());
        let path = specs.join("overrides").join(rel);
        if path.exists() {
            eprintln!(
                "skipped {}: it has an override already; add `scope = {found:?}` to it by hand",
                path.display()
            );
            continue;
        }
        let list: Vec<String> = found.iter().map(|s| format!("{s:?}")).collect();
        let text = format!(
            "# The page ({}) names no scope; `rest.scope.list` of {label} gives it.\n[method]\nscope = [{}]\n",
            spec.docs_url(),
            list.join(", ")
        );
        write(&path, &text)?;
        filled += 1;
    }
    eprintln!("filled the scope of {filled} specs (overrides; run `b24-gen import-docs` to apply)");
    Ok(())
}
