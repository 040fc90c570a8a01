// Two mistakes, two errors (the misspelt required field is not also reported missing),
// and no follow-on errors from the use below.
#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread {
    pub dialogid: b24::types::DialogId,
    pub action: i64,
}

fn main() {
    let _ = std::mem::size_of::<MarkUnread>();
}
