//! `b24 list <method>`: every record of a list to a file, with a progress bar.

use std::fs::File;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use b24_core::prelude::*;
use b24_core::{Api, Listing, Pagination};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value, json};

use crate::fail::{Fail, io};
use crate::{catalog, config, params};

/// The arguments of `b24 list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The list method, e.g. `crm.deal.list`.
    method: String,
    /// The fields to return, comma-separated (the CSV's columns, in this order).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// The filter, as JSON (`{">ID": 5}`; REST 3.0: `[["id", ">", 5]]`).
    #[arg(long)]
    filter: Option<String>,
    /// The order, as JSON (`{"ID": "DESC"}`); a fast export orders by its key.
    #[arg(long)]
    order: Option<String>,
    /// Other parameters as a JSON object: inline, `@file`, or `-` for standard input.
    #[arg(long)]
    json: Option<String>,
    /// The output: one JSON object a line, CSV with a header row, or one JSON array.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// The file to write (standard output when not given).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Go on from the last record of `--output` (JSON Lines or CSV) instead of starting
    /// over: records after its key are appended.
    #[arg(long)]
    resume: bool,
    /// A REST 3.0 list method.
    #[arg(long)]
    v3: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Jsonl,
    Csv,
    Json,
}

/// How the method's records are read: the fast export (key windows in parallel batches,
/// in key order) when it has one, else its pages one after another — each on the
/// library's engine, with its protocol checks and retries.
struct Mode {
    listing: Listing,
    /// The key of the fast export, if the method has one.
    fast_key: Option<&'static str>,
}

fn mode(spec: &'static b24_spec::Spec) -> Result<Mode, Fail> {
    let Some(listing) = Listing::of_spec(spec) else {
        return Err(Fail::Input(format!(
            "{} is not a list method (it has no pages); use `b24 call`",
            spec.name
        )));
    };
    let fast_key = match listing.pagination {
        Pagination::StartNext { fast_key, .. } => fast_key,
        // REST 3.0 lists are exported over `id`, the field its common filter takes.
        Pagination::V3Page => Some("id"),
        _ => None,
    };
    Ok(Mode { listing, fast_key })
}

/// The parameters of `b24 list`: `--json`, then `--select`, `--filter`, `--order`.
fn params_of(args: &Args) -> Result<Value, Fail> {
    let mut params = params::read(args.json.as_deref(), &[])?;
    if !args.select.is_empty() {
        params["select"] = json!(args.select);
    }
    for (name, text) in [("filter", &args.filter), ("order", &args.order)] {
        if let Some(text) = text {
            params[name] = serde_json::from_str(text)
                .map_err(|e| Fail::Input(format!("--{name}: not JSON: {e}")))?;
        }
    }
    Ok(params)
}

/// Where a run writes: the file of `--output` (appended to when resuming, a JSON array
/// cut after its last whole record first), or standard output.
fn output(args: &Args, append: bool, cut_at: Option<u64>) -> Result<Box<dyn Write>, Fail> {
    let Some(path) = &args.output else {
        return Ok(Box::new(BufWriter::new(std::io::stdout().lock())));
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(|e| io(path, e))?;
    // A JSON array goes on after its last whole record (its `]` written again).
    if let Some(len) = cut_at {
        file.set_len(len).map_err(|e| io(path, e))?;
    }
    Ok(Box::new(BufWriter::new(file)))
}

/// Where `--resume` goes on: the parameters changed to ask only for records after the
/// output's last key, its CSV columns, and whether (and where) the file is appended to.
fn resume(args: &Args, mode: &Mode, params: &mut Value) -> Result<Option<Resume>, Fail> {
    let Some(key) = mode.fast_key else {
        return Err(Fail::Input(format!(
            "--resume needs a fast export (records in key order); {} has none",
            args.method
        )));
    };
    let path = args
        .output
        .as_deref()
        .ok_or_else(|| Fail::Input("--resume goes on in the file of --output; give it".into()))?;
    let Some((last, columns, cut)) = last_key(path, args.format, key)? else {
        return Ok(None);
    };
    after(params, key, last, mode.listing.api)?;
    eprintln!("resuming after {key} {last}");
    Ok(Some((last, columns, cut)))
}

pub fn run(profile: Option<&str>, args: Args) -> Result<ExitCode, Fail> {
    let spec = catalog::spec(&args.method, crate::api(args.v3))?;
    let mode = mode(spec)?;
    let mut params = params_of(&args)?;
    if args.order.is_some() && mode.fast_key.is_some() {
        eprintln!("warning: --order is not used: the fast export orders by its key");
    }
    let mut header = (!args.select.is_empty()).then(|| args.select.clone());
    let (mut append, mut cut_at) = (false, None);
    if args.resume
        && let Some((_, columns, cut)) = resume(&args, &mode, &mut params)?
    {
        header = columns.or(header);
        append = true;
        cut_at = cut;
    }
    catalog::check(spec, &params)?;
    let client = config::client(profile)?;
    let mut sink = Sink::new(args.format, output(&args, append, cut_at)?, header, append);
    let bar = ProgressBar::new_spinner();
    bar.set_style(spinner_style());
    let started = Instant::now();
    let method = spec.name.as_str();
    let written = crate::runtime()?.block_on(async {
        match mode.fast_key {
            Some(key) => {
                let items = client.export_raw(method, params, mode.listing);
                exported(items, key, &mut sink, &bar).await
            }
            None => {
                let mut items = client.list_raw(method, params, mode.listing);
                while let Some(item) = items.next().await {
                    sink.write(&item?)?;
                    bar.inc(1);
                }
                Ok(())
            }
        }
    });
    bar.finish_and_clear();
    let n = sink.count;
    sink.finish()?;
    written?;
    let to = args
        .output
        .as_ref()
        .map_or("standard output".to_string(), |p| p.display().to_string());
    eprintln!(
        "{n} records of {method} in {:.1} s → {to}",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The records of a fast export into `sink`. Not counted (that is what makes it fast), the
/// list's size is unknown; its largest key is, so the bar runs over the keys and gives an
/// ETA.
async fn exported(
    mut items: b24_core::Export<Value>,
    key: &str,
    sink: &mut Sink,
    bar: &ProgressBar,
) -> Result<(), Fail> {
    let mut by_key = false;
    while let Some(item) = items.next().await {
        let item = item?;
        sink.write(&item)?;
        if !by_key && let Some(max) = items.progress().max_key {
            bar.set_length(u64::try_from(max).unwrap_or(0));
            bar.set_style(key_style(key));
            bar.set_message(sink.count.to_string());
            by_key = true;
        }
        if by_key {
            if let Some(k) = key_of(&item, key) {
                bar.set_position(k);
            }
            if sink.count.is_multiple_of(256) {
                bar.set_message(sink.count.to_string());
            }
        } else {
            bar.inc(1);
        }
    }
    Ok(())
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {human_pos} records, {rate}, {elapsed}")
        .map(with_rate)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn key_style(key: &str) -> ProgressStyle {
    let template = format!("{{bar:30}} {{msg}} records, {key} {{pos}}/{{len}}, ETA {{eta}}");
    ProgressStyle::with_template(&template)
        .map(with_settled_eta)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// `{eta}`: indicatif's estimate once it has something to go on (a second of progress or
/// a twentieth of the way), `…` before: the rate of the first few records says little.
fn with_settled_eta(style: ProgressStyle) -> ProgressStyle {
    style.with_key(
        "eta",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = if eta_settled(state.elapsed(), state.fraction()) {
                write!(w, "{:#}", indicatif::HumanDuration(state.eta()))
            } else {
                write!(w, "…")
            };
        },
    )
}

/// Whether an estimate is worth showing after `elapsed` with `fraction` of the work done.
fn eta_settled(elapsed: std::time::Duration, fraction: f32) -> bool {
    elapsed >= std::time::Duration::from_secs(1) || fraction >= 0.05
}

/// The integer key of a record (`ID`, in any letter case; a number or a numeric string).
fn key_of(item: &Value, key: &str) -> Option<u64> {
    let v = item
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))?
        .1;
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// `{rate}`: records a second, whole.
fn with_rate(style: ProgressStyle) -> ProgressStyle {
    style.with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        },
    )
}

/// The parameters changed to ask only for records after key `last`.
fn after(params: &mut Value, key: &str, last: i64, api: Api) -> Result<(), Fail> {
    match api {
        Api::V2 => {
            let filter = params.as_object_mut().map(|p| {
                p.entry("filter")
                    .or_insert_with(|| Value::Object(Map::new()))
            });
            match filter {
                Some(Value::Object(f)) => {
                    f.insert(format!(">{key}"), json!(last));
                }
                _ => return Err(Fail::Input("--filter must be a JSON object".into())),
            }
        }
        Api::V3 => {
            let filter = params.as_object_mut().map(|p| {
                p.entry("filter")
                    .or_insert_with(|| Value::Array(Vec::new()))
            });
            match filter {
                Some(Value::Array(f)) => f.push(json!([key, ">", last])),
                _ => {
                    return Err(Fail::Input(
                        "--filter of a REST 3.0 method is a list of conditions".into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Where an output file stops: the key of its last record, a CSV's columns, and for a JSON
/// array the length to cut the file to (after its last whole record) before going on.
type Resume = (i64, Option<Vec<String>>, Option<u64>);

/// The key `key` of `record` as an integer (a number or a string of one).
fn record_key(record: &Value, key: &str) -> Option<i64> {
    record
        .as_object()
        .and_then(|o| o.iter().find(|(name, _)| name.eq_ignore_ascii_case(key)))
        .and_then(|(_, v)| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
}

/// The last whole record of a JSON array file and the offset just after it: the array may
/// be closed, or cut anywhere by an interrupted run (a record cut half-way is dropped).
fn last_json_record(bytes: &[u8]) -> Result<Option<(Value, usize)>, String> {
    let ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut pos = ws(0);
    if pos == bytes.len() {
        return Ok(None);
    }
    if bytes[pos] != b'[' {
        return Err("not a JSON array".into());
    }
    pos += 1;
    let mut last = None;
    loop {
        pos = ws(pos);
        if pos == bytes.len() || bytes[pos] == b']' {
            return Ok(last);
        }
        let mut values = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(v)) => {
                pos += values.byte_offset();
                last = Some((v, pos));
            }
            // Cut in the middle of a record: the records before it stand.
            Some(Err(e)) if e.is_eof() => return Ok(last),
            Some(Err(e)) => return Err(format!("at byte {pos}: {e}")),
            None => return Ok(last),
        }
        pos = ws(pos);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') | None => return Ok(last),
            Some(_) => return Err(format!("at byte {pos}: expected `,` or `]`")),
        }
    }
}

/// The key of the last record in `path`, and the CSV's columns; `None` for a file that is
/// not there or holds no record.
fn last_key(path: &Path, format: Format, key: &str) -> Result<Option<Resume>, Fail> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path, e)),
    };
    let bad = |why: String| Fail::Input(format!("{}: cannot resume: {why}", path.display()));
    let int = |v: &str| v.trim().trim_matches('"').parse::<i64>().ok();
    match format {
        Format::Json => {
            let mut bytes = Vec::new();
            std::io::BufReader::new(file)
                .read_to_end(&mut bytes)
                .map_err(|e| io(path, e))?;
            let Some((record, end)) = last_json_record(&bytes).map_err(bad)? else {
                return Ok(None);
            };
            let k = record_key(&record, key)
                .ok_or_else(|| bad(format!("the last record has no integer `{key}`")))?;
            Ok(Some((k, None, u64::try_from(end).ok())))
        }
        Format::Jsonl => {
            let mut last = None;
            for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| io(path, e))?;
                if !line.trim().is_empty() {
                    last = Some((i + 1, line));
                }
            }
            let Some((n, line)) = last else {
                return Ok(None);
            };
            let record: Value = serde_json::from_str(&line).map_err(|e| {
                bad(format!(
                    "line {n} is not JSON ({e}): the last write was cut; remove the line"
                ))
            })?;
            let k = record_key(&record, key)
                .ok_or_else(|| bad(format!("line {n} has no integer `{key}`")))?;
            Ok(Some((k, None, None)))
        }
        Format::Csv => {
            let mut reader = csv::Reader::from_reader(file);
            let columns: Vec<String> = reader
                .headers()
                .map_err(|e| bad(e.to_string()))?
                .iter()
                .map(str::to_string)
                .collect();
            let Some(col) = columns.iter().position(|c| c.eq_ignore_ascii_case(key)) else {
                return Err(bad(format!("no `{key}` column to resume from")));
            };
            let mut last = None;
            for row in reader.records() {
                last = Some(row.map_err(|e| bad(e.to_string()))?);
            }
            let Some(row) = last else { return Ok(None) };
            let k = row
                .get(col)
                .and_then(int)
                .ok_or_else(|| bad(format!("the last row has no integer `{key}`")))?;
            Ok(Some((k, Some(columns), None)))
        }
    }
}

/// Where records go.
struct Sink {
    format: Format,
    /// JSON Lines and JSON.
    out: Option<Box<dyn Write>>,
    csv: Option<csv::Writer<Box<dyn Write>>>,
    header: Option<Vec<String>>,
    header_written: bool,
    /// Records already in the file this run goes on with (`--resume`).
    continued: bool,
    count: u64,
}

fn wrote(e: impl std::fmt::Display) -> Fail {
    Fail::Transport(format!("writing the output: {e}"))
}

impl Sink {
    fn new(format: Format, out: Box<dyn Write>, header: Option<Vec<String>>, append: bool) -> Sink {
        let (out, csv) = match format {
            Format::Csv => (None, Some(csv::Writer::from_writer(out))),
            _ => (Some(out), None),
        };
        Sink {
            format,
            out,
            csv,
            header,
            header_written: append,
            continued: append,
            count: 0,
        }
    }

    fn write(&mut self, record: &Value) -> Result<(), Fail> {
        if let Some(out) = self.out.as_mut() {
            if self.format == Format::Json {
                let first = self.count == 0 && !self.continued;
                let sep: &[u8] = if first { b"[\n" } else { b",\n" };
                out.write_all(sep).map_err(wrote)?;
            }
            serde_json::to_writer(&mut *out, record).map_err(wrote)?;
            if self.format == Format::Jsonl {
                out.write_all(b"\n").map_err(wrote)?;
            }
        } else {
            self.row(record)?;
        }
        self.count += 1;
        Ok(())
    }

    /// One CSV row: the columns of `--select`, or of the first record.
    fn row(&mut self, record: &Value) -> Result<(), Fail> {
        let columns = self.header.get_or_insert_with(|| match record {
            Value::Object(o) => o.keys().cloned().collect(),
            _ => vec!["value".to_string()],
        });
        let Some(csv) = self.csv.as_mut() else {
            return Ok(());
        };
        if !self.header_written {
            csv.write_record(columns.iter()).map_err(wrote)?;
            self.header_written = true;
        }
        let cell = |v: Option<&Value>| match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let cells: Vec<String> = match record {
            Value::Object(o) => columns
                .iter()
                .map(|c| {
                    cell(o.get(c).or_else(|| {
                        o.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(c))
                            .map(|(_, v)| v)
                    }))
                })
                .collect(),
            other => vec![cell(Some(other))],
        };
        csv.write_record(&cells).map_err(wrote)
    }

    fn finish(mut self) -> Result<(), Fail> {
        if let Some(csv) = self.csv.as_mut() {
            csv.flush().map_err(wrote)?;
        }
        if let Some(out) = self.out.as_mut() {
            if self.format == Format::Json {
                let empty = self.count == 0 && !self.continued;
                let end: &[u8] = if empty { b"[]\n" } else { b"\n]\n" };
                out.write_all(end).map_err(wrote)?;
            }
            out.flush().map_err(wrote)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{eta_settled, last_json_record};
    use std::time::Duration;

    #[test]
    fn an_eta_waits_for_a_second_or_a_twentieth_of_the_way() {
        // The capture that showed `ETA 27m` for a half-second list: 3 of 20,000 keys.
        assert!(!eta_settled(Duration::from_millis(80), 3.0 / 20_000.0));
        assert!(eta_settled(Duration::from_millis(80), 0.05));
        assert!(eta_settled(Duration::from_secs(1), 0.0));
    }

    #[test]
    fn a_json_array_goes_on_after_its_last_whole_record() {
        let whole = br#"[
{"ID":"1"},
{"ID":"2"}
]
"#;
        let (v, end) = last_json_record(whole).expect("valid").expect("a record");
        assert_eq!(v["ID"], "2");
        assert_eq!(&whole[end - 1..end], b"}");
        // Cut inside the second record, after a comma, or before any record.
        for cut in [
            &br#"[{"ID":"1"},{"ID":"#[..],
            br#"[{"ID":"1"},"#,
            br#"[{"ID":"1"}"#,
        ] {
            let (v, end) = last_json_record(cut).expect("valid").expect("a record");
            assert_eq!((v["ID"].as_str(), end), (Some("1"), 11));
        }
        assert_eq!(last_json_record(b"[\n").expect("valid"), None);
        assert_eq!(last_json_record(b"").expect("valid"), None);
        assert!(last_json_record(b"{\"ID\":1}").is_err());
        assert!(last_json_record(b"[{\"ID\":1} x").is_err());
    }
}
