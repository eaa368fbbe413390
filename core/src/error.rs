//! The crate's single error type.

use std::time::Duration;

/// What went wrong at the transport level (below HTTP).
///
/// ```
/// use docspace_auth::TransportErrorKind;
/// let kind = TransportErrorKind::Timeout;
/// assert_eq!(kind.to_string(), "timeout");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The TCP connection could not be established (refused, unreachable, DNS failure).
    Connect,
    /// The TLS handshake failed (untrusted certificate, wrong host name, protocol error).
    Tls,
    /// The connect timeout or the whole-request timeout elapsed.
    Timeout,
    /// Anything else: the connection was dropped mid-response, an I/O error, ...
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Tls => "tls",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Other => "other",
        })
    }
}

/// Every error this crate returns. Variants tell an app what to do; none of them ever carries a
/// secret (password, token, TOTP secret or code), neither in its fields nor in its message.
///
/// Outcomes are decided by the HTTP status and the DocSpace envelope, never by the (localized)
/// server message, which is only passed through for display in [`Error::Forbidden`].
///
/// ```
/// use docspace_auth::{Code, Error};
/// let err = Code::parse("12345").unwrap_err();
/// assert!(matches!(err, Error::InvalidCodeFormat));
/// assert_eq!(err.to_string(), "the code must be 6 digits or a 6-character backup code");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the user name or password (HTTP 401 on login or on `resend_sms`).
    /// Wrong password and unknown user are indistinguishable on purpose.
    #[error("invalid user name or password")]
    InvalidCredentials,
    /// The server refused the second-factor code (HTTP 401 on the code endpoint): wrong, expired,
    /// already used, too many attempts, or 2FA not enabled for the user.
    #[error("the code was rejected")]
    CodeRejected,
    /// HTTP 403: too many login attempts (locked out for a while), user disabled, invalid captcha,
    /// or a feature not available. `message` is the server's (localized) text, for display only.
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message, for display only (it is localized: never match on it).
        message: String,
    },
    /// HTTP 404: the user could not be found.
    #[error("not found")]
    NotFound,
    /// HTTP 429: too many requests; wait `retry_after` (from the `Retry-After` header) if given.
    #[error("rate limited")]
    RateLimited {
        /// How long the server asked to wait, if it said so.
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx from the server.
    #[error("server error (HTTP {status})")]
    Server {
        /// The HTTP status code.
        status: u16,
    },
    /// HTTP 401 on an endpoint that needs the token: the token is invalid, expired or revoked.
    #[error("the token is not valid (expired, revoked or malformed)")]
    Unauthorized,
    /// The server's answer is not what the DocSpace protocol says: not the JSON envelope, bad
    /// JSON, a 2xx body with `status: 1`, a redirect, a body over the size cap, an unexpected
    /// status code.
    #[error("unexpected response: {detail}")]
    UnexpectedResponse {
        /// What was wrong with it (never contains a secret).
        detail: String,
    },
    /// The request did not complete at the transport level.
    #[error("transport error ({kind}): {detail}")]
    Transport {
        /// Which kind of transport failure.
        kind: TransportErrorKind,
        /// A description (never contains the URL, which may carry a code).
        detail: String,
    },
    /// The portal URL uses plain `http://` for a host that is not loopback.
    #[error("plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://")]
    InsecureUrl,
    /// The portal URL cannot be parsed, is not http(s), has no host, or carries credentials.
    #[error("invalid portal URL")]
    InvalidUrl,
    /// A code that is neither 6 digits nor a 6-character backup code (`[A-Za-z0-9_-]`).
    #[error("the code must be 6 digits or a 6-character backup code")]
    InvalidCodeFormat,
    /// A TOTP secret that is not valid Base32 (RFC 4648) or is empty.
    #[error("the TOTP secret is not valid base32")]
    InvalidSecret,
    /// A client option is not usable (for example a user agent that is not a valid HTTP
    /// header value); reported by [`crate::AuthBuilder::build`], before any request.
    #[error("invalid client configuration: {detail}")]
    InvalidConfiguration {
        /// Which option, and what is wrong with it.
        detail: String,
    },
    /// The extra root certificate (PEM) could not be parsed or used.
    #[error("invalid root certificate: {detail}")]
    InvalidCertificate {
        /// What was wrong with it.
        detail: String,
    },
}

impl Error {
    pub(crate) fn unexpected(detail: impl Into<String>) -> Self {
        Error::UnexpectedResponse {
            detail: detail.into(),
        }
    }

    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        // The URL may carry a code in its path: never keep it.
        let err = err.without_url();
        let kind = if err.is_timeout() {
            TransportErrorKind::Timeout
        } else if has_tls_source(&err) {
            TransportErrorKind::Tls
        } else if err.is_connect() {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Other
        };
        Error::Transport {
            kind,
            detail: error_chain(&err),
        }
    }
}

fn has_tls_source(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        // `io::Error::source` skips the error it wraps; look inside (possibly nested).
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(inner) = io.and_then(|io| io.get_ref()) {
            if inner.downcast_ref::<rustls::Error>().is_some() {
                return true;
            }
            io = inner.downcast_ref::<std::io::Error>();
        }
        current = e.source();
    }
    false
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = e.source();
    }
    out
}
