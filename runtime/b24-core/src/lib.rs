//! The runtime of [b24](https://docs.rs/b24): client, auth, limits, retries, batch, lists,
//! errors and the wire types that generated bindings use.
//!
//! Depend on `b24`, not on this crate: `b24` re-exports everything here, together with
//! the `#[b24_method]` attribute and the generated bindings (`b24::methods::<namespace>`,
//! one cargo feature each). This crate exists so that each namespace's bindings can be a
//! crate of its own, compiled in parallel and rebuilt alone when its specs change.
//!
//! Generated code reaches this crate only through the hidden `__private` module.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod address;
mod attempt;
mod auth;
mod batch;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod body;
mod call;
mod check;
mod client;
mod download;
mod envelope;
mod error;
pub mod events;
mod execute;
pub mod form;
mod limits;
mod list;
mod method;
mod metrics;
mod oauth;
pub mod prelude;
mod prepared;
mod retry;
mod secret;
pub mod shared_limit;
#[cfg(feature = "spec")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec")))]
mod spec;
mod tls;
pub mod types;
pub mod wire;

pub use batch::{Arg, Batch, BatchResults, BatchStream, Handle, RawCommand, Ref, Untyped};
pub use body::DEFAULT_MAX_RESPONSE;
pub use call::{Call, CallFuture, Full, RawCall};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_IN_FLIGHT};
pub use download::DEFAULT_DOWNLOAD_LIMIT;
pub use envelope::{Response, Time};
pub use error::{
    ApiError, AuthError, AuthKind, BatchError, CommandError, ConfigError, ConfigKind, DecodeError,
    DecodeKind, Error, ErrorCode, InvalidValue, Problem, ProtocolError, ProtocolKind,
    TransportError, TransportKind, ValidationError,
};
pub use limits::RateLimit;
pub use list::{Export, ItemStream, Progress};
pub use method::{Api, ListMethod, Listing, Method, Pagination};
pub use metrics::Metrics;
pub use oauth::{DEFAULT_TOKEN_ENDPOINT, OAuthApp, OAuthTokens, TokenStore};
pub use retry::RetryPolicy;
pub use secret::Secret;
#[cfg(feature = "redis")]
pub use shared_limit::RedisRateLimiter;
pub use shared_limit::{RateLimiter, Room};
pub use tls::http_client_builder;
pub use wire::Unread;

/// Entry points for the fuzz targets and property tests (`tests/b24-fuzz`, `tests/b24-fuzz-checks`):
/// the decoders and encoders of outside input, callable without a network. Not a public
/// API: it may change in any release.
#[doc(hidden)]
pub mod __testing {
    pub use crate::batch::{decode_batch_body, encode_query};
    pub use crate::envelope::decode_body;
}

/// The one path generated code takes into the runtime (the `#[b24_method]` expansion and
/// every `b24-methods-*` crate). Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::batch::is_ref;
    pub use crate::check::{Check, Inspect, Problems};
    pub use crate::envelope::decode_body;
    pub use crate::events::decode_data;
    pub use crate::types;
    pub use crate::{
        Api, ApiError, Arg, ErrorCode, ListMethod, Method, Pagination, Time, ValidationError,
    };
    pub use jiff;
    pub use serde;
    pub use serde_json;

    /// Decoding helpers for generated types.
    pub mod wire {
        pub use crate::wire::{
            FromWire, Record, WireError, by_name, decode_slice, decode_value, deserialize, field,
            field_at, fill, object, positional, positional_body, put, record, same, scalar,
            scalar_string, slots, take,
        };
    }
}
