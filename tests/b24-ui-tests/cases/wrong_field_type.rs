#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread {
    pub dialog_id: String,
    pub action: Option<bool>,
}

fn main() {}
