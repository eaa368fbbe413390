//! The .NET SSO handler `…/ssologin.ashx?auth=true&data=…` (`SsoHandler`, docs/protocol.md
//! §13.2 step 4, §13.3). Finds the user by SAML NameID, else by e-mail, signs them in without 2FA
//! or brute-force check (a real login event and token) and answers
//! `302`, `Set-Cookie: asc_auth_key=<token>…`, `Location: /?token=<HttpUtility.UrlEncode(token)>`.
//! Failures: `Location: /login/error?messageKey=n` (relative).
//!
//! Deviation: an e-mail that matches no user gets messageKey 15 (`SsoSettingsCantCreateUser`);
//! the real server would create the user.

use hyper::Response;

use super::{redirect, WebReq};
use crate::endpoints::client_info;
use crate::http::{add_cookie, Body};
use crate::sealed;
use crate::shared::Shared;
use crate::wire;

const ERROR: u8 = 1;
const SSO_SETTINGS_DISABLED: u8 = 11;
const SSO_SETTINGS_EMPTY_TOKEN: u8 = 13;
const SSO_SETTINGS_NOT_VALID_TOKEN: u8 = 14;
const SSO_SETTINGS_CANT_CREATE_USER: u8 = 15;
const SSO_SETTINGS_USER_TERMINATED: u8 = 16;

fn fail(key: u8) -> Response<Body> {
    redirect(&format!("/login/error?messageKey={key}"))
}

pub(super) fn ssologin(shared: &Shared, w: &WebReq) -> Response<Body> {
    let mut st = shared.lock();
    if !st.portal().sso.enabled {
        return fail(SSO_SETTINGS_DISABLED);
    }
    if w.param("auth") != Some("true") {
        // `logout=true` (IdP-initiated logout) is not emulated.
        return fail(ERROR);
    }
    let Some(data) = w.param("data").filter(|d| !d.is_empty()) else {
        return fail(SSO_SETTINGS_EMPTY_TOKEN);
    };
    let Some(data) = sealed::open(&shared.secret, sealed::SSO_LOGIN, data) else {
        return fail(SSO_SETTINGS_NOT_VALID_TOKEN);
    };
    let email = data["email"].as_str().unwrap_or("");
    let name_id = data["nameId"].as_str().unwrap_or("");
    // By NameID (an SSO user's is its e-mail), else by e-mail; never by GUID.
    let found = [name_id, email]
        .into_iter()
        .filter(|s| !s.is_empty() && uuid::Uuid::parse_str(s).is_err())
        .find_map(|s| st.find_user(s));
    let Some(idx) = found else {
        return fail(SSO_SETTINGS_CANT_CREATE_USER);
    };
    if st.user(idx).disabled {
        return fail(SSO_SETTINGS_USER_TERMINATED);
    }
    // Another user's valid cookie in the web view: all that user's sessions end first.
    if let Some(cookie) = w.cookie("asc_auth_key") {
        if let Some((_, info)) = st.validate_token(&cookie) {
            if info.user != idx {
                st.reset_user_cookies(info.user);
            }
        }
    }
    st.link_sso(idx);
    let client = client_info(&w.headers, w.peer, &w.path);
    let (token, info) = st.issue_token(&shared.cfg, idx, client);
    drop(st);
    let mut resp = redirect(&format!(
        "/?token={}",
        wire::http_utility_url_encode(&token)
    ));
    add_cookie(
        &mut resp,
        &wire::set_cookie("asc_auth_key", &token, Some(info.expires), shared.secure()),
    );
    resp
}
