//! The portal outside `/api` (docs/protocol.md §13): the SSO service (`/sso/…`, Node in the real
//! server, [`sso_node`]), the .NET SSO handler (`…/ssologin.ashx`, [`sso_handler`]), the
//! emulator's stand-in for the SAML identity provider (`/emulator/idp/…`, [`idp`]) and the few
//! web pages a web view lands on (`/`, `/login`, `/login/error`, [`pages`]).

mod idp;
mod pages;
mod sso_handler;
mod sso_node;

use std::net::IpAddr;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, COOKIE, LOCATION};
use hyper::{Method, Request, Response};

use crate::endpoints::request_origin;
use crate::http::{decode_path, empty, read_body, Body, Conn};
use crate::shared::Shared;

/// What these pages need from a request.
pub(crate) struct WebReq {
    method: Method,
    /// `{scheme}://{Host}` (Node's `{origin}`).
    origin: String,
    /// The decoded path.
    path: String,
    /// Query parameters, then (for a form POST) body parameters, percent-decoded.
    params: Vec<(String, String)>,
    headers: HeaderMap,
    peer: IpAddr,
}

impl WebReq {
    /// The first parameter called `name` (exact), query first.
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty `name` cookie.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name && !v.trim().is_empty()).then(|| v.trim().to_string())
            })
            .next()
    }
}

/// A `302 Found` to `location`, no body.
fn redirect(location: &str) -> Response<Body> {
    let mut resp = empty(302);
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}

/// Answers a request outside `/api` and `/emulator/` (other than the IdP): 404 when no page
/// matches.
pub(crate) async fn route(
    shared: &Shared,
    conn: &Conn,
    req: Request<Incoming>,
    raw_path: &str,
) -> Response<Body> {
    let origin = request_origin(shared, &req);
    let path = decode_path(raw_path);
    let mut params: Vec<(String, String)> =
        form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let method = req.method().clone();
    let (parts, body): (_, Bytes) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let is_form = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if method == Method::POST && is_form {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    let w = WebReq {
        method,
        origin,
        path,
        params,
        headers: parts.headers,
        peer: conn.peer.ip(),
    };
    let lower = w.path.to_ascii_lowercase();
    if lower.ends_with("ssologin.ashx") {
        return sso_handler::ssologin(shared, &w);
    }
    if let Some(rest) = lower.strip_prefix("/emulator/idp/") {
        return idp::route(shared, &w, rest);
    }
    if lower == "/sso" || lower.starts_with("/sso/") {
        return sso_node::route(shared, &w, &lower["/sso".len()..]);
    }
    pages::route(&w, &lower)
}
