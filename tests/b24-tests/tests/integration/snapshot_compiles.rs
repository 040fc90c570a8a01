//! The committed expansion snapshots compile and behave.

mod unit {
    include!("../../snapshots/im_recent_unread.rs");
}

mod fields {
    include!("../../snapshots/im_recent_unread_fields.rs");
}

use b24::Method;
use b24::types::{DialogId, Yn};

#[test]
fn unit_struct_snapshot() {
    let r = unit::MarkUnread::new(DialogId::Chat(74)).action(true);
    assert_eq!(r.action, Some(Yn::Y));
    assert_eq!(<unit::MarkUnread as Method>::NAME, "im.recent.unread");
    const { assert!(<unit::MarkUnread as Method>::IDEMPOTENT) };
    assert_eq!(
        serde_json::to_string(&r).expect("serializes"),
        r#"{"DIALOG_ID":"chat74","ACTION":"Y"}"#
    );
    assert!(r.validate().is_ok());
    assert!(unit::MarkUnread::new(DialogId::Chat(0)).validate().is_err());
    // A parameter the spec does not list travels in `extra`, both ways.
    let r = r.extra("COLOR", "RED");
    assert_eq!(
        serde_json::to_string(&r).expect("serializes"),
        r#"{"DIALOG_ID":"chat74","ACTION":"Y","COLOR":"RED"}"#
    );
    let back =
        unit::MarkUnread::from_params(serde_json::json!({"dialog_id": "chat74", "COLOR": "RED"}))
            .expect("names in any case, extras kept");
    assert_eq!(back.dialog_id, DialogId::Chat(74));
    assert_eq!(back.extra["COLOR"], serde_json::json!("RED"));
}

#[test]
fn fields_snapshot() {
    let r = fields::MarkRead::new(DialogId::User(3)).action(Yn::N);
    assert_eq!(
        serde_json::to_value(&r).expect("serializes"),
        serde_json::json!({"DIALOG_ID": "3", "ACTION": "N"})
    );
}
