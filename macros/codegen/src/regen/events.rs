//! The crate of typed event payloads (`runtime/events`, `b24-events`): one module per
//! namespace behind the cargo feature of the same name, and the `Payload` enum that decodes
//! an event's `data` by the event's name.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::GENERATED;
use crate::expand::{generate_module, pretty};
use crate::naming;
use crate::rust_type::{Paths, rust_type};
use crate::spec::EventSpec;

/// Loads every event spec under `dir` (`incoming/`), failing on the first bad one.
pub fn load_events(dir: &Path) -> Result<Vec<EventSpec>, crate::SpecError> {
    crate::event_files(dir)
        .iter()
        .map(|f| crate::load_event_file(f))
        .collect()
}

/// The namespaces that have events.
pub fn event_namespaces(events: &[EventSpec]) -> Vec<String> {
    let mut ns: Vec<String> = events.iter().map(|e| e.namespace.clone()).collect();
    ns.sort();
    ns.dedup();
    ns
}

/// The Rust name of each event (by wire name): its page's file name in UpperCamelCase
/// (`on-crm-deal-add.md` → `OnCrmDealAdd`); an event of a page of several
/// (`ONIMV2MESSAGEADD`) is split into the words of the other events' file names
/// (`OnImV2MessageAdd`).
pub fn event_idents(events: &[EventSpec]) -> BTreeMap<String, String> {
    let stem = |e: &EventSpec| {
        let file = e.docs.path.rsplit('/').next().unwrap_or(&e.docs.path);
        file.strip_prefix("on-")
            .and_then(|f| f.strip_suffix(".md"))
            .map(str::to_string)
    };
    let mut words: std::collections::BTreeSet<String> = ["v2".to_string()].into();
    for e in events {
        if let Some(s) = stem(e) {
            words.extend(s.split('-').map(str::to_string));
        }
    }
    let mut taken: std::collections::BTreeSet<String> = ["Unknown".to_string()].into();
    events
        .iter()
        .map(|e| {
            let file_words = stem(e).map(|s| s.split('-').map(str::to_string).collect());
            let lower = e.name.to_ascii_lowercase();
            let split = file_words.or_else(|| {
                lower
                    .strip_prefix("on")
                    .and_then(|rest| segment(rest, &words))
            });
            let ident = match split {
                Some(ws) => {
                    let mut id = String::from("On");
                    for w in ws {
                        let mut c = w.chars();
                        if let Some(f) = c.next() {
                            id.push(f.to_ascii_uppercase());
                            id.push_str(c.as_str());
                        }
                    }
                    id
                }
                None => naming::pascal(&lower),
            };
            // A Rust identifier, unlike every other event's and `Unknown`.
            let mut ident: String = ident
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !ident.starts_with(|c: char| c.is_ascii_alphabetic()) {
                ident.insert_str(0, "On");
            }
            let base = ident.clone();
            let mut n = 2;
            while !taken.insert(ident.clone()) {
                ident = format!("{base}{n}");
                n += 1;
            }
            (e.name.clone(), ident)
        })
        .collect()
}

/// `text` split into `words`, the fewest first; a piece that is no word costs three words
/// and one a letter (`reactionchange` stays one piece when neither half is known).
fn segment(text: &str, words: &std::collections::BTreeSet<String>) -> Option<Vec<String>> {
    // best[i]: the cost of the cheapest split of text[..i], and where its last piece starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; text.len() + 1];
    best[0] = Some((0, 0));
    for end in 1..=text.len() {
        for start in 0..end {
            let (Some((n, _)), Some(piece)) = (best[start], text.get(start..end)) else {
                continue;
            };
            let cost = n + if words.contains(piece) {
                1
            } else {
                3 + piece.len()
            };
            if best[end].is_none_or(|(m, _)| cost < m) {
                best[end] = Some((cost, start));
            }
        }
    }
    let mut out = Vec::new();
    let mut end = text.len();
    while end > 0 {
        let (_, start) = best[end]?;
        out.push(text[start..end].to_string());
        end = start;
    }
    out.reverse();
    Some(out)
}

/// The files of the `b24-events` crate, relative to the runtime folder.
pub fn generate_events(events: &[EventSpec]) -> syn::Result<BTreeMap<PathBuf, String>> {
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("events/Cargo.toml"),
        manifest(&event_namespaces(events)),
    );
    let mut by_ns: BTreeMap<&str, Vec<&EventSpec>> = BTreeMap::new();
    for e in events {
        by_ns.entry(e.namespace.as_str()).or_default().push(e);
    }
    let idents = event_idents(events);
    let ident = |e: &EventSpec| Ident::new(&idents[&e.name], Span::call_site());
    let modules = by_ns
        .iter()
        .map(|(ns, evs)| namespace_module(ns, evs, &ident));
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
        #![allow(deprecated, clippy::all, non_camel_case_types)]
        #(#modules)*
        #payload
    };
    let body = pretty(&tokens)?;
    files.insert(
        PathBuf::from("events/src/lib.rs"),
        format!("{GENERATED}\n\n{body}"),
    );
    Ok(files)
}

fn namespace_module(
    ns: &str,
    evs: &[&EventSpec],
    ident: &dyn Fn(&EventSpec) -> Ident,
) -> TokenStream {
    let m = Ident::new(&naming::field_ident(ns), Span::call_site());
    let rt: syn::Path = syn::parse_quote!(::b24_core);
    let doc = format!(" Events of the `{ns}` namespace ({} events).", evs.len());
    let items = evs.iter().map(|e| {
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
    });
    quote! {
        #[cfg(feature = #ns)]
        #[cfg_attr(docsrs, doc(cfg(feature = #ns)))]
        pub mod #m {
            #![doc = #doc]
            #(#items)*
        }
    }
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
    use super::{event_idents, segment};

    fn event(name: &str, path: &str) -> crate::spec::EventSpec {
        let text = format!(
            "schema = 1\n[event]\nname = \"{name}\"\nnamespace = \"type\"\ndocs = {{ path = \"{path}\", commit = \"abc1234\" }}\ndata = \"any\"\n"
        );
        crate::load_event_str(std::path::Path::new("x.toml"), &text).expect("valid")
    }

    #[test]
    fn every_event_gets_an_identifier_of_its_own() {
        let events = [
            event("UNKNOWN", "a/events.md"),
            event("ONX", "a/on-1 x.md"),
            event("ONY", "a/on-1-x.md"),
        ];
        let ids = event_idents(&events);
        assert_eq!(ids["UNKNOWN"], "Unknown2");
        assert_eq!(ids["ONX"], "On1x");
        assert_eq!(ids["ONY"], "On1X");
        // A namespace that is a keyword still makes a module.
        let files = super::generate_events(&events).expect("code that parses");
        assert!(files.values().any(|t| t.contains("pub mod type_")));
    }

    #[test]
    fn an_upper_case_name_splits_into_the_known_words() {
        let words = ["im", "imbot", "v2", "message", "add", "join", "chat"]
            .map(String::from)
            .into();
        let split = |t: &str| segment(t, &words).map(|w| w.join("-"));
        assert_eq!(
            split("imv2messageadd").as_deref(),
            Some("im-v2-message-add")
        );
        assert_eq!(
            split("imbotv2joinchat").as_deref(),
            Some("imbot-v2-join-chat")
        );
        // What no word covers stays one piece.
        assert_eq!(
            split("imv2reactionchange").as_deref(),
            Some("im-v2-reactionchange")
        );
    }
}
