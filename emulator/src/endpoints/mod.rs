//! The DocSpace endpoints under `/api/2.0`, grouped as the protocol groups them: logging in
//! ([`authentication`]), using the token ([`session`]), the caller's 2FA settings ([`settings`]);
//! plus who a request is ([`caller`]) and the envelopes every answer comes in ([`envelope`]).

mod authentication;
mod caller;
mod envelope;
mod session;
mod settings;

use std::net::IpAddr;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HOST};
use hyper::{Method, Request, Response};

use crate::http::{decode_path, empty, read_body, Body, Conn};
use crate::shared::Shared;

/// What an endpoint needs from the request.
pub(crate) struct ApiReq {
    method: Method,
    /// The full request URL as `links[].href` shows it (decoded path).
    href: String,
    headers: HeaderMap,
    body: Bytes,
    peer: IpAddr,
}

/// Answers an `/api` request: reads it, then routes it (§5, §8.1). ASP.NET Core routing is
/// case-insensitive and sees the path Kestrel decoded.
pub(crate) async fn api(
    shared: &Shared,
    conn: &Conn,
    req: Request<Incoming>,
    raw_path: &str,
) -> Response<Body> {
    let scheme = if shared.secure() { "https" } else { "http" };
    let host = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| {
            shared
                .base_url
                .split_once("://")
                .map(|(_, h)| h.to_string())
                .unwrap_or_default()
        });
    // Kestrel decodes the path (all but `%2F`) before routing; `GetDisplayUrl` shows it decoded.
    let path = decode_path(raw_path);
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let href = format!("{scheme}://{host}{path}{query}");
    let method = req.method().clone();
    let (parts, body) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let r = ApiReq {
        method,
        href,
        headers: parts.headers,
        body,
        peer: conn.peer.ip(),
    };
    match path.to_ascii_lowercase().strip_prefix("/api/2.0/") {
        Some(route) => dispatch(shared, &r, route),
        None => empty(404),
    }
}

/// The route table; `route` is the lower-cased path after `/api/2.0/`.
fn dispatch(shared: &Shared, r: &ApiReq, route: &str) -> Response<Body> {
    match route {
        "authentication" | "authentication/" => match r.method {
            Method::GET => session::is_authenticated(shared, r),
            Method::POST => authentication::login_step1(shared, r),
            _ => empty(405),
        },
        "authentication/logout" => match r.method {
            Method::POST => session::logout(shared, r),
            _ => empty(405),
        },
        "authentication/sendsms" => match r.method {
            Method::POST => authentication::send_sms(shared, r),
            _ => empty(405),
        },
        // Real endpoints the emulator does not implement (literal routes win over `{code}`).
        "authentication/confirm" | "authentication/setphone" => empty(404),
        "people/@self" => match r.method {
            Method::GET => session::people_self(shared, r),
            _ => empty(405),
        },
        "settings/tfaappcodes" => match r.method {
            Method::GET => settings::backup_codes(shared, r),
            _ => empty(405),
        },
        // `{code}`: one segment, never empty (`authentication/` is step 1 above); its value is
        // not read (the code comes from the body, §4.3).
        _ => match route.strip_prefix("authentication/") {
            Some(segment) if !segment.contains('/') => match r.method {
                Method::POST => authentication::login_with_code(shared, r),
                _ => empty(405),
            },
            _ => empty(404),
        },
    }
}
