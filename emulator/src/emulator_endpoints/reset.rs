//! `POST /emulator/reset`: back to the users file's initial state.

use hyper::Response;

use crate::http::{json_value, Body};
use crate::shared::Shared;

pub(super) fn reset(shared: &Shared) -> Response<Body> {
    shared.lock().reset();
    json_value(200, &serde_json::json!({ "reset": true }))
}
