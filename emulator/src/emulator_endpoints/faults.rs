//! `POST /emulator/faults` (install a rule) and `DELETE /emulator/faults` (clear them all), and
//! the JSON form of a rule they take ([`Fault::from_json`]).

use std::collections::BTreeMap;
use std::time::Duration;

use hyper::Response;
use serde::Deserialize;

use super::bad_request;
use crate::faults::{Fault, FaultError, FaultKind};
use crate::http::{json_value, Body};
use crate::shared::Shared;

/// `{"kind": K, "path": …, "times": …, …}` as emulator/README.md documents it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultRequest {
    kind: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    times: Option<u64>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    bytes: Option<u64>,
    #[serde(default)]
    location: Option<String>,
}

impl FaultRequest {
    /// The rule the request describes, or the 400 message.
    fn into_fault(self) -> Result<Fault, FaultError> {
        let invalid = FaultError::Invalid;
        let kind = match self.kind.as_str() {
            "delay" => FaultKind::Delay(Duration::from_millis(self.delay_ms.unwrap_or(1000))),
            "status" => {
                let Some(status) = self.status.filter(|s| (100..=999).contains(s)) else {
                    return Err(invalid(
                        "`status` (100..=999) is required for kind \"status\"".to_string(),
                    ));
                };
                FaultKind::Status {
                    status,
                    body: self.body,
                    headers: self.headers.unwrap_or_default().into_iter().collect(),
                }
            }
            "html" => FaultKind::Html,
            "malformedJson" => FaultKind::MalformedJson,
            "oversized" => match self.bytes {
                Some(bytes) => FaultKind::Oversized { bytes },
                None => FaultKind::oversized(),
            },
            "redirect" => match self.location {
                Some(location) => FaultKind::Redirect { location },
                None => FaultKind::redirect(),
            },
            "drop" => FaultKind::Drop,
            other => return Err(invalid(format!("unknown fault kind {other:?}"))),
        };
        let fault = Fault::new(kind).on_path(self.path.unwrap_or_default());
        Ok(fault.times(self.times.unwrap_or(1)))
    }
}

impl Fault {
    /// A rule in the JSON form `POST /emulator/faults` takes (emulator/README.md), e.g.
    /// `{"kind": "status", "status": 429, "headers": {"Retry-After": "7"}, "times": 2}`.
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<Fault, FaultError> {
        let request: FaultRequest = serde_json::from_slice(json.as_ref())
            .map_err(|e| FaultError::Invalid(format!("bad fault: {e}")))?;
        request.into_fault()
    }
}

/// Answers `{"faults": <active count>}`.
fn active(count: usize) -> Response<Body> {
    json_value(200, &serde_json::json!({ "faults": count }))
}

pub(super) fn install(shared: &Shared, body: &[u8]) -> Response<Body> {
    let fault = match Fault::from_json(body) {
        Ok(fault) => fault,
        Err(e) => return bad_request(&e.to_string()),
    };
    match shared.lock().faults().install(fault) {
        Ok(count) => active(count),
        Err(FaultError::TooMany) => bad_request("too many faults; DELETE /emulator/faults first"),
        Err(e) => bad_request(&e.to_string()),
    }
}

pub(super) fn clear(shared: &Shared) -> Response<Body> {
    shared.lock().faults().clear();
    active(0)
}
