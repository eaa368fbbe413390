//! TOTP helpers (RFC 6238, the authenticator app's codes), for apps and tests.

use docspace_auth as core;
use docspace_auth::secrecy::SecretString;

use crate::AuthError;

/// The TOTP code (6 digits) for the current time, from a Base32 secret.
#[uniffi::export]
pub fn totp_now(secret: String) -> Result<String, AuthError> {
    let code = core::totp::now(&SecretString::from(secret))?;
    Ok(code.expose().to_owned())
}

/// The TOTP code (6 digits) at `unix_secs` seconds since the Unix epoch.
#[uniffi::export]
pub fn totp_at(secret: String, unix_secs: u64) -> Result<String, AuthError> {
    let code = core::totp::at(&SecretString::from(secret), unix_secs)?;
    Ok(code.expose().to_owned())
}

/// Seconds until the TOTP code valid at `unix_secs` changes (1 to 30).
#[uniffi::export]
pub fn totp_seconds_remaining(unix_secs: u64) -> u64 {
    core::totp::seconds_remaining(unix_secs)
}
