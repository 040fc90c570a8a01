#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread {
    pub dialog_id: b24::types::DialogId,
    pub actoin: b24::types::Yn,
}

fn main() {}
