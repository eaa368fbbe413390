//! `GET /emulator/counters` and `POST /emulator/counters/reset`: `/api` traffic.

use hyper::Response;

use crate::http::{json_value, Body};
use crate::shared::Shared;
use crate::state::Counters;

/// `{"connections": N, "requests": M}`.
fn counters_json(c: Counters) -> Response<Body> {
    json_value(
        200,
        &serde_json::json!({ "connections": c.connections, "requests": c.requests }),
    )
}

pub(super) fn read(shared: &Shared) -> Response<Body> {
    counters_json(shared.lock().counters())
}

pub(super) fn reset(shared: &Shared) -> Response<Body> {
    let mut st = shared.lock();
    st.reset_counters();
    counters_json(st.counters())
}
