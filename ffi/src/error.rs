//! [`AuthError`], the one error of the bindings, and the one place where core errors become it.

use docspace_auth as core;

/// Every error of this library. The message (`message` in Kotlin, `str()` in Python, the
/// description in Swift) is readable and never contains a secret (password, token, TOTP secret,
/// code). The variant tells an app what to do.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum AuthError {
    /// Wrong user name or password (also: unknown user).
    #[error("{0}")]
    InvalidCredentials(String),
    /// The second-factor code was rejected (wrong, expired, already used, too many attempts).
    /// The pending login stays usable: try another code.
    #[error("{0}")]
    CodeRejected(String),
    /// HTTP 403: locked out after too many attempts, user disabled, ...; the message includes
    /// the server's (localized) text.
    #[error("{0}")]
    Forbidden(String),
    /// HTTP 404: the user was not found.
    #[error("{0}")]
    NotFound(String),
    /// HTTP 429: too many requests.
    #[error("{0}")]
    RateLimited(String),
    /// HTTP 5xx.
    #[error("{0}")]
    Server(String),
    /// The token is not valid (expired, revoked or malformed).
    #[error("{0}")]
    Unauthorized(String),
    /// The server's answer does not follow the DocSpace protocol.
    #[error("{0}")]
    UnexpectedResponse(String),
    /// The connection could not be established.
    #[error("{0}")]
    Connect(String),
    /// The TLS handshake failed (untrusted certificate, wrong host name, ...).
    #[error("{0}")]
    Tls(String),
    /// A timeout elapsed.
    #[error("{0}")]
    Timeout(String),
    /// Any other transport failure (connection dropped mid-response, ...).
    #[error("{0}")]
    Transport(String),
    /// Plain `http://` to a host that is not loopback.
    #[error("{0}")]
    InsecureUrl(String),
    /// The portal URL is not a valid http(s) URL.
    #[error("{0}")]
    InvalidUrl(String),
    /// The code is not 6 digits nor a 6-character backup code (checked before any request).
    #[error("{0}")]
    InvalidCodeFormat(String),
    /// The TOTP secret is not valid Base32.
    #[error("{0}")]
    InvalidSecret(String),
    /// The extra root certificate (PEM) could not be used.
    #[error("{0}")]
    InvalidCertificate(String),
    /// A client option is not usable (e.g. a user agent that is not a valid header value).
    #[error("{0}")]
    InvalidConfiguration(String),
    /// This pending login was already confirmed, or this session was logged out: start again.
    #[error("{0}")]
    AlreadyUsed(String),
    /// An error of a kind this version of the bindings does not know.
    #[error("{0}")]
    Other(String),
}

/// The one place where core errors become FFI errors. The core's messages carry no secret.
impl From<core::Error> for AuthError {
    fn from(err: core::Error) -> Self {
        use core::Error as E;
        let message = err.to_string();
        match err {
            E::InvalidCredentials => AuthError::InvalidCredentials(message),
            E::CodeRejected => AuthError::CodeRejected(message),
            E::Forbidden { .. } => AuthError::Forbidden(message),
            E::NotFound => AuthError::NotFound(message),
            E::RateLimited { retry_after } => AuthError::RateLimited(match retry_after {
                Some(wait) => format!("{message}; retry after {} s", wait.as_secs().max(1)),
                None => message,
            }),
            E::Server { .. } => AuthError::Server(message),
            E::Unauthorized => AuthError::Unauthorized(message),
            E::UnexpectedResponse { .. } => AuthError::UnexpectedResponse(message),
            E::Transport { kind, .. } => match kind {
                core::TransportErrorKind::Connect => AuthError::Connect(message),
                core::TransportErrorKind::Tls => AuthError::Tls(message),
                core::TransportErrorKind::Timeout => AuthError::Timeout(message),
                _ => AuthError::Transport(message),
            },
            E::InsecureUrl => AuthError::InsecureUrl(message),
            E::InvalidUrl => AuthError::InvalidUrl(message),
            E::InvalidCodeFormat => AuthError::InvalidCodeFormat(message),
            E::InvalidSecret => AuthError::InvalidSecret(message),
            E::InvalidCertificate { .. } => AuthError::InvalidCertificate(message),
            E::InvalidConfiguration { .. } => AuthError::InvalidConfiguration(message),
            _ => AuthError::Other(message),
        }
    }
}
