use super::*;

const CURRENT: &str = r#"# Do a Thing vendor.thing.do

> Scope: [`vendor`](../scopes/permissions.md)

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **ID***
[`integer`](../data-types.md) | The thing ||
|| **MODE**
[`string`](../data-types.md) | How. Possible values:
- `Y` — yes
- `N` — no

Default: `Y` ||
|| **fields**
[`object`](../data-types.md) | Fields [(detailed description)](#fields-obj) ||
|| **TAGS**
[`string[]`](../data-types.md) | Tags ||
|#

### Parameter fields {#fields-obj}

#|
|| **Name**
`type` | **Description** ||
|| **TITLE***
[`string`](../data-types.md) | Title ||
|| **UF_CRM_...**
[`any`](../data-types.md) | Custom fields ||
|#

## Code Examples

```bash
curl -d '{"ID":1,"MODE":"Y","EXTRA":2,"auth":"x"}' https://x/rest/vendor.thing.do
```

## Response Handling

### Returned Data

#|
|| **Name**
`type` | **Description** ||
|| **result**
[`boolean`](../data-types.md) | true on success ||
|| **time**
[`time`](../data-types.md#time) | Timing ||
|#

## Error Handling

### Possible Error Codes

#|
|| **Status** | **Code** | **Description** | **Value** ||
|| `400` | `ID_EMPTY` | ID is empty | The ID was not given ||
|| `400` | Empty value | `Not found` | No such thing ||
|#
"#;

#[test]
fn reads_the_current_layout() {
    let (kind, page) = read("api-reference/vendor/vendor-thing-do.md", CURRENT);
    assert_eq!(kind, PageKind::Method);
    let p = page.expect("a method page");
    assert_eq!(p.name, "vendor.thing.do");
    assert_eq!(p.scope, ["vendor"]);
    let names: Vec<&str> = p.params.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["ID", "MODE", "fields", "TAGS", "EXTRA"]);
    assert!(p.params[0].required && p.params[0].ty == "int");
    assert_eq!(p.params[1].ty, "yn");
    assert_eq!(p.params[1].default.as_deref(), Some("Y"));
    assert_eq!(p.params[2].ty, "Fields");
    assert_eq!(p.params[3].ty, "string[]");
    let fields = &p.types["Fields"];
    assert!(fields[0].required);
    assert!(fields[1].dynamic);
    assert_eq!(p.result, "bool");
    assert_eq!(p.errors.len(), 2);
    assert_eq!(p.errors[0].code, "ID_EMPTY");
    assert_eq!(p.errors[0].http, Some(400));
    assert_eq!(p.errors[0].message.as_deref(), Some("ID is empty"));
    assert_eq!(p.errors[1].code, "");
    // The example passes `EXTRA`, which no table lists: a parameter, typed by its value.
    let extra = p
        .params
        .iter()
        .find(|f| f.name == "EXTRA")
        .expect("from the example");
    assert!(extra.from_example && extra.ty == "int" && !extra.required);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.class == "param-from-example" && w.detail.contains("`EXTRA`"))
    );
}

#[test]
fn reads_the_older_layout_and_drops_if_blocks() {
    let old = "# Old im.old.thing\n\n{% if build == 'dev' %}\n#|\n|| **Parameter** | **Example** | **Description** | **Revision** ||\n|| **HIDDEN**\n[`unknown`](a.md) | 1 | x | 1 ||\n|#\n{% endif %}\n\n> Scope: [`im`](x.md)\n\n#|\n|| **Parameter** | **Example** | **Description** | **Revision** ||\n|| **DIALOG_ID^*^**\n[`unknown`](../../data-types.md) | `'chat74'` | The dialog | 30 ||\n|| **ACTION**\n[`unknown`](../../data-types.md) | `'Y'` | Y or N | 30 ||\n|#\n";
    let (_, page) = read("api-reference/chats/old.md", old);
    let p = page.expect("method");
    let names: Vec<(&str, bool)> = p
        .params
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, [("DIALOG_ID", true), ("ACTION", false)]);
    // No types in this layout: the example column shows the form.
    let types: Vec<&str> = p.params.iter().map(|f| f.ty.as_str()).collect();
    assert_eq!(types, ["string", "yn"]);
}

#[test]
fn deprecation_with_replacement() {
    let src = "# Update crm.thing.update\n\n{% note warning \"DEPRECATED\" %}\n\nUse [crm.item.update](../x.md).\n\n{% endnote %}\n";
    let (_, p) = read("api-reference/crm/crm-thing-update.md", src);
    assert_eq!(
        p.expect("method").deprecated,
        Some(Some("crm.item.update".into()))
    );
    let (_, p) = read(
        "api-reference/crm/outdated/crm-thing-get.md",
        "# Get crm.thing.get\n",
    );
    assert_eq!(p.expect("method").deprecated, Some(None));
}

#[test]
fn page_kinds() {
    assert_eq!(
        read("api-reference/crm/index.md", "# CRM\n").0,
        PageKind::Index
    );
    assert_eq!(
        read("api-reference/crm/events/on-x.md", "# Event onCrmDealAdd\n").0,
        PageKind::Event
    );
    assert_eq!(
        read("api-reference/widgets/w.md", "# Widgets\n").0,
        PageKind::Widget
    );
    assert_eq!(
        read("api-reference/guide.md", "# How to\n").0,
        PageKind::Guide
    );
}

#[test]
fn alternative_sets_positional_and_v3_pagination() {
    let alt = "# Get a Vote vote.thing.get\n\n## Method Parameters\n\n### 1. By id\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **id***\n[`integer`](x.md) | Id ||\n|#\n\n### 2. By element\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **module***\n[`string`](x.md) | M ||\n|| **entity***\n[`integer`](x.md) | E ||\n|#\n";
    let (_, p) = read("api-reference/vote/vote-thing-get.md", alt);
    let p = p.expect("method");
    let names: Vec<(&str, bool)> = p
        .params
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, [("id", false), ("module", false), ("entity", false)]);
    assert_eq!(
        p.alternatives,
        [
            vec!["id".to_string()],
            vec!["module".to_string(), "entity".to_string()]
        ]
    );

    let pos = "# Add task.thing.add\n\nPass parameters in the request according to the order in the table.\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **TASKID***\n[`integer`](x.md) | T ||\n|#\n";
    let (_, p) = read("api-reference/tasks/x.md", pos);
    assert!(p.expect("method").positional);

    let v3 = "# List tasks.thing.list\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **pagination**\n[`object`](x.md) | Page ||\n|#\n\n```bash\ncurl https://x/rest/api/1/t/tasks.thing.list\n```\n";
    let (_, p) = read("api-reference/tasks/y.md", v3);
    let p = p.expect("method");
    assert_eq!(p.api, "v3");
    let toml = super::super::emit::spec_toml(&p, "api-reference/tasks/y.md", "0123456789");
    assert!(toml.contains("style = \"v3_page\""), "{toml}");
}

/// A parameter table in the current layout with a note, a list and code inside its cells,
/// a row without its closing `||`, and an "at least one of" rule in a note.
const CELLS: &str = r#"# Register a Call vendor.call.register

> Scope: [`vendor`](x.md)

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **USER_ID***
[`integer`](x.md) | The user ||
|| **USER_PHONE_INNER***
[`string`](x.md) | The inner number.

{% note info "" %}

At least one of the parameters must be specified: `USER_ID` or `USER_PHONE_INNER`.

{% endnote %} ||
|| **PHONE_NUMBER***
[`string`](x.md) | The phone, for example:

```json
{"PHONE_NUMBER": "+4930|123"}
``` ||
|| **TYPE***
[`integer`](x.md) | Possible values:
- `1` — outgoing
- `2` — incoming
|| **LINE_NUMBER**
[`string`](x.md) | The line, formats:
- `sip` — a SIP line
|#

## Code Examples

```bash
curl -d '{"USER_ID":1,"PHONE_NUMBER":"+4930","TYPE":2,"LINE_NUMBER":"3","auth":"x"}' https://x/rest/vendor.call.register
```
"#;

#[test]
fn notes_code_and_unclosed_rows_inside_a_table_do_not_cut_it() {
    let (_, p) = read("api-reference/vendor/vendor-call-register.md", CELLS);
    let p = p.expect("a method page");
    let names: Vec<(&str, bool)> = p
        .params
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    // Every row read; the one-of pair is no longer required on its own.
    assert_eq!(
        names,
        [
            ("USER_ID", false),
            ("USER_PHONE_INNER", false),
            ("PHONE_NUMBER", true),
            ("TYPE", true),
            ("LINE_NUMBER", false),
        ]
    );
    assert_eq!(
        p.one_of,
        [vec!["USER_ID".to_string(), "USER_PHONE_INNER".to_string()]]
    );
    assert_eq!(p.params[3].values, ["1", "2"]);
    // A list of formats is not a list of values.
    assert!(p.params[4].values.is_empty());
    // The row without its `||` is read, and reported with its line.
    let w = p
        .warnings
        .iter()
        .find(|w| w.class == "irregular-table")
        .expect("reported");
    let type_row = CELLS
        .lines()
        .position(|l| l.starts_with("|| **TYPE"))
        .expect("row")
        + 1;
    assert_eq!(w.line, type_row);
    assert!(w.detail.contains("not closed"), "{}", w.detail);
}

#[test]
fn one_of_wordings() {
    let page = r#"# Send vendor.msg.send

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **MESSAGE***
[`string`](x.md) | The text. Required if `ATTACH` is not provided ||
|| **ATTACH**
[`object`](x.md) | Blocks. Required if `MESSAGE` is not provided ||
|| **from***
[`string`](x.md) | Start ||
|| **from_ts**
[`integer`](x.md) | Can be used instead of the `from` parameter ||
|| **ELEMENT_ID**
[`integer`](x.md) | An element ||
|| **ELEMENT_CODE**
[`string`](x.md) | To read one element, at least one of the parameters must be specified: `ELEMENT_ID` or `ELEMENT_CODE` ||
|| **EVENT_ADD***
[`string`](x.md) | Handler ||
|| **EVENT_HANDLER**
[`string`](x.md) | If provided, its value is copied to `EVENT_ADD` ||
|#
"#;
    let (_, p) = read("api-reference/vendor/vendor-msg-send.md", page);
    let p = p.expect("method");
    let groups: Vec<Vec<&str>> = p
        .one_of
        .iter()
        .map(|g| g.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        groups,
        [
            vec!["ATTACH", "MESSAGE"],
            vec!["from", "from_ts"],
            vec!["EVENT_ADD", "EVENT_HANDLER"],
        ]
    );
    // A condition ("to read one element, …") on optional parameters is not a rule.
    assert!(p.params.iter().all(|f| !f.required));
}

#[test]
fn older_layout_one_of_and_a_title_without_the_method() {
    // The older layout of the seed page; the title names no method, the file and the
    // example calls do.
    let page = r#"# Set or Remove the Flag

> Scope: [`im`](x.md)

#|
|| **Parameter** | **Example** | **Description** | **Revision** ||
|| **CHAT_ID^*^**
[`unknown`](x.md) | `5` | The chat. Required if `DIALOG_ID` is not provided | 30 ||
|| **DIALOG_ID^*^**
[`unknown`](x.md) | `'chat5'` | The dialog. Required if `CHAT_ID` is not provided | 30 ||
|| **ACTION**
[`unknown`](x.md) | `'Y'` | Y or N | 30 ||
|#

## Examples

```js
B24.callMethod(
    'vendor.flag.set',
    { DIALOG_ID: 'chat5', ACTION: 'Y' },
    res => console.log(res.data())
)
```
"#;
    let (kind, p) = read("api-reference/chats/vendor-flag-set.md", page);
    assert_eq!(kind, PageKind::Method);
    let p = p.expect("named by its example call");
    assert_eq!(p.name, "vendor.flag.set");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.class == "title-names-no-method")
    );
    assert_eq!(
        p.one_of,
        [vec!["DIALOG_ID".to_string(), "CHAT_ID".to_string()]]
    );
    let types: Vec<&str> = p.params.iter().map(|f| f.ty.as_str()).collect();
    assert_eq!(types, ["int", "string", "yn"]);
}

#[test]
fn a_title_naming_another_method_yields_to_the_examples_and_file() {
    let page = "# Delete Trigger ctrigger.delete\n\n```bash\ncurl -d '{\"CODE\":\"x\"}' https://x/rest/crm.automation.trigger.delete\n```\n";
    let (_, p) = read("api-reference/crm/crm-automation-trigger-delete.md", page);
    let p = p.expect("method");
    assert_eq!(p.name, "crm.automation.trigger.delete");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.class == "title-names-another-method")
    );
}

#[test]
fn objects_typed_as_arrays_and_tabs_of_one_object() {
    let page = r#"# Add vendor.item.add

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **fields***
[`array`](x.md) | Values of the [item fields](#fields) ||
|| **options**
[`array`](x.md) | An array where the key is the name of a property ||
|#

### Parameter fields {#fields}

{% list tabs %}

- Lead

  #|
  || **Name**
  `type` | **Description** ||
  || **title***
  [`string`](x.md) | Title ||
  || **lead_only**
  [`string`](x.md) | L ||
  |#

- Deal

  #|
  || **Name**
  `type` | **Description** ||
  || **title***
  [`string`](x.md) | Title ||
  || **deal_only***
  [`integer`](x.md) | D ||
  |#

{% endlist %}

## Code Examples

```bash
curl -d '{"fields":{"title":"T","deal_only":1},"options":{"a":"b"}}' https://x/rest/vendor.item.add
```
"#;
    let (_, p) = read("api-reference/vendor/vendor-item-add.md", page);
    let p = p.expect("method");
    // A PHP "array" with a field table is an object; one the example passes as an object too.
    assert_eq!(p.params[0].ty, "Fields");
    assert_eq!(p.params[1].ty, "map<any>");
    let fields: Vec<(&str, bool)> = p.types["Fields"]
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    // The keys of every tab; required only where every tab requires it.
    assert_eq!(
        fields,
        [("title", true), ("lead_only", false), ("deal_only", false)]
    );
}

#[test]
fn rest_v3_error_codes_and_error_examples() {
    let page = r#"# Get tasks.thing.get

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **id***
[`integer`](x.md) | Id ||
|#

```bash
curl -d '{"id":1}' https://x/rest/api/tasks.thing.get
```

## Error Handling

HTTP Status: **400**

```json
{"error": {"code": "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION", "message": "not found"}}
```

### Possible Error Codes

#### Request Validation Errors

Error Code: `BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION`

#|
|| **Field** | **Error Description** | **How to Fix** ||
|| `id` | Required field `id` is missing | Add it ||
|#
"#;
    let (_, p) = read("api-reference/tasks/tasks-thing-get-rest-v3.md", page);
    let p = p.expect("method");
    assert_eq!(p.api, "v3");
    let codes: Vec<(&str, Option<u16>)> =
        p.errors.iter().map(|e| (e.code.as_str(), e.http)).collect();
    assert_eq!(
        codes,
        [
            (
                "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                Some(400)
            ),
            ("BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION", None),
        ]
    );
}

#[test]
fn a_row_that_cannot_be_read_is_reported_and_the_rest_imports() {
    let page = "# Do vendor.do.it\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **A**\n[`string`](x.md) | a ||\n|| plain text, no name | b ||\n|| **C**\n[`integer`](x.md) | c ||\n|#\n";
    let (_, p) = read("api-reference/vendor/vendor-do-it.md", page);
    let p = p.expect("method");
    let names: Vec<&str> = p.params.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["A", "C"]);
    let w = p
        .warnings
        .iter()
        .find(|w| w.class == "unreadable-row")
        .expect("reported");
    assert_eq!(w.line, 10);
    assert!(w.detail.contains("plain text, no name"), "{}", w.detail);
}

#[test]
fn fields_pages_take_no_parameters_from_their_field_tables() {
    let page = "# Fields vendor.thing.fields\n\nNo parameters required.\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](x.md) | Id ||\n|#\n";
    let (_, p) = read("api-reference/vendor/vendor-thing-fields.md", page);
    assert!(p.expect("method").params.is_empty());
}

#[test]
fn values_come_only_from_lists_that_introduce_values() {
    use super::field::listed_values;
    let v = |d: &str| listed_values(d);
    assert_eq!(
        v("Action for the flag:\n- `Y` — set\n- `N` — remove"),
        ["Y", "N"]
    );
    assert_eq!(v("Possible values:\n\n- `1` — out\n- `2` — in"), ["1", "2"]);
    assert_eq!(v("Available keys:\n- `a` — x\n- `b` — y"), ["a", "b"]);
    assert_eq!(
        v("The size of the photo in the `P` field:\n- `small` — 1\n- `large` — 2"),
        ["small", "large"]
    );
    // Formats, a template's parts, placeholders: not values.
    assert!(
        v("Supported formats for common types:\n- `CRM` — `<TYPE>`|`<ID>`\n- `LINES` — …")
            .is_empty()
    );
    assert!(
        v("By default `{entityTypeName} #{id}`, where\n- `entityTypeName` — name\n- `id` — id")
            .is_empty()
    );
    assert!(v("Identifier in the format:\n- `chatXXX` — chat").is_empty());
    assert!(v("Values:\n- `<connector>` — the connector\n- `{NUMBER}` — a number").is_empty());
    // "information" is not "format".
    assert_eq!(
        v("The information block type. Possible values:\n- `lists` — l"),
        ["lists"]
    );
}

#[test]
fn a_table_of_many_rows_is_read_whole_and_its_repeats_found() {
    // 20,000 rows (the importer once took 6.4 s for 8,000: each row was compared with every
    // earlier one), then a row that repeats an earlier one's Rust name.
    let rows: String = (0..20_000)
        .map(|i| format!("|| **P_{i}**\n[`string`](../data-types.md) | P {i} ||\n"))
        .collect();
    let table = format!(
        "#|\n|| **Name**\n`type` | **Description** ||\n{rows}|| **p_17**\n[`int`](../data-types.md) | again ||\n|#\n"
    );
    let page = CURRENT.replace(
        &CURRENT[CURRENT.find("#|").unwrap()..CURRENT.find("|#").unwrap() + 3],
        &table,
    );
    let (_, p) = read("api-reference/vendor/vendor-thing-do.md", &page);
    let p = p.expect("a method page");
    let from_table = p.params.iter().filter(|f| f.name.starts_with("P_")).count();
    assert_eq!(from_table, 20_000);
    assert!(p.params.iter().all(|f| f.name != "p_17"));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.class == "duplicate-field" && w.detail.contains("`p_17` repeats `P_17`")),
        "{:?}",
        p.warnings
            .iter()
            .filter(|w| w.class == "duplicate-field")
            .collect::<Vec<_>>()
    );
}
