//! Before logging in: [`Auth::portal_info`], the anonymous probe of docs/protocol.md §10.4, and
//! the password hash parameters a hashed login needs (§11), read once per client.

use super::{mapping, Auth, Unauthenticated};
use crate::http::{Http, On401, Request};
use crate::portal::{PasswordHashParams, PortalInfo};
use crate::wire::SettingsDto;
use crate::Error;

impl Auth<Unauthenticated> {
    /// What a login screen needs to know about the portal: whether it is DocSpace at all, its
    /// state, SSO, LDAP, social providers, the password hash parameters and the captcha
    /// (`GET /api/2.0/settings`, then `GET /api/2.0/capabilities`, anonymous).
    ///
    /// [`Error::NotADocSpacePortal`] when the address answers with anything but DocSpace's
    /// settings (an HTML page, a 404, a redirect, ONLYOFFICE Workspace, which wants a login);
    /// transport errors, 429 and 5xx as usual.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), docspace_auth::Error> {
    /// use docspace_auth::{Auth, Error};
    /// match Auth::new("https://portal.example.com")?.portal_info().await {
    ///     Ok(portal) if !portal.tenant_status.accepts_logins() => println!("portal not available"),
    ///     Ok(portal) => println!("DocSpace {}, SSO: {:?}", portal.version, portal.sso),
    ///     Err(Error::NotADocSpacePortal { detail }) => println!("check the address: {detail}"),
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn portal_info(&self) -> Result<PortalInfo, Error> {
        let settings = settings(&self.http).await?;
        if let Some(params) = mapping::hash_params(&settings) {
            let _ = self.http.hash_params.set(params);
        }
        let capabilities = match self
            .http
            .call(Request::get(&["capabilities"], On401::TokenInvalid))
            .await
        {
            Ok(body) => Some(mapping::required(&body)?),
            // A suspended portal hides them (404), one in maintenance too (403, §17).
            Err(Error::NotFound | Error::PortalUnavailable) if settings.tenant_status != 0 => None,
            Err(error) => return Err(mapping::not_a_portal(error)),
        };
        Ok(mapping::portal_info(settings, capabilities))
    }
}

/// The anonymous settings (§10.2), checked to be DocSpace's.
async fn settings(http: &Http) -> Result<SettingsDto, Error> {
    let body = http
        .call(Request::get(&["settings"], On401::TokenInvalid))
        .await
        .map_err(mapping::not_a_portal)?;
    mapping::settings(&body)
}

/// The portal's password hash parameters, read on first use and kept by the client.
pub(super) async fn hash_params(http: &Http) -> Result<PasswordHashParams, Error> {
    if let Some(params) = http.hash_params.get() {
        return Ok(params.clone());
    }
    let settings = settings(http).await?;
    let params = mapping::hash_params(&settings).ok_or_else(|| {
        Error::unexpected("the portal's settings have no password hash parameters")
    })?;
    Ok(http.hash_params.get_or_init(|| params).clone())
}
