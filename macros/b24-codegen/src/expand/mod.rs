//! Code generation: a spec (plus, for the macro, the user's struct) → Rust tokens.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

mod checks;
mod errors;
pub(crate) mod lints;
mod request;
mod types;

use crate::fields::{self, Plan};
use crate::rust_type::{Paths, rust_type};
use b24_spec::naming;
use b24_spec::spec::*;
use b24_spec::ty::TypeExpr;

/// Code generation settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Path of the runtime crate in generated code (default `::b24`).
    pub runtime: syn::Path,
    /// Named types defined once for a whole crate (in its `shared_types` module) rather
    /// than by each binding: a binding's module re-exports them.
    /// (type name → its name in `shared_types`).
    pub shared: std::collections::BTreeMap<String, String>,
    /// The module of the shared types: `shared_types`, or `deal_types` in one part of a
    /// split namespace (the parts are glob re-exported into one module, so the names differ).
    pub shared_module: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runtime: syn::parse_quote!(::b24),
            shared: std::collections::BTreeMap::new(),
            shared_module: "shared_types".into(),
        }
    }
}

impl Settings {
    /// Uses `path` as the runtime crate in generated code (e.g. `crate` inside `b24` itself).
    pub fn runtime(mut self, path: syn::Path) -> Self {
        self.runtime = path;
        self
    }
}

/// Generates the binding for `spec` on the user's struct `item`.
///
/// A unit struct gets every parameter as a field; a struct with named fields is checked
/// against the spec. All problems come back at once, each spanned on what caused it.
pub fn expand_item(
    spec: &Spec,
    item: syn::ItemStruct,
    settings: &Settings,
) -> syn::Result<TokenStream> {
    let types_mod = (!spec.types.is_empty())
        .then(|| format_ident!("{}", naming::snake(&item.ident.to_string())));
    let paths = Paths {
        rt: &settings.runtime,
        types_mod: types_mod.as_ref(),
    };
    let plan = fields::plan(spec, &item, &paths)?;
    Ok(emit(spec, item, &plan, &paths, settings))
}

/// Generates a binding named `type_name` for `spec` with every parameter (the CLI's form).
pub fn generate(spec: &Spec, type_name: &str, settings: &Settings) -> syn::Result<TokenStream> {
    let ident = Ident::new(type_name, Span::call_site());
    let item: syn::ItemStruct = syn::parse_quote!(pub struct #ident;);
    expand_item(spec, item, settings)
}

/// The items of a crate's `shared_types` module, one per type: `types`, defined once,
/// re-exported by every binding that uses them (see [`Settings::shared`]). The module's
/// own documentation is [`SHARED_DOC`].
#[cfg(feature = "regen")]
pub fn generate_shared(
    types: &std::collections::BTreeMap<String, TypeDef>,
    settings: &Settings,
) -> Vec<TokenStream> {
    types::shared_defs(types, &settings.runtime)
}

/// The documentation of a crate's `shared_types` module.
#[cfg(feature = "regen")]
pub const SHARED_DOC: &str = "Named types that several bindings of this crate share (one `Deal` for\n\
     `crm.deal.get` and `crm.deal.list`): each binding's module re-exports them.";

/// A module named `module` holding `types`, with its own documentation (`type_doc` gives
/// each type's).
#[cfg(feature = "regen")]
pub fn generate_module(
    types: &std::collections::BTreeMap<String, TypeDef>,
    runtime: &syn::Path,
    module: &str,
    module_doc: &str,
    type_doc: &dyn Fn(&str) -> String,
) -> TokenStream {
    types::documented_module(types, runtime, module, module_doc, type_doc)
}

/// Formats tokens as Rust source with `prettyplease`.
#[cfg(feature = "regen")]
pub fn pretty(tokens: &TokenStream) -> syn::Result<String> {
    let file: syn::File = syn::parse2(tokens.clone())?;
    Ok(prettyplease::unparse(&file))
}

fn emit(
    spec: &Spec,
    mut item: syn::ItemStruct,
    plan: &Plan,
    p: &Paths<'_>,
    settings: &Settings,
) -> TokenStream {
    let rt = p.rt;
    let ident = item.ident.clone();
    let name = &spec.name;
    let docs_url = spec.docs_url();

    let attrs = request::attributes(spec, &item, plan, rt);
    item.attrs.extend(attrs);
    item.fields = request::fields(spec, plan, rt);
    item.semi_token = None;
    let constructor = request::constructor(spec, &ident, plan, rt);
    let decoding = request::decoding(spec, &ident, &item, plan, rt);
    let checks = request::validation(spec, plan, rt);
    let params_fn = request::positional_params(spec, plan, rt);

    let output = rust_type(&spec.response.result, p);
    let api = match spec.api {
        Api::V2 => quote!(#rt::__private::Api::V2),
        Api::V3 => quote!(#rt::__private::Api::V3),
    };
    let scopes = &spec.scope;
    let idempotent = spec.idempotent;
    let pagination = pagination(spec, rt);
    let types = types::types_module(spec, p, &settings.shared, &settings.shared_module);
    let list_impl = list_method_impl(spec, &ident, p);
    let errors = errors::error_enum(spec, &ident, rt);

    let allow = lints::allow();
    quote! {
        #item

        #constructor

        #decoding

        #allow
        impl #rt::__private::Method for #ident {
            const NAME: &'static str = #name;
            const API: #rt::__private::Api = #api;
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            const IDEMPOTENT: bool = #idempotent;
            const DOCS_URL: &'static str = #docs_url;
            const PAGINATION: #rt::__private::Pagination = #pagination;
            type Output = #output;

            #[allow(unused_variables)]
            fn validate(&self) -> ::std::result::Result<(), #rt::__private::ValidationError> {
                let mut all = #rt::__private::Problems::new(#name);
                let problems = &mut all;
                #checks
                all.finish()
            }
            #params_fn
        }

        #list_impl

        #errors

        #types
    }
}

fn pagination(spec: &Spec, rt: &syn::Path) -> TokenStream {
    match &spec.pagination {
        Pagination::None => quote!(#rt::__private::Pagination::None),
        Pagination::StartNext {
            param,
            page_size,
            fast_key,
            ..
        } => {
            let fast = match fast_key {
                Some(k) => quote!(::std::option::Option::Some(#k)),
                None => quote!(::std::option::Option::None),
            };
            quote!(#rt::__private::Pagination::StartNext { param: #param, page_size: #page_size, fast_key: #fast })
        }
        Pagination::LimitOffset {
            offset_param,
            limit_param,
            max_limit,
            ..
        } => {
            let max = match max_limit {
                Some(m) => quote!(::std::option::Option::Some(#m)),
                None => quote!(::std::option::Option::None),
            };
            quote!(#rt::__private::Pagination::LimitOffset { offset_param: #offset_param, limit_param: #limit_param, max_limit: #max })
        }
        Pagination::V3Page => quote!(#rt::__private::Pagination::V3Page),
    }
}

/// `impl ListMethod` for methods paged by `start`/`next`, by limit and offset, or by
/// REST 3.0 pages, whose items can be found: the result itself (`T[]`) or the array
/// member named by `pagination.items` (REST 3.0: always `items`, as the docs' unified
/// format has it).
fn list_method_impl(spec: &Spec, ident: &Ident, p: &Paths<'_>) -> TokenStream {
    let rt = p.rt;
    let v3_items = String::from("items");
    let items = match &spec.pagination {
        Pagination::StartNext { items, .. } | Pagination::LimitOffset { items, .. } => {
            items.as_ref()
        }
        Pagination::V3Page => Some(&v3_items),
        _ => return TokenStream::new(),
    };
    let result = spec.response.result.non_optional();
    let (item_ty, body, member) = match (items, result) {
        (None, TypeExpr::Array(inner)) => (rust_type(inner, p), quote!(output), None),
        (Some(member), TypeExpr::Named(n)) => {
            let Some(TypeDef::Struct(s)) = spec.types.get(n) else {
                return TokenStream::new();
            };
            let Some(f) = s.fields.iter().find(|f| &f.name == member) else {
                return TokenStream::new();
            };
            let TypeExpr::Array(inner) = f.ty.non_optional() else {
                return TokenStream::new();
            };
            let fid = Ident::new(&f.ident(), Span::call_site());
            let take = if f.required && !matches!(f.ty, TypeExpr::Optional(_)) {
                quote!(output.#fid)
            } else {
                quote!(output.#fid.unwrap_or_default())
            };
            (rust_type(inner, p), take, Some(member.as_str()))
        }
        _ => return TokenStream::new(),
    };
    let items_const = member.map(|m| quote!(const ITEMS: ::std::option::Option<&'static str> = ::std::option::Option::Some(#m);));
    let allow = lints::allow();
    quote! {
        #allow
        impl #rt::__private::ListMethod for #ident {
            type Item = #item_ty;
            #items_const
            fn items(output: Self::Output) -> ::std::vec::Vec<Self::Item> {
                #body
            }
        }
    }
}

pub(super) fn path_string(p: &syn::Path) -> String {
    quote!(#p).to_string().replace(' ', "")
}
