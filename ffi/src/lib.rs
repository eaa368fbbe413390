//! uniffi bindings (Kotlin, Swift, Python) for `docspace-auth`.
//!
//! One object per state of the login: [`DocspaceClient`] (nobody logged in), [`PendingLogin`]
//! (password accepted, second factor pending) and [`Session`] (logged in). Every network call is
//! async on a tokio runtime; every error is one [`AuthError`] whose message carries no secret.
//! See `ffi/README.md` for the names in each language.
//!
//! | module | what |
//! |---|---|
//! | `error` | [`AuthError`]: the one error, and the one place where core errors become it |
//! | `types` | records, enums and small objects: [`ClientOptions`], [`User`], [`SmsSent`], [`LoginResult`], [`Challenge`], [`Enrollment`], [`BackupCode`]; times as they cross the FFI |
//! | `portal` | [`PortalInfo`] and what it holds, captcha kinds, [`SsoRedirect`], [`SsoFailure`], [`ActiveSession`] |
//! | `client` | [`DocspaceClient`]: nobody logged in |
//! | `pending` | [`PendingLogin`]: second factor pending (its states are drawn there) |
//! | `session` | [`Session`]: logged in |
//! | `blocking` | the calling thread's runtime for the `*_blocking` methods (Python's sync API) |
//! | `direct` | the login path's direct entry points for the Python binding (`_direct.py`): a handle borrowed, strings as pointer and length, a login's outcome as one tagged handle |
//! | `stepped` | the same calls, async, as tasks the caller's event loop steps on its own thread (core's `external`), for the Python binding's async API |
//! | `reactor` | Linux: the stepped calls' reactor, one epoll instance per thread that the event loop watches as one file descriptor |
//! | `totp` | [`totp_now`], [`totp_at`], [`totp_seconds_remaining`] |
//!
//! Every exported `impl` with async methods carries `#[uniffi::export(async_runtime = "tokio")]`:
//! all of them run on uniffi's one tokio runtime.

uniffi::setup_scaffolding!();

#[cfg(target_os = "android")]
mod android;
mod blocking;
mod client;
mod direct;
mod error;
mod pending;
mod portal;
#[cfg(target_os = "linux")]
mod reactor;
mod session;
#[cfg(unix)]
mod stepped;
mod totp;
mod types;

pub use client::DocspaceClient;
pub use error::{AuthError, TransportKind};
pub use pending::PendingLogin;
pub use portal::{
    ActiveSession, Captcha, CaptchaKind, PasswordHashParams, PortalInfo, SsoFailure, SsoProvider,
    SsoRedirect, TenantStatus,
};
pub use session::Session;
pub use totp::{totp_at, totp_now, totp_seconds_remaining};
pub use types::{BackupCode, Challenge, ClientOptions, Enrollment, LoginResult, SmsSent, User};

/// The version of this library.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
