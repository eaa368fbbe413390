//! A local ONLYOFFICE DocSpace portal for tests: the authentication and two-factor endpoints,
//! answering on the wire like the real server (see `shared/docspace-protocol.md`), plus
//! emulator-only endpoints for the SMS outbox, fault injection, counters, reset and the clock.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = docspace_emulator::EmulatorConfig::from_users_file("tests/fixtures/users.json")?;
//! config.lockout.attempt_count = 2;
//! let emu = docspace_emulator::Emulator::start(config, "127.0.0.1:0".parse()?).await?;
//! println!("portal at {}", emu.base_url());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod server;
mod state;
mod tls;
mod wire;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use config::{
    CodeLimitConfig, ConfigError, EmulatorConfig, LockoutConfig, TfaKind, UserSpec, MAX_USERS,
};
pub use state::totp_at;

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
pub struct Emulator {
    base_url: String,
    addr: SocketAddr,
    ca_pem: Option<String>,
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
        let tls = if config.tls {
            Some(tls::generate().map_err(StartError::Tls)?)
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{local}");
        let initial: Vec<state::User> = config.users.iter().map(state::User::from_spec).collect();
        let shared = Arc::new(server::Shared {
            state: Mutex::new(state::State::new(initial.clone())),
            initial,
            cfg: config,
            base_url: base_url.clone(),
        });
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let acceptor = tls.map(|t| t.acceptor);
        let task = tokio::spawn(server::serve(listener, shared, acceptor, stop_rx));
        Ok(Emulator {
            base_url,
            addr: local,
            ca_pem,
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

    /// Stops accepting, closes every connection and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
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
