//! `disk.folder.uploadfile` and `disk.file.get` over files kept in memory, and the
//! downloads their `DOWNLOAD_URL`s point at (`GET /_download/{id}?token=…`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome, param, param_int};
use crate::state::StoredFile;

fn file_json(ctx: &Ctx<'_>, id: u64, f: &StoredFile) -> Value {
    json!({
        "ID": id.to_string(),
        "NAME": f.name,
        "CODE": null,
        "STORAGE_ID": "1",
        "TYPE": "file",
        "PARENT_ID": f.folder.to_string(),
        "DELETED_TYPE": "0",
        "GLOBAL_CONTENT_VERSION": "1",
        "FILE_ID": id.to_string(),
        "SIZE": f.content.len().to_string(),
        "CREATE_TIME": "2026-01-01T10:00:00+00:00",
        "UPDATE_TIME": "2026-01-01T10:00:00+00:00",
        "DELETE_TIME": null,
        "CREATED_BY": "1",
        "UPDATED_BY": "1",
        "DELETED_BY": "0",
        "DOWNLOAD_URL": format!("{}/_download/{id}?token={}", ctx.base, f.token),
        "DETAIL_URL": format!("{}/docs/file/{}", ctx.base, f.name),
    })
}

/// `["name.ext", "<base64>"]`, alone or inside `{"fileData": …}`.
fn upload(v: &Value) -> Option<(String, Vec<u8>)> {
    let pair = v.get("fileData").unwrap_or(v).as_array()?;
    let [name, data] = pair.as_slice() else {
        return None;
    };
    Some((
        name.as_str()?.to_string(),
        STANDARD.decode(data.as_str()?.trim()).ok()?,
    ))
}

pub(super) fn folder_uploadfile(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let folder = param_int(params, "id").filter(|i| *i > 0).ok_or_else(|| {
        ApiErr::new(
            400,
            "ERROR_ARGUMENT",
            "Invalid value of parameter {Parameter #0}",
        )
    })?;
    let Some(content) = param(params, "fileContent") else {
        // Without the content: where to send it (the "upload via URL" form).
        return Ok(Outcome::of(json!({
            "field": "file",
            "uploadUrl": format!("{}/_upload/{folder}", ctx.base),
        })));
    };
    let (file_name, bytes) = upload(content).ok_or_else(|| {
        ApiErr::new(
            400,
            "ERROR_ARGUMENT",
            "fileContent is not [name, base64 content]",
        )
    })?;
    let name = param(params, "data")
        .and_then(|d| param(d, "NAME"))
        .and_then(Value::as_str)
        .map_or(file_name, str::to_string);
    let id = ctx.state.next_file;
    ctx.state.next_file += 1;
    let f = StoredFile {
        name,
        folder: folder as u64,
        token: format!("{:016x}", id.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        content: bytes,
    };
    let out = file_json(ctx, id, &f);
    ctx.state.files.insert(id, f);
    Ok(Outcome::of(out).records(1))
}

pub(super) fn file_get(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let id = param_int(params, "id").filter(|i| *i > 0).unwrap_or(0) as u64;
    let f = ctx
        .state
        .files
        .get(&id)
        .ok_or_else(|| ApiErr::new(400, "ERROR_NOT_FOUND", "Could not find entity with id"))?;
    Ok(Outcome::of(file_json(ctx, id, f)))
}
