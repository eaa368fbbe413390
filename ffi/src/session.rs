//! [`Session`]: logged in, until `logout`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{Auth, Authenticated};
use tokio::sync::{oneshot, RwLock};

use crate::blocking::in_task;
use crate::types::ffi_time;
use crate::{ActiveSession, AuthError, BackupCode, ClientOptions, User};

fn session_used() -> AuthError {
    AuthError::already_used("this session was logged out; log in again")
}

/// Logged in. `logout` revokes the token; after it every call is [`AuthError::AlreadyUsed`].
///
/// The token and the expiry never change for a session: they are kept here, so that the sync
/// accessors never wait for (nor fail because of) an async call in flight.
#[derive(uniffi::Object)]
pub struct Session {
    /// `None` once a logout revoked the token. Async calls hold a read lock; `logout` holds
    /// the write lock from before its request until its outcome is known (it waits for the
    /// calls in flight, and calls after it wait for its outcome).
    state: Arc<RwLock<Option<Auth<Authenticated>>>>,
    token: SecretString,
    expires: Option<SystemTime>,
    /// Set when a logout commits (takes the session to send its request); cleared only when
    /// the server did not answer that logout and the session was handed back.
    logged_out: Arc<AtomicBool>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// The token copied into `out` when it fits; its length in bytes either way (as
    /// [`Session::token`] otherwise): the direct entry point's way to hand it over without a
    /// buffer of the library's in between (`direct.rs`).
    pub(crate) fn token_into(&self, out: &mut [u8]) -> Result<usize, AuthError> {
        let token = self.live_token()?.as_bytes();
        if let Some(room) = out.get_mut(..token.len()) {
            room.copy_from_slice(token);
        }
        Ok(token.len())
    }

    /// The token while no logout was sent ([`Session::token`]).
    fn live_token(&self) -> Result<&str, AuthError> {
        if self.logged_out.load(Ordering::Acquire) {
            return Err(session_used());
        }
        Ok(self.token.expose_secret())
    }

    pub(crate) fn from_core(session: Auth<Authenticated>) -> Self {
        Session {
            token: session.token().clone(),
            expires: ffi_time(session.expires()),
            logged_out: Arc::new(AtomicBool::new(false)),
            state: Arc::new(RwLock::new(Some(session))),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Resumes a session from a token stored earlier (its expiry is unknown: check it with
    /// `is_valid`). `options` may be left out (default `ClientOptions()`).
    #[uniffi::constructor(default(options))]
    pub fn resume(
        portal_url: String,
        token: String,
        options: ClientOptions,
    ) -> Result<Arc<Self>, AuthError> {
        let session = options
            .builder(&portal_url)
            .resume(SecretString::from(token))?;
        Ok(Arc::new(Session::from_core(session)))
    }

    /// The token, to store securely and resume from later. [`AuthError::AlreadyUsed`] once a
    /// logout sent (or is sending) its request; a logout still waiting for a call in flight
    /// changes nothing yet.
    pub fn token(&self) -> Result<String, AuthError> {
        self.live_token().map(str::to_owned)
    }

    /// When the token expires, if the server said.
    pub fn expires(&self) -> Option<SystemTime> {
        self.expires
    }

    /// The logged-in user's profile.
    pub async fn me(&self) -> Result<User, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session.me().await?.into())
        })
        .await
    }

    /// Whether the server still accepts the token.
    pub async fn is_valid(&self) -> Result<bool, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session.is_valid().await?)
        })
        .await
    }

    /// The user's backup codes (authenticator app users, once enrolled).
    pub async fn backup_codes(&self) -> Result<Vec<Arc<BackupCode>>, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session
                .backup_codes()
                .await?
                .into_iter()
                .map(|code| Arc::new(BackupCode::from(code)))
                .collect())
        })
        .await
    }

    /// Logs out and revokes the token on the server. It first waits for the calls in flight;
    /// cancelled while waiting, it changes nothing. Once its request is sent, the request
    /// completes even if the caller is cancelled (it runs in its own task). When the server
    /// did not answer it (a network failure, a 5xx, ...), the token may still be valid: the
    /// session stays usable and `logout` can be called again. Otherwise the session is used up.
    ///
    /// Returns, for a user who logged in with SSO on a portal with single logout, the address
    /// that ends the identity provider's session too (open it in the login's web view).
    pub async fn logout(&self) -> Result<Option<String>, AuthError> {
        let mut guard = Arc::clone(&self.state).write_owned().await;
        let session = guard.take().ok_or_else(session_used)?;
        self.logged_out.store(true, Ordering::Release);
        let logged_out = Arc::clone(&self.logged_out);
        let (tx, rx) = oneshot::channel();
        crate::blocking::detach(async move {
            let outcome = match session.logout().await {
                Ok(logged_out) => Ok(logged_out.sso_logout_url),
                Err(failed) => {
                    let (error, session) = failed.into_parts();
                    if let Some(session) = session {
                        *guard = Some(session);
                        logged_out.store(false, Ordering::Release);
                    }
                    Err(AuthError::from(error))
                }
            };
            drop(guard);
            // Nobody waiting (cancelled): the state already says everything.
            let _ = tx.send(outcome);
        })
        .await;
        rx.await
            .unwrap_or_else(|_| Err(AuthError::other("the logout task ended unexpectedly")))
    }

    /// Replaces the user's backup codes with new ones and returns them (show them once; the
    /// old ones stop working). [`AuthError::Forbidden`] without an authenticator app set up.
    pub async fn regenerate_backup_codes(&self) -> Result<Vec<Arc<BackupCode>>, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session
                .regenerate_backup_codes()
                .await?
                .into_iter()
                .map(|code| Arc::new(BackupCode::from(code)))
                .collect())
        })
        .await
    }

    /// The user's active sessions, newest first; `current` marks this one.
    pub async fn sessions(&self) -> Result<Vec<ActiveSession>, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session
                .sessions()
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
    }

    /// Ends another session (its tokens stop working); false when there was no such active
    /// session. [`AuthError::CurrentSession`] for this session's id (use `logout`).
    pub async fn end_session(&self, id: i64) -> Result<bool, AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session.end_session(id).await?)
        })
        .await
    }

    /// Ends every other session of the user; this one stays valid.
    pub async fn end_other_sessions(&self) -> Result<(), AuthError> {
        let state = Arc::clone(&self.state);
        in_task(async move {
            let guard = state.read().await;
            let session = guard.as_ref().ok_or_else(session_used)?;
            Ok(session.end_other_sessions().await?)
        })
        .await
    }

    /// [`Session::regenerate_backup_codes`], blocking the calling thread (see `blocking`).
    pub fn regenerate_backup_codes_blocking(&self) -> Result<Vec<Arc<BackupCode>>, AuthError> {
        crate::blocking::wait(self.regenerate_backup_codes())
    }

    /// [`Session::sessions`], blocking the calling thread (see `blocking`).
    pub fn sessions_blocking(&self) -> Result<Vec<ActiveSession>, AuthError> {
        crate::blocking::wait(self.sessions())
    }

    /// [`Session::end_session`], blocking the calling thread (see `blocking`).
    pub fn end_session_blocking(&self, id: i64) -> Result<bool, AuthError> {
        crate::blocking::wait(self.end_session(id))
    }

    /// [`Session::end_other_sessions`], blocking the calling thread (see `blocking`).
    pub fn end_other_sessions_blocking(&self) -> Result<(), AuthError> {
        crate::blocking::wait(self.end_other_sessions())
    }

    /// [`Session::me`], blocking the calling thread (see `blocking`).
    pub fn me_blocking(&self) -> Result<User, AuthError> {
        crate::blocking::wait(self.me())
    }

    /// [`Session::is_valid`], blocking the calling thread (see `blocking`).
    pub fn is_valid_blocking(&self) -> Result<bool, AuthError> {
        crate::blocking::wait(self.is_valid())
    }

    /// [`Session::backup_codes`], blocking the calling thread (see `blocking`).
    pub fn backup_codes_blocking(&self) -> Result<Vec<Arc<BackupCode>>, AuthError> {
        crate::blocking::wait(self.backup_codes())
    }

    /// [`Session::logout`], blocking the calling thread (see `blocking`).
    pub fn logout_blocking(&self) -> Result<Option<String>, AuthError> {
        crate::blocking::wait(self.logout())
    }
}
