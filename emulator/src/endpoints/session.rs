//! Using a token (docs/protocol.md §5, §6, §13.5, §17): `GET /authentication` (is it valid?),
//! `POST /authentication/logout` and `GET /people/@self`.

use hyper::Response;

use super::caller::{authenticate, require_user};
use super::ApiReq;
use crate::config::TfaKind;
use crate::http::{add_cookie, Body};
use crate::sealed;
use crate::shared::Shared;
use crate::wire;

/// `GET /authentication`: `true`/`false`, never 401.
pub(crate) fn is_authenticated(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let caller = authenticate(&shared.lock(), r);
    caller.finish(r.success(Some(caller.who.is_some()), 1))
}

/// `POST /authentication/logout`: only the login event of a token that arrives as the
/// `asc_auth_key` cookie is deactivated (§5); the cookie is deleted either way. For an SSO user
/// of a portal with SSO on and an IdP `sloUrl`, the answer is the relative single-logout URL
/// `/sso/slo?data=…` (§13.5).
pub(crate) fn logout(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let slo = {
        let mut st = shared.lock();
        let caller = authenticate(&st, r);
        let slo = caller.who.and_then(|(idx, _)| {
            let u = st.user(idx);
            let sso = &st.portal().sso;
            (u.sso && sso.enabled && !sso.slo_url.is_empty()).then(|| {
                let session: u64 = rand::random();
                let payload =
                    serde_json::json!({"nameId": u.email, "sessionId": format!("{session:016x}")});
                let data = sealed::seal(&shared.secret, sealed::SLO, &payload);
                format!("/sso/slo?data={}", wire::encode_uri_component(&data))
            })
        });
        if let Some(cookie) = r.cookie("asc_auth_key") {
            if let Some((token, _)) = st.validate_token(&cookie) {
                st.revoke_token(&token);
            }
        }
        slo
    };
    let mut resp = match slo {
        Some(url) => r.success(Some(url), 1),
        None => r.success(None::<()>, 0),
    };
    add_cookie(&mut resp, &wire::delete_cookie("asc_auth_key"));
    resp
}

/// `GET /people/@self`: the caller's `EmployeeFullDto`; 401 with an empty body without a valid
/// credential.
pub(crate) fn people_self(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let (idx, event) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let u = st.user(idx);
    let dto = wire::EmployeeDto {
        id: u.id.to_string(),
        display_name: u.display_name.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        user_name: u.email.split('@').next().unwrap_or("").to_string(),
        email: u.email.clone(),
        status: 1,
        activation_status: 1,
        is_admin: false,
        is_owner: false,
        is_visitor: false,
        is_collaborator: false,
        is_room_admin: false,
        culture_name: "en-US",
        mobile_phone: u.phone.clone(),
        mobile_phone_activation_status: u8::from(u.phone.is_some() && u.phone_activated),
        tfa_app_enabled: u.tfa == TfaKind::App && u.enrolled,
        is_ldap: u.ldap,
        is_sso: u.sso,
        login_event_id: event,
    };
    r.success(Some(dto), 1)
}
