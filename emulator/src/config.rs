//! Configuration of the emulator: the users file and the tunable numbers.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::portal::{PortalConfig, PortalPatch};

/// Most users a users file may hold.
pub const MAX_USERS: usize = 10_000;

/// Which second factor a user has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TfaKind {
    /// No second factor: step 1 issues a token.
    None,
    /// Authenticator app (TOTP).
    App,
    /// SMS codes.
    Sms,
}

/// One user of the portal, as the users file describes it.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSpec {
    /// Login e-mail (matched case-insensitively).
    pub email: String,
    /// Plain-text password (the server trims what the client sends before comparing).
    /// Required, except for SSO users, who must not have one.
    #[serde(default)]
    pub password: Option<String>,
    /// The user's second factor.
    pub tfa: TfaKind,
    /// App users only: already enrolled (has backup codes). Defaults to false.
    #[serde(default)]
    pub enrolled: bool,
    /// App users: the TOTP secret as RFC 4648 Base32. Generated (10 bytes) when absent.
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// App users: backup codes (6 chars of `[A-Za-z0-9_-]`). Generated when absent.
    #[serde(default)]
    pub backup_codes: Option<Vec<String>>,
    /// SMS users: the activated phone, `+` and digits. Absent ⇒ phone activation required.
    #[serde(default)]
    pub phone: Option<String>,
    /// A disabled (terminated) user: correct password ⇒ 403 "User disabled"; SSO ⇒
    /// `messageKey=16`.
    #[serde(default)]
    pub disabled: bool,
    /// An SSO user (§13): no password, reachable through SSO only; its SAML NameID is the e-mail.
    #[serde(default)]
    pub sso: bool,
    /// An LDAP user (§11.4): only the plaintext `password` works (while the portal's
    /// `ldapEnabled`), never `passwordHash`.
    #[serde(default)]
    pub ldap: bool,
    /// Display name; defaults to "first last".
    #[serde(default)]
    pub display_name: Option<String>,
    /// First name; defaults to the capitalised local part of the e-mail.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name; defaults to empty.
    #[serde(default)]
    pub last_name: Option<String>,
    /// User GUID; defaults to a UUID v5 derived from the lower-cased e-mail.
    #[serde(default)]
    pub id: Option<String>,
}

impl fmt::Debug for UserSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSpec")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("tfa", &self.tfa)
            .field("enrolled", &self.enrolled)
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "backup_codes",
                &self.backup_codes.as_ref().map(|_| "<redacted>"),
            )
            .field("phone", &self.phone)
            .field("disabled", &self.disabled)
            .field("sso", &self.sso)
            .field("ldap", &self.ldap)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    portal: Option<PortalPatch>,
    users: Vec<UserSpec>,
}

/// Password brute-force protection (docs/protocol.md §3.4).
#[derive(Clone, Debug)]
pub struct LockoutConfig {
    /// Failures tolerated within `check_period`; the next attempt is refused with 403 (default 5).
    pub attempt_count: u32,
    /// Sliding window over which failures are counted (default 60 s).
    pub check_period: Duration,
    /// How long a key stays blocked (default 60 s).
    pub block_time: Duration,
}

/// Attempt limit for second-factor codes (docs/protocol.md §4.5 and §4.7).
#[derive(Clone, Debug)]
pub struct CodeLimitConfig {
    /// Code attempts tolerated per window (default 5).
    pub attempt_count: u32,
    /// TOTP/backup: lifetime of the attempt counter, re-armed by each counted attempt (default 60 s).
    /// The SMS counter uses [`EmulatorConfig::sms_validity`] instead.
    pub window: Duration,
}

/// Everything the emulator needs to start. All fields are public and tunable.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// The users of the portal.
    pub users: Vec<UserSpec>,
    /// Serve HTTPS with a certificate generated at start.
    pub tls: bool,
    /// Password lockout.
    pub lockout: LockoutConfig,
    /// Code attempt limit.
    pub code_limit: CodeLimitConfig,
    /// Lifetime of issued tokens (default 365 days).
    pub token_lifetime: Duration,
    /// Validity of an SMS code (default 600 s).
    pub sms_validity: Duration,
    /// Live SMS keys per phone beyond which sending fails with 500 (default 5).
    pub sms_key_count: u32,
    /// The portal-wide settings (the users file's `portal` object; defaults as the real server's).
    pub portal: PortalConfig,
    /// When set, overrides `portal.recaptcha.validResponse`, i.e. a captcha is "configured": a
    /// `recaptchaResponse` equal to this value bypasses the lockout, any other non-empty value
    /// (of the portal's captcha kind) gives 403 "Invalid Recaptcha". Default: none.
    pub recaptcha_response: Option<String>,
    /// Largest accepted request body in bytes (default 64 KiB); larger ⇒ 413.
    pub max_body_bytes: usize,
    /// Most connections served at once (default 4096). A connection beyond it is answered
    /// `503 Service Unavailable` with `Retry-After: 1` and closed, as a saturated front end
    /// would, never dropped without a word.
    pub max_connections: usize,
    /// How long a connection may wait for the head of its next request (default 30 s); then
    /// the emulator closes it without a word, as a server's keep-alive timeout does (Kestrel's
    /// is 130 s, a load balancer's often shorter). Also the time allowed for a request head.
    pub idle_timeout: Duration,
}

/// Why a users file could not be used.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub(crate) fn new(msg: impl Into<String>) -> ConfigError {
        ConfigError(msg.into())
    }
}

impl EmulatorConfig {
    /// Default numbers, no users.
    pub fn new(users: Vec<UserSpec>) -> Self {
        EmulatorConfig {
            users,
            tls: false,
            lockout: LockoutConfig {
                attempt_count: 5,
                check_period: Duration::from_secs(60),
                block_time: Duration::from_secs(60),
            },
            code_limit: CodeLimitConfig {
                attempt_count: 5,
                window: Duration::from_secs(60),
            },
            token_lifetime: Duration::from_secs(365 * 24 * 3600),
            sms_validity: Duration::from_secs(600),
            sms_key_count: 5,
            portal: PortalConfig::default(),
            recaptcha_response: None,
            max_body_bytes: 64 * 1024,
            max_connections: 4096,
            idle_timeout: Duration::from_secs(30),
        }
    }

    /// The portal as it starts (and as a reset restores it): [`EmulatorConfig::portal`] with
    /// [`EmulatorConfig::recaptcha_response`] as the valid captcha response when set.
    pub fn initial_portal(&self) -> PortalConfig {
        let mut portal = self.portal.clone();
        if let Some(r) = self.recaptcha_response.as_ref().filter(|r| !r.is_empty()) {
            portal.recaptcha.valid_response = Some(r.clone());
        }
        portal
    }

    /// Reads a users file (`{"portal":{...},"users":[...]}`).
    pub fn from_users_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path)
            .map_err(|e| ConfigError(format!("cannot read users file {}: {e}", path.display())))?;
        if meta.len() > 16 * 1024 * 1024 {
            return Err(ConfigError(format!(
                "users file {} is larger than 16 MiB",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read users file {}: {e}", path.display())))?;
        Self::from_users_json(&text)
            .map_err(|e| ConfigError(format!("users file {}: {e}", path.display())))
    }

    /// Parses the JSON of a users file.
    pub fn from_users_json(json: &str) -> Result<Self, ConfigError> {
        let file: UsersFile = serde_json::from_str(json)
            .map_err(|e| ConfigError(format!("malformed users JSON: {e}")))?;
        validate_users(&file.users)?;
        let mut config = Self::new(file.users);
        if let Some(patch) = &file.portal {
            config.portal.apply(patch)?;
        }
        Ok(config)
    }
}

/// Checks what the emulator relies on; also used by `Emulator::start` for configs built in code.
pub(crate) fn validate_users(users: &[UserSpec]) -> Result<(), ConfigError> {
    if users.len() > MAX_USERS {
        return Err(ConfigError(format!("more than {MAX_USERS} users")));
    }
    let mut emails = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for (i, u) in users.iter().enumerate() {
        let at = |msg: &str| ConfigError(format!("user #{i} ({}): {msg}", u.email));
        if u.email.trim().is_empty() || !u.email.contains('@') || u.email.len() > 254 {
            return Err(at("`email` must be an e-mail address"));
        }
        if !emails.insert(u.email.to_lowercase()) {
            return Err(at("duplicate `email`"));
        }
        match (&u.password, u.sso) {
            (Some(_), true) => return Err(at("an SSO user has no `password`")),
            (None, false) => return Err(at("`password` is required")),
            (Some(p), false) if p.is_empty() || p.len() > 1024 => {
                return Err(at("`password` must be 1 to 1024 bytes"))
            }
            _ => {}
        }
        if u.sso && u.ldap {
            return Err(at("a user is SSO or LDAP, not both"));
        }
        if let Some(secret) = &u.totp_secret {
            match crate::otp::decode_base32(secret) {
                Some(bytes) if !bytes.is_empty() && bytes.len() <= 128 => {}
                _ => return Err(at("`totpSecret` is not RFC 4648 Base32")),
            }
        }
        if let Some(codes) = &u.backup_codes {
            if codes.len() > 100 {
                return Err(at("too many `backupCodes`"));
            }
            if !codes.iter().all(|c| crate::otp::is_backup_code_form(c)) {
                return Err(at("each backup code must be 6 characters of [A-Za-z0-9_-]"));
            }
        }
        if let Some(phone) = &u.phone {
            let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
            let ok = phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
            if !ok || digits.len() < 4 || digits.len() > 20 {
                return Err(at("`phone` must be a phone number such as +15551234567"));
            }
        }
        if let Some(id) = &u.id {
            let parsed = uuid::Uuid::parse_str(id).map_err(|_| at("`id` is not a GUID"))?;
            if !ids.insert(parsed) {
                return Err(at("duplicate `id`"));
            }
        }
        for s in [&u.display_name, &u.first_name, &u.last_name]
            .into_iter()
            .flatten()
        {
            if s.len() > 256 {
                return Err(at("names must be at most 256 bytes"));
            }
        }
    }
    Ok(())
}
