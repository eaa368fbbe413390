//! The login flow as typestates: `Auth<Unauthenticated>` → (`Auth<TfaPending>` →)
//! `Auth<Authenticated>`.

use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::http::{Http, On401, Options, Request, TokenPlacement};
use crate::wire::{self, BackupCodeDto, Credentials, CredentialsWithCode, TokenDto};
use crate::{Code, Error};

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
pub struct Auth<S> {
    http: Http,
    state: S,
}

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

/// State: the password was accepted and a second factor is pending. See
/// [`Auth::challenge`], [`Auth::confirm`], [`Auth::resend_sms`].
///
/// It holds the credentials (in a [`SecretString`]) because the code endpoint checks the
/// password again (protocol §4.1).
///
/// ```no_run
/// # use docspace_auth::{secrecy::SecretString, Auth, LoginOutcome, TfaPending};
/// # async fn run() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// if let LoginOutcome::TfaRequired(pending) = auth.login("bob@example.com", SecretString::from("pw")).await? {
///     let pending: Auth<TfaPending> = pending;
///     println!("{:?}", pending.challenge());
/// }
/// # Ok(()) }
/// ```
pub struct TfaPending {
    user: String,
    password: SecretString,
    challenge: Challenge,
}

/// State: logged in; holds the token. See [`Auth::token`], [`Auth::me`], [`Auth::logout`].
///
/// ```
/// use docspace_auth::{secrecy::SecretString, Auth, Authenticated};
/// let session: Auth<Authenticated> =
///     Auth::resume("https://portal.example.com", SecretString::from("stored-token"))?;
/// assert!(session.expires().is_none());
/// # Ok::<(), docspace_auth::Error>(())
/// ```
pub struct Authenticated {
    token: SecretString,
    expires: Option<SystemTime>,
}

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

/// Which second factor the server asks for (protocol §2.1 b–e).
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
    secret: SecretString,
    issuer: String,
    account: String,
    confirm_url: String,
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

/// The builder behind [`Auth::builder`]: timeouts, an extra root certificate, user agent, the
/// DocSpace `session` flag.
///
/// ```
/// use std::time::Duration;
/// use docspace_auth::{Auth, Error};
///
/// let auth = Auth::builder("https://portal.example.com")
///     .timeout(Duration::from_secs(20))
///     .connect_timeout(Duration::from_secs(5))
///     .user_agent("my-app/1.0")
///     .session(true)
///     .build()?;
/// assert_eq!(auth.portal_url(), "https://portal.example.com/");
///
/// // Plain http is only for loopback hosts; checked before any connection.
/// assert!(matches!(Auth::builder("http://portal.example.com").build(), Err(Error::InsecureUrl)));
/// assert!(Auth::builder("http://127.0.0.1:8080").build().is_ok());
/// # Ok::<(), Error>(())
/// ```
#[must_use]
pub struct AuthBuilder {
    portal: String,
    options: Options,
}

impl AuthBuilder {
    /// Whole-request timeout, from connecting to the end of the body (default 30 s).
    ///
    /// ```
    /// let auth = docspace_auth::Auth::builder("https://portal.example.com")
    ///     .timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// Timeout for establishing the TCP connection (default 10 s).
    ///
    /// ```
    /// let auth = docspace_auth::Auth::builder("https://portal.example.com")
    ///     .connect_timeout(std::time::Duration::from_secs(3))
    ///     .build()?;
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options.connect_timeout = timeout;
        self
    }

    /// Trusts the CA certificate(s) in `pem` on top of the platform trust store, for
    /// self-hosted portals with a private CA. Can be called more than once. A PEM without any
    /// certificate makes [`AuthBuilder::build`] fail with [`Error::InvalidCertificate`].
    ///
    /// ```
    /// use docspace_auth::{Auth, Error};
    /// let result = Auth::builder("https://portal.example.com")
    ///     .add_root_certificate_pem("no certificate here")
    ///     .build();
    /// assert!(matches!(result, Err(Error::InvalidCertificate { .. })));
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.options.extra_roots_pem.push(pem.as_ref().to_vec());
        self
    }

    /// The `User-Agent` header (default `docspace-auth/<version>`). One that is not a valid
    /// header value makes [`AuthBuilder::build`] fail with [`Error::InvalidConfiguration`].
    ///
    /// ```
    /// use docspace_auth::{Auth, Error};
    /// let auth = Auth::builder("https://portal.example.com")
    ///     .user_agent("my-app/1.0")
    ///     .build()?;
    /// let bad = Auth::builder("https://portal.example.com").user_agent("my-app\n1.0").build();
    /// assert!(matches!(bad, Err(Error::InvalidConfiguration { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.options.user_agent = user_agent.into();
        self
    }

    /// The DocSpace `session` flag sent with the credentials (default `false`). With `true`
    /// the server omits the token's expiry (protocol §6.3); the token lives just as long.
    ///
    /// ```
    /// let auth = docspace_auth::Auth::builder("https://portal.example.com")
    ///     .session(true)
    ///     .build()?;
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn session(mut self, session: bool) -> Self {
        self.options.session = session;
        self
    }

    /// Checks the URL and builds the client. Errors: [`Error::InvalidUrl`],
    /// [`Error::InsecureUrl`], [`Error::InvalidCertificate`], [`Error::InvalidConfiguration`].
    ///
    /// ```
    /// use docspace_auth::{Auth, Error};
    /// assert!(matches!(Auth::builder("not a url").build(), Err(Error::InvalidUrl)));
    /// ```
    pub fn build(self) -> Result<Auth<Unauthenticated>, Error> {
        Ok(Auth {
            http: Http::new(&self.portal, self.options)?,
            state: Unauthenticated { _private: () },
        })
    }

    /// Builds the client around a token stored from an earlier login. Its expiry is unknown
    /// ([`Auth::expires`] is `None`); check it with [`Auth::is_valid`].
    ///
    /// ```
    /// use docspace_auth::{secrecy::{ExposeSecret, SecretString}, Auth};
    /// let session = Auth::builder("https://portal.example.com")
    ///     .resume(SecretString::from("stored-token"))?;
    /// assert_eq!(session.token().expose_secret(), "stored-token");
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn resume(self, token: SecretString) -> Result<Auth<Authenticated>, Error> {
        let token = checked_token(token)?;
        Ok(Auth {
            http: Http::new(&self.portal, self.options)?,
            state: Authenticated {
                token,
                expires: None,
            },
        })
    }
}

/// A token must be a non-empty header-safe string (visible ASCII).
fn checked_token(token: SecretString) -> Result<SecretString, Error> {
    let t = token.expose_secret();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Unauthorized);
    }
    Ok(token)
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

    /// A builder for a client with options; see [`AuthBuilder`].
    ///
    /// ```
    /// let auth = docspace_auth::Auth::builder("https://portal.example.com")
    ///     .user_agent("my-app/1.0")
    ///     .build()?;
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn builder(portal_url: &str) -> AuthBuilder {
        AuthBuilder {
            portal: portal_url.to_owned(),
            options: Options::default(),
        }
    }

    /// Logs in with e-mail (or user id) and password: `POST /api/2.0/authentication`.
    ///
    /// Errors: [`Error::InvalidCredentials`] (401), [`Error::Forbidden`] (403: locked out after
    /// too many failures, user disabled), [`Error::NotFound`], [`Error::RateLimited`],
    /// [`Error::Server`], [`Error::UnexpectedResponse`], [`Error::Transport`].
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
        let credentials = Credentials {
            user_name: user,
            password: &password,
            session: self.http.session,
        };
        let response = self
            .http
            .call(
                Request::post(&["authentication"], On401::BadCredentials)
                    .json(&credentials)?
                    .redacting(&[password.expose_secret()]),
            )
            .await?;
        let dto: TokenDto = require(wire::decode_success(&response)?)?;
        if let Some(token) = dto.token {
            return Ok(LoginOutcome::Authenticated(Auth {
                http: self.http,
                state: Authenticated {
                    token: checked_token(token)
                        .map_err(|_| Error::unexpected("the token is not a valid header value"))?,
                    expires: dto.expires.as_deref().and_then(wire::parse_expires),
                },
            }));
        }
        let challenge = if dto.sms {
            match dto.phone_noise {
                Some(phone_noise) => Challenge::Sms {
                    phone_noise,
                    expires: dto.expires.as_deref().and_then(wire::parse_expires),
                },
                None => Challenge::SmsPhoneActivation {
                    confirm_url: dto.confirm_url.ok_or_else(|| {
                        Error::unexpected("SMS without phone and without confirmUrl")
                    })?,
                },
            }
        } else if dto.tfa {
            match dto.tfa_key {
                Some(secret) => Challenge::AppEnrollment(Enrollment {
                    secret,
                    issuer: self.http.base().host_str().unwrap_or_default().to_owned(),
                    account: user.to_owned(),
                    confirm_url: dto.confirm_url.unwrap_or_default(),
                }),
                None => Challenge::App,
            }
        } else {
            return Err(Error::unexpected(
                "neither a token nor a second factor in the login response",
            ));
        };
        Ok(LoginOutcome::TfaRequired(Auth {
            http: self.http,
            state: TfaPending {
                user: user.to_owned(),
                password,
                challenge,
            },
        }))
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

impl Auth<TfaPending> {
    /// Which second factor is pending.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Challenge, TfaPending};
    /// # fn show(pending: &Auth<TfaPending>) {
    /// if let Challenge::Sms { phone_noise, .. } = pending.challenge() {
    ///     println!("code sent to {phone_noise}");
    /// }
    /// # }
    /// ```
    pub fn challenge(&self) -> &Challenge {
        &self.state.challenge
    }

    /// The login name this second factor is for.
    ///
    /// ```no_run
    /// # fn show(pending: &docspace_auth::Auth<docspace_auth::TfaPending>) {
    /// println!("second factor for {}", pending.user());
    /// # }
    /// ```
    pub fn user(&self) -> &str {
        &self.state.user
    }

    /// Sends the code with the credentials again: `POST /api/2.0/authentication/{code}`, the
    /// code in the JSON body and, percent-encoded, in the path (protocol §4.3).
    ///
    /// When it fails, the [`ConfirmError`] hands the pending state back
    /// ([`ConfirmError::into_pending`]), so a wrong code can be retried without logging in
    /// again. Its error is [`Error::CodeRejected`] for a wrong, expired or used code (and
    /// after too many attempts), or any error of [`Auth::login`].
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Code, Error, TfaPending, Authenticated};
    /// # async fn run(pending: Auth<TfaPending>) -> Result<Auth<Authenticated>, Error> {
    /// let mut pending = pending;
    /// loop {
    ///     let code = Code::parse("123456")?; // ask the user
    ///     match pending.confirm(code).await {
    ///         Ok(session) => return Ok(session),
    ///         Err(e) if matches!(e.error(), Error::CodeRejected) => {
    ///             pending = e.into_pending();
    ///         }
    ///         Err(e) => return Err(e.into()),
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn confirm(self, code: Code) -> Result<Auth<Authenticated>, ConfirmError> {
        match self.try_confirm(&code).await {
            Ok(state) => Ok(Auth {
                http: self.http,
                state,
            }),
            Err(error) => Err(ConfirmError {
                error,
                pending: Box::new(self),
            }),
        }
    }

    async fn try_confirm(&self, code: &Code) -> Result<Authenticated, Error> {
        let body = CredentialsWithCode {
            credentials: self.credentials(),
            code: code.expose(),
        };
        let response = self
            .http
            .call(
                Request::post(&["authentication", code.expose()], On401::CodeRejected)
                    .json(&body)?
                    .redacting(&[self.state.password.expose_secret(), code.expose()]),
            )
            .await?;
        let dto: TokenDto = require(wire::decode_success(&response)?)?;
        let token = dto
            .token
            .ok_or_else(|| Error::unexpected("no token in the code response"))?;
        Ok(Authenticated {
            token: checked_token(token)
                .map_err(|_| Error::unexpected("the token is not a valid header value"))?,
            expires: dto.expires.as_deref().and_then(wire::parse_expires),
        })
    }

    /// Asks the server to send a new SMS code: `POST /api/2.0/authentication/sendsms` (with
    /// the credentials again). Errors as for [`Auth::login`].
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, TfaPending};
    /// # async fn run(pending: &Auth<TfaPending>) -> Result<(), docspace_auth::Error> {
    /// let sent = pending.resend_sms().await?;
    /// println!("new code sent to {}", sent.phone_noise);
    /// # Ok(()) }
    /// ```
    pub async fn resend_sms(&self) -> Result<SmsSent, Error> {
        let response = self
            .http
            .call(
                Request::post(&["authentication", "sendsms"], On401::BadCredentials)
                    .json(&self.credentials())?
                    .redacting(&[self.state.password.expose_secret()]),
            )
            .await?;
        let dto: TokenDto = require(wire::decode_success(&response)?)?;
        Ok(SmsSent {
            phone_noise: dto
                .phone_noise
                .ok_or_else(|| Error::unexpected("no phoneNoise in the sendsms response"))?,
            expires: dto.expires.as_deref().and_then(wire::parse_expires),
        })
    }

    fn credentials(&self) -> Credentials<'_> {
        Credentials {
            user_name: &self.state.user,
            password: &self.state.password,
            session: self.http.session,
        }
    }
}

impl Auth<Authenticated> {
    /// Resumes a session from a token stored earlier, with default options (see
    /// [`AuthBuilder::resume`] for options). Errors: those of [`Auth::new`], and
    /// [`Error::Unauthorized`] for an empty token or one with characters no HTTP header allows.
    ///
    /// ```
    /// use docspace_auth::{secrecy::SecretString, Auth, Error};
    /// let session = Auth::resume("https://portal.example.com", SecretString::from("stored-token"))?;
    /// assert!(matches!(
    ///     Auth::resume("https://portal.example.com", SecretString::from("")),
    ///     Err(Error::Unauthorized)
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn resume(portal_url: &str, token: SecretString) -> Result<Auth<Authenticated>, Error> {
        Auth::builder(portal_url).resume(token)
    }

    /// The session token, to store (securely) and to send as `Authorization: <token>`.
    ///
    /// ```
    /// use docspace_auth::{secrecy::{ExposeSecret, SecretString}, Auth};
    /// let session = Auth::resume("https://portal.example.com", SecretString::from("t0k3n"))?;
    /// assert_eq!(session.token().expose_secret(), "t0k3n");
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn token(&self) -> &SecretString {
        &self.state.token
    }

    /// When the token expires, as the server said; `None` when it did not say (`session`
    /// logins, the zero date `0001-01-01T00:00:00`, resumed tokens).
    ///
    /// ```
    /// use docspace_auth::{secrecy::SecretString, Auth};
    /// let session = Auth::resume("https://portal.example.com", SecretString::from("t"))?;
    /// assert_eq!(session.expires(), None);
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn expires(&self) -> Option<SystemTime> {
        self.state.expires
    }

    /// The logged-in user's profile: `GET /api/2.0/people/@self`.
    /// [`Error::Unauthorized`] if the token is no longer valid.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// let me = session.me().await?;
    /// println!("{} <{}>", me.display_name, me.email);
    /// # Ok(()) }
    /// ```
    pub async fn me(&self) -> Result<User, Error> {
        let body = self.get_with_token(&["people", "@self"]).await?;
        require(wire::decode_success(&body)?)
    }

    /// Whether the server still accepts the token: `GET /api/2.0/authentication`.
    /// `Ok(false)` once it expired or was revoked.
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::SecretString, Auth};
    /// # async fn run() -> Result<(), docspace_auth::Error> {
    /// let session = Auth::resume("https://portal.example.com", SecretString::from("stored"))?;
    /// if !session.is_valid().await? {
    ///     println!("log in again");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn is_valid(&self) -> Result<bool, Error> {
        match self.get_with_token(&["authentication"]).await {
            Ok(body) => require(wire::decode_success(&body)?),
            Err(Error::Unauthorized) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The user's backup codes: `GET /api/2.0/settings/tfaappcodes`.
    /// [`Error::Forbidden`] when the authenticator app is off or the user is not enrolled.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// let unused = session.backup_codes().await?.into_iter().filter(|c| !c.is_used).count();
    /// println!("{unused} backup codes left");
    /// # Ok(()) }
    /// ```
    pub async fn backup_codes(&self) -> Result<Vec<BackupCode>, Error> {
        let body = self.get_with_token(&["settings", "tfaappcodes"]).await?;
        let codes: Vec<BackupCodeDto> = require(wire::decode_success(&body)?)?;
        Ok(codes
            .into_iter()
            .map(|c| BackupCode {
                code: c.code,
                is_used: c.is_used,
            })
            .collect())
    }

    /// Logs out and revokes the token on the server: `POST /api/2.0/authentication/logout`
    /// with the token as the `asc_auth_key` cookie (the only way the server really revokes
    /// it, protocol §5).
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// session.logout().await?; // `session` is gone: using it again does not compile
    /// # Ok(()) }
    /// ```
    pub async fn logout(self) -> Result<(), Error> {
        let body = self
            .http
            .call(
                Request::post(&["authentication", "logout"], On401::TokenInvalid)
                    .token(TokenPlacement::Cookie(&self.state.token)),
            )
            .await?;
        // `response` is absent, or an SSO logout URL; either is fine.
        let _: Option<serde_json::Value> = wire::decode_success(&body)?;
        Ok(())
    }

    async fn get_with_token(&self, segments: &[&str]) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.http
            .call(
                Request::get(segments, On401::TokenInvalid)
                    .token(TokenPlacement::Header(&self.state.token)),
            )
            .await
    }
}

fn require<T>(response: Option<T>) -> Result<T, Error> {
    response.ok_or_else(|| Error::unexpected("the envelope has no `response`"))
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

    /// The `otpauth://totp/...` URI to show as a QR code, built as protocol §4.4 says, with
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

/// A failed [`Auth::confirm`]: the error, and the pending state to retry with.
///
/// Converts into [`Error`] with `?`.
///
/// ```no_run
/// # use docspace_auth::{Auth, Code, Error, TfaPending};
/// # async fn run(pending: Auth<TfaPending>) -> Result<(), Error> {
/// match pending.confirm(Code::parse("000000")?).await {
///     Ok(_session) => {}
///     Err(rejected) => {
///         eprintln!("{}", rejected.error());
///         let pending = rejected.into_pending(); // try another code on it
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ConfirmError {
    error: Error,
    pending: Box<Auth<TfaPending>>,
}

impl ConfirmError {
    /// What went wrong.
    ///
    /// ```no_run
    /// # use docspace_auth::{ConfirmError, Error};
    /// # fn check(e: &ConfirmError) {
    /// if matches!(e.error(), Error::CodeRejected) {
    ///     println!("wrong code, try again");
    /// }
    /// # }
    /// ```
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The pending state, to try another code (or resend the SMS) without logging in again:
    /// every failure leaves it usable.
    ///
    /// ```no_run
    /// # use docspace_auth::ConfirmError;
    /// # fn retry(e: ConfirmError) {
    /// let pending = e.into_pending();
    /// println!("still pending: {:?}", pending.challenge());
    /// # }
    /// ```
    pub fn into_pending(self) -> Auth<TfaPending> {
        *self.pending
    }

    /// The error alone (the pending state is dropped).
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::ConfirmError) -> docspace_auth::Error {
    /// e.into_error()
    /// # }
    /// ```
    pub fn into_error(self) -> Error {
        self.error
    }

    /// Both parts.
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::ConfirmError) {
    /// let (error, pending) = e.into_parts();
    /// # }
    /// ```
    pub fn into_parts(self) -> (Error, Auth<TfaPending>) {
        (self.error, *self.pending)
    }
}

impl From<ConfirmError> for Error {
    fn from(e: ConfirmError) -> Self {
        e.error
    }
}

impl fmt::Display for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmError")
            .field("error", &self.error)
            .field("pending", &self.pending)
            .finish()
    }
}

impl std::error::Error for ConfirmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
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

impl fmt::Debug for TfaPending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TfaPending")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl fmt::Debug for Authenticated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticated")
            .field("token", &"[REDACTED]")
            .field("expires", &self.expires)
            .finish()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let pending = Auth {
            http: Http::new("http://127.0.0.1:1", Options::default()).unwrap(),
            state: TfaPending {
                user: "carol@example.com".into(),
                password: SecretString::from("hunter2-password"),
                challenge: Challenge::AppEnrollment(Enrollment {
                    secret: SecretString::from("JBSWY3DPEHPK3PXP"),
                    issuer: "127.0.0.1".into(),
                    account: "carol@example.com".into(),
                    confirm_url: "http://127.0.0.1:1/confirm".into(),
                }),
            },
        };
        let text = format!("{pending:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("JBSWY3DP"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");

        let session = Auth::resume("http://127.0.0.1:1", SecretString::from("tok-secret")).unwrap();
        let text = format!("{session:?}");
        assert!(!text.contains("tok-secret"), "{text}");

        let error = ConfirmError {
            error: Error::CodeRejected,
            pending: Box::new(pending),
        };
        let text = format!("{error:?} {error}");
        assert!(
            !text.contains("hunter2") && !text.contains("JBSWY3DP"),
            "{text}"
        );

        let code = BackupCode {
            code: SecretString::from("aB3-x_"),
            is_used: false,
        };
        assert!(!format!("{code:?}").contains("aB3-x_"));
    }

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
        let pending = Auth {
            http: Http::new("http://127.0.0.1:1", Options::default()).unwrap(),
            state: TfaPending {
                user: "u".into(),
                password: SecretString::from("p"),
                challenge: Challenge::App,
            },
        };
        send_sync(&pending);
        send(pending.resend_sms());
        send(pending.confirm(Code::parse("123456").unwrap()));
        fn error_is_send_sync<T: Send + Sync + std::error::Error + 'static>() {}
        error_is_send_sync::<Error>();
        error_is_send_sync::<ConfirmError>();
    }

    #[test]
    fn tokens_must_be_header_safe() {
        for bad in ["", "a b", "line\nbreak", "tab\t", "é"] {
            assert!(
                matches!(
                    Auth::resume("http://127.0.0.1:1", SecretString::from(bad)),
                    Err(Error::Unauthorized)
                ),
                "{bad:?}"
            );
        }
        assert!(Auth::resume("http://127.0.0.1:1", SecretString::from("a+b/c=")).is_ok());
    }
}
