//! Method handlers: stateful ones for im.recent.*, crm.deal.*, crm.item.* and a few
//! portal methods; every other method of the spec catalog through the spec-driven fallback.

mod crm;
mod disk;
mod events;
mod im;
mod misc;
mod tasks;

use serde_json::Value;

use crate::config::Config;
use crate::fallback::Catalog;
use crate::state::State;

pub(crate) use crate::outcome::{ApiErr, CmdResult, Outcome};

/// What a handler may touch.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub cfg: &'a Config,
    pub catalog: &'a Catalog,
    /// Unix time now.
    pub now: f64,
    /// `http://127.0.0.1:PORT`.
    pub base: &'a str,
}

impl Ctx<'_> {
    /// `name` happened with `data`: posts to the online handlers bound to it (sent once
    /// the call is answered) and a record in the offline queue.
    pub(crate) fn emit(&mut self, name: &str, data: Value) {
        let domain = self.base.split_once("://").map_or(self.base, |(_, d)| d);
        let from = crate::events::Origin {
            domain,
            member_id: "testkit-member",
            application_token: &self.cfg.application_token,
        };
        self.state.events.emit(name, data, self.now, &from);
    }
}

/// Executes one command; `None` when the portal has no such method.
pub(crate) fn execute(ctx: &mut Ctx<'_>, method: &str, params: &Value) -> Option<CmdResult> {
    // A canned result answers even a method the portal keeps state for.
    let canned = ctx.cfg.canned.contains_key(method);
    let r = match method {
        _ if canned => return fallback(ctx, method, params),
        "im.recent.unread" => im::unread(ctx, params),
        "im.recent.pin" => im::pin(ctx, params),
        "im.recent.hide" => im::hide(ctx, params),
        "im.recent.get" => im::get(ctx, params),
        "im.recent.list" => im::list(ctx, params),
        "im.message.add" => im::message_add(ctx, params),
        "crm.deal.add" => crm::deal_add(ctx, params),
        "crm.deal.get" => crm::deal_get(ctx, params),
        "crm.deal.update" => crm::deal_update(ctx, params),
        "crm.deal.delete" => crm::deal_delete(ctx, params),
        "crm.deal.list" => crm::deal_list(ctx, params),
        "crm.item.add" => crm::item_add(ctx, params),
        "crm.item.get" => crm::item_get(ctx, params),
        "crm.item.update" => crm::item_update(ctx, params),
        "crm.item.delete" => crm::item_delete(ctx, params),
        "crm.item.list" => crm::item_list(ctx, params),
        "disk.folder.uploadfile" => disk::folder_uploadfile(ctx, params),
        "disk.file.get" => disk::file_get(ctx, params),
        "event.bind" => events::bind(ctx, params),
        "event.unbind" => events::unbind(ctx, params),
        "event.get" => events::get(ctx),
        "event.offline.get" => events::offline_get(ctx, params),
        "event.offline.clear" => events::offline_clear(ctx, params),
        "profile" => misc::profile(),
        "user.current" => misc::user_current(),
        "methods" => misc::methods(ctx),
        "scope" => misc::scope(ctx),
        "tasks.task.add" => tasks::add_v2(ctx, params),
        "tasks.task.add@v3" => tasks::add_v3(ctx, params),
        "tasks.task.list@v3" => tasks::list_v3(ctx, params),
        "tasks.task.get@v3" => tasks::get_v3(ctx, params),
        "rest.documentation.openapi@v3" | "documentation@v3" => misc::openapi(ctx),
        "rest.scope.list@v3" => misc::scope_list(ctx),
        _ => return fallback(ctx, method, params),
    };
    Some(r)
}

/// The spec-driven answer, recording the parameters the spec does not list.
fn fallback(ctx: &mut Ctx<'_>, method: &str, params: &Value) -> Option<CmdResult> {
    let (r, unlisted) = ctx.catalog.fallback(ctx.cfg, method, params)?;
    if !unlisted.is_empty() {
        ctx.state
            .stats
            .unlisted_params
            .entry(method.to_string())
            .or_default()
            .extend(unlisted);
    }
    Some(r)
}

/// REST 3.0 methods with a handler of their own (the others answer as their REST v2 twin's
/// spec says).
const V3_HANDLED: &[&str] = &[
    "tasks.task.add",
    "tasks.task.get",
    "tasks.task.list",
    "rest.documentation.openapi",
    "documentation",
    "rest.scope.list",
];

/// The command the portal runs for REST 3.0 `method` (lower case): `name@v3` when it has a
/// handler of its own.
pub(crate) fn v3_command(method: &str) -> String {
    if V3_HANDLED.contains(&method) {
        format!("{method}@v3")
    } else {
        method.to_string()
    }
}

/// Whether `method` has a hand-written handler.
pub(crate) const HANDLED: &[&str] = &[
    "batch",
    "im.recent.unread",
    "im.recent.pin",
    "im.recent.hide",
    "im.recent.get",
    "im.recent.list",
    "im.message.add",
    "crm.deal.add",
    "crm.deal.get",
    "crm.deal.update",
    "crm.deal.delete",
    "crm.deal.list",
    "crm.item.add",
    "crm.item.get",
    "crm.item.update",
    "crm.item.delete",
    "crm.item.list",
    "disk.folder.uploadfile",
    "disk.file.get",
    "event.bind",
    "event.unbind",
    "event.get",
    "event.offline.get",
    "event.offline.clear",
    "profile",
    "user.current",
    "methods",
    "scope",
    "tasks.task.add",
];

/// A parameter by name, matched case-insensitively.
pub(crate) fn param<'a>(params: &'a Value, name: &str) -> Option<&'a Value> {
    let obj = params.as_object()?;
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A scalar parameter as text.
pub(crate) fn param_str(params: &Value, name: &str) -> Option<String> {
    match param(params, name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "Y" } else { "N" }.to_string()),
        _ => None,
    }
}

/// An integer parameter (numbers or numeric strings).
pub(crate) fn param_int(params: &Value, name: &str) -> Option<i64> {
    match param(params, name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
