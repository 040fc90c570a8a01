//! Naming: Rust identifiers from wire names, deterministically.

/// Rust keywords that cannot be field names without `r#`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Splits a wire name into lowercase words: `DIALOG_ID` → [dialog, id], `hasMorePages` → [has, more, pages].
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The Rust field name of a wire name: `DIALOG_ID` → `dialog_id`, `type` → `r#type`-free `type_`.
pub fn field_ident(name: &str) -> String {
    let mut s = words(name).join("_");
    if s.is_empty() {
        s = "field".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    // `extra` holds the parameters (or members) a spec does not list.
    if KEYWORDS.contains(&s.as_str()) || s == "extra" {
        s.push('_');
    }
    s
}

/// UpperCamelCase of a wire name or value: `im.recent.unread` → `ImRecentUnread`.
pub fn pascal(name: &str) -> String {
    let mut s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    s
}

/// The words REST 3.0 error codes are made of (`api-reference/rest-v3.md` and the
/// methods' pages), for [`v3_error_variant`].
const V3_CODE_WORDS: &[&str] = &[
    "ACCESS",
    "DENIED",
    "DTO",
    "ENTITY",
    "FIELD",
    "FILTER",
    "FOUND",
    "IDEMPOTENCY",
    "INSUFFICIENT",
    "INVALID",
    "JSON",
    "KEY",
    "NOT",
    "OPERATOR",
    "ORDER",
    "PAGINATION",
    "PROPERTY",
    "REQUEST",
    "REUSED",
    "SCOPE",
    "SELECT",
    "UNKNOWN",
    "VALIDATION",
];

/// The variant of a REST 3.0 error code in a method's error enum: its last part without
/// the `EXCEPTION` suffix, in words (`BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION` →
/// `EntityNotFound`). `None` for another code, or one not made of known words.
pub fn v3_error_variant(code: &str) -> Option<String> {
    let rest = code.strip_prefix("BITRIX_REST_V3_")?;
    let last = rest.rsplit('_').next()?;
    let mut word = last.strip_suffix("EXCEPTION").unwrap_or(last);
    let mut out = String::new();
    while !word.is_empty() {
        let w = V3_CODE_WORDS
            .iter()
            .filter(|w| word.starts_with(**w))
            .max_by_key(|w| w.len())?;
        out.push_str(&w[..1]);
        out.push_str(&w[1..].to_ascii_lowercase());
        word = &word[w.len()..];
    }
    (!out.is_empty()).then_some(out)
}

/// The enum variant for a wire value: `ASC` → `Asc`, `tasksTask` → `TasksTask`, `1` → `V1`.
pub fn variant_ident(value: &str) -> String {
    let v = pascal(value);
    if v == "Self" { "Self_".into() } else { v }
}

/// snake_case of an UpperCamelCase type name: `MarkUnread` → `mark_unread`.
pub fn snake(name: &str) -> String {
    field_ident(name)
}

/// The closest candidate to `name`, if any is close enough to suggest.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_error_variants_are_words() {
        for (code, v) in [
            (
                "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION",
                Some("EntityNotFound"),
            ),
            (
                "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
                Some("RequestValidation"),
            ),
            (
                "BITRIX_REST_V3_REALISATION_EXCEPTION_FIELDNOTFOUNDEXCEPTION",
                Some("FieldNotFound"),
            ),
            (
                "BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION",
                Some("UnknownDtoProperty"),
            ),
            ("BITRIX_REST_V3_EXCEPTION_NEWTHINGEXCEPTION", None),
            ("ERROR_CORE", None),
        ] {
            assert_eq!(v3_error_variant(code).as_deref(), v, "{code}");
        }
    }

    #[test]
    fn field_idents() {
        assert_eq!(field_ident("DIALOG_ID"), "dialog_id");
        assert_eq!(field_ident("hasMorePages"), "has_more_pages");
        assert_eq!(field_ident("type"), "type_");
        assert_eq!(field_ident("entity_data_1"), "entity_data_1");
        assert_eq!(field_ident("UF_CRM_1"), "uf_crm_1");
        assert_eq!(field_ident("ID"), "id");
        assert_eq!(field_ident("HTMLParser"), "html_parser");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("im.recent.unread"), "ImRecentUnread");
        assert_eq!(variant_ident("ASC"), "Asc");
        assert_eq!(variant_ident("tasksTask"), "TasksTask");
        assert_eq!(variant_ident("1"), "V1");
        assert_eq!(snake("MarkUnread"), "mark_unread");
    }

    #[test]
    fn suggestions() {
        let c = ["dialog_id", "action"];
        assert_eq!(did_you_mean("dialogid", c), Some("dialog_id"));
        assert_eq!(did_you_mean("actoin", c), Some("action"));
        assert_eq!(did_you_mean("zzz", c), None);
    }
}
