//! `#[b24_method("…")]`: typed, validated Bitrix24 REST requests generated from specs.
//!
//! This crate is a thin shell over [`b24_codegen`]: it parses the attribute, finds the
//! spec and hands both to the code generator. Use it through the `b24` crate, which
//! re-exports the attribute and holds the runtime the generated code calls.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// Generates a typed request for a Bitrix24 REST method from its spec.
///
/// ```
/// #[b24::b24_method("im.recent.unread")]
/// pub struct MarkUnread;
///
/// let r = MarkUnread::new(b24::types::DialogId::Chat(74)).action(true);
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"DIALOG_ID":"chat74","ACTION":"Y"}"#);
/// ```
///
/// Arguments after the method name: `spec = "path/to/spec.toml"` (relative to the calling
/// crate's `Cargo.toml`) for a spec outside the catalog, `api = "v3"` for a REST 3.0 twin,
/// `crate = "path"` for the path of the runtime crate (default `::b24`).
///
/// See the `b24` crate for what is generated.
#[proc_macro_attribute]
pub fn b24_method(attr: TokenStream, item: TokenStream) -> TokenStream {
    let original: TokenStream2 = item.clone().into();
    match expand(attr.into(), item.into()) {
        Ok(ts) => ts.into(),
        Err(e) => {
            // Re-emit the item untouched so one mistake gives one error, not a cascade.
            let err = e.to_compile_error();
            quote!(#err #original).into()
        }
    }
}

struct Args {
    method: LitStr,
    spec: Option<LitStr>,
    api: Option<LitStr>,
    runtime: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(
                input.error("expected the method name: #[b24_method(\"im.recent.unread\")]")
            );
        }
        let method: LitStr = input.parse()?;
        let mut args = Args {
            method,
            spec: None,
            api: None,
            runtime: None,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: syn::Ident = if input.peek(Token![crate]) {
                let k: Token![crate] = input.parse()?;
                syn::Ident::new("crate", k.span)
            } else {
                input.parse()?
            };
            input.parse::<Token![=]>()?;
            let value: LitStr = input.parse()?;
            let slot = match key.to_string().as_str() {
                "spec" => &mut args.spec,
                "api" => &mut args.api,
                "crate" => &mut args.runtime,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown argument `{other}`: expected `spec`, `api` or `crate`"),
                    ));
                }
            };
            if slot.is_some() {
                return Err(syn::Error::new(key.span(), format!("`{key}` given twice")));
            }
            *slot = Some(value);
        }
        Ok(args)
    }
}

fn expand(attr: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let args: Args = syn::parse2(attr)?;
    let item: syn::ItemStruct = syn::parse2(item)
        .map_err(|e| syn::Error::new(e.span(), "#[b24_method] goes on a struct"))?;
    let method = args.method.value();
    let api = match args.api.as_ref().map(LitStr::value).as_deref() {
        None | Some("v2") => "v2",
        Some("v3") => "v3",
        Some(other) => {
            return Err(syn::Error::new(
                args.api.as_ref().map_or(Span::call_site(), LitStr::span),
                format!("unknown api `{other}`: expected \"v2\" or \"v3\""),
            ));
        }
    };
    let mut settings = b24_codegen::Settings::default();
    if let Some(rt) = &args.runtime {
        settings = settings.runtime(rt.parse()?);
    }

    let (spec, tracked) = find_spec(&args, &method, api)?;
    let spec_name_ok = spec.name.eq_ignore_ascii_case(&method) && spec.api.as_str() == api;
    if !spec_name_ok {
        return Err(syn::Error::new(
            args.method.span(),
            format!(
                "{}: the spec is for `{}` ({}), not `{method}` ({api})",
                spec.source.display(),
                spec.name,
                spec.api.as_str()
            ),
        ));
    }
    let body = b24_codegen::expand_item(&spec, item, &settings)?;
    let track = tracked.map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &str = ::core::include_str!(#p);
        )
    });
    Ok(quote! {
        #body
        #track
        const _: ::core::option::Option<&str> = ::core::option_env!("B24_SPECS_DIR");
    })
}

/// Finds and loads the spec: explicit `spec = …`, else the catalog, else `B24_SPECS_DIR`.
/// Returns the spec and the file to track for rebuilds (catalog files are tracked by the
/// catalog crate itself).
fn find_spec(
    args: &Args,
    method: &str,
    api: &str,
) -> syn::Result<(b24_spec::Spec, Option<PathBuf>)> {
    let at = args.method.span();
    if let Some(rel) = &args.spec {
        // The override lets the UI tests (run by trybuild from a crate it generates under
        // target/) point at the real test crate; cargo itself never sets it.
        let dir = std::env::var("B24_TEST_MANIFEST_DIR")
            .or_else(|_| std::env::var("CARGO_MANIFEST_DIR"))
            .map_err(|_| {
                syn::Error::new(
                    rel.span(),
                    "CARGO_MANIFEST_DIR is not set: build with cargo to use `spec = …`",
                )
            })?;
        let shown = rel.value();
        let path = Path::new(&dir).join(&shown);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            syn::Error::new(
                rel.span(),
                format!(
                    "cannot read the spec file `{shown}` (relative to the crate's Cargo.toml): {e}"
                ),
            )
        })?;
        // Diagnostics name the file as the user wrote it.
        let spec =
            b24_spec::load_str(Path::new(&shown), &text).map_err(|e| spec_error(rel.span(), &e))?;
        return Ok((spec, Some(path)));
    }
    if let Some(entry) = b24_specs::find(method, api) {
        let rel = entry
            .path
            .strip_prefix(b24_specs::source_dir())
            .unwrap_or(entry.path)
            .trim_start_matches('/');
        let shown = Path::new("b24-specs").join(rel);
        let spec = b24_spec::load_str(&shown, entry.text).map_err(|e| spec_error(at, &e))?;
        return Ok((spec, None));
    }
    if let Ok(dir) = std::env::var("B24_SPECS_DIR") {
        let file = b24_specs::file_name(method, api);
        if let Some(path) = find_file(Path::new(&dir), &file) {
            let spec = b24_spec::load_file(&path).map_err(|e| spec_error(at, &e))?;
            return Ok((spec, Some(path)));
        }
    }
    let hint = b24_spec::naming::did_you_mean(method, b24_specs::all().iter().map(|e| e.name))
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Err(syn::Error::new(
        at,
        format!(
            "no spec for `{method}` ({api}) in the b24 catalog; {hint}For a method of your own, pass `spec = \"path/to/{}\"`",
            b24_specs::file_name(method, api)
        ),
    ))
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    b24_spec::spec_files(dir)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|f| f == name))
}

fn spec_error(span: Span, e: &b24_spec::SpecError) -> syn::Error {
    let mut all: Option<syn::Error> = None;
    for d in &e.diagnostics {
        let one = syn::Error::new(span, format!("malformed spec: {d}"));
        match &mut all {
            Some(a) => a.combine(one),
            None => all = Some(one),
        }
    }
    all.unwrap_or_else(|| syn::Error::new(span, "malformed spec"))
}
