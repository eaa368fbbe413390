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
    #[serde(rename = "isLDAP")]
    pub is_ldap: bool,
    #[serde(rename = "isSSO")]
    pub is_sso: bool,
    pub login_event_id: u64,
}

/// `CapabilitiesDto` (§10.1), in declaration order; `ldapDomain` is never sent.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CapabilitiesDto {
    pub ldap_enabled: bool,
    pub providers: Vec<String>,
    pub sso_label: String,
    pub oauth_enabled: bool,
    pub sso_url: String,
    pub identity_server_enabled: bool,
}

/// `PasswordHasher` parameters as `GET /settings` shows them.
#[derive(Serialize)]
pub(crate) struct PasswordHashDto {
    pub size: u32,
    pub iterations: u32,
    pub salt: String,
}

/// The login-relevant fields of `SettingsDto` (§10.2), nulls dropped.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SettingsDto {
    pub doc_space: bool,
    pub version: &'static str,
    pub standalone: bool,
    pub tenant_status: u8,
    pub tenant_alias: String,
    pub base_domain: String,
    pub culture: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<PasswordHashDto>,
    pub recaptcha_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recaptcha_public_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thirdparty_enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_join: Option<bool>,
}

/// `GET /settings/version/build` (§17); `documentServer` omitted (no Docs configured).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BuildVersionDto {
    pub doc_space: &'static str,
}

/// An item of `GET /security/activeconnections` (§15.2); `country`/`city` are never known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginEventDto {
    pub id: u64,
    pub tenant_id: u32,
    pub user_id: String,
    pub mobile: bool,
    pub ip: String,
    pub browser: String,
    pub platform: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// `GET /security/activeconnections` (§15.2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActiveConnectionsDto {
    pub login_event: u64,
    pub items: Vec<LoginEventDto>,
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

/// `encodeURIComponent` (upper-case hex), as Node builds URLs.
pub(crate) fn encode_uri_component(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// `HttpUtility.UrlEncode`: ` ` ⇒ `+`, every other unsafe byte as `%xx` with **lower-case** hex
/// (`+` ⇒ `%2b`, `/` ⇒ `%2f`, `=` ⇒ `%3d`, §13.2).
pub(crate) fn http_utility_url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

/// ApiDateTime (§15.2): local time of the portal (UTC here) with exactly 7 fractional digits and
/// `Z` for a zero offset.
pub(crate) fn api_datetime(t: Duration) -> String {
    let d = datetime(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.nanosecond() / 100
    )
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
            api_datetime(Duration::new(1_814_436_791, 500_000_000)),
            "2027-07-01T10:13:11.5000000Z"
        );
        assert_eq!(http_utility_url_encode("a+b/c=d e"), "a%2bb%2fc%3dd+e");
        assert_eq!(encode_uri_component("a+b/c=d"), "a%2Bb%2Fc%3Dd");
        assert_eq!(
            http_date(Duration::from_secs(1_814_436_791)),
            "Thu, 01 Jul 2027 10:13:11 GMT"
        );
    }
}
