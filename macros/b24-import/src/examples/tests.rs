use serde_json::json;

use super::*;

/// A page in the docs' current layout, written for these tests.
const PAGE: &str = r#"# Add a widget vendor.widget.add

## Code Examples

{% list tabs %}

- cURL (Webhook)

    ```bash
    curl -X POST \
    -H "Content-Type: application/json" \
    -d '{"fields":{"NAME":"W","SIZE":3},"auth":"**put_access_token_here**"}' \
    https://**put_your_bitrix24_address**/rest/**put_your_user_id_here**/**put_your_webhook_here**/vendor.widget.add.json
    ```

- JS

    ```js
    BX24.callMethod(
        "vendor.widget.add",
        {
            fields: { NAME: 'W', SIZE: 3 }, // same call
        },
        function(result) { console.log(result.data()); }
    );
    BX24.callMethod('vendor.widget.add', { fields: widgetFields });
    ```

- JS (TS)

    ```ts
    const response = await $b24.actions.v2.call.make({
      method: 'vendor.widget.add',
      params: { fields: { NAME: 'W', SIZE: 4 } },
      requestId: Text.getUuidRfc4122()
    })
    ```

- PHP

    ```php
    $result = CRest::call(
        'vendor.widget.add',
        [
            'fields' => ['NAME' => 'W', 'SIZE' => 3, 'TAGS' => ['a', 'b']],
        ]
    );
    ```

{% endlist %}

{% if build == 'dev' %}

```bash
curl -d '{"secret": 1}' https://x/rest/vendor.widget.add
```

{% endif %}

## Response Handling

```json
{
    "result": 15,
    "time": { "start": 1, "finish": 2, }
}
```

```json
{
    "error": "ERROR_NAME",
    "error_description": "Name is empty"
}
```

```json
{ "result": [1, 2 3] }
```
"#;

/// The 1-based line of `PAGE` holding `text`.
fn line_with(text: &str) -> usize {
    PAGE.lines().position(|l| l.contains(text)).expect(text) + 1
}

#[test]
fn reads_calls_in_every_language() {
    let ex = of_page(PAGE);
    let langs: Vec<(Lang, &str)> = ex
        .calls
        .iter()
        .map(|c| (c.lang, c.method.as_str()))
        .collect();
    assert_eq!(
        langs,
        [
            (Lang::Curl, "vendor.widget.add"),
            (Lang::Js, "vendor.widget.add"),
            (Lang::Js, "vendor.widget.add"),
            (Lang::Php, "vendor.widget.add"),
        ]
    );
    // `auth` is dropped, the rest kept as written.
    assert_eq!(
        ex.calls[0].params,
        json!({"fields": {"NAME": "W", "SIZE": 3}})
    );
    assert_eq!(ex.calls[0].line, line_with("-d '{"));
    assert_eq!(
        ex.calls[2].params,
        json!({"fields": {"NAME": "W", "SIZE": 4}})
    );
    assert_eq!(
        ex.calls[3].params,
        json!({"fields": {"NAME": "W", "SIZE": 3, "TAGS": ["a", "b"]}})
    );
    // The same parameters in several languages count once.
    assert_eq!(ex.calls_of("VENDOR.WIDGET.ADD").len(), 3);
    // The dev-only block is not an example.
    assert!(ex.calls.iter().all(|c| c.params.get("secret").is_none()));
}

#[test]
fn code_is_reported_with_line_and_reason() {
    let ex = of_page(PAGE);
    let js = ex
        .unparsed
        .iter()
        .find(|u| u.what == "js")
        .expect("the call with a variable");
    assert_eq!(js.line, line_with("fields: widgetFields"));
    assert!(
        js.reason.contains("`widgetFields` is code"),
        "{}",
        js.reason
    );
    let json = ex
        .unparsed
        .iter()
        .find(|u| u.what == "json")
        .expect("the broken response");
    assert!(json.reason.contains("expected `,`"), "{}", json.reason);
    assert_eq!(json.line, line_with("[1, 2 3]"));
}

#[test]
fn reads_responses_and_errors() {
    let ex = of_page(PAGE);
    assert_eq!(ex.responses.len(), 2);
    assert_eq!(ex.responses[0].body["result"], json!(15));
    assert!(!ex.responses[0].is_error());
    assert!(ex.responses[1].is_error());
    assert_eq!(ex.results().len(), 1);
}

#[test]
fn urls_name_the_method() {
    assert_eq!(
        method_of_url("https://x/rest/1/abc/crm.deal.add.json"),
        Some(("crm.deal.add".into(), false))
    );
    assert_eq!(
        method_of_url("https://x/rest/api/tasks.task.get"),
        Some(("tasks.task.get".into(), true))
    );
    assert_eq!(
        method_of_url("https://x/rest/batch"),
        Some(("batch".into(), false))
    );
    assert_eq!(method_of_url("https://x/other"), None);
}

#[test]
fn shell_variables_make_a_body_code_but_dates_are_data() {
    let page = "```bash\ncurl -d '{\"id\":'\"$id\"'}' https://x/rest/a.b.get\ncurl -d '{\"d\":\"'\"$(date -Iseconds)\"'\"}' https://x/rest/a.b.set\n```\n";
    let ex = of_page(page);
    assert_eq!(ex.calls.len(), 1);
    assert_eq!(ex.calls[0].method, "a.b.set");
    assert_eq!(ex.calls[0].params["d"], "2026-01-01T10:00:00+00:00");
    assert_eq!(ex.unparsed.len(), 1);
    assert!(ex.unparsed[0].reason.contains("`$id`"));
}

#[test]
fn a_fenced_block_indented_with_wide_spaces_keeps_its_code() {
    // A no-break space (two bytes) in the indent: found by the docs_page fuzz target. The
    // fence's indent (two bytes here) is left out, never cutting a character.
    let b = blocks("  ```json\n\u{a0}\u{a0}{\"a\": 1}\n \u{a0}x\n  ```\n");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].code, "\u{a0}{\"a\": 1}\nx\n");
}
