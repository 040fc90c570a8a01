//! The description of an entity's field, as every `*.fields` method returns it.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::check::Check;
use crate::wire::{FromWire, WireError, field, object};

/// One field's description (`crm.deal.fields`, `crm.contact.fields`, `tasks.task.getfields`,
/// …): its type and flags; the `*.fields` methods return them in a map keyed by the field's
/// name. Members not listed here stay in [`FieldInfo::extra`].
///
/// ```
/// use b24::types::FieldInfo;
/// use b24::wire::FromWire;
/// let f = FieldInfo::from_wire(&serde_json::json!({
///     "type": "crm_status", "isRequired": false, "isReadOnly": false, "isImmutable": false,
///     "isMultiple": false, "isDynamic": false, "statusType": "HONORIFIC", "title": "Salutation"
/// }))?;
/// assert_eq!(f.type_, "crm_status");
/// assert_eq!(f.status_type.as_deref(), Some("HONORIFIC"));
/// assert!(!f.is_required);
/// # Ok::<(), b24::wire::WireError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct FieldInfo {
    /// `type`: the field's data type (`string`, `integer`, `crm_status`, `user`, …).
    pub type_: String,
    /// `isRequired`.
    pub is_required: bool,
    /// `isReadOnly`.
    pub is_read_only: bool,
    /// `isImmutable`: set once, at creation.
    pub is_immutable: bool,
    /// `isMultiple`: the value is a list.
    pub is_multiple: bool,
    /// `isDynamic`: a user field.
    pub is_dynamic: bool,
    /// `title`.
    pub title: Option<String>,
    /// `listLabel`, `formLabel`, `filterLabel` (user fields).
    pub labels: Labels,
    /// `statusType`: the CRM directory of a `crm_status` field.
    pub status_type: Option<String>,
    /// `items`: the values of a list field.
    pub items: Vec<FieldItem>,
    /// `settings`: the type's settings (user fields).
    pub settings: Option<Value>,
    /// Other members (`upperName`, `isDeprecated`, …).
    pub extra: BTreeMap<String, Value>,
}

/// The labels of a user field.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Labels {
    /// `listLabel`.
    pub list: Option<String>,
    /// `formLabel`.
    pub form: Option<String>,
    /// `filterLabel`.
    pub filter: Option<String>,
}

/// One value of a list field: `{"ID": "1", "VALUE": "First"}`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct FieldItem {
    /// `ID`.
    pub id: String,
    /// `VALUE`.
    pub value: String,
    /// Other members.
    pub extra: BTreeMap<String, Value>,
}

const KNOWN: &[&str] = &[
    "type",
    "isRequired",
    "isReadOnly",
    "isImmutable",
    "isMultiple",
    "isDynamic",
    "title",
    "listLabel",
    "formLabel",
    "filterLabel",
    "statusType",
    "items",
    "settings",
];

fn rest(o: &Map<String, Value>, known: &[&str]) -> BTreeMap<String, Value> {
    o.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl FromWire for FieldInfo {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        let o = object(v)?;
        let mut extra = rest(o, KNOWN);
        // A description never fails to read: a member of an unexpected form (a list where
        // a string was expected) is kept, as sent, among the other members.
        let one = |k: &'static str, extra: &mut BTreeMap<String, Value>| -> Option<String> {
            let raw = o.get(k)?;
            match String::from_wire(raw) {
                Ok(s) => Some(s),
                Err(_) => {
                    if !raw.is_null() && *raw != Value::Bool(false) {
                        extra.insert(k.to_string(), raw.clone());
                    }
                    None
                }
            }
        };
        let flag = |k: &str| -> Result<bool, WireError> {
            field::<Option<bool>>(o, k).map(Option::unwrap_or_default)
        };
        let items = match o.get("items") {
            None | Some(Value::Null) => Vec::new(),
            Some(raw) => match Vec::<FieldItem>::from_wire(raw) {
                Ok(items) => items,
                Err(_) => {
                    extra.insert("items".into(), raw.clone());
                    Vec::new()
                }
            },
        };
        Ok(FieldInfo {
            type_: one("type", &mut extra).unwrap_or_default(),
            is_required: flag("isRequired")?,
            is_read_only: flag("isReadOnly")?,
            is_immutable: flag("isImmutable")?,
            is_multiple: flag("isMultiple")?,
            is_dynamic: flag("isDynamic")?,
            title: one("title", &mut extra),
            labels: Labels {
                list: one("listLabel", &mut extra),
                form: one("formLabel", &mut extra),
                filter: one("filterLabel", &mut extra),
            },
            status_type: one("statusType", &mut extra),
            items,
            settings: o.get("settings").filter(|x| !x.is_null()).cloned(),
            extra,
        })
    }
}

impl FromWire for FieldItem {
    fn from_wire(v: &Value) -> Result<Self, WireError> {
        let o = object(v)?;
        Ok(FieldItem {
            id: field::<Option<String>>(o, "ID")?.unwrap_or_default(),
            value: field::<Option<String>>(o, "VALUE")?.unwrap_or_default(),
            extra: rest(o, &["ID", "VALUE"]),
        })
    }
}

impl Serialize for FieldInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = Map::new();
        m.insert("type".into(), Value::from(self.type_.clone()));
        for (k, b) in [
            ("isRequired", self.is_required),
            ("isReadOnly", self.is_read_only),
            ("isImmutable", self.is_immutable),
            ("isMultiple", self.is_multiple),
            ("isDynamic", self.is_dynamic),
        ] {
            m.insert(k.into(), Value::Bool(b));
        }
        for (k, v) in [
            ("title", &self.title),
            ("listLabel", &self.labels.list),
            ("formLabel", &self.labels.form),
            ("filterLabel", &self.labels.filter),
            ("statusType", &self.status_type),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::from(v.clone()));
            }
        }
        if !self.items.is_empty() {
            let items = self
                .items
                .iter()
                .map(|i| {
                    let mut o: Map<String, Value> = i.extra.clone().into_iter().collect();
                    o.insert("ID".into(), Value::from(i.id.clone()));
                    o.insert("VALUE".into(), Value::from(i.value.clone()));
                    Value::Object(o)
                })
                .collect();
            m.insert("items".into(), Value::Array(items));
        }
        if let Some(st) = &self.settings {
            m.insert("settings".into(), st.clone());
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for FieldInfo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl Check for FieldInfo {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_of_another_form_are_kept_not_refused() {
        let v =
            json!({"type": "crm_status", "isRequired": false, "statusType": ["A"], "items": "x"});
        let f = FieldInfo::from_wire(&v).expect("never refused");
        assert_eq!(f.status_type, None);
        assert_eq!(f.extra["statusType"], json!(["A"]));
        assert_eq!(f.extra["items"], json!("x"));
    }

    #[test]
    fn reads_and_writes_a_description_without_loss() {
        let v = json!({
            "type": "enumeration", "isRequired": "Y", "isReadOnly": false, "isImmutable": false,
            "isMultiple": true, "isDynamic": true, "title": "Kind", "listLabel": "Kind",
            "formLabel": "Kind", "filterLabel": "Kind", "upperName": "UF_CRM_KIND",
            "items": [{"ID": "1", "VALUE": "One", "DEF": "N"}], "settings": {"DISPLAY": "LIST"}
        });
        let f = FieldInfo::from_wire(&v).expect("reads");
        assert!(f.is_required && f.is_multiple && f.is_dynamic);
        assert_eq!(f.items[0].value, "One");
        assert_eq!(f.extra["upperName"], json!("UF_CRM_KIND"));
        let back = serde_json::to_value(&f).expect("writes");
        for k in v.as_object().expect("object").keys() {
            assert!(back.get(k).is_some(), "{k} kept");
        }
        assert_eq!(back["items"][0]["DEF"], json!("N"));
    }
}
