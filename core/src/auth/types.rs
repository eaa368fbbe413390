//! The values the login flow hands out: [`LoginOutcome`], [`Challenge`], [`Enrollment`],
//! [`SmsSent`], [`User`], [`BackupCode`], [`ActiveSession`], [`LoggedOut`]. They are built from the wire in [`super::mapping`].

use std::fmt;
use std::time::SystemTime;

use secrecy::SecretString;
use serde::Deserialize;

use super::{Auth, Authenticated, TfaPending};

/// What [`Auth::login`] leads to.
///
/// ```no_run
/// # use docspace_auth::{secrecy::SecretString, Auth, LoginOutcome};
/// # async fn run() -> Result<(), docspace_auth::Error> {
/// match Auth::new("https://portal.example.com")?
///     .login("alice@example.com", SecretString::from("alice-pass"))
///     .await?
/// {
///     LoginOutcome::Authenticated(session) => println!("token expires {:?}", session.expires()),
///     LoginOutcome::TfaRequired(pending) => println!("second factor: {:?}", pending.challenge()),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum LoginOutcome {
    /// No second factor: logged in.
    Authenticated(Auth<Authenticated>),
    /// A second factor is required: see [`Auth::challenge`].
    TfaRequired(Auth<TfaPending>),
}

/// Which second factor the server asks for (docs/protocol.md §2.1 b–e).
///
/// ```no_run
/// # use docspace_auth::{Auth, TfaPending, Challenge};
/// # fn show(pending: &Auth<TfaPending>) {
/// match pending.challenge() {
///     Challenge::App => println!("enter the code from your authenticator app"),
///     Challenge::AppEnrollment(e) => println!("set up your authenticator first: {}", e.confirm_url()),
///     Challenge::Sms { phone_noise, .. } => println!("enter the code sent to {phone_noise}"),
///     Challenge::SmsPhoneActivation { confirm_url } => println!("activate your phone at {confirm_url}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub enum Challenge {
    /// Authenticator app, already enrolled: enter its current code (or a backup code).
    App,
    /// Authenticator app, not enrolled yet: add the secret to an authenticator, then enter its
    /// current code. The first accepted code enrols the user (and creates backup codes).
    AppEnrollment(Enrollment),
    /// A code was sent by SMS to `phone_noise` (masked), valid until `expires`.
    Sms {
        /// The masked phone number, e.g. `+1555*****4567`.
        phone_noise: String,
        /// When the SMS code expires, if the server said.
        expires: Option<SystemTime>,
    },
    /// SMS is required but the user has no activated phone yet: give one with
    /// [`Auth::set_phone`], which sends a code to it and turns this into [`Challenge::Sms`].
    SmsPhoneActivation {
        /// The portal's phone activation link; its query is the key `set_phone` sends.
        confirm_url: String,
    },
}

/// Authenticator enrolment data: the TOTP secret the server sent as `tfaKey` and what to
/// show the user. Its `Debug` redacts the secret.
///
/// ```no_run
/// # use docspace_auth::{secrecy::ExposeSecret, Auth, Challenge, TfaPending};
/// # fn show(pending: &Auth<TfaPending>) {
/// if let Challenge::AppEnrollment(enrollment) = pending.challenge() {
///     println!("manual entry key: {}", enrollment.secret().expose_secret());
///     println!("QR content: {}", enrollment.provisioning_uri().expose_secret());
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Enrollment {
    pub(super) secret: SecretString,
    pub(super) issuer: String,
    pub(super) account: String,
    pub(super) confirm_url: String,
}

impl Enrollment {
    /// The TOTP secret (Base32, the "manual entry key") to add to an authenticator app.
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::ExposeSecret, Enrollment};
    /// # fn show(enrollment: &Enrollment) {
    /// println!("key: {}", enrollment.secret().expose_secret());
    /// # }
    /// ```
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// The `otpauth://totp/...` URI to show as a QR code, built as docs/protocol.md §4.4 says, with
    /// the portal host as issuer and the login name as account. It contains the secret.
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::ExposeSecret, Enrollment};
    /// # fn show(enrollment: &Enrollment) {
    /// let uri = enrollment.provisioning_uri();
    /// assert!(uri.expose_secret().starts_with("otpauth://totp/"));
    /// # }
    /// ```
    pub fn provisioning_uri(&self) -> SecretString {
        crate::totp::provisioning_uri(&self.issuer, &self.account, &self.secret)
    }

    /// The portal's browser page for enrolment (`confirmUrl`; empty if the server sent none).
    ///
    /// ```no_run
    /// # fn show(enrollment: &docspace_auth::Enrollment) {
    /// println!("or enrol in a browser: {}", enrollment.confirm_url());
    /// # }
    /// ```
    pub fn confirm_url(&self) -> &str {
        &self.confirm_url
    }

    /// The issuer shown in the authenticator (the portal host).
    ///
    /// ```no_run
    /// # fn show(enrollment: &docspace_auth::Enrollment) {
    /// println!("issuer: {}", enrollment.issuer());
    /// # }
    /// ```
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The account shown in the authenticator (the login name).
    ///
    /// ```no_run
    /// # fn show(enrollment: &docspace_auth::Enrollment) {
    /// println!("account: {}", enrollment.account());
    /// # }
    /// ```
    pub fn account(&self) -> &str {
        &self.account
    }
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enrollment")
            .field("secret", &"[REDACTED]")
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("confirm_url", &self.confirm_url)
            .finish()
    }
}

/// A new SMS code was sent (see [`Auth::resend_sms`]).
///
/// ```no_run
/// # use docspace_auth::{Auth, TfaPending};
/// # async fn run(pending: &Auth<TfaPending>) -> Result<(), docspace_auth::Error> {
/// let sent = pending.resend_sms().await?;
/// println!("sent to {}, valid until {:?}", sent.phone_noise, sent.expires);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SmsSent {
    /// The masked phone number.
    pub phone_noise: String,
    /// When the code expires, if the server said.
    pub expires: Option<SystemTime>,
}

/// The user's profile from `GET /api/2.0/people/@self`. Fields the server omits are empty or
/// `None`.
///
/// ```no_run
/// # use docspace_auth::{Auth, Authenticated};
/// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
/// let me = session.me().await?;
/// println!("{} <{}> id {}", me.display_name, me.email, me.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The user's id (a GUID).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// The `userName` profile field (not the login name).
    #[serde(default)]
    pub user_name: Option<String>,
    /// Whether the user is a portal admin.
    #[serde(default)]
    pub is_admin: Option<bool>,
    /// Whether the user owns the portal.
    #[serde(default)]
    pub is_owner: Option<bool>,
    /// Whether the user has the authenticator app enabled.
    #[serde(default)]
    pub tfa_app_enabled: Option<bool>,
    /// The user's culture, e.g. `en-US`.
    #[serde(default)]
    pub culture_name: Option<String>,
    /// Whether the user logs in with single sign-on (has a SAML name id).
    #[serde(default, rename = "isSSO")]
    pub is_sso: Option<bool>,
    /// Whether the user is an LDAP account (send the plain password, docs/protocol.md §11.4).
    #[serde(default, rename = "isLDAP")]
    pub is_ldap: Option<bool>,
}

/// One backup (recovery) code, from [`Auth::backup_codes`]. Each works once.
///
/// ```no_run
/// # use docspace_auth::{secrecy::ExposeSecret, Auth, Authenticated};
/// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
/// for code in session.backup_codes().await? {
///     if !code.is_used {
///         println!("{}", code.code.expose_secret());
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BackupCode {
    /// The code (6 characters of `[A-Za-z0-9_-]`, case-sensitive).
    pub code: SecretString,
    /// Whether it has already been used.
    pub is_used: bool,
}

/// One of the user's active sessions (a login event), from [`Auth::sessions`]
/// (docs/protocol.md §15.2).
///
/// ```no_run
/// # use docspace_auth::{Auth, Authenticated};
/// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
/// for s in session.sessions().await? {
///     let this = if s.current { " (this one)" } else { "" };
///     println!("{} {} {:?} {:?}{this}", s.id, s.ip, s.browser, s.platform);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActiveSession {
    /// The login event's id (for [`Auth::end_session`]).
    pub id: i64,
    /// Whether it is the session this client runs in.
    pub current: bool,
    /// Whether the server flagged it as mobile (in practice always `false`).
    pub mobile: bool,
    /// The IP address it logged in from (an IPv6 address is cut at its first `:` by the server).
    pub ip: String,
    /// Country, from GeoIP, when known.
    pub country: Option<String>,
    /// City, from GeoIP, when known.
    pub city: Option<String>,
    /// The browser, from its User-Agent.
    pub browser: Option<String>,
    /// The platform, from its User-Agent.
    pub platform: Option<String>,
    /// When it logged in.
    pub date: Option<SystemTime>,
    /// The page it logged in from (the Referer), when known.
    pub page: Option<String>,
}

/// What [`Auth::logout`] leads to.
///
/// ```no_run
/// # use docspace_auth::{Auth, Authenticated};
/// # async fn run(session: Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
/// let logged_out = session.logout().await?;
/// if let Some(url) = logged_out.sso_logout_url {
///     println!("also end the identity provider's session: open {url} in the web view");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LoggedOut {
    /// For a user who logged in with SSO, when the portal has single logout configured: the
    /// absolute address that ends the identity provider's session too (docs/protocol.md §13.5),
    /// to open in the web view the login used.
    pub sso_logout_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_debug_redacts_the_secret() {
        let enrollment = Enrollment {
            secret: SecretString::from("JBSWY3DPEHPK3PXP"),
            issuer: "127.0.0.1".into(),
            account: "carol@example.com".into(),
            confirm_url: "http://127.0.0.1:1/confirm".into(),
        };
        let text = format!(
            "{enrollment:?} {:?}",
            Challenge::AppEnrollment(enrollment.clone())
        );
        assert!(!text.contains("JBSWY3DP"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
        assert!(text.contains("carol@example.com"), "{text}");
    }

    #[test]
    fn backup_code_debug_redacts_the_code() {
        let code = BackupCode {
            code: SecretString::from("aB3-x_"),
            is_used: false,
        };
        assert!(!format!("{code:?}").contains("aB3-x_"));
    }
}
