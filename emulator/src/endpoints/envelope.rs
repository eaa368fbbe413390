//! The envelopes every `/api` answer comes in: success (docs/protocol.md §3.1), ProblemDetails wrapped
//! in it, and the error envelope (§3.2).

use hyper::Response;
use serde::Serialize;

use super::ApiReq;
use crate::binding::Rejected;
use crate::http::{json_value, Body};
use crate::wire::{ErrorBody, Failure, Link, Success};

/// The message of every 401 from the login endpoints.
pub(crate) const AUTH_FAILED: &str = "User authentication failed";

impl ApiReq {
    fn envelope<T: Serialize>(
        &self,
        http_status: u16,
        response: Option<T>,
        count: usize,
        status: u8,
        status_code: u16,
    ) -> Response<Body> {
        let env = Success {
            response,
            count,
            links: [Link {
                href: &self.href,
                action: self.method.as_str(),
            }],
            status,
            status_code,
        };
        json_value(http_status, &env)
    }

    /// 200 with `response` (omitted when `None`) and `count`.
    pub(crate) fn success<T: Serialize>(
        &self,
        response: Option<T>,
        count: usize,
    ) -> Response<Body> {
        self.envelope(200, response, count, 0, 200)
    }

    /// A body that could not be bound: its ProblemDetails in the success envelope (§3.1).
    pub(crate) fn rejected(&self, r: Rejected) -> Response<Body> {
        self.envelope(r.http_status, Some(r.problem), 1, r.status, r.status_code)
    }
}

/// An exception the server reports with its .NET details (§3.2).
pub(crate) struct Exception {
    pub status: u16,
    pub message: &'static str,
    /// The .NET exception type.
    pub kind: &'static str,
    /// A one-line synthetic stack frame.
    pub stack: &'static str,
    pub hresult: i64,
}

impl Exception {
    pub(crate) fn response(&self) -> Response<Body> {
        error(
            self.status,
            self.message,
            Some(self.kind),
            Some(self.stack),
            self.hresult,
        )
    }
}

/// The error envelope of §3.2.
fn error(
    status: u16,
    message: &str,
    kind: Option<&str>,
    stack: Option<&str>,
    hresult: i64,
) -> Response<Body> {
    json_value(
        status,
        &Failure {
            error: ErrorBody {
                message,
                kind,
                stack,
                hresult,
            },
            status: 1,
            status_code: status,
        },
    )
}

/// An authentication-type error: `type`/`stack` null, `hresult` 0.
pub(crate) fn auth_error(status: u16, message: &str) -> Response<Body> {
    error(status, message, None, None, 0)
}
