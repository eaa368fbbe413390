//! The records, enums and small objects that cross the FFI (client options, user, SMS sent, login
//! result, challenge, enrolment, backup code), their conversions from the core types, and how a
//! time crosses the FFI.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use docspace_auth as core;
use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::Auth;

#[cfg(doc)]
use crate::DocspaceClient;
use crate::{PendingLogin, Session};

/// A time as it crosses the FFI: whole microseconds (rounded down). Python's binding turns the
/// nanoseconds into a float number of microseconds that `timedelta` rounds to the nearest one,
/// so `9999-12-31T23:59:59.9999999` would round past `datetime.max` and raise
/// `OverflowError` when the value is read.
pub(crate) fn ffi_time(time: Option<SystemTime>) -> Option<SystemTime> {
    let time = time?;
    Some(match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => {
            let rest = Duration::from_nanos(u64::from(after.subsec_nanos() % 1_000));
            time.checked_sub(rest).unwrap_or(time)
        }
        Err(before) => {
            let rest = before.duration().subsec_nanos() % 1_000;
            let rest = Duration::from_nanos(u64::from((1_000 - rest) % 1_000));
            time.checked_sub(rest).unwrap_or(time)
        }
    })
}

/// Options of a [`DocspaceClient`] (and of [`Session::resume`]). Every field has a default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// Whole-request timeout (default 30 s): `java.time.Duration` in Kotlin, `TimeInterval`
    /// in Swift, `datetime.timedelta` in Python.
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// Connect timeout (default 10 s).
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    /// An extra CA certificate (PEM) trusted on top of the platform's trust store, for portals
    /// with a private CA.
    #[uniffi(default = None)]
    pub extra_root_certificate_pem: Option<String>,
    /// The DocSpace `session` flag sent with the credentials (default false).
    #[uniffi(default = false)]
    pub session: bool,
    /// The `User-Agent` header (default `docspace-auth/<version>`).
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
    /// Send the password's client-side hash (`passwordHash`) instead of the password (default
    /// false). Leave it off for LDAP accounts (`PortalInfo.ldap_enabled`).
    #[uniffi(default = false)]
    pub hash_password: bool,
}

impl ClientOptions {
    /// The core builder for `portal_url` with these options.
    pub(crate) fn builder(&self, portal_url: &str) -> core::AuthBuilder {
        let mut builder = Auth::builder(portal_url)
            .session(self.session)
            .hash_password(self.hash_password);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(pem) = &self.extra_root_certificate_pem {
            builder = builder.add_root_certificate_pem(pem.as_bytes());
        }
        if let Some(user_agent) = &self.user_agent {
            builder = builder.user_agent(user_agent.as_str());
        }
        builder
    }
}

/// The logged-in user's profile.
#[derive(Debug, Clone, uniffi::Record)]
pub struct User {
    /// The user's id (a GUID).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// First name, if the server sent it.
    pub first_name: Option<String>,
    /// Last name, if the server sent it.
    pub last_name: Option<String>,
    /// Whether the user logs in with single sign-on.
    pub is_sso: bool,
    /// Whether the user is an LDAP account.
    pub is_ldap: bool,
}

impl From<core::User> for User {
    fn from(user: core::User) -> Self {
        User {
            id: user.id,
            display_name: user.display_name,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            is_sso: user.is_sso.unwrap_or(false),
            is_ldap: user.is_ldap.unwrap_or(false),
        }
    }
}

/// A new SMS code was sent.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SmsSent {
    /// The masked phone number, e.g. `+1555*****4567`.
    pub phone_noise: String,
    /// When the code expires, if the server said.
    pub expires: Option<SystemTime>,
}

/// What `login` leads to.
#[derive(uniffi::Enum)]
pub enum LoginResult {
    /// No second factor: logged in.
    Authenticated {
        /// The session.
        session: Arc<Session>,
    },
    /// A second factor is required: see [`PendingLogin::challenge`].
    TfaRequired {
        /// The pending login.
        pending: Arc<PendingLogin>,
    },
}

/// Which second factor the server asks for.
#[derive(Clone, uniffi::Enum)]
pub enum Challenge {
    /// Authenticator app, enrolled: enter its current code (or a backup code).
    App,
    /// Authenticator app, not enrolled yet: add the secret to an authenticator (see
    /// [`Enrollment`]), then enter its current code.
    AppEnrollment {
        /// The enrolment data (holds the secret, so it is an object, not a record).
        enrollment: Arc<Enrollment>,
    },
    /// A code was sent by SMS.
    Sms {
        /// The masked phone number.
        phone_noise: String,
        /// When the code expires, if the server said.
        expires: Option<SystemTime>,
    },
    /// SMS is required but the user has no activated phone yet: give one with
    /// `PendingLogin.set_phone`, which sends a code to it (the challenge becomes `Sms`).
    SmsPhoneActivation {
        /// The portal's phone activation link.
        confirm_url: String,
    },
}

impl From<&core::Challenge> for Challenge {
    fn from(challenge: &core::Challenge) -> Self {
        match challenge {
            core::Challenge::App => Challenge::App,
            core::Challenge::AppEnrollment(enrollment) => Challenge::AppEnrollment {
                enrollment: Arc::new(Enrollment {
                    inner: enrollment.clone(),
                }),
            },
            core::Challenge::Sms {
                phone_noise,
                expires,
            } => Challenge::Sms {
                phone_noise: phone_noise.clone(),
                expires: ffi_time(*expires),
            },
            core::Challenge::SmsPhoneActivation { confirm_url } => Challenge::SmsPhoneActivation {
                confirm_url: confirm_url.clone(),
            },
        }
    }
}

/// Authenticator enrolment data. An object (not a record) because it holds the TOTP secret:
/// records print every field.
#[derive(uniffi::Object)]
pub struct Enrollment {
    inner: core::Enrollment,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrollment([REDACTED])")
    }
}

#[uniffi::export]
impl Enrollment {
    /// The TOTP secret (Base32 "manual entry key") to add to an authenticator app.
    pub fn secret(&self) -> String {
        self.inner.secret().expose_secret().to_owned()
    }

    /// The `otpauth://totp/...` URI to show as a QR code (contains the secret).
    pub fn provisioning_uri(&self) -> String {
        self.inner.provisioning_uri().expose_secret().to_owned()
    }

    /// The portal's browser page for enrolment (empty if the server sent none).
    pub fn confirm_url(&self) -> String {
        self.inner.confirm_url().to_owned()
    }
}

/// One backup code. An object because the code is a secret.
#[derive(uniffi::Object)]
pub struct BackupCode {
    code: SecretString,
    is_used: bool,
}

impl From<core::BackupCode> for BackupCode {
    fn from(code: core::BackupCode) -> Self {
        BackupCode {
            code: code.code,
            is_used: code.is_used,
        }
    }
}

impl std::fmt::Debug for BackupCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupCode")
            .field("code", &"[REDACTED]")
            .field("is_used", &self.is_used)
            .finish()
    }
}

#[uniffi::export]
impl BackupCode {
    /// The code (6 characters, case-sensitive).
    pub fn code(&self) -> String {
        self.code.expose_secret().to_owned()
    }

    /// Whether it was used already (each works once).
    pub fn is_used(&self) -> bool {
        self.is_used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_cross_the_ffi_in_whole_microseconds_rounded_down() {
        let epoch = SystemTime::UNIX_EPOCH;
        // .NET's DateTime.MaxValue, 9999-12-31T23:59:59.9999999.
        let max = epoch + Duration::new(253_402_300_799, 999_999_900);
        assert_eq!(
            ffi_time(Some(max)),
            Some(epoch + Duration::new(253_402_300_799, 999_999_000))
        );
        let exact = epoch + Duration::new(1_814_436_791, 123_456_000);
        assert_eq!(ffi_time(Some(exact)), Some(exact));
        let before = epoch - Duration::new(10, 1_500);
        assert_eq!(
            ffi_time(Some(before)),
            Some(epoch - Duration::new(10, 2_000))
        );
        assert_eq!(ffi_time(None), None);
    }
}
