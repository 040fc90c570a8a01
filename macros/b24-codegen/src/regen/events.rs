//! The crate of typed event payloads (`runtime/generated/b24-events`): one module per
//! namespace behind the cargo feature of the same name, and the `Payload` enum that decodes
//! an event's `data` by the event's name.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::GENERATED;
use crate::expand::{generate_module, pretty};
use crate::rust_type::{Paths, rust_type};
use b24_spec::bindings::{event_idents, event_namespaces};
use b24_spec::naming;
use b24_spec::spec::EventSpec;

/// The files of the `b24-events` crate, relative to the runtime folder: `lib.rs` with the
/// `Payload` enum, and one file per namespace (`src/<namespace>.rs`), each behind the
/// cargo feature of the same name.
pub fn generate_events(events: &[EventSpec]) -> syn::Result<BTreeMap<PathBuf, String>> {
    let dir = PathBuf::from(super::WING).join("b24-events");
    let mut files = BTreeMap::new();
    files.insert(dir.join("Cargo.toml"), manifest(&event_namespaces(events)));
    let mut by_ns: BTreeMap<&str, Vec<&EventSpec>> = BTreeMap::new();
    for e in events {
        by_ns.entry(e.namespace.as_str()).or_default().push(e);
    }
    let idents = event_idents(events);
    let ident = |e: &EventSpec| Ident::new(&idents[&e.name], Span::call_site());
    let allow = super::lints_inner();
    let mut decls = TokenStream::new();
    for (ns, evs) in &by_ns {
        let m = Ident::new(&naming::field_ident(ns), Span::call_site());
        let items = namespace_items(evs, &ident)
            .iter()
            .map(pretty)
            .collect::<syn::Result<Vec<String>>>()?;
        let head = format!(
            "{GENERATED}\n\n//! Events of the `{ns}` namespace ({} events).\n\
             #![cfg_attr(rustfmt, rustfmt::skip)]\n{allow}\n\n",
            evs.len()
        );
        let what = format!("the events of the `{ns}` namespace");
        let file = dir.join("src").join(format!("{m}.rs"));
        files.extend(super::module_files(&file, &head, &what, &items));
        decls.extend(quote! {
            #[cfg(feature = #ns)]
            #[cfg_attr(docsrs, doc(cfg(feature = #ns)))]
            pub mod #m;
        });
    }
    let payload = payload_enum(&by_ns, &ident);
    let n = events.len();
    let head = format!(
        " The typed `data` of the {n} events the docs document, generated from the event\n \
         specs (`specs/incoming/`): one module per namespace, each behind the cargo feature of\n \
         the same name. Use them through [b24](https://docs.rs/b24) as `b24::events`:\n \
         `Payload::of(&event)` gives the typed data of an event a handler received."
    );
    let tokens = quote! {
        #![doc = #head]
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #decls
        #payload
    };
    let body = pretty(&tokens)?;
    files.insert(
        dir.join("src").join("lib.rs"),
        format!("{GENERATED}\n\n{allow}\n{body}"),
    );
    Ok(files)
}

/// The items of one namespace's module: for each event, its data type and the module of
/// its named types.
fn namespace_items(evs: &[&EventSpec], ident: &dyn Fn(&EventSpec) -> Ident) -> Vec<TokenStream> {
    let rt: syn::Path = syn::parse_quote!(::b24_core);
    evs.iter()
        .map(|e| {
            let id = ident(e);
            let module = format_ident!("{}", naming::snake(&id.to_string()));
            let module_doc = format!(" Named types of the `data` of `{}`.", e.name);
            let event = e.name.clone();
            let types = generate_module(&e.types, &rt, &module.to_string(), &module_doc, &|name| {
                format!(" `{name}` of the `data` of `{event}`.")
            });
            let paths = Paths {
                rt: &rt,
                types_mod: Some(&module),
            };
            let data = rust_type(e.data.non_optional(), &paths);
            let doc = format!(
                " The `data` of `{}` ([docs]({})); its named types are in [`{module}`].",
                e.name,
                e.docs_url()
            );
            let deprecated = e.deprecated.as_ref().map(|_| quote!(#[deprecated]));
            quote! {
                #[doc = #doc]
                #deprecated
                pub type #id = #data;
                #types
            }
        })
        .collect()
}

fn payload_enum(
    by_ns: &BTreeMap<&str, Vec<&EventSpec>>,
    ident: &dyn Fn(&EventSpec) -> Ident,
) -> TokenStream {
    let all: Vec<(&str, &EventSpec)> = by_ns
        .iter()
        .flat_map(|(ns, evs)| evs.iter().map(move |e| (*ns, *e)))
        .collect();
    let variants = all.iter().map(|(ns, e)| {
        let id = ident(e);
        let m = Ident::new(&naming::field_ident(ns), Span::call_site());
        let doc = format!(" `{}` ([docs]({})).", e.name, e.docs_url());
        quote! {
            #[doc = #doc]
            #[cfg(feature = #ns)]
            #id(#m::#id),
        }
    });
    let arms = all.iter().map(|(ns, e)| {
        let id = ident(e);
        let name = &e.name;
        quote! {
            #[cfg(feature = #ns)]
            #name => Payload::#id(::b24_core::__private::decode_data(#name, data)?),
        }
    });
    let names = all.iter().map(|(ns, e)| {
        let id = ident(e);
        let name = &e.name;
        quote! {
            #[cfg(feature = #ns)]
            Payload::#id(_) => ::std::option::Option::Some(#name),
        }
    });
    let jsons = all.iter().map(|(ns, e)| {
        let id = ident(e);
        quote! {
            #[cfg(feature = #ns)]
            Payload::#id(d) => ::b24_core::__private::serde_json::to_value(d),
        }
    });
    quote! {
        /// An event's `data`, typed by the event's name: one variant per documented event
        /// whose namespace's feature is on, [`Payload::Unknown`] for any other.
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum Payload {
            #(#variants)*
            /// An event with no typed payload here (not documented, or its namespace's
            /// feature is off): its `data` as posted.
            Unknown(::b24_core::__private::serde_json::Value),
        }

        impl Payload {
            /// The typed `data` of `event`; a `data` without the documented form is an
            /// error naming the event and the JSON path.
            pub fn of(event: &::b24_core::events::Event) -> ::std::result::Result<Payload, ::b24_core::events::PayloadError> {
                Payload::decode(&event.name, &event.data)
            }

            /// The typed `data` of an event of the offline queue.
            pub fn of_offline(event: &::b24_core::events::OfflineEvent) -> ::std::result::Result<Payload, ::b24_core::events::PayloadError> {
                Payload::decode(&event.name, &event.data)
            }

            /// The typed `data` of the event named `name` (in any letter case).
            pub fn decode(
                name: &str,
                data: &::b24_core::__private::serde_json::Value,
            ) -> ::std::result::Result<Payload, ::b24_core::events::PayloadError> {
                let _ = data;
                ::std::result::Result::Ok(match name.to_ascii_uppercase().as_str() {
                    #(#arms)*
                    _ => Payload::Unknown(data.clone()),
                })
            }

            /// The event's name (`ONCRMDEALADD`); `None` for [`Payload::Unknown`].
            pub fn name(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#names)*
                    Payload::Unknown(_) => ::std::option::Option::None,
                }
            }

            /// The data as JSON again, under its wire names: what the typed data holds.
            pub fn to_json(&self) -> ::std::result::Result<::b24_core::__private::serde_json::Value, ::b24_core::__private::serde_json::Error> {
                match self {
                    #(#jsons)*
                    Payload::Unknown(v) => ::std::result::Result::Ok(v.clone()),
                }
            }
        }
    }
}

fn manifest(namespaces: &[String]) -> String {
    let mut features = String::new();
    for ns in namespaces {
        let _ = writeln!(features, "{ns} = []");
    }
    let head = super::manifest_head(
        "b24-events",
        "The typed data of Bitrix24's events, generated from specs; use them through `b24::events`",
        "the payloads",
    );
    format!(
        "{head}\n\
         [features]\n\
         # One per namespace with events, enabled by `b24`'s feature of the same name.\n\
         {features}\
         \n\
         [dependencies]\n\
         b24-core.workspace = true\n\
         \n\
         [package.metadata.docs.rs]\n\
         all-features = true\n\
         \n\
         [lints]\n\
         workspace = true\n"
    )
}

#[cfg(test)]
mod tests {
    fn event(name: &str, path: &str) -> b24_spec::spec::EventSpec {
        let text = format!(
            "schema = 1\n[event]\nname = \"{name}\"\nnamespace = \"type\"\ndocs = {{ path = \"{path}\", commit = \"abc1234\" }}\ndata = \"any\"\n"
        );
        b24_spec::load_event_str(std::path::Path::new("x.toml"), &text).expect("valid")
    }

    #[test]
    fn a_namespace_that_is_a_keyword_still_makes_a_module() {
        let events = [event("ONX", "a/on-1 x.md"), event("ONY", "a/on-1-x.md")];
        let files = super::generate_events(&events).expect("code that parses");
        let lib = files
            .iter()
            .find(|(p, _)| p.ends_with("src/lib.rs"))
            .map(|(_, t)| t)
            .expect("a lib.rs");
        assert!(lib.contains("pub mod type_;"), "{lib}");
        assert!(files.keys().any(|p| p.ends_with("src/type_.rs")));
    }
}
