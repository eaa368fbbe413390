//! Reading a request body, capped.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONNECTION, CONTENT_LENGTH};
use hyper::http::request::Parts;
use hyper::{Request, Response};

use super::response::{empty, Body};

/// Reads the body, at most `max` bytes; `Err` is the response to send instead (413 when it is
/// too large, declared or not; 400 when it cannot be read). Either one says `Connection: close`:
/// the rest of the body is left unread, so the connection ends with the response (as a real
/// server's does), and the client must not send its next request on it.
pub(crate) async fn read_body(
    req: Request<Incoming>,
    max: usize,
) -> Result<(Parts, Bytes), Response<Body>> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(closing(413));
    }
    let (parts, body) = req.into_parts();
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok((parts, collected.to_bytes())),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(closing(413))
            } else {
                Err(closing(400))
            }
        }
    }
}

/// An empty `status` answer that closes the connection.
fn closing(status: u16) -> Response<Body> {
    let mut response = empty(status);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
