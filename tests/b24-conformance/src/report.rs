//! The committed report (`specs/CONFORMANCE.md`): totals, every failure with its reason,
//! every erratum, and one line per method.

use std::fmt::Write as _;

use crate::gate::MethodResult;

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Methods with at least one example call.
    pub request_methods: usize,
    /// … whose every example call passes.
    pub request_pass: usize,
    /// Methods with at least one example response.
    pub response_methods: usize,
    /// … whose every example response passes.
    pub response_pass: usize,
    /// Example calls a binding sends (the ones it accepts).
    pub wire_calls: usize,
    /// … sent exactly as written.
    pub wire_exact: usize,
    /// … that a portal reads the same (every difference harmless).
    pub wire_same: usize,
}

/// The totals of `results`.
pub fn totals(results: &[MethodResult]) -> Totals {
    let mut t = Totals::default();
    for r in results {
        if r.requests.examples > 0 {
            t.request_methods += 1;
            t.request_pass += usize::from(r.requests.pass());
        }
        if r.responses.examples > 0 {
            t.response_methods += 1;
            t.response_pass += usize::from(r.responses.pass());
        }
        for (_, diffs) in &r.wire {
            t.wire_calls += 1;
            t.wire_exact += usize::from(diffs.is_empty());
            t.wire_same += usize::from(diffs.iter().all(crate::wire::Diff::harmless));
        }
    }
    t
}

/// The counts a committed report holds, which a run may not fall below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baseline {
    /// Methods whose every example call passes.
    pub request_pass: usize,
    /// Methods whose every example response passes.
    pub response_pass: usize,
    /// Example calls not sent exactly as written, and those a portal would read otherwise
    /// (`None` in a report from before the wire was compared). Counted as misses, so that
    /// an example an erratum takes out of the count does not read as a fall.
    pub wire: Option<(usize, usize)>,
}

impl Baseline {
    /// Whether `now` fell below this baseline anywhere.
    pub fn fell(&self, now: &Totals) -> bool {
        let not_exact = now.wire_calls - now.wire_exact;
        let not_same = now.wire_calls - now.wire_same;
        now.request_pass < self.request_pass
            || now.response_pass < self.response_pass
            || self
                .wire
                .is_some_and(|(exact, same)| not_exact > exact || not_same > same)
    }
}

/// The baseline a committed report holds.
pub fn baseline(report: &str) -> Option<Baseline> {
    let count = |prefix: &str| {
        report.lines().find_map(|l| {
            l.strip_prefix(prefix)?
                .split("**")
                .next()?
                .trim()
                .parse::<usize>()
                .ok()
        })
    };
    // `- sent exactly as written: **2381** of 2409 example calls`: the misses.
    let misses = |prefix: &str| {
        report.lines().find_map(|l| {
            let rest = l.strip_prefix(prefix)?;
            let (hit, rest) = rest.split_once("**")?;
            let total = rest
                .trim_start()
                .strip_prefix("of ")?
                .split_whitespace()
                .next()?;
            let (hit, total) = (
                hit.trim().parse::<usize>().ok()?,
                total.parse::<usize>().ok()?,
            );
            total.checked_sub(hit)
        })
    };
    let wire =
        misses("- sent exactly as written: **").zip(misses("- read the same by a portal: **"));
    Some(Baseline {
        request_pass: count("- requests: **")?,
        response_pass: count("- responses: **")?,
        wire,
    })
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "—".into()
    } else {
        format!("{:.1} %", a as f64 * 100.0 / b as f64)
    }
}

/// Renders the report.
pub fn render(results: &[MethodResult], commit: &str) -> String {
    let mut s = String::new();
    summary(&mut s, results, commit);
    failures(&mut s, results);
    wire_section(&mut s, results);
    errata(&mut s, results);
    every_method(&mut s, results);
    s
}

/// The title, what passing means, and the totals.
fn summary(s: &mut String, results: &[MethodResult], commit: &str) {
    let t = totals(results);
    let calls: usize = results.iter().map(|r| r.requests.examples).sum();
    let calls_ok: usize = results.iter().map(|r| r.requests.passed).sum();
    let resp: usize = results.iter().map(|r| r.responses.examples).sum();
    let resp_ok: usize = results.iter().map(|r| r.responses.passed).sum();
    let errata: usize = results.iter().map(|r| r.errata.len()).sum();
    let code: usize = results.iter().map(|r| r.code).sum();
    let no_page = results.iter().filter(|r| r.no_page).count();
    s.push_str("# Docs-examples conformance\n\n");
    let _ = writeln!(
        s,
        "<!-- @generated by `cargo test -p b24-conformance` from the docs snapshot at commit {commit}: do not edit; refresh with `B24_BLESS=1 cargo test -p b24-conformance --test conformance`. -->\n"
    );
    s.push_str(
        "Every binding against the example calls of the docs — its own page's and every other\n\
         page's that calls it (guides, tutorials, the pages on keyboards or attachments) — and\n\
         the example responses of its page. An example call passes when the binding's request\n\
         type reads it (tolerant decoding, names in any letter case), its validation accepts it,\n\
         the spec lists every parameter it passes, and the body the binding sends keeps every\n\
         member of it. An example response passes when the result type decodes its `result`,\n\
         re-encodes every member of it, and documents each (a struct keeps members it does not\n\
         list in `extra`: none may land there). A method passes when all of its examples do.\n\n\
         **On the wire**, the body each binding sends for an example call it accepts is compared\n\
         with the example's body exactly: names case-sensitive at every depth, an object never\n\
         equal to a list, booleans in the example's form (`true` is not `\"Y\"`), date-times\n\
         with their time and offset, strings unchanged (`desc` is not `DESC`); only a number may\n\
         travel as a numeric string. A difference is *harmless* when a portal reads the body the\n\
         same: a top-level name in another letter case, a sort direction's case, a `null` left\n\
         out, a legacy positional method's arguments as a list where the example names them.\n\
         CI fails when a pass count or a wire count falls below this file's.\n\n",
    );
    let _ = writeln!(
        s,
        "- requests: **{}** of {} methods pass ({}; {} of {} example calls)",
        t.request_pass,
        t.request_methods,
        pct(t.request_pass, t.request_methods),
        calls_ok,
        calls
    );
    let _ = writeln!(
        s,
        "- responses: **{}** of {} methods pass ({}; {} of {} example responses)",
        t.response_pass,
        t.response_methods,
        pct(t.response_pass, t.response_methods),
        resp_ok,
        resp
    );
    let _ = writeln!(
        s,
        "- sent exactly as written: **{}** of {} example calls ({})",
        t.wire_exact,
        t.wire_calls,
        pct(t.wire_exact, t.wire_calls)
    );
    let _ = writeln!(
        s,
        "- read the same by a portal: **{}** of {} example calls ({})",
        t.wire_same,
        t.wire_calls,
        pct(t.wire_same, t.wire_calls)
    );
    let _ = writeln!(
        s,
        "- docs errata: {errata} examples that an override in `specs/overrides/` marks as wrong, each with its reason (not counted)"
    );
    let _ = writeln!(
        s,
        "- examples that are code, not data (a variable, a function call): {code} (not counted; `b24-gen import-docs --example-failures` lists them)"
    );
    let _ = writeln!(
        s,
        "- methods whose page is missing from the snapshot: {no_page}\n"
    );
}

/// Every example that fails, one row each.
fn failures(s: &mut String, results: &[MethodResult]) {
    s.push_str("## Failures\n\n");
    let failing: Vec<&MethodResult> = results
        .iter()
        .filter(|r| !r.requests.failures.is_empty() || !r.responses.failures.is_empty())
        .collect();
    if failing.is_empty() {
        s.push_str("None.\n\n");
    } else {
        s.push_str("| method | api | side | page line | why |\n|---|---|---|---|---|\n");
        for r in failing {
            for (side, f) in [("request", &r.requests), ("response", &r.responses)] {
                for (line, why) in &f.failures {
                    let _ = writeln!(
                        s,
                        "| `{}` | {} | {side} | {line} | {} |",
                        r.name,
                        r.api,
                        cell(why)
                    );
                }
            }
        }
        s.push('\n');
    }
}

/// The examples an override marks as wrong, and errata that point at no example any more.
fn errata(s: &mut String, results: &[MethodResult]) {
    s.push_str("## Docs errata\n\n");
    let with_errata: Vec<&MethodResult> = results
        .iter()
        .filter(|r| !r.errata.is_empty() || !r.stale_errata.is_empty())
        .collect();
    if with_errata.is_empty() {
        s.push_str("None.\n\n");
    } else {
        s.push_str("| method | api | page line | why the example is wrong |\n|---|---|---|---|\n");
        for r in with_errata {
            for (line, why) in &r.errata {
                let _ = writeln!(s, "| `{}` | {} | {line} | {} |", r.name, r.api, cell(why));
            }
            for line in &r.stale_errata {
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {line} | STALE: no example at this line any more |",
                    r.name, r.api
                );
            }
        }
        s.push('\n');
    }
}

/// Each method's passed of read examples.
fn every_method(s: &mut String, results: &[MethodResult]) {
    s.push_str("## Every method\n\n");
    s.push_str("Passed of read examples (`—`: the page shows none).\n\n");
    s.push_str("| method | api | requests | responses |\n|---|---|---|---|\n");
    for r in results {
        let side = |x: &crate::gate::Side| {
            if x.examples == 0 {
                "—".to_string()
            } else {
                format!("{}/{}", x.passed, x.examples)
            }
        };
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            r.name,
            r.api,
            side(&r.requests),
            side(&r.responses)
        );
    }
}

/// Every example call not sent exactly as written, by class, then one row each.
fn wire_section(s: &mut String, results: &[MethodResult]) {
    use crate::wire::{Class, Diff};
    s.push_str("## On the wire\n\n");
    let mut by_class: std::collections::BTreeMap<Class, (usize, bool)> = Default::default();
    let mut rows: Vec<(&MethodResult, &crate::gate::Place, &Diff)> = Vec::new();
    for r in results {
        for (at, diffs) in &r.wire {
            let mut seen: Vec<Class> = Vec::new();
            for d in diffs {
                if !seen.contains(&d.class) {
                    seen.push(d.class);
                    let e = by_class.entry(d.class).or_insert((0, true));
                    e.0 += 1;
                    e.1 &= d.harmless();
                }
                rows.push((r, at, d));
            }
        }
    }
    if rows.is_empty() {
        s.push_str("Every example call is sent exactly as written.\n\n");
        return;
    }
    s.push_str("| difference | example calls | a portal reads it the same |\n|---|---|---|\n");
    for c in Class::ALL {
        if let Some((n, harmless)) = by_class.get(&c) {
            let _ = writeln!(
                s,
                "| {} | {n} | {} |",
                c.name(),
                if *harmless { "yes" } else { "no" }
            );
        }
    }
    s.push_str(
        "\nWhy the harmless ones stay: a legacy positional method (`task.*`) is sent as a list \
         where an example names its arguments otherwise than the method's table (`fields` for \
         `TASKDATA`: read by their order), the form `settings/how-to-call-rest-api/data-encoding.md` \
         (lines 257–261) calls always correct; a top-level name in another letter case is one \
         the examples of the method spell both ways (the binding keeps its table's or its first \
         example's spelling); a `null` is left out as not set.\n\n",
    );
    s.push_str("| method | api | where | difference | member | example → sent |\n|---|---|---|---|---|---|\n");
    for (r, at, d) in rows {
        let _ = writeln!(
            s,
            "| `{}` | {} | {at} | {} | `{}` | {} |",
            r.name,
            r.api,
            d.class.name(),
            d.path,
            cell(&d.detail)
        );
    }
    s.push('\n');
}

fn cell(s: &str) -> String {
    let one: String = s.replace('|', "\\|").replace('\n', " ");
    if one.chars().count() > 300 {
        let cut: String = one.chars().take(300).collect();
        format!("{cut}…")
    } else {
        one
    }
}
