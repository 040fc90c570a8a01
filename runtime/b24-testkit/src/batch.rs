//! `batch`: up to 50 commands in one request, with `halt` and `$result[…]` references;
//! REST 3.0's form (a JSON array of `{method, query}`, see `api-reference/rest-v3.md#batch`).

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::methods::{param, param_str};
use crate::outcome::{ApiErr, CommandRun};
use crate::php;

/// What `batch` needs of the portal: to run one command at a moment, and the `time`
/// block of a command that ran between two moments.
pub(crate) trait Commands {
    /// Runs `method` as a command of the batch at `now`.
    fn run_command(&self, method: &str, params: &Value, now: Instant) -> CommandRun;
    /// The `time` member of a command that ran from `start` to `finish`.
    fn time_block(&self, start: Instant, finish: Instant, method: &str) -> Value;
}

/// Most commands in one batch.
pub const MAX_COMMANDS: usize = 50;

/// Runs a REST 3.0 batch: the body is an array of `{"method", "query"}`, the result an array
/// of the calls' results in their order. The docs show no failed call in a batch; this
/// portal answers the first call that fails as the error of the whole batch (the calls
/// before it ran).
pub(crate) fn run_v3(
    shared: &impl Commands,
    params: &Value,
    now: Instant,
) -> Result<(Value, Duration), ApiErr> {
    const INVALID: &str = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION";
    let Some(calls) = params.as_array() else {
        return Err(ApiErr::new(
            400,
            INVALID,
            "The batch is a JSON array of calls: [{\"method\": …, \"query\": {…}}]",
        ));
    };
    if calls.len() > MAX_COMMANDS {
        return Err(ApiErr::new(400, INVALID, "Max batch length exceeded"));
    }
    let mut results = Vec::with_capacity(calls.len());
    let mut cost = Duration::ZERO;
    for (i, call) in calls.iter().enumerate() {
        let Some(method) = call.get("method").and_then(Value::as_str) else {
            return Err(ApiErr::new(
                400,
                INVALID,
                &format!("Call {i} of the batch has no `method`"),
            ));
        };
        let method = method.trim().to_ascii_lowercase();
        if method == "batch" {
            return Err(ApiErr::new(400, INVALID, "A batch cannot hold a batch"));
        }
        let query = call.get("query").cloned().unwrap_or_else(|| json!({}));
        let run = shared.run_command(&crate::methods::v3_command(&method), &query, now + cost);
        cost += run.cost;
        results.push(run.outcome?.result);
    }
    Ok((Value::Array(results), cost))
}

/// Runs a batch; `Ok((result, cost))` or the error of the whole call.
pub(crate) fn run(
    shared: &impl Commands,
    params: &Value,
    now: Instant,
) -> Result<(Value, Duration), ApiErr> {
    let cmds: Vec<(String, String)> = match param(params, "cmd") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), text(v)))
            .collect(),
        _ => {
            return Err(ApiErr::new(
                400,
                "ERROR_ARGUMENT",
                "Parameter 'cmd' must be an array of commands",
            ));
        }
    };
    if cmds.len() > MAX_COMMANDS {
        return Err(ApiErr::new(
            400,
            "ERROR_BATCH_LENGTH_EXCEEDED",
            "Max batch length exceeded",
        ));
    }
    let halt = param_str(params, "halt").is_some_and(|h| matches!(h.as_str(), "1" | "true" | "Y"));
    let mut result = Map::new();
    let mut errors = Map::new();
    let mut totals = Map::new();
    let mut nexts = Map::new();
    let mut times = Map::new();
    let mut cost = Duration::ZERO;
    for (key, cmd) in cmds {
        let cmd = substitute(&cmd, &result);
        let (method, query) = cmd.split_once('?').unwrap_or((cmd.as_str(), ""));
        let method = method.trim().trim_end_matches(".json").to_ascii_lowercase();
        let parsed = php::parse_query(query);
        let mut inner = parsed.clone().unwrap_or_default();
        if let Value::Object(m) = &mut inner {
            m.shift_remove("auth");
        }
        let outcome = if let Err(e) = parsed {
            Err(ApiErr::new(400, "INVALID_REQUEST", &e.to_string()))
        } else if method == "batch" {
            Err(ApiErr::new(
                405,
                "ERROR_BATCH_METHOD_NOT_ALLOWED",
                "Method is not allowed for batch usage",
            ))
        } else {
            let run = shared.run_command(&method, &inner, now + cost);
            cost += run.cost;
            times.insert(
                key.clone(),
                shared.time_block(now + cost - run.cost, now + cost, &method),
            );
            run.outcome
        };
        match outcome {
            Ok(o) => {
                result.insert(key.clone(), o.result);
                if let Some(t) = o.total {
                    totals.insert(key.clone(), json!(t));
                }
                if let Some(n) = o.next {
                    nexts.insert(key.clone(), json!(n));
                }
            }
            Err(e) => {
                errors.insert(
                    key.clone(),
                    json!({"error": e.code, "error_description": e.description}),
                );
                if halt {
                    break;
                }
            }
        }
    }
    let map_or_empty = |m: Map<String, Value>| {
        if m.is_empty() {
            json!([])
        } else {
            Value::Object(m)
        }
    };
    Ok((
        json!({
            "result": map_or_empty(result),
            "result_error": map_or_empty(errors),
            "result_total": map_or_empty(totals),
            "result_next": map_or_empty(nexts),
            "result_time": map_or_empty(times),
        }),
        cost,
    ))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces `$result[key][field]…` with the value from an earlier command's result.
pub(crate) fn substitute(cmd: &str, results: &Map<String, Value>) -> String {
    const MARK: &str = "$result[";
    let mut out = String::with_capacity(cmd.len());
    let mut rest = cmd;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i]);
        let mut tail = &rest[i + MARK.len() - 1..];
        let mut path = Vec::new();
        while let Some(stripped) = tail.strip_prefix('[') {
            let Some(end) = stripped.find(']') else { break };
            path.push(&stripped[..end]);
            tail = &stripped[end + 1..];
        }
        let mut cur = path.first().and_then(|k| results.get(*k));
        for seg in path.iter().skip(1) {
            cur = cur.and_then(|v| match v {
                Value::Object(m) => m.get(*seg),
                Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            });
        }
        let value = match cur {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_into_earlier_results() {
        let mut r = Map::new();
        r.insert("deal".into(), json!({"ID": "7", "TITLE": "a b&c"}));
        r.insert("list".into(), json!([{"ID": 3}]));
        assert_eq!(
            substitute("crm.deal.get?id=$result[deal][ID]", &r),
            "crm.deal.get?id=7"
        );
        assert_eq!(
            substitute("x?t=$result[deal][TITLE]&i=$result[list][0][ID]", &r),
            "x?t=a+b%26c&i=3"
        );
        assert_eq!(substitute("x?t=$result[missing][ID]", &r), "x?t=");
        assert_eq!(substitute("plain?x=1", &r), "plain?x=1");
    }
}
