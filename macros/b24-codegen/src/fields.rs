//! The fields of a binding: all parameters for a unit struct, or the user's own fields
//! checked against the spec.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;

use crate::rust_type::{Paths, canonical, canonical_tokens, option_inner, rust_type};
use b24_spec::naming;
use b24_spec::spec::{Param, Spec};

/// One field of the generated request struct.
pub(crate) struct FieldPlan {
    /// The parameter it carries.
    pub param: Param,
    /// Rust field name.
    pub ident: Ident,
    /// Field type as declared (`Option<T>` for optional fields).
    pub full_ty: TokenStream,
    /// `T` without `Option`.
    pub inner_ty: TokenStream,
    /// `Option<T>`: may be left out.
    pub optional: bool,
    /// The user's attributes on the field (docs, …).
    pub attrs: Vec<syn::Attribute>,
    /// Field visibility.
    pub vis: syn::Visibility,
}

/// The fields of a binding.
pub(crate) struct Plan {
    /// Its fields, in documentation order for a generated struct.
    pub fields: Vec<FieldPlan>,
    /// Every parameter was generated (a unit struct): the struct also gets `extra`.
    pub generated: bool,
}

/// Every problem found, combined into one error at the end.
#[derive(Default)]
struct Problems(Option<syn::Error>);

impl Problems {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

/// Plans the fields of `item`; every problem is reported in one combined error.
pub(crate) fn plan(spec: &Spec, item: &syn::ItemStruct, p: &Paths<'_>) -> syn::Result<Plan> {
    let mut problems = Problems::default();
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        problems.push(syn::Error::new(
            item.generics.span(),
            "a #[b24_method] struct cannot be generic",
        ));
    }
    let all_params = || -> Vec<FieldPlan> {
        spec.request
            .params
            .iter()
            .map(|param| all_params_field(param, p))
            .collect()
    };
    let (fields, generated) = match &item.fields {
        syn::Fields::Unit => (all_params(), true),
        syn::Fields::Named(named) if named.named.is_empty() => (all_params(), true),
        syn::Fields::Unnamed(u) => {
            problems.push(syn::Error::new(
                u.span(),
                "a #[b24_method] struct must be a unit struct (every parameter becomes a field) or have named fields (checked against the spec)",
            ));
            (Vec::new(), false)
        }
        syn::Fields::Named(named) => (user_fields(spec, item, named, p, &mut problems), false),
    };
    match problems.0 {
        Some(e) => Err(e),
        None => Ok(Plan { fields, generated }),
    }
}

/// The user's own fields, each checked against its parameter; then the required
/// parameters and the one-of groups no field covers.
fn user_fields(
    spec: &Spec,
    item: &syn::ItemStruct,
    named: &syn::FieldsNamed,
    p: &Paths<'_>,
    problems: &mut Problems,
) -> Vec<FieldPlan> {
    let mut out = Vec::new();
    let mut declared = BTreeSet::new();
    // Parameters an unknown field was taken for: not reported missing as well.
    let mut suggested = BTreeSet::new();
    let names: Vec<String> = spec.request.params.iter().map(|q| q.ident()).collect();
    for field in &named.named {
        let Some(fid) = &field.ident else { continue };
        let fname = fid.to_string();
        let fname = fname.strip_prefix("r#").unwrap_or(&fname).to_string();
        match spec.request.params.iter().find(|q| q.ident() == fname) {
            Some(param) => {
                declared.insert(param.name.clone());
                out.push(user_field(spec, param, field, fid, p, problems));
            }
            None => {
                let guess = naming::did_you_mean(&fname, names.iter().map(String::as_str));
                if let Some(g) = guess {
                    suggested.insert(g.to_string());
                }
                problems.push(unknown_field(spec, fid, &fname, guess, &names));
            }
        }
    }
    for param in
        spec.request.params.iter().filter(|q| {
            q.required && !declared.contains(&q.name) && !suggested.contains(&q.ident())
        })
    {
        let ty = canonical_tokens(&rust_type(param.ty.non_optional(), p));
        problems.push(syn::Error::new(
            item.ident.span(),
            format!(
                "missing required parameter `{}` of `{}`: add a field `pub {}: {ty}`",
                param.name,
                spec.name,
                param.ident()
            ),
        ));
    }
    // A one-of group none of whose members is declared could never be satisfied.
    for group in &spec.request.one_of {
        if group.iter().any(|n| declared.contains(n)) {
            continue;
        }
        let fields: Vec<String> = group
            .iter()
            .map(|n| {
                let ident = spec
                    .request
                    .params
                    .iter()
                    .find(|p| p.name == *n)
                    .map_or_else(|| naming::field_ident(n), b24_spec::spec::Param::ident);
                format!("`{ident}`")
            })
            .collect();
        problems.push(syn::Error::new(
            item.ident.span(),
            format!(
                "`{}` needs at least one of {}: declare at least one of the fields {} (as `Option<…>`)",
                spec.name,
                group.join(", "),
                fields.join(", ")
            ),
        ));
    }
    out
}

/// A field that names no parameter: the nearest name, and the list of parameters.
fn unknown_field(
    spec: &Spec,
    fid: &Ident,
    fname: &str,
    guess: Option<&str>,
    names: &[String],
) -> syn::Error {
    let hint = guess
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let list = if names.is_empty() {
        "it takes no parameters".to_string()
    } else {
        format!(
            "its parameters are {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    syn::Error::new(
        fid.span(),
        format!(
            "`{fname}` is not a parameter of `{}`{hint} ({list})",
            spec.name
        ),
    )
}

/// A user's field for `param`, its type checked against the spec's.
fn user_field(
    spec: &Spec,
    param: &Param,
    field: &syn::Field,
    fid: &Ident,
    p: &Paths<'_>,
    problems: &mut Problems,
) -> FieldPlan {
    let expected = rust_type(param.ty.non_optional(), p);
    let expected_c = canonical_tokens(&expected);
    let user_c = canonical(&field.ty);
    let (optional, ok) = match option_inner(&field.ty) {
        Some(_) if param.required => {
            problems.push(syn::Error::new(
                field.ty.span(),
                format!(
                    "`{}` is a required parameter of `{}`: declare it as `{expected_c}`, not `{user_c}`",
                    param.name, spec.name
                ),
            ));
            (true, true)
        }
        Some(inner) => (true, canonical(inner) == expected_c),
        None => (false, user_c == expected_c),
    };
    if !ok {
        let want = if param.required {
            format!("`{expected_c}`")
        } else {
            format!("`{expected_c}` or `Option<{expected_c}>`")
        };
        problems.push(syn::Error::new(
            field.ty.span(),
            format!(
                "wrong type for `{}` of `{}` (spec type `{}`): expected {want}, found `{user_c}`",
                param.name, spec.name, param.ty
            ),
        ));
    }
    let ty = &field.ty;
    FieldPlan {
        param: param.clone(),
        ident: fid.clone(),
        full_ty: quote!(#ty),
        inner_ty: match option_inner(ty) {
            Some(i) if optional => quote!(#i),
            _ => quote!(#ty),
        },
        optional,
        attrs: field.attrs.clone(),
        vis: field.vis.clone(),
    }
}

fn all_params_field(param: &Param, p: &Paths<'_>) -> FieldPlan {
    let inner = rust_type(param.ty.non_optional(), p);
    let optional = !param.required;
    let full = if optional {
        quote!(::std::option::Option<#inner>)
    } else {
        inner.clone()
    };
    FieldPlan {
        param: param.clone(),
        ident: Ident::new(&param.ident(), Span::call_site()),
        full_ty: full,
        inner_ty: inner,
        optional,
        attrs: Vec::new(),
        vis: syn::parse_quote!(pub),
    }
}

/// Names of the traits already in `#[derive(...)]` attributes.
pub(crate) fn derived(attrs: &[syn::Attribute]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|m| {
            if let Some(last) = m.path.segments.last() {
                out.insert(last.ident.to_string());
            }
            Ok(())
        });
    }
    out
}
