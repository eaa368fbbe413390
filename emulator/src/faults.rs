//! Fault injection: the rules that make the emulator misbehave on `/api` requests (delays, error
//! statuses, HTML, broken JSON, huge bodies, redirects, dropped connections), installed through
//! [`crate::EmulatorControl::install_fault`] or `POST /emulator/faults` (whose JSON form,
//! [`Fault::from_json`], is read in `emulator_endpoints/faults.rs`). How a fault is answered on
//! the wire is in `http/inject.rs`.

use std::fmt;
use std::time::Duration;

/// Most fault rules at once.
pub const MAX_FAULTS: usize = 100;
/// Longest [`FaultKind::Delay`].
pub const MAX_DELAY: Duration = Duration::from_secs(600);
/// Largest [`FaultKind::Oversized`] body.
pub const MAX_OVERSIZED_BYTES: u64 = 1024 * 1024 * 1024;
/// Size of [`FaultKind::oversized`] bodies: 16 MiB.
pub const DEFAULT_OVERSIZED_BYTES: u64 = 16 * 1024 * 1024;
/// Where [`FaultKind::redirect`] points.
pub const DEFAULT_REDIRECT_LOCATION: &str = "http://evil.example.invalid/steal";

/// How a faulted request is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Waits (at most [`MAX_DELAY`]), then answers normally.
    Delay(Duration),
    /// Answers `status` (100..=999) with `body` (sent as `application/json`; `None` ⇒ empty) and
    /// extra `headers` (e.g. `Retry-After`).
    Status {
        /// The HTTP status.
        status: u16,
        /// The body, sent as `application/json`.
        body: Option<String>,
        /// Extra response headers (name, value); invalid ones are left out.
        headers: Vec<(String, String)>,
    },
    /// 200 with a `text/html` page (a captive portal).
    Html,
    /// 200 `application/json` with a truncated JSON body.
    MalformedJson,
    /// 200 with a chunked body (no Content-Length) `{"response":"aaa…"}` of exactly `bytes`
    /// bytes (at most [`MAX_OVERSIZED_BYTES`]), streamed.
    Oversized {
        /// Total body size.
        bytes: u64,
    },
    /// 302 to `location`.
    Redirect {
        /// The `Location` header.
        location: String,
    },
    /// Closes the connection without any response.
    Drop,
}

impl FaultKind {
    /// [`FaultKind::Status`] with no body and no extra headers.
    pub fn status(status: u16) -> FaultKind {
        FaultKind::Status {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// [`FaultKind::Oversized`] of [`DEFAULT_OVERSIZED_BYTES`].
    pub fn oversized() -> FaultKind {
        FaultKind::Oversized {
            bytes: DEFAULT_OVERSIZED_BYTES,
        }
    }

    /// [`FaultKind::Redirect`] to [`DEFAULT_REDIRECT_LOCATION`].
    pub fn redirect() -> FaultKind {
        FaultKind::Redirect {
            location: DEFAULT_REDIRECT_LOCATION.to_string(),
        }
    }

    /// The same fault with its sizes capped ([`MAX_DELAY`], [`MAX_OVERSIZED_BYTES`]).
    fn capped(self) -> FaultKind {
        match self {
            FaultKind::Delay(d) => FaultKind::Delay(d.min(MAX_DELAY)),
            FaultKind::Oversized { bytes } => FaultKind::Oversized {
                bytes: bytes.min(MAX_OVERSIZED_BYTES),
            },
            other => other,
        }
    }
}

/// A fault rule: what to do, to which requests, how many times.
///
/// ```
/// use docspace_emulator::{Fault, FaultKind};
/// let fault = Fault::new(FaultKind::status(503))
///     .on_path("/api/2.0/authentication")
///     .times(2);
/// # let _ = fault;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    path: Option<String>,
    times: u64,
}

impl Fault {
    /// `kind`, once, on the next `/api` request whatever its path.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            path: None,
            times: 1,
        }
    }

    /// Only requests whose path starts with `prefix` (e.g. `/api/2.0/authentication`); an empty
    /// prefix means every `/api` path.
    pub fn on_path(mut self, prefix: impl Into<String>) -> Fault {
        let prefix = prefix.into();
        self.path = (!prefix.is_empty()).then_some(prefix);
        self
    }

    /// For the next `n` matching requests; `0` means until the faults are cleared.
    pub fn times(mut self, n: u64) -> Fault {
        self.times = n;
        self
    }

    /// Until the faults are cleared.
    pub fn until_cleared(self) -> Fault {
        self.times(0)
    }
}

impl From<FaultKind> for Fault {
    fn from(kind: FaultKind) -> Fault {
        Fault::new(kind)
    }
}

/// Why a fault was not installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// The JSON form of a rule ([`Fault::from_json`]) does not describe one.
    Invalid(String),
    /// [`MAX_FAULTS`] rules are active already: clear them first.
    TooMany,
    /// A [`FaultKind::Status`] outside 100..=999.
    InvalidStatus(u16),
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::Invalid(why) => f.write_str(why),
            FaultError::TooMany => write!(f, "more than {MAX_FAULTS} faults; clear them first"),
            FaultError::InvalidStatus(s) => write!(f, "status {s} is not in 100..=999"),
        }
    }
}

impl std::error::Error for FaultError {}

/// One installed rule.
struct Rule {
    kind: FaultKind,
    path: Option<String>,
    /// Remaining uses; `None` = until cleared.
    remaining: Option<u64>,
}

/// The active fault rules, first installed first matched.
#[derive(Default)]
pub(crate) struct FaultRules(Vec<Rule>);

impl FaultRules {
    /// Adds a rule; returns how many are active.
    pub(crate) fn install(&mut self, fault: Fault) -> Result<usize, FaultError> {
        if let FaultKind::Status { status, .. } = fault.kind {
            if !(100..=999).contains(&status) {
                return Err(FaultError::InvalidStatus(status));
            }
        }
        if self.0.len() >= MAX_FAULTS {
            return Err(FaultError::TooMany);
        }
        self.0.push(Rule {
            kind: fault.kind.capped(),
            path: fault.path,
            remaining: (fault.times > 0).then_some(fault.times),
        });
        Ok(self.0.len())
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for a request to `path`, if a rule matches; uses one of its `times` up.
    pub(crate) fn take(&mut self, path: &str) -> Option<FaultKind> {
        let idx = self
            .0
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| path.starts_with(p)))?;
        let rule = &mut self.0[idx];
        let kind = rule.kind.clone();
        if let Some(n) = rule.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.0.remove(idx);
            }
        }
        Some(kind)
    }
}
