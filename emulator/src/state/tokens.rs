//! Issued tokens (docs/protocol.md §6, §15): random opaque strings kept in memory, each tied to a
//! login event. A token is valid until it expires, its login event is deactivated (cookie
//! logout, §15 endpoints), its user's cookie index moves (`logoutall`), or the oldest are dropped
//! beyond [`MAX_TOKENS`].

use std::time::Duration;

use base64::Engine as _;
use rand::Rng;

use crate::config::EmulatorConfig;

use super::events::ClientInfo;
use super::{State, UserIdx};

/// Most live tokens kept; beyond it the oldest are dropped (1/64 of them at once, `bounded`).
pub(super) const MAX_TOKENS: usize = 100_000;

#[derive(Clone)]
pub(crate) struct TokenInfo {
    pub user: UserIdx,
    pub expires: Duration,
    /// The login event the token belongs to (`loginEventId`).
    pub event_id: u64,
    /// The user's cookie index when it was issued.
    cookie_index: u64,
}

impl State {
    /// Issues a new token for `user`, with a new login event recording `client`.
    pub(crate) fn issue_token(
        &mut self,
        cfg: &EmulatorConfig,
        user: UserIdx,
        client: ClientInfo,
    ) -> (String, TokenInfo) {
        let now = self.now();
        let mut bytes = [0u8; 142];
        rand::rng().fill(&mut bytes[..]);
        let token = base64::engine::general_purpose::STANDARD.encode(bytes);
        let event_id = self.new_event(user, client);
        let info = TokenInfo {
            user,
            expires: now.saturating_add(cfg.token_lifetime),
            event_id,
            cookie_index: self.user(user).cookie_index,
        };
        self.tokens
            .insert(token.clone(), info.clone(), |t| t.expires > now);
        (token, info)
    }

    /// Looks a token up as the server's cookie handler does (URL-decoded, ' ' ⇒ '+', so raw and
    /// percent-encoded tokens both work, §13.4).
    pub(crate) fn validate_token(&self, raw: &str) -> Option<(String, TokenInfo)> {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?
            .replace(' ', "+");
        let info = self.tokens.get(&decoded)?;
        let user = self.user(info.user);
        if info.expires <= self.now()
            || user.disabled
            || user.cookie_index != info.cookie_index
            || !self.event(info.event_id).is_some_and(|e| e.active)
        {
            return None;
        }
        Some((decoded, info.clone()))
    }

    /// A cookie logout: the token's login event is deactivated (so the token dies).
    pub(crate) fn revoke_token(&mut self, token: &str) {
        if let Some(info) = self.tokens.remove(token) {
            self.deactivate_event(info.event_id);
        }
    }
}
