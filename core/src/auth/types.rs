//! The values the login flow hands out: [`LoginOutcome`], [`Challenge`], [`Enrollment`],
//! [`SmsSent`], [`User`], [`BackupCode`]. They are built from the wire in [`super::mapping`].

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
    /// SMS is required but the user has no activated phone: it must be set up in a browser at
    /// `confirm_url` first.
    SmsPhoneActivation {
        /// The portal's phone activation page.
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
