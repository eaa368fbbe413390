//! One-time codes: Base32 keys, TOTP (docs/protocol.md §4.4), backup codes (§4.6) and SMS codes (§4.7),
//! how they are generated and how a typed code is checked against them.

use rand::Rng;

/// The server's `randomByte % 64` alphabet (Base64Url): backup codes and generated secrets.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
/// Backup codes handed out per user (`web.tfaapp.backup.count`).
const BACKUP_CODE_COUNT: usize = 5;
/// Length of a backup code (`web.tfaapp.backup.length`).
const BACKUP_CODE_LEN: usize = 6;
/// TOTP steps accepted on each side of the current one (±5 min).
const TOTP_DRIFT_STEPS: u64 = 10;
/// TOTP step in seconds.
const TOTP_STEP_SECS: u64 = 30;

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
        .with_step_duration(TOTP_STEP_SECS)
        .with_skew(0)
        .with_secret(secret.to_vec())
        .build_noncompliant()
        .generate(secs)
        .to_string()
}

/// Whether `code` is the TOTP of `secret` within ±10 steps of unix time `now_secs` (§4.4; no
/// replay protection).
pub(crate) fn totp_matches(secret: &[u8], code: &str, now_secs: u64) -> bool {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let step = now_secs / TOTP_STEP_SECS;
    (step.saturating_sub(TOTP_DRIFT_STEPS)..=step.saturating_add(TOTP_DRIFT_STEPS))
        .any(|s| totp_at(secret, s.saturating_mul(TOTP_STEP_SECS)) == code)
}

fn random_chars(len: usize) -> Vec<u8> {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
        .collect()
}

/// A TOTP secret like the server's: 10 ASCII characters of the Base64Url alphabet, used as the
/// HMAC key bytes (§4.4).
pub(crate) fn random_secret() -> Vec<u8> {
    random_chars(10)
}

/// A fresh set of backup codes (§4.6).
pub(crate) fn random_backup_codes() -> Vec<String> {
    (0..BACKUP_CODE_COUNT)
        .map(|_| {
            random_chars(BACKUP_CODE_LEN)
                .into_iter()
                .map(char::from)
                .collect()
        })
        .collect()
}

/// Whether `code` has the form of a backup code: 6 characters of `[A-Za-z0-9_-]`.
pub(crate) fn is_backup_code_form(code: &str) -> bool {
    code.len() == BACKUP_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A new SMS code: 6 digits, the first not zero (§4.7).
pub(crate) fn random_sms_code() -> String {
    rand::rng().random_range(100_000u32..=999_999).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_have_the_server_forms() {
        let secret = random_secret();
        assert_eq!(secret.len(), 10);
        assert!(secret.iter().all(|b| ALPHABET.contains(b)));
        assert_eq!(encode_base32(&secret).len(), 16);
        let codes = random_backup_codes();
        assert_eq!(codes.len(), 5);
        assert!(codes.iter().all(|c| is_backup_code_form(c)));
        let sms = random_sms_code();
        assert_eq!(sms.len(), 6);
        assert_ne!(sms.as_bytes()[0], b'0');
    }

    #[test]
    fn totp_window_is_ten_steps_each_side() {
        let key = b"AbCdEf-_12";
        let now = 1_000_000_005;
        assert!(totp_matches(key, &totp_at(key, now - 300), now));
        assert!(totp_matches(key, &totp_at(key, now + 300), now));
        assert!(!totp_matches(key, "12345", now));
        assert_eq!(decode_base32("ifre gzcf mywv 6mjs=="), Some(key.to_vec()));
        assert_eq!(decode_base32(" = "), None);
    }
}
