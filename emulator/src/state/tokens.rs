//! Issued tokens (docs/protocol.md §6): random opaque strings kept in memory until they expire, are
//! revoked by a cookie logout, or the oldest are dropped beyond [`MAX_TOKENS`].

use std::time::Duration;

use base64::Engine as _;
use rand::Rng;

use crate::config::EmulatorConfig;

use super::{State, UserIdx};

/// Most live tokens kept; the oldest are dropped beyond it.
pub(super) const MAX_TOKENS: usize = 100_000;

#[derive(Clone)]
pub(crate) struct TokenInfo {
    pub user: UserIdx,
    pub expires: Duration,
    /// The login event the token belongs to (`loginEventId`).
    pub event_id: u64,
}

impl State {
    /// Issues a new token for `user`.
    pub(crate) fn issue_token(
        &mut self,
        cfg: &EmulatorConfig,
        user: UserIdx,
    ) -> (String, TokenInfo) {
        let now = self.now();
        let mut bytes = [0u8; 142];
        rand::rng().fill(&mut bytes[..]);
        let token = base64::engine::general_purpose::STANDARD.encode(bytes);
        let info = TokenInfo {
            user,
            expires: now.saturating_add(cfg.token_lifetime),
            event_id: self.next_event,
        };
        self.next_event += 1;
        self.tokens
            .insert(token.clone(), info.clone(), |t| t.expires > now);
        (token, info)
    }

    /// Looks a token up as the server's cookie handler does (URL-decoded, ' ' ⇒ '+').
    pub(crate) fn validate_token(&self, raw: &str) -> Option<(String, TokenInfo)> {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?
            .replace(' ', "+");
        let info = self.tokens.get(&decoded)?;
        if info.expires <= self.now() || self.user(info.user).disabled {
            return None;
        }
        Some((decoded, info.clone()))
    }

    pub(crate) fn revoke_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }
}
