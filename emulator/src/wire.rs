//! What goes on the wire: envelopes, DTOs, dates and cookies, as docs/protocol.md §2, §3 and §6.2 describe.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

/// `DateTime.MinValue` as System.Text.Json writes it.
pub(crate) const MIN_DATE: &str = "0001-01-01T00:00:00";

fn datetime(t: Duration) -> OffsetDateTime {
    let nanos = i128::try_from(t.as_nanos()).unwrap_or(i128::MAX);
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// ISO-8601 UTC with up to 7 fractional digits (trailing zeros trimmed) and `Z`,
/// the way System.Text.Json writes a UTC `DateTime`.
pub(crate) fn dotnet_utc(t: Duration) -> String {
    let d = datetime(t);
    let ticks = d.nanosecond() / 100;
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    );
    if ticks != 0 {
        let frac = format!("{ticks:07}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// RFC 3339 with `Z` (used by the emulator-only endpoints).
pub(crate) fn rfc3339(t: Duration) -> String {
    datetime(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An HTTP date for cookie `expires`.
pub(crate) fn http_date(t: Duration) -> String {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    datetime(t).format(&fmt).unwrap_or_default()
}

#[derive(Serialize)]
pub(crate) struct Link<'a> {
    pub href: &'a str,
    pub action: &'a str,
}

/// The success envelope of §3.1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Success<'a, T: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<T>,
    pub count: usize,
    pub links: [Link<'a>; 1],
    pub status: u8,
    pub status_code: u16,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody<'a> {
    pub message: &'a str,
    #[serde(rename = "type")]
    pub kind: Option<&'a str>,
    pub stack: Option<&'a str>,
    pub hresult: i64,
}

/// The error envelope of §3.2.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Failure<'a> {
    pub error: ErrorBody<'a>,
    pub status: u8,
    pub status_code: u16,
}

/// `AuthenticationTokenDto` (§2): nulls dropped, `expires`/`sms`/`tfa` always present.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthTokenDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub expires: String,
    pub sms: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_noise: Option<String>,
    pub tfa: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tfa_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_url: Option<String>,
}

/// `EmployeeFullDto`, the fields a client needs (nulls dropped).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmployeeDto {
    pub id: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub user_name: String,
    pub email: String,
    pub status: u8,
    pub activation_status: u8,
    pub is_admin: bool,
    pub is_owner: bool,
    pub is_visitor: bool,
    pub is_collaborator: bool,
    pub is_room_admin: bool,
    pub culture_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    pub mobile_phone_activation_status: u8,
    pub tfa_app_enabled: bool,
    pub login_event_id: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BackupCodeDto {
    pub is_used: bool,
    pub code: String,
}

/// ASP.NET Core's validation ProblemDetails (400), wrapped in the success envelope.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProblemDetails {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Map<String, serde_json::Value>>,
    pub trace_id: String,
}

/// `Uri.EscapeDataString`: everything but the RFC 3986 unreserved characters.
const COOKIE_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A `Set-Cookie` value as ASP.NET Core writes it: value percent-encoded, lower-case attributes.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    expires: Option<Duration>,
    secure: bool,
) -> String {
    let value = percent_encoding::utf8_percent_encode(value, COOKIE_ENCODE).to_string();
    let mut s = format!("{name}={value}");
    if let Some(e) = expires {
        s.push_str("; expires=");
        s.push_str(&http_date(e));
    }
    s.push_str("; path=/");
    if secure {
        s.push_str("; secure");
    }
    s.push_str("; samesite=strict; httponly");
    s
}

/// A `Set-Cookie` that deletes a cookie.
pub(crate) fn delete_cookie(name: &str) -> String {
    format!("{name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(dotnet_utc(Duration::from_secs(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            dotnet_utc(Duration::new(1_814_436_791, 123_456_789)),
            "2027-07-01T10:13:11.1234567Z"
        );
        assert_eq!(
            dotnet_utc(Duration::new(1_814_436_791, 500_000_000)),
            "2027-07-01T10:13:11.5Z"
        );
        assert_eq!(
            http_date(Duration::from_secs(1_814_436_791)),
            "Thu, 01 Jul 2027 10:13:11 GMT"
        );
    }
}
