//! What goes over the wire is what the docs send: one test per way a binding used to
//! change a call (`specs/CONFORMANCE.md`, "On the wire"), each through the fake portal,
//! asserting the body the portal received.
#![allow(deprecated)] // crm.quote.add and crm.deal.list, deprecated in the docs, show the classes

use b24::Method as _;
use b24::methods::calendar::{EventAdd, event_add};
use b24::methods::catalog::{CatalogList, MeasureUpdate, measure_update};
use b24::methods::crm::QuoteAdd;
use b24::methods::imbot::{
    V2ChatMessageSend as ChatMessageSend, v2_chat_message_send as chat_message_send,
};
use b24::methods::tasks::{TaskAdd, task_add};
use b24::types::{Date, DateTime};
use b24::{Client, Error, ErrorCode};
use b24_testkit::{FakePortal, RunningPortal};
use serde_json::{Value, json};

async fn portal() -> (RunningPortal, Client) {
    let p = FakePortal::builder()
        .webhook(1, "wireTestWebhookCode")
        .start()
        .await
        .expect("fake portal starts");
    let c = Client::from_webhook(p.webhook_url()).expect("client");
    (p, c)
}

/// The JSON body of the last request the portal received.
fn last_body(p: &RunningPortal) -> Value {
    let reqs = p.handle().requests();
    let last = reqs.last().expect("a request reached the portal");
    serde_json::from_str(&last.body).expect("a JSON body")
}

#[tokio::test]
async fn tasks_task_add_writes_the_request_names_not_the_answers() {
    let (p, c) = portal().await;
    let fields = task_add::Fields {
        title: Some("Prepare the offer".into()),
        responsible_id: Some("1".into()),
        deadline: Some("2026-12-31T23:59:59+03:00".into()),
        ..Default::default()
    };
    let added = c
        .call(&TaskAdd::new(fields))
        .await
        .expect("the task is added");
    let body = last_body(&p);
    assert_eq!(
        body,
        json!({"fields": {
            "TITLE": "Prepare the offer",
            "RESPONSIBLE_ID": "1",
            "DEADLINE": "2026-12-31T23:59:59+03:00"
        }}),
        "the names of tasks-task-add.md's table and examples, not the answer's camelCase"
    );
    // The answer is the task in camelCase, as the portal writes it.
    let task = added.task.expect("the new task");
    assert_eq!(task.title.as_deref(), Some("Prepare the offer"));

    // What the bindings used to send: the portal refuses it as the real one does.
    let e = c
        .raw(
            "tasks.task.add",
            json!({"fields": {"title": "Prepare the offer", "responsibleId": 1}}),
        )
        .await
        .expect_err("a title in camelCase is no title");
    match e {
        Error::Api(api) => {
            assert_eq!(api.code(), &ErrorCode::Unknown("ERROR_CORE".into()));
            assert!(
                api.description().contains("Task title not specified"),
                "{}",
                api.description()
            );
        }
        other => panic!("expected the portal's refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_object_the_docs_send_goes_as_an_object() {
    let (p, c) = portal().await;
    // imbot.v2/messages/message-keyboards.md line 179: the keyboard's full form.
    let keyboard = json!({"BOT_ID": 456, "BUTTONS": [
        {"TEXT": "Open website", "LINK": "https://www.example.com/"},
        {"TYPE": "NEWLINE"}
    ]});
    let attach = json!({"ID": 1, "COLOR_TOKEN": "primary", "BLOCKS": [{"MESSAGE": "Hi"}]});
    let send = ChatMessageSend::new(456, "chat5").fields(chat_message_send::Fields {
        message: Some("Select action".into()),
        keyboard: Some(keyboard.clone()),
        attach: Some(attach.clone()),
        ..Default::default()
    });
    c.call(&send).await.expect("sent");
    let body = last_body(&p);
    assert_eq!(body["fields"]["keyboard"], keyboard);
    assert_eq!(body["fields"]["attach"], attach);
    // The same call read from the docs' JSON goes out as it came in.
    let from_docs = ChatMessageSend::from_params(json!({
        "botId": 456, "dialogId": "chat5",
        "fields": {"message": "Select action", "keyboard": keyboard}
    }))
    .expect("reads");
    assert_eq!(
        from_docs.params().expect("encodes")["fields"]["keyboard"],
        keyboard
    );
}

#[tokio::test]
async fn booleans_go_in_the_form_the_docs_write_them() {
    let (p, c) = portal().await;
    // calendar-event-add.md sends `"meeting": {"notify": true, …}`.
    let add = EventAdd::from_params(json!({
        "type": "user", "ownerId": 1, "name": "Planning",
        "from": "2026-03-13T10:00:00+03:00", "to": "2026-03-13T11:00:00+03:00"
    }))
    .expect("reads")
    .meeting(event_add::Meeting {
        notify: Some(true),
        reinvite: Some(false),
        ..Default::default()
    });
    let _ = c.call(&add).await;
    let body = last_body(&p);
    assert_eq!(body["meeting"], json!({"notify": true, "reinvite": false}));
}

#[tokio::test]
async fn a_date_time_given_for_a_date_keeps_its_time_and_offset() {
    let (p, c) = portal().await;
    // crm.quote.add's table calls BEGINDATE a date; its example sends a date and time.
    let quote = QuoteAdd::from_params(json!({"fields": {
        "TITLE": "Offer", "BEGINDATE": "2026-03-13T10:00:00+01:00", "CLOSEDATE": "20.03.2026"
    }}))
    .expect("reads");
    let _ = c.call(&quote).await;
    let body = last_body(&p);
    assert_eq!(body["fields"]["BEGINDATE"], "2026-03-13T10:00:00+01:00");
    assert_eq!(
        body["fields"]["CLOSEDATE"], "20.03.2026",
        "the display format stays"
    );
    // Made in code from a date and time, a date field sends it whole.
    let at: DateTime = "2026-03-13T10:00:00+01:00".parse().expect("parses");
    assert_eq!(
        serde_json::to_value(Date::from(at)).expect("encodes"),
        "2026-03-13T10:00:00+01:00"
    );
}

#[tokio::test]
async fn a_name_the_examples_write_in_another_case_than_the_table_goes_as_the_examples_write_it() {
    let (p, c) = portal().await;
    // catalog-measure-update.md: the table writes `Id`, every example `id`.
    let _ = c
        .call(&MeasureUpdate::new(
            5,
            measure_update::Fields {
                measure_title: Some("Box".into()),
                ..Default::default()
            },
        ))
        .await;
    let body = last_body(&p);
    assert_eq!(body["id"], 5);
    assert!(body.get("Id").is_none(), "{body}");
}

#[tokio::test]
async fn strings_are_not_rewritten() {
    let (p, c) = portal().await;
    let list = CatalogList::from_params(json!({"order": {"id": "desc"}})).expect("reads");
    let _ = c.call(&list).await;
    assert_eq!(last_body(&p)["order"], json!({"id": "desc"}), "not DESC");
}

#[test]
fn an_object_with_names_is_never_read_as_a_list() {
    // A list given an object with names is refused, naming the key, instead of being sent
    // as its values by order.
    let e = b24::methods::crm::DealList::from_params(json!({"select": {"first": "ID"}}))
        .expect_err("`select` is a list of names");
    let shown = e.to_string();
    assert!(
        shown.contains("select") && shown.contains("first"),
        "{shown}"
    );
    // A PHP list with gaps (numeric keys) still reads as a list.
    let ok = b24::methods::crm::DealList::from_params(json!({"select": {"0": "ID", "2": "TITLE"}}))
        .expect("a PHP list");
    assert_eq!(
        ok.params().expect("encodes")["select"],
        json!(["ID", "TITLE"])
    );
}
