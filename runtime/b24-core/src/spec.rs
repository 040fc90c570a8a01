//! What a spec read at run time (`b24-spec`) says, in the runtime's vocabulary: its API
//! version and how it pages — what generated code declares as constants, for a method
//! known only from its spec (the command line, an agent's tools).

use crate::method::{Api, Listing, Pagination};

impl From<b24_spec::spec::Api> for Api {
    fn from(api: b24_spec::spec::Api) -> Api {
        match api {
            b24_spec::spec::Api::V2 => Api::V2,
            b24_spec::spec::Api::V3 => Api::V3,
        }
    }
}

impl From<Api> for b24_spec::spec::Api {
    fn from(api: Api) -> b24_spec::spec::Api {
        match api {
            Api::V2 => b24_spec::spec::Api::V2,
            Api::V3 => b24_spec::spec::Api::V3,
        }
    }
}

impl Listing {
    /// How the method of `spec` pages and where its items are, as its binding would
    /// declare it; `None` for a method that answers one page. The spec lives as long as
    /// the process, as the shipped ones do (`b24_spec::Catalog::shipped`).
    ///
    /// ```
    /// let catalog = b24_spec::Catalog::shipped().expect("the shipped specs load");
    /// let spec = catalog.method("crm.deal.list", b24_spec::spec::Api::V2).expect("a spec");
    /// let listing = b24::Listing::of_spec(spec).expect("a list method");
    /// assert!(matches!(listing.pagination, b24::Pagination::StartNext { fast_key: Some("ID"), .. }));
    /// ```
    pub fn of_spec(spec: &'static b24_spec::Spec) -> Option<Listing> {
        use b24_spec::spec::Pagination as P;
        let (pagination, items) = match &spec.pagination {
            P::None => return None,
            P::StartNext {
                param,
                page_size,
                fast_key,
                items,
            } => (
                Pagination::StartNext {
                    param: param.as_str(),
                    page_size: *page_size,
                    fast_key: fast_key.as_deref(),
                },
                items.as_deref(),
            ),
            P::LimitOffset {
                offset_param,
                limit_param,
                max_limit,
                items,
            } => (
                Pagination::LimitOffset {
                    offset_param: offset_param.as_str(),
                    limit_param: limit_param.as_str(),
                    max_limit: *max_limit,
                },
                items.as_deref(),
            ),
            // REST 3.0's unified list format holds its items under `items`.
            P::V3Page => (Pagination::V3Page, Some("items")),
        };
        Some(Listing::new(spec.api.into(), pagination, items))
    }
}
