//! Credentials and the URLs they lead to. Tokens live in [`Secret`], which never prints.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use url::Url;

use crate::address::{host_of, portal_of};
use crate::error::{ConfigError, ConfigKind};
use crate::method::Api;
use crate::oauth::OAuthState;
use crate::secret::Secret;

/// How requests are authenticated.
#[derive(Clone)]
pub(crate) enum Auth {
    /// An inbound webhook: user id and code in the URL path.
    Webhook { user: u64, token: Secret },
    /// An OAuth application: the access token travels as `auth`.
    OAuth(Arc<OAuthState>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Webhook { user, .. } => write!(f, "Webhook {{ user: {user}, token: *** }}"),
            Auth::OAuth(state) => write!(f, "{state:?}"),
        }
    }
}

impl Auth {
    /// `text` without any secret of these credentials.
    pub(crate) fn scrub(&self, text: &str) -> String {
        match self {
            Auth::Webhook { token, .. } => token.scrub(text),
            Auth::OAuth(state) => state.scrub(text),
        }
    }
}

/// The portal and credentials of a client.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    /// `scheme://host[:port]/`.
    pub portal: Url,
    pub auth: Auth,
}

impl Endpoint {
    /// Parses a webhook URL `https://{portal}/rest/{user}/{token}/`.
    pub(crate) fn webhook(url: &str) -> Result<Endpoint, ConfigError> {
        const FORM: &str =
            "expected a webhook URL of the form https://{portal}/rest/{user_id}/{code}/";
        let u = Url::parse(url.trim()).map_err(|e| {
            ConfigError::new(
                ConfigKind::Url,
                format!("invalid webhook URL ({e}); {FORM}"),
            )
        })?;
        let portal = portal_of(&u)?;
        let segs: Vec<&str> = u
            .path_segments()
            .map(|s| s.filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        let (user, token) = match segs.as_slice() {
            ["rest", user, token] => (*user, *token),
            ["rest", "api", user, token] => (*user, *token),
            _ => {
                return Err(ConfigError::new(
                    ConfigKind::Url,
                    format!(
                        "the webhook URL for {} has an unexpected path; {FORM}",
                        host_of(&u)
                    ),
                ));
            }
        };
        let user: u64 = user.parse().map_err(|_| {
            ConfigError::new(
                ConfigKind::Url,
                format!(
                    "the webhook URL for {} has a non-numeric user id; {FORM}",
                    host_of(&u)
                ),
            )
        })?;
        if u.query().is_some() || u.fragment().is_some() {
            return Err(ConfigError::new(
                ConfigKind::Url,
                format!(
                    "the webhook URL for {} has a query or fragment; {FORM}",
                    host_of(&u)
                ),
            ));
        }
        Ok(Endpoint {
            portal,
            auth: Auth::Webhook {
                user,
                token: Secret::new(token),
            },
        })
    }

    /// A portal address and an OAuth token state.
    pub(crate) fn oauth(portal: &str, state: OAuthState) -> Result<Endpoint, ConfigError> {
        let u = Url::parse(portal.trim())
            .map_err(|e| ConfigError::new(ConfigKind::Url, format!("invalid portal URL: {e}")))?;
        if state.current().0.expose().is_empty() {
            return Err(ConfigError::new(
                ConfigKind::Credentials,
                "the OAuth access token is empty".into(),
            ));
        }
        Ok(Endpoint {
            portal: portal_of(&u)?,
            auth: Auth::OAuth(Arc::new(state)),
        })
    }

    /// The URL a method is posted to.
    pub(crate) fn url_for(&self, method: &str, api: Api) -> Url {
        let mut path = String::from("rest/");
        if api == Api::V3 {
            path.push_str("api/");
        }
        if let Auth::Webhook { user, token } = &self.auth {
            path.push_str(&format!("{user}/{}/", token.expose()));
        }
        path.push_str(method);
        let mut u = self.portal.clone();
        u.set_path(&path);
        u
    }
}

/// The URLs methods are posted to, each built once per client (a webhook's holds its
/// token: never printed, never logged).
#[derive(Default)]
pub(crate) struct Urls(Mutex<[HashMap<Box<str>, Url>; 2]>);

/// The most URLs a client keeps (the catalog has about 1,700 methods; names of raw calls
/// beyond this are built each time).
const MAX_URLS: usize = 4096;

impl Urls {
    /// The URL `method` of `api` is posted to.
    pub(crate) fn get(&self, endpoint: &Endpoint, method: &str, api: Api) -> Url {
        let at = usize::from(api == Api::V3);
        let mut urls = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(u) = urls[at].get(method) {
            return u.clone();
        }
        let u = endpoint.url_for(method, api);
        if urls[at].len() < MAX_URLS {
            urls[at].insert(method.into(), u.clone());
        }
        u
    }
}

impl std::fmt::Debug for Urls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Urls")
    }
}

/// Takes the client's secrets out of a text a server may have filled (an echoed token in
/// an error or a value); carried by each answer to the errors decoded from it.
#[derive(Clone)]
pub(crate) struct Scrubber(Option<std::sync::Arc<Auth>>);

impl Scrubber {
    /// For an answer not tied to a client's credentials (tests, benchmarks).
    pub(crate) fn none() -> Scrubber {
        Scrubber(None)
    }

    pub(crate) fn of(auth: &Auth) -> Scrubber {
        Scrubber(Some(std::sync::Arc::new(auth.clone())))
    }

    pub(crate) fn apply(&self, text: &str) -> String {
        match &self.0 {
            Some(auth) => auth.scrub(text),
            None => text.to_string(),
        }
    }
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrubber")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cr3tw3bh00k";

    #[test]
    fn parses_webhook_urls() {
        for url in [
            format!("https://x.bitrix24.com/rest/1/{TOKEN}/"),
            format!("https://x.bitrix24.com/rest/1/{TOKEN}"),
            format!("https://x.bitrix24.com/rest/api/1/{TOKEN}/"),
        ] {
            let e = Endpoint::webhook(&url).expect(&url);
            assert_eq!(e.portal.as_str(), "https://x.bitrix24.com/");
            assert_eq!(
                e.url_for("im.recent.unread", Api::V2).as_str(),
                format!("https://x.bitrix24.com/rest/1/{TOKEN}/im.recent.unread")
            );
            assert_eq!(
                e.url_for("tasks.task.get", Api::V3).as_str(),
                format!("https://x.bitrix24.com/rest/api/1/{TOKEN}/tasks.task.get")
            );
        }
    }

    fn state(token: &str) -> OAuthState {
        let app = crate::oauth::OAuthApp {
            client_id: "app".into(),
            client_secret: Secret::new("cs"),
            access_token: Secret::new(token),
            refresh_token: None,
            expires_in: None,
        };
        OAuthState::new(app, crate::oauth::DEFAULT_TOKEN_ENDPOINT, None).expect("state")
    }

    #[test]
    fn oauth_urls() {
        let e = Endpoint::oauth("https://x.bitrix24.com/some/page", state("tok")).expect("oauth");
        assert_eq!(
            e.url_for("im.recent.get", Api::V2).as_str(),
            "https://x.bitrix24.com/rest/im.recent.get"
        );
        assert!(Endpoint::oauth("https://x.bitrix24.com", state("")).is_err());
        assert_eq!(e.auth.scrub("a tok and cs"), "a *** and ***");
    }

    #[test]
    fn bad_webhook_urls_never_echo_the_token() {
        for url in [
            format!("https://x.bitrix24.com/rest/abc/{TOKEN}/"),
            format!("https://x.bitrix24.com/{TOKEN}/"),
            format!("https://x.bitrix24.com/rest/1/{TOKEN}/?x=1"),
            format!("http://x.bitrix24.com/rest/1/{TOKEN}/"),
            format!("ftp://x.bitrix24.com/rest/1/{TOKEN}/"),
            format!("not a url {TOKEN}"),
        ] {
            let e = Endpoint::webhook(&url).expect_err(&url);
            assert!(!e.to_string().contains(TOKEN), "{e}");
            assert!(!format!("{e:?}").contains(TOKEN), "{e:?}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080/rest/1/t/",
            "http://localhost/rest/1/t/",
            "http://[::1]:9/rest/1/t/",
            "http://127.1.2.3/rest/1/t/",
        ] {
            assert!(Endpoint::webhook(ok).is_ok(), "{ok}");
        }
        let e = Endpoint::webhook("http://10.0.0.1/rest/1/t/").expect_err("remote http");
        assert!(e.to_string().contains("plain http://"), "{e}");
    }

    #[test]
    fn secrets_do_not_print() {
        let e =
            Endpoint::webhook(&format!("https://x.bitrix24.com/rest/7/{TOKEN}/")).expect("webhook");
        let dbg = format!("{e:?}");
        assert!(!dbg.contains(TOKEN) && dbg.contains("user: 7"), "{dbg}");
        assert_eq!(format!("{:?}", Secret::new(TOKEN)), "Secret(***)");
        assert_eq!(Secret::new(TOKEN).scrub(&format!("a {TOKEN} b")), "a *** b");
    }
}
