//! `b24`: the Bitrix24 REST API from the shell, on the b24 runtime.
//!
//! ```text
//! b24 call crm.deal.get id=5
//! b24 list crm.deal.list --select ID,TITLE --format csv -o deals.csv
//! b24 batch commands.jsonl
//! b24 describe crm.deal.add
//! b24 search deal stage
//! b24 scopes crm.deal.add im.message.add
//! ```
//!
//! The portal is the inbound webhook in `B24_WEBHOOK_URL`, or a profile of the config
//! file (`b24 profile add`). Exit status: 0 done, 1 the portal answered with an error
//! (or some commands of a batch failed), 2 bad input (nothing sent), 3 no portal
//! configured or a bad config file, 4 the request did not complete (network, an answer
//! that could not be read; a write may have run), 5 b24's own specs do not load (a bug).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod batch;
mod call;
mod catalog;
mod config;
mod fail;
mod list;
mod params;
mod scopes;

use fail::Fail;

#[derive(Debug, Parser)]
#[command(
    name = "b24",
    version,
    about = "The Bitrix24 REST API from the shell: call any method, export lists, run batches",
    after_help = "\
The portal: the inbound webhook in B24_WEBHOOK_URL, or a profile (`b24 profile add NAME`,
then `--profile NAME`; `default` when neither is given), kept in <config dir>/b24/config.toml
or the file B24_CONFIG names. Tokens are never printed.

Exit status: 0 done; 1 the portal answered with an error (or a command of a batch failed);
2 bad input, nothing sent; 3 no portal configured, or a bad config file; 4 the request did
not complete (network, an unreadable answer) — a write may have run; 5 b24's own specs do
not load (a bug in b24)."
)]
struct Cli {
    /// The profile of the config file to use (instead of B24_WEBHOOK_URL).
    #[arg(long, global = true)]
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Call a method; its parameters are checked against its spec first.
    #[command(after_help = "\
Examples:
  b24 call crm.deal.get id=5
  b24 call crm.deal.add 'fields[TITLE]=New deal' 'fields[OPPORTUNITY]=1500'
  b24 call crm.deal.list --json '{\"filter\": {\">ID\": 100}, \"select\": [\"ID\"]}'
  b24 call tasks.task.get --v3 id=51 --raw
  b24 call im.recent.list --json @params.json

A value is read as JSON when it is JSON (5, true, [1,2]), as text otherwise;
`key[sub]=v` nests, `key[]=v` appends.")]
    Call(call::Args),
    /// Export every record of a list method to a file (fast export where it has one).
    #[command(after_help = "\
Examples:
  b24 list crm.deal.list --format jsonl -o deals.jsonl
  b24 list crm.deal.list --select ID,TITLE,STAGE_ID --format csv -o deals.csv
  b24 list crm.deal.list --filter '{\"STAGE_ID\": \"WON\"}' -o won.jsonl
  b24 list crm.deal.list -o deals.jsonl --resume      # after an interruption
  b24 list tasks.task.list --v3 -o tasks.jsonl")]
    List(list::Args),
    /// Run the commands of a JSON Lines file in batches of 50; one result line each.
    #[command(after_help = "\
Each line: {\"method\": \"crm.deal.get\", \"params\": {\"id\": 5}}. Each result line:
{\"line\": N, \"method\": …, \"result\": …} or {\"line\": N, \"method\": …, \"error\": {…}}.

Example:
  b24 batch commands.jsonl > results.jsonl")]
    Batch(batch::Args),
    /// A method's binding and facts: parameters, result, errors, scopes, docs page; or an
    /// event's (`b24 describe ONCRMDEALADD`): its typed payload and the data it carries.
    Describe {
        /// The method (or event) name, in any letter case.
        method: String,
        /// The REST 3.0 twin.
        #[arg(long)]
        v3: bool,
    },
    /// Methods and events whose name, scope or docs page has all the words.
    Search {
        /// Words to look for.
        #[arg(required = true)]
        words: Vec<String>,
    },
    /// The scopes an application needs for the methods it calls.
    #[command(after_help = "\
Examples:
  b24 scopes crm.deal.add im.message.add
  b24 scopes --from src/")]
    Scopes(scopes::Args),
    /// The profiles of the config file (webhooks kept with 0600 permissions).
    #[command(subcommand)]
    Profile(config::ProfileCommand),
}

/// The REST version a command's `--v3` flag names: the runtime's one vocabulary from here on.
fn api(v3: bool) -> b24_core::Api {
    if v3 {
        b24_core::Api::V3
    } else {
        b24_core::Api::V2
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let profile = cli.profile.as_deref();
    let done = match cli.command {
        Command::Call(args) => call::run(profile, args),
        Command::List(args) => list::run(profile, args),
        Command::Batch(args) => batch::run(profile, args),
        Command::Describe { method, v3 } => catalog::describe(&method, api(v3)),
        Command::Search { words } => catalog::search(&words),
        Command::Scopes(args) => scopes::run(&args),
        Command::Profile(cmd) => config::profile(cmd),
    };
    match done {
        Ok(code) => code,
        Err(fail) => {
            eprintln!("error: {fail}");
            fail.exit_code()
        }
    }
}

/// A runtime for one command's calls.
fn runtime() -> Result<tokio::runtime::Runtime, Fail> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fail::Transport(format!("cannot start the async runtime: {e}")))
}
