//! The SSO service under `/sso` (the Node `ASC.SsoAuth` of the real server, docs/protocol.md
//! §13.1–§13.3, §13.5). Its redirects are absolute (`{origin}` = scheme and Host of the request);
//! its failures go to `{origin}/login/error?messageKey=n`.
//!
//! - `/sso/login[?email=…]` ⇒ 302 to the emulated IdP, `/emulator/idp/sso?SAMLRequest=…&RelayState=…`
//!   (`email` is passed on, so that a test can sign in without the IdP's form);
//! - `/sso/acs` (GET or form POST, `SAMLResponse`) ⇒ 302 `{origin}/ssologin.ashx?auth=true&data=…`;
//! - `/sso/slo?data=…` ⇒ 302 `{origin}/login` (the IdP round trip of a real SLO is skipped).

use hyper::Response;

use super::{redirect, WebReq};
use crate::http::Body;
use crate::sealed;
use crate::shared::Shared;
use crate::wire::encode_uri_component;

/// `messageKey` values of §13.3 that Node produces.
const ERROR: u8 = 1;
const SSO_ERROR: u8 = 17;
const SSO_AUTH_FAILED: u8 = 18;
const SSO_ATTRIBUTES_NOT_FOUND: u8 = 19;

fn fail(w: &WebReq, key: u8) -> Response<Body> {
    redirect(&format!("{}/login/error?messageKey={key}", w.origin))
}

/// `rest` is the lower-cased path after `/sso`.
pub(super) fn route(shared: &Shared, w: &WebReq, rest: &str) -> Response<Body> {
    if !shared.lock().portal().sso.enabled {
        return fail(w, ERROR);
    }
    match rest {
        "/login" => login(shared, w),
        "/acs" => acs(shared, w),
        "/slo" => slo(shared, w),
        _ => fail(w, SSO_ERROR),
    }
}

/// Builds the (stand-in) AuthnRequest and sends the browser to the IdP (HTTP-Redirect binding).
fn login(shared: &Shared, w: &WebReq) -> Response<Body> {
    let id: u128 = rand::random();
    let request = serde_json::json!({
        "id": format!("_{id:032x}"),
        "acs": format!("{}/sso/acs", w.origin),
    });
    let saml_request = sealed::seal(&shared.secret, sealed::AUTHN_REQUEST, &request);
    let mut location = format!(
        "{}/emulator/idp/sso?SAMLRequest={}&RelayState={}",
        w.origin,
        encode_uri_component(&saml_request),
        encode_uri_component(&format!("{}/", w.origin)),
    );
    if let Some(email) = w.param("email").filter(|e| !e.is_empty()) {
        location.push_str("&email=");
        location.push_str(&encode_uri_component(email));
    }
    redirect(&location)
}

/// The assertion consumer service: checks the IdP's (stand-in) SAMLResponse and hands the user
/// to the .NET handler.
fn acs(shared: &Shared, w: &WebReq) -> Response<Body> {
    let Some(assertion) = w
        .param("SAMLResponse")
        .and_then(|r| sealed::open(&shared.secret, sealed::SAML_RESPONSE, r))
    else {
        return fail(w, SSO_AUTH_FAILED);
    };
    let Some(email) = assertion["email"].as_str().filter(|e| !e.is_empty()) else {
        return fail(w, SSO_ATTRIBUTES_NOT_FOUND);
    };
    let session: u64 = rand::random();
    let data = serde_json::json!({
        "nameId": email,
        "email": email,
        "sessionId": format!("{session:016x}"),
    });
    let data = sealed::seal(&shared.secret, sealed::SSO_LOGIN, &data);
    redirect(&format!(
        "{}/ssologin.ashx?auth=true&data={}",
        w.origin,
        encode_uri_component(&data)
    ))
}

/// SP-initiated single logout: `data` from the logout answer (§13.5) ⇒ `{origin}/login`.
fn slo(shared: &Shared, w: &WebReq) -> Response<Body> {
    match w
        .param("data")
        .and_then(|d| sealed::open(&shared.secret, sealed::SLO, d))
    {
        Some(_) => redirect(&format!("{}/login", w.origin)),
        None => fail(w, SSO_ERROR),
    }
}
