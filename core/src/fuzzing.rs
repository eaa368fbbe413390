//! Entry points for the fuzz targets in `fuzz/` (compiled only with `--cfg fuzzing`, which
//! cargo-fuzz sets; never part of the API). Each one reads one kind of untrusted input exactly
//! as the client does, then checks what must hold whatever the input: a panic here is a bug
//! found (the decoders themselves must never panic).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::HeaderValue;
use http::StatusCode;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::mapping::{self, Granted};
use crate::auth::{Challenge, User};
use crate::http::{status, On401};
use crate::wire::{self, BackupCodeDto, TokenDto};
use crate::Error;

/// 9999-12-31T23:59:59.999999 UTC: the latest instant every language's date type holds.
const LATEST: Duration = Duration::new(253_402_300_799, 999_999_000);
/// 0001-01-02T00:00:00 UTC: dates in year 1 are "not applicable" (.NET `DateTime.MinValue`).
const EARLIEST_BEFORE_EPOCH: Duration = Duration::from_secs(62_135_596_800 - 86_400);

/// A password-login answer (`POST /authentication`, 2xx) for `account` on a portal `issuer`.
pub fn login_answer(body: &[u8], issuer: &str, account: &str) {
    let granted = mapping::required::<TokenDto>(body)
        .and_then(|dto| mapping::login_answer(dto, issuer, account));
    match granted {
        Ok(Granted::Session(state)) => check_session(state.parts()),
        Ok(Granted::SecondFactor(challenge)) => check_challenge(&challenge, issuer, account),
        Err(error) => check_decode_error(&error),
    }
}

/// The other 2xx answers: a code (`/authentication/{code}`), `sendsms`, the backup codes,
/// `people/@self`, the token check and logout.
pub fn other_answers(body: &[u8]) {
    match mapping::required::<TokenDto>(body).and_then(mapping::code_answer) {
        Ok(state) => check_session(state.parts()),
        Err(error) => check_decode_error(&error),
    }
    match mapping::required::<TokenDto>(body).and_then(mapping::sms_sent) {
        Ok(sent) => {
            check_expiry(sent.expires);
            let _ = format!("{sent:?}");
        }
        Err(error) => check_decode_error(&error),
    }
    match mapping::required::<Vec<BackupCodeDto>>(body).map(mapping::backup_codes) {
        Ok(codes) => {
            for code in &codes {
                let shown = format!("{code:?}");
                let secret = code.code.expose_secret();
                assert!(
                    secret.len() < 3 || !shown.contains(secret) || "[REDACTED]".contains(secret),
                    "a backup code in Debug"
                );
            }
        }
        Err(error) => check_decode_error(&error),
    }
    if let Err(error) = mapping::required::<User>(body) {
        check_decode_error(&error);
    }
    if let Err(error) = mapping::required::<bool>(body) {
        check_decode_error(&error);
    }
    if let Err(error) = wire::decode_success::<serde_json::Value>(body) {
        check_decode_error(&error);
    }
}

/// A non-2xx answer: `status` (any u16), the endpoint kind (`on_401` modulo 4), the
/// `Retry-After` header and the body, for a request that carried `secrets`.
pub fn error_answer(status: u16, on_401: u8, retry_after: &str, body: &[u8], secrets: &[&str]) {
    let Ok(status) = StatusCode::from_u16(status) else {
        return;
    };
    if status.is_success() {
        return;
    }
    let on_401 = match on_401 % 4 {
        0 => On401::BadCredentials,
        1 => On401::CodeRejected,
        2 => On401::ActivationKey,
        _ => On401::TokenInvalid,
    };
    let retry = wire::parse_retry_after(retry_after);
    let error = status::status_error(status, on_401, retry.is_some(), retry, Some(body));
    let error = status::redact(error, secrets.iter().copied());
    let shown = error.to_string();
    if let Error::Forbidden { message } = &error {
        assert!(message.len() <= 500 + '…'.len_utf8(), "an uncapped message");
        for secret in secrets {
            let secret = secret.trim();
            let in_fixed_text = status::WITHHELD.contains(secret)
                || "access denied".contains(secret)
                || secret.chars().all(|c| c == '…');
            // A secret cut by the cap may leave a prefix behind; a whole one never.
            assert!(
                secret.is_empty() || in_fixed_text || !message.contains(secret),
                "a secret in a 403 message"
            );
        }
    }
    let _ = format!("{error:?}{shown}");
}

/// An `expires` value and a `Retry-After` header.
pub fn expiry(text: &str) {
    check_expiry(wire::parse_expires(text));
    let _ = wire::parse_retry_after(text);
}

fn check_session((token, expires): (&SecretString, Option<SystemTime>)) {
    assert!(
        HeaderValue::from_str(token.expose_secret()).is_ok(),
        "a token no header can carry"
    );
    check_expiry(expires);
}

fn check_expiry(expires: Option<SystemTime>) {
    let Some(at) = expires else { return };
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => assert!(after <= LATEST, "an expiry after 9999: {after:?}"),
        Err(before) => assert!(
            before.duration() <= EARLIEST_BEFORE_EPOCH,
            "an expiry in year 1 or before: {before:?}"
        ),
    }
}

fn check_challenge(challenge: &Challenge, issuer: &str, account: &str) {
    let _ = format!("{challenge:?}");
    match challenge {
        Challenge::AppEnrollment(enrollment) => {
            check_uri(
                &enrollment.provisioning_uri(),
                issuer,
                account,
                enrollment.secret(),
            );
        }
        Challenge::Sms { expires, .. } => check_expiry(*expires),
        Challenge::App | Challenge::SmsPhoneActivation { .. } => {}
    }
}

/// An otpauth URI carries each part exactly as given, once, and nothing else: no part can add
/// or override a parameter, and no character needs escaping on a screen or in a QR code.
pub fn check_uri(uri: &SecretString, issuer: &str, account: &str, secret: &SecretString) {
    let text = uri.expose_secret();
    assert!(
        text.bytes().all(|b| b.is_ascii_graphic()),
        "a character outside visible ASCII in the URI"
    );
    let parsed = url::Url::parse(text).expect("the URI parses");
    assert_eq!(parsed.scheme(), "otpauth");
    assert_eq!(parsed.host_str(), Some("totp"));
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["secret", "issuer"], "parameters added or lost");
    assert_eq!(pairs[0].1, secret.expose_secret(), "the secret changed");
    assert_eq!(pairs[1].1, issuer, "the issuer changed");
    let label = percent_encoding::percent_decode_str(parsed.path())
        .decode_utf8()
        .expect("the label is UTF-8");
    assert_eq!(
        label.strip_prefix('/'),
        Some(format!("{issuer}:{account}").as_str()),
        "the label changed"
    );
}

/// A decoding error describes the answer without quoting it.
fn check_decode_error(error: &Error) {
    let shown = error.to_string();
    assert!(
        !shown.chars().any(char::is_control),
        "a control character in an error: {shown:?}"
    );
    let _ = format!("{error:?}");
}

/// Compiles the entry points in an ordinary build too (`cargo test`), so they cannot rot
/// between fuzz runs.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_accept_known_answers() {
        login_answer(
            br#"{"response":{"tfa":true,"tfaKey":"JBSWY3DPEHPK3PXP"},"status":0}"#,
            "portal.example.com",
            "carol@example.com",
        );
        login_answer(
            br#"{"response":{"token":"abc","expires":"2030-01-01T00:00:00Z"},"status":0}"#,
            "p",
            "a",
        );
        other_answers(br#"{"response":[{"code":"aB3-x_","isUsed":false}],"status":0}"#);
        error_answer(
            403,
            0,
            "7",
            br#"{"error":{"message":"bad password hunter2"}}"#,
            &["hunter2"],
        );
        // Lower-casing is not the same inside a word: a final capital sigma becomes 'ς'.
        error_answer(
            403,
            0,
            "",
            "{\"error\":{\"message\":\"ΑΣ\"}}".as_bytes(),
            &["Σ"],
        );
        expiry("9999-12-31T23:59:59-01:00");
        check_uri(
            &crate::totp::provisioning_uri("a&b", "c d", &SecretString::from("JBSW")),
            "a&b",
            "c d",
            &SecretString::from("JBSW"),
        );
    }
}
