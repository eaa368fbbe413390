//! Answering a request that a fault rule caught (see `faults.rs` for the rules).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Frame;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, LOCATION};
use hyper::Response;

use super::response::{empty, response, Body, JSON};
use crate::faults::FaultKind;

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

const CAPTIVE_PORTAL: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\
     <body><h1>Captive portal</h1><form method=\"post\"><input name=\"user\"></form></body></html>\n";
const TRUNCATED_JSON: &str =
    "{\"response\":{\"token\":\"abc\",\"expires\":\"0001-01-01T00:00:00\",\"sms\":false,";

/// Runs a fault: `Ok(None)` means "go on and answer normally" (after a delay).
pub(crate) async fn apply_fault(kind: FaultKind) -> Result<Option<Response<Body>>, DropConnection> {
    Ok(Some(match kind {
        FaultKind::Delay(delay) => {
            tokio::time::sleep(delay).await;
            return Ok(None);
        }
        FaultKind::Drop => return Err(DropConnection),
        FaultKind::Status {
            status,
            body,
            headers,
        } => {
            let mut resp = match body {
                Some(b) => response(status, Some(JSON), b),
                None => empty(status),
            };
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(&v),
                ) {
                    resp.headers_mut().append(k, v);
                }
            }
            resp
        }
        FaultKind::Html => response(200, Some("text/html; charset=utf-8"), CAPTIVE_PORTAL),
        FaultKind::MalformedJson => response(200, Some(JSON), TRUNCATED_JSON),
        FaultKind::Oversized { bytes } => {
            let mut resp = Response::new(BodyExt::boxed(Oversized::new(bytes)));
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            resp
        }
        FaultKind::Redirect { location } => {
            let mut resp = empty(302);
            if let Ok(v) = HeaderValue::from_str(&location) {
                resp.headers_mut().insert(LOCATION, v);
            }
            resp
        }
    }))
}

/// A streamed JSON body of exactly `total` bytes: `{"response":"aaa…"}`.
struct Oversized {
    prefix_sent: bool,
    remaining_fill: u64,
    suffix_sent: bool,
}

static FILL: [u8; 64 * 1024] = [b'a'; 64 * 1024];
const OVERSIZED_PREFIX: &[u8] = b"{\"response\":\"";
const OVERSIZED_SUFFIX: &[u8] = b"\"}";

impl Oversized {
    fn new(total: u64) -> Self {
        let overhead = (OVERSIZED_PREFIX.len() + OVERSIZED_SUFFIX.len()) as u64;
        Oversized {
            prefix_sent: false,
            remaining_fill: total.saturating_sub(overhead),
            suffix_sent: false,
        }
    }
}

impl hyper::body::Body for Oversized {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if !this.prefix_sent {
            this.prefix_sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(OVERSIZED_PREFIX)))));
        }
        if this.remaining_fill > 0 {
            let n = this.remaining_fill.min(FILL.len() as u64) as usize;
            this.remaining_fill -= n as u64;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&FILL[..n])))));
        }
        if !this.suffix_sent {
            this.suffix_sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(OVERSIZED_SUFFIX)))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix_sent && self.remaining_fill == 0 && self.suffix_sent
    }
}
