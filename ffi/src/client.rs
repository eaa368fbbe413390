//! [`DocspaceClient`]: a client for one portal, nobody logged in yet.

use std::sync::Arc;

use docspace_auth as core;
use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Unauthenticated};

use tokio::sync::oneshot;

use crate::{
    AuthError, CaptchaKind, ClientOptions, LoginResult, PendingLogin, PortalInfo, Session,
    SsoRedirect,
};

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

#[uniffi::export(async_runtime = "tokio")]
impl DocspaceClient {
    /// A client for `portal_url`. `http://` is refused ([`AuthError::InsecureUrl`]) unless
    /// the host is loopback; checked here, before any connection. `options` may be left out
    /// (default `ClientOptions()`).
    #[uniffi::constructor(default(options))]
    pub fn new(portal_url: String, options: ClientOptions) -> Result<Arc<Self>, AuthError> {
        let auth = options.builder(&portal_url).build()?;
        Ok(Arc::new(DocspaceClient { auth }))
    }

    /// The portal URL, normalized (with a trailing slash).
    pub fn portal_url(&self) -> String {
        self.auth.portal_url().to_owned()
    }

    /// Logs in with e-mail and password. The client can log in again (for instance after a
    /// wrong password). Cancelling it is safe: the request runs in its own task, and a session
    /// the server issued after its caller was gone is logged out (its token revoked) rather
    /// than left valid with nobody holding it.
    pub async fn login(&self, user: String, password: String) -> Result<LoginResult, AuthError> {
        self.login_inner(user, password, None).await
    }

    /// [`DocspaceClient::login`] with the answer of the portal's captcha (`PortalInfo.captcha`),
    /// after `LockedOut`: a valid answer lets the login through the lockout (the password is
    /// still checked); a rejected one is [`AuthError::CaptchaRejected`].
    pub async fn login_with_captcha(
        &self,
        user: String,
        password: String,
        captcha_kind: CaptchaKind,
        captcha_response: String,
    ) -> Result<LoginResult, AuthError> {
        let answer = core::CaptchaAnswer::new(captcha_kind.into(), captcha_response);
        self.login_inner(user, password, Some(answer)).await
    }

    /// What a login screen needs to know about the portal (is it DocSpace, SSO, LDAP, captcha,
    /// password hash parameters). [`AuthError::NotADocSpacePortal`] when the address is not a
    /// DocSpace portal.
    pub async fn portal_info(&self) -> Result<PortalInfo, AuthError> {
        let auth = self.auth.clone();
        crate::blocking::in_task(async move { Ok(auth.portal_info().await?.into()) }).await
    }

    /// What `address` (a navigation the SSO web view is about to make) means: intercept it
    /// unless it is [`SsoRedirect::Elsewhere`].
    pub fn sso_redirect(&self, address: String) -> SsoRedirect {
        self.auth.sso_redirect(&address).into()
    }

    /// Turns the address the SSO web view was sent to at the end (`{portal}/?token=…`) into a
    /// session, or its error page (`/login/error?messageKey=N`) into [`AuthError::Sso`]. No
    /// request is made. [`AuthError::InvalidUrl`] for any other address.
    pub fn complete_sso(&self, address: String) -> Result<Arc<Session>, AuthError> {
        let session = self.auth.clone().complete_sso(&address)?;
        Ok(Arc::new(Session::from_core(session)))
    }

    /// [`DocspaceClient::login`], blocking the calling thread (for callers without an event
    /// loop, such as Python's sync API; see `blocking`).
    pub fn login_blocking(&self, user: String, password: String) -> Result<LoginResult, AuthError> {
        crate::blocking::wait(self.login(user, password))
    }

    /// [`DocspaceClient::login_with_captcha`], blocking the calling thread.
    pub fn login_with_captcha_blocking(
        &self,
        user: String,
        password: String,
        captcha_kind: CaptchaKind,
        captcha_response: String,
    ) -> Result<LoginResult, AuthError> {
        crate::blocking::wait(self.login_with_captcha(
            user,
            password,
            captcha_kind,
            captcha_response,
        ))
    }

    /// [`DocspaceClient::portal_info`], blocking the calling thread.
    pub fn portal_info_blocking(&self) -> Result<PortalInfo, AuthError> {
        crate::blocking::wait(self.portal_info())
    }
}

impl DocspaceClient {
    async fn login_inner(
        &self,
        user: String,
        password: String,
        captcha: Option<core::CaptchaAnswer>,
    ) -> Result<LoginResult, AuthError> {
        let password = SecretString::from(password);
        let auth = self.auth.clone();
        let (tx, rx) = oneshot::channel();
        crate::blocking::detach(async move {
            let outcome = match captcha {
                Some(captcha) => auth.login_with_captcha(&user, password, captcha).await,
                None => auth.login(&user, password).await,
            };
            // Nobody waiting: `Unclaimed` logs a session out as it drops.
            let _ = tx.send(outcome.map(Unclaimed::from));
        })
        .await;
        let outcome = rx
            .await
            .map_err(|_| AuthError::other("the login task ended unexpectedly"))??;
        outcome.claim()
    }
}

/// A login's outcome on its way to the caller. A session in it that nobody claims (the caller
/// was cancelled) is logged out when it drops, so that its token does not stay valid unseen.
struct Unclaimed(Option<core::LoginOutcome>);

impl From<core::LoginOutcome> for Unclaimed {
    fn from(outcome: core::LoginOutcome) -> Self {
        Unclaimed(Some(outcome))
    }
}

impl Unclaimed {
    fn claim(mut self) -> Result<LoginResult, AuthError> {
        match self.0.take() {
            Some(core::LoginOutcome::Authenticated(session)) => Ok(LoginResult::Authenticated {
                session: Arc::new(Session::from_core(session)),
            }),
            Some(core::LoginOutcome::TfaRequired(pending)) => Ok(LoginResult::TfaRequired {
                pending: Arc::new(PendingLogin::from_core(pending)),
            }),
            None => Err(AuthError::other("the login outcome was already taken")),
        }
    }
}

impl Drop for Unclaimed {
    fn drop(&mut self) {
        if let Some(core::LoginOutcome::Authenticated(session)) = self.0.take() {
            crate::blocking::background(async move {
                // Best effort: nobody is there to hear about a failure.
                let _ = session.logout().await;
            });
        }
    }
}
