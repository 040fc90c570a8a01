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

use std::fmt;

/// A value that does not have the form its type requires (from `FromStr` and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// The type that refused the value, e.g. `DialogId`.
    pub type_name: &'static str,
    /// The refused value.
    pub value: String,
    /// What the value must look like.
    pub rule: &'static str,
    /// The error code the server answers for such a value, if known.
    pub server_code: Option<&'static str>,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: {}",
            self.type_name, self.value, self.rule
        )?;
        if let Some(code) = self.server_code {
            write!(f, " (the server answers {code})")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidValue {}
