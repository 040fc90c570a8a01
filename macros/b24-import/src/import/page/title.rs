//! Which method a page documents: its title, checked against the page's own example calls
//! and its file name.

use crate::examples::Call;

/// How the name was found, when not simply from the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    /// The title names it and the examples agree (or show nothing else).
    Title,
    /// The title names a family (`im.recent`); the examples call one member of it.
    Family(String),
    /// The title names another method (a typo); the examples and the file name agree.
    TitleTypo(String),
    /// The title names no method; the examples call the method the file is named after.
    Examples,
}

/// The method a page documents, and how it was found.
pub(super) fn method(path: &str, h1: &str, calls: &[Call], text: &str) -> Option<(String, Source)> {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md");
    let mut called: Vec<&str> = Vec::new();
    for c in calls {
        if !called.iter().any(|m| m.eq_ignore_ascii_case(&c.method)) {
            called.push(&c.method);
        }
    }
    let by_stem = called
        .iter()
        .find(|m| squash(m) == squash(stem))
        .map(|m| m.to_string());
    let title = name_in_title(h1);
    // Pages listing events are named `events.md` too: only the `events` method's own page
    // (whose examples call it) documents a method.
    if stem == "events" {
        return by_stem.map(|m| (m, Source::Examples));
    }
    let Some(title) = title else {
        return by_stem.map(|m| (m, Source::Examples));
    };
    if called.iter().any(|m| m.eq_ignore_ascii_case(&title)) {
        return Some((title, Source::Title));
    }
    let family = format!("{title}.");
    if let Some(member) = called.iter().find(|m| m.starts_with(&family)) {
        return Some((member.to_string(), Source::Family(title)));
    }
    if let Some(m) = by_stem {
        return Some((m, Source::TitleTypo(title)));
    }
    // A family named in the title, its member named in the text (`im.recent.pin`).
    if let Some(member) = text
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|t| t.starts_with(&family) && name_in_title(t).as_deref() == Some(*t))
    {
        return Some((member.to_string(), Source::Family(title)));
    }
    Some((title, Source::Title))
}

/// `crm.automation.trigger.delete` and `crm-automation-trigger-delete` both squash to
/// `crmautomationtriggerdelete`.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The method name a title ends in: the last word with a dot, starting in lower case.
pub(super) fn name_in_title(h1: &str) -> Option<String> {
    h1.split_whitespace()
        .rev()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_'))
        .find(|w| is_method_like(w))
        .map(str::to_string)
}

/// `a.b_c.d`: dotted segments of letters, digits and `_`, the first letter lower case.
pub(super) fn is_method_like(w: &str) -> bool {
    w.contains('.')
        && w.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        && w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}
