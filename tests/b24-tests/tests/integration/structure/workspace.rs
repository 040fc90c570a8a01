//! The workspace as cargo sees it (`cargo metadata`): its crates, where they live, what
//! they depend on and which of them are generated. Nothing here is a hand-kept list.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// One crate of the workspace.
#[derive(Debug, Clone)]
pub struct Crate {
    /// The package name (`b24-core`).
    pub name: String,
    /// Its folder, relative to the workspace root (`runtime/b24-core`).
    pub dir: PathBuf,
    /// Written by `b24-gen regen` (its manifest carries the generated-file header).
    pub generated: bool,
    /// What it depends on: (package name, kind: `normal`, `dev` or `build`).
    pub deps: Vec<(String, String)>,
    /// The root files of its targets, with each target's kinds (`lib`, `bin`, `test`, …).
    pub targets: Vec<(Vec<String>, PathBuf)>,
    /// Published to crates.io (not `publish = false`).
    pub publish: bool,
    /// The fields crates.io shows that its manifest leaves empty (of [`SHOWN`]).
    pub missing: Vec<&'static str>,
}

/// The manifest fields a crate's page on crates.io (and docs.rs) is made of.
pub const SHOWN: [&str; 8] = [
    "description",
    "license",
    "repository",
    "homepage",
    "documentation",
    "readme",
    "keywords",
    "categories",
];

impl Crate {
    /// The roots of the targets that are the crate's own code: libraries, binaries,
    /// proc macros and examples (not its tests, benches or build script).
    pub fn code_roots(&self) -> impl Iterator<Item = &Path> {
        self.targets
            .iter()
            .filter(|(kinds, _)| {
                kinds
                    .iter()
                    .any(|k| matches!(k.as_str(), "lib" | "bin" | "proc-macro" | "example"))
            })
            .map(|(_, p)| p.as_path())
    }

    /// Whether it is a library or binary users depend on or run (not an example target).
    pub fn ships(&self) -> bool {
        self.targets.iter().any(|(kinds, _)| {
            kinds
                .iter()
                .any(|k| matches!(k.as_str(), "lib" | "bin" | "proc-macro"))
        })
    }
}

/// The crates of the workspace at `root`, from `cargo metadata` (no network, no
/// dependency resolution).
pub fn crates(root: &Path) -> Result<Vec<Crate>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata in {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let root = Path::new(meta["workspace_root"].as_str().unwrap_or_default()).to_path_buf();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in meta["packages"].as_array().into_iter().flatten() {
        if !members.contains(&p["id"].as_str().unwrap_or_default()) {
            continue;
        }
        out.push(package(&root, p)?);
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(out)
}

fn package(root: &Path, p: &Value) -> Result<Crate, String> {
    let manifest = PathBuf::from(p["manifest_path"].as_str().unwrap_or_default());
    let dir = manifest.parent().unwrap_or(root);
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let deps = p["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let name = d["name"].as_str().unwrap_or_default().to_string();
            let kind = d["kind"].as_str().unwrap_or("normal").to_string();
            (name, kind)
        })
        .collect();
    let targets = p["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let kinds = t["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            (
                kinds,
                PathBuf::from(t["src_path"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    Ok(Crate {
        publish: !p["publish"].as_array().is_some_and(Vec::is_empty),
        missing: SHOWN.into_iter().filter(|f| empty(&p[*f])).collect(),
        name: p["name"].as_str().unwrap_or_default().to_string(),
        dir: dir.strip_prefix(root).unwrap_or(dir).to_path_buf(),
        generated: text.starts_with("# @generated"),
        deps,
        targets,
    })
}
