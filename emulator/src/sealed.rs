//! Opaque, tamper-evident strings the emulator hands out and later reads back: the SAML
//! stand-ins of the SSO flow (`SAMLResponse`, `ssologin.ashx`'s `data`) and the single-logout
//! `data` (docs/protocol.md §13). Standard Base64 of the JSON payload, `.`, Base64 of an
//! HMAC-SHA256 over a purpose label and the payload, keyed by a secret drawn at start.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::hmac;
use serde_json::Value;

/// Purpose of the `SAMLRequest` `/sso/login` sends to the emulated IdP.
pub(crate) const AUTHN_REQUEST: &str = "authn-request";
/// Purpose of the `SAMLResponse` the emulated IdP posts to `/sso/acs`.
pub(crate) const SAML_RESPONSE: &str = "saml-response";
/// Purpose of the `data` `/sso/acs` hands to `ssologin.ashx`.
pub(crate) const SSO_LOGIN: &str = "ssologin";
/// Purpose of the `data` of the single-logout URL.
pub(crate) const SLO: &str = "slo";

/// `<base64 payload>.<base64 tag>` (contains `+`, `/`, `=`: percent-encode it in URLs).
pub(crate) fn seal(key: &[u8], purpose: &str, payload: &Value) -> String {
    let json = payload.to_string();
    let tag = sign(key, purpose, json.as_bytes());
    format!(
        "{}.{}",
        STANDARD.encode(json),
        STANDARD.encode(tag.as_ref())
    )
}

/// The payload of a string [`seal`] made for `purpose`, if it is intact.
pub(crate) fn open(key: &[u8], purpose: &str, sealed: &str) -> Option<Value> {
    let (payload, tag) = sealed.split_once('.')?;
    let json = STANDARD.decode(payload).ok()?;
    let tag = STANDARD.decode(tag).ok()?;
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, &labelled(purpose, &json), &tag).ok()?;
    serde_json::from_slice(&json).ok()
}

fn labelled(purpose: &str, json: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(purpose.len() + 1 + json.len());
    msg.extend_from_slice(purpose.as_bytes());
    msg.push(0);
    msg.extend_from_slice(json);
    msg
}

fn sign(key: &[u8], purpose: &str, json: &[u8]) -> hmac::Tag {
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, key),
        &labelled(purpose, json),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tampering() {
        let key = [7u8; 32];
        let v = serde_json::json!({"email": "frank@example.com"});
        let s = seal(&key, "acs", &v);
        assert_eq!(open(&key, "acs", &s), Some(v));
        assert_eq!(open(&key, "slo", &s), None);
        let mut bad = s.clone();
        bad.insert(0, 'A');
        assert_eq!(open(&key, "acs", &bad), None);
        assert_eq!(open(&[8u8; 32], "acs", &s), None);
        assert_eq!(open(&key, "acs", "garbage"), None);
    }
}
