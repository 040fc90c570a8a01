//! The docs' data-types pages (`api-reference/**/data-types.md`): the types of the objects
//! that parameter tables refer to as `sale_order.id` or `catalog_measure.code`.

use std::collections::BTreeMap;
use std::path::Path;

use super::page::{Field, MethodPage, Warning};
use super::table::tables;
use super::yfm;

/// `object.field` → spec type, from every data-types page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataTypes {
    types: BTreeMap<String, String>,
}

impl DataTypes {
    /// Reads the data-types pages under `docs/api-reference`.
    pub fn read(docs: &Path) -> DataTypes {
        let mut dt = DataTypes::default();
        let root = docs.join("api-reference");
        let mut pages = vec![root.join("data-types.md")];
        if let Ok(rd) = std::fs::read_dir(&root) {
            for e in rd.flatten() {
                pages.push(e.path().join("data-types.md"));
            }
        }
        pages.sort();
        for p in pages {
            if let Ok(src) = std::fs::read_to_string(&p) {
                dt.add_page(&src);
            }
        }
        dt.settle();
        dt
    }

    /// Adds the objects of one data-types page: each heading names an object, the table
    /// under it its fields.
    pub fn add_page(&mut self, src: &str) {
        let c = yfm::clean(src);
        let heads: Vec<(usize, String)> = c
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("##"))
            .map(|(i, l)| {
                let t = l.trim_start_matches('#').trim();
                let name = match t.rfind("{#") {
                    Some(p) => t[p + 2..].trim_end_matches('}').trim(),
                    None => t.split_whitespace().last().unwrap_or(""),
                };
                (i + 1, name.to_string())
            })
            .collect();
        let mut warnings = Vec::new();
        for t in tables(&c.text).iter().filter(|t| !t.nested) {
            let Some((_, object)) = heads.iter().rev().find(|(l, _)| *l < t.line) else {
                continue;
            };
            if !object
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                continue;
            }
            for f in super::page::fields_of_table(t, &mut warnings) {
                // A reference to another object (`sale_order.id`) is resolved by `settle`.
                let ty = if f.ty == "any" && f.doc_ty.contains('.') {
                    f.doc_ty.clone()
                } else {
                    f.ty.clone()
                };
                self.types.insert(format!("{object}.{}", f.name), ty);
            }
        }
    }

    /// Resolves references between objects (`orderId` of a shipment is a `sale_order.id`).
    fn settle(&mut self) {
        for _ in 0..3 {
            let snapshot = self.types.clone();
            for ty in self.types.values_mut() {
                if let Some(t) = snapshot.get(ty.as_str()) {
                    *ty = t.clone();
                }
            }
        }
    }

    /// The spec type of `object.field`, when a data-types page gives a plain one.
    pub fn get(&self, reference: &str) -> Option<&str> {
        let t = self.types.get(reference)?;
        let plain = !t.contains('.') && !t.contains("ObjectRef") && t != "any";
        plain.then_some(t.as_str())
    }

    /// The fields of `object` (`crm_item_product_row`) a data-types page documents, with
    /// their plain types.
    pub fn fields_of(&self, object: &str) -> Vec<(&str, &str)> {
        let prefix = format!("{object}.");
        self.types
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| Some((&k[prefix.len()..], self.get(k)?)))
            .collect()
    }

    /// Replaces the `any` of every field whose docs type is such a reference.
    pub fn resolve(&self, fields: &mut [Field]) {
        for f in fields {
            if f.ty != "any" && f.ty != "any[]" {
                continue;
            }
            let array = f.ty.ends_with("[]") || f.doc_ty.ends_with("[]");
            let reference = f.doc_ty.trim_end_matches("[]").trim();
            if let Some(t) = self.get(reference) {
                f.ty = if array {
                    format!("{t}[]")
                } else {
                    t.to_string()
                };
            }
        }
    }

    /// Resolves the `object.field` types of a page's parameters and fields.
    pub fn resolve_references(&self, page: &mut MethodPage) {
        self.resolve(&mut page.params);
        for fields in page.types.values_mut() {
            self.resolve(fields);
        }
        self.documented_objects(page);
    }

    /// A member typed `crm_item_product_row[]` whose struct the page's example shaped: the
    /// data-types page documents that object field by field, and its types win over the
    /// ones an example value suggested (`quantity: 1` is a `double`, and real portals
    /// answer `0.06`).
    fn documented_objects(&self, page: &mut MethodPage) {
        let mut links: Vec<(String, String)> = Vec::new();
        for f in page.params.iter().chain(page.types.values().flatten()) {
            let object = f.doc_ty.trim_end_matches("[]").trim();
            let named = f.ty.trim_end_matches('?').trim_end_matches("[]");
            let object = if object.is_empty() {
                // A member the example shaped that the result's table types by name.
                page.documented_members
                    .iter()
                    .find(|(m, _)| *m == f.name)
                    .map_or("", |(_, o)| o.as_str())
            } else {
                object
            };
            if !object.is_empty()
                && page.types.contains_key(named)
                && !self.fields_of(object).is_empty()
            {
                links.push((named.to_string(), object.to_string()));
            }
        }
        for (named, object) in links {
            let documented = self.fields_of(&object);
            let Some(fields) = page.types.get_mut(&named) else {
                continue;
            };
            // Scalars only: a struct or a list the example shaped stays (the data type says
            // `object` or `array` of it, which is less).
            let scalar = |t: &str| {
                matches!(
                    t,
                    "any"
                        | "string"
                        | "int"
                        | "float"
                        | "yn"
                        | "bool"
                        | "bool01"
                        | "date"
                        | "datetime"
                        | "char"
                        | "text"
                )
            };
            for f in fields.iter_mut().filter(|f| f.from_example) {
                if let Some((_, t)) = documented.iter().find(|(n, _)| *n == f.name)
                    && f.ty != *t
                    && scalar(&f.ty)
                    && scalar(t)
                    && *t != "any"
                {
                    page.warnings.push(Warning::new(
                        "type-from-data-types",
                        f.line,
                        format!(
                            "`{}` of `{named}`: `{}` by the example, `{t}` by the `{object}` data type",
                            f.name, f.ty
                        ),
                    ));
                    f.ty = (*t).to_string();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_through_the_data_types_pages() {
        let mut dt = DataTypes::default();
        dt.add_page("# Types\n\n## Object Structure\n\n### sale_order\n\n#|\n|| **Value**\n`type` | **Description** ||\n|| **id**\n[`integer`](x.md) | Id ||\n|#\n\n### sale_order_shipment\n\n#|\n|| **Value**\n`type` | **Description** ||\n|| **id**\n[`string`](x.md) | Id ||\n|| **orderId**\n[`sale_order.id`](#sale_order) | Order ||\n|#\n");
        dt.settle();
        assert_eq!(dt.get("sale_order.id"), Some("int"));
        assert_eq!(dt.get("sale_order_shipment.id"), Some("string"));
        assert_eq!(dt.get("sale_order_shipment.orderId"), Some("int"));
        assert_eq!(dt.get("sale_nothing.id"), None);
    }
}
