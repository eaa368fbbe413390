//! Transport: hyper's HTTP/1.1 client over rustls (ring), no redirects, no proxy, no cookie
//! store, a body cap, timeouts on every request.
//!
//! - [`client`]: the HTTP clients, one per configuration, shared by the process;
//! - `external_tcp`: the sockets of requests stepped by another language's event loop
//!   ([`crate::external`]);
//! - [`portal_url`](mod@portal_url): the portal URL, checked (plain http only for loopback) and
//!   parsed once, with the parts of its requests' URIs;
//! - [`tls`]: the TLS configuration and trust roots;
//! - [`request`]: one call described as a [`Request`] value;
//! - [`status`]: a non-2xx answer as an [`Error`], the 403 message redacted;
//! - here: the client, sending a [`Request`] and reading the answer (capped).

mod client;
mod clients;
mod driver;
#[cfg(unix)]
mod external_tcp;
mod portal_url;
mod request;
pub(crate) mod status;
#[cfg(test)]
mod testing;
mod tls;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE, HOST, RETRY_AFTER, USER_AGENT};
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use url::Url;
use zeroize::Zeroizing;

use crate::wire;
use crate::{Error, PasswordHashParams};

use portal_url::Portal;
pub(crate) use request::{On401, Request, TokenPlacement};

/// Largest response body accepted (DocSpace auth responses are a few hundred bytes).
const BODY_CAP: usize = 1024 * 1024;

/// The deadline of a request whose timeout is too large for the clock (about thirty years).
const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// Options collected by [`crate::AuthBuilder`].
pub(crate) struct Options {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub extra_roots_pem: Vec<Vec<u8>>,
    pub user_agent: String,
    pub session: bool,
    pub hash_password: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            extra_roots_pem: Vec::new(),
            user_agent: concat!("docspace-auth/", env!("CARGO_PKG_VERSION")).to_owned(),
            session: false,
            hash_password: false,
        }
    }
}

/// The HTTP side of an [`crate::Auth`]: cheap to clone (the HTTP client is shared).
#[derive(Clone)]
pub(crate) struct Http {
    /// Shared by every `Http` with the same options (see [`client`]).
    clients: clients::Clients,
    portal: Arc<Portal>,
    pub session: bool,
    /// Send `passwordHash` instead of the password (§11).
    pub hash_password: bool,
    /// The portal's password hash parameters, fetched once per client (shared by its clones
    /// and the states of its login chain).
    pub hash_params: Arc<OnceLock<PasswordHashParams>>,
}

impl Http {
    pub(crate) fn new(portal: &str, options: Options) -> Result<Http, Error> {
        let portal = portal_url::portal(portal)?;
        let tls = tls::shared_tls_config(&options.extra_roots_pem)?;
        let user_agent = HeaderValue::from_str(&options.user_agent).map_err(|_| {
            Error::InvalidConfiguration {
                detail: "the user agent is not a valid HTTP header value".to_owned(),
            }
        })?;
        let key = clients::Key::new(tls, options.timeout, options.connect_timeout, user_agent);
        Ok(Http {
            clients: clients::Clients::new(key),
            portal,
            session: options.session,
            hash_password: options.hash_password,
            hash_params: Arc::default(),
        })
    }

    /// The normalized portal URL (with a trailing slash).
    pub(crate) fn base(&self) -> &Url {
        &self.portal.url
    }

    /// Sends one request and returns the body of a 2xx answer; any other status becomes the
    /// matching [`Error`] (decided by status, never by message text). The whole exchange, the
    /// answer's body included, is bounded by the configured timeout.
    pub(crate) async fn call(&self, request: Request<'_>) -> Result<Zeroizing<Vec<u8>>, Error> {
        let timeout = self.clients.key().timeout();
        let now = tokio::time::Instant::now();
        let deadline = now.checked_add(timeout).unwrap_or(now + FAR);
        let timed_out = || Error::Transport {
            kind: crate::TransportErrorKind::Timeout,
            detail: format!("no complete answer within {} ms", timeout.as_millis()),
        };
        self.exchange(request, deadline, timed_out).await
    }

    /// [`Http::call`]'s exchange: every step that waits is bounded by `deadline` (the connection
    /// is driven until then, and a new one's set-up too), after which the error is `timed_out()`.
    async fn exchange(
        &self,
        mut request: Request<'_>,
        deadline: tokio::time::Instant,
        timed_out: impl Fn() -> Error,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let uri = self.portal.api_uri(request.path)?;
        let mut headers = request.headers()?;
        headers.insert(HOST, self.portal.host().clone());
        headers.insert(USER_AGENT, self.clients.key().user_agent().clone());
        // hyper needs an owned buffer; hand it over rather than copying it.
        let body = match request.body.take() {
            Some(mut body) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Bytes::from(std::mem::take(&mut *body))
            }
            None => Bytes::new(),
        };
        let mut outgoing = http::Request::new(Full::new(body));
        *outgoing.method_mut() = request.method.clone();
        *outgoing.uri_mut() = uri;
        *outgoing.headers_mut() = headers;
        let client = self.clients.current().await;
        let (response, mut connection) = client.send(outgoing, deadline, &timed_out).await?;
        let status = response.status();
        if status.is_success() {
            let body = connection
                .drive(read_capped(response))
                .await
                .map_err(|driver::Elapsed| timed_out())??;
            connection.release();
            return Ok(body);
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(wire::parse_retry_after);
        // Read (small) error bodies so the connection can be reused; their content only
        // matters for the 403 message.
        let body = match connection.drive(read_capped(response)).await {
            Ok(body) => body.ok(),
            Err(driver::Elapsed) => return Err(timed_out()),
        };
        if body.is_some() {
            connection.release();
        }
        let error = status::status_error(
            status,
            request.on_401,
            request.captcha,
            retry_after,
            body.as_ref().map(|b| b.as_slice()),
        );
        Err(status::redact(error, request.all_secrets()))
    }
}

async fn read_capped(
    response: http::Response<hyper::body::Incoming>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let too_big = || Error::unexpected(format!("response body larger than {BODY_CAP} bytes"));
    let mut incoming = response.into_body();
    // hyper knows the length from `Content-Length` (exact) or not at all (chunked: 0 up).
    let length = incoming.size_hint();
    if length.lower() > BODY_CAP as u64 {
        return Err(too_big());
    }
    // Sized up front when the length is known: growing would leave unzeroized copies of the
    // body (which may hold a token) behind in freed memory.
    let expected = length
        .exact()
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0);
    let mut body = Zeroizing::new(Vec::with_capacity(expected));
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| Error::transport(&e, false))?;
        if let Ok(chunk) = frame.into_data() {
            if body.len() + chunk.len() > BODY_CAP {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body)
}

/// Whether this thread is stepping an external task ([`crate::external`]): its requests then
/// use the thread's own non-blocking sockets, deadlines and connections.
fn external() -> bool {
    #[cfg(unix)]
    {
        crate::external::active()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_clients_share_one_tls_configuration() {
        let a = Http::new("https://a.example.com", Options::default()).unwrap();
        let b = Http::new("http://127.0.0.1:1", Options::default()).unwrap();
        // The shared clients are keyed by their TLS configuration's identity: one client for
        // both means one TLS configuration for both.
        assert!(std::sync::Arc::ptr_eq(
            a.clients.shared(),
            b.clients.shared()
        ));
        assert!(std::sync::Arc::ptr_eq(
            a.clients.shared(),
            a.clone().clients.shared()
        ));
    }

    #[test]
    fn bad_pem_is_refused() {
        let options = Options {
            extra_roots_pem: vec![b"not a pem".to_vec()],
            ..Options::default()
        };
        assert!(matches!(
            Http::new("https://example.com", options),
            Err(Error::InvalidCertificate { .. })
        ));
    }
}
