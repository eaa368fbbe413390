//! Building responses: status, content type, body, cookies.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE, SET_COOKIE};
use hyper::{Response, StatusCode};
use serde::Serialize;

/// Every response body: a whole buffer, or the streamed body of an oversized fault.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// The content type of every JSON answer.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// A response with `status`, an optional content type, and `body`.
pub(crate) fn response(
    status: u16,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut resp = Response::new(Full::new(body.into()).boxed());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        if let Ok(v) = HeaderValue::from_str(ct) {
            resp.headers_mut().insert(CONTENT_TYPE, v);
        }
    }
    resp
}

/// `status` with an empty body.
pub(crate) fn empty(status: u16) -> Response<Body> {
    response(status, None, Bytes::new())
}

/// `status` with `value` as JSON.
pub(crate) fn json_value<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => response(status, Some(JSON), body),
        Err(_) => empty(500),
    }
}

/// Appends a `Set-Cookie` header.
pub(crate) fn add_cookie(resp: &mut Response<Body>, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}
