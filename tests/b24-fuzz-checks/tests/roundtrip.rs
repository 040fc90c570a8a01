//! Property tests for the round trips between b24's encoders and decoders:
//! - a tree → b24's one codec of PHP's bracket-key forms (`b24::form`: the batch's
//!   commands, the event handler, the command line, the fake portal) → the tree again:
//!   the same values as a portal sees them (strings; `null`s and empty containers gone);
//! - a documented parameter table → the docs importer → the spec text it writes → the spec
//!   loader: the same parameters, types and required flags.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// A JSON value as a PHP portal reads it from a form: scalars as strings (`true` → `1`),
/// `null` and empty lists/maps left out, a container whose keys are `0, 1, …` in order a
/// list, any other an object (see `b24::form`).
fn as_php(v: &Value) -> Option<Value> {
    let container = |entries: Vec<(String, Value)>| -> Option<Value> {
        if entries.is_empty() {
            return None;
        }
        let listed = entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == i.to_string());
        Some(if listed {
            Value::Array(entries.into_iter().map(|(_, v)| v).collect())
        } else {
            Value::Object(entries.into_iter().collect())
        })
    };
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(Value::String(if *b { "1" } else { "0" }.into())),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::String(s) => Some(Value::String(s.clone())),
        Value::Array(a) => container(
            a.iter()
                .enumerate()
                .filter_map(|(i, x)| as_php(x).map(|x| (i.to_string(), x)))
                .collect(),
        ),
        Value::Object(o) => container(
            o.iter()
                .filter_map(|(k, x)| as_php(x).map(|x| (k.clone(), x)))
                .collect(),
        ),
    }
}

/// Keys as Bitrix24 parameters and filters have them (`>=DATE_CREATE`, `!%TITLE`, `UF_1`):
/// no brackets, which PHP's key syntax reserves, and not empty (`a[]` is a list push).
fn key() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_>=<!%@.-]{1,10}"
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn a_form_round_trips(params in prop::collection::btree_map(key(), json(), 0..6)) {
        let params = Value::Object(params.into_iter().collect());
        let form = b24::form::encode(&params);
        let decoded = b24::form::decode(form.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The top level is always an object (a form's names), even when its keys are
        // `0, 1, …`.
        let expected = match as_php(&params) {
            None => Value::Object(Map::new()),
            Some(Value::Array(items)) => Value::Object(
                items.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
            ),
            Some(v) => v,
        };
        prop_assert_eq!(&decoded, &expected, "form: {}", form);
        // The fake portal and a batch's commands read and write it the same way.
        prop_assert_eq!(b24_testkit::parse_query(&form).ok(), Some(decoded));
        prop_assert_eq!(b24::__testing::encode_query(&params), form);
    }
}

/// One documented parameter: its wire name, docs type, spec type, required flag.
#[derive(Debug, Clone)]
struct Param {
    name: String,
    docs_ty: &'static str,
    spec_ty: &'static str,
    required: bool,
}

fn param() -> impl Strategy<Value = Param> {
    let types = prop::sample::select(vec![
        ("integer", "int"),
        ("string", "string"),
        ("double", "float"),
        ("datetime", "datetime"),
        ("date", "date"),
        ("string[]", "string[]"),
        ("integer[]", "int[]"),
    ]);
    // Names the docs use for key patterns (extra keys), not one parameter: `UF_…`,
    // `UF…_`, `PROPERTY_XXX`.
    let name = "[A-Z][A-Z0-9_]{0,12}".prop_filter("a key pattern", |n| {
        let user_field = n.starts_with("UF_") || (n.starts_with("UF") && n.ends_with('_'));
        !(user_field || n.contains("_XXX"))
    });
    (name, types, any::<bool>()).prop_map(|(name, (d, s), required)| Param {
        name,
        docs_ty: d,
        spec_ty: s,
        required,
    })
}

/// A method page in the docs' current layout with `params` in its table.
fn page(params: &[Param]) -> String {
    let rows: String = params
        .iter()
        .map(|p| {
            format!(
                "|| **{}{}**\n[`{}`](../data-types.md) | A parameter ||\n",
                p.name,
                if p.required { "*" } else { "" },
                p.docs_ty
            )
        })
        .collect();
    format!(
        "# Do a Thing vendor.thing.do\n\n> Scope: [`vendor`](../scopes/permissions.md)\n\n\
         ## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n{rows}|#\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn a_parameter_table_round_trips_through_import_emit_and_load(
        params in prop::collection::vec(param(), 1..12)
    ) {
        // Names that become one Rust field are one parameter (the importer keeps the first).
        let mut seen = std::collections::BTreeSet::new();
        let params: Vec<Param> = params
            .into_iter()
            .filter(|p| seen.insert(b24_spec::naming::field_ident(&p.name)))
            .collect();
        let text = page(&params);
        let (_, read) = b24_import::import::page::read("api-reference/vendor/vendor-thing-do.md", &text);
        let read = read.expect("a method page");
        let toml = b24_import::import::spec_toml(&read, "api-reference/vendor/vendor-thing-do.md", "0123456789abcdef");
        let spec = b24_spec::load_str(std::path::Path::new("vendor.thing.do.toml"), &toml)
            .unwrap_or_else(|e| panic!("the importer wrote a spec the loader refuses:\n{e}\n{toml}"));
        let got: Vec<(String, String, bool)> = spec
            .request
            .params
            .iter()
            .map(|p| (p.name.clone(), p.ty.to_string(), p.required))
            .collect();
        let want: Vec<(String, String, bool)> = params
            .iter()
            .map(|p| (p.name.clone(), p.spec_ty.to_string(), p.required))
            .collect();
        prop_assert_eq!(got, want, "page:\n{}\nspec:\n{}", text, toml);
    }
}
