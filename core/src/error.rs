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
    /// HTTP 403 that none of the variants below explains (for example a feature that is not
    /// available). `message` is the server's (localized) text, for display only.
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message, for display only (it is localized: never match on it).
        message: String,
    },
    /// A login was refused after too many failed attempts (HTTP 403, docs/protocol.md §12):
    /// wait (a minute by default), or, when the portal has a captcha
    /// ([`PortalInfo::captcha`](crate::PortalInfo::captcha)), show it and log in again with
    /// [`Auth::login_with_captcha`](crate::Auth::login_with_captcha).
    #[error("too many login attempts: locked out for a while (a captcha lets you in sooner)")]
    LockedOut,
    /// The password is right but the account is disabled or not yet active (HTTP 403, §12).
    #[error("the user is disabled")]
    UserDisabled,
    /// The captcha answer sent with the login was rejected (HTTP 403, §12): show a new captcha.
    #[error("the captcha answer was rejected")]
    CaptchaRejected,
    /// The portal is not serving logins right now (HTTP 403 with an empty body: it is being
    /// transferred, restored or encrypted, §17). Try again later.
    #[error("the portal is temporarily unavailable (maintenance)")]
    PortalUnavailable,
    /// HTTP 404 on a login request: there is no DocSpace portal at this address (a wrong
    /// address, or a portal that is suspended or being removed).
    #[error("no DocSpace portal answers at this address (wrong portal address?)")]
    WrongPortalAddress,
    /// [`Auth::portal_info`](crate::Auth::portal_info) found no DocSpace portal at the address
    /// (an HTML page, a 404, another product such as ONLYOFFICE Workspace).
    #[error("not a DocSpace portal: {detail}")]
    NotADocSpacePortal {
        /// What was found instead (never contains a secret).
        detail: String,
    },
    /// The single sign-on ended on the portal's error page (docs/protocol.md §13.3).
    #[error("single sign-on failed: {reason}")]
    Sso {
        /// Why, as the portal's `messageKey` says.
        reason: SsoFailure,
    },
    /// [`Auth::set_phone`](crate::Auth::set_phone) on a second factor that is not the phone
    /// activation ([`Challenge::SmsPhoneActivation`](crate::Challenge::SmsPhoneActivation)).
    #[error("no phone activation is pending for this login")]
    NotPhoneActivation,
    /// A phone number without any digit, refused before any request.
    #[error("the phone number has no digits")]
    InvalidPhoneNumber,
    /// The phone activation link of this login has expired (it is valid for an hour): log in
    /// again (HTTP 401 on `setphone`, §16).
    #[error("the phone activation has expired: log in again")]
    PhoneActivationExpired,
    /// [`Auth::end_session`](crate::Auth::end_session) was asked to end the session it runs in;
    /// use [`Auth::logout`](crate::Auth::logout) for that.
    #[error("this is the current session: use logout to end it")]
    CurrentSession,
    /// HTTP 404 on an endpoint that needs the token.
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

/// Why a single sign-on failed: the `messageKey` of the portal's `/login/error` page
/// (docs/protocol.md §13.3).
///
/// ```
/// use docspace_auth::SsoFailure;
/// assert_eq!(SsoFailure::from_message_key(16), SsoFailure::UserDisabled);
/// assert_eq!(SsoFailure::from_message_key(99), SsoFailure::Other(99));
/// assert_eq!(SsoFailure::UserDisabled.to_string(), "the user is disabled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SsoFailure {
    /// 1: SSO is switched off, or an unexpected error on the portal.
    Error,
    /// 11: SSO is not enabled on this portal.
    Disabled,
    /// 12: the portal's plan does not include SSO.
    NotAllowed,
    /// 13: the identity provider's answer was missing.
    EmptyToken,
    /// 14: the identity provider's answer was invalid.
    InvalidToken,
    /// 15: the portal could not create the user (e-mail or names missing in the assertion).
    CannotCreateUser,
    /// 16: the user is disabled.
    UserDisabled,
    /// 17: the SSO service failed (configuration, request).
    ServiceError,
    /// 18: the identity provider's response was rejected.
    AuthenticationFailed,
    /// 19: the identity provider sent no user attributes.
    AttributesNotFound,
    /// Another `messageKey`.
    Other(i32),
}

impl SsoFailure {
    /// The failure for a `messageKey` value.
    ///
    /// ```
    /// assert_eq!(docspace_auth::SsoFailure::from_message_key(18),
    ///            docspace_auth::SsoFailure::AuthenticationFailed);
    /// ```
    pub fn from_message_key(key: i32) -> Self {
        SSO_MESSAGE_KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(SsoFailure::Other(key), |(_, failure)| *failure)
    }

    /// The portal's `messageKey` for this failure.
    ///
    /// ```
    /// assert_eq!(docspace_auth::SsoFailure::UserDisabled.message_key(), 16);
    /// ```
    pub fn message_key(self) -> i32 {
        match self {
            SsoFailure::Other(key) => key,
            known => SSO_MESSAGE_KEYS
                .iter()
                .find(|(_, failure)| *failure == known)
                .map_or(0, |(key, _)| *key),
        }
    }
}

/// The `messageKey` of each known SSO failure (docs/protocol.md §13.3): the one table both
/// directions read.
const SSO_MESSAGE_KEYS: [(i32, SsoFailure); 10] = [
    (1, SsoFailure::Error),
    (11, SsoFailure::Disabled),
    (12, SsoFailure::NotAllowed),
    (13, SsoFailure::EmptyToken),
    (14, SsoFailure::InvalidToken),
    (15, SsoFailure::CannotCreateUser),
    (16, SsoFailure::UserDisabled),
    (17, SsoFailure::ServiceError),
    (18, SsoFailure::AuthenticationFailed),
    (19, SsoFailure::AttributesNotFound),
];

impl std::fmt::Display for SsoFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SsoFailure::Error => f.write_str("SSO is off or the portal failed"),
            SsoFailure::Disabled => f.write_str("SSO is not enabled on this portal"),
            SsoFailure::NotAllowed => f.write_str("the portal's plan does not include SSO"),
            SsoFailure::EmptyToken => f.write_str("the identity provider's answer was missing"),
            SsoFailure::InvalidToken => f.write_str("the identity provider's answer was invalid"),
            SsoFailure::CannotCreateUser => {
                f.write_str("the portal could not create the user (e-mail or name missing)")
            }
            SsoFailure::UserDisabled => f.write_str("the user is disabled"),
            SsoFailure::ServiceError => f.write_str("the portal's SSO service failed"),
            SsoFailure::AuthenticationFailed => {
                f.write_str("the identity provider's response was rejected")
            }
            SsoFailure::AttributesNotFound => {
                f.write_str("the identity provider sent no user attributes")
            }
            SsoFailure::Other(key) => write!(f, "error {key}"),
        }
    }
}

impl Error {
    pub(crate) fn unexpected(detail: impl Into<String>) -> Self {
        Error::UnexpectedResponse {
            detail: detail.into(),
        }
    }

    /// A failure to exchange a request (`connect`: it happened while connecting), classified
    /// by what caused it; its detail is the error chain.
    pub(crate) fn transport(err: &(dyn std::error::Error + 'static), connect: bool) -> Self {
        // hyper's errors never carry the URL (which may hold a code in its path).
        let kind = if has_source(err, |e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        }) {
            TransportErrorKind::Timeout
        } else if has_tls_source(err) {
            TransportErrorKind::Tls
        } else if connect {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Other
        };
        Error::Transport {
            kind,
            detail: error_chain(err),
        }
    }
}

/// Whether `err` or an error in its chain (looking inside I/O errors too) matches.
fn has_source(
    err: &(dyn std::error::Error + 'static),
    matches: impl Fn(&(dyn std::error::Error + 'static)) -> bool,
) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if matches(e) {
            return true;
        }
        // `io::Error::source` skips the error it wraps; look inside (possibly nested).
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(inner) = io.and_then(|io| io.get_ref()) {
            if matches(inner) {
                return true;
            }
            io = inner.downcast_ref::<std::io::Error>();
        }
        current = e.source();
    }
    false
}

fn has_tls_source(err: &(dyn std::error::Error + 'static)) -> bool {
    has_source(err, |e| e.downcast_ref::<rustls::Error>().is_some())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_message_keys_round_trip() {
        for key in -1..=25 {
            assert_eq!(SsoFailure::from_message_key(key).message_key(), key);
        }
        assert_eq!(SsoFailure::from_message_key(12), SsoFailure::NotAllowed);
        assert_eq!(SsoFailure::from_message_key(2), SsoFailure::Other(2));
    }
}
