//! The otpauth URI an enrolment shows as a QR code, and TOTP from a Base32 secret. Input:
//! NUL-separated issuer, account and secret; the first 8 bytes of the secret part, when there
//! are that many, are also read as the time for the code.
#![no_main]

use docspace_auth::secrecy::SecretString;
use docspace_auth::totp;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let mut next = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (issuer, account, secret) = (next(), next(), next());
    let secret = SecretString::from(secret);
    let uri = totp::provisioning_uri(&issuer, &account, &secret);
    docspace_auth::fuzzing::check_uri(&uri, &issuer, &account, &secret);
    let time = data
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
        .unwrap_or(59);
    if let Ok(code) = totp::at(&secret, time) {
        assert_eq!(code.expose().len(), 6);
        assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
    }
});
