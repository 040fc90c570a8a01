//! What most programs use, in one import: `use b24::prelude::*;`.
//!
//! The client and its errors, the method traits, the request types most parameters
//! take, and the stream extension traits (anonymously, for `.next()`, `.try_collect()`
//! and the like on [`Client::list`](crate::Client::list)) so that no `futures` dependency
//! is needed for them.

pub use crate::types::{Date, DateTime, DialogId, FileUpload, Filter, Order, Yn};
pub use crate::{Client, Error, ErrorCode, ListMethod, Method, Response};
pub use futures_util::{StreamExt as _, TryStreamExt as _};
