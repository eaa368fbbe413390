//! Confirm keys (docs/protocol.md §5 "Confirm scheme", §16): the `key` of the `confirmUrl`s and
//! `asc_confirm_key_*` cookies step 1 hands out. The real server derives them from the e-mail,
//! the type and a timestamp; the emulator keeps the keys it issued, with their type, user and
//! issue time. A key is valid for its type and user for one hour on the emulator's clock
//! (`auth:validinterval`), reusable within it.

use std::time::Duration;

use rand::Rng;

use crate::bounded::{BoundedMap, WhenFull};

use super::{State, UserIdx};

/// Most confirm keys kept.
const MAX_CONFIRM_KEYS: usize = 100_000;
/// `auth:validinterval`.
const CONFIRM_KEY_VALIDITY: Duration = Duration::from_secs(3600);

pub(super) struct ConfirmKey {
    /// `PhoneActivation`, `PhoneAuth`, `TfaAuth`, `TfaActivation`.
    kind: &'static str,
    user: UserIdx,
    issued: Duration,
}

pub(super) fn new_table() -> BoundedMap<String, ConfirmKey> {
    BoundedMap::new(MAX_CONFIRM_KEYS, WhenFull::Clear)
}

impl State {
    /// A new key `<ms since 2010-01-01>.<UPPERCASE hash>` for `kind` and `user`.
    pub(crate) fn issue_confirm_key(&mut self, kind: &'static str, user: UserIdx) -> String {
        let now = self.now();
        let ms = now.as_millis().saturating_sub(1_262_304_000_000);
        let hash: [u8; 16] = rand::rng().random();
        let hex: String = hash.iter().map(|b| format!("{b:02X}")).collect();
        let key = format!("{ms}.{hex}");
        self.confirm_keys.insert(
            key.clone(),
            ConfirmKey {
                kind,
                user,
                issued: now,
            },
            |k| k.issued.saturating_add(CONFIRM_KEY_VALIDITY) > now,
        );
        key
    }

    /// Whether `key` is a live key of type `kind` (case-insensitive) for `user`.
    pub(crate) fn confirm_key_valid(&self, key: &str, kind: &str, user: UserIdx) -> bool {
        self.confirm_keys.get(key).is_some_and(|k| {
            k.user == user
                && k.kind.eq_ignore_ascii_case(kind)
                && k.issued.saturating_add(CONFIRM_KEY_VALIDITY) > self.now()
        })
    }
}
