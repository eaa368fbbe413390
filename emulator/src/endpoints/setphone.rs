//! SMS phone activation during login (docs/protocol.md §16): `POST /authentication/setphone`
//! with the `confirm` header built from step 1's `PhoneActivation` `confirmUrl`, body
//! `{"mobilePhone": "…"}`. Stores the number (digits, not activated), sends a code to it; the
//! code endpoint then issues the token and activates the phone.

use hyper::Response;

use super::authentication::{sms_sent_body, TOO_MANY_SMS};
use super::caller::{authenticate, confirm_scheme};
use super::envelope::Exception;
use super::ApiReq;
use crate::binding::bind_mobile_phone;
use crate::http::{empty, Body};
use crate::shared::Shared;
use crate::state::{SendSms, SetPhoneError};

const STACK: &str =
    "   at ASC.Web.Core.Sms.SmsManager.SaveMobilePhoneAsync(UserInfo user, String mobilePhone)";

/// The number has no digit.
const NO_DIGITS: Exception = Exception {
    status: 500,
    message: "Enter mobile phone number",
    kind: "System.Exception",
    stack: STACK,
    hresult: -2146233088,
};

/// An activated number is already stored.
const MUST_ERASE: Exception = Exception {
    status: 500,
    message: "To change the number, you need to delete your current phone number",
    kind: "System.Exception",
    stack: STACK,
    hresult: -2146233088,
};

/// `POST /authentication/setphone`: 401 (empty) without a valid `confirm` header, 403 (empty)
/// for a key of another type, then the body (400/415 ProblemDetails), then the number.
pub(crate) fn set_phone(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let cfg = &shared.cfg;
    let mut st = shared.lock();
    let target = match confirm_scheme(&st, r) {
        None => return empty(401),
        Some((_, role)) if !role.eq_ignore_ascii_case("PhoneActivation") => return empty(403),
        Some((user, _)) => user,
    };
    let phone = match bind_mobile_phone(&r.headers, &r.body) {
        Ok(p) => p.unwrap_or_default(),
        Err(rejected) => return r.rejected(rejected),
    };
    // On an already authenticated request the phone goes to the token's user.
    let target = authenticate(&st, r).who.map_or(target, |(user, _)| user);
    match st.set_phone(cfg, target, &phone) {
        Err(SetPhoneError::NoDigits) => NO_DIGITS.response(),
        Err(SetPhoneError::AlreadyActivated) => MUST_ERASE.response(),
        Ok((_, SendSms::TooMany)) => TOO_MANY_SMS.response(),
        Ok((digits, _)) => {
            let body = sms_sent_body(st.now(), cfg, &digits);
            r.success(Some(body), 1)
        }
    }
}
