//! The lints generated code is allowed to trip: a named list, each with its reason,
//! instead of a wholesale `clippy::all` (a lint added to clippy later still reaches the
//! generated code, and a reviewer sees what is waived and why).

use proc_macro2::TokenStream;
use quote::quote;

/// Every lint allowed on generated items, with the reason it is allowed rather than
/// avoided. The same list for the proc macro's output and the generated crates.
pub const ALLOWED: &[(&str, &str)] = &[
    (
        "deprecated",
        "a binding of a method the docs deprecate uses its own deprecated items",
    ),
    (
        "non_camel_case_types",
        "a type keeps the docs' name when naming it otherwise would collide",
    ),
    (
        "dead_code",
        "a named type of a spec may be used by no field the binding keeps",
    ),
    (
        "clippy::should_implement_trait",
        "a request's setter is named after its parameter (`add`, `not`), not an operator",
    ),
];

/// The allowed lints as paths (`deprecated`, `clippy::too_many_lines`).
fn paths() -> impl Iterator<Item = syn::Path> {
    ALLOWED
        .iter()
        .filter_map(|(name, _)| syn::parse_str::<syn::Path>(name).ok())
}

/// `#[allow(…)]` of every lint in [`ALLOWED`], for one generated item.
pub(crate) fn allow() -> TokenStream {
    let lints = paths();
    quote!(#[allow(#(#lints),*)])
}

/// `#![allow(…)]` of every lint in [`ALLOWED`], the inner attribute of a generated file.
#[cfg(feature = "regen")]
pub fn inner_allow() -> String {
    let lints: Vec<&str> = ALLOWED.iter().map(|(name, _)| *name).collect();
    format!("#![allow({})]", lints.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_parses_as_a_path() {
        assert_eq!(paths().count(), ALLOWED.len());
        assert!(ALLOWED.iter().all(|(_, why)| !why.is_empty()));
    }
}
