//! What a login screen needs to know about a portal ([`PortalInfo`], from
//! [`Auth::portal_info`](crate::Auth::portal_info)), the captcha types, and the client-side
//! password hash of docs/protocol.md §11 ([`PasswordHashParams`]).

use std::fmt;
use std::num::NonZeroU32;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::Error;

/// What a login screen needs to know about a portal, from the anonymous
/// `GET /api/2.0/settings` and `GET /api/2.0/capabilities` (docs/protocol.md §10).
///
/// ```no_run
/// # async fn run() -> Result<(), docspace_auth::Error> {
/// let auth = docspace_auth::Auth::new("https://portal.example.com")?;
/// let portal = auth.portal_info().await?;
/// if let Some(sso) = &portal.sso {
///     println!("offer \"{}\": open {} in a web view", sso.label, sso.url);
/// }
/// if portal.ldap_enabled {
///     println!("LDAP accounts: keep sending the plain password");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortalInfo {
    /// The server's version string (`""` when not configured; not for feature detection).
    pub version: String,
    /// A self-hosted server (rather than the vendor's cloud).
    pub standalone: bool,
    /// Whether the portal is active, suspended, in maintenance...
    pub tenant_status: TenantStatus,
    /// Single sign-on, when the portal offers it.
    pub sso: Option<SsoProvider>,
    /// LDAP logins are on: LDAP accounts need the plain password (no
    /// [`AuthBuilder::hash_password`](crate::AuthBuilder::hash_password)).
    pub ldap_enabled: bool,
    /// The social login providers switched on (`google`, `microsoft`, ...), in the portal's order.
    pub providers: Vec<String>,
    /// The parameters of the client-side password hash (§11).
    pub password_hash: Option<PasswordHashParams>,
    /// The captcha the portal shows after a lockout, if it has one.
    pub captcha: Option<Captcha>,
}

/// A portal's state (`tenantStatus`, docs/protocol.md §10.2).
///
/// ```
/// use docspace_auth::TenantStatus;
/// assert_eq!(TenantStatus::from_code(0), TenantStatus::Active);
/// assert!(TenantStatus::Active.accepts_logins());
/// assert!(!TenantStatus::from_code(3).accepts_logins());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TenantStatus {
    /// 0: serving.
    Active,
    /// 1: suspended (logins answer 404).
    Suspended,
    /// 2: about to be removed.
    RemovePending,
    /// 3: being moved to another region.
    Transferring,
    /// 4: being restored from a backup.
    Restoring,
    /// 5: being migrated.
    Migrating,
    /// 6: its storage is being encrypted.
    Encryption,
    /// A value this version does not know.
    Other(i64),
}

impl TenantStatus {
    /// The status for a `tenantStatus` value.
    ///
    /// ```
    /// assert_eq!(docspace_auth::TenantStatus::from_code(6), docspace_auth::TenantStatus::Encryption);
    /// ```
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => TenantStatus::Active,
            1 => TenantStatus::Suspended,
            2 => TenantStatus::RemovePending,
            3 => TenantStatus::Transferring,
            4 => TenantStatus::Restoring,
            5 => TenantStatus::Migrating,
            6 => TenantStatus::Encryption,
            other => TenantStatus::Other(other),
        }
    }

    /// Whether logins can succeed in this state (only [`TenantStatus::Active`] and
    /// [`TenantStatus::Migrating`]).
    ///
    /// ```
    /// assert!(!docspace_auth::TenantStatus::Suspended.accepts_logins());
    /// ```
    pub fn accepts_logins(self) -> bool {
        matches!(self, TenantStatus::Active | TenantStatus::Migrating)
    }
}

/// Where and how a portal offers single sign-on (docs/protocol.md §13).
///
/// ```
/// let sso = docspace_auth::SsoProvider {
///     url: "https://portal.example.com/sso/login".into(),
///     label: "Single Sign-on".into(),
/// };
/// assert!(sso.url.ends_with("/sso/login"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProvider {
    /// The address to open in a web view (`ssoUrl`).
    pub url: String,
    /// The button's label (`ssoLabel`).
    pub label: String,
}

/// The kind of a captcha (`recaptchaType`, docs/protocol.md §12.3).
///
/// ```
/// use docspace_auth::CaptchaKind;
/// assert_eq!(CaptchaKind::HCaptcha.code(), 3);
/// assert_eq!(CaptchaKind::from_code(0), Some(CaptchaKind::Recaptcha));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptchaKind {
    /// 0: Google reCAPTCHA (web).
    Recaptcha,
    /// 1: reCAPTCHA for Android.
    RecaptchaAndroid,
    /// 2: reCAPTCHA for iOS.
    RecaptchaIos,
    /// 3: hCaptcha.
    HCaptcha,
}

impl CaptchaKind {
    /// The `recaptchaType` number.
    ///
    /// ```
    /// assert_eq!(docspace_auth::CaptchaKind::RecaptchaIos.code(), 2);
    /// ```
    pub fn code(self) -> u8 {
        match self {
            CaptchaKind::Recaptcha => 0,
            CaptchaKind::RecaptchaAndroid => 1,
            CaptchaKind::RecaptchaIos => 2,
            CaptchaKind::HCaptcha => 3,
        }
    }

    /// The kind for a `recaptchaType` number, `None` for an unknown one.
    ///
    /// ```
    /// assert_eq!(docspace_auth::CaptchaKind::from_code(9), None);
    /// ```
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => CaptchaKind::Recaptcha,
            1 => CaptchaKind::RecaptchaAndroid,
            2 => CaptchaKind::RecaptchaIos,
            3 => CaptchaKind::HCaptcha,
            _ => return None,
        })
    }
}

/// A portal's captcha: show a widget of `kind` with `public_key` (the site key) after
/// [`Error::LockedOut`], then log in with [`CaptchaAnswer`].
///
/// ```
/// use docspace_auth::{Captcha, CaptchaKind};
/// let captcha = Captcha { kind: CaptchaKind::HCaptcha, public_key: "site-key".into() };
/// assert_eq!(captcha.kind.code(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captcha {
    /// Which widget.
    pub kind: CaptchaKind,
    /// Its site key.
    pub public_key: String,
}

/// The answer of a captcha widget, sent with a login
/// ([`Auth::login_with_captcha`](crate::Auth::login_with_captcha)). Its `Debug` redacts the
/// response token.
///
/// ```
/// use docspace_auth::{CaptchaAnswer, CaptchaKind};
/// let answer = CaptchaAnswer::new(CaptchaKind::Recaptcha, "token-from-the-widget");
/// assert!(!format!("{answer:?}").contains("token-from"));
/// ```
#[derive(Clone)]
pub struct CaptchaAnswer {
    pub(crate) kind: CaptchaKind,
    pub(crate) response: SecretString,
}

impl CaptchaAnswer {
    /// The widget's `response` token for a captcha of `kind` (the portal's
    /// [`Captcha::kind`]).
    ///
    /// ```
    /// let answer = docspace_auth::CaptchaAnswer::new(docspace_auth::CaptchaKind::HCaptcha, "t");
    /// assert_eq!(answer.kind(), docspace_auth::CaptchaKind::HCaptcha);
    /// ```
    pub fn new(kind: CaptchaKind, response: impl Into<String>) -> Self {
        CaptchaAnswer {
            kind,
            response: SecretString::from(response.into()),
        }
    }

    /// The captcha kind.
    ///
    /// ```
    /// let answer = docspace_auth::CaptchaAnswer::new(docspace_auth::CaptchaKind::Recaptcha, "t");
    /// assert_eq!(answer.kind().code(), 0);
    /// ```
    pub fn kind(&self) -> CaptchaKind {
        self.kind
    }
}

impl fmt::Debug for CaptchaAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptchaAnswer")
            .field("kind", &self.kind)
            .field("response", &"[REDACTED]")
            .finish()
    }
}

/// Most iterations accepted from a portal (the server's default is 100 000): a hostile
/// portal must not make the client spin.
const MAX_ITERATIONS: u32 = 5_000_000;
/// Longest hash accepted, in bits (the server's default is 256).
const MAX_SIZE_BITS: u32 = 4096;

/// The parameters of the client-side password hash (`passwordHash`, docs/protocol.md §11.1):
/// PBKDF2-HMAC-SHA256 of the trimmed password, with the salt's UTF-8 bytes (not hex-decoded),
/// `iterations` rounds, `size` bits, as lowercase hex.
///
/// ```
/// use docspace_auth::{secrecy::{ExposeSecret, SecretString}, PasswordHashParams};
/// let params = PasswordHashParams { salt: "my-salt".into(), iterations: 1000, size: 256 };
/// let hash = params.hash(&SecretString::from("  Password123!  "))?;
/// assert_eq!(hash.expose_secret(),
///            "4db1579b3d294a386b2115e443764d5b7a43612382bcd9d23f1f92997cc857a2");
/// # Ok::<(), docspace_auth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHashParams {
    /// The salt, used as its UTF-8 bytes.
    pub salt: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// Length of the hash in bits.
    pub size: u32,
}

impl PasswordHashParams {
    /// The `passwordHash` of `password`. [`Error::UnexpectedResponse`] for parameters no
    /// portal would send (no iterations, more than 5 000 000, a size that is not a positive
    /// multiple of 8 up to 4096 bits).
    ///
    /// ```
    /// use docspace_auth::{secrecy::SecretString, Error, PasswordHashParams};
    /// let bad = PasswordHashParams { salt: "s".into(), iterations: 0, size: 256 };
    /// assert!(matches!(bad.hash(&SecretString::from("pw")), Err(Error::UnexpectedResponse { .. })));
    /// ```
    pub fn hash(&self, password: &SecretString) -> Result<SecretString, Error> {
        let iterations = NonZeroU32::new(self.iterations)
            .filter(|n| n.get() <= MAX_ITERATIONS)
            .ok_or_else(|| {
                Error::unexpected("the portal's password hash iterations are out of range")
            })?;
        if self.size == 0 || self.size % 8 != 0 || self.size > MAX_SIZE_BITS {
            return Err(Error::unexpected(
                "the portal's password hash size is out of range",
            ));
        }
        let mut out = Zeroizing::new(vec![0u8; (self.size / 8) as usize]);
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            self.salt.as_bytes(),
            password.expose_secret().trim().as_bytes(),
            &mut out,
        );
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(out.len() * 2);
        for byte in out.iter() {
            hex.push(HEX[usize::from(byte >> 4)] as char);
            hex.push(HEX[usize::from(byte & 0xf)] as char);
        }
        Ok(SecretString::from(hex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn hash(password: &str, salt: &str, iterations: u32, size: u32) -> String {
        let params = PasswordHashParams {
            salt: salt.into(),
            iterations,
            size,
        };
        params
            .hash(&SecretString::from(password))
            .unwrap()
            .expose_secret()
            .to_owned()
    }

    /// docs/protocol.md §11.5, every row.
    #[test]
    fn test_vectors() {
        let full = "cc9a39841c506c74088ae4cadcd50a6af988a36e5849b908d1e98420f5c45f3f";
        assert_eq!(hash("Password123!", SALT, 100_000, 256), full);
        assert_eq!(hash("  Password123!  ", SALT, 100_000, 256), full);
        assert_eq!(
            hash("Пароль-123 ü", SALT, 100_000, 256),
            "09c163a4afb84247d5b9d629f4a02a613b1f8b2e873c18e2fccfec76187b844c"
        );
        assert_eq!(
            hash(
                "Password123!",
                "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c",
                100_000,
                256
            ),
            "c7e75117727202437c2d9d1e996d53b8865fc351bf0f88c6202d10e8d13de703"
        );
        assert_eq!(
            hash("Password123!", "my-salt", 1000, 256),
            "4db1579b3d294a386b2115e443764d5b7a43612382bcd9d23f1f92997cc857a2"
        );
        assert_eq!(
            hash("Password123!", SALT, 100_000, 128),
            "cc9a39841c506c74088ae4cadcd50a6a"
        );
        assert_eq!(
            hash("Password123!", SALT, 100_000, 512),
            "cc9a39841c506c74088ae4cadcd50a6af988a36e5849b908d1e98420f5c45f3f\
             d7e8e7d37cb04f5e4aeeba01bdbe075f6003dcba7f8e29735c5ffedd4832ff3e"
        );
    }

    #[test]
    fn out_of_range_parameters_are_refused() {
        for (iterations, size) in [
            (0, 256),
            (MAX_ITERATIONS + 1, 256),
            (1, 0),
            (1, 12),
            (1, 8192),
        ] {
            let params = PasswordHashParams {
                salt: "s".into(),
                iterations,
                size,
            };
            assert!(matches!(
                params.hash(&SecretString::from("pw")),
                Err(Error::UnexpectedResponse { .. })
            ));
        }
    }
}
