//! Mapping spec types to Rust types, and comparing the types users write with them.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use b24_spec::ty::{Domain, Prim, TypeExpr};

/// Where generated code finds things.
pub(crate) struct Paths<'a> {
    /// The runtime crate (`::b24`).
    pub rt: &'a syn::Path,
    /// The module holding the spec's named types, if any.
    pub types_mod: Option<&'a Ident>,
}

/// The Rust type of a spec type.
pub(crate) fn rust_type(t: &TypeExpr, p: &Paths<'_>) -> TokenStream {
    let rt = p.rt;
    match t {
        TypeExpr::Prim(prim) => match prim {
            Prim::String | Prim::Text | Prim::Char => quote!(::std::string::String),
            Prim::Date => quote!(#rt::__private::types::Date),
            Prim::DateTime => quote!(#rt::__private::types::DateTime),
            Prim::Int | Prim::Timestamp => quote!(i64),
            Prim::Float => quote!(f64),
            Prim::Bool => quote!(bool),
            Prim::Yn => quote!(#rt::__private::types::Yn),
            Prim::Bool01 => quote!(#rt::__private::types::Bool01),
            Prim::Any => quote!(#rt::__private::serde_json::Value),
            Prim::File => quote!(#rt::__private::types::File),
            Prim::Null => quote!(()),
        },
        TypeExpr::Domain(d) => match d {
            Domain::DialogId => quote!(#rt::__private::types::DialogId),
            Domain::Time => quote!(#rt::__private::Time),
            Domain::FieldInfo => quote!(#rt::__private::types::FieldInfo),
            Domain::Filter => quote!(#rt::__private::types::Filter),
            Domain::Order => quote!(#rt::__private::types::Order),
            Domain::Id(_) => quote!(i64),
            Domain::Code(_) => quote!(::std::string::String),
        },
        TypeExpr::Named(n) => {
            let id = Ident::new(n, Span::call_site());
            match p.types_mod {
                Some(m) => quote!(#m::#id),
                None => quote!(#id),
            }
        }
        TypeExpr::Array(inner) => {
            let i = rust_type(inner, p);
            quote!(::std::vec::Vec<#i>)
        }
        TypeExpr::Map(inner) => {
            let i = rust_type(inner, p);
            quote!(::std::collections::BTreeMap<::std::string::String, #i>)
        }
        TypeExpr::Optional(inner) => {
            let i = rust_type(inner, p);
            quote!(::std::option::Option<#i>)
        }
    }
}

/// A type reduced to last path segments, for comparing what a user wrote with what a spec
/// expects: `::b24::types::DialogId` and `DialogId` are the same, `Option<b24::types::Yn>`
/// is `Option<Yn>`.
pub(crate) fn canonical(t: &syn::Type) -> String {
    match t {
        syn::Type::Path(tp) if tp.qself.is_none() => match tp.path.segments.last() {
            Some(seg) => {
                let mut s = seg.ident.to_string();
                if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                    let inner: Vec<String> = args
                        .args
                        .iter()
                        .map(|a| match a {
                            syn::GenericArgument::Type(t) => canonical(t),
                            other => quote!(#other).to_string(),
                        })
                        .collect();
                    s.push('<');
                    s.push_str(&inner.join(", "));
                    s.push('>');
                }
                s
            }
            None => String::new(),
        },
        syn::Type::Paren(p) => canonical(&p.elem),
        syn::Type::Group(g) => canonical(&g.elem),
        other => quote!(#other).to_string().replace(' ', ""),
    }
}

/// The canonical form of generated type tokens.
pub(crate) fn canonical_tokens(ts: &TokenStream) -> String {
    match syn::parse2::<syn::Type>(ts.clone()) {
        Ok(t) => canonical(&t),
        Err(_) => ts.to_string(),
    }
}

/// The inner type of `Option<T>`, if `t` is one.
pub(crate) fn option_inner(t: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(tp) = t else { return None };
    let seg = tp.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical(&syn::parse_str(s).expect(s))
    }

    #[test]
    fn canonical_strips_paths() {
        assert_eq!(canon("::b24::types::DialogId"), "DialogId");
        assert_eq!(canon("Option<b24::types::Yn>"), "Option<Yn>");
        assert_eq!(
            canon("std::collections::BTreeMap<String, Vec<i64>>"),
            "BTreeMap<String, Vec<i64>>"
        );
    }

    #[test]
    fn option_inner_finds_the_inner_type() {
        let t: syn::Type = syn::parse_str("Option<DialogId>").expect("type");
        assert_eq!(option_inner(&t).map(canonical).as_deref(), Some("DialogId"));
        let t: syn::Type = syn::parse_str("Vec<DialogId>").expect("type");
        assert!(option_inner(&t).is_none());
    }
}
