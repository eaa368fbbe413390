//! `GET /emulator/clock` (read) and `POST /emulator/clock` with `{"advanceSecs": N}` (move it
//! forward): both answer `{"offsetSecs", "now", "unixSecs"}`.

use std::time::Duration;

use hyper::Response;
use serde::Deserialize;

use super::bad_request;
use crate::http::{json_value, Body};
use crate::shared::Shared;
use crate::state::State;
use crate::wire;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    advance_secs: u64,
}

fn clock_json(st: &State) -> Response<Body> {
    let now = st.now();
    json_value(
        200,
        &serde_json::json!({
            "offsetSecs": st.clock_offset().as_secs(),
            "now": wire::rfc3339(now),
            "unixSecs": now.as_secs(),
        }),
    )
}

pub(super) fn read(shared: &Shared) -> Response<Body> {
    clock_json(&shared.lock())
}

pub(super) fn advance(shared: &Shared, body: &[u8]) -> Response<Body> {
    let request: ClockRequest = match serde_json::from_slice(body) {
        Ok(c) => c,
        Err(e) => return bad_request(&format!("bad clock request: {e}")),
    };
    let mut st = shared.lock();
    st.advance_clock(Duration::from_secs(request.advance_secs));
    clock_json(&st)
}
