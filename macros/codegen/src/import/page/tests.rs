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
[`string`](../data-types.md) | How:
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
    assert_eq!(names, ["ID", "MODE", "fields", "TAGS"]);
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
    assert_eq!(p.example_params, ["ID", "MODE", "EXTRA"]);
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
    assert!(p.params.iter().all(|f| f.ty == "any"));
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
