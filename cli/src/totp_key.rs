//! The command's own helpers around `docspace_auth::totp`: the clock, whether a key is the one
//! the portal offers, and a code whose error says where the key came from.

use std::time::{SystemTime, UNIX_EPOCH};

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{totp, Code, Error};
use totp_rs::Secret;
use zeroize::Zeroizing;

use crate::error::CliError;

/// The current time in seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The code at `unix_secs` for the key `origin` tells about (e.g. "in MY_KEY", "from stdin"):
/// a key that is not Base32 is bad input, and the error says where it came from (never the key).
pub fn code_at(secret: &SecretString, unix_secs: u64, origin: &str) -> Result<Code, CliError> {
    totp::at(secret, unix_secs).map_err(|e| match e {
        Error::InvalidSecret => CliError::usage(format!(
            "the TOTP secret {origin} is not valid Base32; copy the key exactly as the portal \
             showed it"
        )),
        other => other.into(),
    })
}

/// Whether two Base32 secrets are the same key, however they are written (case, spaces,
/// dashes, `=` padding, as `docspace_auth::totp` reads them). A malformed secret matches
/// nothing.
pub fn same_secret(a: &SecretString, b: &SecretString) -> bool {
    match (key(a), key(b)) {
        // Constant-time comparison.
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The key's bytes (wiped on drop), `None` when it is not Base32 or empty.
fn key(secret: &SecretString) -> Option<Secret> {
    let normalized: Zeroizing<String> = Zeroizing::new(
        secret
            .expose_secret()
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '=' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    Secret::try_from_base32(normalized.as_str())
        .ok()
        .filter(|key| !key.as_bytes().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text)
    }

    #[test]
    fn unix_now_is_the_current_time() {
        assert!(unix_now() > 1_600_000_000);
    }

    #[test]
    fn same_secret_ignores_how_the_key_is_written() {
        let offered = secret("JBSWY3DPEHPK3PXP");
        assert!(same_secret(&offered, &secret("jbsw y3dp ehpk 3pxp")));
        assert!(same_secret(&offered, &secret("JBSW-Y3DP-EHPK-3PXP======")));
        assert!(!same_secret(&offered, &secret("IFREGZCFMYWV6MJS")));
        assert!(!same_secret(&offered, &secret("not base32!")));
    }

    #[test]
    fn a_malformed_or_empty_key_matches_nothing() {
        for bad in ["", "   ", "====", "not base32!"] {
            assert!(!same_secret(&secret(bad), &secret(bad)), "{bad:?}");
        }
    }

    #[test]
    fn code_at_names_where_a_bad_key_came_from_but_not_the_key() {
        // docs/protocol.md §4.4 test vector.
        let code = code_at(&secret("IFREGZCFMYWV6MJS"), 59, "in K").unwrap();
        assert_eq!(code.expose(), "322385");
        let e = code_at(&secret("not base32!"), 59, "in MY_KEY").unwrap_err();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert!(e
            .message
            .contains("the TOTP secret in MY_KEY is not valid Base32"));
        assert!(!e.message.contains("not base32!"));
    }
}
