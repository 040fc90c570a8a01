//! `<Type>Error`: a method's documented error codes, the system errors, and a fallback.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use b24_spec::naming;
use b24_spec::spec::Spec;

/// The error enum of `spec`'s binding `ident`.
pub(super) fn error_enum(spec: &Spec, ident: &Ident, rt: &syn::Path) -> TokenStream {
    let name = format_ident!("{}Error", ident);
    let mut seen = std::collections::BTreeSet::new();
    let mut variants = Vec::new();
    for e in &spec.errors {
        let code = e.code.trim();
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let plain = naming::variant_ident(code);
        let plain = if plain.starts_with(|c: char| c.is_ascii_digit())
            || plain.starts_with('V') && code.starts_with(|c: char| c.is_ascii_digit())
        {
            format!("E{code}")
        } else {
            plain
        };
        // A REST 3.0 code in words (`EntityNotFound`), unless two codes would share it.
        let v = match naming::v3_error_variant(code) {
            Some(short) if !seen.contains(&short) => short,
            _ => plain,
        };
        if matches!(v.as_str(), "System" | "Unknown") || !seen.insert(v.clone()) {
            continue;
        }
        variants.push((Ident::new(&v, Span::call_site()), code.to_string(), e.http));
    }
    let decls = variants.iter().map(|(v, code, http)| {
        let doc = match http {
            Some(h) => format!(" `{code}` (HTTP {h})."),
            None => format!(" `{code}`."),
        };
        quote!(#[doc = #doc] #v,)
    });
    let arms = variants
        .iter()
        .map(|(v, code, _)| quote!(#code => Self::#v,));
    let doc = format!(
        " Errors of [`{}`]({}): the documented codes, then the system errors.",
        spec.name,
        spec.docs_url()
    );
    let allow = super::lints::allow();
    let system = quote! {
        match e.code() {
            #rt::__private::ErrorCode::Unknown(code) => Self::Unknown(::std::clone::Clone::clone(code)),
            system => Self::System(::std::clone::Clone::clone(system)),
        }
    };
    let mut arms = arms.peekable();
    // With no documented code, the system errors alone (a match of one arm is noise).
    let body = if arms.peek().is_none() {
        system
    } else {
        quote! {
            match e.code().as_str() {
                #(#arms)*
                _ => #system,
            }
        }
    };
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq)]
        #[non_exhaustive]
        #[allow(dead_code)]
        pub enum #name {
            #(#decls)*
            /// A system error (any method may answer it).
            System(#rt::__private::ErrorCode),
            /// A code the docs do not list (also `""`).
            Unknown(::std::string::String),
        }

        #allow
        impl ::std::convert::From<&#rt::__private::ApiError> for #name {
            fn from(e: &#rt::__private::ApiError) -> Self {
                #body
            }
        }
    }
}
