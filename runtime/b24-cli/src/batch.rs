//! `b24 batch FILE.jsonl`: the commands of a file, a result line each, in file order — run
//! by the library's batch engine (batches of 50 at the bucket's concurrency, commands the
//! operating-time limit refused sent again).

use std::path::PathBuf;
use std::process::ExitCode;

use b24_core::prelude::*;
use b24_core::{CommandError, RawCommand};
use serde_json::{Value, json};

use crate::fail::{Fail, io};
use crate::{catalog, config};

/// The arguments of `b24 batch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One command a line: `{"method": "crm.deal.get", "params": {"id": 5}}`.
    file: PathBuf,
    /// Send methods the catalog does not know, or parameters their specs do not take.
    #[arg(long)]
    unchecked: bool,
}

struct Command {
    line: usize,
    method: String,
    params: Value,
    idempotent: bool,
}

/// Every command of the file, checked; the first bad line is an error naming it.
fn read(args: &Args) -> Result<Vec<Command>, Fail> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| io(&args.file, e))?;
    let mut commands = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let at = |why: String| Fail::Input(format!("{}:{n}: {why}", args.file.display()));
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| at(format!("not JSON: {e}")))?;
        let Some(method) = v.get("method").and_then(Value::as_str) else {
            return Err(at(
                "no `method` (a line is {\"method\": …, \"params\": {…}})".into(),
            ));
        };
        let params = match v.get("params") {
            None | Some(Value::Null) => json!({}),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => return Err(at("`params` is not a JSON object".into())),
        };
        let idempotent = match catalog::spec(method, b24_core::Api::V2) {
            Ok(spec) => {
                if !args.unchecked {
                    catalog::check(spec, &params).map_err(|e| at(e.to_string()))?;
                }
                spec.idempotent
            }
            Err(_) if args.unchecked => false,
            Err(unknown) => return Err(at(unknown.to_string())),
        };
        commands.push(Command {
            line: n,
            method: method.to_string(),
            params,
            idempotent,
        });
    }
    Ok(commands)
}

pub fn run(profile: Option<&str>, args: Args) -> Result<ExitCode, Fail> {
    let commands = read(&args)?;
    let client = config::client(profile)?;
    let total = commands.len();
    let mut failed = 0usize;
    crate::runtime()?.block_on(async {
        // The library's engine: batches of at most 50 at the bucket's concurrency, the
        // commands the operating-time limit refused sent again, results in file order.
        let lines: Vec<(usize, String)> = commands
            .iter()
            .map(|c| (c.line, c.method.clone()))
            .collect();
        let raw = commands
            .into_iter()
            .map(|c| RawCommand::new(c.method, c.params).idempotent(c.idempotent));
        let mut results = client.batch_all_raw(raw);
        let mut at = lines.into_iter();
        while let Some(result) = results.next().await {
            let Some((line, method)) = at.next() else {
                break;
            };
            let out = match result {
                Ok(result) => json!({ "line": line, "method": method, "result": result }),
                Err(e) => {
                    failed += 1;
                    json!({ "line": line, "method": method, "error": error(&e) })
                }
            };
            println!("{out}");
        }
    });
    if failed > 0 {
        eprintln!("{failed} of {total} commands failed");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn error(e: &CommandError) -> Value {
    match e {
        CommandError::Api(a) => {
            json!({ "code": a.code().as_str(), "description": a.description() })
        }
        CommandError::NotRun { reason, .. } => json!({ "code": "NOT_RUN", "description": reason }),
        CommandError::Unknown { reason, .. } => {
            json!({ "code": "MAY_HAVE_RUN", "description": reason })
        }
        other => json!({ "code": "DECODE", "description": other.to_string() }),
    }
}
