//! `b24 batch FILE.jsonl`: the commands of a file in batches of 50, a result line each.

use std::path::PathBuf;
use std::process::ExitCode;

use b24_core::CommandError;
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
        let idempotent = match catalog::spec(method, false) {
            Ok(spec) => {
                if !args.unchecked {
                    catalog::check(&spec, &params).map_err(|e| at(e.to_string()))?;
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
    let mut failed = 0usize;
    crate::runtime()?.block_on(async {
        // A batch holds at most 50 commands (`settings/how-to-call-rest-api/batch.md`).
        for chunk in commands.chunks(50) {
            let mut batch = client.batch();
            for c in chunk {
                batch.add_raw(&format!("l{}", c.line), &c.method, &c.params, c.idempotent)?;
            }
            let (first, last) = (chunk[0].line, chunk[chunk.len() - 1].line);
            let results = batch.send().await.map_err(|e| {
                let later = if last < commands[commands.len() - 1].line {
                    "; the lines after it were not sent"
                } else {
                    ""
                };
                let fail = Fail::from(e);
                let text = format!("the batch of lines {first}–{last} failed: {fail}{later}");
                match fail {
                    Fail::Api(_) => Fail::Api(text),
                    Fail::Input(_) => Fail::Input(text),
                    Fail::Config(_) => Fail::Config(text),
                    Fail::Transport(_) => Fail::Transport(text),
                    Fail::Internal(_) => Fail::Internal(text),
                }
            })?;
            for c in chunk {
                let line = match results.get_key::<Value>(&format!("l{}", c.line)) {
                    Ok(result) => json!({ "line": c.line, "method": c.method, "result": result }),
                    Err(e) => {
                        failed += 1;
                        json!({ "line": c.line, "method": c.method, "error": error(&e) })
                    }
                };
                println!("{line}");
            }
        }
        Ok::<_, Fail>(())
    })?;
    if failed > 0 {
        eprintln!("{failed} of {} commands failed", commands.len());
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
