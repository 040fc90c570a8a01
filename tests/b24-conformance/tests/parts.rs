//! The gate's parts on their own: the loss check, the report and its baseline, the wire
//! comparison. (The library is not built a second time as a unit-test target: its table
//! instantiates the checks of every binding, the longest build of the workspace.)

mod check {
    use b24_conformance::check::*;
    use serde_json::json;

    #[test]
    fn a_member_dropped_at_any_depth_is_a_loss() {
        let mut out = Vec::new();
        losses(
            &json!({"a": 1, "B": {"c": [1, {"d": 2, "e": null}], "f": {}}, "g": null}),
            &json!({"A": "1", "B": {"c": [1, {}]}}),
            "$",
            &mut out,
        );
        assert_eq!(out, ["$.B.c[1].d"]);
    }

    #[test]
    fn lists_sent_as_objects_compare_by_order() {
        let mut out = Vec::new();
        losses(&json!({"0": {"x": 1}}), &json!([{"x": 1}]), "$", &mut out);
        assert!(out.is_empty());
        losses(
            &json!({"k": {"x": 1}}),
            &json!({"k": "flattened"}),
            "$",
            &mut out,
        );
        assert_eq!(out, ["$.k"]);
    }
}

mod report {
    use b24_conformance::gate::{MethodResult, Side};
    use b24_conformance::report::*;

    #[test]
    fn the_baseline_reads_back_from_the_rendered_report() {
        let ok = MethodResult {
            name: "a.b".into(),
            api: "v2".into(),
            requests: Side {
                examples: 2,
                passed: 2,
                failures: vec![],
            },
            ..Default::default()
        };
        let bad = MethodResult {
            name: "a.c".into(),
            api: "v2".into(),
            requests: Side {
                examples: 1,
                passed: 0,
                failures: vec![(b24_conformance::gate::Place::own(12), "x | y".into())],
            },
            responses: Side {
                examples: 1,
                passed: 1,
                failures: vec![],
            },
            ..Default::default()
        };
        let text = render(&[ok, bad], "abc");
        assert_eq!(
            baseline(&text),
            Some(Baseline {
                request_pass: 1,
                response_pass: 1,
                wire: Some((0, 0))
            })
        );
        let misses = "- sent exactly as written: **7** of 10 example calls\n- read the same by a portal: **9** of 10 example calls\n- requests: **1** of 1\n- responses: **1** of 1\n";
        assert_eq!(
            baseline(misses).and_then(|b| b.wire),
            Some((3, 1)),
            "the wire baseline counts the misses"
        );
        assert!(
            text.contains("| `a.c` | v2 | request | 12 | x \\| y |"),
            "{text}"
        );
        assert!(text.contains("| `a.b` | v2 | 2/2 | — |"));
    }
}

mod wire {
    use b24_conformance::wire::*;
    use serde_json::{Value, json};

    fn classes(e: Value, s: Value) -> Vec<(String, Class)> {
        diff(&e, &s, false)
            .into_iter()
            .map(|d| (d.path, d.class))
            .collect()
    }

    #[test]
    fn names_are_compared_with_their_case_at_every_depth() {
        assert_eq!(
            classes(
                json!({"fields": {"TITLE": "x", "RESPONSIBLE_ID": 1}}),
                json!({"FIELDS": {"title": "x", "RESPONSIBLE_ID": "1"}})
            ),
            [
                ("$.fields".to_string(), Class::TopNameCase),
                ("$.fields.TITLE".to_string(), Class::NameCase)
            ]
        );
    }

    #[test]
    fn an_object_is_never_a_list() {
        assert_eq!(
            classes(
                json!({"keyboard": {"BOT_ID": 456, "BUTTONS": [1]}}),
                json!({"keyboard": [456, [1]]})
            ),
            [("$.keyboard".to_string(), Class::Shape)]
        );
    }

    #[test]
    fn booleans_keep_their_form_and_numbers_may_be_strings() {
        assert_eq!(
            classes(
                json!({"a": true, "b": "Y", "c": 5, "d": "6", "e": "007"}),
                json!({"a": "Y", "b": true, "c": "5", "d": 6, "e": "7"})
            ),
            [
                ("$.a".to_string(), Class::BoolForm),
                ("$.b".to_string(), Class::BoolForm),
                ("$.e".to_string(), Class::Value)
            ]
        );
    }

    #[test]
    fn dates_keep_their_time_and_strings_their_case() {
        let d = diff(
            &json!({"BEGINDATE": "2026-03-13T10:00:00+01:00", "order": {"ID": "desc"}, "s": "ab"}),
            &json!({"BEGINDATE": "2026-03-13", "order": {"ID": "DESC"}, "s": "AB"}),
            false,
        );
        let c: Vec<Class> = d.iter().map(|d| d.class).collect();
        assert_eq!(c, [Class::DateCut, Class::StringCase, Class::StringCase]);
        assert!(!d[0].harmless());
        assert!(d[1].harmless(), "a sort direction's case is harmless");
        assert!(!d[2].harmless(), "another string's case is not");
    }

    #[test]
    fn dropped_added_and_empty_members() {
        assert_eq!(
            classes(
                json!({"a": 1, "b": null, "c": {}, "l": [1, 2]}),
                json!({"d": 2, "e": [], "l": [1]})
            ),
            [
                ("$.a".to_string(), Class::Dropped),
                ("$.b".to_string(), Class::Empty),
                ("$.c".to_string(), Class::Empty),
                ("$.l[1]".to_string(), Class::Dropped),
                ("$.d".to_string(), Class::Added),
                ("$.e".to_string(), Class::Empty)
            ]
        );
    }

    #[test]
    fn a_positional_top_level_is_harmless_only_for_positional_methods() {
        let d = diff(
            &json!({"TASKID": 1, "ITEM": {"A": 1}}),
            &json!([1, {"A": 1}]),
            true,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].harmless());
        let d = diff(&json!({"TASKID": 1}), &json!([1]), false);
        assert_eq!(d[0].class, Class::Shape);
    }
}
