//! A local ONLYOFFICE DocSpace portal for tests: the authentication and two-factor endpoints,
//! portal discovery, client-side password hashing, captcha, SSO with a stand-in identity
//! provider, phone activation, backup-code regeneration and active sessions, answering on the
//! wire like the real server (see `docs/protocol.md` in the repository; every "§" in this crate
//! refers to it), plus a control surface for the SMS outbox, fault injection, counters, the
//! clock, the portal settings ([`PortalConfig`]: tenant status, captcha, SSO, LDAP, hashing) and
//! a reset: methods on the [`Emulator`] handle ([`EmulatorControl`]) for Rust tests, and
//! emulator-only HTTP endpoints (`/emulator/…`) for tests in other languages.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use docspace_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
//! let mut config = EmulatorConfig::from_users_file("tests/fixtures/users.json")?;
//! config.lockout.attempt_count = 2;
//! let emu = Emulator::start(config, "127.0.0.1:0".parse()?).await?;
//! println!("portal at {}", emu.base_url());
//! emu.install_fault(Fault::new(FaultKind::status(503)).on_path("/api/2.0/authentication"))?;
//! // ... a client logs in as dave@example.com, who gets an SMS ...
//! let code = emu.last_sms_code("+15551234567");
//! emu.advance_clock(std::time::Duration::from_secs(601)); // the code has expired
//! emu.shutdown().await;
//! # let _ = code;
//! # Ok(()) }
//! ```
//!
//! Where things are: `http/` (accept loop, body, path decoding, fault injection on the wire),
//! `binding.rs` (the login and `setphone` DTOs), `endpoints/` (the DocSpace `/api` endpoints by
//! protocol group, and the tenant-status gate), `web/` (SSO outside `/api`: `/sso/*`,
//! `ssologin.ashx`, the IdP stand-in, landing pages), `emulator_endpoints/` (one file per
//! `/emulator/…` endpoint), `control.rs` (the methods), `faults.rs` (fault rules), `state/`
//! (users, passwords and hashes, tokens and login events, confirm keys, lockout, codes, SMS,
//! counters, clock, portal), `otp.rs` (TOTP, backup and SMS codes), `bounded.rs` (the bounded
//! tables), `wire.rs` (DTOs, dates, cookies, URL encodings), `config.rs` (the users file),
//! `portal.rs` (the portal settings), `sealed.rs` (opaque signed SSO strings), `user_agent.rs`,
//! `tls.rs` (the generated certificate).

mod binding;
mod bounded;
mod config;
mod control;
mod emulator_endpoints;
mod endpoints;
mod faults;
mod http;
mod otp;
mod portal;
mod sealed;
mod shared;
mod state;
mod tls;
mod user_agent;
mod web;
mod wire;

use std::fmt;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

pub use config::{
    CodeLimitConfig, ConfigError, EmulatorConfig, LockoutConfig, TfaKind, UserSpec, MAX_USERS,
};
pub use control::{Counters, EmulatorControl, SentSms};
pub use faults::{
    Fault, FaultError, FaultKind, DEFAULT_OVERSIZED_BYTES, DEFAULT_REDIRECT_LOCATION, MAX_DELAY,
    MAX_FAULTS, MAX_OVERSIZED_BYTES,
};
pub use otp::totp_at;
pub use portal::{
    PasswordHashParams, PasswordHashPatch, PortalConfig, PortalPatch, RecaptchaConfig,
    RecaptchaPatch, SsoConfig, SsoPatch, DEFAULT_ITERATIONS, DEFAULT_SALT, DEFAULT_SIZE,
};
pub use state::client_password_hash;

/// Why the emulator could not start.
#[derive(Debug)]
pub enum StartError {
    /// The configuration is not usable.
    Config(ConfigError),
    /// The listening socket could not be bound.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Generating the TLS certificate failed.
    Tls(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Config(e) => write!(f, "{e}"),
            StartError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            StartError::Tls(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Config(e) => Some(e),
            StartError::Bind { source, .. } => Some(source),
            StartError::Tls(_) => None,
        }
    }
}

/// A running emulator. Stops on [`Emulator::shutdown`] or when dropped.
///
/// It dereferences to its [`EmulatorControl`]: the SMS outbox ([`EmulatorControl::last_sms_code`],
/// [`EmulatorControl::sms_sent_to`], [`EmulatorControl::sms_outbox`]), faults
/// ([`EmulatorControl::install_fault`], [`EmulatorControl::clear_faults`]), counters
/// ([`EmulatorControl::counters`], [`EmulatorControl::reset_counters`]), the clock
/// ([`EmulatorControl::now`], [`EmulatorControl::advance_clock`]) and
/// [`EmulatorControl::reset`] are methods of the handle.
pub struct Emulator {
    base_url: String,
    addr: SocketAddr,
    ca_pem: Option<String>,
    control: EmulatorControl,
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds `addr` (use port 0 for an ephemeral port) and serves in the current tokio runtime.
    pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> Result<Emulator, StartError> {
        config::validate_users(&config.users).map_err(StartError::Config)?;
        let portal = config.initial_portal();
        portal.validate().map_err(StartError::Config)?;
        let tls = if config.tls {
            Some(tls::generate().map_err(StartError::Tls)?)
        } else {
            None
        };
        let listener = listen(addr).map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{local}");
        let users = config.users.iter().map(state::User::from_spec).collect();
        let shared = Arc::new(shared::Shared::new(
            config,
            base_url.clone(),
            state::State::new(users, portal),
        ));
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let acceptor = tls.map(|t| t.acceptor);
        let control = EmulatorControl::new(shared.clone());
        let task = tokio::spawn(http::serve(listener, shared, acceptor, stop_rx));
        Ok(Emulator {
            base_url,
            addr: local,
            ca_pem,
            control,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// PEM of the CA that signed the server certificate (valid for 127.0.0.1 and localhost),
    /// when TLS is on.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// An owned handle on this emulator's state (cloneable, usable from any thread), with the
    /// same methods the `Emulator` offers through `Deref`.
    pub fn control(&self) -> EmulatorControl {
        self.control.clone()
    }

    /// Stops accepting, closes every connection and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Deref for Emulator {
    type Target = EmulatorControl;

    fn deref(&self) -> &EmulatorControl {
        &self.control
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Most connections waiting to be accepted: a burst of a thousand clients connecting at once
/// is queued (the kernel caps it at `net.core.somaxconn`), not reset.
const ACCEPT_BACKLOG: u32 = 4096;

/// A listener on `addr` with [`ACCEPT_BACKLOG`] (plain `TcpListener::bind` queues 1024).
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}
