//! uniffi bindings (Kotlin, Swift, Python) for `docspace-auth`.
//!
//! One object per state of the login: [`DocspaceClient`] (nobody logged in), [`PendingLogin`]
//! (password accepted, second factor pending) and [`Session`] (logged in). Every network call is
//! async on a tokio runtime; every error is one [`AuthError`] whose message carries no secret.
//! See `ffi/README.md` for the names in each language.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use docspace_auth as core;
use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{Auth, Authenticated, TfaPending, Unauthenticated};
use tokio::sync::{oneshot, Mutex, RwLock};
use zeroize::Zeroizing;

uniffi::setup_scaffolding!();

#[cfg(target_os = "android")]
mod android;

/// Applies uniffi's export attribute with the tokio runtime to an `impl` block, so that every
/// async method of every object runs on the same runtime (one place to change it).
macro_rules! export_tokio {
    ($($item:tt)*) => {
        #[uniffi::export(async_runtime = "tokio")]
        $($item)*
    };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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

/// A time as it crosses the FFI: whole microseconds (rounded down). Python's binding turns the
/// nanoseconds into a float number of microseconds that `timedelta` rounds to the nearest one,
/// so `9999-12-31T23:59:59.9999999` would round past `datetime.max` and raise
/// `OverflowError` when the value is read.
fn ffi_time(time: Option<SystemTime>) -> Option<SystemTime> {
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

fn pending_used() -> AuthError {
    AuthError::AlreadyUsed("this login was already confirmed; log in again".to_owned())
}

fn pending_parked() -> AuthError {
    AuthError::AlreadyUsed(
        "this login was already confirmed and its session is waiting: the next confirm returns it \
         (with any well-formed code, nothing is sent)"
            .to_owned(),
    )
}

fn session_used() -> AuthError {
    AuthError::AlreadyUsed("this session was logged out; log in again".to_owned())
}

// ---------------------------------------------------------------------------------------------
// Options and records
// ---------------------------------------------------------------------------------------------

/// Options of a [`DocspaceClient`] (and of [`Session::resume`]). Every field has a default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// Whole-request timeout in milliseconds (default 30 000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Connect timeout in milliseconds (default 10 000).
    #[uniffi(default = None)]
    pub connect_timeout_ms: Option<u64>,
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
}

fn builder(portal_url: &str, options: &ClientOptions) -> core::AuthBuilder {
    let mut builder = Auth::builder(portal_url).session(options.session);
    if let Some(ms) = options.timeout_ms {
        builder = builder.timeout(Duration::from_millis(ms));
    }
    if let Some(ms) = options.connect_timeout_ms {
        builder = builder.connect_timeout(Duration::from_millis(ms));
    }
    if let Some(pem) = &options.extra_root_certificate_pem {
        builder = builder.add_root_certificate_pem(pem.as_bytes());
    }
    if let Some(user_agent) = &options.user_agent {
        builder = builder.user_agent(user_agent.as_str());
    }
    builder
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
}

impl From<core::User> for User {
    fn from(user: core::User) -> Self {
        User {
            id: user.id,
            display_name: user.display_name,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
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
    /// SMS is required but the user has no activated phone: set it up in a browser first.
    SmsPhoneActivation {
        /// The portal's phone activation page.
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

// ---------------------------------------------------------------------------------------------
// Enrollment, BackupCode
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// DocspaceClient
// ---------------------------------------------------------------------------------------------

/// A client for one portal; nobody logged in yet.
#[derive(uniffi::Object)]
pub struct DocspaceClient {
    auth: Auth<Unauthenticated>,
}

impl std::fmt::Debug for DocspaceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocspaceClient")
            .field("portal_url", &self.auth.portal_url())
            .finish()
    }
}

export_tokio! {
impl DocspaceClient {
    /// A client for `portal_url`. `http://` is refused ([`AuthError::InsecureUrl`]) unless
    /// the host is loopback; checked here, before any connection. `options` may be left out
    /// (default `ClientOptions()`).
    #[uniffi::constructor(default(options))]
    pub fn new(portal_url: String, options: ClientOptions) -> Result<Arc<Self>, AuthError> {
        let auth = builder(&portal_url, &options).build()?;
        Ok(Arc::new(DocspaceClient { auth }))
    }

    /// The portal URL, normalized (with a trailing slash).
    pub fn portal_url(&self) -> String {
        self.auth.portal_url().to_owned()
    }

    /// Logs in with e-mail and password. The client can log in again (for instance after a
    /// wrong password).
    pub async fn login(&self, user: String, password: String) -> Result<LoginResult, AuthError> {
        let password = SecretString::from(password);
        match self.auth.clone().login(&user, password).await? {
            core::LoginOutcome::Authenticated(session) => Ok(LoginResult::Authenticated {
                session: Arc::new(Session::from_core(session)),
            }),
            core::LoginOutcome::TfaRequired(pending) => Ok(LoginResult::TfaRequired {
                pending: Arc::new(PendingLogin::from_core(pending)),
            }),
        }
    }
}
}

// ---------------------------------------------------------------------------------------------
// PendingLogin
// ---------------------------------------------------------------------------------------------

enum PendingState {
    /// Waiting for a code.
    Pending(Auth<TfaPending>),
    /// The server accepted a confirm's code; its caller has not claimed the session yet (or was
    /// cancelled): the next claim, or the next `confirm`, hands it out without sending a code.
    Unclaimed(Auth<Authenticated>),
    /// Confirmed: the session was handed out.
    Used,
}

/// The password was accepted; a second factor is pending.
///
/// A rejected code leaves it usable; a successful `confirm` uses it up (then every call is
/// [`AuthError::AlreadyUsed`]). Calls are serialized: a second `confirm` waits for the first.
/// A cancelled `confirm` leaves it usable: its request finishes in the background and, if the
/// server accepted the code, the next `confirm` returns that session.
#[derive(uniffi::Object)]
pub struct PendingLogin {
    challenge: Challenge,
    user: String,
    state: Arc<Mutex<PendingState>>,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl PendingLogin {
    /// Takes the session that a confirm parked in the state. Another confirm may have claimed
    /// it first (it was waiting for the lock): then this one is [`AuthError::AlreadyUsed`].
    async fn claim(&self) -> Result<Arc<Session>, AuthError> {
        let mut guard = self.state.lock().await;
        match std::mem::replace(&mut *guard, PendingState::Used) {
            PendingState::Unclaimed(session) => Ok(Arc::new(Session::from_core(session))),
            other => {
                *guard = other;
                Err(pending_used())
            }
        }
    }

    fn from_core(pending: Auth<TfaPending>) -> Self {
        PendingLogin {
            challenge: Challenge::from(pending.challenge()),
            user: pending.user().to_owned(),
            state: Arc::new(Mutex::new(PendingState::Pending(pending))),
        }
    }
}

export_tokio! {
impl PendingLogin {
    /// Which second factor the server asks for.
    pub fn challenge(&self) -> Challenge {
        self.challenge.clone()
    }

    /// The login name this second factor is for.
    pub fn user(&self) -> String {
        self.user.clone()
    }

    /// Sends a code (6 digits, or a 6-character backup code; spaces are ignored). A malformed
    /// code is [`AuthError::InvalidCodeFormat`] without any request.
    pub async fn confirm(&self, code: String) -> Result<Arc<Session>, AuthError> {
        let code = core::Code::parse(&Zeroizing::new(code))?;
        // One confirm at a time: the lock is held until the request is over.
        let mut guard = self.state.clone().lock_owned().await;
        let pending = match std::mem::replace(&mut *guard, PendingState::Used) {
            PendingState::Pending(pending) => pending,
            PendingState::Unclaimed(session) => return Ok(Arc::new(Session::from_core(session))),
            PendingState::Used => return Err(pending_used()),
        };
        // The request runs in its own task, which owns the lock: if the caller is cancelled,
        // the request still completes and the state is put back. A session the server issued
        // is always parked in the state first, and the caller claims it from there: a caller
        // cancelled at any point leaves it for the next `confirm` instead of losing it.
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let outcome = match pending.confirm(code).await {
                Ok(session) => {
                    *guard = PendingState::Unclaimed(session);
                    Ok(())
                }
                Err(rejected) => {
                    let (error, pending) = rejected.into_parts();
                    *guard = PendingState::Pending(pending);
                    Err(AuthError::from(error))
                }
            };
            drop(guard);
            // Nobody waiting (cancelled): the state already says everything.
            let _ = tx.send(outcome);
        });
        match rx.await {
            Ok(Ok(())) => self.claim().await,
            Ok(Err(error)) => Err(error),
            Err(_) => Err(AuthError::Other("the confirm task ended unexpectedly".to_owned())),
        }
    }

    /// Asks the server to send a new SMS code. Waits for a confirm in flight. Once a confirm
    /// succeeded it is [`AuthError::AlreadyUsed`] without any request: if that confirm's caller
    /// was cancelled before it got the session, the message says that the next `confirm`
    /// returns it.
    pub async fn resend_sms(&self) -> Result<SmsSent, AuthError> {
        let guard = self.state.lock().await;
        match &*guard {
            PendingState::Pending(pending) => {
                let sent = pending.resend_sms().await?;
                Ok(SmsSent {
                    phone_noise: sent.phone_noise,
                    expires: ffi_time(sent.expires),
                })
            }
            PendingState::Unclaimed(_) => Err(pending_parked()),
            PendingState::Used => Err(pending_used()),
        }
    }
}
}

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

/// Logged in. `logout` revokes the token; after it every call is [`AuthError::AlreadyUsed`].
///
/// The token and the expiry never change for a session: they are kept here, so that the sync
/// accessors never wait for (nor fail because of) an async call in flight.
#[derive(uniffi::Object)]
pub struct Session {
    /// `None` once a logout took the session to send its request. Async calls hold a read
    /// lock; `logout` takes the write lock (it waits for the calls in flight).
    state: RwLock<Option<Auth<Authenticated>>>,
    token: SecretString,
    expires: Option<SystemTime>,
    /// Set when a logout commits (takes the session to send its request), never cleared.
    logged_out: AtomicBool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Session {
    fn from_core(session: Auth<Authenticated>) -> Self {
        Session {
            token: session.token().clone(),
            expires: ffi_time(session.expires()),
            logged_out: AtomicBool::new(false),
            state: RwLock::new(Some(session)),
        }
    }
}

export_tokio! {
impl Session {
    /// Resumes a session from a token stored earlier (its expiry is unknown: check it with
    /// `is_valid`). `options` may be left out (default `ClientOptions()`).
    #[uniffi::constructor(default(options))]
    pub fn resume(
        portal_url: String,
        token: String,
        options: ClientOptions,
    ) -> Result<Arc<Self>, AuthError> {
        let session = builder(&portal_url, &options).resume(SecretString::from(token))?;
        Ok(Arc::new(Session::from_core(session)))
    }

    /// The token, to store securely and resume from later. [`AuthError::AlreadyUsed`] once a
    /// logout sent (or is sending) its request; a logout still waiting for a call in flight
    /// changes nothing yet.
    pub fn token(&self) -> Result<String, AuthError> {
        if self.logged_out.load(Ordering::Acquire) {
            return Err(session_used());
        }
        Ok(self.token.expose_secret().to_owned())
    }

    /// When the token expires, if the server said.
    pub fn expires(&self) -> Option<SystemTime> {
        self.expires
    }

    /// The logged-in user's profile.
    pub async fn me(&self) -> Result<User, AuthError> {
        let guard = self.state.read().await;
        let session = guard.as_ref().ok_or_else(session_used)?;
        Ok(session.me().await?.into())
    }

    /// Whether the server still accepts the token.
    pub async fn is_valid(&self) -> Result<bool, AuthError> {
        let guard = self.state.read().await;
        let session = guard.as_ref().ok_or_else(session_used)?;
        Ok(session.is_valid().await?)
    }

    /// The user's backup codes (authenticator app users, once enrolled).
    pub async fn backup_codes(&self) -> Result<Vec<Arc<BackupCode>>, AuthError> {
        let guard = self.state.read().await;
        let session = guard.as_ref().ok_or_else(session_used)?;
        Ok(session
            .backup_codes()
            .await?
            .into_iter()
            .map(|c| {
                Arc::new(BackupCode {
                    code: c.code,
                    is_used: c.is_used,
                })
            })
            .collect())
    }

    /// Logs out and revokes the token on the server. It first waits for the calls in flight;
    /// cancelled while waiting, it changes nothing. Once its request is sent the session is
    /// used up, whether or not the request succeeds, and the request completes even if the
    /// caller is cancelled (it runs in its own task).
    pub async fn logout(&self) -> Result<(), AuthError> {
        let session = {
            let mut guard = self.state.write().await;
            let session = guard.take().ok_or_else(session_used)?;
            self.logged_out.store(true, Ordering::Release);
            session
        };
        match tokio::spawn(session.logout()).await {
            Ok(outcome) => Ok(outcome?),
            Err(_) => Err(AuthError::Other("the logout task ended unexpectedly".to_owned())),
        }
    }
}
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

/// The version of this library.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The TOTP code (6 digits) for the current time, from a Base32 secret.
#[uniffi::export]
pub fn totp_now(secret: String) -> Result<String, AuthError> {
    let code = core::totp::now(&SecretString::from(secret))?;
    Ok(code.expose().to_owned())
}

/// The TOTP code (6 digits) at `unix_secs` seconds since the Unix epoch.
#[uniffi::export]
pub fn totp_at(secret: String, unix_secs: u64) -> Result<String, AuthError> {
    let code = core::totp::at(&SecretString::from(secret), unix_secs)?;
    Ok(code.expose().to_owned())
}

/// Seconds until the TOTP code valid at `unix_secs` changes (1 to 30).
#[uniffi::export]
pub fn totp_seconds_remaining(unix_secs: u64) -> u64 {
    core::totp::seconds_remaining(unix_secs)
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
