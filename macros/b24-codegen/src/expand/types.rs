//! The module of a spec's named types: structs, enums, newtypes and maps.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::checks::checks_for;
use super::path_string;
use crate::rust_type::{Paths, rust_type};
use b24_spec::naming;
use b24_spec::spec::{EnumDef, EnumRepr, Spec, StructDef, TypeDef};
use b24_spec::ty::TypeExpr;

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
    let allow = super::lints::allow();
    quote! {
        #[doc = #mod_doc]
        #allow
        pub mod #m {
            #[allow(unused_imports)]
            use super::*;
            #(#defs)*
        }
    }
}

/// The types a whole crate shares, one item each.
#[cfg(feature = "regen")]
pub(super) fn shared_defs(
    types: &std::collections::BTreeMap<String, TypeDef>,
    rt: &syn::Path,
) -> Vec<TokenStream> {
    let inner = Paths {
        rt,
        types_mod: None,
    };
    types
        .iter()
        .map(|(name, def)| {
            let id = Ident::new(name, Span::call_site());
            let doc = format!(" `{name}`, the same in every binding of this crate that uses it.");
            type_def(&id, &doc, def, &inner)
        })
        .collect()
}

/// A module of `types` with the given documentation (the module's and each type's).
#[cfg(feature = "regen")]
pub(super) fn documented_module(
    types: &std::collections::BTreeMap<String, TypeDef>,
    rt: &syn::Path,
    module: &str,
    module_doc: &str,
    type_doc: &dyn Fn(&str) -> String,
) -> TokenStream {
    let module = Ident::new(module, Span::call_site());
    let inner = Paths {
        rt,
        types_mod: None,
    };
    let defs = types.iter().map(|(name, def)| {
        let id = Ident::new(name, Span::call_site());
        type_def(&id, &type_doc(name), def, &inner)
    });
    let module_doc = module_doc.split('\n');
    let allow = super::lints::allow();
    quote! {
        #(#[doc = #module_doc])*
        #allow
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

fn optional(f: &b24_spec::spec::Param) -> bool {
    !f.required || matches!(f.ty, TypeExpr::Optional(_))
}

fn struct_def(id: &Ident, doc: &str, s: &StructDef, p: &Paths<'_>) -> TokenStream {
    let rt = p.rt;
    let serde_crate = format!("{}::__private::serde", path_string(rt));
    let fids: Vec<Ident> = s
        .fields
        .iter()
        .map(|f| Ident::new(&f.ident(), Span::call_site()))
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
    let all_optional = s.fields.iter().all(optional);
    let decode = record_impl(id, s, &fids, all_optional, p);
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
    let default = all_optional.then(|| quote!(::std::default::Default,));
    let extra_field = {
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
        quote! {
            #[doc = #xdoc]
            #[serde(flatten)]
            pub extra: ::std::collections::BTreeMap<::std::string::String, #rt::__private::serde_json::Value>
        }
    };
    let deserialize = deserialize_via_wire(id, rt);
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default
                 #rt::__private::serde::Serialize)]
        #[serde(crate = #serde_crate)]
        pub struct #id { #(#fields,)* #extra_field }

        #deserialize

        #decode

        impl #rt::__private::Check for #id {
            #[allow(unused_variables)]
            fn check(&self, field: &str, problems: &mut #rt::__private::Problems) {
                #(#checks)*
            }
        }
    }
}

/// `FromWire` and `Record` of a struct: decoded member by member into the struct itself
/// when every field is optional, else into a hidden struct of slots.
fn record_impl(
    id: &Ident,
    s: &StructDef,
    fids: &[Ident],
    all_optional: bool,
    p: &Paths<'_>,
) -> TokenStream {
    let rt = p.rt;
    let w = quote!(#rt::__private::wire);
    let wires: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    let helper = if all_optional {
        quote!(put)
    } else {
        quote!(fill)
    };
    let n = fids.len();
    let arms = fids.iter().enumerate().map(|(i, fid)| {
        if i + 1 == n {
            quote!(_ => #w::#helper(&mut s.#fid, m))
        } else {
            quote!(#i => #w::#helper(&mut s.#fid, m))
        }
    });
    let fill_body = if n == 0 {
        quote!({ let _ = (s, i); m.next_value::<#rt::__private::serde::de::IgnoredAny>().map(|_| ()) })
    } else if let [fid] = fids {
        quote!({ let _ = i; #w::#helper(&mut s.#fid, m) })
    } else {
        quote!(match i { #(#arms,)* })
    };
    let (slots_def, slots_ty, finish) = if all_optional {
        (
            TokenStream::new(),
            quote!(Self),
            quote!(::std::result::Result::Ok(s)),
        )
    } else {
        let slots = format_ident!("__{}Slots", id);
        let tys = s.fields.iter().map(|f| {
            let base = rust_type(&f.ty, p);
            if optional(f) && !matches!(f.ty, TypeExpr::Optional(_)) {
                quote!(::std::option::Option<::std::option::Option<#base>>)
            } else {
                quote!(::std::option::Option<#base>)
            }
        });
        let takes = fids
            .iter()
            .zip(&wires)
            .map(|(fid, wire)| quote!(#fid: #w::take(s.#fid, #wire)?));
        (
            quote! {
                #[doc(hidden)]
                #[derive(::std::default::Default)]
                pub struct #slots {
                    #(#fids: #tys,)*
                    extra: ::std::collections::BTreeMap<::std::string::String, #rt::__private::serde_json::Value>,
                }
            },
            quote!(#slots),
            quote!(::std::result::Result::Ok(Self { #(#takes,)* extra: s.extra })),
        )
    };
    quote! {
        #slots_def

        impl #w::FromWire for #id {
            fn decode<'de, D: #rt::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                #w::record(d)
            }
        }

        impl #w::Record for #id {
            const FIELDS: &'static [&'static str] = &[#(#wires),*];
            type Slots = #slots_ty;
            fn fill<'de, A: #rt::__private::serde::de::MapAccess<'de>>(s: &mut Self::Slots, i: usize, m: &mut A) -> ::std::result::Result<(), A::Error> {
                #fill_body
            }
            fn extra(s: &mut Self::Slots) -> &mut ::std::collections::BTreeMap<::std::string::String, #rt::__private::serde_json::Value> {
                &mut s.extra
            }
            fn finish(s: Self::Slots) -> ::std::result::Result<Self, #w::WireError> {
                #finish
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
    let (other_from, expected) = match e.repr {
        EnumRepr::String => (
            quote!(::std::option::Option::Some(Self::Other(
                ::std::string::ToString::to_string(s)
            ))),
            "a string",
        ),
        EnumRepr::Int => (
            quote!(s.parse::<i64>().ok().map(Self::Other)),
            "an integer enum value",
        ),
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
            fn decode<'de, D: #rt::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                #rt::__private::wire::scalar(d, #expected, |s: &str| {
                    #( if #rt::__private::wire::same(s, #values, #ci) { return ::std::option::Option::Some(Self::#variants); } )*
                    #other_from
                })
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
            fn decode<'de, D: #rt::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                <#t as #rt::__private::wire::FromWire>::decode(d).map(Self)
            }
        }

        impl #rt::__private::Check for #id {
            fn check(&self, field: &str, problems: &mut #rt::__private::Problems) {
                #rt::__private::Check::check(&self.0, field, problems);
            }
        }
    }
}
