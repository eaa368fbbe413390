//! Log a user into an ONLYOFFICE DocSpace portal, second factor included, where misuse does
//! not compile.
//!
//! The login is a chain of typestates: [`Auth<Unauthenticated>`](Unauthenticated) →
//! [`Auth<TfaPending>`](TfaPending) (only when a second factor is required) →
//! [`Auth<Authenticated>`](Authenticated). Every step consumes the previous state, so calling
//! `confirm` before `login`, reading a token that does not exist yet, or reusing a consumed
//! state are compile errors.
//!
//! It relies only on what the real server does on the wire (authentication endpoints of
//! DocSpace's API 2.0): the code goes in the JSON body with the credentials again, the TOTP
//! secret is never sent back, logout sends the token as the `asc_auth_key` cookie so the
//! server really revokes it, and outcomes are decided by HTTP status and envelope, never by
//! the localized message. Every "§" in this crate's docs refers to `docs/protocol.md` in the
//! repository, which cites the server source file of each fact.
//!
//! # Quick start
//!
//! ```no_run
//! use docspace_auth::secrecy::{ExposeSecret, SecretString};
//! use docspace_auth::{Auth, Challenge, Code, Error, LoginOutcome};
//!
//! # async fn run() -> Result<(), Error> {
//! let auth = Auth::new("https://portal.example.com")?;
//! let session = match auth.login("carol@example.com", SecretString::from("carol-pass")).await? {
//!     LoginOutcome::Authenticated(session) => session,
//!     LoginOutcome::TfaRequired(mut pending) => {
//!         match pending.challenge() {
//!             Challenge::App => println!("enter the code from your authenticator"),
//!             Challenge::AppEnrollment(enrollment) => {
//!                 // Show enrollment.provisioning_uri() as a QR code, or the key itself:
//!                 println!("add this key to your authenticator: {}", enrollment.secret().expose_secret());
//!             }
//!             Challenge::Sms { phone_noise, .. } => println!("enter the code sent to {phone_noise}"),
//!             Challenge::SmsPhoneActivation { .. } => {
//!                 let number = "+1 555 123 4567"; // ask the user
//!                 pending = pending.set_phone(number).await?;
//!             }
//!         }
//!         loop {
//!             let typed = "123 456"; // read it from the user
//!             match pending.confirm(Code::parse(typed)?).await {
//!                 Ok(session) => break session,
//!                 Err(rejected) if matches!(rejected.error(), Error::CodeRejected) => {
//!                     println!("wrong code, try again");
//!                     pending = rejected.into_pending();
//!                 }
//!                 Err(other) => return Err(other.into()),
//!             }
//!         }
//!     }
//! };
//! let me = session.me().await?;
//! println!("logged in as {} <{}>, token expires {:?}", me.display_name, me.email, session.expires());
//! let stored = session.token().clone(); // keep it in a keychain...
//!
//! // ...and later:
//! let session = Auth::resume("https://portal.example.com", stored)?;
//! if session.is_valid().await? {
//!     session.logout().await?; // revokes the token on the server
//! }
//! # Ok(()) }
//! ```
//!
//! What runs offline:
//!
//! ```
//! use docspace_auth::{secrecy::SecretString, totp, Auth, Code, Error};
//!
//! // Codes are checked before any request.
//! assert!(matches!(Code::parse("12 34"), Err(Error::InvalidCodeFormat)));
//! // TOTP from the Base32 secret (SHA-1, 6 digits, 30 s), e.g. for scripts and tests.
//! let code = totp::at(&SecretString::from("IFREGZCFMYWV6MJS"), 59)?;
//! assert_eq!(code.expose(), "322385");
//! // Plain http only for loopback.
//! assert!(matches!(Auth::new("http://portal.example.com"), Err(Error::InsecureUrl)));
//! # Ok::<(), Error>(())
//! ```
//!
//! # Transport
//!
//! hyper's HTTP/1.1 connections (hyper-util's TCP connector, hyper-rustls's TLS one, a small pool
//! of idle connections of our own) over rustls
//! with the `ring` provider, the platform trust store (plus optional extra roots,
//! [`AuthBuilder::add_root_certificate_pem`]); one shared HTTP client per configuration,
//! whose pool lets a whole 2FA login, and the logins after it, reuse one connection (shared by
//! the whole process on multi-threaded tokio runtimes; per thread on current-thread runtimes,
//! which run only while their thread waits in them, so that no request waits on a connection
//! another thread's runtime serves); never a
//! proxy from the environment; redirects are not followed (a 3xx is
//! [`Error::UnexpectedResponse`]); no cookie store; response bodies are capped at 1 MiB;
//! request timeout (the whole exchange, the answer's body included) and connect timeout (30 s /
//! 10 s by default). Secrets (password, token, TOTP
//! secret, codes) live in [`secrecy`] types, are zeroized on drop and redacted in `Debug`;
//! so are the response bodies the library reads. Copies made on the way out are not: the
//! JSON request body once handed to the HTTP stack (and the buffer it was encoded in), the
//! `Authorization`/`Cookie` header values, and the HTTP stack's own read buffers.
//!
//! The TLS configuration (platform verifier, `ring` provider) is built once per process, on
//! first use, and shared by every client; a client with extra roots shares one with the other
//! clients that have the same roots. On Linux the system trust store is read when the first
//! certificate is verified, not when a client is made: a client that only talks plain HTTP to
//! a loopback portal never reads it. A change to the system trust store is picked up when the
//! process restarts, not by the next `Auth`.
//!
//! Without a tokio runtime, another language's event loop can run a call on its own thread
//! ([`external`], on Unix): the loop steps it, watching the sockets and deadline each step
//! names. The Python binding's async login does so on asyncio.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod code;
mod error;
#[cfg(unix)]
pub mod external;
mod http;
mod portal;
pub mod totp;
mod wire;

/// Entry points for the fuzz targets in `fuzz/`: not part of the API (built only with
/// `--cfg fuzzing`, and for this crate's own tests).
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;

pub use auth::{
    ActiveSession, Auth, AuthBuilder, Authenticated, BackupCode, Challenge, ConfirmError,
    Enrollment, LoggedOut, LoginOutcome, LogoutError, SmsSent, SsoRedirect, TfaPending,
    Unauthenticated, User,
};
pub use code::Code;
pub use error::{Error, SsoFailure, TransportErrorKind};
pub use portal::{
    Captcha, CaptchaAnswer, CaptchaKind, PasswordHashParams, PortalInfo, SsoProvider, TenantStatus,
};
/// The `secrecy` crate this API uses for secrets (`SecretString`, `ExposeSecret`).
pub use secrecy;

/// The Rust examples of `core/README.md` and of the repository's `README.md`, compiled as
/// doctests so that the quick starts cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
