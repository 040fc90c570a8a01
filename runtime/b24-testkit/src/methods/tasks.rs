//! `tasks.task.add` — REST v2 (`fields.TITLE`, `fields.RESPONSIBLE_ID`) and REST 3.0
//! (`fields.title`, …) — and REST 3.0 `tasks.task.list` (`/rest/api/`), kept in the
//! portal's state: what the exactly-once, paging and wire tests count.

use serde_json::{Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome};

const VALIDATION: &str = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION";

/// `tasks.task.add` (REST v2): the request writes the task's fields in SCREAMING_SNAKE_CASE
/// (tasks-task-add.md: its table names `TITLE` and `RESPONSIBLE_ID` as the required fields,
/// and every example writes them so); the answer is the task in camelCase,
/// `{"task": {"id": …, "title": …, "responsibleId": …}}`. A `fields` without a `TITLE`
/// (`title` is not one) is refused as the portal does: `ERROR_CORE` "Task title not
/// specified", and without `RESPONSIBLE_ID` "Responsible person not specified" (the page's
/// error table).
pub(super) fn add_v2(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let fields = super::param(params, "fields")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let text = |name: &str| match fields.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(Value::from(s.clone())),
        Some(Value::Number(n)) => Some(Value::from(n.to_string())),
        _ => None,
    };
    let Some(title) = text("TITLE") else {
        return Err(ApiErr::new(400, "ERROR_CORE", "Task title not specified"));
    };
    let Some(responsible) = text("RESPONSIBLE_ID") else {
        return Err(ApiErr::new(
            400,
            "ERROR_CORE",
            "Responsible person not specified",
        ));
    };
    let id = ctx.state.next_task;
    ctx.state.next_task += 1;
    let task = json!({
        "id": id.to_string(),
        "title": title,
        "responsibleId": responsible,
        "createdBy": text("CREATED_BY").unwrap_or(Value::Null),
        "deadline": text("DEADLINE").unwrap_or(Value::Null),
    });
    ctx.state.tasks.insert(
        id,
        json!({"id": id, "title": task["title"], "responsibleId": responsible.as_str().and_then(|r| r.parse::<u64>().ok())}),
    );
    ctx.state
        .log_write("tasks.task.add", format!("task:{id}"), params);
    Ok(Outcome::of(json!({ "task": task })).records(1))
}

/// `tasks.task.add` (REST 3.0): `fields.title`, `fields.creatorId` and
/// `fields.responsibleId` required (the docs' table); the new task as `{"item": {…}}`.
pub(super) fn add_v3(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let fields = params.get("fields").and_then(Value::as_object);
    let mut missing = Vec::new();
    for (name, want_string) in [
        ("title", true),
        ("creatorId", false),
        ("responsibleId", false),
    ] {
        let ok = fields.and_then(|f| f.get(name)).is_some_and(|v| {
            if want_string {
                v.as_str().is_some_and(|s| !s.is_empty())
            } else {
                v.as_i64().is_some()
            }
        });
        if !ok {
            missing.push((
                format!("fields.{name}"),
                format!("Required field `{name}` is not specified"),
            ));
        }
    }
    if !missing.is_empty() {
        let mut e = ApiErr::new(400, VALIDATION, "Error validating request object");
        e.validation = missing;
        return Err(e);
    }
    let fields = fields.cloned().unwrap_or_default();
    let id = ctx.state.next_task;
    ctx.state.next_task += 1;
    let task = json!({
        "id": id,
        "title": fields.get("title").cloned().unwrap_or(Value::Null),
        "creatorId": fields.get("creatorId").cloned().unwrap_or(Value::Null),
        "responsibleId": fields.get("responsibleId").cloned().unwrap_or(Value::Null),
    });
    ctx.state.tasks.insert(id, task.clone());
    ctx.state
        .log_write("tasks.task.add", format!("task:{id}"), params);
    Ok(Outcome::of(json!({ "item": task })).records(1))
}

/// The fields of `task` that `select` names; a related field (`responsible.name`,
/// `creator.email`: `api-reference/rest-v3.md#connection`) becomes an object of the user
/// its `…Id` names, with the fields asked for.
fn selected(task: &Value, select: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    for field in select.iter().filter_map(Value::as_str) {
        match field.split_once('.') {
            None => {
                if let Some(v) = task.get(field) {
                    out.insert(field.to_string(), v.clone());
                }
            }
            Some((relation, member)) => {
                let Some(user) = task.get(format!("{relation}Id")).and_then(Value::as_u64) else {
                    continue;
                };
                let value = match member {
                    "id" => json!(user),
                    "name" => json!(format!("User {user}")),
                    "email" => json!(format!("user{user}@testkit.invalid")),
                    _ => continue,
                };
                let related = out.entry(relation).or_insert_with(|| json!({}));
                related[member] = value;
            }
        }
    }
    Value::Object(out)
}

/// `tasks.task.get` (REST 3.0): `{"item": {…}}` (the fields of `select`, related ones
/// too), or `…ENTITYNOTFOUNDEXCEPTION` (HTTP 400,
/// the docs' table) for an id the portal does not have.
pub(super) fn get_v3(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let Some(id) = params.get("id").and_then(Value::as_u64) else {
        let mut e = ApiErr::new(400, VALIDATION, "Error validating request object");
        e.validation = vec![("id".into(), "Required field `id` is not specified".into())];
        return Err(e);
    };
    match ctx.state.tasks.get(&id) {
        Some(task) => {
            let item = match params.get("select").and_then(Value::as_array) {
                Some(fields) if !fields.is_empty() => selected(task, fields),
                _ => task.clone(),
            };
            Ok(Outcome::of(json!({ "item": item })).records(1))
        }
        None => Err(ApiErr::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION",
            &format!("Task {id} not found"),
        )),
    }
}

/// `tasks.task.list` (REST 3.0): `filter` (conditions `[field, op, value]`, `[field,
/// [values]]`, `{logic, conditions}` groups; the operators of `api-reference/rest-v3.md`),
/// `order` (`{field: "ASC"|"DESC"}`, default `id` ascending), `select` (default every
/// field), `pagination: {page, limit}` (default 50, at most 1000, as the docs' table says);
/// the page as `{"items": […]}`.
pub(super) fn list_v3(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let pagination = params.get("pagination");
    let int = |name: &str, default: u64| {
        pagination
            .and_then(|p| p.get(name))
            .and_then(Value::as_u64)
            .unwrap_or(default)
    };
    let (page, limit) = (int("page", 1).max(1), int("limit", 50).clamp(1, 1000));
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let filter = params.get("filter").cloned().unwrap_or(Value::Null);
    let mut rows: Vec<&Value> = Vec::new();
    for task in ctx.state.tasks.values() {
        if matches(task, &filter)? {
            rows.push(task);
        }
    }
    if let Some(Value::Object(order)) = params.get("order") {
        for (field, dir) in order.iter().rev() {
            let desc = dir.as_str().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            rows.sort_by(|a, b| {
                let o = compare(&a[field.as_str()], &b[field.as_str()]);
                if desc { o.reverse() } else { o }
            });
        }
    }
    let select: Option<Vec<&str>> = params
        .get("select")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect());
    let items: Vec<Value> = rows
        .into_iter()
        .skip(skip)
        .take(limit as usize)
        .map(|t| match &select {
            Some(fields) if !fields.is_empty() => {
                let picked: serde_json::Map<String, Value> = fields
                    .iter()
                    .filter_map(|f| t.get(*f).map(|v| (f.to_string(), v.clone())))
                    .collect();
                Value::Object(picked)
            }
            _ => t.clone(),
        })
        .collect();
    let n = items.len() as u64;
    Ok(Outcome::of(json!({ "items": items })).records(n))
}

/// Whether `task` passes a REST 3.0 filter (the conditions of an array all hold).
fn matches(task: &Value, filter: &Value) -> Result<bool, ApiErr> {
    match filter {
        Value::Null => Ok(true),
        Value::Array(conditions) => {
            for c in conditions {
                if !condition(task, c)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Err(ApiErr::new(
            400,
            VALIDATION,
            "The filter is an array of conditions",
        )),
    }
}

fn condition(task: &Value, c: &Value) -> Result<bool, ApiErr> {
    if let Some(group) = c.get("conditions").and_then(Value::as_array) {
        let or = c
            .get("logic")
            .and_then(Value::as_str)
            .is_some_and(|l| l.eq_ignore_ascii_case("or"));
        let mut any = false;
        for inner in group {
            let hit = condition(task, inner)?;
            if or && hit {
                return Ok(true);
            }
            if !or && !hit {
                return Ok(false);
            }
            any |= hit;
        }
        return Ok(!or || any);
    }
    let (field, op, value) = match c.as_array().map(Vec::as_slice) {
        Some([Value::String(f), v @ Value::Array(_)]) => (f, "in", v),
        Some([Value::String(f), Value::String(op), v]) => (f, op.as_str(), v),
        _ => {
            return Err(ApiErr::new(
                400,
                VALIDATION,
                &format!("A filter condition is `[field, operator, value]`: {c}"),
            ));
        }
    };
    let Some(have) = task.get(field.as_str()) else {
        return Err(ApiErr::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION",
            &format!("Unknown field `{field}` for entity `TaskDto`"),
        ));
    };
    let o = compare(have, value);
    use std::cmp::Ordering::*;
    Ok(match op {
        "=" => o == Equal,
        "!=" => o != Equal,
        ">" => o == Greater,
        ">=" => o != Less,
        "<" => o == Less,
        "<=" => o != Greater,
        "in" => value
            .as_array()
            .is_some_and(|vs| vs.iter().any(|v| compare(have, v) == Equal)),
        "between" => match value.as_array().map(Vec::as_slice) {
            Some([lo, hi]) => compare(have, lo) != Less && compare(have, hi) != Greater,
            _ => false,
        },
        _ => {
            return Err(ApiErr::new(
                400,
                "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION",
                &format!("Unknown filter operator `{op}`"),
            ));
        }
    })
}

/// Numbers by value, anything else by its text.
fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => {
            let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
            text(a).cmp(&text(b))
        }
    }
}
