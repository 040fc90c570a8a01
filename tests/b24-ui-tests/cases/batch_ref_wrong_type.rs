// A reference to a command's whole result is typed by that result: `im.recent.unread`
// answers a bool, which cannot stand for `crm.item.get`'s integer id.
#[b24::b24_method("im.recent.unread")]
pub struct MarkUnread;

#[b24::b24_method("crm.item.get")]
pub struct ItemGet;

fn main() {
    let client = b24::Client::from_webhook("https://example.bitrix24.com/rest/1/abc/").unwrap();
    let mut batch = client.batch();
    let flag = batch.add(&MarkUnread::new(b24::types::DialogId::Chat(1))).unwrap();
    let _ = batch.add(&ItemGet::new(2, flag.result()));
    // A path into a result is untyped and goes anywhere an integer or string does.
    let _ = batch.add(&ItemGet::new(2, flag.at(&["ID"])));
}
