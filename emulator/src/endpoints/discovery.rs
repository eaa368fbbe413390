//! Portal discovery (docs/protocol.md §10, §17): `GET /capabilities` (and `capabilities.json`),
//! `GET /settings`, `GET /settings/version/build` and `GET /settings/ssov2`, all anonymous. The
//! emulator is a standalone server (`standalone: true`, OAuth on, no social providers).

use hyper::Response;

use super::caller::authenticate;
use super::ApiReq;
use crate::http::Body;
use crate::shared::Shared;
use crate::wire::{BuildVersionDto, CapabilitiesDto, PasswordHashDto, SettingsDto};

/// `version:number` (the repository default).
const VERSION: &str = "3.1.0";

/// `GET /capabilities` (§10.1): the same body for every caller.
pub(crate) fn capabilities(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let portal = shared.lock().portal().clone();
    let sso = portal.sso.enabled;
    let dto = CapabilitiesDto {
        ldap_enabled: portal.ldap_enabled,
        providers: Vec::new(),
        sso_label: if sso { portal.sso.label } else { String::new() },
        oauth_enabled: true,
        // `GetFullAbsolutePath("/sso/login")` from the request's Host.
        sso_url: if sso {
            format!("{}/sso/login", r.origin)
        } else {
            String::new()
        },
        identity_server_enabled: true,
    };
    r.success(Some(dto), 1)
}

/// `GET /settings[?withpassword=true]` (§10.2): anonymous callers (no credential accepted, an
/// invalid one included) get the captcha and hashing fields; authenticated ones get
/// `recaptchaType: 0`, no `recaptchaPublicKey`, and `passwordHash` only with `withpassword=true`.
pub(crate) fn settings(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let caller = authenticate(&st, r);
    let portal = st.portal().clone();
    drop(st);
    let anonymous = caller.who.is_none();
    let with_password = r
        .query_param("withpassword")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let host = r
        .origin
        .split_once("://")
        .map(|(_, h)| h)
        .unwrap_or_default();
    let host_name = host.rsplit_once(':').map_or(host, |(h, _)| h).to_string();
    let p = &portal.password_hash;
    let dto = SettingsDto {
        doc_space: true,
        version: VERSION,
        standalone: true,
        tenant_status: portal.tenant_status,
        tenant_alias: "localhost".to_string(),
        base_domain: host_name,
        culture: "en-US",
        password_hash: (anonymous || with_password).then(|| PasswordHashDto {
            size: p.size,
            iterations: p.iterations,
            salt: p.salt.clone(),
        }),
        recaptcha_type: if anonymous && portal.recaptcha.kind == 3 {
            3
        } else {
            0
        },
        recaptcha_public_key: if anonymous {
            portal.recaptcha.public_key.clone()
        } else {
            None
        },
        thirdparty_enable: anonymous.then_some(false),
        enabled_join: anonymous.then_some(false),
    };
    caller.finish(r.success(Some(dto), 1))
}

/// `GET /settings/version/build` (§17).
pub(crate) fn version_build(_: &Shared, r: &ApiReq) -> Response<Body> {
    r.success(Some(BuildVersionDto { doc_space: VERSION }), 1)
}

/// `GET /settings/ssov2` (§17): a default `SsoSettingsV2`; only `hideAuthPage` (false) means
/// anything to a client.
pub(crate) fn ssov2(_: &Shared, r: &ApiReq) -> Response<Body> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct SsoSettingsV2 {
        enable_sso: bool,
        sp_login_label: &'static str,
        hide_auth_page: bool,
        users_type: u8,
        disable_email_verification: bool,
    }
    let dto = SsoSettingsV2 {
        enable_sso: false,
        sp_login_label: "Single Sign-on",
        hide_auth_page: false,
        users_type: 2,
        disable_email_verification: false,
    };
    r.success(Some(dto), 1)
}
