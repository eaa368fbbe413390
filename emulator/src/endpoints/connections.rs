//! Active sessions (docs/protocol.md §15): `GET /security/activeconnections` and the `PUT`s that
//! deactivate login events. "This" session is the login event of the token in the
//! `asc_auth_key` **cookie** (§15.3); a token sent in `Authorization` has no "this" (event 0).

use hyper::Response;

use super::authentication::enc_email;
use super::caller::require_user;
use super::envelope::Exception;
use super::ApiReq;
use crate::http::{add_cookie, Body};
use crate::shared::Shared;
use crate::state::{LoginEvent, State, UserIdx};
use crate::wire::{self, ActiveConnectionsDto, LoginEventDto};

/// Someone else's event or user, and the caller is no DocSpace admin (the emulator has none).
const ACCESS_DENIED: Exception = Exception {
    status: 403,
    message: "Access denied",
    kind: "System.Security.SecurityException",
    stack: "   at ASC.Web.Api.Controllers.ConnectionsController.LogOutActiveConnection(Int32 loginEventId)",
    hresult: -2146233078,
};

fn item(st: &State, e: &LoginEvent) -> LoginEventDto {
    LoginEventDto {
        id: e.id,
        tenant_id: 1,
        user_id: st.user(e.user).id.to_string(),
        mobile: false,
        ip: e.client.ip.clone(),
        browser: e.client.browser.clone(),
        platform: e.client.platform.clone(),
        date: wire::api_datetime(e.date),
        page: e.client.page.clone(),
    }
}

/// `GET /security/activeconnections` (§15.2): the caller's active events of the last year,
/// newest first, the cookie's own event first and described by this request; with no listed
/// event at all, one synthetic item (id 0) describing this request.
pub(crate) fn list(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let (idx, this) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let here = r.client_info();
    let mut events = st.user_events(idx);
    if let Some(pos) = events.iter().position(|e| this != 0 && e.id == this) {
        let mut own = events.remove(pos);
        own.client.ip = here.ip.clone();
        own.client.browser = here.browser.clone();
        own.client.platform = here.platform.clone();
        events.insert(0, own);
    }
    let mut items: Vec<LoginEventDto> = events.iter().map(|e| item(&st, e)).collect();
    if items.is_empty() {
        items.push(LoginEventDto {
            id: 0,
            tenant_id: 0,
            user_id: uuid::Uuid::nil().to_string(),
            mobile: false,
            ip: here.ip,
            browser: here.browser,
            platform: here.platform,
            date: wire::api_datetime(st.now()),
            page: here.page,
        });
    }
    let dto = ActiveConnectionsDto {
        login_event: this,
        items,
    };
    r.success(Some(dto), 1)
}

/// `PUT /security/activeconnections/logout/{loginEventId:int}`: `true` if one of the caller's
/// active events was deactivated, `false` if unknown or already inactive; someone else's ⇒ 403.
pub(crate) fn logout_event(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let mut st = shared.lock();
    let (idx, _) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let id = r
        .route
        .rsplit('/')
        .next()
        .and_then(|s| s.parse::<u64>().ok());
    let done = match id.and_then(|id| st.event(id).map(|e| (id, e.user))) {
        None => false,
        Some((_, owner)) if owner != idx => return ACCESS_DENIED.response(),
        Some((id, _)) => st.deactivate_event(id),
    };
    r.success(Some(done), 1)
}

/// `PUT /security/activeconnections/logoutallexceptthis`: deactivates all the caller's events
/// but the cookie's (header-only callers: all, their own included); answers the display name.
pub(crate) fn logout_all_except_this(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let mut st = shared.lock();
    let (idx, this) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    st.deactivate_user_events(idx, this);
    let name = st.user(idx).display_name.clone();
    r.success(Some(name), 1)
}

/// `logoutall` for the caller: every token of the user dies (cookie index) and every event is
/// deactivated; a fresh token (new login event) comes only as `Set-Cookie: asc_auth_key`.
fn log_out_everywhere(shared: &Shared, st: &mut State, r: &ApiReq, idx: UserIdx) -> String {
    st.reset_user_cookies(idx);
    let (token, info) = st.issue_token(&shared.cfg, idx, r.client_info());
    wire::set_cookie("asc_auth_key", &token, Some(info.expires), shared.secure())
}

/// `PUT /security/activeconnections/logoutall/{userId:guid}`: only the caller's own id (no
/// admins here; another user ⇒ 403); no `response` (`count: 0`).
pub(crate) fn logout_all(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let mut st = shared.lock();
    let (idx, _) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let target = r
        .route
        .rsplit('/')
        .next()
        .and_then(|s| uuid::Uuid::parse_str(s).ok());
    if target != Some(st.user(idx).id) {
        return ACCESS_DENIED.response();
    }
    let cookie = log_out_everywhere(shared, &mut st, r, idx);
    let mut resp = r.success(None::<()>, 0);
    add_cookie(&mut resp, &cookie);
    resp
}

/// `PUT /security/activeconnections/logoutallchangepassword`: `logoutall/{self}` plus the
/// absolute password-change link.
pub(crate) fn logout_all_change_password(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let mut st = shared.lock();
    let (idx, _) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let cookie = log_out_everywhere(shared, &mut st, r, idx);
    let key = st.issue_confirm_key("PasswordChange", idx);
    let u = st.user(idx);
    let link = format!(
        "{}/confirm/PasswordChange?type=PasswordChange&key={key}&encemail={}&uid={}",
        shared.base_url,
        enc_email(&u.email),
        u.id
    );
    let mut resp = r.success(Some(link), 1);
    add_cookie(&mut resp, &cookie);
    resp
}
