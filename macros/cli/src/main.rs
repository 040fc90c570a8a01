//! `b24-gen`: imports specs from the official docs, checks specs, expands bindings.
//!
//! ```text
//! b24-gen import-docs ../shared/b24restdocs --out specs [--check] [--report]
//! b24-gen check specs
//! b24-gen expand specs/im/im.recent.unread.toml
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "b24-gen",
    version,
    about = "The b24 spec importer and generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import one spec per documented method from the docs (Markdown) into a specs folder.
    ImportDocs {
        /// The docs folder (with api-reference/ and settings/).
        docs: PathBuf,
        /// The specs folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Curated corrections (default: `OUT/overrides`).
        #[arg(long)]
        overrides: Option<PathBuf>,
        /// The docs commit (default: the one named in `DOCS/SOURCE.md`).
        #[arg(long)]
        commit: Option<String>,
        /// Write nothing; exit 1 when the specs differ from what the docs give.
        #[arg(long)]
        check: bool,
        /// Print the coverage report.
        #[arg(long)]
        report: bool,
    },
    /// Load and validate every spec under a folder.
    Check {
        /// The specs folder.
        specs: PathBuf,
    },
    /// Print the binding generated from one spec.
    Expand {
        /// The spec file.
        spec: PathBuf,
        /// The type name (default: from the method name).
        #[arg(long)]
        name: Option<String>,
    },
}

fn specs_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                if !matches!(name.as_str(), "overrides" | "src" | "target")
                    && !name.starts_with('.')
                {
                    dirs.push(p);
                }
            } else if name.ends_with(".toml") && name != "Cargo.toml" {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::ImportDocs {
            docs,
            out,
            overrides,
            commit,
            check,
            report,
        } => {
            let started = Instant::now();
            let Some(commit) = commit.or_else(|| b24_codegen::import::docs_commit(&docs)) else {
                eprintln!(
                    "error: no docs commit: pass --commit or use a docs folder with SOURCE.md"
                );
                return ExitCode::from(2);
            };
            let overrides = overrides.unwrap_or_else(|| out.join("overrides"));
            let imported = b24_codegen::import::import_docs(&docs, Some(&overrides), &commit);
            if report {
                println!("{}", imported.report);
            }
            if check {
                let diffs = b24_codegen::import::check(&imported, &out);
                eprintln!(
                    "checked {} specs in {:.2}s",
                    imported.files.len(),
                    started.elapsed().as_secs_f64()
                );
                if diffs.is_empty() {
                    return ExitCode::SUCCESS;
                }
                for d in diffs.iter().take(20) {
                    eprintln!("{d}");
                }
                eprintln!(
                    "{} specs are stale against {}: run `b24-gen import-docs` without --check",
                    diffs.len(),
                    docs.display()
                );
                return ExitCode::FAILURE;
            }
            if let Err(e) = b24_codegen::import::write(&imported, &out) {
                eprintln!("error: writing {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            eprintln!(
                "imported {} of {} method pages into {} in {:.2}s ({} failures)",
                imported.report.imported,
                imported.report.method_pages,
                out.display(),
                started.elapsed().as_secs_f64(),
                imported.report.failures.len()
            );
            ExitCode::SUCCESS
        }
        Command::Check { specs } => {
            let files = specs_under(&specs);
            let mut bad = 0;
            for f in &files {
                match b24_codegen::load_file(f) {
                    Ok(spec) => {
                        let name = b24_codegen::naming::pascal(&spec.name);
                        let generated = b24_codegen::generate(&spec, &name, &Default::default())
                            .and_then(|t| b24_codegen::pretty(&t));
                        if let Err(e) = generated {
                            bad += 1;
                            eprintln!("{}: codegen: {e}", f.display());
                        }
                    }
                    Err(e) => {
                        bad += 1;
                        eprintln!("{e}");
                    }
                }
            }
            eprintln!("{} specs, {bad} with problems", files.len());
            if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Expand { spec, name } => match b24_codegen::load_file(&spec) {
            Ok(s) => {
                let name = name.unwrap_or_else(|| b24_codegen::naming::pascal(&s.name));
                match b24_codegen::generate(&s, &name, &Default::default())
                    .and_then(|t| b24_codegen::pretty(&t))
                {
                    Ok(code) => {
                        print!("{code}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}
