//! What goes over the wire (docs/protocol.md §1, §2, §3, §5), and lenient parsing of it.

use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::Error;

/// What proves the password in a login request (§1, §11): the password itself, or its
/// client-side hash (`passwordHash`).
pub(crate) enum LoginSecret {
    Password(SecretString),
    Hash(SecretString),
}

impl LoginSecret {
    /// The secret as sent, for the redaction of error messages.
    pub(crate) fn expose(&self) -> &str {
        match self {
            LoginSecret::Password(s) | LoginSecret::Hash(s) => s.expose_secret(),
        }
    }
}

/// Body of `POST /authentication`, `/authentication/sendsms` (§1, §11.2, §12.3):
/// `userName`, `password` or `passwordHash`, `session`, and a captcha answer if any.
pub(crate) struct Credentials<'a> {
    pub user_name: &'a str,
    pub secret: &'a LoginSecret,
    pub session: bool,
    pub captcha: Option<&'a crate::CaptchaAnswer>,
}

impl Serialize for Credentials<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("userName", self.user_name)?;
        match self.secret {
            LoginSecret::Password(p) => map.serialize_entry("password", p.expose_secret())?,
            LoginSecret::Hash(h) => map.serialize_entry("passwordHash", h.expose_secret())?,
        }
        map.serialize_entry("session", &self.session)?;
        if let Some(captcha) = self.captcha {
            map.serialize_entry("recaptchaResponse", captcha.response.expose_secret())?;
            map.serialize_entry("recaptchaType", &captcha.kind.code())?;
        }
        map.end()
    }
}

/// Body of `POST /authentication/{code}` (§1, §4.3): the credentials again plus the code.
#[derive(Serialize)]
pub(crate) struct CredentialsWithCode<'a> {
    #[serde(flatten)]
    pub credentials: Credentials<'a>,
    pub code: &'a str,
}

/// Body of `POST /authentication/setphone` (§16).
#[derive(Serialize)]
pub(crate) struct SetPhone<'a> {
    #[serde(rename = "mobilePhone")]
    pub mobile_phone: &'a str,
}

/// The login-relevant part of the anonymous `GET /settings` (§10.2), with its envelope.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SettingsEnvelope {
    pub response: Option<SettingsDto>,
    pub status: Option<i64>,
    pub status_code: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SettingsDto {
    #[serde(default)]
    pub doc_space: bool,
    pub version: Option<String>,
    #[serde(default)]
    pub standalone: bool,
    #[serde(default)]
    pub tenant_status: i64,
    pub password_hash: Option<PasswordHashDto>,
    pub recaptcha_type: Option<i64>,
    pub recaptcha_public_key: Option<String>,
}

/// `settings.passwordHash` (§11.1).
#[derive(Deserialize)]
pub(crate) struct PasswordHashDto {
    pub size: u32,
    pub iterations: u32,
    pub salt: String,
}

/// `GET /capabilities` (§10.1).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CapabilitiesDto {
    #[serde(default)]
    pub ldap_enabled: bool,
    #[serde(default)]
    pub providers: Vec<String>,
    pub sso_label: Option<String>,
    pub sso_url: Option<String>,
}

/// `GET /security/activeconnections` (§15.2).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConnectionsDto {
    #[serde(default)]
    pub login_event: i64,
    #[serde(default)]
    pub items: Vec<ConnectionDto>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConnectionDto {
    pub id: i64,
    #[serde(default)]
    pub mobile: bool,
    pub ip: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub browser: Option<String>,
    pub platform: Option<String>,
    pub date: Option<String>,
    pub page: Option<String>,
}

/// The success envelope (§3.1). Only `response` and `status` matter; `count`, `links`, `total`
/// and unknown fields are ignored, and may be missing.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default = "Option::default")]
    pub response: Option<T>,
    pub status: i64,
}

/// The error envelope (§3.2): `{"error":{"message":...},"status":1,"statusCode":...}`.
#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: Option<ErrorBody>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `AuthenticationTokenDto` (§2).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenDto {
    pub token: Option<SecretString>,
    pub expires: Option<String>,
    #[serde(default)]
    pub sms: bool,
    pub phone_noise: Option<String>,
    #[serde(default)]
    pub tfa: bool,
    pub tfa_key: Option<SecretString>,
    pub confirm_url: Option<String>,
}

/// An item of `GET /settings/tfaappcodes` (§4.6).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackupCodeDto {
    pub code: SecretString,
    #[serde(default)]
    pub is_used: bool,
}

/// 9999-12-31T23:59:59 UTC in seconds since the Unix epoch: the latest expiry kept as is.
const LATEST_EXPIRY_SECS: i64 = 253_402_300_799;

/// Parses `expires` leniently (§2, §6.3): RFC 3339 with or without offset, 0 to 7 (or more)
/// fraction digits. `0001-01-01T00:00:00` (.NET `DateTime.MinValue`, "not applicable") and
/// anything unparsable give `None`.
pub(crate) fn parse_expires(text: &str) -> Option<SystemTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let text = text.trim();
    let at = time::OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .or_else(|_| {
            time::PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(|p| p.assume_utc())
        })
        .ok()?;
    if at.year() <= 1 {
        return None;
    }
    // Seconds and nanoseconds apart: nanoseconds since the epoch overflow a `u64` for dates
    // after 2554 (e.g. .NET's `9999-12-31T23:59:59.9999999`).
    let offset = at - time::OffsetDateTime::UNIX_EPOCH;
    let latest = time::Duration::new(LATEST_EXPIRY_SECS, 999_999_000);
    if offset > latest {
        // Later than 9999-12-31T23:59:59.999999 UTC (e.g. that date with a negative offset, or
        // .NET's `DateTime.MaxValue` with its 7 fraction digits): clamped, so that every
        // language's date type can hold it (Python's cannot go further).
        return SystemTime::UNIX_EPOCH
            .checked_add(Duration::new(LATEST_EXPIRY_SECS as u64, 999_999_000));
    }
    let since_epoch = Duration::new(
        offset.whole_seconds().unsigned_abs(),
        offset.subsec_nanoseconds().unsigned_abs(),
    );
    if offset.is_negative() {
        SystemTime::UNIX_EPOCH.checked_sub(since_epoch)
    } else {
        SystemTime::UNIX_EPOCH.checked_add(since_epoch)
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Decodes a 2xx body as the success envelope carrying a `T`.
/// `status` must be 0; a missing `response` gives `None`.
pub(crate) fn decode_success<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<Option<T>, Error> {
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|e| {
        Error::unexpected(format!(
            "not the DocSpace JSON envelope ({})",
            classify_json_error(&e)
        ))
    })?;
    if envelope.status != 0 {
        return Err(Error::unexpected(format!(
            "success status code but envelope status {}",
            envelope.status
        )));
    }
    Ok(envelope.response)
}

/// The server's message of an error envelope, if the body is one.
pub(crate) fn error_message(body: &[u8]) -> Option<String> {
    let envelope: ErrorEnvelope = serde_json::from_slice(body).ok()?;
    envelope.error?.message
}

/// The exception type of an error envelope (`error.type`, §12.2): `Some(None)` for an envelope
/// whose type is null or absent, `None` when the body is not an error envelope.
pub(crate) fn error_type(body: &[u8]) -> Option<Option<String>> {
    let envelope: ErrorEnvelope = serde_json::from_slice(body).ok()?;
    Some(envelope.error?.kind)
}

/// Describes a JSON error without quoting any of the input (which might hold a secret).
fn classify_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "malformed JSON",
        Category::Data => "unexpected JSON shape",
        Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn secs(t: SystemTime) -> f64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
    }

    #[test]
    fn expires_variants() {
        // 2027-07-01T10:13:11Z = 1814436791
        let base = 1_814_436_791.0;
        for (text, expected) in [
            ("2027-07-01T10:13:11Z", base),
            ("2027-07-01T10:13:11.1234567Z", base + 0.1234567),
            ("2027-07-01T10:13:11.1Z", base + 0.1),
            ("2027-07-01T10:13:11", base),
            ("2027-07-01T10:13:11.123", base + 0.123),
            ("2027-07-01T10:13:11.1234567", base + 0.1234567),
            ("2027-07-01T12:13:11+02:00", base),
            ("2027-07-01T12:13:11.5+02:00", base + 0.5),
            ("2027-07-01T10:13:11.123456789Z", base + 0.123456789),
        ] {
            let got = parse_expires(text).unwrap_or_else(|| panic!("{text} did not parse"));
            assert!((secs(got) - expected).abs() < 1e-6, "{text}: {}", secs(got));
        }
    }

    /// Far dates are real dates: `SystemTime` holds them (nanoseconds since the epoch in a
    /// `u64` do not, from about year 2554 on and before 1385).
    #[test]
    fn expires_far_dates() {
        for (text, secs) in [
            ("9999-12-31T23:59:59.9999999Z", 253_402_300_799.999_999),
            ("9999-12-31T23:59:59", 253_402_300_799.0),
            ("3000-01-01T00:00:00+01:00", 32_503_676_400.0),
            ("1000-01-01T00:00:00Z", -30_610_224_000.0),
            ("0002-01-01T00:00:00Z", -62_104_060_800.0),
            // Year 10000 in UTC: clamped to the last microsecond of 9999, which every
            // language's date type holds.
            ("9999-12-31T23:59:59-01:00", 253_402_300_799.999_999),
            ("9999-12-31T23:59:59.9999999-00:01", 253_402_300_799.999_999),
        ] {
            let got = parse_expires(text).unwrap_or_else(|| panic!("{text} did not parse"));
            let got = match got.duration_since(UNIX_EPOCH) {
                Ok(after) => after.as_secs_f64(),
                Err(before) => -before.duration().as_secs_f64(),
            };
            assert!((got - secs).abs() < 1e-3, "{text}: {got}");
        }
        // .NET's `DateTime.MaxValue` (found by fuzzing): its last 900 ns would round up to year
        // 10000 in a language that keeps microseconds.
        assert_eq!(
            parse_expires("9999-12-31T23:59:59.9999999Z"),
            UNIX_EPOCH.checked_add(Duration::new(LATEST_EXPIRY_SECS as u64, 999_999_000))
        );
    }

    #[test]
    fn expires_none() {
        for text in [
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00.0000000",
            "0001-01-01T00:00:00+05:00",
            "0001-01-01T00:00:00-05:00",
            "0001-12-31T23:59:59Z",
            "",
            "soon",
        ] {
            assert_eq!(parse_expires(text), None, "{text}");
        }
    }

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("later"), None);
    }

    #[test]
    fn envelope_lenient() {
        let body = br#"{"response":{"token":"t","expires":"0001-01-01T00:00:00","sms":false,"tfa":false,"extra":1},"status":0}"#;
        let dto: TokenDto = decode_success(body).unwrap().unwrap();
        assert_eq!(dto.token.unwrap().expose_secret(), "t");
        let none: Option<TokenDto> = decode_success(br#"{"status":0,"count":0}"#).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn envelope_refusals() {
        for body in [
            &br#"{"response":true,"status":1,"statusCode":200}"#[..],
            br#"<html>hi</html>"#,
            br#"{"response":true"#,
            br#"{"response":true}"#,
            br#"[1,2]"#,
            b"",
        ] {
            let got = decode_success::<bool>(body);
            assert!(
                matches!(got, Err(Error::UnexpectedResponse { .. })),
                "{body:?}"
            );
        }
    }

    #[test]
    fn json_errors_do_not_echo_input() {
        let got = decode_success::<TokenDto>(br#"{"response":{"token":12345678},"status":0}"#);
        let text = got.err().unwrap().to_string();
        assert!(!text.contains("12345678"), "{text}");
    }
}
