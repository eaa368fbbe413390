//! A non-2xx answer as an [`Error`]: decided by the status (and, for 401, by what the endpoint
//! is), never by the message text; the 403 message is redacted and capped.

use std::time::Duration;

use reqwest::StatusCode;

use super::On401;
use crate::wire;
use crate::Error;

/// Longest server message kept in [`Error::Forbidden`] (in bytes).
const MESSAGE_CAP: usize = 500;

/// The error for a non-2xx `status`; `body` only matters for the 403 message.
pub(super) fn status_error(
    status: StatusCode,
    on_401: On401,
    retry_after: Option<Duration>,
    body: Option<&[u8]>,
) -> Error {
    match status.as_u16() {
        300..=399 => Error::unexpected(format!("redirect (HTTP {}) not followed", status.as_u16())),
        401 => match on_401 {
            On401::BadCredentials => Error::InvalidCredentials,
            On401::CodeRejected => Error::CodeRejected,
            On401::TokenInvalid => Error::Unauthorized,
        },
        403 => Error::Forbidden {
            message: body
                .and_then(wire::error_message)
                .unwrap_or_else(|| "access denied".to_owned()),
        },
        404 => Error::NotFound,
        429 => Error::RateLimited { retry_after },
        500..=599 => Error::Server {
            status: status.as_u16(),
        },
        other => Error::unexpected(format!("HTTP status {other}")),
    }
}

/// The server's 403 message is shown to people: a server (or a proxy in front of it) that
/// echoes what it got must not make the password, code or token appear in it. Also caps
/// its length.
pub(super) fn redact<'a>(error: Error, secrets: impl Iterator<Item = &'a str>) -> Error {
    let Error::Forbidden { mut message } = error else {
        return error;
    };
    for secret in secrets {
        for variant in [secret, secret.trim()] {
            if !variant.is_empty() && message.contains(variant) {
                message = message.replace(variant, "[REDACTED]");
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        let e = |s: u16, on_401| status_error(StatusCode::from_u16(s).unwrap(), on_401, None, None);
        assert!(matches!(
            e(401, On401::BadCredentials),
            Error::InvalidCredentials
        ));
        assert!(matches!(e(401, On401::CodeRejected), Error::CodeRejected));
        assert!(matches!(e(401, On401::TokenInvalid), Error::Unauthorized));
        assert!(matches!(e(404, On401::BadCredentials), Error::NotFound));
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
        let forbidden = status_error(
            StatusCode::FORBIDDEN,
            On401::BadCredentials,
            None,
            Some(br#"{"error":{"message":"Too many login attempts. Please try again later","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#),
        );
        match forbidden {
            Error::Forbidden { message } => assert!(message.starts_with("Too many")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forbidden_messages_are_redacted_and_capped() {
        let forbidden = |message: &str| Error::Forbidden {
            message: message.to_owned(),
        };
        let got = redact(
            forbidden("no for pw hunter2 and code 123456"),
            ["  hunter2", "123456", ""].into_iter(),
        );
        match got {
            Error::Forbidden { message } => {
                assert_eq!(message, "no for pw [REDACTED] and code [REDACTED]")
            }
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
