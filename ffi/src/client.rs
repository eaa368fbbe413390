//! [`DocspaceClient`]: a client for one portal, nobody logged in yet.

use std::sync::Arc;

use docspace_auth as core;
use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Unauthenticated};

use tokio::sync::oneshot;

use crate::{AuthError, ClientOptions, LoginResult, PendingLogin, Session};

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
        let password = SecretString::from(password);
        let auth = self.auth.clone();
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let outcome = auth.login(&user, password).await.map(Unclaimed::from);
            // Nobody waiting: `Unclaimed` logs a session out as it drops.
            let _ = tx.send(outcome);
        });
        let outcome = rx
            .await
            .map_err(|_| AuthError::other("the login task ended unexpectedly"))??;
        outcome.claim()
    }

    /// [`DocspaceClient::login`], blocking the calling thread (for callers without an event
    /// loop, such as Python's sync API; see `blocking`).
    pub fn login_blocking(&self, user: String, password: String) -> Result<LoginResult, AuthError> {
        crate::blocking::wait(self.login(user, password))
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
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    // Best effort: nobody is there to hear about a failure.
                    let _ = session.logout().await;
                });
            }
        }
    }
}
