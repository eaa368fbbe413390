//! Two-factor settings of the caller (docs/protocol.md §4.6, §14): `GET /settings/tfaappcodes`
//! and `PUT /settings/tfaappnewcodes`.

use hyper::Response;

use super::caller::require_user;
use super::envelope::Exception;
use super::ApiReq;
use crate::config::TfaKind;
use crate::http::Body;
use crate::shared::Shared;
use crate::state::BackupCode;
use crate::wire;

/// App 2FA off for the user, or not enrolled.
const NOT_AVAILABLE: Exception = Exception {
    status: 403,
    message: "TFA application settings are not available",
    kind: "System.InvalidOperationException",
    stack: "   at ASC.Web.Api.Controllers.Settings.TfaappController.TfaAppGetCodesAsync()",
    hresult: -2146233079,
};

/// The same refusal from `tfaappnewcodes`.
const NEW_CODES_NOT_AVAILABLE: Exception = Exception {
    stack: "   at ASC.Web.Api.Controllers.Settings.TfaappController.TfaAppRequestNewCodesAsync()",
    ..NOT_AVAILABLE
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
    codes_answer(r, &u.backup_codes)
}

fn codes_answer(r: &ApiReq, codes: &[BackupCode]) -> Response<Body> {
    let codes: Vec<wire::BackupCodeDto> = codes
        .iter()
        .map(|c| wire::BackupCodeDto {
            is_used: c.used,
            code: c.code.clone(),
        })
        .collect();
    let n = codes.len();
    r.success(Some(codes), n)
}

/// `PUT /settings/tfaappnewcodes` (§14): a new set of 5 unused codes replaces all the old ones
/// (which stop working at once); the caller must be enrolled (the portal switch, here the user's
/// `tfa`, is not checked). A body is ignored.
pub(crate) fn new_backup_codes(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let mut st = shared.lock();
    let (idx, _) = match require_user(&st, r) {
        Ok(who) => who,
        Err(resp) => return *resp,
    };
    if !st.user(idx).enrolled {
        return NEW_CODES_NOT_AVAILABLE.response();
    }
    let codes = st.regenerate_backup_codes(idx);
    codes_answer(r, &codes)
}
