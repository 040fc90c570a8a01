//! `im.recent.*` over the seeded dialogs `chat1`…`chatN`, and `im.message.add` to them
//! (posting `ONIMV2MESSAGEADD` to bound handlers).

use serde_json::{Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome, param_int, param_str};
use crate::state::Dialog;

/// A parsed `DIALOG_ID`.
enum DialogRef {
    Chat(u64),
    Other,
}

fn dialog_id(params: &Value) -> Result<DialogRef, ApiErr> {
    let empty = || ApiErr::new(400, "DIALOG_ID_EMPTY", "Dialog ID can't be empty");
    let raw = param_str(params, "DIALOG_ID").ok_or_else(empty)?;
    let (chat, digits) = if let Some(d) = raw.strip_prefix("chat") {
        (true, d)
    } else if let Some(d) = raw.strip_prefix("sg") {
        (false, d)
    } else {
        (false, raw.as_str())
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(empty());
    }
    match digits.parse::<u64>() {
        Ok(0) | Err(_) => Err(empty()),
        Ok(n) if chat => Ok(DialogRef::Chat(n)),
        Ok(_) => Ok(DialogRef::Other),
    }
}

fn flag(params: &Value, name: &str) -> bool {
    param_str(params, name).is_none_or(|v| v != "N")
}

fn set(ctx: &mut Ctx<'_>, params: &Value, method: &str, apply: impl Fn(&mut Dialog)) -> CmdResult {
    let DialogRef::Chat(n) = dialog_id(params)? else {
        return Ok(Outcome::of(json!(false)));
    };
    let now = ctx.now;
    let Some(d) = ctx.state.dialogs.get_mut(&n) else {
        return Ok(Outcome::of(json!(false)));
    };
    apply(d);
    d.date_update = now;
    ctx.state.log_write(method, format!("chat{n}"), params);
    Ok(Outcome::of(json!(true)).records(1))
}

pub(super) fn unread(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let on = flag(params, "ACTION");
    set(ctx, params, "im.recent.unread", |d| {
        d.unread = on;
        if !on {
            d.counter = 0;
        }
    })
}

pub(super) fn pin(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let on = flag(params, "PIN");
    set(ctx, params, "im.recent.pin", |d| d.pinned = on)
}

pub(super) fn hide(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    set(ctx, params, "im.recent.hide", |d| d.hidden = true)
}

/// `im.message.add` to a seeded chat: the message's id; bound handlers get
/// `ONIMV2MESSAGEADD` with the message, the chat and the author (the fields of the event's
/// docs example).
pub(super) fn message_add(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let DialogRef::Chat(n) = dialog_id(params)? else {
        return Err(ApiErr::new(400, "ACCESS_ERROR", "Action unavailable"));
    };
    let text = param_str(params, "MESSAGE").unwrap_or_default();
    if text.trim().is_empty() && params.get("ATTACH").is_none() {
        return Err(ApiErr::new(400, "MESSAGE_EMPTY", "Message can't be empty"));
    }
    let now = ctx.now;
    let Some(d) = ctx.state.dialogs.get_mut(&n) else {
        return Err(ApiErr::new(400, "ACCESS_ERROR", "Action unavailable"));
    };
    d.date_update = now;
    let (dialog, title) = (d.id.clone(), d.title.clone());
    let id = ctx.state.next_message;
    ctx.state.next_message += 1;
    ctx.state
        .log_write("im.message.add", format!("message:{id}"), params);
    ctx.emit(
        "ONIMV2MESSAGEADD",
        json!({
            "message": {
                "id": id, "chatId": n, "authorId": 1, "date": crate::util::atom(now),
                "text": text, "isSystem": false, "uuid": "", "params": {}, "viewedByOthers": false,
            },
            "chat": { "id": n, "dialogId": dialog, "name": title, "type": "chat", "messageType": "C" },
            "user": { "id": 1, "name": "Testkit Admin", "active": true },
            "language": "en",
        }),
    );
    Ok(Outcome::of(json!(id)).records(1))
}

fn item(d: &Dialog) -> Value {
    let date = crate::util::atom(d.date_update);
    json!({
        "id": d.id,
        "chat_id": d.chat_id,
        "type": "chat",
        "avatar": {"url": "", "color": "#df532d"},
        "title": d.title,
        "message": {
            "id": d.chat_id * 100, "text": "", "file": false, "author_id": 0, "attach": false,
            "sticker": null, "date": date, "status": "received", "uuid": null
        },
        "counter": d.counter,
        "last_id": d.chat_id * 100,
        "pinned": d.pinned,
        "unread": d.unread,
        "has_reminder": false,
        "date_update": date,
        "date_last_activity": date,
        "chat": {
            "id": d.chat_id, "parent_chat_id": 0, "parent_message_id": 0, "name": d.title, "owner": 1,
            "extranet": false, "contains_collaber": false, "avatar": "", "color": "#df532d", "type": "chat",
            "entity_type": "", "entity_id": "", "entity_data_1": "", "entity_data_2": "", "entity_data_3": "",
            "mute_list": [], "manager_list": [1], "date_create": date, "message_type": "C", "user_counter": 2,
            "restrictions": {"avatar": true, "rename": true, "extend": true, "call": true, "mute": true,
                             "leave": true, "leave_owner": true, "send": true, "user_list": true},
            "role": "OWNER", "text_field_enabled": true, "background_id": null,
            "entity_link": {"type": "", "url": "", "id": ""},
            "permissions": {"manage_users_add": "member", "manage_users_delete": "manager", "manage_ui": "member",
                            "manage_settings": "owner", "manage_messages": "member", "can_post": "member"},
            "public": ""
        },
        "user": {"id": 0},
        "options": []
    })
}

/// Visible dialogs, pinned first, newest first.
fn visible<'a>(ctx: &'a Ctx<'_>, params: &Value) -> Vec<&'a Dialog> {
    let skip_chats = param_str(params, "SKIP_CHAT").is_some_and(|v| v == "Y");
    let unread_only = param_str(params, "UNREAD_ONLY").is_some_and(|v| v == "Y");
    let mut v: Vec<&Dialog> = ctx
        .state
        .dialogs
        .values()
        .filter(|d| !d.hidden && !skip_chats)
        .filter(|d| !unread_only || d.unread || d.counter > 0)
        .collect();
    v.sort_by(|a, b| {
        b.pinned
            .cmp(&a.pinned)
            .then(b.date_update.total_cmp(&a.date_update))
    });
    v
}

pub(super) fn get(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let items: Vec<Value> = visible(ctx, params).into_iter().map(item).collect();
    let n = items.len() as u64;
    Ok(Outcome::of(Value::Array(items)).records(n))
}

pub(super) fn list(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let offset = param_int(params, "OFFSET").unwrap_or(0).max(0) as usize;
    let limit = param_int(params, "LIMIT").unwrap_or(50).clamp(1, 200) as usize;
    let all = visible(ctx, params);
    let more = all.len() > offset + limit;
    let items: Vec<Value> = all.into_iter().skip(offset).take(limit).map(item).collect();
    let n = items.len() as u64;
    let mut out = Outcome::of(json!({
        "items": items,
        "hasMorePages": more,
        "hasMore": more,
        "copilot": null,
        "messagesAutoDeleteConfigs": []
    }))
    .records(n);
    out.total = Some(-1); // as the real portal does
    Ok(out)
}
