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
//!                 │ confirm: the server accepted the code; its task parks the session for
//!                 │ that confirm's caller (or for nobody, if that caller is gone)
//!                 ▼
//!             Unclaimed (parked session)          resend_sms: AlreadyUsed, no request
//!                 │                               (if nobody's: "the next confirm returns it")
//!                 │ that confirm's caller claims it; another confirm meanwhile gets
//!                 │ AlreadyUsed. If that caller was cancelled, the next confirm claims it
//!                 │ (with any well-formed code, nothing is sent)
//!                 ▼
//!             Used (the session was handed out)   confirm, resend_sms: AlreadyUsed
//! ```
//!
//! A malformed code is `InvalidCodeFormat` in every state, before the lock and without any
//! request. `challenge()` and `user()` answer in every state.

use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The server accepted a confirm's code; its caller has not claimed the session yet.
    /// `owner` is that confirm's ticket while its caller waits: only it may claim the session.
    /// `None` once that caller is gone (cancelled): the next `confirm` hands it out.
    Unclaimed {
        session: Auth<Authenticated>,
        owner: Option<u64>,
    },
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
/// [`AuthError::AlreadyUsed`]). Calls are serialized: a second `confirm` waits for the first,
/// and if the first one's code was accepted, the session is the first caller's and the second
/// gets [`AuthError::AlreadyUsed`].
/// A cancelled `confirm` leaves it usable: its request finishes in the background and, if the
/// server accepted the code, the next `confirm` returns that session.
#[derive(uniffi::Object)]
pub struct PendingLogin {
    /// Changes once, when `set_phone` turns a phone activation into an SMS challenge.
    challenge: Arc<std::sync::Mutex<Challenge>>,
    user: String,
    state: Arc<Mutex<PendingState>>,
    /// Numbers the confirms, so that a parked session goes to the one whose code was accepted.
    tickets: AtomicU64,
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
            challenge: Arc::new(std::sync::Mutex::new(Challenge::from(pending.challenge()))),
            user: pending.user().to_owned(),
            state: Arc::new(Mutex::new(PendingState::Pending(pending))),
            tickets: AtomicU64::new(0),
        }
    }

    /// Takes the session that the confirm with `ticket` parked in the state (or one nobody owns).
    async fn claim(&self, ticket: u64) -> Result<Arc<Session>, AuthError> {
        let mut guard = self.state.lock().await;
        match std::mem::replace(&mut *guard, PendingState::Used) {
            PendingState::Unclaimed { session, owner } if owner.is_none_or(|o| o == ticket) => {
                Ok(Arc::new(Session::from_core(session)))
            }
            other => {
                *guard = other;
                Err(pending_used())
            }
        }
    }
}

/// Frees the session parked for `ticket` for the next `confirm`: its caller is gone.
fn disown(state: &mut PendingState, ticket: u64) {
    if let PendingState::Unclaimed { owner, .. } = state {
        if *owner == Some(ticket) {
            *owner = None;
        }
    }
}

/// Held by a `confirm` while it waits: if its caller is cancelled (the future dropped) before
/// it claimed its session, the session is freed for the next `confirm` instead of being lost.
struct DisownOnDrop {
    state: Arc<Mutex<PendingState>>,
    ticket: u64,
    done: bool,
}

impl Drop for DisownOnDrop {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // At once when the state is free (the next call must see it), else once it is.
        if let Ok(mut state) = self.state.try_lock() {
            return disown(&mut state, self.ticket);
        }
        let (state, ticket) = (Arc::clone(&self.state), self.ticket);
        crate::blocking::background(async move { disown(&mut *state.lock().await, ticket) });
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl PendingLogin {
    /// Which second factor the server asks for.
    pub fn challenge(&self) -> Challenge {
        match self.challenge.lock() {
            Ok(challenge) => challenge.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The login name this second factor is for.
    pub fn user(&self) -> String {
        self.user.clone()
    }

    /// Sends a code (6 digits, or a 6-character backup code; spaces are ignored). A malformed
    /// code is [`AuthError::InvalidCodeFormat`] without any request.
    pub async fn confirm(&self, code: String) -> Result<Arc<Session>, AuthError> {
        let code = core::Code::parse(&Zeroizing::new(code))?;
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        // One confirm at a time: the lock is held until the request is over.
        let mut guard = self.state.clone().lock_owned().await;
        let pending = match std::mem::replace(&mut *guard, PendingState::Used) {
            PendingState::Pending(pending) => pending,
            PendingState::Unclaimed {
                session,
                owner: None,
            } => return Ok(Arc::new(Session::from_core(session))),
            // Another confirm's code was accepted: the session is its caller's.
            owned @ PendingState::Unclaimed { .. } => {
                *guard = owned;
                return Err(pending_used());
            }
            PendingState::Used => return Err(pending_used()),
        };
        // The request runs in its own task, which owns the lock: if the caller is cancelled,
        // the request still completes and the state is put back. A session the server issued
        // is always parked in the state first, for this caller, who claims it from there; a
        // caller cancelled at any point leaves it for the next `confirm` instead of losing it.
        let (tx, rx) = oneshot::channel();
        let mut waiting = DisownOnDrop {
            state: Arc::clone(&self.state),
            ticket,
            done: false,
        };
        // Built in the call (not in a local first): one copy of this future, into the box.
        crate::blocking::detach(async move {
            let outcome = match pending.confirm(code).await {
                Ok(session) => {
                    let owner = (!tx.is_closed()).then_some(ticket);
                    *guard = PendingState::Unclaimed { session, owner };
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
        })
        .await;
        let outcome = match rx.await {
            Ok(Ok(())) => self.claim(ticket).await,
            Ok(Err(error)) => Err(error),
            Err(_) => Err(AuthError::other("the confirm task ended unexpectedly")),
        };
        waiting.done = true;
        outcome
    }

    /// Asks the server to send a new SMS code. Waits for a confirm in flight. Once a confirm
    /// succeeded it is [`AuthError::AlreadyUsed`] without any request: if that confirm's caller
    /// was cancelled before it got the session, the message says that the next `confirm`
    /// returns it.
    pub async fn resend_sms(&self) -> Result<SmsSent, AuthError> {
        let state = Arc::clone(&self.state);
        crate::blocking::in_task(async move {
            let guard = state.lock().await;
            match &*guard {
                PendingState::Pending(pending) => {
                    let sent = pending.resend_sms().await?;
                    Ok(SmsSent {
                        phone_noise: sent.phone_noise,
                        expires: ffi_time(sent.expires),
                    })
                }
                PendingState::Unclaimed { owner: None, .. } => Err(pending_parked()),
                PendingState::Unclaimed { .. } => Err(pending_used()),
                PendingState::Used => Err(pending_used()),
            }
        })
        .await
    }

    /// Gives the phone number to send codes to, when the challenge is `SmsPhoneActivation`:
    /// the server sends a code to it and the challenge becomes `Sms` (read `challenge()`
    /// again); then `confirm` as usual. Any formatting is fine (`+1 (555) 123-4567`).
    /// [`AuthError::NotPhoneActivation`] for another challenge and
    /// [`AuthError::InvalidPhoneNumber`] for a number without digits, both without any request;
    /// [`AuthError::PhoneActivationExpired`] an hour after the login. Every failure leaves the
    /// pending login usable.
    pub async fn set_phone(&self, number: String) -> Result<Challenge, AuthError> {
        let state = Arc::clone(&self.state);
        let challenge = Arc::clone(&self.challenge);
        crate::blocking::in_task(async move {
            let mut guard = state.lock().await;
            let pending = match std::mem::replace(&mut *guard, PendingState::Used) {
                PendingState::Pending(pending) => pending,
                other => {
                    let error = match &other {
                        PendingState::Unclaimed { owner: None, .. } => pending_parked(),
                        _ => pending_used(),
                    };
                    *guard = other;
                    return Err(error);
                }
            };
            match pending.set_phone(&number).await {
                Ok(pending) => {
                    let now = Challenge::from(pending.challenge());
                    *guard = PendingState::Pending(pending);
                    let mut shown = challenge.lock().unwrap_or_else(|p| p.into_inner());
                    *shown = now.clone();
                    Ok(now)
                }
                Err(failed) => {
                    let (error, pending) = failed.into_parts();
                    *guard = PendingState::Pending(pending);
                    Err(error.into())
                }
            }
        })
        .await
    }

    /// [`PendingLogin::set_phone`], blocking the calling thread (see `blocking`).
    pub fn set_phone_blocking(&self, number: String) -> Result<Challenge, AuthError> {
        crate::blocking::wait(self.set_phone(number))
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
