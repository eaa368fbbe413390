//! The portal's mutable state: users, tokens, lockouts, code limits, SMS keys and outbox, plus
//! the emulator's own faults, counters and clock. Every table is bounded. Fields are private:
//! endpoints and the control surface go through the methods of the submodules.

mod app_codes;
mod attempts;
mod confirm;
mod events;
mod login;
mod password;
mod sms;
mod tokens;
mod traffic;
mod users;

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::bounded::{BoundedMap, WhenFull};
use crate::config::MAX_USERS;
use crate::faults::FaultRules;
use crate::portal::{PortalConfig, PortalPatch};

use attempts::AttemptCounter;
use login::Lock;
use sms::Outbox;
use traffic::Traffic;

pub(crate) use events::{ClientInfo, LoginEvent};
pub(crate) use login::{Credentials, LoginCheck};
pub use password::client_password_hash;
pub(crate) use sms::{phone_noise, SendSms, SetPhoneError, SmsMessage};
pub(crate) use tokens::TokenInfo;
pub use traffic::Counters;
pub(crate) use traffic::NEVER_COUNTED;
pub(crate) use users::{BackupCode, User};

/// Most lockout keys kept.
const MAX_LOCKOUT_KEYS: usize = 100_000;
/// Most phones with pending SMS state.
const MAX_PHONES: usize = 100_000;
/// Farthest the clock can be moved forward.
const MAX_CLOCK_OFFSET: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A user of this state (an index only the state hands out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UserIdx(usize);

pub(crate) struct State {
    /// The users as the configuration gave them (for [`State::reset`]).
    initial: Vec<User>,
    /// The portal settings as the configuration gave them (for [`State::reset`]).
    initial_portal: PortalConfig,
    users: Vec<User>,
    portal: PortalConfig,
    tokens: BoundedMap<String, TokenInfo>,
    /// Login events by id (§15).
    events: BoundedMap<u64, LoginEvent>,
    next_event: u64,
    /// Confirm keys handed out by step 1 (§16).
    confirm_keys: BoundedMap<String, confirm::ConfirmKey>,
    lockouts: BoundedMap<(String, IpAddr), Lock>,
    /// `tfa/{userId}`.
    code_attempts: AttemptCounter<Uuid>,
    /// Per phone (digits): the codes sent and their expiry.
    sms_keys: BoundedMap<String, Vec<(String, Duration)>>,
    /// `smskeycheck{phone}`.
    sms_checks: AttemptCounter<String>,
    outbox: Outbox,
    faults: FaultRules,
    traffic: Traffic,
    clock_offset: Duration,
}

impl State {
    pub(crate) fn new(users: Vec<User>, portal: PortalConfig) -> State {
        State {
            users: users.clone(),
            initial: users,
            portal: portal.clone(),
            initial_portal: portal,
            events: events::new_table(),
            confirm_keys: confirm::new_table(),
            tokens: BoundedMap::new(
                tokens::MAX_TOKENS,
                WhenFull::DropLowest(|t: &TokenInfo| t.event_id),
            ),
            next_event: 1,
            lockouts: BoundedMap::new(MAX_LOCKOUT_KEYS, WhenFull::Clear),
            code_attempts: AttemptCounter::new(MAX_USERS),
            sms_keys: BoundedMap::new(MAX_PHONES, WhenFull::Clear),
            sms_checks: AttemptCounter::new(MAX_PHONES),
            outbox: Outbox::default(),
            faults: FaultRules::default(),
            traffic: Traffic::default(),
            clock_offset: Duration::ZERO,
        }
    }

    /// Back to the initial state: portal settings, users, enrolment, secrets and backup codes as first generated,
    /// tokens, lockouts, attempt counters, SMS outbox, faults, counters, clock offset. Kept-alive
    /// connections count again on their next request.
    pub(crate) fn reset(&mut self) {
        let traffic = self.traffic.after_reset();
        let portal = self.initial_portal.clone();
        *self = State::new(std::mem::take(&mut self.initial), portal);
        self.traffic = traffic;
    }

    /// The emulator's clock (since the unix epoch): wall clock plus the offset.
    pub(crate) fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .saturating_add(self.clock_offset)
    }

    /// How far the clock has been moved forward.
    pub(crate) fn clock_offset(&self) -> Duration {
        self.clock_offset
    }

    /// Moves the clock forward by `by` (in total at most 100 years).
    pub(crate) fn advance_clock(&mut self, by: Duration) {
        self.clock_offset = self.clock_offset.saturating_add(by).min(MAX_CLOCK_OFFSET);
    }

    pub(crate) fn faults(&mut self) -> &mut FaultRules {
        &mut self.faults
    }

    /// The portal settings now.
    pub(crate) fn portal(&self) -> &PortalConfig {
        &self.portal
    }

    /// Changes the portal settings (validated first; on error nothing changes). Memoized
    /// password hashes follow new hashing parameters by themselves.
    pub(crate) fn update_portal(
        &mut self,
        change: impl FnOnce(&mut PortalConfig),
    ) -> Result<(), crate::config::ConfigError> {
        let mut next = self.portal.clone();
        change(&mut next);
        next.validate()?;
        self.portal = next;
        Ok(())
    }

    /// [`State::update_portal`] with a partial `portal` object.
    pub(crate) fn patch_portal(
        &mut self,
        patch: &PortalPatch,
    ) -> Result<(), crate::config::ConfigError> {
        self.portal.apply(patch)
    }
}
