//! The emulator's stand-in for the SAML identity provider (emulator-only, docs/protocol.md §13.2
//! step 2–3). It authenticates whoever it is told to, without a password:
//!
//! - `GET /emulator/idp/sso?SAMLRequest=…&RelayState=…&email=<address>` ⇒ 302
//!   `{origin}/sso/acs?SAMLResponse=…&RelayState=…` asserting that e-mail;
//! - the same without `email` ⇒ 200, an HTML form asking for the e-mail, which posts
//!   (`application/x-www-form-urlencoded`) back to `/emulator/idp/sso`, answered as above.
//!
//! A `SAMLRequest` the emulator did not make ⇒ 400 (a real IdP would refuse it too).

use hyper::{Method, Response};

use super::{redirect, WebReq};
use crate::http::{empty, response, Body};
use crate::sealed;
use crate::shared::Shared;
use crate::wire::encode_uri_component;

/// `rest` is the lower-cased path after `/emulator/idp/`.
pub(super) fn route(shared: &Shared, w: &WebReq, rest: &str) -> Response<Body> {
    if rest != "sso" {
        return empty(404);
    }
    if w.method != Method::GET && w.method != Method::POST {
        return empty(405);
    }
    let Some(request) = w
        .param("SAMLRequest")
        .filter(|r| sealed::open(&shared.secret, sealed::AUTHN_REQUEST, r).is_some())
    else {
        return response(
            400,
            Some("text/html; charset=utf-8"),
            "<!DOCTYPE html>\n<html><body><h1>Bad SAMLRequest</h1></body></html>\n",
        );
    };
    let relay = w.param("RelayState").unwrap_or("");
    match w.param("email").map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => {
            let assertion = sealed::seal(
                &shared.secret,
                sealed::SAML_RESPONSE,
                &serde_json::json!({ "email": email }),
            );
            redirect(&format!(
                "{}/sso/acs?SAMLResponse={}&RelayState={}",
                w.origin,
                encode_uri_component(&assertion),
                encode_uri_component(relay)
            ))
        }
        None => form(request, relay),
    }
}

/// The IdP's sign-in page.
fn form(request: &str, relay: &str) -> Response<Body> {
    let attr = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Emulated IdP</title></head>\
         <body><h1>Emulated identity provider</h1>\
         <form method=\"post\" action=\"/emulator/idp/sso\">\
         <input type=\"hidden\" name=\"SAMLRequest\" value=\"{}\">\
         <input type=\"hidden\" name=\"RelayState\" value=\"{}\">\
         <label>E-mail <input type=\"email\" name=\"email\"></label>\
         <button type=\"submit\">Sign in</button></form></body></html>\n",
        attr(request),
        attr(relay)
    );
    response(200, Some("text/html; charset=utf-8"), html)
}
