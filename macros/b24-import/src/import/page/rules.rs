//! Rules the docs state in words rather than in a table's `*`: "at least one of `A` or
//! `B`", "required if `A` is not provided", "can be used instead of `A`", and "no
//! parameters".

use super::Field;

/// One-of groups stated by the page; their members stop being required on their own.
pub(super) fn one_of_groups(params: &mut [Field], text: &str) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let is_param = |n: &str| names.iter().any(|p| p == n);
    // In a parameter's own description.
    for p in params.iter() {
        let d = p.desc.to_lowercase();
        let named = backticked(&p.desc);
        for phrase in ["required if", "mandatory if"] {
            if let Some(i) = d.find(phrase) {
                let tail = &d[i..];
                if tail.contains("not provided")
                    || tail.contains("not specified")
                    || tail.contains("not passed")
                    || tail.contains("not given")
                    || tail.contains("not set")
                    || tail.contains("absent")
                {
                    let other = backticked(&p.desc[i..]);
                    if let Some(o) = other.first().filter(|o| is_param(o) && **o != p.name) {
                        add(&mut groups, vec![o.clone(), p.name.clone()]);
                    }
                }
            }
        }
        if d.contains("instead of") {
            let i = d.find("instead of").unwrap_or(0);
            if let Some(o) = backticked(&p.desc[i..])
                .first()
                .filter(|o| is_param(o) && **o != p.name)
            {
                add(&mut groups, vec![o.clone(), p.name.clone()]);
            }
        }
        if d.contains("is copied to") || d.contains("are copied to") {
            for o in named.iter().filter(|o| is_param(o) && **o != p.name) {
                if params.iter().any(|q| q.name == *o && q.required) {
                    add(&mut groups, vec![o.clone(), p.name.clone()]);
                }
            }
        }
    }
    // Sentences anywhere on the page (table cells and notes included).
    for line in text.lines() {
        let lower = line.to_lowercase();
        let Some(at) = lower
            .find("at least one of")
            .or_else(|| lower.find("one of the parameters"))
            .or_else(|| lower.find("one of the required parameters"))
            .or_else(|| lower.find("one of the following parameters"))
            .or_else(|| lower.find("one of the following fields"))
        else {
            continue;
        };
        // "To retrieve element data, at least one of …": a condition, not a rule of the
        // call, unless the table marks a member required.
        // The sentence's own start: after a cell border, a full stop or a colon.
        let sentence = lower[..at]
            .rsplit(['|', '.', ':'])
            .next()
            .unwrap_or("")
            .trim_start();
        let conditional = sentence.starts_with("to ")
            || sentence.starts_with("if ")
            || sentence.starts_with("when ")
            || sentence.contains(" if ");
        let mut members: Vec<String> = backticked(&line[at..])
            .into_iter()
            .filter(|n| is_param(n))
            .collect();
        if members.is_empty() {
            members = line[at..]
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .filter(|w| w.len() > 1 && is_param(w) && w.chars().any(|c| c.is_ascii_uppercase()))
                .map(str::to_string)
                .collect();
        }
        members.dedup();
        if members.len() < 2 {
            continue;
        }
        let any_required = params
            .iter()
            .any(|p| p.required && members.contains(&p.name));
        if conditional && !any_required {
            continue;
        }
        add(&mut groups, members);
    }
    for g in &groups {
        for p in params.iter_mut().filter(|p| g.contains(&p.name)) {
            p.required = false;
        }
    }
    groups
}

fn add(groups: &mut Vec<Vec<String>>, mut g: Vec<String>) {
    g.dedup();
    let mut sorted = g.clone();
    sorted.sort();
    if !groups.iter().any(|h| {
        let mut s = h.clone();
        s.sort();
        s == sorted
    }) {
        groups.push(g);
    }
}

/// A parameter the table marks required whose description makes it depend on another
/// value ("relevant only for services of type `enum`", "required if `X` is passed and not
/// equal to `Y`") is not required in every call.
pub(super) fn conditionally_required(params: &mut [Field], warnings: &mut Vec<super::Warning>) {
    for p in params.iter_mut().filter(|p| p.required) {
        let d = p.desc.to_lowercase();
        let conditional = [
            "relevant only for",
            "required only for",
            "required only when",
            "required only if",
            "needed only for",
        ]
        .iter()
        .any(|w| d.contains(w))
            || (d.contains("is required if") && d.contains(" is passed"));
        if conditional {
            p.required = false;
            warnings.push(super::Warning::new(
                "conditionally-required",
                p.line,
                format!("`{}` is required only in some calls", p.name),
            ));
        }
    }
}

/// Names in backticks, in order.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The page says the method takes no parameters.
pub(super) fn no_parameters(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l
            .trim()
            .trim_start_matches('>')
            .trim()
            .trim_end_matches('.')
            .to_lowercase();
        matches!(
            t.as_str(),
            "no parameters"
                | "no parameters required"
                | "no parameters are required"
                | "without parameters"
                | "the method has no parameters"
                | "the method is called without parameters"
                | "the method does not take parameters"
                | "the method takes no parameters"
        ) || t.starts_with("the method takes no parameters")
            || t.starts_with("the method has no parameters")
    })
}
