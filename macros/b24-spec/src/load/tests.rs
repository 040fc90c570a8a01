use super::*;

const GOOD: &str = r#"schema = 1
[method]
name = "im.recent.list"
scope = ["im"]
docs = { path = "api-reference/chats/im-recent-list.md", commit = "5988ed130d13802764a555edbfe12d0fc81e7d7a" }
idempotent = true
[request]
params = [
  { name = "SKIP_OPENLINES", type = "yn" },
  { name = "OFFSET", type = "int", default = 0 },
  { name = "LIMIT", type = "int", default = "50", max = 200 },
]
[pagination]
style = "limit_offset"
offset_param = "OFFSET"
limit_param = "LIMIT"
max_limit = 200
items = "items"
[response]
result = "RecentList"
[types.RecentList]
kind = "struct"
fields = [ { name = "items", type = "RecentItem[]" }, { name = "hasMore", type = "bool" } ]
[types.RecentItem]
kind = "struct"
fields = [ { name = "id", type = "DialogId" }, { name = "type", type = "ItemType" } ]
[types.ItemType]
kind = "enum"
values = ["user", "chat"]
[[error]]
code = "DIALOG_ID_EMPTY"
http = 400
"#;

fn load(text: &str) -> Result<Spec, SpecError> {
    load_str(Path::new("specs/x.toml"), text)
}

fn messages(text: &str) -> Vec<String> {
    load(text)
        .expect_err("the spec should be refused")
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn loads_a_good_spec() {
    let s = load(GOOD).expect("good spec");
    assert_eq!(s.name, "im.recent.list");
    assert_eq!(s.api, Api::V2);
    assert!(s.idempotent);
    assert_eq!(s.request.params.len(), 3);
    assert_eq!(s.request.params[1].default.as_deref(), Some("0"));
    assert_eq!(s.request.params[2].max, Some(200));
    assert_eq!(
        s.pagination,
        Pagination::LimitOffset {
            offset_param: "OFFSET".into(),
            limit_param: "LIMIT".into(),
            max_limit: Some(200),
            items: Some("items".into()),
        }
    );
    assert_eq!(s.types.len(), 3);
    assert_eq!(s.errors[0].code, "DIALOG_ID_EMPTY");
    assert_eq!(s.errors[0].http, Some(400));
    assert_eq!(
        s.docs_url(),
        "https://apidocs.bitrix24.com/api-reference/chats/im-recent-list.html"
    );
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let m = messages("schema = 1\n[method\nname = 1\n");
    assert_eq!(m.len(), 1);
    assert!(m[0].starts_with("specs/x.toml:2:"), "{m:?}");
}

#[test]
fn unknown_key_is_refused_with_its_position() {
    let text = GOOD.replace(
        "idempotent = true",
        "idempotent = true\nsummary = \"prose\"",
    );
    let m = messages(&text);
    assert!(m[0].starts_with("specs/x.toml:7:1:"), "{m:?}");
    assert!(m[0].contains("unknown field `summary`"), "{m:?}");
}

#[test]
fn missing_key_is_refused() {
    let text = GOOD.replace("docs = { path = \"api-reference/chats/im-recent-list.md\", commit = \"5988ed130d13802764a555edbfe12d0fc81e7d7a\" }\n", "");
    let m = messages(&text);
    assert!(m[0].contains("missing `docs = { path, commit }`"), "{m:?}");
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    // (Another schema is the one problem reported: see
    // `another_schema_is_named_whatever_the_rest_holds`.)
    let text = r#"schema = 1
[method]
name = "im..recent"
api = "v9"
docs = { path = "/abs.html", commit = "zz" }
[request]
params = [
  { name = "A", type = "int", required = true, default = "1" },
  { name = "B", type = "yn", default = "maybe" },
  { name = "C", type = "map<int" },
  { name = "D", type = "Missing" },
  { name = "d", type = "int" },
  { name = "E", type = "int", min = 5, max = 1 },
  { name = "F", type = "string", enum = ["x", "y"], default = "z" },
]
[response]
result = "bool"
envelope = "paged"
[[error]]
code = "X"
http = 999
[types.Unused]
kind = "newtype"
repr = "string"
[types.lower]
kind = "struct"
fields = []
"#;
    let m = messages(text);
    let expect = [
        ("3:8", "is not a method name"),
        ("4:7", "unknown api `v9`"),
        ("5:17", "docs.path"),
        ("5:39", "docs.commit"),
        ("8:", "cannot have a default"),
        ("9:", "default `maybe` of `B` is not a valid yn"),
        ("10:", "closing `>`"),
        ("11:", "unknown type `Missing`"),
        ("12:", "collides with `D`"),
        ("13:", "max 1 of `E` is below its min 5"),
        ("14:", "not one of its values"),
        ("18:", "unknown envelope `paged`"),
        ("21:", "999 is not an HTTP status"),
        ("22:", "type `Unused` is declared but never used"),
        ("25:", "type name `lower` must be UpperCamelCase"),
    ];
    for (at, what) in expect {
        assert!(
            m.iter()
                .any(|l| l.contains(&format!("specs/x.toml:{at}")) && l.contains(what)),
            "expected `{what}` at {at} in:\n{}",
            m.join("\n")
        );
    }
}

#[test]
fn unknown_type_suggests_a_declared_one() {
    let text = GOOD.replace("type = \"RecentItem[]\"", "type = \"RecentItm[]\"");
    let m = messages(&text);
    assert!(
        m.iter().any(|l| l.contains("did you mean `RecentItem`")),
        "{m:?}"
    );
}

#[test]
fn pagination_parameters_must_exist() {
    let text = GOOD.replace("offset_param = \"OFFSET\"", "offset_param = \"OFS\"");
    let m = messages(&text);
    assert!(
        m.iter()
            .any(|l| l.contains("offset_param `OFS` is not among")),
        "{m:?}"
    );
}

#[test]
fn enum_and_newtype_definitions_are_checked() {
    let text = GOOD.replace("values = [\"user\", \"chat\"]", "values = []");
    assert!(
        messages(&text)
            .iter()
            .any(|l| l.contains("non-empty `values`"))
    );
    let text = GOOD.replace(
        "values = [\"user\", \"chat\"]",
        "values = [\"a-b\", \"a_b\"]",
    );
    assert!(
        messages(&text)
            .iter()
            .any(|l| l.contains("both become the variant `AB`"))
    );
    let text = GOOD.replace("kind = \"enum\"", "kind = \"union\"");
    assert!(
        messages(&text)
            .iter()
            .any(|l| l.contains("unknown type kind `union`"))
    );
}

#[test]
fn missing_file_is_a_diagnostic() {
    let e = load_file(Path::new("/nonexistent/b24.toml")).expect_err("no such file");
    assert!(
        e.to_string()
            .starts_with("/nonexistent/b24.toml:1:1: cannot read the spec file")
    );
}

const CALL: &str = r#"schema = 1
[method]
name = "telephony.externalCall.register"
docs = { path = "api-reference/telephony/telephony-external-call-register.md", commit = "5988ed13" }
[request]
params = [
  { name = "USER_ID", type = "int" },
  { name = "USER_PHONE_INNER", type = "string" },
  { name = "PHONE_NUMBER", type = "string", required = true },
  { name = "CODE", type = "string", required = true, allow_empty = true },
]
one_of = [["USER_ID", "USER_PHONE_INNER"]]
extra_keys = [{ pattern = "UF_*", type = "any" }]
[[erratum]]
line = 616
why = "passes an empty id"
[[erratum]]
member = "FIELDS.IS_RECCURING"
why = "a misspelling"
"#;

#[test]
fn one_of_groups_free_keys_empty_strings_and_errata() {
    let s = load(CALL).expect("valid");
    assert_eq!(
        s.request.one_of,
        [vec!["USER_ID".to_string(), "USER_PHONE_INNER".to_string()]]
    );
    assert_eq!(s.request.extra_keys[0].pattern, "UF_*");
    assert!(s.request.params[3].allow_empty);
    assert_eq!(s.errata[0].line, Some(616));
    assert_eq!(s.errata[1].member.as_deref(), Some("FIELDS.IS_RECCURING"));
}

#[test]
fn one_of_groups_are_checked() {
    let bad = CALL.replace(
        r#"one_of = [["USER_ID", "USER_PHONE_INNER"]]"#,
        r#"one_of = [["USER_ID", "USER_PHONE"], ["PHONE_NUMBER", "USER_ID"], ["USER_ID"]]"#,
    );
    let e = load(&bad).expect_err("three problems");
    let msg = e.to_string();
    assert!(
        msg.contains("`USER_PHONE`, which is not a parameter; did you mean `USER_PHONE_INNER`?"),
        "{msg}"
    );
    assert!(msg.contains("`PHONE_NUMBER` is required"), "{msg}");
    assert!(msg.contains("at least two parameters"), "{msg}");
    let no_target = CALL.replace("line = 616\n", "");
    let e = load(&no_target.replace(
        "[[erratum]]\nwhy = \"passes an empty id\"",
        "[[erratum]]\nwhy = \"x\"",
    ))
    .expect_err("an erratum names its example or member");
    assert!(e.to_string().contains("names the example"), "{e}");
}

#[test]
fn another_schema_is_named_whatever_the_rest_holds() {
    // A future schema may have other tables; its number is the one thing reported.
    let m = messages("schema = 99\n[endpoint]\npath = \"x\"\n");
    assert_eq!(
        m,
        ["specs/x.toml:1:10: unsupported schema 99 (this version of b24 reads schema 1)"]
    );
    let m = messages(&GOOD.replace("schema = 1", "schema = 2"));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains("unsupported schema 2"), "{m:?}");
}

#[test]
fn a_type_that_contains_itself_is_refused() {
    let direct = GOOD.replace(
        r#"{ name = "type", type = "ItemType" }"#,
        r#"{ name = "type", type = "ItemType" }, { name = "parent", type = "RecentItem?" }"#,
    );
    let m = messages(&direct);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains(
            "type `RecentItem` contains itself (`RecentItem` → `RecentItem`); recursive types are not supported"
        ),
        "{m:?}"
    );
    // Through another type and a list: one report per cycle, with its path.
    let indirect = GOOD.replace(
        r#"{ name = "type", type = "ItemType" }"#,
        r#"{ name = "type", type = "ItemType" }, { name = "all", type = "map<RecentList[]>" }"#,
    );
    let m = messages(&indirect);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("(`RecentItem` → `RecentList` → `RecentItem`)")
            || m[0].contains("(`RecentList` → `RecentItem` → `RecentList`)"),
        "{m:?}"
    );
    assert!(m[0].starts_with("specs/x.toml:"), "{m:?}");
}

/// A spec whose request has `n` parameters.
fn with_params(n: usize) -> String {
    let params: String = (0..n)
        .map(|i| format!("  {{ name = \"P{i}\", type = \"int\" }},\n"))
        .collect();
    format!(
        "schema = 1\n[method]\nname = \"x.big\"\nscope = [\"x\"]\n\
         docs = {{ path = \"api-reference/x.md\", commit = \"5988ed130d13802764a555edbfe12d0fc81e7d7a\" }}\n\
         [request]\nparams = [\n{params}]\n[response]\nresult = \"bool\"\n"
    )
}

#[test]
fn sizes_past_the_limits_are_refused_by_the_loader() {
    load(&with_params(limits::MAX_MEMBERS)).expect("a spec at the limit loads");
    let m = messages(&with_params(limits::MAX_MEMBERS + 1));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("1001 parameters; a spec may have at most 1000"),
        "{m:?}"
    );
    // The line is the first parameter past the limit (params start on line 8).
    assert!(
        m[0].starts_with(&format!("specs/x.toml:{}:", 8 + limits::MAX_MEMBERS)),
        "{m:?}"
    );

    let huge = format!("{}# {}\n", GOOD, "x".repeat(limits::MAX_BYTES));
    let m = messages(&huge);
    assert!(
        m[0].contains("a spec may have at most 1048576 bytes"),
        "{m:?}"
    );

    let values: Vec<String> = (0..=limits::MAX_ENUM_VALUES)
        .map(|i| format!("\"v{i}\""))
        .collect();
    let many = GOOD.replace(r#"["user", "chat"]"#, &format!("[{}]", values.join(", ")));
    let m = messages(&many);
    assert!(
        m.iter()
            .any(|m| m.contains("5001 enum values; a spec may list at most 5000")),
        "{m:?}"
    );
}

#[test]
fn named_types_nested_past_the_limit_are_refused() {
    /// A chain of `n` named types, each holding the next.
    fn chain(n: usize) -> String {
        let mut s = with_params(0).replace("result = \"bool\"", "result = \"T0\"");
        for i in 0..n {
            let next = if i + 1 < n {
                format!("T{}", i + 1)
            } else {
                "int".into()
            };
            s.push_str(&format!(
                "[types.T{i}]\nkind = \"struct\"\nfields = [ {{ name = \"x\", type = \"{next}\" }} ]\n"
            ));
        }
        s
    }
    load(&chain(limits::MAX_NESTING)).expect("a chain at the limit loads");
    let m = messages(&chain(limits::MAX_NESTING + 1));
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("named types nest 33 levels deep from `T0`; a spec may nest at most 32"),
        "{m:?}"
    );
}
