//! Logging in (docs/protocol.md §2, §4): `POST /authentication` (step 1), `POST /authentication/{code}`
//! (the second factor) and `POST /authentication/sendsms` (a new SMS code). All three start with
//! the same DTO binding and password check (`GetUserAsync`, §3.3/§3.4).

use std::sync::MutexGuard;
use std::time::Duration;

use base64::Engine as _;
use hyper::Response;

use super::envelope::{auth_error, Exception, AUTH_FAILED};
use super::ApiReq;
use crate::binding::{bind_auth_dto, AuthDto};
use crate::config::{EmulatorConfig, TfaKind};
use crate::http::{add_cookie, Body};
use crate::otp;
use crate::shared::Shared;
use crate::state::{phone_noise, LoginCheck, SendSms, State, UserIdx};
use crate::wire::{self, AuthTokenDto, MIN_DATE};

const STACK_SMS: &str =
    "   at ASC.Web.Core.Sms.SmsManager.PutAuthCodeAsync(UserInfo user, Boolean again)";

/// Which login endpoint is answering (the "User disabled" stack names it, §12.1 c).
#[derive(Clone, Copy)]
enum Endpoint {
    Step1,
    Code,
    SendSms,
}

/// §12.1 (c): the password was right but the user is not active.
fn user_disabled(endpoint: Endpoint) -> Exception {
    Exception {
        status: 403,
        message: "User disabled",
        kind: "System.InvalidOperationException",
        stack: match endpoint {
            Endpoint::Step1 => "   at ASC.Web.Api.Controllers.AuthenticationController.AuthenticateMe(AuthRequestsDto inDto)",
            Endpoint::Code => "   at ASC.Web.Api.Controllers.AuthenticationController.AuthenticateMeFromBodyWithCode(AuthWithCodeRequestsDto inDto)",
            Endpoint::SendSms => "   at ASC.Web.Api.Controllers.AuthenticationController.SendSmsCode(AuthRequestsDto inDto)",
        },
        hresult: -2146233079,
    }
}
/// More than `sms_key_count` live codes for the phone (§4.7).
pub(super) const TOO_MANY_SMS: Exception = Exception {
    status: 500,
    message: "You have sent too many text messages. Please try again later.",
    kind: "System.Exception",
    stack: STACK_SMS,
    hresult: -2146233088,
};
/// `sendsms` for a user without SMS 2FA.
const SMS_NOT_AVAILABLE: Exception = Exception {
    status: 500,
    message: "Attempt to access the method failed.",
    kind: "System.MethodAccessException",
    stack: STACK_SMS,
    hresult: -2146233072,
};
/// `SmsKeyStorage.GenerateKeyAsync("")`: `ArgumentException.ThrowIfNullOrEmpty(phone)`.
const NO_PHONE: Exception = Exception {
    status: 400,
    message: "The value cannot be an empty string. (Parameter 'phone')",
    kind: "System.ArgumentException",
    stack: "   at ASC.Web.Core.Sms.SmsKeyStorage.GenerateKeyAsync(String phone)",
    hresult: -2147024809,
};

fn login_error(check: &LoginCheck, endpoint: Endpoint) -> Response<Body> {
    match check {
        LoginCheck::Ok(_) | LoginCheck::Failed => auth_error(401, AUTH_FAILED),
        LoginCheck::Locked => auth_error(403, "Too many login attempts. Please try again later"),
        LoginCheck::BadCaptcha => auth_error(403, "Invalid Recaptcha"),
        LoginCheck::Disabled => user_disabled(endpoint).response(),
        LoginCheck::NotFound => auth_error(404, "The user could not be found"),
    }
}

/// The start of every endpoint that takes credentials (step 1, the code endpoint, `sendsms`):
/// the DTO, then the password and brute-force check (§3.3, §3.4). On success, the locked state
/// and the user.
fn check_credentials<'a>(
    shared: &'a Shared,
    r: &ApiReq,
    endpoint: Endpoint,
) -> Result<(AuthDto, MutexGuard<'a, State>, UserIdx), Box<Response<Body>>> {
    let with_code = matches!(endpoint, Endpoint::Code);
    let dto = bind_auth_dto(&r.headers, &r.body, with_code)
        .map_err(|rejected| Box::new(r.rejected(rejected)))?;
    let mut st = shared.lock();
    match st.check_login(&shared.cfg, &dto.credentials, r.peer) {
        LoginCheck::Ok(idx) => Ok((dto, st, idx)),
        check => Err(Box::new(login_error(&check, endpoint))),
    }
}

/// The `encemail` of a confirm URL: the emulator's "encryption" is Base64Url of the e-mail
/// (`setphone` decodes it back, §16).
pub(super) fn enc_email(email: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(email.as_bytes())
}

/// The body of an "SMS code sent" answer (§2.1 d, `sendsms`, `setphone`): expires when the code
/// does.
pub(super) fn sms_sent_body(now: Duration, cfg: &EmulatorConfig, phone: &str) -> AuthTokenDto {
    AuthTokenDto {
        expires: wire::dotnet_utc(now.saturating_add(cfg.sms_validity)),
        sms: true,
        phone_noise: Some(phone_noise(phone)),
        ..Default::default()
    }
}

/// Issues a token and answers with it (§2.1 a, §2.2): `expires` in the body unless the DTO says
/// `session`, `second_factor` sets the body's flags, and `Set-Cookie: asc_auth_key=<token>`
/// (§6.2), a session cookie when `session_cookie`.
fn answer_with_token(
    shared: &Shared,
    st: &mut State,
    r: &ApiReq,
    idx: UserIdx,
    dto: &AuthDto,
    session_cookie: bool,
    second_factor: impl FnOnce(&mut AuthTokenDto),
) -> Response<Body> {
    let (token, info) = st.issue_token(&shared.cfg, idx, r.client_info());
    let mut body = AuthTokenDto {
        token: Some(token.clone()),
        expires: if dto.session {
            MIN_DATE.to_string()
        } else {
            wire::dotnet_utc(info.expires)
        },
        ..Default::default()
    };
    second_factor(&mut body);
    let mut resp = r.success(Some(body), 1);
    let expires = (!session_cookie).then_some(info.expires);
    add_cookie(
        &mut resp,
        &wire::set_cookie("asc_auth_key", &token, expires, shared.secure()),
    );
    resp
}

/// `POST /authentication` (§2.1).
pub(crate) fn login_step1(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (dto, mut st, idx) = match check_credentials(shared, r, Endpoint::Step1) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    let secure = shared.secure();
    let now = st.now();
    let user = st.user(idx).clone();
    match user.tfa {
        TfaKind::Sms => {
            let enc = enc_email(&user.email);
            let phone = match st.send_sms(cfg, idx, false) {
                SendSms::Sent { phone } | SendSms::AlreadyLive { phone } => phone,
                SendSms::TooMany => return TOO_MANY_SMS.response(),
                SendSms::NoPhone => {
                    // §2.1 e: no (activated) phone yet, phone activation first (nothing is
                    // sent); the key is what `setphone` checks (§16).
                    let key = st.issue_confirm_key("PhoneActivation", idx);
                    let body = AuthTokenDto {
                        expires: MIN_DATE.to_string(),
                        sms: true,
                        confirm_url: Some(format!(
                            "{}/confirm/PhoneActivation?type=PhoneActivation&key={key}&encemail={enc}",
                            shared.base_url
                        )),
                        ..Default::default()
                    };
                    return r.success(Some(body), 1);
                }
            };
            let key = st.issue_confirm_key("PhoneAuth", idx);
            let body = AuthTokenDto {
                confirm_url: Some(format!(
                    "{}/confirm/PhoneAuth?type=PhoneAuth&key={key}&encemail={enc}",
                    shared.base_url
                )),
                ..sms_sent_body(now, cfg, &phone)
            };
            r.success(Some(body), 1)
        }
        TfaKind::App => {
            let kind = if user.enrolled {
                "TfaAuth"
            } else {
                "TfaActivation"
            };
            let body = AuthTokenDto {
                expires: MIN_DATE.to_string(),
                tfa: true,
                tfa_key: (!user.enrolled).then(|| otp::encode_base32(&user.secret)),
                confirm_url: Some(format!(
                    "{}/confirm/{kind}?type={kind}&uid={}",
                    shared.base_url, user.id
                )),
                ..Default::default()
            };
            let mut resp = r.success(Some(body), 1);
            add_cookie(
                &mut resp,
                &wire::set_cookie(
                    &format!("asc_confirm_key_{kind}"),
                    &st.issue_confirm_key(kind, idx),
                    None,
                    secure,
                ),
            );
            resp
        }
        TfaKind::None => answer_with_token(shared, &mut st, r, idx, &dto, dto.session, |_| {}),
    }
}

/// `POST /authentication/{code}` (§2.2, §4): the code comes from the body only.
pub(crate) fn login_with_code(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (dto, mut st, idx) = match check_credentials(shared, r, Endpoint::Code) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    let code = dto.code.as_deref().unwrap_or("").trim().to_string();
    let user = st.user(idx).clone();
    let ok = match user.tfa {
        TfaKind::Sms => st.check_sms_code(cfg, idx, &code),
        TfaKind::App => st.check_app_code(cfg, idx, &code),
        TfaKind::None => false, // "Auth code is not available"
    };
    if !ok {
        return auth_error(401, AUTH_FAILED);
    }
    // §4.2: for an already-enrolled app user the cookie is persistent whatever `session` says.
    let session_cookie = dto.session && !(user.tfa == TfaKind::App && user.enrolled);
    answer_with_token(
        shared,
        &mut st,
        r,
        idx,
        &dto,
        session_cookie,
        |body| match user.tfa {
            TfaKind::Sms => {
                body.sms = true;
                body.phone_noise = user.phone.as_deref().map(phone_noise);
            }
            _ => body.tfa = true,
        },
    )
}

/// `POST /authentication/sendsms` (§5): always sends a new code.
pub(crate) fn send_sms(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (_, mut st, idx) = match check_credentials(shared, r, Endpoint::SendSms) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    if st.user(idx).tfa != TfaKind::Sms {
        return SMS_NOT_AVAILABLE.response();
    }
    let phone = match st.send_sms(cfg, idx, true) {
        SendSms::Sent { phone } | SendSms::AlreadyLive { phone } => phone,
        SendSms::TooMany => return TOO_MANY_SMS.response(),
        SendSms::NoPhone => return NO_PHONE.response(),
    };
    let body = sms_sent_body(st.now(), cfg, &phone);
    r.success(Some(body), 1)
}
