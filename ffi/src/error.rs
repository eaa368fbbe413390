//! [`AuthError`], the one error of the bindings, and the one place where core errors become it.
//!
//! Every variant carries `detail`, the readable message (never a secret), and is `Display`ed as
//! it; the variants whose data a caller acts on carry that data as fields: `RateLimited` how long
//! to wait, `Server` the HTTP status, `Transport` its [`TransportKind`]. Why this shape, and what
//! it looks like in Kotlin, Swift and Python: `ffi/README.md`, "Errors".

use docspace_auth as core;

use crate::SsoFailure;

/// Which kind of transport failure an [`AuthError::Transport`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TransportKind {
    /// The connection could not be established (refused, unreachable, DNS failure).
    Connect,
    /// The TLS handshake failed (untrusted certificate, wrong host name, ...).
    Tls,
    /// The connect timeout or the whole-request timeout elapsed.
    Timeout,
    /// Any other transport failure (connection dropped mid-response, ...).
    Other,
}

impl From<core::TransportErrorKind> for TransportKind {
    fn from(kind: core::TransportErrorKind) -> Self {
        match kind {
            core::TransportErrorKind::Connect => TransportKind::Connect,
            core::TransportErrorKind::Tls => TransportKind::Tls,
            core::TransportErrorKind::Timeout => TransportKind::Timeout,
            _ => TransportKind::Other,
        }
    }
}

/// Every error of this library. The variant tells an app what to do; `detail` is the readable
/// message (also the error's `Display`: Kotlin `toString()`, Swift `description` and
/// `localizedDescription`, Python `str()`), and never contains a secret (password, token, TOTP
/// secret, code).
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum AuthError {
    /// Wrong user name or password (also: unknown user).
    #[error("{detail}")]
    InvalidCredentials { detail: String },
    /// The second-factor code was rejected (wrong, expired, already used, too many attempts).
    /// The pending login stays usable: try another code.
    #[error("{detail}")]
    CodeRejected { detail: String },
    /// HTTP 403 that none of the variants below explains; `detail` includes the server's
    /// (localized) text.
    #[error("{detail}")]
    Forbidden { detail: String },
    /// Too many failed logins: wait (a minute by default), or show the portal's captcha
    /// (`PortalInfo.captcha`) and log in with `login_with_captcha`.
    #[error("{detail}")]
    LockedOut { detail: String },
    /// The password is right but the account is disabled.
    #[error("{detail}")]
    UserDisabled { detail: String },
    /// The captcha answer was rejected: show a new captcha.
    #[error("{detail}")]
    CaptchaRejected { detail: String },
    /// The portal is in maintenance (transfer, restore, encryption): try again later.
    #[error("{detail}")]
    PortalUnavailable { detail: String },
    /// No DocSpace portal answers logins at this address (a wrong address, or a suspended portal).
    #[error("{detail}")]
    WrongPortalAddress { detail: String },
    /// `portal_info` found no DocSpace portal at the address.
    #[error("{detail}")]
    NotADocSpacePortal { detail: String },
    /// The single sign-on ended on the portal's error page.
    #[error("{detail}")]
    Sso {
        detail: String,
        /// Why.
        reason: SsoFailure,
        /// The portal's `messageKey`.
        message_key: i32,
    },
    /// `set_phone` while no phone activation is pending.
    #[error("{detail}")]
    NotPhoneActivation { detail: String },
    /// A phone number without digits (checked before any request).
    #[error("{detail}")]
    InvalidPhoneNumber { detail: String },
    /// The phone activation of this login expired (after an hour): log in again.
    #[error("{detail}")]
    PhoneActivationExpired { detail: String },
    /// `end_session` was given this session's id: use `logout` for it.
    #[error("{detail}")]
    CurrentSession { detail: String },
    /// HTTP 404 on a call that needs the token.
    #[error("{detail}")]
    NotFound { detail: String },
    /// HTTP 429: too many requests.
    #[error("{detail}")]
    RateLimited {
        detail: String,
        /// How long the server asked to wait (`Retry-After`), in whole seconds (at least 1);
        /// absent if it did not say.
        retry_after_secs: Option<u64>,
    },
    /// HTTP 5xx.
    #[error("{detail}")]
    Server {
        detail: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The token is not valid (expired, revoked or malformed).
    #[error("{detail}")]
    Unauthorized { detail: String },
    /// The server's answer does not follow the DocSpace protocol.
    #[error("{detail}")]
    UnexpectedResponse { detail: String },
    /// The request did not complete at the network level.
    #[error("{detail}")]
    Transport {
        detail: String,
        /// Connect, TLS (untrusted certificate, ...), timeout, or other.
        kind: TransportKind,
    },
    /// Plain `http://` to a host that is not loopback.
    #[error("{detail}")]
    InsecureUrl { detail: String },
    /// The portal URL is not a valid http(s) URL.
    #[error("{detail}")]
    InvalidUrl { detail: String },
    /// The code is not 6 digits nor a 6-character backup code (checked before any request).
    #[error("{detail}")]
    InvalidCodeFormat { detail: String },
    /// The TOTP secret is not valid Base32.
    #[error("{detail}")]
    InvalidSecret { detail: String },
    /// The extra root certificate (PEM) could not be used.
    #[error("{detail}")]
    InvalidCertificate { detail: String },
    /// A client option is not usable (e.g. a user agent that is not a valid header value).
    #[error("{detail}")]
    InvalidConfiguration { detail: String },
    /// This pending login was already confirmed, or this session was logged out: start again.
    #[error("{detail}")]
    AlreadyUsed { detail: String },
    /// An error of a kind this version of the bindings does not know.
    #[error("{detail}")]
    Other { detail: String },
}

impl AuthError {
    pub(crate) fn already_used(detail: &str) -> Self {
        AuthError::AlreadyUsed {
            detail: detail.to_owned(),
        }
    }

    pub(crate) fn other(detail: &str) -> Self {
        AuthError::Other {
            detail: detail.to_owned(),
        }
    }
}

/// The one place where core errors become FFI errors. The core's messages carry no secret.
impl From<core::Error> for AuthError {
    fn from(err: core::Error) -> Self {
        use core::Error as E;
        let detail = err.to_string();
        match err {
            E::InvalidCredentials => AuthError::InvalidCredentials { detail },
            E::CodeRejected => AuthError::CodeRejected { detail },
            E::Forbidden { .. } => AuthError::Forbidden { detail },
            E::LockedOut => AuthError::LockedOut { detail },
            E::UserDisabled => AuthError::UserDisabled { detail },
            E::CaptchaRejected => AuthError::CaptchaRejected { detail },
            E::PortalUnavailable => AuthError::PortalUnavailable { detail },
            E::WrongPortalAddress => AuthError::WrongPortalAddress { detail },
            E::NotADocSpacePortal { .. } => AuthError::NotADocSpacePortal { detail },
            E::Sso { reason } => AuthError::Sso {
                detail,
                reason: reason.into(),
                message_key: reason.message_key(),
            },
            E::NotPhoneActivation => AuthError::NotPhoneActivation { detail },
            E::InvalidPhoneNumber => AuthError::InvalidPhoneNumber { detail },
            E::PhoneActivationExpired => AuthError::PhoneActivationExpired { detail },
            E::CurrentSession => AuthError::CurrentSession { detail },
            E::NotFound => AuthError::NotFound { detail },
            E::RateLimited { retry_after } => {
                let retry_after_secs = retry_after.map(|wait| wait.as_secs().max(1));
                AuthError::RateLimited {
                    detail: match retry_after_secs {
                        Some(secs) => format!("{detail}; retry after {secs} s"),
                        None => detail,
                    },
                    retry_after_secs,
                }
            }
            E::Server { status } => AuthError::Server { detail, status },
            E::Unauthorized => AuthError::Unauthorized { detail },
            E::UnexpectedResponse { .. } => AuthError::UnexpectedResponse { detail },
            E::Transport { kind, .. } => AuthError::Transport {
                detail,
                kind: kind.into(),
            },
            E::InsecureUrl => AuthError::InsecureUrl { detail },
            E::InvalidUrl => AuthError::InvalidUrl { detail },
            E::InvalidCodeFormat => AuthError::InvalidCodeFormat { detail },
            E::InvalidSecret => AuthError::InvalidSecret { detail },
            E::InvalidCertificate { .. } => AuthError::InvalidCertificate { detail },
            E::InvalidConfiguration { .. } => AuthError::InvalidConfiguration { detail },
            _ => AuthError::Other { detail },
        }
    }
}
