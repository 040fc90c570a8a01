//! `crm.deal.*` and `crm.item.*` (entityTypeId 2) over the seeded deals.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::{ApiErr, CmdResult, Ctx, Outcome, param, param_int};

const PAGE: usize = 50;
const DEAL_ENTITY_TYPE: i64 = 2;

/// Deal fields as `crm.item.*` names them.
const ITEM_NAMES: &[(&str, &str)] = &[
    ("ID", "id"),
    ("TITLE", "title"),
    ("TYPE_ID", "typeId"),
    ("CATEGORY_ID", "categoryId"),
    ("STAGE_ID", "stageId"),
    ("OPPORTUNITY", "opportunity"),
    ("CURRENCY_ID", "currencyId"),
    ("ASSIGNED_BY_ID", "assignedById"),
    ("COMPANY_ID", "companyId"),
    ("CONTACT_ID", "contactId"),
    ("OPENED", "opened"),
    ("CLOSED", "closed"),
    ("COMMENTS", "comments"),
    ("DATE_CREATE", "createdTime"),
    ("DATE_MODIFY", "updatedTime"),
    ("SOURCE_ID", "sourceId"),
];

fn not_found() -> ApiErr {
    ApiErr::new(400, "", "Not found")
}

fn id_param(params: &Value, name: &str) -> Result<u64, ApiErr> {
    match param_int(params, name) {
        Some(id) if id > 0 => Ok(id as u64),
        _ => Err(ApiErr::new(
            400,
            "",
            &format!("{name} is not defined or invalid."),
        )),
    }
}

fn fields_param(params: &Value) -> Result<Map<String, Value>, ApiErr> {
    match param(params, "fields") {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(ApiErr::new(400, "", "Parameter 'fields' must be array.")),
    }
}

/// A field value as REST v2 stores it: scalars as strings.
fn stored(v: &Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(if *b { "Y" } else { "N" }.into()),
        other => other.clone(),
    }
}

// ------------------------------------------------------------------ crm.deal.*

pub(super) fn deal_add(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let fields = fields_param(params)?;
    let id = ctx.state.next_deal;
    ctx.state.next_deal += 1;
    let mut deal = crate::state::seed_deal(id);
    deal.insert("TITLE".into(), json!(""));
    for (k, v) in &fields {
        if k != "ID" {
            deal.insert(k.to_uppercase(), stored(v));
        }
    }
    let created = crate::util::atom(ctx.now);
    deal.insert("DATE_CREATE".into(), json!(created));
    deal.insert("DATE_MODIFY".into(), json!(created));
    ctx.state.deals.insert(id, deal);
    ctx.state
        .log_write("crm.deal.add", format!("deal:{id}"), params);
    ctx.emit(
        "ONCRMDEALADD",
        json!({ "FIELDS": { "ID": id.to_string() } }),
    );
    Ok(Outcome::of(json!(id)).records(1))
}

pub(super) fn deal_get(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let id = id_param(params, "id")?;
    let deal = ctx.state.deals.get(&id).ok_or_else(not_found)?;
    Ok(Outcome::of(Value::Object(deal.clone())).records(1))
}

pub(super) fn deal_update(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let id = id_param(params, "id")?;
    let fields = fields_param(params)?;
    let now = crate::util::atom(ctx.now);
    let deal = ctx.state.deals.get_mut(&id).ok_or_else(not_found)?;
    for (k, v) in &fields {
        if k != "ID" {
            deal.insert(k.to_uppercase(), stored(v));
        }
    }
    deal.insert("DATE_MODIFY".into(), json!(now));
    ctx.state
        .log_write("crm.deal.update", format!("deal:{id}"), params);
    ctx.emit(
        "ONCRMDEALUPDATE",
        json!({ "FIELDS": { "ID": id.to_string() } }),
    );
    Ok(Outcome::of(json!(true)).records(1))
}

pub(super) fn deal_delete(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let id = id_param(params, "id")?;
    ctx.state.deals.remove(&id).ok_or_else(not_found)?;
    ctx.state
        .log_write("crm.deal.delete", format!("deal:{id}"), params);
    ctx.emit(
        "ONCRMDEALDELETE",
        json!({ "FIELDS": { "ID": id.to_string() } }),
    );
    Ok(Outcome::of(json!(true)).records(1))
}

pub(super) fn deal_list(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    let q = Query::parse(params, |k| k.to_uppercase())?;
    let (rows, total, next) = q.run(ctx.state.deals.range(q.id_range()).map(|(_, d)| d));
    let n = rows.len() as u64;
    let result: Vec<Value> = rows
        .into_iter()
        .map(|d| Value::Object(q.select(d, |k| k.to_string())))
        .collect();
    let mut out = Outcome::of(Value::Array(result)).records(n);
    out.total = total;
    out.next = next;
    Ok(out)
}

// ------------------------------------------------------------------ crm.item.*

fn entity_type(params: &Value) -> Result<(), ApiErr> {
    match param_int(params, "entityTypeId") {
        Some(DEAL_ENTITY_TYPE) => Ok(()),
        Some(_) => Err(ApiErr::new(400, "NOT_FOUND", "Smart process not found")),
        None => Err(ApiErr::new(
            400,
            "ENTITY_TYPE_NOT_SUPPORTED",
            "entityTypeId is required",
        )),
    }
}

fn to_item_name(deal_field: &str) -> String {
    ITEM_NAMES
        .iter()
        .find(|(d, _)| *d == deal_field)
        .map_or_else(|| deal_field.to_string(), |(_, i)| i.to_string())
}

fn to_deal_name(item_field: &str) -> String {
    ITEM_NAMES
        .iter()
        .find(|(_, i)| i.eq_ignore_ascii_case(item_field))
        .map_or_else(|| item_field.to_uppercase(), |(d, _)| d.to_string())
}

/// A deal as `crm.item.*` shows it: camelCase names, typed numbers.
fn as_item(deal: &Map<String, Value>, q: Option<&Query>) -> Value {
    let selected = match q {
        Some(q) => q.select(deal, to_item_name),
        None => deal
            .iter()
            .map(|(k, v)| (to_item_name(k), v.clone()))
            .collect(),
    };
    let typed = selected
        .into_iter()
        .map(|(k, v)| {
            let v = match (k.as_str(), &v) {
                (
                    "id" | "categoryId" | "assignedById" | "companyId" | "contactId",
                    Value::String(s),
                ) => s.parse::<i64>().map_or(v.clone(), |i| json!(i)),
                ("opportunity", Value::String(s)) => {
                    s.parse::<f64>().map_or(v.clone(), |f| json!(f))
                }
                _ => v,
            };
            (k, v)
        })
        .collect();
    Value::Object(typed)
}

fn item_fields(params: &Value) -> Result<Map<String, Value>, ApiErr> {
    Ok(fields_param(params)?
        .into_iter()
        .map(|(k, v)| (to_deal_name(&k), stored(&v)))
        .collect())
}

pub(super) fn item_add(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    entity_type(params)?;
    let fields = Value::Object(item_fields(params)?);
    let out = deal_add(ctx, &json!({ "fields": fields }))?;
    // deal_add logged the write under crm.deal.add: re-label it.
    if let Some(w) = ctx.state.writes.last_mut() {
        w.method = "crm.item.add".into();
        w.params = params.clone();
    }
    let id = out.result.as_u64().unwrap_or_default();
    let deal = ctx.state.deals.get(&id).ok_or_else(not_found)?;
    Ok(Outcome::of(json!({ "item": as_item(deal, None) })).records(1))
}

pub(super) fn item_get(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    entity_type(params)?;
    let id = id_param(params, "id")?;
    let deal = ctx.state.deals.get(&id).ok_or_else(not_found)?;
    Ok(Outcome::of(json!({ "item": as_item(deal, None) })).records(1))
}

pub(super) fn item_update(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    entity_type(params)?;
    let id = id_param(params, "id")?;
    let fields = Value::Object(item_fields(params)?);
    deal_update(ctx, &json!({ "id": id, "fields": fields }))?;
    if let Some(w) = ctx.state.writes.last_mut() {
        w.method = "crm.item.update".into();
        w.params = params.clone();
    }
    let deal = ctx.state.deals.get(&id).ok_or_else(not_found)?;
    Ok(Outcome::of(json!({ "item": as_item(deal, None) })).records(1))
}

pub(super) fn item_delete(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    entity_type(params)?;
    let id = id_param(params, "id")?;
    deal_delete(ctx, &json!({ "id": id }))?;
    if let Some(w) = ctx.state.writes.last_mut() {
        w.method = "crm.item.delete".into();
        w.params = params.clone();
    }
    Ok(Outcome::of(json!([])).records(1))
}

pub(super) fn item_list(ctx: &mut Ctx<'_>, params: &Value) -> CmdResult {
    entity_type(params)?;
    let q = Query::parse(params, to_deal_name)?;
    let (rows, total, next) = q.run(ctx.state.deals.range(q.id_range()).map(|(_, d)| d));
    let n = rows.len() as u64;
    let items: Vec<Value> = rows.into_iter().map(|d| as_item(d, Some(&q))).collect();
    let mut out = Outcome::of(json!({ "items": items })).records(n);
    out.total = total;
    out.next = next;
    Ok(out)
}

// ------------------------------------------------------------------ queries

/// Filter operators, longest first so that `>=` wins over `>`.
const OPS: &[&str] = &[
    "!><", "><", ">=", "<=", "!=", "!%", "=%", "%=", "!@", ">", "<", "=", "!", "%", "@",
];

#[derive(Debug)]
struct Cond {
    op: &'static str,
    field: String,
    value: Value,
}

/// A parsed `select` / `filter` / `order` / `start`, with field names in deal form.
#[derive(Debug)]
struct Query {
    select: Option<Vec<String>>,
    filter: Vec<Cond>,
    order: Vec<(String, bool)>,
    start: i64,
}

impl Query {
    fn parse(params: &Value, name: impl Fn(&str) -> String) -> Result<Query, ApiErr> {
        let select = match param(params, "select") {
            None => None,
            Some(Value::Array(a)) => {
                let s: Vec<String> = a.iter().filter_map(|v| v.as_str().map(&name)).collect();
                if s.is_empty() || s.iter().any(|x| x == "*") {
                    None
                } else {
                    Some(s)
                }
            }
            Some(Value::Object(m)) => {
                Some(m.values().filter_map(|v| v.as_str().map(&name)).collect())
            }
            Some(_) => return Err(ApiErr::new(400, "", "Parameter 'select' must be array.")),
        };
        let mut filter = Vec::new();
        match param(params, "filter") {
            None => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let op = OPS
                        .iter()
                        .find(|op| k.starts_with(**op))
                        .copied()
                        .unwrap_or("=");
                    let bare = k.strip_prefix(op).unwrap_or(k);
                    filter.push(Cond {
                        op,
                        field: name(bare),
                        value: v.clone(),
                    });
                }
            }
            Some(Value::Array(a)) if a.is_empty() => {}
            Some(_) => return Err(ApiErr::new(400, "", "Parameter 'filter' must be array.")),
        }
        let mut order = Vec::new();
        match param(params, "order") {
            None => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let desc = v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("DESC"));
                    order.push((name(k), desc));
                }
            }
            Some(Value::Array(a)) if a.is_empty() => {}
            Some(_) => return Err(ApiErr::new(400, "", "Parameter 'order' must be array.")),
        }
        let start = param_int(params, "start").unwrap_or(0);
        Ok(Query {
            select,
            filter,
            order,
            start,
        })
    }

    /// The IDs the filter allows at most (an index range: the other conditions still apply).
    fn id_range(&self) -> (std::ops::Bound<u64>, std::ops::Bound<u64>) {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let (mut lo, mut hi) = (Unbounded, Unbounded);
        for c in self.filter.iter().filter(|c| c.field == "ID") {
            let Some(v) = as_num(&c.value) else { continue };
            let v = v.max(0.0);
            match c.op {
                ">" => lo = Excluded(v.floor() as u64),
                ">=" => lo = Included(v.ceil() as u64),
                "<" => hi = Excluded(v.ceil() as u64),
                "<=" => hi = Included(v.floor() as u64),
                "=" => {
                    lo = Included(v as u64);
                    hi = Included(v as u64);
                }
                _ => {}
            }
        }
        match (lo, hi) {
            (Included(a) | Excluded(a), Included(b) | Excluded(b)) if a > b => {
                (Included(1), Excluded(1))
            }
            (Excluded(a), Excluded(b)) if a == b => (Included(1), Excluded(1)),
            r => r,
        }
    }

    /// Matching rows of one page, `total` and `next` (both `None` for `start = -1`).
    fn run<'a>(
        &self,
        rows: impl Iterator<Item = &'a Map<String, Value>>,
    ) -> (Vec<&'a Map<String, Value>>, Option<i64>, Option<i64>) {
        let mut matched: Vec<&Map<String, Value>> = rows
            .filter(|r| self.filter.iter().all(|c| c.matches(r)))
            .collect();
        if !self.order.is_empty() {
            matched.sort_by(|a, b| {
                for (f, desc) in &self.order {
                    let o = compare(a.get(f), b.get(f));
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        if self.start < 0 {
            matched.truncate(PAGE);
            return (matched, None, None);
        }
        let total = matched.len();
        let start = (self.start as usize).min(total);
        let page: Vec<_> = matched.into_iter().skip(start).take(PAGE).collect();
        let next = (start + PAGE < total).then_some((start + PAGE) as i64);
        (page, Some(total as i64), next)
    }

    /// The selected fields of a row, renamed by `out`.
    fn select(&self, row: &Map<String, Value>, out: impl Fn(&str) -> String) -> Map<String, Value> {
        match &self.select {
            None => row.iter().map(|(k, v)| (out(k), v.clone())).collect(),
            Some(fields) => fields
                .iter()
                .filter_map(|f| row.get(f).map(|v| (out(f), v.clone())))
                .collect(),
        }
    }
}

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => match (as_num(a), as_num(b)) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => as_text(a).cmp(&as_text(b)),
        },
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
    }
}

impl Cond {
    fn matches(&self, row: &Map<String, Value>) -> bool {
        let field = row.get(&self.field);
        let values: Vec<&Value> = match &self.value {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        let eq = |v: &Value| compare(field, Some(v)) == Ordering::Equal;
        let like = |v: &Value| {
            field.is_some_and(|f| {
                as_text(f)
                    .to_lowercase()
                    .contains(&as_text(v).to_lowercase().replace('%', ""))
            })
        };
        match self.op {
            "=" | "@" => values.iter().any(|v| eq(v)),
            "!" | "!=" | "!@" => !values.iter().any(|v| eq(v)),
            ">" => values
                .first()
                .is_some_and(|v| compare(field, Some(v)) == Ordering::Greater),
            ">=" => values
                .first()
                .is_some_and(|v| compare(field, Some(v)) != Ordering::Less),
            "<" => values
                .first()
                .is_some_and(|v| compare(field, Some(v)) == Ordering::Less),
            "<=" => values
                .first()
                .is_some_and(|v| compare(field, Some(v)) != Ordering::Greater),
            "%" | "=%" | "%=" => values.iter().any(|v| like(v)),
            "!%" => !values.iter().any(|v| like(v)),
            "><" | "!><" => {
                let inside = values.len() == 2
                    && compare(field, Some(values[0])) != Ordering::Less
                    && compare(field, Some(values[1])) != Ordering::Greater;
                (self.op == "><") == inside
            }
            _ => false,
        }
    }
}
