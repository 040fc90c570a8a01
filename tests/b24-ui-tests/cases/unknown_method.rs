#[b24::b24_method("im.recent.unred")]
pub struct MarkUnread;

fn main() {}
