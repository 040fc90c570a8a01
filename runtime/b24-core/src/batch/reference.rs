//! References between a batch's commands (`$result[key][path…]`): typed [`Ref`]s, the
//! [`Arg`] a parameter takes (a value or a reference), and the mark that carries a
//! reference through a request's JSON to its query string, verbatim.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde_json::Value;

/// Marks a parameter value that must reach the portal verbatim (a `$result` reference).
pub(crate) const REF_MARK: &str = "\u{1}b24ref\u{1}";

/// A `$result[key][path…]` reference to an earlier command's result, typed by the value
/// it stands for: [`Handle::result`] gives a `Ref<T>` of the command's output type, so
/// it goes only where a `T` may (`crm.deal.add`'s id into an `i64` parameter); a path into
/// a result ([`Handle::at`]) is an [`Untyped`] reference, accepted by any integer or
/// string parameter.
pub struct Ref<T = Untyped>(pub(super) String, PhantomData<fn() -> T>);

/// The type of a [`Ref`] into a result, whose value b24 cannot know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untyped;

impl<T> Ref<T> {
    pub(super) fn new(text: String) -> Ref<T> {
        Ref(text, PhantomData)
    }

    /// The reference as the portal reads it, e.g. `$result[deal][ID]`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same reference, without its type (for [`Batch::add_with`]).
    pub fn untyped(self) -> Ref {
        Ref::new(self.0)
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref::new(self.0.clone())
    }
}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Eq for Ref<T> {}

impl<T> std::fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Ref").field(&self.0).finish()
    }
}

/// A parameter's value: given, or taken from an earlier command of the same batch.
///
/// The constructors and setters of generated requests take `impl Into<Arg<i64>>` and
/// `impl Into<Arg<String>>` for integer and string parameters, so a [`Ref`] goes where
/// the value would, with no placeholder:
///
/// ```no_run
/// # use b24::methods::crm::{ItemAdd, ItemGet, item_add};
/// # async fn run(client: b24::Client) -> Result<(), b24::Error> {
/// let mut batch = client.batch();
/// let added = batch.add(&ItemAdd::new(2, item_add::Fields::default()))?;
/// let item = batch.add(&ItemGet::new(2, added.at(&["item", "id"])))?;
/// # Ok(()) }
/// ```
///
/// A request holding a reference is refused outside a batch (nothing is sent), and
/// validation leaves the referenced parameter to the portal.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<T> {
    /// The value itself.
    Value(T),
    /// A reference to an earlier command's result.
    Ref(Ref),
}

impl<U: Into<i64>> From<U> for Arg<i64> {
    fn from(v: U) -> Self {
        Arg::Value(v.into())
    }
}

impl<U: Into<String>> From<U> for Arg<String> {
    fn from(v: U) -> Self {
        Arg::Value(v.into())
    }
}

impl From<Ref> for Arg<i64> {
    fn from(r: Ref) -> Self {
        Arg::Ref(r)
    }
}

impl From<Ref<i64>> for Arg<i64> {
    fn from(r: Ref<i64>) -> Self {
        Arg::Ref(r.untyped())
    }
}

impl From<Ref> for Arg<String> {
    fn from(r: Ref) -> Self {
        Arg::Ref(r)
    }
}

impl From<Ref<String>> for Arg<String> {
    fn from(r: Ref<String>) -> Self {
        Arg::Ref(r.untyped())
    }
}

impl<T: Default> Arg<T> {
    /// The field's value; a reference goes into the request's unlisted parameters under
    /// `wire` (where it takes the field's place on the wire) and the field keeps a
    /// default. A value removes a reference set before.
    #[doc(hidden)]
    pub fn place(self, wire: &str, extra: &mut BTreeMap<String, Value>) -> T {
        match self {
            Arg::Value(v) => {
                if is_ref(extra.get(wire)) {
                    extra.remove(wire);
                }
                v
            }
            Arg::Ref(r) => {
                extra.insert(
                    wire.to_string(),
                    Value::String(format!("{REF_MARK}{}", r.0)),
                );
                T::default()
            }
        }
    }
}

/// Whether `v` is a batch reference placed by [`Arg::place`].
#[doc(hidden)]
pub fn is_ref(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.starts_with(REF_MARK))
}

/// Whether the parameters hold a batch reference anywhere.
pub(crate) fn holds_ref(params: &Value) -> bool {
    match params {
        Value::String(_) => is_ref(Some(params)),
        Value::Array(a) => a.iter().any(holds_ref),
        Value::Object(m) => m.values().any(holds_ref),
        _ => false,
    }
}
