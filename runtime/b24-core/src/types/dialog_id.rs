use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::InvalidValue;
use crate::check::{Check, Problems};
use crate::wire::{FromWire, WireError};

const RULE: &str = "expected chatN (a chat), sgN (a group or project chat) or N (a user id), with N a whole number ≥ 1";
const SERVER_CODE: &str = "DIALOG_ID_EMPTY";

/// A dialog: a chat (`chat74`), a group or project chat (`sg5`) or a private dialog with a
/// user, given by the user's id (`12`).
///
/// ```
/// use b24::types::DialogId;
/// let d: DialogId = "chat74".parse()?;
/// assert_eq!(d, DialogId::Chat(74));
/// assert_eq!(d.to_string(), "chat74");
/// assert_eq!("12".parse::<DialogId>()?, DialogId::User(12));
/// assert!("".parse::<DialogId>().is_err());
/// assert!("chat".parse::<DialogId>().is_err());
/// # Ok::<(), b24::types::InvalidValue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DialogId {
    /// `chatN`: a chat.
    Chat(u64),
    /// `sgN`: the chat of a workgroup or project.
    Group(u64),
    /// `N`: the private dialog with user `N`.
    User(u64),
}

impl DialogId {
    /// The numeric part.
    pub fn id(self) -> u64 {
        match self {
            DialogId::Chat(n) | DialogId::Group(n) | DialogId::User(n) => n,
        }
    }

    fn invalid(value: impl Into<String>) -> InvalidValue {
        InvalidValue::new("DialogId", value.into(), RULE, Some(SERVER_CODE))
    }
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DialogId::Chat(n) => write!(f, "chat{n}"),
            DialogId::Group(n) => write!(f, "sg{n}"),
            DialogId::User(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for DialogId {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (make, digits): (fn(u64) -> DialogId, &str) = if let Some(d) = s.strip_prefix("chat") {
            (DialogId::Chat, d)
        } else if let Some(d) = s.strip_prefix("sg") {
            (DialogId::Group, d)
        } else {
            (DialogId::User, s)
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DialogId::invalid(s));
        }
        match digits.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(make(n)),
            _ => Err(DialogId::invalid(s)),
        }
    }
}

impl TryFrom<&str> for DialogId {
    type Error = InvalidValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for DialogId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DialogId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => s.parse().map_err(serde::de::Error::custom),
            v => DialogId::from_wire(&v).map_err(serde::de::Error::custom),
        }
    }
}

impl FromWire for DialogId {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        match v {
            Value::String(s) => s.parse().map_err(|e: InvalidValue| {
                WireError::new(e.rule(), v).with_server_code(SERVER_CODE)
            }),
            Value::Number(n) => match n.as_u64() {
                Some(id) if id >= 1 => Ok(DialogId::User(id)),
                _ => Err(WireError::expected(RULE, v).with_server_code(SERVER_CODE)),
            },
            _ => Err(WireError::expected(RULE, v).with_server_code(SERVER_CODE)),
        }
    }
}

impl Check for DialogId {
    fn check(&self, field: &str, problems: &mut Problems) {
        if self.id() == 0 {
            problems.push(field, &self.to_string(), RULE, Some(SERVER_CODE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!("chat74".parse(), Ok(DialogId::Chat(74)));
        assert_eq!("sg5".parse(), Ok(DialogId::Group(5)));
        assert_eq!("12".parse(), Ok(DialogId::User(12)));
        assert_eq!("chat007".parse(), Ok(DialogId::Chat(7)));
    }

    #[test]
    fn refuses_malformed_ids_with_value_rule_and_code() {
        for bad in [
            "",
            "chat",
            "sg",
            "chat-1",
            "chat0",
            "0",
            "abc",
            "CHAT1",
            " 12",
            "12 ",
            "chat1x",
            "99999999999999999999999",
        ] {
            let e = bad.parse::<DialogId>().expect_err(bad);
            assert_eq!(e.value(), bad);
            assert_eq!(e.server_code(), Some("DIALOG_ID_EMPTY"));
            let msg = e.to_string();
            assert!(
                msg.contains("chatN") && msg.contains("DIALOG_ID_EMPTY"),
                "{msg}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for d in [DialogId::Chat(1), DialogId::Group(22), DialogId::User(333)] {
            assert_eq!(d.to_string().parse::<DialogId>(), Ok(d));
        }
    }

    #[test]
    fn wire_forms() {
        assert_eq!(
            serde_json::to_string(&DialogId::Chat(3)).ok().as_deref(),
            Some("\"chat3\"")
        );
        assert_eq!(
            DialogId::from_wire(&serde_json::json!(7)),
            Ok(DialogId::User(7))
        );
        assert_eq!(
            DialogId::from_wire(&serde_json::json!("sg9")),
            Ok(DialogId::Group(9))
        );
        assert!(DialogId::from_wire(&serde_json::json!(true)).is_err());
        assert!(serde_json::from_str::<DialogId>("\"chatx\"").is_err());
    }

    #[test]
    fn zero_built_by_hand_fails_the_check_with_field_and_code() {
        let mut p = Problems::new("im.recent.unread");
        DialogId::Chat(0).check("DIALOG_ID", &mut p);
        let e = p.finish().expect_err("chat0 is not a dialog");
        let msg = e.to_string();
        assert!(
            msg.contains("DIALOG_ID")
                && msg.contains("\"chat0\"")
                && msg.contains("DIALOG_ID_EMPTY"),
            "{msg}"
        );
    }
}
