//! The emulator-only endpoints under `/emulator/` (JSON, camelCase), used by the Python, Kotlin
//! and Swift suites; Rust tests use the same operations as methods ([`crate::EmulatorControl`]).

mod clock;
mod counters;
mod faults;
mod portal;
mod reset;
mod sms;

use hyper::body::Incoming;
use hyper::{Method, Request, Response};

use crate::http::{empty, json_value, read_body, Body};
use crate::shared::Shared;

/// 400 `{"error": msg}`.
fn bad_request(msg: &str) -> Response<Body> {
    json_value(400, &serde_json::json!({ "error": msg }))
}

/// Answers `/emulator/{rest}`.
pub(crate) async fn route(shared: &Shared, req: Request<Incoming>, rest: &str) -> Response<Body> {
    let method = req.method().clone();
    let query = req.uri().query().unwrap_or("").to_string();
    let (_, body) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    match (method, rest) {
        (Method::GET, "sms") => sms::list(shared, &query),
        (Method::POST, "faults") => faults::install(shared, &body),
        (Method::DELETE, "faults") => faults::clear(shared),
        (Method::GET, "counters") => counters::read(shared),
        (Method::POST, "counters/reset") => counters::reset(shared),
        (Method::POST, "reset") => reset::reset(shared),
        (Method::GET, "clock") => clock::read(shared),
        (Method::POST, "clock") => clock::advance(shared, &body),
        (Method::GET, "portal") => portal::read(shared),
        (Method::POST, "portal") => portal::update(shared, &body),
        (_, "sms" | "faults" | "counters" | "counters/reset" | "reset" | "clock" | "portal") => {
            empty(405)
        }
        _ => empty(404),
    }
}
