//! Login events (docs/protocol.md §15): every issued token belongs to one. An event is created
//! active at login and deactivated by a cookie logout, `activeconnections/logout/{id}`,
//! `logoutallexceptthis` or `logoutall`; a token is valid only while its event is active and
//! its user's cookie index has not moved since it was issued.

use std::time::Duration;

use crate::bounded::{BoundedMap, WhenFull};

use super::{State, UserIdx};

/// Most login events kept (beyond it the oldest are dropped, 1/64 of them at once, and their
/// tokens die).
pub(super) const MAX_EVENTS: usize = 100_000;
/// Events older than this are not listed (`date ≥ now − 1 year`).
const LISTED_FOR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Where a request came from, as a login event records it.
#[derive(Clone, Debug)]
pub(crate) struct ClientInfo {
    /// The IP cut at the first `:` (`BaseEventMapper`).
    pub ip: String,
    pub browser: String,
    pub platform: String,
    /// Referer, else the request path.
    pub page: Option<String>,
}

#[derive(Clone)]
pub(crate) struct LoginEvent {
    pub id: u64,
    pub user: UserIdx,
    pub active: bool,
    pub client: ClientInfo,
    pub date: Duration,
}

pub(super) fn new_table() -> BoundedMap<u64, LoginEvent> {
    BoundedMap::new(MAX_EVENTS, WhenFull::DropLowest(|e: &LoginEvent| e.id))
}

impl State {
    /// Records a login of `user` and returns the event id (ids increase from 1).
    pub(super) fn new_event(&mut self, user: UserIdx, client: ClientInfo) -> u64 {
        let id = self.next_event;
        self.next_event += 1;
        let event = LoginEvent {
            id,
            user,
            active: true,
            client,
            date: self.now(),
        };
        self.events.insert(id, event, |e| e.active);
        id
    }

    pub(crate) fn event(&self, id: u64) -> Option<&LoginEvent> {
        self.events.get(&id)
    }

    /// Deactivates an event; true if it was active.
    pub(crate) fn deactivate_event(&mut self, id: u64) -> bool {
        match self.events.get_mut(&id) {
            Some(e) if e.active => {
                e.active = false;
                true
            }
            _ => false,
        }
    }

    /// The user's listed events: active, at most a year old, newest first.
    pub(crate) fn user_events(&self, user: UserIdx) -> Vec<LoginEvent> {
        let now = self.now();
        let mut list: Vec<LoginEvent> = self
            .events
            .values()
            .filter(|e| e.user == user && e.active && e.date.saturating_add(LISTED_FOR) >= now)
            .cloned()
            .collect();
        list.sort_by_key(|e| std::cmp::Reverse(e.id));
        list
    }

    /// Deactivates every active event of `user` but `except` (0 ⇒ none is spared).
    pub(crate) fn deactivate_user_events(&mut self, user: UserIdx, except: u64) {
        for e in self.events.values_mut() {
            if e.user == user && e.id != except {
                e.active = false;
            }
        }
    }

    /// `CookiesManager.ResetUserCookieAsync`: bumps the user's cookie index (every token of the
    /// user dies) and deactivates all the user's events.
    pub(crate) fn reset_user_cookies(&mut self, user: UserIdx) {
        self.users[user.0].cookie_index += 1;
        self.deactivate_user_events(user, 0);
    }
}
