//! The importer over a small docs tree written for these tests: overrides, determinism,
//! `--check`, and the coverage report.

use std::path::{Path, PathBuf};

use b24_import::import::{self, PageKind};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("b24-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn put(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("dir");
    std::fs::write(p, text).expect("write");
}

const GET: &str = "# Get a Widget acme.widget.get\n\n> Scope: [`acme`](x.md)\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **id***\n[`integer`](x.md) | Id ||\n|#\n\n## Response Handling\n\n### Returned Data\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **result**\n[`object`](x.md) | The widget [(detailed description)](#widget) ||\n|#\n\n#### Object widget {#widget}\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID**\n[`integer`](x.md) | Id ||\n|| **ACTIVE**\n[`boolean`](x.md) | Active ||\n|#\n\n## Error Handling\n\n### Possible Error Codes\n\n#|\n|| **Code** | **Description** ||\n|| `NOT_FOUND` | No such widget ||\n|#\n";

const LIST: &str = "# List Widgets acme.widget.list\n\n> Scope: [`acme`](x.md)\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **filter**\n[`object`](x.md) | Filter ||\n|| **order**\n[`object`](x.md) | Order ||\n|| **start**\n[`integer`](x.md) | Offset ||\n|#\n";

fn docs(tag: &str) -> PathBuf {
    let d = tmp(&format!("docs-{tag}"));
    put(&d, "api-reference/acme/acme-widget-get.md", GET);
    put(&d, "api-reference/acme/acme-widget-list.md", LIST);
    put(
        &d,
        "api-reference/acme/index.md",
        "# Acme\n\nMethods of acme.\n",
    );
    put(
        &d,
        "api-reference/acme/events/on-acme-widget-add.md",
        "# Widget Added onAcmeWidgetAdd\n",
    );
    put(&d, "settings/guide.md", "# How to call\n");
    d
}

#[test]
fn imports_a_docs_tree() {
    let d = docs("tree");
    let out = import::import_docs(&d, None, "0123456789abcdef");
    assert_eq!(out.report.method_pages, 2);
    assert_eq!(out.report.imported, 2);
    assert_eq!(out.report.pages.get(&PageKind::Index), Some(&1));
    assert_eq!(out.report.pages.get(&PageKind::Guide), Some(&1));
    assert_eq!(out.report.pages.get(&PageKind::Event), Some(&1));
    let get = &out.files[Path::new("acme/acme.widget.get.toml")];
    let spec = b24_spec::load_str(Path::new("acme.widget.get.toml"), get).expect("loads");
    assert!(spec.idempotent, "get is read-only");
    // The made-up `Result` is named for the entity the method reads.
    assert_eq!(spec.response.result.to_string(), "Widget");
    assert_eq!(spec.errors[0].code, "NOT_FOUND");
    let list = &out.files[Path::new("acme/acme.widget.list.toml")];
    let spec = b24_spec::load_str(Path::new("x.toml"), list).expect("loads");
    assert!(matches!(
        spec.pagination,
        b24_spec::spec::Pagination::StartNext { .. }
    ));
    assert!(list.contains("fast_mode"));
}

#[test]
fn one_record_per_entity() {
    let d = tmp("docs-entity");
    put(&d, "api-reference/acme/acme-widget-get.md", GET);
    let list = GET
        .replace(
            "# Get a Widget acme.widget.get",
            "# List Widgets acme.widget.list",
        )
        .replace(
            "[`object`](x.md) | The widget",
            "[`array`](x.md) | The widgets",
        )
        .replace(
            "|| **ACTIVE**\n[`boolean`](x.md) | Active ||",
            "|| **NAME**\n[`string`](x.md) | Name ||\n|| **id**\n[`integer`](x.md) | Id again ||",
        );
    put(&d, "api-reference/acme/acme-widget-list.md", &list);
    let out = import::import_docs(&d, None, "0123456789abcdef");
    assert_eq!(out.report.imported, 2, "{}", out.report);
    let load = |f: &str| b24_spec::load_str(Path::new(f), &out.files[Path::new(f)]).expect("loads");
    let (get, list) = (
        load("acme/acme.widget.get.toml"),
        load("acme/acme.widget.list.toml"),
    );
    assert_eq!(get.response.result.to_string(), "Widget");
    assert!(list.response.result.to_string().starts_with("Widget"));
    // One type: the fields both pages document, `id` left to the extra keys (it would
    // collide with `ID` as a Rust field).
    assert_eq!(get.types["Widget"], list.types["Widget"]);
    let names = |s: &b24_spec::Spec| match &s.types["Widget"] {
        b24_spec::spec::TypeDef::Struct(st) => {
            st.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>()
        }
        other => panic!("not a struct: {other:?}"),
    };
    assert_eq!(names(&get), ["ID", "ACTIVE", "NAME"]);
    assert!(out.report.warning_lines().contains("entity-unified"));
}

#[test]
fn deterministic_and_checked() {
    let d = docs("det");
    let a = import::import_docs(&d, None, "0123456789abcdef");
    let b = import::import_docs(&d, None, "0123456789abcdef");
    assert_eq!(a.files, b.files, "same input, byte-identical output");
    let out = tmp("out");
    import::write(&a, &out).expect("write");
    assert!(import::check(&a, &out).is_empty());
    // A changed page makes the specs stale.
    put(
        &d,
        "api-reference/acme/acme-widget-list.md",
        &LIST.replace("**start**", "**START_FROM**"),
    );
    let c = import::import_docs(&d, None, "0123456789abcdef");
    let diffs = import::check(&c, &out);
    assert_eq!(diffs, ["changed: acme/acme.widget.list.toml"]);
    // A method gone from the docs leaves a stale file behind, which write removes.
    std::fs::remove_file(d.join("api-reference/acme/acme-widget-get.md")).expect("rm");
    let e = import::import_docs(&d, None, "0123456789abcdef");
    assert!(
        import::check(&e, &out)
            .iter()
            .any(|x| x == "stale: acme/acme.widget.get.toml")
    );
    import::write(&e, &out).expect("write");
    assert!(!out.join("acme/acme.widget.get.toml").exists());
}

#[test]
fn curation_survives_a_reimport() {
    let d = docs("cur");
    let over = tmp("over");
    // A partial override is merged over the import…
    put(
        &over,
        "acme/acme.widget.get.toml",
        "[method]\nidempotent = false\n",
    );
    // …a complete one replaces it.
    put(
        &over,
        "acme/acme.widget.list.toml",
        "# curated\nschema = 1\n[method]\nname = \"acme.widget.list\"\ndocs = { path = \"api-reference/acme/acme-widget-list.md\", commit = \"0123456789abcdef\" }\n",
    );
    let a = import::import_docs(&d, Some(&over), "0123456789abcdef");
    let get = b24_spec::load_str(
        Path::new("g.toml"),
        &a.files[Path::new("acme/acme.widget.get.toml")],
    )
    .expect("loads");
    assert!(!get.idempotent, "the curated flag wins");
    assert_eq!(get.request.params.len(), 1, "the imported facts stay");
    assert!(a.files[Path::new("acme/acme.widget.list.toml")].starts_with("# curated"));
    let b = import::import_docs(&d, Some(&over), "0123456789abcdef");
    assert_eq!(a.files, b.files);
    // A broken override is a failure with its reason, not a silent skip.
    put(&over, "acme/acme.widget.get.toml", "[method\n");
    let c = import::import_docs(&d, Some(&over), "0123456789abcdef");
    assert!(
        c.report
            .failures
            .iter()
            .any(|(p, why)| p.ends_with("acme-widget-get.md") && why.starts_with("override"))
    );
}

#[test]
fn param_patches_and_errata_in_overrides() {
    let d = docs("patch");
    let over = tmp("patch-over");
    put(
        &over,
        "acme/acme.widget.get.toml",
        "# The examples pass `ID`.\n[[param]]\nname = \"id\"\nrename = \"ID\"\nrequired = false\n\n[[param]]\nname = \"VIEW\"\ntype = \"string\"\n\n[[erratum]]\nline = 3\nwhy = \"a wrong example\"\n",
    );
    let a = import::import_docs(&d, Some(&over), "0123456789abcdef");
    let get = b24_spec::load_str(
        Path::new("g.toml"),
        &a.files[Path::new("acme/acme.widget.get.toml")],
    )
    .expect("loads");
    let params: Vec<(&str, bool)> = get
        .request
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.required))
        .collect();
    assert_eq!(params, [("ID", false), ("VIEW", false)]);
    assert_eq!(get.errata[0].line, Some(3));
    // A patch of a parameter that is not there is a failure with its reason.
    put(
        &over,
        "acme/acme.widget.get.toml",
        "[[param]]\nname = \"NOPE\"\nremove = true\n",
    );
    let b = import::import_docs(&d, Some(&over), "0123456789abcdef");
    assert!(
        b.report.failures.iter().any(
            |(p, why)| p.ends_with("acme-widget-get.md") && why.contains("no parameter `NOPE`")
        ),
        "{:?}",
        b.report.failures
    );
}

#[test]
fn a_page_read_in_part_is_reported_with_file_line_and_reason() {
    let d = docs("part");
    put(
        &d,
        "api-reference/acme/acme-widget-set.md",
        "# Set a Widget acme.widget.set\n\n> Scope: [`acme`](x.md)\n\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](x.md) | Id ||\n|| just words | no name ||\n|| **COLOR**\n[`string`](x.md) | Color\n|| **SIZE**\n[`integer`](x.md) | Size ||\n|#\n",
    );
    let a = import::import_docs(&d, None, "0123456789abcdef");
    // The rest of the page imports…
    let set = b24_spec::load_str(
        Path::new("s.toml"),
        &a.files[Path::new("acme/acme.widget.set.toml")],
    )
    .expect("loads");
    let names: Vec<&str> = set.request.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ID", "COLOR", "SIZE"]);
    // …and what could not be read is reported with the page, the line and the reason.
    let rows = &a.report.warnings["unreadable-row"];
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "api-reference/acme/acme-widget-set.md");
    assert_eq!(rows[0].1, 12);
    assert!(rows[0].2.contains("just words"), "{}", rows[0].2);
    let irregular = &a.report.warnings["irregular-table"];
    assert_eq!(irregular[0].1, 13, "the COLOR row lacks its closing `||`");
    let lines = a.report.warning_lines();
    assert!(
        lines.contains("api-reference/acme/acme-widget-set.md:12: unreadable-row:"),
        "{lines}"
    );
    assert!(
        a.report
            .to_string()
            .contains(import::explain("unreadable-row").expect("explained"))
    );
}
