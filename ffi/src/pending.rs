//! [`PendingLogin`]: the password was accepted, a second factor is pending.
//!
//! Its state (`PendingState`), behind one async mutex that serializes the calls:
//!
//! ```text
//!             confirm: code rejected (CodeRejected; the state is put back)
//!             resend_sms: a new SMS is sent
//!             ┌─────┐
//!             │     ▼
//!   login ──▶ Pending (waiting for a code)
//!                 │
//!                 │ confirm: the server accepted the code; its task parks the session
//!                 ▼
//!             Unclaimed (parked session)          resend_sms: AlreadyUsed, no request
//!                 │                               ("the next confirm returns it")
//!                 │ that confirm claims the session; or, if its caller was cancelled,
//!                 │ the next confirm does (with any well-formed code, nothing is sent)
//!                 ▼
//!             Used (the session was handed out)   confirm, resend_sms: AlreadyUsed
//! ```
//!
//! A malformed code is `InvalidCodeFormat` in every state, before the lock and without any
//! request. `challenge()` and `user()` answer in every state.

use std::sync::Arc;

use docspace_auth as core;
use docspace_auth::{Auth, Authenticated, TfaPending};
use tokio::sync::{oneshot, Mutex};
use zeroize::Zeroizing;

use crate::types::ffi_time;
use crate::{AuthError, Challenge, Session, SmsSent};

enum PendingState {
    /// Waiting for a code.
    Pending(Auth<TfaPending>),
    /// The server accepted a confirm's code; its caller has not claimed the session yet (or was
    /// cancelled): the next claim, or the next `confirm`, hands it out without sending a code.
    Unclaimed(Auth<Authenticated>),
    /// Confirmed: the session was handed out.
    Used,
}

fn pending_used() -> AuthError {
    AuthError::already_used("this login was already confirmed; log in again")
}

fn pending_parked() -> AuthError {
    AuthError::already_used(
        "this login was already confirmed and its session is waiting: the next confirm returns it \
         (with any well-formed code, nothing is sent)",
    )
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
    pub(crate) fn from_core(pending: Auth<TfaPending>) -> Self {
        PendingLogin {
            challenge: Challenge::from(pending.challenge()),
            user: pending.user().to_owned(),
            state: Arc::new(Mutex::new(PendingState::Pending(pending))),
        }
    }

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
}

#[uniffi::export(async_runtime = "tokio")]
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
            Err(_) => Err(AuthError::other("the confirm task ended unexpectedly")),
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

    /// [`PendingLogin::confirm`], blocking the calling thread (see `blocking`).
    pub fn confirm_blocking(&self, code: String) -> Result<Arc<Session>, AuthError> {
        crate::blocking::wait(self.confirm(code))
    }

    /// [`PendingLogin::resend_sms`], blocking the calling thread (see `blocking`).
    pub fn resend_sms_blocking(&self) -> Result<SmsSent, AuthError> {
        crate::blocking::wait(self.resend_sms())
    }
}
