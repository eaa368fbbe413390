//! A non-2xx answer as an [`Error`]: decided by the status (and, for 401, by what the endpoint
//! is), never by the message text; the 403 message is redacted and capped.

use std::time::Duration;

use http::StatusCode;

use super::On401;
use crate::wire;
use crate::Error;

/// Longest server message kept in [`Error::Forbidden`] (in bytes).
const MESSAGE_CAP: usize = 500;

/// The error for a non-2xx `status`; `body` only matters for a 403. On a login endpoint a 403
/// is told apart by the envelope's `error.type`, never by its (localized) message (§12.2), and a
/// 404 means there is no portal at that address.
pub(crate) fn status_error(
    status: StatusCode,
    on_401: On401,
    captcha: bool,
    retry_after: Option<Duration>,
    body: Option<&[u8]>,
) -> Error {
    match status.as_u16() {
        300..=399 => Error::unexpected(format!("redirect (HTTP {}) not followed", status.as_u16())),
        401 => match on_401 {
            On401::BadCredentials => Error::InvalidCredentials,
            On401::CodeRejected => Error::CodeRejected,
            On401::ActivationKey => Error::PhoneActivationExpired,
            On401::TokenInvalid => Error::Unauthorized,
        },
        403 => forbidden(on_401, captcha, body),
        404 if on_401.is_login() => Error::WrongPortalAddress,
        404 => Error::NotFound,
        429 => Error::RateLimited { retry_after },
        500..=599 => Error::Server {
            status: status.as_u16(),
        },
        other => Error::unexpected(format!("HTTP status {other}")),
    }
}

/// A 403 (§12.1, §12.2, §17): an empty body is the portal's maintenance state; on a login
/// endpoint, an `InvalidOperationException` is a disabled user, and an envelope without a type
/// is the lockout, or the captcha's rejection when one was sent.
fn forbidden(on_401: On401, captcha: bool, body: Option<&[u8]>) -> Error {
    let body = body.unwrap_or_default();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Error::PortalUnavailable;
    }
    if on_401.is_login() {
        if let Some(kind) = wire::error_type(body) {
            match kind.as_deref() {
                Some("System.InvalidOperationException") => return Error::UserDisabled,
                None if captcha => return Error::CaptchaRejected,
                None => return Error::LockedOut,
                Some(_) => {}
            }
        }
    }
    Error::Forbidden {
        message: wire::error_message(body).unwrap_or_else(|| "access denied".to_owned()),
    }
}

/// What [`Error::Forbidden`] says instead of a server message that repeated a secret.
pub(crate) const WITHHELD: &str =
    "access denied (the server's message was withheld: it repeated a secret)";

/// The server's 403 message is shown to people: a server (or a proxy in front of it) that
/// echoes what it got must not make the password, code or token appear in it. If any form of
/// a secret appears (as sent, trimmed, JSON-escaped, percent- or form-encoded, in any case),
/// the whole message is dropped: a partial redaction could still leave part of it. Also
/// caps its length.
pub(crate) fn redact<'a>(error: Error, secrets: impl Iterator<Item = &'a str>) -> Error {
    let Error::Forbidden { mut message } = error else {
        return error;
    };
    if echoes(&message, secrets) {
        message = WITHHELD.to_owned();
    }
    if message.len() > MESSAGE_CAP {
        let mut end = MESSAGE_CAP;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    Error::Forbidden { message }
}

/// Whether `text` repeats any of `secrets` in any form a server may give it (as sent, trimmed,
/// JSON-escaped, percent- or form-encoded, in any case).
pub(crate) fn echoes<'a>(text: &str, secrets: impl Iterator<Item = &'a str>) -> bool {
    // Also as a JSON reader would see it: .NET's default encoder writes `"`, `&`, `+` and every
    // non-ASCII character as `\uXXXX`, which must match the secret as sent.
    let texts = [fold(text), fold(&json_unescape(text))];
    secrets.flat_map(forms).any(|form| {
        let form = fold(&form);
        !form.is_empty() && texts.iter().any(|text| text.contains(&form))
    })
}

/// Lower case, character by character: `str::to_lowercase` depends on context (a final 'Σ'
/// becomes 'ς', but 'σ' alone), which would let a secret hide in a message.
fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// `text` with its JSON string escapes decoded (`\"`, `\\`, `\/`, `\n`…, and `\uXXXX`, surrogate
/// pairs included); anything else is kept as it is.
fn json_unescape(text: &str) -> String {
    fn hex4(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u16> {
        let digits: String = (0..4)
            .map_while(|_| chars.next_if(char::is_ascii_hexdigit))
            .collect();
        u16::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| digits.len() == 4)
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let Some(unit) = hex4(&mut chars) else {
                    out.push_str("\\u");
                    continue;
                };
                let mut units = vec![unit];
                let mut ahead = chars.clone();
                if (0xD800..0xDC00).contains(&unit)
                    && ahead.next() == Some('\\')
                    && ahead.next() == Some('u')
                {
                    if let Some(low) = hex4(&mut ahead) {
                        units.push(low);
                        chars = ahead;
                    }
                }
                out.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
            }
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The ways a server may repeat `secret` in a message.
fn forms(secret: &str) -> [String; 5] {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    let percent = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    let form = percent.replace("%20", "+");
    [
        secret.to_owned(),
        secret.trim().to_owned(),
        json,
        percent,
        form,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        let e = |s: u16, on_401| {
            status_error(StatusCode::from_u16(s).unwrap(), on_401, false, None, None)
        };
        assert!(matches!(
            e(401, On401::BadCredentials),
            Error::InvalidCredentials
        ));
        assert!(matches!(e(401, On401::CodeRejected), Error::CodeRejected));
        assert!(matches!(e(401, On401::TokenInvalid), Error::Unauthorized));
        assert!(matches!(
            e(404, On401::BadCredentials),
            Error::WrongPortalAddress
        ));
        assert!(matches!(e(404, On401::TokenInvalid), Error::NotFound));
        assert!(matches!(
            e(403, On401::BadCredentials),
            Error::PortalUnavailable
        ));
        assert!(matches!(
            e(302, On401::BadCredentials),
            Error::UnexpectedResponse { .. }
        ));
        assert!(matches!(
            e(400, On401::BadCredentials),
            Error::UnexpectedResponse { .. }
        ));
        assert!(matches!(
            e(503, On401::BadCredentials),
            Error::Server { status: 503 }
        ));
        // §12.1's bodies, told apart by `error.type` and whether a captcha was sent (§12.2).
        let lock = br#"{"error":{"message":"Too many login attempts. Please try again later","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#;
        let captcha = br#"{"error":{"message":"Invalid Recaptcha","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#;
        let disabled = br#"{"error":{"message":"User disabled","type":"System.InvalidOperationException","stack":"   at X","hresult":-2146233079},"status":1,"statusCode":403}"#;
        let other = br#"{"error":{"message":"Not available.","type":"System.Security.SecurityException"},"status":1,"statusCode":403}"#;
        let f = |on_401, captcha, body: &[u8]| {
            status_error(StatusCode::FORBIDDEN, on_401, captcha, None, Some(body))
        };
        assert!(matches!(
            f(On401::BadCredentials, false, lock),
            Error::LockedOut
        ));
        // The message does not matter: the same body with a captcha sent is its rejection.
        assert!(matches!(
            f(On401::BadCredentials, true, lock),
            Error::CaptchaRejected
        ));
        assert!(matches!(
            f(On401::BadCredentials, true, captcha),
            Error::CaptchaRejected
        ));
        assert!(matches!(
            f(On401::CodeRejected, false, disabled),
            Error::UserDisabled
        ));
        assert!(matches!(
            f(On401::BadCredentials, true, disabled),
            Error::UserDisabled
        ));
        assert!(matches!(
            f(On401::BadCredentials, false, b"  "),
            Error::PortalUnavailable
        ));
        assert!(matches!(
            f(On401::TokenInvalid, false, b""),
            Error::PortalUnavailable
        ));
        match f(On401::BadCredentials, false, other) {
            Error::Forbidden { message } => assert_eq!(message, "Not available."),
            e => panic!("{e:?}"),
        }
        // Off the login endpoints, a typed 403 is just forbidden.
        match f(On401::TokenInvalid, false, disabled) {
            Error::Forbidden { message } => assert_eq!(message, "User disabled"),
            e => panic!("{e:?}"),
        }
        match f(
            On401::TokenInvalid,
            false,
            b"The access to the portal is restricted",
        ) {
            Error::Forbidden { message } => assert_eq!(message, "access denied"),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn forbidden_messages_are_redacted_and_capped() {
        let forbidden = |message: &str| Error::Forbidden {
            message: message.to_owned(),
        };
        let withheld = |message: &str, secrets: &[&str]| match redact(
            forbidden(message),
            secrets.iter().copied(),
        ) {
            Error::Forbidden { message } => message == WITHHELD,
            other => panic!("{other:?}"),
        };
        let secrets = ["  hunter2", "123456", "", "p\"w d/é"];
        assert!(withheld("no for pw hunter2 and code 123456", &secrets));
        assert!(withheld("no for code 123456", &secrets));
        // JSON-escaped, percent-encoded (either case), form-encoded.
        assert!(withheld(r#"bad body {"password":"p\"w d/é"}"#, &secrets));
        assert!(withheld("refused /auth/p%22w%20d%2F%C3%A9", &secrets));
        assert!(withheld("refused /auth/p%22w%20d%2f%c3%a9", &secrets));
        assert!(withheld("refused password=p%22w+d%2F%C3%A9", &secrets));
        assert!(withheld("HUNTER2 is wrong", &secrets));
        // Found by fuzzing: a final capital sigma lower-cases to 'ς' in a word but to 'σ'
        // alone.
        assert!(withheld("ΑΣ", &["Σ"]));
        // JSON-escaped as .NET writes it: `"` and non-ASCII as \uXXXX (either case).
        assert!(withheld(r#"refused p\u0022w d/\u00E9"#, &secrets));
        assert!(withheld(r#"refused p\u0022w d\/\u00e9"#, &secrets));
        assert!(withheld(r#"refused pw\uD83D\uDE00x"#, &["pw\u{1F600}x"]));
        assert_eq!(
            json_unescape(r#"a\u00e9\"\\\uZZ\uD83D\n"#),
            "aé\"\\\\uZZ\u{FFFD}\n"
        );
        // A message with none of them is kept as it is.
        match redact(forbidden("Too many attempts"), secrets.iter().copied()) {
            Error::Forbidden { message } => assert_eq!(message, "Too many attempts"),
            other => panic!("{other:?}"),
        }
        // A long message of multi-byte characters is cut on a character boundary.
        let long = "é".repeat(MESSAGE_CAP);
        match redact(forbidden(&long), std::iter::empty()) {
            Error::Forbidden { message } => {
                assert!(
                    message.len() <= MESSAGE_CAP + '…'.len_utf8(),
                    "{}",
                    message.len()
                );
                assert!(message.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            redact(Error::CodeRejected, ["x"].into_iter()),
            Error::CodeRejected
        ));
    }
}
