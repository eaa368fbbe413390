//! State [`Authenticated`]: logged in; the token, the profile, the backup codes (read and
//! regenerated), the active sessions, logout.

use std::fmt;
use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::{mapping, ActiveSession, Auth, BackupCode, LoggedOut, User};
use crate::http::{On401, Request, TokenPlacement};
use crate::{wire, Error};

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

impl Authenticated {
    /// The state for `token`, which must be a non-empty header-safe string (visible ASCII):
    /// [`Error::Unauthorized`] otherwise.
    pub(super) fn new(token: SecretString, expires: Option<SystemTime>) -> Result<Self, Error> {
        let t = token.expose_secret();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Unauthorized);
        }
        Ok(Authenticated { token, expires })
    }

    /// The token and its expiry, for the fuzz checks.
    #[cfg(any(fuzzing, test))]
    pub(crate) fn parts(&self) -> (&SecretString, Option<SystemTime>) {
        (&self.token, self.expires)
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

impl Auth<Authenticated> {
    /// Resumes a session from a token stored earlier, with default options (see
    /// [`AuthBuilder::resume`](super::AuthBuilder::resume) for options). Errors: those of
    /// [`Auth::new`], and [`Error::Unauthorized`] for an empty token or one with characters no
    /// HTTP header allows.
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
        mapping::required(&body)
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
            Ok(body) => mapping::required(&body),
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
        Ok(mapping::backup_codes(mapping::required(&body)?))
    }

    /// Logs out and revokes the token on the server: `POST /api/2.0/authentication/logout`
    /// with the token as the `asc_auth_key` cookie (the only way the server really revokes
    /// it, docs/protocol.md §5).
    ///
    /// When the server did not answer it (a transport failure, a 5xx, a 429, ...), the token
    /// may still be valid: the [`LogoutError`] hands the session back
    /// ([`LogoutError::into_session`]) to try again. After a 2xx, or a 401 (the token was
    /// already invalid), there is nothing left to log out.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// session.logout().await?; // `session` is gone: using it again does not compile
    /// # Ok(()) }
    /// ```
    ///
    /// For a user who logged in with SSO, [`LoggedOut::sso_logout_url`] may hold the address
    /// that ends the identity provider's session too.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// if let Some(url) = session.logout().await?.sso_logout_url {
    ///     println!("open {url} in the web view");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn logout(self) -> Result<LoggedOut, LogoutError> {
        let answer = self
            .http
            .call(
                Request::post(&["authentication", "logout"], On401::TokenInvalid)
                    .token(TokenPlacement::Cookie(&self.state.token)),
            )
            .await;
        let (error, session) = match answer {
            // `response` is absent, or an SSO single-logout URL (§13.5).
            Ok(body) => match wire::decode_success::<serde_json::Value>(&body) {
                Ok(response) => return Ok(self.logged_out(response)),
                Err(error) => (error, None),
            },
            Err(Error::Unauthorized) => (Error::Unauthorized, None),
            Err(error) => (error, Some(Box::new(self))),
        };
        Err(LogoutError { error, session })
    }

    /// The single-logout URL of §13.5 (relative to the portal), made absolute. Only one on the
    /// portal's own origin is kept, and never one that repeats the token (a server echoing what
    /// it got must not put the token where an app shows or opens it).
    fn logged_out(&self, response: Option<serde_json::Value>) -> LoggedOut {
        let base = self.http.base();
        let token = self.state.token.expose_secret();
        let sso_logout_url = response
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .filter(|url| !url.trim().is_empty())
            .and_then(|url| base.join(url.trim()).ok())
            .filter(|url| url.origin() == base.origin())
            .map(String::from)
            .filter(|url| !crate::http::status::echoes(url, std::iter::once(token)));
        LoggedOut { sso_logout_url }
    }

    /// Replaces the user's backup codes with new ones and returns them:
    /// `PUT /api/2.0/settings/tfaappnewcodes` (docs/protocol.md §14). The old codes, used or
    /// not, stop working at once. Show the new ones to the user once; they are not kept.
    /// [`Error::Forbidden`] when the user has no authenticator app set up.
    ///
    /// ```no_run
    /// # use docspace_auth::{secrecy::ExposeSecret, Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// for code in session.regenerate_backup_codes().await? {
    ///     println!("{}", code.code.expose_secret());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn regenerate_backup_codes(&self) -> Result<Vec<BackupCode>, Error> {
        let body = self
            .http
            .call(
                Request::put(&["settings", "tfaappnewcodes"], On401::TokenInvalid)
                    .token(TokenPlacement::Header(&self.state.token)),
            )
            .await?;
        Ok(mapping::backup_codes(mapping::required(&body)?))
    }

    /// The user's active sessions, newest first, the current one marked
    /// (`GET /api/2.0/security/activeconnections`, docs/protocol.md §15). The token goes as the
    /// `asc_auth_key` cookie: only then does the server know which session is this one (§15.3).
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// let others = session.sessions().await?.into_iter().filter(|s| !s.current).count();
    /// println!("{others} other sessions");
    /// # Ok(()) }
    /// ```
    pub async fn sessions(&self) -> Result<Vec<ActiveSession>, Error> {
        let body = self
            .with_cookie(Request::get(
                &["security", "activeconnections"],
                On401::TokenInvalid,
            ))
            .await?;
        Ok(mapping::sessions(mapping::required(&body)?))
    }

    /// Ends another session of the user (its tokens stop working):
    /// `PUT /api/2.0/security/activeconnections/logout/{id}`. `Ok(false)` when there was no
    /// such active session. [`Error::CurrentSession`], before anything is ended, when `id` is
    /// this session's: use [`Auth::logout`] for that.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// for other in session.sessions().await?.into_iter().filter(|s| !s.current) {
    ///     session.end_session(other.id).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn end_session(&self, id: i64) -> Result<bool, Error> {
        if self
            .sessions()
            .await?
            .iter()
            .any(|s| s.current && s.id == id)
        {
            return Err(Error::CurrentSession);
        }
        let id = id.to_string();
        let body = self
            .with_cookie(Request::put(
                &["security", "activeconnections", "logout", &id],
                On401::TokenInvalid,
            ))
            .await?;
        mapping::required(&body)
    }

    /// Ends every other session of the user, keeping this one:
    /// `PUT /api/2.0/security/activeconnections/logoutallexceptthis`, with the token as the
    /// cookie (sent only in a header, the server would end this session too, §15.3).
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Authenticated};
    /// # async fn run(session: &Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
    /// session.end_other_sessions().await?;
    /// assert!(session.is_valid().await?);
    /// # Ok(()) }
    /// ```
    pub async fn end_other_sessions(&self) -> Result<(), Error> {
        let body = self
            .with_cookie(Request::put(
                &["security", "activeconnections", "logoutallexceptthis"],
                On401::TokenInvalid,
            ))
            .await?;
        // `response` is the user's name, or absent: either way it is done.
        wire::decode_success::<serde_json::Value>(&body).map(drop)
    }

    async fn with_cookie(&self, request: Request<'_>) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.http
            .call(request.token(TokenPlacement::Cookie(&self.state.token)))
            .await
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

/// A failed [`Auth::logout`]: the error, and the session when its token may still be valid.
///
/// Converts into [`Error`] with `?`.
///
/// ```no_run
/// # use docspace_auth::{Auth, Authenticated};
/// # async fn run(session: Auth<Authenticated>) -> Result<(), docspace_auth::Error> {
/// let mut session = session;
/// for _ in 0..3 {
///     match session.logout().await {
///         Ok(_) => break,
///         Err(failed) => match failed.into_session() {
///             Some(again) => session = again, // not revoked yet: try again
///             None => break,                  // nothing left to log out
///         },
///     }
/// }
/// # Ok(()) }
/// ```
pub struct LogoutError {
    error: Error,
    session: Option<Box<Auth<Authenticated>>>,
}

impl LogoutError {
    /// What went wrong.
    ///
    /// ```no_run
    /// # fn show(e: &docspace_auth::LogoutError) {
    /// eprintln!("logout failed: {}", e.error());
    /// # }
    /// ```
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The session, to log out again, when the server did not answer the logout (its token
    /// may still be valid); `None` after a 2xx or a 401.
    ///
    /// ```no_run
    /// # async fn retry(e: docspace_auth::LogoutError) -> Result<(), docspace_auth::Error> {
    /// if let Some(session) = e.into_session() {
    ///     session.logout().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn into_session(self) -> Option<Auth<Authenticated>> {
        self.session.map(|session| *session)
    }

    /// The error alone (a session handed back is dropped).
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::LogoutError) -> docspace_auth::Error {
    /// e.into_error()
    /// # }
    /// ```
    pub fn into_error(self) -> Error {
        self.error
    }

    /// Both parts.
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::LogoutError) {
    /// let (error, session) = e.into_parts();
    /// # }
    /// ```
    pub fn into_parts(self) -> (Error, Option<Auth<Authenticated>>) {
        (self.error, self.session.map(|session| *session))
    }
}

impl From<LogoutError> for Error {
    fn from(e: LogoutError) -> Self {
        e.error
    }
}

impl std::fmt::Display for LogoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl std::fmt::Debug for LogoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutError")
            .field("error", &self.error)
            .field("session", &self.session)
            .finish()
    }
}

impl std::error::Error for LogoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let session = Auth::resume("http://127.0.0.1:1", SecretString::from("tok-secret")).unwrap();
        let text = format!("{session:?}");
        assert!(!text.contains("tok-secret"), "{text}");
    }

    #[test]
    fn an_sso_logout_url_that_repeats_the_token_is_dropped() {
        let session = Auth::resume(
            "https://portal.example.com",
            SecretString::from("tok+en/secret="),
        )
        .unwrap();
        let url = |value: &str| {
            session
                .logged_out(Some(serde_json::json!(value)))
                .sso_logout_url
        };
        assert_eq!(
            url("/sso/slo?data=abc").as_deref(),
            Some("https://portal.example.com/sso/slo?data=abc")
        );
        assert_eq!(url("/tok+en/secret="), None);
        assert_eq!(url("/sso/slo?data=tok%2Ben%2Fsecret%3D"), None);
        assert_eq!(url("https://evil.example.com/sso/slo"), None);
        assert_eq!(url("  "), None);
        assert_eq!(session.logged_out(None).sso_logout_url, None);
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
