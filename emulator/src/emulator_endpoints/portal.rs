//! `GET /emulator/portal` (read) and `POST /emulator/portal` with a partial `portal` object (the
//! users file's form, e.g. `{"tenantStatus": 3}` or `{"sso": {"enabled": false}}`): both answer
//! `{"portal": <every setting now>}`. `POST /emulator/reset` restores the users file's.

use hyper::Response;

use super::bad_request;
use crate::http::{json_value, Body};
use crate::portal::{PortalConfig, PortalPatch};
use crate::shared::Shared;

fn portal_json(portal: &PortalConfig) -> Response<Body> {
    json_value(200, &serde_json::json!({ "portal": portal }))
}

pub(super) fn read(shared: &Shared) -> Response<Body> {
    portal_json(shared.lock().portal())
}

pub(super) fn update(shared: &Shared, body: &[u8]) -> Response<Body> {
    let text = String::from_utf8_lossy(body);
    let patch = match PortalPatch::from_json(&text) {
        Ok(p) => p,
        Err(e) => return bad_request(&e.to_string()),
    };
    let mut st = shared.lock();
    if let Err(e) = st.patch_portal(&patch) {
        return bad_request(&e.to_string());
    }
    portal_json(st.portal())
}
