//! `GET /emulator/sms[?phone=…]`: the SMS outbox, oldest first.

use hyper::Response;
use serde::Serialize;

use crate::http::{json_value, Body};
use crate::shared::Shared;
use crate::wire;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SmsDto {
    phone: String,
    code: String,
    sent_at: String,
}

/// `{"messages":[{"phone","code","sentAt"}]}`; `phone` filters by digits.
pub(super) fn list(shared: &Shared, query: &str) -> Response<Body> {
    let phone = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "phone")
        .map(|(_, v)| v.into_owned());
    let messages: Vec<SmsDto> = shared
        .lock()
        .sent_sms(phone.as_deref())
        .into_iter()
        .map(|m| SmsDto {
            phone: m.phone,
            code: m.code,
            sent_at: wire::rfc3339(m.sent_at),
        })
        .collect();
    json_value(200, &serde_json::json!({ "messages": messages }))
}
