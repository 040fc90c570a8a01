use b24::types::Yn;

#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread {
    pub action: Yn,
}

fn main() {}
