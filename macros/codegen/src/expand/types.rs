//! The module of a spec's named types: structs, enums, newtypes and maps.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::checks::checks_for;
use super::path_string;
use crate::naming;
use crate::rust_type::{Paths, rust_type};
use crate::spec::{EnumDef, EnumRepr, Spec, StructDef, TypeDef};
use crate::ty::TypeExpr;

/// The module with the spec's named types (nothing when it has none).
pub(super) fn types_module(
    spec: &Spec,
    p: &Paths<'_>,
    shared: &std::collections::BTreeMap<String, String>,
    shared_module: &str,
) -> TokenStream {
    let Some(m) = p.types_mod else {
        return TokenStream::new();
    };
    // Inside the module, named types refer to each other directly.
    let inner = Paths {
        rt: p.rt,
        types_mod: None,
    };
    let defs = spec.types.iter().map(|(name, def)| {
        let id = Ident::new(name, Span::call_site());
        if let Some(ident) = shared.get(name) {
            let doc = format!(
                " `{name}` of [`{}`]({}), shared with the crate's other bindings.",
                spec.name,
                spec.docs_url()
            );
            let shared_id = Ident::new(ident, Span::call_site());
            let module = Ident::new(shared_module, Span::call_site());
            return if *ident == *name {
                quote! { #[doc = #doc] pub use super::#module::#id; }
            } else {
                quote! { #[doc = #doc] pub use super::#module::#shared_id as #id; }
            };
        }
        let doc = format!(" `{name}` of [`{}`]({}).", spec.name, spec.docs_url());
        type_def(&id, &doc, def, &inner)
    });
    let mod_doc = format!(" Named types of [`{}`]({}).", spec.name, spec.docs_url());
    quote! {
        #[doc = #mod_doc]
        #[allow(deprecated, clippy::all, non_camel_case_types, dead_code)]
        pub mod #m {
            #[allow(unused_imports)]
            use super::*;
            #(#defs)*
        }
    }
}

/// The module of the types a whole crate shares.
pub(super) fn shared_module(
    types: &std::collections::BTreeMap<String, TypeDef>,
    rt: &syn::Path,
    module: &str,
) -> TokenStream {
    let module = Ident::new(module, Span::call_site());
    let inner = Paths {
        rt,
        types_mod: None,
    };
    let defs = types.iter().map(|(name, def)| {
        let id = Ident::new(name, Span::call_site());
        let doc = format!(" `{name}`, the same in every binding of this crate that uses it.");
        type_def(&id, &doc, def, &inner)
    });
    quote! {
        /// Named types that several bindings of this crate share (one `Deal` for
        /// `crm.deal.get` and `crm.deal.list`): each binding's module re-exports them.
        #[allow(deprecated, clippy::all, non_camel_case_types, dead_code)]
        pub mod #module {
            #(#defs)*
        }
    }
}

fn type_def(id: &Ident, doc: &str, def: &TypeDef, inner: &Paths<'_>) -> TokenStream {
    match def {
        TypeDef::Struct(s) => struct_def(id, doc, s, inner),
        TypeDef::Enum(e) => enum_def(id, doc, e, inner.rt),
        TypeDef::Newtype(t) => newtype_def(id, doc, t, inner),
        TypeDef::Map(md) => {
            let v = rust_type(&md.value, inner);
            quote! {
                #[doc = #doc]
                pub type #id = ::std::collections::BTreeMap<::std::string::String, #v>;
            }
        }
    }
}

/// `Deserialize` through the type's tolerant `FromWire` decoder (so a type reads the same
/// from a request's JSON as from a response, with far less code than a derived one).
pub(super) fn deserialize_via_wire(id: &Ident, rt: &syn::Path) -> TokenStream {
    quote! {
        impl<'de> #rt::__private::serde::Deserialize<'de> for #id {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                #rt::__private::wire::deserialize(d)
            }
        }
    }
}

fn optional(f: &crate::spec::Param) -> bool {
    !f.required || matches!(f.ty, TypeExpr::Optional(_))
}

fn struct_def(id: &Ident, doc: &str, s: &StructDef, p: &Paths<'_>) -> TokenStream {
    let rt = p.rt;
    let serde_crate = format!("{}::__private::serde", path_string(rt));
    let fids: Vec<Ident> = s
        .fields
        .iter()
        .map(|f| Ident::new(&naming::field_ident(&f.name), Span::call_site()))
        .collect();
    let fields = s.fields.iter().zip(&fids).map(|(f, fid)| {
        let base = rust_type(&f.ty, p);
        let ty = if optional(f) && !matches!(f.ty, TypeExpr::Optional(_)) {
            quote!(::std::option::Option<#base>)
        } else {
            base
        };
        let wire = &f.name;
        let fdoc = format!(" `{wire}`: `{}`.", f.ty);
        let serde_attr = if optional(f) {
            quote!(#[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")])
        } else {
            quote!(#[serde(rename = #wire)])
        };
        quote! { #[doc = #fdoc] #serde_attr pub #fid: #ty }
    });
    let wires: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    let slot_idents: Vec<Ident> = (0..s.fields.len())
        .map(|i| format_ident!("slot_{}", i))
        .collect();
    // Every struct keeps the members its spec does not list (user fields, members a newer
    // portal adds): a decode never drops one, and a request can send one.
    let has_extra = true;
    let extra_arg = if has_extra {
        quote!(::std::option::Option::Some(&mut extra))
    } else {
        quote!(::std::option::Option::None)
    };
    let extra_init =
        has_extra.then(|| quote!(let mut extra = ::std::collections::BTreeMap::new();));
    let decode = s
        .fields
        .iter()
        .zip(&slot_idents)
        .zip(&fids)
        .map(|((f, slot), fid)| {
            let wire = &f.name;
            quote!(#fid: #rt::__private::wire::field_at(#slot, #wire)?)
        });
    let scan = if s.fields.is_empty() && !has_extra {
        quote!(let _ = obj;)
    } else {
        quote! {
            #extra_init
            let [#(#slot_idents),*] = #rt::__private::wire::slots(obj, &[#(#wires),*], #extra_arg);
        }
    };
    let checks = s.fields.iter().zip(&fids).map(|(f, fid)| {
        let wire = &f.name;
        checks_for(
            f,
            quote!(&::std::format!("{}.{}", field, #wire)),
            quote!(&self.#fid),
            optional(f),
            rt,
        )
    });
    let default = s
        .fields
        .iter()
        .all(optional)
        .then(|| quote!(::std::default::Default,));
    let (extra_field, extra_decode) = if has_extra {
        let patterns: Vec<String> = s
            .extra_keys
            .iter()
            .map(|k| format!("`{}`", k.pattern))
            .collect();
        let xdoc = if patterns.is_empty() {
            " Members outside the documented fields, kept as they are.".to_string()
        } else {
            format!(
                " Members outside the documented fields ({}, …), kept as they are.",
                patterns.join(", ")
            )
        };
        (
            quote! {
                #[doc = #xdoc]
                #[serde(flatten)]
                pub extra: ::std::collections::BTreeMap<::std::string::String, #rt::__private::serde_json::Value>
            },
            quote!(extra),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let deserialize = deserialize_via_wire(id, rt);
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default
                 #rt::__private::serde::Serialize)]
        #[serde(crate = #serde_crate)]
        pub struct #id { #(#fields,)* #extra_field }

        #deserialize

        impl #rt::__private::wire::FromWire for #id {
            fn from_wire(value: &#rt::__private::serde_json::Value) -> ::std::result::Result<Self, #rt::__private::wire::WireError> {
                let obj = #rt::__private::wire::object(value)?;
                #scan
                ::std::result::Result::Ok(Self { #(#decode,)* #extra_decode })
            }
        }

        impl #rt::__private::Check for #id {
            #[allow(unused_variables)]
            fn check(&self, field: &str, problems: &mut #rt::__private::Problems) {
                #(#checks)*
            }
        }
    }
}

fn enum_def(id: &Ident, doc: &str, e: &EnumDef, rt: &syn::Path) -> TokenStream {
    let variants: Vec<Ident> = e
        .values
        .iter()
        .map(|v| Ident::new(&naming::variant_ident(v), Span::call_site()))
        .collect();
    let values = &e.values;
    let other_ty = match e.repr {
        EnumRepr::String => quote!(::std::string::String),
        EnumRepr::Int => quote!(i64),
    };
    let wire_of = match e.repr {
        EnumRepr::String => quote! {
            match self { #(Self::#variants => #rt::__private::serde_json::Value::from(#values),)* Self::Other(v) => #rt::__private::serde_json::Value::from(v.clone()) }
        },
        EnumRepr::Int => {
            let ints: Vec<i64> = e
                .values
                .iter()
                .map(|v| v.parse().unwrap_or_default())
                .collect();
            quote! {
                match self { #(Self::#variants => #rt::__private::serde_json::Value::from(#ints),)* Self::Other(v) => #rt::__private::serde_json::Value::from(*v) }
            }
        }
    };
    let ci = e.case_insensitive;
    let other_from = match e.repr {
        EnumRepr::String => quote!(::std::result::Result::Ok(Self::Other(s))),
        EnumRepr::Int => {
            quote!(s.parse::<i64>().map(Self::Other).map_err(|_| #rt::__private::wire::WireError::expected("an integer enum value", value)))
        }
    };
    let allowed = values.join(", ");
    let deserialize = deserialize_via_wire(id, rt);
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[non_exhaustive]
        pub enum #id {
            #( #[doc = concat!(" `", #values, "`")] #variants, )*
            /// A value the spec does not list.
            Other(#other_ty),
        }

        impl #id {
            fn wire(&self) -> #rt::__private::serde_json::Value { #wire_of }
        }

        impl #rt::__private::serde::Serialize for #id {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                #rt::__private::serde::Serialize::serialize(&self.wire(), s)
            }
        }

        #deserialize

        impl #rt::__private::wire::FromWire for #id {
            fn from_wire(value: &#rt::__private::serde_json::Value) -> ::std::result::Result<Self, #rt::__private::wire::WireError> {
                let s = #rt::__private::wire::scalar_string(value)?;
                #( if #rt::__private::wire::same(&s, #values, #ci) { return ::std::result::Result::Ok(Self::#variants); } )*
                #other_from
            }
        }

        impl #rt::__private::Check for #id {
            fn check(&self, field: &str, problems: &mut #rt::__private::Problems) {
                if let Self::Other(v) = self {
                    problems.push(field, &v.to_string(), ::std::concat!("one of: ", #allowed), ::std::option::Option::None);
                }
            }
        }
    }
}

fn newtype_def(id: &Ident, doc: &str, inner_ty: &TypeExpr, p: &Paths<'_>) -> TokenStream {
    let rt = p.rt;
    let serde_crate = format!("{}::__private::serde", path_string(rt));
    let t = rust_type(inner_ty, p);
    let deserialize = deserialize_via_wire(id, rt);
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq,
                 #rt::__private::serde::Serialize)]
        #[serde(crate = #serde_crate, transparent)]
        pub struct #id(pub #t);

        #deserialize

        impl #rt::__private::wire::FromWire for #id {
            fn from_wire(value: &#rt::__private::serde_json::Value) -> ::std::result::Result<Self, #rt::__private::wire::WireError> {
                <#t as #rt::__private::wire::FromWire>::from_wire(value).map(Self)
            }
        }

        impl #rt::__private::Check for #id {
            fn check(&self, field: &str, problems: &mut #rt::__private::Problems) {
                #rt::__private::Check::check(&self.0, field, problems);
            }
        }
    }
}
