//! TOTP codes (RFC 6238) as DocSpace computes them: HMAC-SHA-1, 6 digits, 30-second steps,
//! from the Base32 secret the server hands out as `tfaKey` (docs/protocol.md §4.4).
//!
//! For scripts that hold the secret, and for tests. An app normally lets the user's
//! authenticator compute the code.
//!
//! ```
//! use docspace_auth::{secrecy::SecretString, totp};
//!
//! // docs/protocol.md §4.4 test vector: key bytes "AbCdEf-_12" = Base32 "IFREGZCFMYWV6MJS".
//! let secret = SecretString::from("IFREGZCFMYWV6MJS");
//! assert_eq!(totp::at(&secret, 59)?.expose(), "322385");
//! assert_eq!(totp::seconds_remaining(59), 1);
//! let current = totp::now(&secret)?;        // the code for the current time
//! assert_eq!(current.expose().len(), 6);
//! # Ok::<(), docspace_auth::Error>(())
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::{Code, Error};

/// Length of one TOTP step in seconds.
///
/// ```
/// assert_eq!(docspace_auth::totp::STEP_SECS, 30);
/// ```
pub const STEP_SECS: u64 = 30;
/// Number of digits of a TOTP code.
///
/// ```
/// assert_eq!(docspace_auth::totp::DIGITS, 6);
/// ```
pub const DIGITS: u8 = 6;

/// The code for the current system time.
///
/// ```
/// use docspace_auth::{secrecy::SecretString, totp};
/// let code = totp::now(&SecretString::from("JBSWY3DPEHPK3PXP"))?;
/// assert!(code.is_numeric());
/// # Ok::<(), docspace_auth::Error>(())
/// ```
pub fn now(secret: &SecretString) -> Result<Code, Error> {
    // A clock before the Unix epoch counts as the epoch.
    let unix_secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    at(secret, unix_secs)
}

/// The code at `unix_secs` (seconds since the Unix epoch).
///
/// The secret is Base32 (RFC 4648), case-insensitive; spaces, dashes and `=` padding are
/// ignored.
/// Anything else, or an empty secret, is [`Error::InvalidSecret`].
///
/// ```
/// use docspace_auth::{secrecy::SecretString, totp, Error};
/// // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (8-digit vector 94287082).
/// let rfc = SecretString::from("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
/// assert_eq!(totp::at(&rfc, 59)?.expose(), "287082");
/// assert!(matches!(totp::at(&SecretString::from("not base32!"), 59), Err(Error::InvalidSecret)));
/// # Ok::<(), docspace_auth::Error>(())
/// ```
pub fn at(secret: &SecretString, unix_secs: u64) -> Result<Code, Error> {
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECS)
        .with_skew(0)
        .with_secret(decode_secret(secret)?.as_slice())
        // DocSpace secrets are 10 bytes, below RFC 4226's recommended 16: skip that check.
        .build_noncompliant();
    let token = Zeroizing::new(totp.generate(unix_secs).to_string());
    Code::parse(&token)
}

/// Seconds until the code valid at `unix_secs` changes (1 to 30).
///
/// ```
/// use docspace_auth::totp;
/// assert_eq!(totp::seconds_remaining(0), 30);
/// assert_eq!(totp::seconds_remaining(29), 1);
/// assert_eq!(totp::seconds_remaining(30), 30);
/// ```
pub fn seconds_remaining(unix_secs: u64) -> u64 {
    STEP_SECS - unix_secs % STEP_SECS
}

/// The `otpauth://` provisioning URI an authenticator app scans, built as DocSpace builds it
/// (docs/protocol.md §4.4): `otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}`, with
/// issuer and account percent-encoded. It contains the secret, hence a [`SecretString`].
///
/// ```
/// use docspace_auth::{secrecy::{ExposeSecret, SecretString}, totp};
/// let uri = totp::provisioning_uri(
///     "portal.example.com",
///     "carol@example.com",
///     &SecretString::from("JBSWY3DPEHPK3PXP"),
/// );
/// assert_eq!(
///     uri.expose_secret(),
///     "otpauth://totp/portal.example.com:carol%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=portal.example.com"
/// );
/// ```
pub fn provisioning_uri(issuer: &str, account: &str, secret: &SecretString) -> SecretString {
    // Every part is encoded: nothing in them can add or override a URI parameter.
    let issuer = utf8_percent_encode(issuer, URI_DATA);
    let account = utf8_percent_encode(account, URI_DATA);
    let secret = utf8_percent_encode(secret.expose_secret(), URI_DATA);
    SecretString::from(format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}"
    ))
}

/// Like .NET's `Uri.EscapeDataString`: everything but RFC 3986 unreserved characters.
const URI_DATA: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub(crate) fn decode_secret(secret: &SecretString) -> Result<Zeroizing<Vec<u8>>, Error> {
    let normalized: Zeroizing<String> = Zeroizing::new(
        secret
            .expose_secret()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    if normalized.is_empty() {
        return Err(Error::InvalidSecret);
    }
    let decoded =
        totp_rs::Secret::try_from_base32(normalized.as_str()).map_err(|_| Error::InvalidSecret)?;
    let bytes = Zeroizing::new(decoded.as_ref().to_vec());
    if bytes.is_empty() {
        return Err(Error::InvalidSecret);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(secret: &str, t: u64) -> String {
        at(&SecretString::from(secret), t)
            .unwrap()
            .expose()
            .to_owned()
    }

    /// RFC 6238 appendix B, SHA-1 rows (8-digit values; DocSpace uses the last 6 digits).
    #[test]
    fn rfc6238_sha1_vectors() {
        let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
        for (t, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(seed, t), eight[2..], "t={t}");
        }
    }

    /// docs/protocol.md §4.4: 10-byte key "AbCdEf-_12".
    #[test]
    fn protocol_vector_with_10_byte_secret() {
        let secret = "IFREGZCFMYWV6MJS";
        assert_eq!(code(secret, 59), "322385");
        assert_eq!(code(secret, 1_111_111_109), "299510");
        assert_eq!(code(secret, 1_234_567_890), "576597");
    }

    #[test]
    fn secret_is_lenient_about_case_spaces_and_padding() {
        assert_eq!(code("ifre gzcf mywv 6mjs", 59), "322385");
        assert_eq!(code("IFREGZCFMYWV6MJS======", 59), "322385");
    }

    #[test]
    fn bad_secrets() {
        for bad in ["", "   ", "====", "IFREGZCF1", "ÄÖÜ"] {
            assert!(
                matches!(at(&SecretString::from(bad), 59), Err(Error::InvalidSecret)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn uri_escapes_like_escape_data_string() {
        let uri = provisioning_uri("my portal", "a+b@x.io", &SecretString::from("AAAA"));
        assert_eq!(
            uri.expose_secret(),
            "otpauth://totp/my%20portal:a%2Bb%40x.io?secret=AAAA&issuer=my%20portal"
        );
    }
}
