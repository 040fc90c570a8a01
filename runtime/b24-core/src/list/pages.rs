//! How a page's items are read: typed (a binding's result type), or as JSON for a
//! method known by name. Lists and exports read pages the same way.

use std::marker::PhantomData;

use serde_json::Value;

use crate::client::Client;
use crate::method::ListMethod;

/// How a list or an export reads the items of one page (a `result`, or a batch
/// command's): typed, or as JSON for a method known by name.
pub(super) trait Pages: Send + Sync + 'static {
    type Item: Send + 'static;
    fn read(&self, page: &[u8]) -> Result<Vec<Self::Item>, crate::wire::WireError>;
}

/// A typed list method's pages; leniently decoded when the client is (see
/// [`crate::ClientBuilder::strict_decoding`]), what is reported scrubbed of its secrets.
pub(super) struct Typed<M>(PhantomData<fn() -> M>, Option<crate::auth::Scrubber>);

impl<M> Typed<M> {
    /// The pages of `M` as `client` reads answers (leniently, unless it is strict).
    pub(super) fn of(client: &Client) -> Typed<M> {
        Typed(
            PhantomData,
            client.inner.lenient.then(|| client.inner.scrubber.clone()),
        )
    }
}

impl<M> Pages for Typed<M>
where
    M: ListMethod + 'static,
    M::Item: Send + 'static,
{
    type Item = M::Item;
    fn read(&self, page: &[u8]) -> Result<Vec<M::Item>, crate::wire::WireError> {
        crate::envelope::decode_text::<M::Output>(page, M::NAME, "$.result", self.1.as_ref())
            .map(|(out, _)| M::items(out))
    }
}

/// Pages as JSON: the items array (under `items` when it is set).
pub(super) struct RawPages {
    pub(super) items: Option<&'static str>,
}

impl Pages for RawPages {
    type Item = Value;
    fn read(&self, page: &[u8]) -> Result<Vec<Value>, crate::wire::WireError> {
        let page: Value = crate::wire::decode_slice(page)?;
        let rows = match (&self.items, page) {
            (Some(member), Value::Object(mut m)) => m.remove(*member).unwrap_or(Value::Null),
            (_, page) => page,
        };
        Ok(match rows {
            Value::Array(rows) => rows,
            // PHP's empty map, or no items at all.
            Value::Object(m) if m.is_empty() => Vec::new(),
            Value::Null => Vec::new(),
            other => vec![other],
        })
    }
}
