use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;
use crate::check::Check;
use crate::wire::{FromWire, bool_of, leaf};

/// A `Y`/`N` flag, the most common boolean encoding of the REST API.
///
/// ```
/// use b24::types::Yn;
/// assert_eq!(Yn::from(true), Yn::Y);
/// assert!(bool::from(Yn::Y));
/// assert_eq!("N".parse::<Yn>()?, Yn::N);
/// assert_eq!(serde_json::to_string(&Yn::Y)?, "\"Y\"");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Yn {
    /// Yes.
    Y,
    /// No.
    N,
}

impl Yn {
    /// `"Y"` or `"N"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Yn::Y => "Y",
            Yn::N => "N",
        }
    }
}

impl From<bool> for Yn {
    fn from(b: bool) -> Self {
        if b { Yn::Y } else { Yn::N }
    }
}

impl From<Yn> for bool {
    fn from(y: Yn) -> bool {
        y == Yn::Y
    }
}

impl fmt::Display for Yn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Yn {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Y" => Ok(Yn::Y),
            "N" => Ok(Yn::N),
            _ => Err(InvalidValue::new(
                "Yn",
                s.to_string(),
                "expected `Y` or `N`",
                None,
            )),
        }
    }
}

impl Serialize for Yn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Yn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Yn::decode(d)
    }
}

impl FromWire for Yn {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| {
            bool_of(p)
                .map(Yn::from)
                .map_err(|_| p.unexpected("`Y` or `N`"))
        })
    }
}

impl Check for Yn {}

/// A flag sent as `1`/`0`.
///
/// ```
/// use b24::types::Bool01;
/// assert_eq!(serde_json::to_string(&Bool01(true))?, "1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bool01(pub bool);

impl From<bool> for Bool01 {
    fn from(b: bool) -> Self {
        Bool01(b)
    }
}

impl From<Bool01> for bool {
    fn from(b: Bool01) -> bool {
        b.0
    }
}

impl Serialize for Bool01 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(u8::from(self.0))
    }
}

impl<'de> Deserialize<'de> for Bool01 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Bool01::decode(d)
    }
}

impl FromWire for Bool01 {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |p| bool_of(p).map(Bool01))
    }
}

impl Check for Bool01 {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yn_conversions() {
        assert_eq!(Yn::from(false), Yn::N);
        assert!(!bool::from(Yn::N));
        assert_eq!(Yn::Y.to_string(), "Y");
        let e = "yes".parse::<Yn>().expect_err("not Y/N");
        assert!(e.to_string().contains("\"yes\""));
        assert!("y".parse::<Yn>().is_err());
    }

    #[test]
    fn yn_tolerant_decoding() {
        for (v, want) in [
            (serde_json::json!("Y"), Yn::Y),
            (serde_json::json!("N"), Yn::N),
            (serde_json::json!(true), Yn::Y),
            (serde_json::json!(0), Yn::N),
        ] {
            assert_eq!(Yn::from_wire(&v), Ok(want), "{v}");
        }
        assert!(Yn::from_wire(&serde_json::json!("maybe")).is_err());
        assert!(serde_json::from_str::<Yn>("\"X\"").is_err());
    }

    #[test]
    fn bool01_wire() {
        assert_eq!(
            serde_json::to_string(&Bool01(false)).ok().as_deref(),
            Some("0")
        );
        assert_eq!(Bool01::from_wire(&serde_json::json!("1")), Ok(Bool01(true)));
    }
}
