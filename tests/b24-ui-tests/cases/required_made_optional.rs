#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread {
    pub dialog_id: Option<b24::types::DialogId>,
}

fn main() {}
