//! Wire types shared by every binding: dialog ids, `Y`/`N` and `1`/`0` flags, dates and
//! times.

mod datetime;
mod dialog_id;
mod field_info;
mod file;
mod flags;
mod query;

pub use datetime::{Date, DateTime};
pub use dialog_id::DialogId;
pub use field_info::{FieldInfo, FieldItem, Labels};
pub use file::{File, FileUpload, StoredFile};
pub use flags::{Bool01, Yn};
pub use query::{Filter, Order, SortDir};

pub use crate::error::InvalidValue;
