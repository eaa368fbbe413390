//! [`DocspaceClient`]: a client for one portal, nobody logged in yet.

use std::sync::Arc;

use docspace_auth as core;
use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Unauthenticated};

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

    /// [`DocspaceClient::login`], blocking the calling thread (for callers without an event
    /// loop, such as Python's sync API; see `blocking`).
    pub fn login_blocking(&self, user: String, password: String) -> Result<LoginResult, AuthError> {
        crate::blocking::wait(self.login(user, password))
    }
}
