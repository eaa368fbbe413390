//! Who a request is authenticated as (docs/protocol.md §6.1): the policy scheme picks Basic, the API-key
//! and JWT handlers (which the emulator never satisfies) or the cookie handler, which takes the
//! `asc_auth_key` cookie first and the `Authorization` header otherwise.

use base64::Engine as _;
use hyper::header::{AUTHORIZATION, COOKIE};
use hyper::Response;

use super::ApiReq;
use crate::http::{add_cookie, empty, Body};
use crate::state::{State, UserIdx};
use crate::wire;

/// Outcome of authenticating a request.
pub(crate) struct Caller {
    /// `(user, login event id from the cookie)`.
    pub who: Option<(UserIdx, u64)>,
    /// The cookie handler failed on a request that carried `asc_auth_key`: the server deletes it.
    clear_cookie: bool,
}

impl Caller {
    /// Adds what the authentication step adds to any answer (the cookie deletion).
    pub(crate) fn finish(&self, mut resp: Response<Body>) -> Response<Body> {
        if self.clear_cookie {
            add_cookie(&mut resp, &wire::delete_cookie("asc_auth_key"));
        }
        resp
    }
}

impl ApiReq {
    /// The values of the cookies called `name`, in order, empty ones included.
    fn cookies<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(move |pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
    }

    /// The first cookie called `name`, even when its value is empty (`Request.Cookies[name]`).
    fn raw_cookie(&self, name: &str) -> Option<String> {
        self.cookies(name).next()
    }

    /// The first non-empty cookie called `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies(name).find(|v| !v.is_empty())
    }
}

/// Who the request is authenticated as (§6.1).
pub(crate) fn authenticate(st: &State, r: &ApiReq) -> Caller {
    let authz = r
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let other = |who| Caller {
        who,
        clear_cookie: false,
    };
    if let Some(basic) = authz.strip_prefix("Basic ") {
        return other(basic_auth(st, basic));
    }
    if let Some(bearer) = authz.strip_prefix("Bearer ") {
        let bearer = bearer.trim();
        if bearer.starts_with("sk-") || bearer.split('.').count() == 3 {
            // API-key and JWT handlers: the emulator issues neither.
            return other(None);
        }
    }
    // The cookie handler: `Cookies["asc_auth_key"] ?? Authorization` (a present, empty cookie wins).
    let cookie = r.raw_cookie("asc_auth_key");
    let who = match &cookie {
        Some(c) if c.is_empty() => None,
        Some(c) => st
            .validate_token(c)
            .map(|(_, info)| (info.user, info.event_id)),
        None if authz.trim().is_empty() => None,
        None => {
            let raw = authz.trim();
            let raw = raw.strip_prefix("Bearer ").unwrap_or(raw);
            st.validate_token(raw.trim())
                .map(|(_, info)| (info.user, 0))
        }
    };
    Caller {
        clear_cookie: who.is_none() && cookie.is_some(),
        who,
    }
}

/// The caller of a protected endpoint `(user, login event id)`, or the 401 with an empty body
/// to answer (§3.3).
pub(crate) fn require_user(st: &State, r: &ApiReq) -> Result<(UserIdx, u64), Box<Response<Body>>> {
    let caller = authenticate(st, r);
    caller
        .who
        .ok_or_else(|| Box::new(caller.finish(empty(401))))
}

/// HTTP Basic (`BasicAuthHandler`): e-mail and password, no 2FA, no brute-force check.
fn basic_auth(st: &State, basic: &str) -> Option<(UserIdx, u64)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    st.basic_login(login, password).map(|idx| (idx, 0))
}

/// The `confirm` authentication scheme (§5 "Confirm scheme", §16): header
/// `confirm: type=…&key=…&encemail=…` (a query string: values percent-decoded, names
/// case-insensitive; `uid` or `email` instead of `encemail`; `key` else from the cookie
/// `asc_confirm_key_{type}`). `Some((user, type))` when the key is a live key of that type for
/// that user, i.e. the request has the role `type`.
pub(crate) fn confirm_scheme(st: &State, r: &ApiReq) -> Option<(UserIdx, String)> {
    let header = r.headers.get("confirm")?.to_str().ok()?;
    let params: Vec<(String, String)> = form_urlencoded::parse(header.as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let kind = param("type")?;
    let key = param("key").or_else(|| r.cookie(&format!("asc_confirm_key_{kind}")))?;
    let email = match param("encemail") {
        Some(enc) => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(enc.trim_end_matches('='))
                .ok()?;
            Some(String::from_utf8(bytes).ok()?)
        }
        None => param("email"),
    };
    let login = match (email, param("uid")) {
        (Some(e), _) => e,
        (None, Some(uid)) => uuid::Uuid::parse_str(&uid).ok()?.to_string(),
        (None, None) => return None,
    };
    let user = st.find_user(&login)?;
    st.confirm_key_valid(&key, &kind, user)
        .then_some((user, kind))
}
