//! Two-factor settings of the caller (docs/protocol.md §4.6, §14): `GET /settings/tfaappcodes`.

use hyper::Response;

use super::caller::require_user;
use super::envelope::Exception;
use super::ApiReq;
use crate::config::TfaKind;
use crate::http::Body;
use crate::shared::Shared;
use crate::wire;

/// App 2FA off for the user, or not enrolled.
const NOT_AVAILABLE: Exception = Exception {
    status: 403,
    message: "TFA application settings are not available",
    kind: "System.InvalidOperationException",
    stack: "   at ASC.Web.Api.Controllers.Settings.TfaappController.TfaAppGetCodesAsync()",
    hresult: -2146233079,
};

/// `GET /settings/tfaappcodes`: the backup codes and whether each is used.
pub(crate) fn backup_codes(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let (idx, _) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    let u = st.user(idx);
    if u.tfa != TfaKind::App || !u.enrolled {
        return NOT_AVAILABLE.response();
    }
    let codes: Vec<wire::BackupCodeDto> = u
        .backup_codes
        .iter()
        .map(|c| wire::BackupCodeDto {
            is_used: c.used,
            code: c.code.clone(),
        })
        .collect();
    let n = codes.len();
    r.success(Some(codes), n)
}
