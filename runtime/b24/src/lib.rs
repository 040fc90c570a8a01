//! # b24 — typed, validated Bitrix24 REST bindings
//!
//! Every Bitrix24 REST method is described by a spec (one TOML file per method, imported
//! from the official docs). `#[b24_method("…")]` turns a spec into a typed request:
//! fields with wire names, a constructor taking the required parameters, setters for
//! the optional ones, validation that mirrors the server's own errors, and a [`Method`]
//! impl that the [`Client`] sends.
//!
//! ```no_run
//! use b24::{Client, b24_method};
//!
//! /// Marks a dialog unread.
//! #[b24_method("im.recent.unread")]
//! pub struct MarkUnread;
//!
//! # async fn run() -> Result<(), b24::Error> {
//! let client = Client::from_webhook(std::env::var("B24_WEBHOOK_URL").unwrap_or_default())?;
//! let ok: bool = client.call(&MarkUnread::new("chat74".parse::<b24::types::DialogId>()?).action(true)).await?;
//! let raw = client.raw("any.method", serde_json::json!({})).await?;
//! # Ok(()) }
//! ```
//!
//! A struct that declares its own fields is checked against the spec at compile time:
//!
//! ```
//! #[b24::b24_method("im.recent.unread")]
//! pub struct MarkRead {
//!     pub dialog_id: b24::types::DialogId,
//!     pub action: b24::types::Yn,
//! }
//!
//! let r = MarkRead::new(b24::types::DialogId::Chat(74), b24::types::Yn::N);
//! assert_eq!(serde_json::to_value(&r)?, serde_json::json!({"DIALOG_ID": "chat74", "ACTION": "N"}));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## What is generated
//! For `#[b24_method("m")] pub struct S;`: `pub struct S` with one public field per
//! parameter (snake_case; wire names through `serde(rename)`; optional parameters are
//! `Option`), `S::new(required…)`, a setter per optional parameter, `Debug`, `Clone`,
//! `PartialEq`, `Serialize`, `Deserialize`, and `impl Method for S`. Named types of the
//! spec (e.g. the items of `im.recent.list`) go into a module named after the struct in
//! snake_case (`recent_list::RecentItem` for `struct RecentList`).
//!
//! ## Bindings for every method
//! `b24::methods::<namespace>` holds a ready binding for every documented method
//! (`b24::methods::im::RecentUnread`, `b24::methods::crm::DealAdd`, …), one cargo feature
//! per namespace (`im`, `crm`, …; `full` = all; none by default). See [`methods`].
//!
//! ## Crates
//! `b24` is a facade: the runtime is `b24-core`, the attribute `b24-macros`, and each
//! namespace's bindings a generated crate `b24-methods-<namespace>`, so that they build
//! in parallel and a change to one namespace rebuilds only that crate. Everything is
//! reached and documented through `b24` (the other crates have no pages of their own);
//! generated code reaches the runtime only through the hidden `__private` module of
//! `b24-core` (`b24::__private`).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use b24_core::*;
pub use b24_macros::b24_method;
/// The date and time crate of [`types::Date`] and [`types::DateTime`], re-exported so that
/// its version is always the one b24 uses.
#[doc(no_inline)]
pub use jiff;

pub mod methods;

/// Incoming events: reading and checking the portal's posts, binding handlers, the offline
/// queue (all from `b24-core`), and the typed `data` of every documented event
/// ([`events::Payload`], one module per namespace behind its feature).
///
/// ```
/// use b24::events::{Event, Payload};
/// let post = "event=ONCRMDEALADD&data%5BFIELDS%5D%5BID%5D=42&auth%5Bapplication_token%5D=t";
/// let event = Event::from_form(post.as_bytes()).unwrap();
/// match Payload::of(&event).unwrap() {
///     #[cfg(feature = "crm")]
///     Payload::OnCrmDealAdd(data) => {
///         assert_eq!(data.fields.and_then(|f| f.id), Some(42));
///     }
///     other => println!("{:?}", other.name()),
/// }
/// ```
pub mod events {
    #[doc(inline)]
    pub use b24_core::events::*;
    // `Payload` and the namespace modules (`events::crm`, …); without any namespace
    // feature there are no modules, and nothing but `Payload` comes through here.
    #[doc(inline)]
    #[allow(unused_imports)]
    pub use b24_events::*;

    /// [`router`], handing `on_event` the event's typed data as well
    /// ([`Payload::of`]: an error names the event and the JSON path of what does not have
    /// the documented form; the event itself is still there, with its `data` as posted).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use b24::events::{Event, Payload, PayloadError};
    /// let token = b24::Secret::new(std::env::var("B24_APPLICATION_TOKEN").unwrap_or_default());
    /// let app = axum::Router::new().nest(
    ///     "/b24/events",
    ///     b24::events::typed_router(token, |event: Event, data: Result<Payload, PayloadError>| async move {
    ///         match data {
    ///             Ok(payload) => println!("{:?}", payload.name()),
    ///             Err(e) => eprintln!("{} sent an unexpected form: {e}", event.name),
    ///         }
    ///     }),
    /// );
    /// axum::serve(tokio::net::TcpListener::bind("0.0.0.0:8080").await?, app).await
    /// # }
    /// ```
    #[cfg(feature = "event-handler")]
    #[cfg_attr(docsrs, doc(cfg(feature = "event-handler")))]
    pub fn typed_router<F, Fut>(application_token: crate::Secret, on_event: F) -> axum::Router
    where
        F: Fn(Event, Result<Payload, PayloadError>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        router(application_token, move |event: Event| {
            let payload = Payload::of(&event);
            on_event(event, payload)
        })
    }
}

/// What most programs use, in one import: `use b24::prelude::*;` — the client and its
/// errors, the method traits, `#[b24_method]`, the request types most parameters take,
/// and the stream extension traits (for `.next()` on [`Client::list`]).
pub mod prelude {
    #[doc(no_inline)]
    pub use crate::b24_method;
    #[doc(no_inline)]
    pub use b24_core::prelude::*;
}
