//! The emulator's traffic counters: connections that carried at least one `/api` request, and
//! `/api` requests, since start or the last reset.

use std::sync::atomic::{AtomicU64, Ordering};

use super::State;

/// What a connection's "last counted in" marker holds before its first `/api` request.
pub(crate) const NEVER_COUNTED: u64 = u64::MAX;

/// `/api` traffic since start or the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Connections that carried at least one `/api` request.
    pub connections: u64,
    /// `/api` requests, faulted ones included.
    pub requests: u64,
}

#[derive(Default)]
pub(super) struct Traffic {
    counters: Counters,
    /// Bumped by a reset so that kept-alive connections count again; never [`NEVER_COUNTED`].
    epoch: u64,
}

impl Traffic {
    /// Zeroed, in a new epoch.
    pub(super) fn after_reset(&self) -> Traffic {
        Traffic {
            counters: Counters::default(),
            epoch: self.epoch.wrapping_add(1) % NEVER_COUNTED,
        }
    }
}

impl State {
    /// Counts an `/api` request on a connection whose marker is `last_counted` (initially
    /// [`NEVER_COUNTED`]); the connection counts once per epoch.
    pub(crate) fn count_request(&mut self, last_counted: &AtomicU64) {
        let t = &mut self.traffic;
        t.counters.requests = t.counters.requests.saturating_add(1);
        if last_counted.swap(t.epoch, Ordering::Relaxed) != t.epoch {
            t.counters.connections = t.counters.connections.saturating_add(1);
        }
    }

    pub(crate) fn counters(&self) -> Counters {
        self.traffic.counters
    }

    pub(crate) fn reset_counters(&mut self) {
        self.traffic = self.traffic.after_reset();
    }
}
