//! The portal-wide settings (docs/protocol.md §10–§13, §17): client-side password hashing
//! parameters, LDAP, SSO, captcha and the tenant status. They come from the users file's optional
//! `portal` object (every field optional, defaults as the real server's), can be changed at run
//! time (`POST /emulator/portal`, [`crate::EmulatorControl::update_portal`]) and are restored by a
//! reset.

use serde::{Deserialize, Deserializer, Serialize};

use crate::config::ConfigError;

/// The salt a fresh installation would publish: 64 lowercase hex characters (any stable value).
pub const DEFAULT_SALT: &str = "9f2c6a1e4b7d08355e2fa1c9d4b6e7f00a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d";
/// `core.password.iterations` (§11.1).
pub const DEFAULT_ITERATIONS: u32 = 100_000;
/// `core:password:size` in bits (§11.1).
pub const DEFAULT_SIZE: u32 = 256;
/// Most PBKDF2 iterations the emulator accepts (a login computes the hash once per user).
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// `GET /settings` → `passwordHash` (§10.2, §11.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PasswordHashParams {
    /// Used as its UTF-8 bytes, never hex-decoded.
    pub salt: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// Output size in bits (a multiple of 8).
    pub size: u32,
}

/// SSO (SAML) settings (§13): the emulator stands in for the identity provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SsoConfig {
    /// `SsoSettingsV2.enableSso`: `capabilities.ssoUrl` is non-empty and `/sso/login` works.
    pub enabled: bool,
    /// `spLoginLabel` (`capabilities.ssoLabel` while enabled).
    pub label: String,
    /// The IdP's single-logout URL: when non-empty, logging an SSO user out answers
    /// `/sso/slo?data=…` (§13.5).
    pub slo_url: String,
}

/// Captcha keys (§12.3). The emulator's "private key" is [`RecaptchaConfig::valid_response`]:
/// responses are checked only while it is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecaptchaConfig {
    /// Which kind of keys the portal has: 3 ⇒ hCaptcha, anything else ⇒ reCAPTCHA (0..=3).
    #[serde(rename = "type")]
    pub kind: u8,
    /// What anonymous `GET /settings` shows as `recaptchaPublicKey`; `None` ⇒ omitted.
    pub public_key: Option<String>,
    /// The one `recaptchaResponse` the "verification" accepts; `None` ⇒ no keys configured, a
    /// captcha is never checked.
    pub valid_response: Option<String>,
}

/// Every portal-wide setting, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalConfig {
    /// Client-side hashing parameters (§11).
    pub password_hash: PasswordHashParams,
    /// `LdapSettings.EnableLdapAuthentication` (§10.1, §11.4).
    pub ldap_enabled: bool,
    /// SSO (§13).
    pub sso: SsoConfig,
    /// Captcha (§12).
    pub recaptcha: RecaptchaConfig,
    /// 0 Active, 1 Suspended, 2 RemovePending, 3 Transfering, 4 Restoring, 5 Migrating,
    /// 6 Encryption (§10.2, §17).
    pub tenant_status: u8,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            password_hash: PasswordHashParams {
                salt: DEFAULT_SALT.to_string(),
                iterations: DEFAULT_ITERATIONS,
                size: DEFAULT_SIZE,
            },
            ldap_enabled: false,
            sso: SsoConfig {
                enabled: false,
                label: "Single Sign-on".to_string(),
                slo_url: String::new(),
            },
            recaptcha: RecaptchaConfig {
                kind: 0,
                // The default `DocSpace-buildtools` config has `"public-key": ""`.
                public_key: Some(String::new()),
                valid_response: None,
            },
            tenant_status: 0,
        }
    }
}

impl PortalConfig {
    /// Checks the values the emulator relies on.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |m: &str| Err(ConfigError::new(format!("portal: {m}")));
        let p = &self.password_hash;
        if p.salt.len() > 1024 {
            return err("`passwordHash.salt` must be at most 1024 bytes");
        }
        if p.iterations == 0 || p.iterations > MAX_ITERATIONS {
            return err("`passwordHash.iterations` must be 1 to 10000000");
        }
        if p.size == 0 || p.size % 8 != 0 || p.size > 8192 {
            return err("`passwordHash.size` must be a multiple of 8 from 8 to 8192 (bits)");
        }
        if self.recaptcha.kind > 3 {
            return err("`recaptcha.type` must be 0 to 3");
        }
        if self.tenant_status > 6 {
            return err("`tenantStatus` must be 0 to 6");
        }
        for s in [&self.sso.label, &self.sso.slo_url] {
            if s.len() > 2048 {
                return err("SSO strings must be at most 2048 bytes");
            }
        }
        Ok(())
    }

    /// Applies `patch` (fields it leaves out stay), then validates; on error nothing changes.
    pub fn apply(&mut self, patch: &PortalPatch) -> Result<(), ConfigError> {
        let mut next = self.clone();
        if let Some(h) = &patch.password_hash {
            set(&mut next.password_hash.salt, &h.salt);
            set(&mut next.password_hash.iterations, &h.iterations);
            set(&mut next.password_hash.size, &h.size);
        }
        set(&mut next.ldap_enabled, &patch.ldap_enabled);
        if let Some(s) = &patch.sso {
            set(&mut next.sso.enabled, &s.enabled);
            set(&mut next.sso.label, &s.label);
            set(&mut next.sso.slo_url, &s.slo_url);
        }
        if let Some(r) = &patch.recaptcha {
            set(&mut next.recaptcha.kind, &r.kind);
            set(&mut next.recaptcha.public_key, &r.public_key);
            if let Some(v) = &r.valid_response {
                next.recaptcha.valid_response = v.clone().filter(|s| !s.is_empty());
            }
        }
        set(&mut next.tenant_status, &patch.tenant_status);
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Whether the portal has keys for a captcha of the sent `recaptchaType` (§12.3): `3` needs
    /// hCaptcha keys, `0`/`1`/`2` (and anything else) reCAPTCHA keys.
    pub(crate) fn captcha_keys_for(&self, sent_type: i64) -> Option<&str> {
        let portal_hcaptcha = self.recaptcha.kind == 3;
        let sent_hcaptcha = sent_type == 3;
        (portal_hcaptcha == sent_hcaptcha)
            .then_some(self.recaptcha.valid_response.as_deref())
            .flatten()
    }
}

fn set<T: Clone>(target: &mut T, value: &Option<T>) {
    if let Some(v) = value {
        *target = v.clone();
    }
}

/// Absent ⇒ `None`; `null` ⇒ `Some(None)`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A partial `portal` object, as the users file and `POST /emulator/portal` take it: every field
/// optional, unknown fields rejected.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortalPatch {
    /// `{"salt", "iterations", "size"}`.
    #[serde(default)]
    pub password_hash: Option<PasswordHashPatch>,
    /// LDAP on/off.
    #[serde(default)]
    pub ldap_enabled: Option<bool>,
    /// `{"enabled", "label", "sloUrl"}`.
    #[serde(default)]
    pub sso: Option<SsoPatch>,
    /// `{"type", "publicKey", "validResponse"}`.
    #[serde(default)]
    pub recaptcha: Option<RecaptchaPatch>,
    /// 0..=6.
    #[serde(default)]
    pub tenant_status: Option<u8>,
}

/// Part of [`PortalPatch`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordHashPatch {
    /// See [`PasswordHashParams::salt`].
    #[serde(default)]
    pub salt: Option<String>,
    /// See [`PasswordHashParams::iterations`].
    #[serde(default)]
    pub iterations: Option<u32>,
    /// See [`PasswordHashParams::size`].
    #[serde(default)]
    pub size: Option<u32>,
}

/// Part of [`PortalPatch`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SsoPatch {
    /// See [`SsoConfig::enabled`].
    #[serde(default)]
    pub enabled: Option<bool>,
    /// See [`SsoConfig::label`].
    #[serde(default)]
    pub label: Option<String>,
    /// See [`SsoConfig::slo_url`].
    #[serde(default)]
    pub slo_url: Option<String>,
}

/// Part of [`PortalPatch`]. `publicKey: null` omits `recaptchaPublicKey`; `validResponse: null`
/// (or `""`) removes the keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecaptchaPatch {
    /// See [`RecaptchaConfig::kind`].
    #[serde(default, rename = "type")]
    pub kind: Option<u8>,
    /// See [`RecaptchaConfig::public_key`].
    #[serde(default, deserialize_with = "nullable")]
    pub public_key: Option<Option<String>>,
    /// See [`RecaptchaConfig::valid_response`].
    #[serde(default, deserialize_with = "nullable")]
    pub valid_response: Option<Option<String>>,
}

impl PortalPatch {
    /// Parses the JSON form (`{"tenantStatus": 3}`, `{"sso": {"enabled": false}}`, …).
    pub fn from_json(json: &str) -> Result<PortalPatch, ConfigError> {
        serde_json::from_str(json).map_err(|e| ConfigError::new(format!("bad portal object: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_merge_and_bad_values_change_nothing() {
        let mut p = PortalConfig::default();
        assert_eq!(p.password_hash.salt.len(), 64);
        let patch = PortalPatch::from_json(
            r#"{"sso":{"enabled":true},"recaptcha":{"validResponse":"ok","publicKey":null},"tenantStatus":3}"#,
        )
        .unwrap();
        p.apply(&patch).unwrap();
        assert!(p.sso.enabled);
        assert_eq!(p.sso.label, "Single Sign-on");
        assert_eq!(p.recaptcha.public_key, None);
        assert_eq!(p.captcha_keys_for(0), Some("ok"));
        assert_eq!(p.captcha_keys_for(3), None);
        assert_eq!(p.tenant_status, 3);
        let before = p.clone();
        let bad = PortalPatch::from_json(r#"{"sso":{"enabled":false},"tenantStatus":7}"#).unwrap();
        assert!(p.apply(&bad).is_err());
        assert_eq!(p, before);
        assert!(PortalPatch::from_json(r#"{"tenantstatus":1}"#).is_err());
        let off = PortalPatch::from_json(r#"{"recaptcha":{"validResponse":""}}"#).unwrap();
        p.apply(&off).unwrap();
        assert_eq!(p.captcha_keys_for(0), None);
    }
}
