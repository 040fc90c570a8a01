//! `b24 call <method> …`: one call, its result printed as JSON.

use std::process::ExitCode;

use serde_json::{Value, json};

use crate::fail::Fail;
use crate::{catalog, config, params};

/// The arguments of `b24 call`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The method, e.g. `crm.deal.get`.
    method: String,
    /// Parameters as `key=value` (`key[sub]=value` nests, `key[]=value` appends).
    pairs: Vec<String>,
    /// Parameters as a JSON object: inline, `@file`, or `-` for standard input.
    #[arg(long)]
    json: Option<String>,
    /// Call REST 3.0 (`/rest/api/…`).
    #[arg(long)]
    v3: bool,
    /// Print the whole answer (`result` with `time`, `total`, `next`).
    #[arg(long)]
    raw: bool,
    /// Send a method the catalog does not know, or parameters its spec does not take.
    #[arg(long)]
    unchecked: bool,
}

pub fn run(profile: Option<&str>, args: Args) -> Result<ExitCode, Fail> {
    let params = params::read(args.json.as_deref(), &args.pairs)?;
    let api = crate::api(args.v3);
    let idempotent = match catalog::spec(&args.method, api) {
        Ok(spec) => {
            if !args.unchecked {
                catalog::check(spec, &params)?;
            }
            spec.idempotent
        }
        Err(_) if args.unchecked => false,
        Err(unknown) => return Err(unknown),
    };
    let client = config::client(profile)?;
    let answer = crate::runtime()?.block_on(async {
        let mut call = client.raw(&args.method, params);
        if api == b24_core::Api::V3 {
            call = call.v3();
        }
        if idempotent {
            call = call.retry_ambiguous();
        }
        call.full().await
    })?;
    let out = if args.raw {
        let mut v = json!({ "result": answer.result });
        if let Some(t) = answer.total {
            v["total"] = json!(t);
        }
        if let Some(n) = answer.next {
            v["next"] = json!(n);
        }
        if let Some(t) = &answer.time {
            v["time"] = json!({
                "start": t.start,
                "finish": t.finish,
                "duration": t.duration,
                "processing": t.processing,
                "date_start": t.date_start.as_ref().map(ToString::to_string),
                "date_finish": t.date_finish.as_ref().map(ToString::to_string),
                "operating_reset_at": t.operating_reset_at,
                "operating": t.operating,
            });
        }
        v
    } else {
        answer.result
    };
    println!("{}", pretty(&out));
    Ok(ExitCode::SUCCESS)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}
