//! The server's attempt counters for second-factor codes (`TM.ValidateAuthCodeAsync`, cache key
//! `tfa/{userId}`; `SmsKeyStorage.ValidateKeyAsync`, `smskeycheck{phone}`), docs/protocol.md §4.5, §4.7.

use std::hash::Hash;
use std::time::Duration;

use crate::bounded::{BoundedMap, WhenFull};

/// `key` ⇒ (counter, expiry).
pub(super) struct AttemptCounter<K> {
    counters: BoundedMap<K, (u32, Duration)>,
}

impl<K: Hash + Eq + Clone> AttemptCounter<K> {
    pub(super) fn new(capacity: usize) -> Self {
        AttemptCounter {
            counters: BoundedMap::new(capacity, WhenFull::Clear),
        }
    }

    /// Counts an attempt: the stored counter (0 once expired) is incremented; above `limit` the
    /// attempt is refused and nothing is stored (so a refused attempt neither counts nor re-arms
    /// the expiry); otherwise the new value is stored with expiry `now + window`. Returns the new
    /// value when allowed.
    pub(super) fn count(
        &mut self,
        key: K,
        limit: u32,
        window: Duration,
        now: Duration,
    ) -> Option<u32> {
        let stored = self
            .counters
            .get(&key)
            .filter(|(_, expires)| *expires > now)
            .map_or(0, |(n, _)| *n);
        let counter = stored.saturating_add(1);
        if counter > limit {
            return None;
        }
        let value = (counter, now.saturating_add(window));
        self.counters
            .insert(key, value, |(_, expires)| *expires > now);
        Some(counter)
    }

    /// After a success the server stores `counter - 1`, again with expiry `now + window`.
    pub(super) fn give_back(&mut self, key: K, counter: u32, window: Duration, now: Duration) {
        let value = (counter.saturating_sub(1), now.saturating_add(window));
        self.counters
            .insert(key, value, |(_, expires)| *expires > now);
    }
}
