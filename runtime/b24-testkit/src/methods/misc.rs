//! `profile`, `user.current`, `methods`, `scope`.

use serde_json::{Value, json};

use super::{CmdResult, Ctx, HANDLED, Outcome};

pub(super) fn profile() -> CmdResult {
    Ok(Outcome::of(json!({
        "ID": "1",
        "ADMIN": true,
        "NAME": "Test",
        "LAST_NAME": "Portal",
        "PERSONAL_GENDER": "",
        "PERSONAL_PHOTO": "",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": 0
    })))
}

pub(super) fn user_current() -> CmdResult {
    Ok(Outcome::of(json!({
        "ID": "1",
        "XML_ID": "",
        "ACTIVE": true,
        "NAME": "Test",
        "LAST_NAME": "Portal",
        "EMAIL": "admin@testkit.invalid",
        "LAST_LOGIN": "2026-01-01T10:00:00+00:00",
        "DATE_REGISTER": "2026-01-01T00:00:00+00:00",
        "IS_ONLINE": "Y",
        "TIME_ZONE_OFFSET": "0",
        "USER_TYPE": "employee",
        "UF_DEPARTMENT": [1]
    })))
}

pub(super) fn methods(ctx: &mut Ctx<'_>) -> CmdResult {
    let mut names: Vec<String> = ctx.catalog.names()?;
    names.extend(HANDLED.iter().map(|s| s.to_string()));
    names.sort();
    names.dedup();
    Ok(Outcome::of(Value::from(names)))
}

pub(super) fn scope(ctx: &mut Ctx<'_>) -> CmdResult {
    let mut scopes: Vec<String> = ctx.catalog.scopes()?;
    scopes.extend(["crm", "im", "user", "basic"].map(String::from));
    scopes.sort();
    scopes.dedup();
    Ok(Outcome::of(Value::from(scopes)))
}

/// REST 3.0 `rest.documentation.openapi` (alias `documentation`): the document of the
/// portal's REST 3.0 methods, built from their specs.
pub(super) fn openapi(ctx: &mut Ctx<'_>) -> CmdResult {
    Ok(Outcome::of(ctx.catalog.openapi()?.clone()))
}

/// REST 3.0 `rest.scope.list`: `{"<scope>": ["<method>", …]}` of every spec.
pub(super) fn scope_list(ctx: &mut Ctx<'_>) -> CmdResult {
    Ok(Outcome::of(ctx.catalog.scope_list()?))
}
