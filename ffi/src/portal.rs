//! What a login screen needs to know about a portal ([`PortalInfo`], from
//! [`DocspaceClient::portal_info`](crate::DocspaceClient::portal_info)), the captcha types, and
//! where an SSO web view is ([`SsoRedirect`]).

use docspace_auth as core;

/// A portal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TenantStatus {
    /// Serving.
    Active,
    /// Suspended (logins answer "wrong portal address").
    Suspended,
    /// About to be removed.
    RemovePending,
    /// Being moved to another region.
    Transferring,
    /// Being restored from a backup.
    Restoring,
    /// Being migrated.
    Migrating,
    /// Its storage is being encrypted.
    Encryption,
    /// A value this version does not know.
    Other {
        /// The `tenantStatus` number.
        code: i64,
    },
}

impl From<core::TenantStatus> for TenantStatus {
    fn from(status: core::TenantStatus) -> Self {
        use core::TenantStatus as S;
        match status {
            S::Active => TenantStatus::Active,
            S::Suspended => TenantStatus::Suspended,
            S::RemovePending => TenantStatus::RemovePending,
            S::Transferring => TenantStatus::Transferring,
            S::Restoring => TenantStatus::Restoring,
            S::Migrating => TenantStatus::Migrating,
            S::Encryption => TenantStatus::Encryption,
            S::Other(code) => TenantStatus::Other { code },
            _ => TenantStatus::Other { code: -1 },
        }
    }
}

/// The kind of a captcha widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CaptchaKind {
    /// Google reCAPTCHA (web).
    Recaptcha,
    /// reCAPTCHA for Android.
    RecaptchaAndroid,
    /// reCAPTCHA for iOS.
    RecaptchaIos,
    /// hCaptcha.
    HCaptcha,
}

impl From<core::CaptchaKind> for CaptchaKind {
    fn from(kind: core::CaptchaKind) -> Self {
        match kind {
            core::CaptchaKind::Recaptcha => CaptchaKind::Recaptcha,
            core::CaptchaKind::RecaptchaAndroid => CaptchaKind::RecaptchaAndroid,
            core::CaptchaKind::RecaptchaIos => CaptchaKind::RecaptchaIos,
            core::CaptchaKind::HCaptcha => CaptchaKind::HCaptcha,
        }
    }
}

impl From<CaptchaKind> for core::CaptchaKind {
    fn from(kind: CaptchaKind) -> Self {
        match kind {
            CaptchaKind::Recaptcha => core::CaptchaKind::Recaptcha,
            CaptchaKind::RecaptchaAndroid => core::CaptchaKind::RecaptchaAndroid,
            CaptchaKind::RecaptchaIos => core::CaptchaKind::RecaptchaIos,
            CaptchaKind::HCaptcha => core::CaptchaKind::HCaptcha,
        }
    }
}

/// The portal's captcha: show a widget of `kind` with `public_key` after `LockedOut`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Captcha {
    /// Which widget.
    pub kind: CaptchaKind,
    /// Its site key.
    pub public_key: String,
}

/// Where and how the portal offers single sign-on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SsoProvider {
    /// The address to open in a web view.
    pub url: String,
    /// The button's label.
    pub label: String,
}

/// The parameters of the client-side password hash.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PasswordHashParams {
    /// The salt (used as its UTF-8 bytes).
    pub salt: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// Length of the hash in bits.
    pub size: u32,
}

/// What a login screen needs to know about a portal.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PortalInfo {
    /// The server's version string (`""` when not configured).
    pub version: String,
    /// A self-hosted server.
    pub standalone: bool,
    /// Whether the portal is active, suspended, in maintenance...
    pub tenant_status: TenantStatus,
    /// Whether logins can succeed in that state.
    pub accepts_logins: bool,
    /// Single sign-on, when the portal offers it.
    pub sso: Option<SsoProvider>,
    /// LDAP logins are on: LDAP accounts need the plain password (leave `hash_password` off).
    pub ldap_enabled: bool,
    /// The social login providers switched on.
    pub providers: Vec<String>,
    /// The parameters of the client-side password hash.
    pub password_hash: Option<PasswordHashParams>,
    /// The captcha shown after a lockout, if the portal has one.
    pub captcha: Option<Captcha>,
}

impl From<core::PortalInfo> for PortalInfo {
    fn from(info: core::PortalInfo) -> Self {
        PortalInfo {
            version: info.version,
            standalone: info.standalone,
            accepts_logins: info.tenant_status.accepts_logins(),
            tenant_status: info.tenant_status.into(),
            sso: info.sso.map(|sso| SsoProvider {
                url: sso.url,
                label: sso.label,
            }),
            ldap_enabled: info.ldap_enabled,
            providers: info.providers,
            password_hash: info.password_hash.map(|p| PasswordHashParams {
                salt: p.salt,
                iterations: p.iterations,
                size: p.size,
            }),
            captcha: info.captcha.map(|c| Captcha {
                kind: c.kind.into(),
                public_key: c.public_key,
            }),
        }
    }
}

/// Where an SSO web view's navigation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SsoRedirect {
    /// The portal's redirect with the token: stop the web view and call `complete_sso`.
    Token,
    /// The portal's SSO error page: stop the web view; `complete_sso` says why.
    Error,
    /// Anywhere else (the identity provider's pages): let the web view go on.
    Elsewhere,
}

impl From<core::SsoRedirect> for SsoRedirect {
    fn from(redirect: core::SsoRedirect) -> Self {
        match redirect {
            core::SsoRedirect::Token => SsoRedirect::Token,
            core::SsoRedirect::Error => SsoRedirect::Error,
            core::SsoRedirect::Elsewhere => SsoRedirect::Elsewhere,
        }
    }
}

/// Why a single sign-on failed (the portal's `messageKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SsoFailure {
    /// SSO is off, or the portal failed.
    Error,
    /// SSO is not enabled on this portal.
    Disabled,
    /// The portal's plan does not include SSO.
    NotAllowed,
    /// The identity provider's answer was missing.
    EmptyToken,
    /// The identity provider's answer was invalid.
    InvalidToken,
    /// The portal could not create the user.
    CannotCreateUser,
    /// The user is disabled.
    UserDisabled,
    /// The portal's SSO service failed.
    ServiceError,
    /// The identity provider's response was rejected.
    AuthenticationFailed,
    /// The identity provider sent no user attributes.
    AttributesNotFound,
    /// Another reason (see the error's `message_key`).
    Other,
}

impl From<core::SsoFailure> for SsoFailure {
    fn from(reason: core::SsoFailure) -> Self {
        use core::SsoFailure as F;
        match reason {
            F::Error => SsoFailure::Error,
            F::Disabled => SsoFailure::Disabled,
            F::NotAllowed => SsoFailure::NotAllowed,
            F::EmptyToken => SsoFailure::EmptyToken,
            F::InvalidToken => SsoFailure::InvalidToken,
            F::CannotCreateUser => SsoFailure::CannotCreateUser,
            F::UserDisabled => SsoFailure::UserDisabled,
            F::ServiceError => SsoFailure::ServiceError,
            F::AuthenticationFailed => SsoFailure::AuthenticationFailed,
            F::AttributesNotFound => SsoFailure::AttributesNotFound,
            _ => SsoFailure::Other,
        }
    }
}

/// One of the user's active sessions.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActiveSession {
    /// The login event's id (for `end_session`).
    pub id: i64,
    /// Whether it is the session this object runs in.
    pub current: bool,
    /// The IP address it logged in from.
    pub ip: String,
    /// Country, when known.
    pub country: Option<String>,
    /// City, when known.
    pub city: Option<String>,
    /// The browser, from its User-Agent.
    pub browser: Option<String>,
    /// The platform, from its User-Agent.
    pub platform: Option<String>,
    /// When it logged in.
    pub date: Option<std::time::SystemTime>,
    /// The page it logged in from, when known.
    pub page: Option<String>,
}

impl From<core::ActiveSession> for ActiveSession {
    fn from(s: core::ActiveSession) -> Self {
        ActiveSession {
            id: s.id,
            current: s.current,
            ip: s.ip,
            country: s.country,
            city: s.city,
            browser: s.browser,
            platform: s.platform,
            date: crate::types::ffi_time(s.date),
            page: s.page,
        }
    }
}
