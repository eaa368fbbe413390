//! What every connection shares: the configuration, the state behind its lock, the base URL,
//! the key of the opaque SSO strings.

use std::sync::{Mutex, MutexGuard};

use crate::config::EmulatorConfig;
use crate::state::State;

pub(crate) struct Shared {
    pub cfg: EmulatorConfig,
    pub base_url: String,
    /// Keys the opaque SSO strings (`sealed.rs`); drawn at start, kept across resets.
    pub secret: [u8; 32],
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(cfg: EmulatorConfig, base_url: String, state: State) -> Shared {
        Shared {
            cfg,
            base_url,
            secret: rand::random(),
            state: Mutex::new(state),
        }
    }

    /// The state, locked (a panic while it was held does not make it unusable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the portal is served over TLS (cookies then get `Secure`).
    pub(crate) fn secure(&self) -> bool {
        self.base_url.starts_with("https:")
    }
}
