//! The login flow as typestates: `Auth<Unauthenticated>` → (`Auth<TfaPending>` →)
//! `Auth<Authenticated>`, one module per state:
//!
//! - here: [`Auth`] itself and what every state has;
//! - [`builder`]: [`AuthBuilder`], the client's options;
//! - [`unauthenticated`]: [`Unauthenticated`], [`Auth::login`], [`Auth::login_with_captcha`];
//! - [`discovery`]: [`Auth::portal_info`], and the password hash parameters a login reads;
//! - [`sso`]: [`Auth::complete_sso`], the end of a single sign-on;
//! - [`pending`]: [`TfaPending`], [`Auth::confirm`], [`Auth::resend_sms`], [`Auth::set_phone`],
//!   [`ConfirmError`];
//! - [`authenticated`]: [`Authenticated`], the token, [`Auth::me`], [`Auth::logout`], the
//!   sessions, ...;
//! - [`types`]: the values handed out ([`Challenge`], [`User`], ...);
//! - [`mapping`]: the one place that turns wire DTOs into those states and values.

mod authenticated;
mod builder;
mod discovery;
pub(crate) mod mapping;
mod pending;
mod sso;
mod types;
mod unauthenticated;

use std::fmt;

use crate::http::Http;

pub use authenticated::{Authenticated, LogoutError};
pub use builder::AuthBuilder;
pub use pending::{ConfirmError, TfaPending};
pub use sso::SsoRedirect;
pub use types::{
    ActiveSession, BackupCode, Challenge, Enrollment, LoggedOut, LoginOutcome, SmsSent, User,
};
pub use unauthenticated::Unauthenticated;

/// A client for one DocSpace portal, in login state `S`: [`Unauthenticated`], [`TfaPending`]
/// or [`Authenticated`]. Each step consumes the previous state, so a state cannot be reused
/// and a method cannot be called in the wrong state: both are compile errors.
///
/// All the states of one login chain share one HTTP client, so a whole login with a second
/// factor runs over one connection.
///
/// ```no_run
/// use docspace_auth::{secrecy::SecretString, Auth, Challenge, Code, LoginOutcome};
///
/// # async fn run() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// let session = match auth.login("bob@example.com", SecretString::from("bob-pass")).await? {
///     LoginOutcome::Authenticated(session) => session,
///     LoginOutcome::TfaRequired(pending) => {
///         if let Challenge::AppEnrollment(enrollment) = pending.challenge() {
///             println!("add this to your authenticator: {}", enrollment.confirm_url());
///         }
///         let code = Code::parse("123 456")?; // what the user typed
///         pending.confirm(code).await?
///     }
/// };
/// println!("hello {}", session.me().await?.display_name);
/// session.logout().await?;
/// # Ok(()) }
/// ```
///
/// # What does not compile
///
/// Each misuse below is a compile error: these examples are `compile_fail` doctests, each
/// pinned to its error code (the project's test command makes rustdoc check those codes:
/// `scripts/lib/rustdoc-error-codes.sh`).
///
/// A code cannot be sent without a pending challenge, nor after login:
///
/// ```compile_fail,E0599
/// # use docspace_auth::{Auth, Code};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// auth.confirm(Code::parse("123456")?).await;
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0599
/// # use docspace_auth::{secrecy::SecretString, Auth, Code};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let session = Auth::resume("https://portal.example.com", SecretString::from("token"))?;
/// session.confirm(Code::parse("123456")?).await;
/// # Ok(()) }
/// ```
///
/// A token cannot be read before login:
///
/// ```compile_fail,E0599
/// # use docspace_auth::{secrecy::SecretString, Auth, LoginOutcome};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// if let LoginOutcome::TfaRequired(pending) =
///     auth.login("bob@example.com", SecretString::from("pw")).await?
/// {
///     let _token = pending.token();
/// }
/// # Ok(()) }
/// ```
///
/// A state cannot be used again once a step consumed it:
///
/// ```compile_fail,E0382
/// # use docspace_auth::{secrecy::SecretString, Auth};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// let _first = auth.login("alice@example.com", SecretString::from("pw")).await?;
/// let _second = auth.login("alice@example.com", SecretString::from("pw")).await?;
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0382
/// # use docspace_auth::{secrecy::SecretString, Auth, Code, LoginOutcome};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// if let LoginOutcome::TfaRequired(pending) =
///     auth.login("bob@example.com", SecretString::from("pw")).await?
/// {
///     let _session = pending.confirm(Code::parse("123456")?).await;
///     let _again = pending.confirm(Code::parse("654321")?).await;
/// }
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0382
/// # use docspace_auth::{secrecy::SecretString, Auth};
/// # async fn misuse() -> Result<(), docspace_auth::Error> {
/// let session = Auth::resume("https://portal.example.com", SecretString::from("token"))?;
/// session.logout().await?;
/// let _token = session.token();
/// # Ok(()) }
/// ```
pub struct Auth<S> {
    http: Http,
    state: S,
}

impl<S> Auth<S> {
    /// The portal URL, normalized (with a trailing slash).
    ///
    /// ```
    /// let auth = docspace_auth::Auth::new("https://portal.example.com/docspace")?;
    /// assert_eq!(auth.portal_url(), "https://portal.example.com/docspace/");
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn portal_url(&self) -> &str {
        self.http.base().as_str()
    }
}

impl<S: fmt::Debug> fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("portal", &self.http.base().as_str())
            .field("state", &self.state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::{Code, Error};

    /// Apps and the FFI run these futures on multi-threaded runtimes.
    #[test]
    fn states_and_futures_are_send_and_sync() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let auth = Auth::new("http://127.0.0.1:1").unwrap();
        send_sync(&auth);
        send(auth.clone().login("u", SecretString::from("p")));
        let session = Auth::resume("http://127.0.0.1:1", SecretString::from("t")).unwrap();
        send_sync(&session);
        send(session.me());
        send(session.is_valid());
        send(session.backup_codes());
        send(session.logout());
        let pending = pending::test_pending("u", "p", Challenge::App);
        send_sync(&pending);
        send(pending.resend_sms());
        send(pending.confirm(Code::parse("123456").unwrap()));
        fn error_is_send_sync<T: Send + Sync + std::error::Error + 'static>() {}
        error_is_send_sync::<Error>();
        error_is_send_sync::<ConfirmError>();
    }
}
