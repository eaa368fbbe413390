//! [`AuthBuilder`]: the options of a client (timeouts, extra root certificates, user agent,
//! the `session` flag, password hashing), and where [`Auth::builder`] starts.

use std::time::Duration;

use secrecy::SecretString;

use super::{Auth, Authenticated, Unauthenticated};
use crate::http::{Http, Options};
use crate::Error;

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
    /// Clients with the same extra roots share one TLS configuration (built once per process).
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
    /// the server omits the token's expiry (docs/protocol.md §6.3); the token lives just as long.
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

    /// Sends the password's client-side hash (`passwordHash`, docs/protocol.md §11) instead of
    /// the password, as the portal's web client does (default `false`: the plain password, as
    /// the vendor's native apps send it). The plain password then never leaves the device, and
    /// a pending second factor holds only the hash. The hash parameters are read from the
    /// portal once per client (one more request on its first login).
    ///
    /// LDAP accounts need the plain password: leave this off when
    /// [`PortalInfo::ldap_enabled`](crate::PortalInfo::ldap_enabled) is true.
    ///
    /// ```
    /// let auth = docspace_auth::Auth::builder("https://portal.example.com")
    ///     .hash_password(true)
    ///     .build()?;
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn hash_password(mut self, hash: bool) -> Self {
        self.options.hash_password = hash;
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
            state: Unauthenticated::new(),
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
        // The token is checked first: a bad token is `Unauthorized` whatever the URL.
        let state = Authenticated::new(token, None)?;
        Ok(Auth {
            http: Http::new(&self.portal, self.options)?,
            state,
        })
    }
}

impl Auth<Unauthenticated> {
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
}
