//! Quickstart: mark `chat74` unread, read it back, print typed results.
//!
//! Talks to the portal in `B24_WEBHOOK_URL` when set, and to a fake portal started
//! in-process otherwise:
//!
//! ```text
//! cargo run -p b24 --example quickstart
//! B24_WEBHOOK_URL=https://your.bitrix24.com/rest/1/xxxx/ cargo run -p b24 --example quickstart
//! ```

use b24::types::DialogId;
use b24::{Client, b24_method};

/// Sets or removes the "unread" flag of a dialog.
#[b24_method("im.recent.unread")]
pub struct MarkUnread;

/// The recent dialogs of the current user, a page at a time.
#[b24_method("im.recent.list")]
pub struct RecentList;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake portal alive for the whole run when we use it.
    let (client, _portal) = match std::env::var("B24_WEBHOOK_URL") {
        Ok(url) if !url.is_empty() => {
            let client = Client::from_webhook(&url)?;
            println!("portal: {} (from B24_WEBHOOK_URL)", client.portal());
            (client, None)
        }
        _ => {
            let portal = b24_testkit::FakePortal::builder().start().await?;
            println!(
                "B24_WEBHOOK_URL is not set: using the built-in fake portal at {}",
                portal.base_url()
            );
            (Client::from_webhook(portal.webhook_url())?, Some(portal))
        }
    };

    let dialog: DialogId = "chat74".parse()?;

    // 1. Mark it unread.
    let request = MarkUnread::new(dialog).action(true);
    let marked: bool = client.call(&request).await?;
    println!("im.recent.unread {{DIALOG_ID: {dialog}, ACTION: Y}} -> {marked}");

    // 2. Read it back: page through the recent list until the dialog shows up.
    let mut offset = 0;
    loop {
        let page = client
            .call(&RecentList::new().offset(offset).limit(200))
            .await?;
        let items = page.items.unwrap_or_default();
        if let Some(item) = items.iter().find(|i| i.id == Some(dialog)) {
            println!(
                "im.recent.list: {} \"{}\" unread = {:?}, pinned = {:?}, updated {}",
                dialog,
                item.title.as_deref().unwrap_or(""),
                item.unread,
                item.pinned,
                item.date_update
                    .map_or_else(|| "?".to_string(), |d| d.to_string()),
            );
            break;
        }
        if !page.has_more.unwrap_or(false) || items.is_empty() {
            println!("im.recent.list: {dialog} is not in the recent list");
            break;
        }
        offset += 200;
    }

    // 3. Validation happens before anything is sent.
    let invalid = MarkUnread::new(DialogId::Chat(0));
    match client.call(&invalid).await {
        Err(e) => println!("refused locally: {e}"),
        Ok(v) => println!("unexpected: {v}"),
    }
    Ok(())
}
