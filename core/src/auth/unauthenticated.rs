//! State [`Unauthenticated`]: a client for a portal, nobody logged in; [`Auth::login`].

use secrecy::{ExposeSecret, SecretString};

use super::mapping::{self, Granted};
use super::{Auth, LoginOutcome, TfaPending};
use crate::http::{On401, Request};
use crate::wire::{Credentials, LoginSecret};
use crate::{CaptchaAnswer, Error};

/// State: nobody logged in yet. Call [`Auth::login`].
///
/// ```
/// use docspace_auth::{Auth, Unauthenticated};
/// let auth: Auth<Unauthenticated> = Auth::new("https://portal.example.com")?;
/// # Ok::<(), docspace_auth::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Unauthenticated {
    _private: (),
}

impl Unauthenticated {
    pub(super) fn new() -> Self {
        Unauthenticated { _private: () }
    }
}

impl Auth<Unauthenticated> {
    /// A client for the portal at `portal_url` with default options. `http://` is accepted
    /// only for loopback hosts (127.0.0.0/8, ::1, localhost): anything else is
    /// [`Error::InsecureUrl`], before any connection.
    ///
    /// ```
    /// use docspace_auth::{Auth, Error};
    /// let auth = Auth::new("https://portal.example.com")?;
    /// assert!(matches!(Auth::new("http://portal.example.com"), Err(Error::InsecureUrl)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(portal_url: &str) -> Result<Auth<Unauthenticated>, Error> {
        Auth::builder(portal_url).build()
    }

    /// Logs in with e-mail (or user id) and password: `POST /api/2.0/authentication`.
    ///
    /// Errors: [`Error::InvalidCredentials`] (401), [`Error::LockedOut`] (403 after too many
    /// failures: wait, or answer a captcha with [`Auth::login_with_captcha`]),
    /// [`Error::UserDisabled`], [`Error::PortalUnavailable`], [`Error::Forbidden`] (another
    /// 403), [`Error::WrongPortalAddress`] (404), [`Error::RateLimited`], [`Error::Server`],
    /// [`Error::UnexpectedResponse`], [`Error::Transport`].
    ///
    /// With [`AuthBuilder::hash_password`](super::AuthBuilder::hash_password), the password's
    /// hash is sent instead of the password (its parameters are read first, once per client).
    ///
    /// `Auth<Unauthenticated>` is `Clone` (sharing the connection), so to retry after a wrong
    /// password, log in on a clone.
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::SecretString, Auth, Error, LoginOutcome};
    /// # async fn run() -> Result<(), Error> {
    /// let auth = Auth::new("https://portal.example.com")?;
    /// match auth.clone().login("alice@example.com", SecretString::from("typo")).await {
    ///     Err(Error::InvalidCredentials) => {
    ///         let outcome = auth.login("alice@example.com", SecretString::from("alice-pass")).await?;
    ///         assert!(matches!(outcome, LoginOutcome::Authenticated(_)));
    ///     }
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn login(self, user: &str, password: SecretString) -> Result<LoginOutcome, Error> {
        self.login_inner(user, password, None).await
    }

    /// [`Auth::login`] with the answer of the portal's captcha
    /// ([`PortalInfo::captcha`](crate::PortalInfo::captcha)), after [`Error::LockedOut`]: a
    /// valid answer lets the login through the lockout (the password is still checked). A
    /// rejected answer is [`Error::CaptchaRejected`] (docs/protocol.md §12.3).
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::SecretString, Auth, CaptchaAnswer, Error};
    /// # async fn run() -> Result<(), Error> {
    /// let auth = Auth::new("https://portal.example.com")?;
    /// match auth.clone().login("alice@example.com", SecretString::from("alice-pass")).await {
    ///     Err(Error::LockedOut) => {
    ///         let captcha = auth.portal_info().await?.captcha.expect("no captcha: wait instead");
    ///         let token = "..."; // show a widget of captcha.kind with captcha.public_key
    ///         let answer = CaptchaAnswer::new(captcha.kind, token);
    ///         auth.login_with_captcha("alice@example.com", SecretString::from("alice-pass"), answer)
    ///             .await?;
    ///     }
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn login_with_captcha(
        self,
        user: &str,
        password: SecretString,
        captcha: CaptchaAnswer,
    ) -> Result<LoginOutcome, Error> {
        self.login_inner(user, password, Some(&captcha)).await
    }

    async fn login_inner(
        self,
        user: &str,
        password: SecretString,
        captcha: Option<&CaptchaAnswer>,
    ) -> Result<LoginOutcome, Error> {
        let secret = if self.http.hash_password {
            let params = super::discovery::hash_params(&self.http).await?;
            LoginSecret::Hash(hash(params, &password).await?)
        } else {
            LoginSecret::Password(password)
        };
        let credentials = Credentials {
            user_name: user,
            secret: &secret,
            session: self.http.session,
            captcha,
        };
        let captcha_text = captcha.map(|c| c.response.expose_secret()).unwrap_or("");
        let response = self
            .http
            .call(
                Request::post(&["authentication"], On401::BadCredentials)
                    .json(&credentials)?
                    .with_captcha(captcha.is_some())
                    .redacting(&[secret.expose(), captcha_text]),
            )
            .await?;
        // An authenticator enrolment shows the portal host as issuer, the login as account.
        let issuer = self.http.base().host_str().unwrap_or_default();
        let granted = mapping::login_answer(mapping::required(&response)?, issuer, user)?;
        Ok(match granted {
            Granted::Session(state) => LoginOutcome::Authenticated(Auth {
                http: self.http,
                state,
            }),
            Granted::SecondFactor(challenge) => LoginOutcome::TfaRequired(Auth {
                http: self.http,
                state: TfaPending {
                    user: user.to_owned(),
                    secret,
                    challenge,
                },
            }),
        })
    }
}

impl Clone for Auth<Unauthenticated> {
    fn clone(&self) -> Self {
        Auth {
            http: self.http.clone(),
            state: self.state.clone(),
        }
    }
}

/// `password` hashed with `params`. In a task stepped by another language's event loop
/// ([`crate::external`]), off its thread: PBKDF2's many iterations would hold the loop up.
async fn hash(
    params: crate::PasswordHashParams,
    password: &SecretString,
) -> Result<SecretString, Error> {
    #[cfg(unix)]
    if crate::external::active() {
        let password = password.clone();
        return crate::external::off_thread(move || params.hash(&password)).await;
    }
    params.hash(password)
}
