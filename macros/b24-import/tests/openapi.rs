//! The portal's OpenAPI document and scope list as a source of specs.

use std::collections::BTreeMap;
use std::path::Path;

use b24_import::openapi::{self, Kind};
use b24_spec::spec::{Api, Origin, Pagination, Spec, TypeDef};
use b24_spec::ty::{Prim, TypeExpr};
use serde_json::Value;

fn committed() -> Vec<Spec> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    b24_spec::bindings::load_specs(&dir).expect("the committed specs load")
}

fn data(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("test data");
    serde_json::from_str(&text).expect("JSON")
}

/// The document written from the committed specs reads back into specs that agree with
/// them on the wire: every REST 3.0 method, no problem, no difference.
#[test]
fn the_document_of_the_specs_reads_back_as_the_specs() {
    let specs = committed();
    let v3 = specs.iter().filter(|s| s.api == Api::V3).count();
    assert!(v3 >= 100, "{v3} REST 3.0 specs");
    let doc = openapi::document(&specs, "b24 testkit");
    assert_eq!(doc["paths"].as_object().map(|p| p.len()), Some(v3));
    let scopes = openapi::scopes::read(&openapi::scope_list(&specs)).expect("scope list");
    let imported = openapi::import(&doc, "http://127.0.0.1:1/", &scopes, &specs);
    assert!(imported.problems.is_empty(), "{:#?}", imported.problems);
    assert_eq!(imported.specs.len(), v3);
    let back: Vec<Spec> = imported.specs.iter().map(|(_, _, s)| s.clone()).collect();
    let diffs = openapi::compare(&back, &specs);
    assert!(
        diffs.is_empty(),
        "{}",
        diffs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (path, text, spec) in &imported.specs {
        assert_eq!(spec.origin, Origin::OpenApi);
        assert!(path.to_string_lossy().ends_with("@v3.toml"), "{path:?}");
        assert!(text.starts_with(openapi_header()), "{text}");
        // Bindings are generated from them as from any spec.
        b24_codegen::generate(spec, "Imported", &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    }
    // The docs page of a method is kept; the scope comes from the list.
    let get = &back[back
        .iter()
        .position(|s| s.name == "tasks.task.get")
        .expect("get")];
    assert_eq!(
        get.docs.path,
        "api-reference/tasks/tasks-task-get-rest-v3.md"
    );
    assert_eq!(get.scope, ["tasks"]);
}

fn openapi_header() -> &'static str {
    "# Imported from a portal's OpenAPI document by `b24-gen import-openapi` from \"b24 testkit 1.0.0\" of http://127.0.0.1:1:"
}

/// The document written by hand for these tests, with its scope list.
fn handwritten(specs: &[Spec]) -> openapi::Imported {
    let scopes = openapi::scopes::read(&data("scope-list-handwritten.json")).expect("scopes");
    let doc = data("openapi-handwritten.json");
    openapi::import(&doc, "tests/data/openapi-handwritten.json", &scopes, specs)
}

/// A document written by hand for this test (not taken from any portal): every form the
/// reader meets, every one it cannot hold reported, and its differences from the docs.
#[test]
fn a_handwritten_document_imports_with_its_problems_named() {
    let specs = committed();
    let imported = handwritten(&specs);
    assert_eq!(imported.title, "Hand-written test portal 0.1");
    let names: Vec<&str> = imported
        .specs
        .iter()
        .map(|(_, _, s)| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "tasks.task.get",
            "tasks.task.list",
            "tasks.task.stage.move",
            "mail.message.peek"
        ]
    );
    let problems = imported.problems.join("\n");
    for p in [
        "paths./tasks.task.ghost: no `post` or `get` operation; left out",
        "paths./not a method!: `not a method!` is not a REST method name; left out",
        "paths./tasks.task.stage.move.parameters: query and path parameters are not read by REST 3.0",
        "paths./mail.message.peek.responses.200.properties.result: `oneOf` has no spec form; read as any",
        "components.schemas.TaskDto.properties.group (read for tasks.task.get): `$ref` #/components/schemas/Missing names no schema; read as any",
        "components.schemas.TaskDto.properties.parent (read for tasks.task.list): the schema #/components/schemas/TaskDto contains itself",
    ] {
        assert!(problems.contains(p), "{p:?} in\n{problems}");
    }
    let spec = |n: &str| -> &Spec {
        &imported
            .specs
            .iter()
            .find(|(_, _, s)| s.name == n)
            .expect("imported")
            .2
    };

    let get = spec("tasks.task.get");
    assert_eq!(get.scope, ["task"], "the scope list wins over the docs");
    let id = &get.request.params[0];
    assert_eq!((id.name.as_str(), id.required), ("id", true));
    let TypeExpr::Named(result) = &get.response.result else {
        panic!("{:?}", get.response.result)
    };
    let Some(TypeDef::Struct(result)) = get.types.get(result) else {
        panic!("a struct")
    };
    assert_eq!(result.fields[0].ty, TypeExpr::Named("TaskDto".into()));
    let Some(TypeDef::Struct(task)) = get.types.get("TaskDto") else {
        panic!("TaskDto: {:?}", get.types.keys())
    };
    let field = |n: &str| {
        task.fields
            .iter()
            .find(|f| f.name == n)
            .expect(n)
            .ty
            .to_string()
    };
    assert_eq!(field("deadline"), "datetime?");
    assert_eq!(field("status"), "TaskStatus");
    assert_eq!(field("isMuted"), "yn");
    assert_eq!(field("responsible"), "UserDto");
    assert_eq!(field("creator"), "UserDto", "one type per schema");
    assert_eq!(field("parent"), "any");
    assert_eq!(field("flags"), "map<bool>");
    assert!(matches!(get.types.get("TaskStatus"), Some(TypeDef::Enum(e)) if e.values.len() == 4));

    let list = spec("tasks.task.list");
    assert_eq!(list.pagination, Pagination::V3Page);
    let Some(TypeDef::Struct(item)) = list.types.get("TaskListItem") else {
        panic!("{:?}", list.types.keys())
    };
    assert!(
        item.fields.iter().any(|f| f.name == "title")
            && item.fields.iter().any(|f| f.name == "counters"),
        "allOf merged"
    );

    let mv = spec("tasks.task.stage.move");
    assert!(!mv.idempotent);
    let position = &mv.request.params[2];
    assert_eq!(position.values, ["top", "bottom"]);
    assert_eq!(position.default.as_deref(), Some("bottom"));
    assert_eq!(mv.request.params[0].min, Some(1));
    assert_eq!(mv.docs.path, b24_spec::spec::OPENAPI_PAGE, "no docs page");
    assert_eq!(
        Kind::of(mv, &mv.response.result),
        Kind::Object(BTreeMap::from([(
            "result".to_string(),
            openapi::Member {
                kind: Kind::Boolean,
                required: false
            }
        )]))
    );
    assert_eq!(
        spec("mail.message.peek").response.result,
        TypeExpr::Prim(Prim::Any)
    );
}

/// The hand-written document's differences from the docs' specs.
#[test]
fn a_handwritten_document_is_compared_with_the_docs() {
    let specs = committed();
    let imported = handwritten(&specs);
    let portal: Vec<Spec> = imported.specs.iter().map(|(_, _, s)| s.clone()).collect();
    let lines: Vec<String> = openapi::compare(&portal, &specs)
        .iter()
        .map(ToString::to_string)
        .collect();
    let text = lines.join("\n");
    for l in [
        "tasks.task.get params.withCounters: portal boolean, docs -",
        "tasks.task.get scope: portal task, docs tasks",
        "tasks.task.stage.move: portal has it, docs -",
        "mail.message.peek: portal has it, docs -",
        "tasks.task.add: portal -, docs has it",
        "tasks.task.get result.item.flags: portal map<boolean>, docs -",
        "tasks.task.get result.item.parent: portal any, docs -",
    ] {
        assert!(text.contains(l), "{l:?} in\n{text}");
    }
    let v3_docs = specs.iter().filter(|s| s.api == Api::V3).count();
    let docs_only = lines
        .iter()
        .filter(|l| l.ends_with(": portal -, docs has it"))
        .count();
    assert_eq!(docs_only, v3_docs - 2, "every docs method the portal lacks");
}

#[test]
fn a_document_that_is_not_openapi_is_refused() {
    let imported = openapi::import(
        &serde_json::json!({"result": {"swagger": "2.0"}}),
        "x.json",
        &BTreeMap::new(),
        &[],
    );
    assert!(imported.specs.is_empty());
    assert_eq!(
        imported.problems,
        ["openapi: not an OpenAPI 3 document (no `openapi: \"3.x\"`)"]
    );
    assert_eq!(
        openapi::source_label("https://portal.example:8443/rest/1/s3cr3t/"),
        "https://portal.example:8443"
    );
}
