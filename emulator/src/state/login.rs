//! The password step every login endpoint starts with (`GetUserAsync`, docs/protocol.md §3.3) and the
//! brute-force protection around it (`BruteForceLoginManager`, §3.4).

use std::collections::VecDeque;
use std::net::IpAddr;
use std::time::Duration;

use crate::config::EmulatorConfig;

use super::password::Secret;
use super::{State, UserIdx};

/// Outcome of checking a password login (docs/protocol.md §3.3, §3.4).
pub(crate) enum LoginCheck {
    Ok(UserIdx),
    /// 401 "User authentication failed"
    Failed,
    /// 403 "Too many login attempts. Please try again later"
    Locked,
    /// 403 "Invalid Recaptcha"
    BadCaptcha,
    /// 403 "User disabled"
    Disabled,
    /// 404 "The user could not be found" (confirmData login)
    NotFound,
}

/// The parts of a login request that matter.
#[derive(Default)]
pub(crate) struct Credentials {
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub password_hash: Option<String>,
    pub provider: Option<String>,
    pub serialized_profile: Option<String>,
    pub confirm_data: bool,
    pub recaptcha_response: Option<String>,
    /// `recaptchaType` (0 when absent or null).
    pub recaptcha_type: i64,
}

/// The brute-force history of one (login, IP) key.
#[derive(Default)]
pub(super) struct Lock {
    history: VecDeque<Duration>,
    blocked_until: Option<Duration>,
}

impl Lock {
    /// Still blocked, or holding a failure inside the window.
    pub(super) fn is_live(&self, now: Duration, period: Duration) -> bool {
        self.blocked_until.is_some_and(|b| b > now)
            || self
                .history
                .back()
                .is_some_and(|t| now < t.saturating_add(period))
    }
}

/// The lockout key's login part: `ToLowerInvariant()`; names longer than any e-mail are kept as
/// a 128-bit digest so that the lockout table stays small in bytes, not only in entries.
fn lockout_name(user_name: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    static KEYS: std::sync::OnceLock<[std::collections::hash_map::RandomState; 2]> =
        std::sync::OnceLock::new();
    let lower = user_name.to_lowercase();
    if lower.len() <= 320 {
        return lower;
    }
    let keys = KEYS.get_or_init(Default::default);
    let mut out = String::from("#");
    for k in keys {
        let mut h = k.build_hasher();
        h.write(lower.as_bytes());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

impl State {
    /// `GetUserAsync`: credentials plus brute-force accounting.
    pub(crate) fn check_login(
        &mut self,
        cfg: &EmulatorConfig,
        creds: &Credentials,
        ip: IpAddr,
    ) -> LoginCheck {
        // `GetUserAsync`: the confirm-link branch first (no confirm key is ever valid here, so
        // the user stays null ⇒ 404), then social login unless provider is empty (and no
        // serialized profile) or exactly "email".
        if creds.confirm_data {
            return LoginCheck::NotFound;
        }
        let provider = creds.provider.as_deref().unwrap_or("");
        let profile = creds.serialized_profile.as_deref().unwrap_or("");
        if !((provider.is_empty() && profile.is_empty()) || provider == "email") {
            // Social login is not available on this portal's "tariff".
            return LoginCheck::Failed;
        }
        // A null userName, or no password and a null passwordHash, throw before the
        // brute-force manager runs (401, not counted). An empty userName is counted.
        let Some(user_name) = creds.user_name.as_deref() else {
            return LoginCheck::Failed;
        };
        let password = creds.password.as_deref().unwrap_or("");
        if password.is_empty() && creds.password_hash.is_none() {
            return LoginCheck::Failed;
        }
        // §11.2: a trimmed, non-empty `passwordHash` wins; otherwise `password` is used.
        let secret = Secret {
            password,
            hash: creds
                .password_hash
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty()),
        };

        // Captcha (§12.3): checked only when a response is sent and the portal has keys for the
        // sent type; a valid one bypasses the lockout entirely and is not counted.
        let mut bypass = false;
        if let Some(given) = creds
            .recaptcha_response
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            if let Some(expected) = self.portal.captcha_keys_for(creds.recaptcha_type) {
                if given == expected {
                    bypass = true;
                } else {
                    return LoginCheck::BadCaptcha;
                }
            }
        }

        let key = (lockout_name(user_name), ip);
        if !bypass && self.attempt(cfg, &key) {
            return LoginCheck::Locked;
        }

        let found = self
            .find_user(user_name)
            .filter(|&idx| self.password_matches(idx, &secret));
        let Some(idx) = found else {
            return LoginCheck::Failed;
        };
        if !bypass {
            self.forget_success(&key);
        }
        if self.user(idx).disabled {
            return LoginCheck::Disabled;
        }
        LoginCheck::Ok(idx)
    }

    /// `BruteForceLoginManager.AttemptAsync`: records the attempt; true when the key is (or now
    /// becomes) blocked.
    fn attempt(&mut self, cfg: &EmulatorConfig, key: &(String, IpAddr)) -> bool {
        let now = self.now();
        let period = cfg.lockout.check_period;
        let lock = self
            .lockouts
            .entry(key.clone(), |l| l.is_live(now, period))
            .or_default();
        if let Some(until) = lock.blocked_until {
            if now < until {
                return true;
            }
            lock.blocked_until = None;
        }
        while lock
            .history
            .front()
            .is_some_and(|t| now >= t.saturating_add(period))
        {
            lock.history.pop_front();
        }
        lock.history.push_back(now);
        if lock.history.len() > cfg.lockout.attempt_count as usize {
            lock.history.clear();
            lock.blocked_until = Some(now.saturating_add(cfg.lockout.block_time));
            return true;
        }
        false
    }

    /// A successful login removes its own entry from the history (only failures accumulate).
    fn forget_success(&mut self, key: &(String, IpAddr)) {
        if let Some(lock) = self.lockouts.get_mut(key) {
            lock.history.pop_back();
            if lock.history.is_empty() && lock.blocked_until.is_none() {
                self.lockouts.remove(key);
            }
        }
    }
}
