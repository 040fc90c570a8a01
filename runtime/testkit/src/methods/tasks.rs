//! REST 3.0 `tasks.task.add` and `tasks.task.list` (`/rest/api/`), kept in the portal's
//! state: what the exactly-once and paging tests count.

use serde_json::{Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome};

const VALIDATION: &str = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION";

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

/// `tasks.task.list` (REST 3.0): the tasks in `id` order, `pagination: {page, limit}`
/// (default 50, at most 1000, as the docs' table says); the page as `{"items": […]}`.
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
    let items: Vec<Value> = ctx
        .state
        .tasks
        .values()
        .skip(skip)
        .take(limit as usize)
        .cloned()
        .collect();
    let n = items.len() as u64;
    Ok(Outcome::of(json!({ "items": items })).records(n))
}
