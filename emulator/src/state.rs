//! The portal's mutable state: users, tokens, lockouts, code limits, the SMS outbox, faults,
//! counters and the clock. Everything is bounded.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rand::Rng;
use uuid::Uuid;

use crate::config::{EmulatorConfig, TfaKind, UserSpec};

/// Most live tokens kept; the oldest are dropped beyond it.
pub(crate) const MAX_TOKENS: usize = 100_000;
/// Most lockout keys kept.
pub(crate) const MAX_LOCKOUT_KEYS: usize = 100_000;
/// Most messages in the SMS outbox (the oldest are dropped).
pub(crate) const MAX_OUTBOX: usize = 1_000;
/// Most fault rules at once.
pub(crate) const MAX_FAULTS: usize = 100;
/// Most phones with pending SMS state.
const MAX_PHONES: usize = 100_000;

const BACKUP_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

/// Decodes RFC 4648 Base32, case-insensitive, padding and spaces allowed.
pub(crate) fn decode_base32(s: &str) -> Option<Vec<u8>> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &cleaned)
}

/// RFC 4648 Base32, uppercase, no padding (the server's `tfaKey` form).
pub(crate) fn encode_base32(bytes: &[u8]) -> String {
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, bytes)
}

/// The 6-digit TOTP (SHA-1, 30 s) of `secret` at unix time `secs`.
pub fn totp_at(secret: &[u8], secs: u64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(0)
        .with_secret(secret.to_vec())
        .build_noncompliant()
        .generate(secs)
        .to_string()
}

fn digits_of(phone: &str) -> String {
    phone.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// The intended mask of protocol §4.7: `+` + first 4 digits + `*`×(n-8) + last 4.
pub(crate) fn phone_noise(phone: &str) -> String {
    let d = digits_of(phone);
    if d.len() <= 8 {
        return format!("+{d}");
    }
    let n = d.len();
    format!("+{}{}{}", &d[..4], "*".repeat(n - 8), &d[n - 4..])
}

#[derive(Clone)]
pub(crate) struct BackupCode {
    pub code: String,
    pub used: bool,
}

#[derive(Clone)]
pub(crate) struct User {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub tfa: TfaKind,
    pub enrolled: bool,
    pub secret: Vec<u8>,
    /// Live codes once enrolled; for a user not yet enrolled, the codes handed out at enrolment.
    pub backup_codes: Vec<BackupCode>,
    pub phone: Option<String>,
    pub disabled: bool,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
}

fn random_backup_codes() -> Vec<BackupCode> {
    let mut rng = rand::rng();
    (0..5)
        .map(|_| BackupCode {
            code: (0..6)
                .map(|_| BACKUP_ALPHABET[rng.random_range(0..64)] as char)
                .collect(),
            used: false,
        })
        .collect()
}

fn random_secret() -> Vec<u8> {
    // Like the server: 10 ASCII characters from the Base64Url alphabet used as HMAC key bytes.
    let mut rng = rand::rng();
    (0..10)
        .map(|_| BACKUP_ALPHABET[rng.random_range(0..64)])
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl User {
    pub(crate) fn from_spec(spec: &UserSpec) -> User {
        let email = spec.email.trim().to_string();
        let id = spec
            .id
            .as_deref()
            .and_then(|s| Uuid::parse_str(s).ok())
            .unwrap_or_else(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, email.to_lowercase().as_bytes()));
        let secret = spec
            .totp_secret
            .as_deref()
            .and_then(decode_base32)
            .filter(|b| !b.is_empty())
            .unwrap_or_else(random_secret);
        let backup_codes = match &spec.backup_codes {
            Some(codes) if !codes.is_empty() => codes
                .iter()
                .map(|c| BackupCode {
                    code: c.clone(),
                    used: false,
                })
                .collect(),
            _ => random_backup_codes(),
        };
        let local = email.split('@').next().unwrap_or("");
        let first_name = spec.first_name.clone().unwrap_or_else(|| capitalise(local));
        let last_name = spec.last_name.clone().unwrap_or_default();
        let display_name = spec
            .display_name
            .clone()
            .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_string());
        User {
            id,
            email,
            password: spec.password.clone(),
            tfa: spec.tfa,
            enrolled: spec.tfa == TfaKind::App && spec.enrolled,
            secret,
            backup_codes,
            phone: spec.phone.clone().filter(|p| !p.trim().is_empty()),
            disabled: spec.disabled,
            display_name,
            first_name,
            last_name,
        }
    }
}

#[derive(Clone)]
pub(crate) struct TokenInfo {
    pub user: usize,
    pub expires: Duration,
    pub event_id: u64,
}

#[derive(Default)]
struct Lock {
    history: VecDeque<Duration>,
    blocked_until: Option<Duration>,
}

pub(crate) struct SmsMessage {
    pub phone: String,
    pub code: String,
    pub sent_at: Duration,
}

#[derive(Clone, Debug)]
pub(crate) enum FaultKind {
    Delay(u64),
    Status {
        status: u16,
        body: Option<String>,
        headers: Vec<(String, String)>,
    },
    Html,
    MalformedJson,
    Oversized(u64),
    Redirect(String),
    Drop,
}

#[derive(Clone, Debug)]
pub(crate) struct Fault {
    pub kind: FaultKind,
    pub path: Option<String>,
    /// Remaining uses; `None` = until cleared.
    pub remaining: Option<u64>,
}

/// Outcome of checking a password login (protocol §3.3, §3.4).
pub(crate) enum LoginCheck {
    Ok(usize),
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
pub(crate) struct Credentials {
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub password_hash: Option<String>,
    pub provider: Option<String>,
    pub serialized_profile: Option<String>,
    pub confirm_data: bool,
    pub recaptcha_response: Option<String>,
}

pub(crate) struct State {
    pub users: Vec<User>,
    tokens: HashMap<String, TokenInfo>,
    next_event: u64,
    lockouts: HashMap<(String, IpAddr), Lock>,
    /// `tfa/{userId}`: (counter, expiry).
    code_attempts: HashMap<Uuid, (u32, Duration)>,
    sms_keys: HashMap<String, Vec<(String, Duration)>>,
    /// `smskeycheck{phone}`: (counter, expiry).
    sms_checks: HashMap<String, (u32, Duration)>,
    pub outbox: VecDeque<SmsMessage>,
    pub faults: Vec<Fault>,
    pub connections: u64,
    pub requests: u64,
    /// Bumped by a counter reset so kept-alive connections count again.
    pub counter_epoch: u64,
    pub clock_offset: Duration,
}

pub(crate) enum SendSms {
    Sent,
    AlreadyLive,
    TooMany,
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

/// The server's attempt counters (`TM.ValidateAuthCodeAsync`, `SmsKeyStorage.ValidateKeyAsync`):
/// the stored counter (0 once expired) is incremented; above `limit` the attempt is refused and
/// nothing is stored (so a refused attempt neither counts nor re-arms the expiry); otherwise the
/// new value is stored with expiry `now + window`. Returns the new value when allowed.
fn count_attempt<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, (u32, Duration)>,
    key: K,
    limit: u32,
    window: Duration,
    now: Duration,
) -> Option<u32> {
    let stored = map
        .get(&key)
        .filter(|(_, expires)| *expires > now)
        .map_or(0, |(n, _)| *n);
    let counter = stored.saturating_add(1);
    if counter > limit {
        return None;
    }
    map.insert(key, (counter, now.saturating_add(window)));
    Some(counter)
}

/// After a success the server stores `counter - 1`, again with expiry `now + window`.
fn give_back<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, (u32, Duration)>,
    key: K,
    counter: u32,
    window: Duration,
    now: Duration,
) {
    map.insert(key, (counter.saturating_sub(1), now.saturating_add(window)));
}

impl State {
    pub(crate) fn new(users: Vec<User>) -> State {
        State {
            users,
            tokens: HashMap::new(),
            next_event: 1,
            lockouts: HashMap::new(),
            code_attempts: HashMap::new(),
            sms_keys: HashMap::new(),
            sms_checks: HashMap::new(),
            outbox: VecDeque::new(),
            faults: Vec::new(),
            connections: 0,
            requests: 0,
            counter_epoch: 0,
            clock_offset: Duration::ZERO,
        }
    }

    /// The emulator's clock: wall clock plus the offset set through `/emulator/clock`.
    pub(crate) fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .saturating_add(self.clock_offset)
    }

    fn find_user(&self, login: &str) -> Option<usize> {
        let login = login.trim();
        if let Ok(id) = Uuid::parse_str(login) {
            if let Some(i) = self.users.iter().position(|u| u.id == id) {
                return Some(i);
            }
        }
        self.users
            .iter()
            .position(|u| u.email.eq_ignore_ascii_case(login))
    }

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
        let password_hash = creds.password_hash.as_deref().unwrap_or("").trim();
        let password = password.trim();

        // Captcha (only when "configured"): a valid one bypasses the lockout entirely.
        let mut bypass = false;
        if let Some(expected) = &cfg.recaptcha_response {
            if let Some(given) = creds
                .recaptcha_response
                .as_deref()
                .filter(|s| !s.is_empty())
            {
                if given == expected {
                    bypass = true;
                } else {
                    return LoginCheck::BadCaptcha;
                }
            }
        }

        let now = self.now();
        let key = (lockout_name(user_name), ip);
        if !bypass {
            if self.lockouts.len() >= MAX_LOCKOUT_KEYS && !self.lockouts.contains_key(&key) {
                let period = cfg.lockout.check_period;
                self.lockouts.retain(|_, l| {
                    l.blocked_until.is_some_and(|b| b > now)
                        || l.history
                            .back()
                            .is_some_and(|t| now < t.saturating_add(period))
                });
                if self.lockouts.len() >= MAX_LOCKOUT_KEYS {
                    self.lockouts.clear();
                }
            }
            let lock = self.lockouts.entry(key.clone()).or_default();
            if let Some(until) = lock.blocked_until {
                if now < until {
                    return LoginCheck::Locked;
                }
                lock.blocked_until = None;
            }
            let period = cfg.lockout.check_period;
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
                return LoginCheck::Locked;
            }
        }

        let password_ok = |u: &User| -> bool {
            if !password_hash.is_empty() {
                // Client-side hashes are not supported by the emulator: never matches.
                return false;
            }
            !password.is_empty() && password == u.password
        };
        let found = self
            .find_user(user_name)
            .filter(|&i| password_ok(&self.users[i]));
        let Some(idx) = found else {
            return LoginCheck::Failed;
        };
        if !bypass {
            if let Some(lock) = self.lockouts.get_mut(&key) {
                lock.history.pop_back();
                if lock.history.is_empty() && lock.blocked_until.is_none() {
                    self.lockouts.remove(&key);
                }
            }
        }
        if self.users[idx].disabled {
            return LoginCheck::Disabled;
        }
        LoginCheck::Ok(idx)
    }

    /// Issues a new token for `user`.
    pub(crate) fn issue_token(&mut self, cfg: &EmulatorConfig, user: usize) -> (String, TokenInfo) {
        let now = self.now();
        if self.tokens.len() >= MAX_TOKENS {
            self.tokens.retain(|_, t| t.expires > now);
            if self.tokens.len() >= MAX_TOKENS {
                if let Some(oldest) = self
                    .tokens
                    .iter()
                    .min_by_key(|(_, t)| t.event_id)
                    .map(|(k, _)| k.clone())
                {
                    self.tokens.remove(&oldest);
                }
            }
        }
        let mut bytes = [0u8; 142];
        rand::rng().fill(&mut bytes[..]);
        let token = base64::engine::general_purpose::STANDARD.encode(bytes);
        let info = TokenInfo {
            user,
            expires: now.saturating_add(cfg.token_lifetime),
            event_id: self.next_event,
        };
        self.next_event += 1;
        self.tokens.insert(token.clone(), info.clone());
        (token, info)
    }

    /// Looks a token up as the server's cookie handler does (URL-decoded, ' ' ⇒ '+').
    pub(crate) fn validate_token(&self, raw: &str) -> Option<(String, TokenInfo)> {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?
            .replace(' ', "+");
        let info = self.tokens.get(&decoded)?;
        let user = self.users.get(info.user)?;
        if info.expires <= self.now() || user.disabled {
            return None;
        }
        Some((decoded, info.clone()))
    }

    pub(crate) fn revoke_token(&mut self, token: &str) {
        self.tokens.remove(token);
    }

    /// Protocol §4.5: TOTP then backup code, with the per-user attempt counter.
    pub(crate) fn check_app_code(&mut self, cfg: &EmulatorConfig, user: usize, code: &str) -> bool {
        let code = code.trim();
        if code.is_empty() {
            // "ActivateTfaAppEmptyCode" is thrown before the counter is read.
            return false;
        }
        let now = self.now();
        let key = self.users[user].id;
        let limit = cfg.code_limit.attempt_count;
        let window = cfg.code_limit.window;
        let Some(counter) = count_attempt(&mut self.code_attempts, key, limit, window, now) else {
            return false;
        };
        let ok = self.totp_matches(user, code, now) || self.use_backup_code(user, code);
        if ok {
            give_back(&mut self.code_attempts, key, counter, window, now);
            let u = &mut self.users[user];
            if !u.enrolled {
                // First valid code: enrolment, and the backup codes come into force.
                u.enrolled = true;
                for c in &mut u.backup_codes {
                    c.used = false;
                }
            }
        }
        ok
    }

    fn totp_matches(&self, user: usize, code: &str, now: Duration) -> bool {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let secret = &self.users[user].secret;
        let step = now.as_secs() / 30;
        (step.saturating_sub(10)..=step.saturating_add(10))
            .any(|s| totp_at(secret, s.saturating_mul(30)) == code)
    }

    fn use_backup_code(&mut self, user: usize, code: &str) -> bool {
        let u = &mut self.users[user];
        if !u.enrolled {
            return false;
        }
        match u
            .backup_codes
            .iter_mut()
            .find(|c| !c.used && c.code == code)
        {
            Some(c) => {
                c.used = true;
                true
            }
            None => false,
        }
    }

    /// Sends an SMS code to the user's phone (protocol §4.7).
    pub(crate) fn send_sms(&mut self, cfg: &EmulatorConfig, user: usize, again: bool) -> SendSms {
        let Some(phone) = self.users[user].phone.clone() else {
            return SendSms::TooMany;
        };
        let now = self.now();
        let digits = digits_of(&phone);
        if self.sms_keys.len() >= MAX_PHONES && !self.sms_keys.contains_key(&digits) {
            self.sms_keys
                .retain(|_, keys| keys.iter().any(|(_, exp)| *exp > now));
            if self.sms_keys.len() >= MAX_PHONES {
                self.sms_keys.clear();
            }
        }
        let keys = self.sms_keys.entry(digits).or_default();
        keys.retain(|(_, exp)| *exp > now);
        if !again && !keys.is_empty() {
            return SendSms::AlreadyLive;
        }
        if keys.len() > cfg.sms_key_count as usize {
            return SendSms::TooMany;
        }
        let code = rand::rng().random_range(100_000u32..=999_999).to_string();
        keys.push((code.clone(), now.saturating_add(cfg.sms_validity)));
        if self.outbox.len() >= MAX_OUTBOX {
            self.outbox.pop_front();
        }
        self.outbox.push_back(SmsMessage {
            phone,
            code,
            sent_at: now,
        });
        SendSms::Sent
    }

    /// Validates an SMS code (`SmsKeyStorage.ValidateKeyAsync`): a blank code fails uncounted;
    /// then the per-phone attempt counter; a code matching a stored key deletes every key of
    /// the phone, and succeeds if that key is still live.
    pub(crate) fn check_sms_code(&mut self, cfg: &EmulatorConfig, user: usize, code: &str) -> bool {
        let code = code.trim();
        let Some(phone) = self.users[user].phone.clone() else {
            return false;
        };
        if code.is_empty() {
            return false;
        }
        let now = self.now();
        let digits = digits_of(&phone);
        let limit = cfg.code_limit.attempt_count;
        let window = cfg.sms_validity;
        if self.sms_checks.len() >= MAX_PHONES && !self.sms_checks.contains_key(&digits) {
            self.sms_checks.retain(|_, (_, expires)| *expires > now);
            if self.sms_checks.len() >= MAX_PHONES {
                self.sms_checks.clear();
            }
        }
        let Some(counter) = count_attempt(&mut self.sms_checks, digits.clone(), limit, window, now)
        else {
            return false;
        };
        let Some(keys) = self.sms_keys.get(&digits) else {
            return false; // Timeout
        };
        let matching: Vec<Duration> = keys
            .iter()
            .filter(|(k, _)| k == code)
            .map(|(_, exp)| *exp)
            .collect();
        if matching.is_empty() {
            return false; // Invalide
        }
        self.sms_keys.remove(&digits);
        if !matching.iter().any(|exp| *exp > now) {
            return false; // Timeout
        }
        give_back(&mut self.sms_checks, digits, counter, window, now);
        true
    }

    pub(crate) fn take_fault(&mut self, path: &str) -> Option<FaultKind> {
        let idx = self
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| path.starts_with(p)))?;
        let fault = &mut self.faults[idx];
        let kind = fault.kind.clone();
        if let Some(n) = fault.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.faults.remove(idx);
            }
        }
        Some(kind)
    }
}
