//! Binding the request DTOs from the body the way ASP.NET Core does: the login DTO
//! (`AuthRequestsDto` / `AuthWithCodeRequestsDto`, docs/protocol.md §1) and `setphone`'s
//! `MobileRequestsDto` (§16). Content type first, then System.Text.Json rules (case-insensitive
//! names, unknown fields ignored, strict types), and the ProblemDetails of §3.1 when that fails.

use hyper::header::{HeaderMap, CONTENT_TYPE};
use rand::Rng;
use serde_json::Value;

use crate::state::Credentials;
use crate::wire::ProblemDetails;

/// The fields of the login DTO the emulator uses.
#[derive(Default)]
pub(crate) struct AuthDto {
    /// What the password step reads.
    pub credentials: Credentials,
    pub session: bool,
    /// Bound only on the code endpoint (`AuthWithCodeRequestsDto`).
    pub code: Option<String>,
}

/// A body that could not be bound: the ProblemDetails to answer with, wrapped in the success
/// envelope with these numbers (§3.1).
pub(crate) struct Rejected {
    pub http_status: u16,
    /// The envelope's `status`.
    pub status: u8,
    /// The envelope's `statusCode`.
    pub status_code: u16,
    pub problem: ProblemDetails,
}

fn trace_id() -> String {
    let mut rng = rand::rng();
    format!(
        "00-{:032x}-{:016x}-00",
        rng.random::<u128>(),
        rng.random::<u64>()
    )
}

const DTO_REQUIRED: &str = "The inDto field is required.";

/// A validation problem (400, `status:1, statusCode:400` since v3.7.1); `inDto` is always
/// reported as required too.
fn invalid(path: &str, message: String) -> Rejected {
    let mut errors = serde_json::Map::new();
    for (k, v) in [(path, message), ("inDto", DTO_REQUIRED.to_string())] {
        errors.insert(k.to_string(), Value::Array(vec![Value::String(v)]));
    }
    Rejected {
        http_status: 400,
        status: 1,
        status_code: 400,
        problem: ProblemDetails {
            kind: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title: "One or more validation errors occurred.",
            status: 400,
            errors: Some(errors),
            trace_id: trace_id(),
        },
    }
}

/// `UnsupportedMediaTypeResult` becomes a plain ProblemDetails (not a validation one), so the
/// envelope keeps `status:0` and the response status code at wrapping time, 200.
fn unsupported_media_type() -> Rejected {
    Rejected {
        http_status: 415,
        status: 0,
        status_code: 200,
        problem: ProblemDetails {
            kind: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
            title: "Unsupported Media Type",
            status: 415,
            errors: None,
            trace_id: trace_id(),
        },
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    media == "application/json"
        || media == "text/json"
        || (media.starts_with("application/") && media.ends_with("+json"))
}

/// "The JSON value could not be converted to `type_name`" at `$.key`.
fn wrong_type(key: &str, type_name: &str) -> Rejected {
    invalid(
        &format!("$.{key}"),
        format!("The JSON value could not be converted to {type_name}. Path: $.{key}"),
    )
}

fn string_field(key: &str, v: &Value) -> Result<Option<String>, Rejected> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(wrong_type(key, "System.String")),
    }
}

/// The body as a JSON object, bound as `[FromBody] dto_type inDto` is: content type first (415),
/// then an empty body, malformed JSON or a non-object (400).
fn bind_object(
    headers: &HeaderMap,
    body: &[u8],
    dto_type: &str,
) -> Result<serde_json::Map<String, Value>, Rejected> {
    // The body binder selects an input formatter by content type before reading the body.
    if !is_json(headers) {
        return Err(unsupported_media_type());
    }
    if body.is_empty() {
        return Err(invalid(
            "",
            "A non-empty request body is required.".to_string(),
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        invalid(
            "$",
            format!("The request body is not valid JSON: {e}. Path: $"),
        )
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(invalid(
            "$",
            format!("The JSON value could not be converted to {dto_type}. Path: $"),
        )),
    }
}

/// Binds `MobileRequestsDto` (`POST /authentication/setphone`, §16): its `mobilePhone`.
pub(crate) fn bind_mobile_phone(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, Rejected> {
    let map = bind_object(
        headers,
        body,
        "ASC.Web.Api.ApiModel.RequestsDto.MobileRequestsDto",
    )?;
    let mut phone = None;
    for (key, v) in &map {
        if key.eq_ignore_ascii_case("mobilephone") {
            phone = string_field(key, v)?;
        }
    }
    Ok(phone)
}

/// Binds `AuthRequestsDto` (or `AuthWithCodeRequestsDto` when `with_code`) from the body.
pub(crate) fn bind_auth_dto(
    headers: &HeaderMap,
    body: &[u8],
    with_code: bool,
) -> Result<AuthDto, Rejected> {
    let map = bind_object(headers, body, "AuthRequestsDto")?;
    let mut dto = AuthDto::default();
    let creds = &mut dto.credentials;
    for (key, v) in &map {
        match key.to_ascii_lowercase().as_str() {
            "username" => creds.user_name = string_field(key, v)?,
            "password" => creds.password = string_field(key, v)?,
            "passwordhash" => creds.password_hash = string_field(key, v)?,
            "provider" => creds.provider = string_field(key, v)?,
            "recaptcharesponse" => creds.recaptcha_response = string_field(key, v)?,
            "code" if with_code => dto.code = string_field(key, v)?,
            "serializedprofile" => creds.serialized_profile = string_field(key, v)?,
            "accesstoken" | "codeoauth" | "culture" => {
                string_field(key, v)?;
            }
            "session" => match v {
                Value::Bool(b) => dto.session = *b,
                _ => return Err(wrong_type(key, "System.Boolean")),
            },
            "recaptchatype" => match v {
                Value::Null => creds.recaptcha_type = 0,
                Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => {
                    creds.recaptcha_type = n.as_i64().unwrap_or(0);
                }
                _ => return Err(wrong_type(key, "ASC.Web.Core.RecaptchaType")),
            },
            "confirmdata" => match v {
                Value::Null => creds.confirm_data = false,
                Value::Object(_) => creds.confirm_data = true,
                _ => return Err(wrong_type(key, "ASC.Web.Api.Models.ConfirmData")),
            },
            _ => {}
        }
    }
    Ok(dto)
}
