//! Transport: one reqwest client (rustls + ring) per login chain, no redirects, no cookie
//! store, a body cap, timeouts on every request.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE};
use reqwest::{Method, StatusCode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};
use zeroize::Zeroizing;

use crate::wire;
use crate::Error;

/// Largest response body accepted (DocSpace auth responses are a few hundred bytes).
pub(crate) const BODY_CAP: usize = 1024 * 1024;

/// Options collected by [`crate::AuthBuilder`].
pub(crate) struct Options {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub extra_roots_pem: Vec<Vec<u8>>,
    pub user_agent: String,
    pub session: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            extra_roots_pem: Vec::new(),
            user_agent: concat!("docspace-auth/", env!("CARGO_PKG_VERSION")).to_owned(),
            session: false,
        }
    }
}

/// How a 401 on an endpoint is to be read.
#[derive(Clone, Copy)]
pub(crate) enum Endpoint {
    /// Password login (`/authentication`, `/authentication/sendsms`): 401 = bad credentials.
    Login,
    /// The code endpoint: 401 = the code was rejected.
    Code,
    /// An endpoint that needs the token: 401 = token invalid.
    Token,
}

/// The HTTP side of an [`crate::Auth`]: cheap to clone (the reqwest client is shared).
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
    pub session: bool,
}

/// Validates and normalizes the portal URL (§ "http only for loopback").
pub(crate) fn portal_url(input: &str) -> Result<Url, Error> {
    let mut url = Url::parse(input.trim()).map_err(|_| Error::InvalidUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidUrl);
    }
    let loopback = match url.host() {
        None => return Err(Error::InvalidUrl),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(Error::InsecureUrl),
        _ => return Err(Error::InvalidUrl),
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn tls_config(extra_roots_pem: &[Vec<u8>]) -> Result<rustls::ClientConfig, Error> {
    let mut roots: Vec<CertificateDer<'static>> = Vec::new();
    for pem in extra_roots_pem {
        let before = roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::InvalidCertificate {
                detail: format!("bad PEM: {e}"),
            })?;
            roots.push(cert);
        }
        if roots.len() == before {
            return Err(Error::InvalidCertificate {
                detail: "no CERTIFICATE block in the PEM data".to_owned(),
            });
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = verifier(roots, provider.clone())?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Transport {
            kind: crate::TransportErrorKind::Tls,
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(not(target_os = "android"))]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, Error> {
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
    }
    .map_err(|e| Error::InvalidCertificate {
        detail: e.to_string(),
    })?;
    Ok(Arc::new(verifier))
}

/// Android's platform verifier cannot take extra roots: a portal with a private CA is then
/// verified against that CA alone.
#[cfg(target_os = "android")]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, Error> {
    if roots.is_empty() {
        let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(|e| {
            Error::InvalidCertificate {
                detail: e.to_string(),
            }
        })?;
        return Ok(Arc::new(verifier));
    }
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root).map_err(|e| Error::InvalidCertificate {
            detail: e.to_string(),
        })?;
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|e| Error::InvalidCertificate {
                detail: e.to_string(),
            })?;
    Ok(verifier)
}

impl Http {
    pub(crate) fn new(portal: &str, options: Options) -> Result<Http, Error> {
        let base = portal_url(portal)?;
        let tls = tls_config(&options.extra_roots_pem)?;
        let user_agent = HeaderValue::from_str(&options.user_agent).map_err(|_| {
            Error::InvalidConfiguration {
                detail: "the user agent is not a valid HTTP header value".to_owned(),
            }
        })?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(user_agent)
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Http {
            client,
            base,
            session: options.session,
        })
    }

    /// The normalized portal URL (with a trailing slash).
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// `{portal}/api/2.0/{segments...}`, each segment percent-encoded.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|_| Error::InvalidUrl)?;
            path.pop_if_empty().extend(["api", "2.0"]).extend(segments);
        }
        Ok(url)
    }

    /// Sends one request and returns the body of a 2xx answer; any other status becomes the
    /// matching [`Error`] (decided by status, never by message text).
    pub(crate) async fn call(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Zeroizing<Vec<u8>>>,
        auth: Auth<'_>,
        endpoint: Endpoint,
        secrets: &[&str],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let url = self.endpoint(segments)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let token = match auth {
            Auth::None => None,
            Auth::Header(token) | Auth::Cookie(token) => Some(token.expose_secret()),
        };
        match auth {
            Auth::None => {}
            Auth::Header(token) => {
                headers.insert(AUTHORIZATION, token_header(token.expose_secret())?);
            }
            Auth::Cookie(token) => {
                headers.insert(
                    COOKIE,
                    token_header(&format!("asc_auth_key={}", token.expose_secret()))?,
                );
            }
        }
        let mut request = self.client.request(method, url).headers(headers);
        if let Some(mut body) = body {
            // reqwest needs an owned buffer; hand it over rather than copying it.
            let owned = std::mem::take(&mut *body);
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(owned);
        }
        let mut response = request.send().await.map_err(Error::from_reqwest)?;
        let status = response.status();
        if status.is_success() {
            return read_capped(&mut response).await;
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(wire::parse_retry_after);
        // Read (small) error bodies so the connection can be reused; their content only
        // matters for the 403 message.
        let body = read_capped(&mut response).await.ok();
        let error = status_error(
            status,
            endpoint,
            retry_after,
            body.as_ref().map(|b| b.as_slice()),
        );
        Err(redact(error, secrets.iter().copied().chain(token)))
    }
}

/// How the token goes along with a request.
pub(crate) enum Auth<'a> {
    None,
    /// `Authorization: <token>` (raw, §6.1).
    Header(&'a SecretString),
    /// `Cookie: asc_auth_key=<token>`: the only way logout really revokes (§5).
    Cookie(&'a SecretString),
}

fn token_header(value: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| Error::Unauthorized)?;
    header.set_sensitive(true);
    Ok(header)
}

async fn read_capped(response: &mut reqwest::Response) -> Result<Zeroizing<Vec<u8>>, Error> {
    let too_big = || Error::unexpected(format!("response body larger than {BODY_CAP} bytes"));
    if response
        .content_length()
        .is_some_and(|len| len > BODY_CAP as u64)
    {
        return Err(too_big());
    }
    // Sized up front when the length is known: growing would leave unzeroized copies of the
    // body (which may hold a token) behind in freed memory.
    let expected = response
        .content_length()
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0);
    let mut body = Zeroizing::new(Vec::with_capacity(expected));
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        if body.len() + chunk.len() > BODY_CAP {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Longest server message kept in [`Error::Forbidden`] (in bytes).
const MESSAGE_CAP: usize = 500;

/// The server's 403 message is shown to people: a server (or a proxy in front of it) that
/// echoes what it got must not make the password, code or token appear in it. Also caps
/// its length.
fn redact<'a>(error: Error, secrets: impl Iterator<Item = &'a str>) -> Error {
    let Error::Forbidden { mut message } = error else {
        return error;
    };
    for secret in secrets {
        for variant in [secret, secret.trim()] {
            if !variant.is_empty() && message.contains(variant) {
                message = message.replace(variant, "[REDACTED]");
            }
        }
    }
    if message.len() > MESSAGE_CAP {
        let mut end = MESSAGE_CAP;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    Error::Forbidden { message }
}

fn status_error(
    status: StatusCode,
    endpoint: Endpoint,
    retry_after: Option<Duration>,
    body: Option<&[u8]>,
) -> Error {
    match status.as_u16() {
        300..=399 => Error::unexpected(format!("redirect (HTTP {}) not followed", status.as_u16())),
        401 => match endpoint {
            Endpoint::Login => Error::InvalidCredentials,
            Endpoint::Code => Error::CodeRejected,
            Endpoint::Token => Error::Unauthorized,
        },
        403 => Error::Forbidden {
            message: body
                .and_then(wire::error_message)
                .unwrap_or_else(|| "access denied".to_owned()),
        },
        404 => Error::NotFound,
        429 => Error::RateLimited { retry_after },
        500..=599 => Error::Server {
            status: status.as_u16(),
        },
        other => Error::unexpected(format!("HTTP status {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rules() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://[::1]:9000",
            "http://localhost:1234",
            "http://LOCALHOST",
            "https://portal.example.com",
            "https://10.0.0.1",
        ] {
            assert!(portal_url(ok).is_ok(), "{ok}");
        }
        for insecure in [
            "http://portal.example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            assert!(
                matches!(portal_url(insecure), Err(Error::InsecureUrl)),
                "{insecure}"
            );
        }
        for invalid in [
            "portal.example.com",
            "ftp://portal.example.com",
            "https://user:pw@portal.example.com",
            "",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(portal_url(invalid), Err(Error::InvalidUrl)),
                "{invalid}"
            );
        }
    }

    #[test]
    fn base_path_is_kept() {
        let url = portal_url("https://example.com/docspace?x=1#y").unwrap();
        assert_eq!(url.as_str(), "https://example.com/docspace/");
    }

    #[test]
    fn endpoint_encodes_segments() {
        let http = Http::new("http://127.0.0.1:1/base/", Options::default()).unwrap();
        let url = http.endpoint(&["authentication", "a b/c?"]).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/base/api/2.0/authentication/a%20b%2Fc%3F"
        );
    }

    #[test]
    fn status_mapping() {
        let e = |s: u16, ep| status_error(StatusCode::from_u16(s).unwrap(), ep, None, None);
        assert!(matches!(e(401, Endpoint::Login), Error::InvalidCredentials));
        assert!(matches!(e(401, Endpoint::Code), Error::CodeRejected));
        assert!(matches!(e(401, Endpoint::Token), Error::Unauthorized));
        assert!(matches!(e(404, Endpoint::Login), Error::NotFound));
        assert!(matches!(
            e(302, Endpoint::Login),
            Error::UnexpectedResponse { .. }
        ));
        assert!(matches!(
            e(400, Endpoint::Login),
            Error::UnexpectedResponse { .. }
        ));
        assert!(matches!(
            e(503, Endpoint::Login),
            Error::Server { status: 503 }
        ));
        let forbidden = status_error(
            StatusCode::FORBIDDEN,
            Endpoint::Login,
            None,
            Some(br#"{"error":{"message":"Too many login attempts. Please try again later","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#),
        );
        match forbidden {
            Error::Forbidden { message } => assert!(message.starts_with("Too many")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forbidden_messages_are_redacted_and_capped() {
        let forbidden = |message: &str| Error::Forbidden {
            message: message.to_owned(),
        };
        let got = redact(
            forbidden("no for pw hunter2 and code 123456"),
            ["  hunter2", "123456", ""].into_iter(),
        );
        match got {
            Error::Forbidden { message } => {
                assert_eq!(message, "no for pw [REDACTED] and code [REDACTED]")
            }
            other => panic!("{other:?}"),
        }
        // A long message of multi-byte characters is cut on a character boundary.
        let long = "é".repeat(MESSAGE_CAP);
        match redact(forbidden(&long), std::iter::empty()) {
            Error::Forbidden { message } => {
                assert!(
                    message.len() <= MESSAGE_CAP + '…'.len_utf8(),
                    "{}",
                    message.len()
                );
                assert!(message.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            redact(Error::CodeRejected, ["x"].into_iter()),
            Error::CodeRejected
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
