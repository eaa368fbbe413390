//! The emulator's control surface for tests in Rust: the SMS outbox, fault injection, traffic
//! counters, the clock, the portal settings and a reset, as methods. The emulator-only HTTP endpoints
//! (`/emulator/…`, for the Python, Kotlin and Swift suites) do the same things over the wire.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::ConfigError;
use crate::faults::{Fault, FaultError};
use crate::portal::{PortalConfig, PortalPatch};
use crate::shared::Shared;
use crate::state::SmsMessage;

pub use crate::state::Counters;

/// A message in the SMS outbox.
#[derive(Clone, PartialEq, Eq)]
pub struct SentSms {
    /// The user's phone as the users file wrote it.
    pub phone: String,
    /// The 6-digit code.
    pub code: String,
    /// When it was sent, on the emulator's clock.
    pub sent_at: SystemTime,
}

impl fmt::Debug for SentSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentSms")
            .field("phone", &self.phone)
            .field("code", &"<redacted>")
            .field("sent_at", &self.sent_at)
            .finish()
    }
}

/// A point on the emulator's clock (a duration since the unix epoch) as a `SystemTime`.
pub(crate) fn system_time(t: Duration) -> SystemTime {
    UNIX_EPOCH.checked_add(t).unwrap_or(UNIX_EPOCH)
}

impl From<SmsMessage> for SentSms {
    fn from(m: SmsMessage) -> SentSms {
        SentSms {
            phone: m.phone,
            code: m.code,
            sent_at: system_time(m.sent_at),
        }
    }
}

/// A handle on a running emulator's state, for tests.
///
/// [`crate::Emulator`] dereferences to it, so `emu.last_sms_code(phone)` works; get an owned,
/// cloneable handle (e.g. for another thread) with [`crate::Emulator::control`]. It acts on the
/// state directly: no request is made, nothing is counted.
#[derive(Clone)]
pub struct EmulatorControl {
    shared: Arc<Shared>,
}

impl fmt::Debug for EmulatorControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorControl")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl EmulatorControl {
    pub(crate) fn new(shared: Arc<Shared>) -> EmulatorControl {
        EmulatorControl { shared }
    }

    /// Every SMS in the outbox, oldest first (it keeps the last 1000). Like `GET /emulator/sms`.
    pub fn sms_outbox(&self) -> Vec<SentSms> {
        self.sms(None)
    }

    /// The SMS sent to `phone` (compared by its digits: `+1 555-123` matches `1555123`), oldest
    /// first. Like `GET /emulator/sms?phone=…`.
    pub fn sms_sent_to(&self, phone: &str) -> Vec<SentSms> {
        self.sms(Some(phone))
    }

    /// The code of the newest SMS sent to `phone`, if any.
    pub fn last_sms_code(&self, phone: &str) -> Option<String> {
        self.sms_sent_to(phone).pop().map(|m| m.code)
    }

    fn sms(&self, phone: Option<&str>) -> Vec<SentSms> {
        let messages = self.shared.lock().sent_sms(phone);
        messages.into_iter().map(SentSms::from).collect()
    }

    /// Installs a fault rule for the next `/api` requests (see [`Fault`]); returns how many rules
    /// are active. Rules are tried in the order they were installed. Like `POST /emulator/faults`.
    pub fn install_fault(&self, fault: impl Into<Fault>) -> Result<usize, FaultError> {
        self.shared.lock().faults().install(fault.into())
    }

    /// Removes every fault rule. Like `DELETE /emulator/faults`.
    pub fn clear_faults(&self) {
        self.shared.lock().faults().clear();
    }

    /// Connections that carried at least one `/api` request, and `/api` requests (faulted ones
    /// included), since start or the last reset. Like `GET /emulator/counters`.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters()
    }

    /// Zeroes the counters; a kept-alive connection counts again on its next `/api` request.
    /// Like `POST /emulator/counters/reset`.
    pub fn reset_counters(&self) {
        self.shared.lock().reset_counters();
    }

    /// The emulator's clock: the wall clock plus how far it was moved forward. TOTP, SMS and
    /// token expiry, lockouts and code limits all use it. Like `GET /emulator/clock`.
    pub fn now(&self) -> SystemTime {
        system_time(self.shared.lock().now())
    }

    /// How far the clock has been moved forward in total.
    pub fn clock_offset(&self) -> Duration {
        self.shared.lock().clock_offset()
    }

    /// Moves the clock forward by `by` (in total at most 100 years). Like `POST /emulator/clock`.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().advance_clock(by);
    }

    /// The portal-wide settings now (hashing parameters, LDAP, SSO, captcha, tenant status).
    /// Like `GET /emulator/portal`.
    pub fn portal(&self) -> PortalConfig {
        self.shared.lock().portal().clone()
    }

    /// Changes the portal-wide settings; the result is validated first (on error nothing
    /// changes). A reset restores the configured ones. E.g.
    /// `emu.update_portal(|p| p.sso.enabled = false)`.
    pub fn update_portal(&self, change: impl FnOnce(&mut PortalConfig)) -> Result<(), ConfigError> {
        self.shared.lock().update_portal(change)
    }

    /// Applies a partial `portal` object (the JSON form `POST /emulator/portal` takes).
    pub fn patch_portal(&self, patch: &PortalPatch) -> Result<(), ConfigError> {
        self.shared.lock().patch_portal(patch)
    }

    /// Sets the tenant status (0 Active, 1 Suspended, 2 RemovePending, 3 Transfering,
    /// 4 Restoring, 5 Migrating, 6 Encryption; §17): `/api` answers as the table of §17 says.
    pub fn set_tenant_status(&self, status: u8) -> Result<(), ConfigError> {
        self.update_portal(|p| p.tenant_status = status)
    }

    /// Back to the users file's initial state: portal settings, users, enrolment, secrets and backup codes as first
    /// generated, tokens, lockouts, attempt counters, SMS outbox, faults, counters and clock
    /// offset. Like `POST /emulator/reset`.
    pub fn reset(&self) {
        self.shared.lock().reset();
    }
}
