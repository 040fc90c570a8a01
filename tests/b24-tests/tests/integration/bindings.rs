//! Generated bindings (`b24::methods::…`) against the fake portal's spec-driven fallback:
//! 60 methods in 12 namespaces. A valid request succeeds and decodes; a request without a
//! required parameter fails locally and sends nothing.
#![allow(deprecated)]

use std::path::Path;

use b24::methods::*;
use b24::wire::FromWire;
use b24::{Client, Error, Method};

async fn roundtrip<M: Method + FromWire>(
    client: &Client,
    portal: &b24_testkit::RunningPortal,
) -> usize {
    let entry =
        b24_specs::find(M::NAME, "v2").unwrap_or_else(|| panic!("{} in the catalog", M::NAME));
    let spec = b24_spec::load_str(Path::new(entry.path), entry.text).expect("spec loads");
    let params = b24_testkit::sample_request(&spec);
    let request = M::from_params(params.clone()).unwrap_or_else(|e| panic!("{}: {e}", M::NAME));
    let before = portal.handle().stats().http_requests;
    if let Err(e) = client.call(&request).await {
        panic!("{} failed: {e}", M::NAME);
    }
    assert_eq!(
        portal.handle().stats().http_requests,
        before + 1,
        "{}",
        M::NAME
    );
    // Without a required parameter: refused locally, nothing sent.
    if let Some(first) = params.as_object().and_then(|m| m.keys().next().cloned()) {
        let mut missing = params.clone();
        missing.as_object_mut().map(|m| m.shift_remove(&first));
        match M::from_params(missing) {
            Err(Error::Validation(v)) => {
                assert!(v.to_string().contains(&first), "{}: {v}", M::NAME)
            }
            Err(other) => panic!("{}: expected a validation error, got {other}", M::NAME),
            Ok(_) => panic!("{}: a request without {first} was accepted", M::NAME),
        }
        assert_eq!(
            portal.handle().stats().http_requests,
            before + 1,
            "{}: nothing sent",
            M::NAME
        );
        return 1;
    }
    0
}

macro_rules! roundtrips {
    ($client:expr, $portal:expr, $($ty:ty),+ $(,)?) => {{
        let mut called = 0usize;
        let mut refused = 0usize;
        $( refused += roundtrip::<$ty>($client, $portal).await; called += 1; )+
        (called, refused)
    }};
}

#[tokio::test]
async fn sixty_bindings_in_twelve_namespaces() {
    let portal = b24_testkit::FakePortal::builder()
        .bucket(None)
        .start()
        .await
        .expect("portal");
    let client = Client::builder()
        .rate_limit(None)
        .webhook(&portal.webhook_url())
        .expect("client");
    let (called, refused) = roundtrips!(
        &client,
        &portal,
        user::Access,
        user::Add,
        user::Admin,
        user::Fields,
        user::Get,
        disk::AttachedObjectGet,
        disk::FileCopyTo,
        disk::FileDelete,
        disk::FileGetVersions,
        disk::FileGetExternalLink,
        calendar::AccessibilityGet,
        calendar::EventAdd,
        calendar::EventDelete,
        calendar::EventGet,
        calendar::EventGetNearest,
        telephony::CallAttachTranscription,
        telephony::ExternalCallAttachRecord,
        telephony::ExternalCallFinish,
        telephony::ExternalCallHide,
        telephony::ExternalCallRegister,
        department::Add,
        department::Fields,
        department::Get,
        department::Update,
        department::Delete,
        lists::Add,
        lists::Delete,
        lists::ElementAdd,
        lists::ElementDelete,
        lists::ElementGet,
        timeman::Close,
        timeman::NetworkrangeCheck,
        timeman::NetworkrangeGet,
        timeman::NetworkrangeSet,
        timeman::Open,
        log::BlogcommentAdd,
        log::BlogcommentDelete,
        log::BlogcommentUserGet,
        log::BlogpostAdd,
        log::BlogpostDelete,
        event::Bind,
        event::Get,
        event::OfflineClear,
        event::OfflineError,
        event::OfflineGet,
        entity::Add,
        entity::Delete,
        entity::Get,
        entity::ItemAdd,
        entity::ItemDelete,
        placement::Bind,
        placement::Get,
        placement::List,
        placement::Unbind,
        user::Search,
        im::ChatAdd,
        im::ChatGet,
        im::ChatLeave,
        im::ChatMute,
        im::ChatSetOwner,
    );
    assert_eq!(called, 60);
    assert!(
        refused >= 30,
        "{refused} bindings with a required parameter were checked for local refusal"
    );
}

#[test]
fn bindings_expose_their_facts() {
    assert_eq!(<im::RecentUnread as Method>::NAME, "im.recent.unread");
    assert_eq!(<im::RecentUnread as Method>::SCOPES, ["im"]);
    const { assert!(<im::RecentUnread as Method>::IDEMPOTENT) };
    assert!(<im::RecentUnread as Method>::DOCS_URL.ends_with("im-recent-unread.html"));
    let e = b24::ApiError::new("im.recent.unread", "DIALOG_ID_EMPTY", "", 400);
    assert_eq!(
        im::RecentUnreadError::from(&e),
        im::RecentUnreadError::DialogIdEmpty
    );
    let other = b24::ApiError::new("im.recent.unread", "QUERY_LIMIT_EXCEEDED", "", 503);
    assert_eq!(
        im::RecentUnreadError::from(&other),
        im::RecentUnreadError::System(b24::ErrorCode::QueryLimitExceeded)
    );
}

#[tokio::test]
async fn positional_methods_send_an_array_in_table_order() {
    let portal = b24_testkit::FakePortal::builder()
        .start()
        .await
        .expect("portal");
    let client = Client::from_webhook(portal.webhook_url()).expect("client");
    let get = task::CommentitemGet::new(12, 34);
    assert_eq!(get.params().expect("params"), serde_json::json!([12, 34]));
    client
        .call(&get)
        .await
        .expect("the portal maps the array onto the parameters");
    let sent = portal.handle().requests();
    assert_eq!(sent[0].body, "[12,34]");
}

#[test]
fn alternative_parameter_sets_are_checked_before_sending() {
    let none = vote::AttachedVoteGet::from_params(serde_json::json!({})).expect_err("no set given");
    assert!(
        none.to_string()
            .contains("{attachId} or {moduleId, entityType, entityId} or {signedAttachId}"),
        "{none}"
    );
    assert!(vote::AttachedVoteGet::from_params(serde_json::json!({"attachId": 5})).is_ok());
    let partial = vote::AttachedVoteGet::from_params(serde_json::json!({"moduleId": "Im"}))
        .expect_err("incomplete set");
    assert!(matches!(partial, Error::Validation(_)));
}

/// Named types read JSON with the same tolerant decoder as responses: numbers and `Y`/`N`
/// sent as strings, dynamic keys kept in `extra`; a bad member names its JSON path.
#[test]
fn named_types_read_json_like_responses() {
    #[b24::b24_method("crm.deal.add")]
    pub struct DealAdd;

    let deal: deal_add::Deal = serde_json::from_value(serde_json::json!({
        "TITLE": "Big one",
        "OPPORTUNITY": "10.50",
        "IS_RECURRING": "Y",
        "CONTACT_IDS": ["3", 4],
        "UF_CRM_7": {"any": "thing"},
    }))
    .expect("decodes");
    assert_eq!(deal.title.as_deref(), Some("Big one"));
    assert_eq!(deal.opportunity, Some(10.5));
    assert_eq!(deal.is_recurring, Some(b24::types::Yn::Y));
    assert_eq!(deal.contact_ids, Some(vec![3, 4]));
    assert_eq!(deal.extra["UF_CRM_7"], serde_json::json!({"any": "thing"}));
    // And it serializes back to wire names.
    let back = serde_json::to_value(&deal).expect("encodes");
    assert_eq!(back["OPPORTUNITY"], serde_json::json!(10.5));
    assert_eq!(back["UF_CRM_7"], serde_json::json!({"any": "thing"}));

    let err = serde_json::from_value::<deal_add::Deal>(serde_json::json!({"PROBABILITY": "most"}))
        .expect_err("not a number");
    assert!(err.to_string().contains("PROBABILITY"), "{err}");

    // A whole request from JSON: the nested type takes the same path.
    let request =
        DealAdd::from_params(serde_json::json!({"fields": {"TITLE": "x", "PROBABILITY": "40"}}))
            .expect("valid");
    assert_eq!(request.fields.probability, Some(40));
}
