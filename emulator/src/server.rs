//! HTTP server: accept loop, routing, the DocSpace endpoints and the emulator-only endpoints.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::config::{EmulatorConfig, TfaKind};
use crate::state::{
    phone_noise, Credentials, Fault, FaultKind, LoginCheck, SendSms, State, User, MAX_FAULTS,
};
use crate::wire::{self, AuthTokenDto, Failure, Link, ProblemDetails, Success, MIN_DATE};

pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// Most connections served at once.
const MAX_CONNECTIONS: usize = 1024;
const JSON: &str = "application/json; charset=utf-8";
const AUTH_FAILED: &str = "User authentication failed";

pub(crate) struct Shared {
    pub cfg: EmulatorConfig,
    pub initial: Vec<User>,
    pub state: Mutex<State>,
    pub base_url: String,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the portal is served over TLS (cookies then get `Secure`).
    fn secure(&self) -> bool {
        self.base_url.starts_with("https:")
    }
}

struct Conn {
    peer: SocketAddr,
    /// Counter epoch in which this connection was last counted (`u64::MAX`: never).
    counted_epoch: AtomicU64,
}

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(_) => {
                        // e.g. too many open files: back off briefly.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let tls = tls.clone();
                conns.spawn(async move {
                    let _permit = permit;
                    let conn = Arc::new(Conn { peer, counted_epoch: AtomicU64::new(u64::MAX) });
                    let service = hyper::service::service_fn(move |req| {
                        handle(shared.clone(), conn.clone(), req)
                    });
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
                        .max_buf_size(64 * 1024);
                    match tls {
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(stream),
                            )
                            .await;
                            if let Ok(Ok(tls_stream)) = handshake {
                                let _ = builder
                                    .serve_connection(TokioIo::new(tls_stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into()).boxed()
}

fn response(status: u16, content_type: Option<&str>, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        if let Ok(v) = HeaderValue::from_str(ct) {
            resp.headers_mut().insert(CONTENT_TYPE, v);
        }
    }
    resp
}

fn empty(status: u16) -> Response<Body> {
    response(status, None, Bytes::new())
}

fn json_value<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => response(status, Some(JSON), body),
        Err(_) => empty(500),
    }
}

fn add_cookie(resp: &mut Response<Body>, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(hyper::header::SET_COOKIE, v);
    }
}

/// What an API handler needs from the request.
struct ApiReq {
    method: Method,
    href: String,
    headers: HeaderMap,
    body: Bytes,
    peer: IpAddr,
}

impl ApiReq {
    fn success<T: Serialize>(&self, response: Option<T>, count: usize) -> Response<Body> {
        let env = Success {
            response,
            count,
            links: [Link {
                href: &self.href,
                action: self.method.as_str(),
            }],
            status: 0,
            status_code: 200,
        };
        json_value(200, &env)
    }

    /// A ProblemDetails wrapped in the success envelope: HTTP `http_status`, envelope
    /// `status`/`statusCode` as given (§3.1).
    fn problem(
        &self,
        http_status: u16,
        status: u8,
        status_code: u16,
        problem: ProblemDetails,
    ) -> Response<Body> {
        let env = Success {
            response: Some(problem),
            count: 1,
            links: [Link {
                href: &self.href,
                action: self.method.as_str(),
            }],
            status,
            status_code,
        };
        json_value(http_status, &env)
    }

    /// The first cookie called `name`, even when its value is empty (`Request.Cookies[name]`).
    fn raw_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
            .find(|v| !v.is_empty())
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
            error: wire::ErrorBody {
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
fn auth_error(status: u16, message: &str) -> Response<Body> {
    error(status, message, None, None, 0)
}

const STACK_AUTH: &str =
    "   at ASC.Web.Api.Controllers.AuthenticationController.GetUserAsync(AuthRequestsDto inDto)";
const STACK_SMS: &str =
    "   at ASC.Web.Core.Sms.SmsManager.PutAuthCodeAsync(UserInfo user, Boolean again)";
const STACK_TFA: &str =
    "   at ASC.Web.Api.Controllers.Settings.TfaappController.TfaAppGetCodesAsync()";

fn login_error(check: &LoginCheck) -> Response<Body> {
    match check {
        LoginCheck::Ok(_) | LoginCheck::Failed => auth_error(401, AUTH_FAILED),
        LoginCheck::Locked => auth_error(403, "Too many login attempts. Please try again later"),
        LoginCheck::BadCaptcha => auth_error(403, "Invalid Recaptcha"),
        LoginCheck::Disabled => error(
            403,
            "User disabled",
            Some("System.InvalidOperationException"),
            Some(STACK_AUTH),
            -2146233079,
        ),
        LoginCheck::NotFound => auth_error(404, "The user could not be found"),
    }
}

fn trace_id() -> String {
    let mut rng = rand::rng();
    format!(
        "00-{:032x}-{:016x}-00",
        rng.random::<u128>(),
        rng.random::<u64>()
    )
}

// ---------------------------------------------------------------------------------------------
// Dispatch

async fn handle(
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let path = req.uri().path().to_string();
    let lower = path.to_ascii_lowercase();
    if lower == "/api" || lower.starts_with("/api/") {
        let fault = {
            let mut st = shared.lock();
            st.requests = st.requests.saturating_add(1);
            let epoch = st.counter_epoch;
            if conn.counted_epoch.swap(epoch, Ordering::Relaxed) != epoch {
                st.connections = st.connections.saturating_add(1);
            }
            st.take_fault(&path)
        };
        if let Some(kind) = fault {
            if let Some(resp) = apply_fault(kind).await? {
                return Ok(resp);
            }
        }
        return Ok(api(&shared, &conn, req, &path).await);
    }
    if let Some(rest) = path.strip_prefix("/emulator/") {
        return Ok(emulator_endpoint(&shared, req, rest).await);
    }
    Ok(empty(404))
}

/// Runs a fault: `Ok(None)` means "go on and answer normally" (after a delay).
async fn apply_fault(kind: FaultKind) -> Result<Option<Response<Body>>, DropConnection> {
    Ok(Some(match kind {
        FaultKind::Delay(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            return Ok(None);
        }
        FaultKind::Drop => return Err(DropConnection),
        FaultKind::Status {
            status,
            body,
            headers,
        } => {
            let mut resp = match body {
                Some(b) => response(status, Some(JSON), b),
                None => empty(status),
            };
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    hyper::header::HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(&v),
                ) {
                    resp.headers_mut().append(k, v);
                }
            }
            resp
        }
        FaultKind::Html => response(
            200,
            Some("text/html; charset=utf-8"),
            "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\
             <body><h1>Captive portal</h1><form method=\"post\"><input name=\"user\"></form></body></html>\n",
        ),
        FaultKind::MalformedJson => response(
            200,
            Some(JSON),
            "{\"response\":{\"token\":\"abc\",\"expires\":\"0001-01-01T00:00:00\",\"sms\":false,",
        ),
        FaultKind::Oversized(bytes) => {
            let mut resp = Response::new(BodyExt::boxed(Oversized::new(bytes)));
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
            resp
        }
        FaultKind::Redirect(location) => {
            let mut resp = empty(302);
            if let Ok(v) = HeaderValue::from_str(&location) {
                resp.headers_mut().insert(hyper::header::LOCATION, v);
            }
            resp
        }
    }))
}

/// A streamed JSON body of exactly `total` bytes: `{"response":"aaa…"}`.
struct Oversized {
    prefix_sent: bool,
    remaining_fill: u64,
    suffix_sent: bool,
}

static FILL: [u8; 64 * 1024] = [b'a'; 64 * 1024];
const OVERSIZED_PREFIX: &[u8] = b"{\"response\":\"";
const OVERSIZED_SUFFIX: &[u8] = b"\"}";

impl Oversized {
    fn new(total: u64) -> Self {
        let overhead = (OVERSIZED_PREFIX.len() + OVERSIZED_SUFFIX.len()) as u64;
        Oversized {
            prefix_sent: false,
            remaining_fill: total.saturating_sub(overhead),
            suffix_sent: false,
        }
    }
}

impl hyper::body::Body for Oversized {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if !this.prefix_sent {
            this.prefix_sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(OVERSIZED_PREFIX)))));
        }
        if this.remaining_fill > 0 {
            let n = this.remaining_fill.min(FILL.len() as u64) as usize;
            this.remaining_fill -= n as u64;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&FILL[..n])))));
        }
        if !this.suffix_sent {
            this.suffix_sent = true;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(OVERSIZED_SUFFIX)))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix_sent && self.remaining_fill == 0 && self.suffix_sent
    }
}

/// Reads the body with the cap; `Err` is the response to send instead.
async fn read_body(
    req: Request<Incoming>,
    max: usize,
) -> Result<(hyper::http::request::Parts, Bytes), Response<Body>> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(empty(413));
    }
    let (parts, body) = req.into_parts();
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok((parts, collected.to_bytes())),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(empty(413))
            } else {
                Err(empty(400))
            }
        }
    }
}

/// Percent-decodes a request path as Kestrel does: every `%XX` but `%2F`; a path whose decoded
/// bytes are not UTF-8 is left as it came.
fn decode_path(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' {
            if let Some(&[h, l]) = bytes.get(i + 1..i + 3) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    let b = u8::try_from(h * 16 + l).unwrap_or(b'%');
                    if b == b'/' {
                        out.extend_from_slice(&bytes[i..i + 3]);
                    } else {
                        out.push(b);
                    }
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| raw.to_string())
}

async fn api(shared: &Shared, conn: &Conn, req: Request<Incoming>, path: &str) -> Response<Body> {
    let scheme = if shared.secure() { "https" } else { "http" };
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_else(|| {
            shared
                .base_url
                .split_once("://")
                .map(|(_, h)| h.to_string())
                .unwrap_or_default()
        });
    // Kestrel decodes the path (all but `%2F`) before routing; `GetDisplayUrl` shows it decoded.
    let decoded = decode_path(path);
    let path = decoded.as_str();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let href = format!("{scheme}://{host}{path}{query}");
    let method = req.method().clone();
    let (parts, body) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let r = ApiReq {
        method,
        href,
        headers: parts.headers,
        body,
        peer: conn.peer.ip(),
    };

    // ASP.NET Core routing is case-insensitive.
    let lower = path.to_ascii_lowercase();
    let Some(route) = lower.strip_prefix("/api/2.0/") else {
        return empty(404);
    };
    let original_tail = &path["/api/2.0/".len()..];
    match route {
        "authentication" | "authentication/" => match r.method {
            Method::GET => is_authenticated(shared, &r),
            Method::POST => login_step1(shared, &r),
            _ => empty(405),
        },
        "authentication/logout" => match r.method {
            Method::POST => logout(shared, &r),
            _ => empty(405),
        },
        "authentication/sendsms" => match r.method {
            Method::POST => send_sms(shared, &r),
            _ => empty(405),
        },
        // Real endpoints the emulator does not implement (literal routes win over `{code}`).
        "authentication/confirm" | "authentication/setphone" => empty(404),
        "people/@self" => match r.method {
            Method::GET => people_self(shared, &r),
            _ => empty(405),
        },
        "settings/tfaappcodes" => match r.method {
            Method::GET => backup_codes(shared, &r),
            _ => empty(405),
        },
        _ => {
            let code_segment = original_tail.strip_prefix("authentication/").or_else(|| {
                route
                    .strip_prefix("authentication/")
                    .map(|_| &original_tail["authentication/".len()..])
            });
            match code_segment {
                Some(seg) if !seg.is_empty() && !seg.contains('/') => match r.method {
                    Method::POST => login_with_code(shared, &r),
                    _ => empty(405),
                },
                _ => empty(404),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request DTO (case-insensitive names, unknown fields ignored, System.Text.Json type rules)

#[derive(Default)]
struct AuthDto {
    user_name: Option<String>,
    password: Option<String>,
    password_hash: Option<String>,
    provider: Option<String>,
    serialized_profile: Option<String>,
    session: bool,
    confirm_data: bool,
    recaptcha_response: Option<String>,
    code: Option<String>,
}

impl AuthDto {
    fn credentials(&self) -> Credentials {
        Credentials {
            user_name: self.user_name.clone(),
            password: self.password.clone(),
            password_hash: self.password_hash.clone(),
            provider: self.provider.clone(),
            serialized_profile: self.serialized_profile.clone(),
            confirm_data: self.confirm_data,
            recaptcha_response: self.recaptcha_response.clone(),
        }
    }
}

fn validation_problem(errors: Vec<(&str, String)>) -> ProblemDetails {
    let mut map = serde_json::Map::new();
    for (k, v) in errors {
        map.insert(k.to_string(), Value::Array(vec![Value::String(v)]));
    }
    ProblemDetails {
        kind: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        title: "One or more validation errors occurred.",
        status: 400,
        errors: Some(map),
        trace_id: trace_id(),
    }
}

const DTO_REQUIRED: &str = "The inDto field is required.";

/// Binds `AuthRequestsDto` (or `AuthWithCodeRequestsDto` when `with_code`) from the body.
fn parse_auth_dto(r: &ApiReq, with_code: bool) -> Result<AuthDto, Box<Response<Body>>> {
    let media = r
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let is_json = media == "application/json"
        || media == "text/json"
        || (media.starts_with("application/") && media.ends_with("+json"));
    // The body binder selects an input formatter by content type before reading the body.
    if !is_json {
        // `UnsupportedMediaTypeResult` becomes a plain ProblemDetails (not a validation one),
        // so the envelope keeps `status:0` and the response status code at wrapping time, 200.
        return Err(Box::new(r.problem(
            415,
            0,
            200,
            ProblemDetails {
                kind: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
                title: "Unsupported Media Type",
                status: 415,
                errors: None,
                trace_id: trace_id(),
            },
        )));
    }
    if r.body.is_empty() {
        return Err(Box::new(r.problem(
            400,
            1,
            400,
            validation_problem(vec![
                ("", "A non-empty request body is required.".to_string()),
                ("inDto", DTO_REQUIRED.to_string()),
            ]),
        )));
    }
    let bad = |path: String, msg: String| {
        Box::new(r.problem(
            400,
            1,
            400,
            validation_problem(vec![
                (path.as_str(), msg),
                ("inDto", DTO_REQUIRED.to_string()),
            ]),
        ))
    };
    let value: Value = serde_json::from_slice(&r.body).map_err(|e| {
        bad(
            "$".to_string(),
            format!("The request body is not valid JSON: {e}. Path: $"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(bad(
            "$".to_string(),
            "The JSON value could not be converted to AuthRequestsDto. Path: $".to_string(),
        ));
    };
    let mut dto = AuthDto::default();
    for (key, v) in &map {
        let k = key.to_ascii_lowercase();
        let string_field = |v: &Value| -> Result<Option<String>, Box<Response<Body>>> {
            match v {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(bad(
                    format!("$.{key}"),
                    format!(
                        "The JSON value could not be converted to System.String. Path: $.{key}"
                    ),
                )),
            }
        };
        match k.as_str() {
            "username" => dto.user_name = string_field(v)?,
            "password" => dto.password = string_field(v)?,
            "passwordhash" => dto.password_hash = string_field(v)?,
            "provider" => dto.provider = string_field(v)?,
            "recaptcharesponse" => dto.recaptcha_response = string_field(v)?,
            "code" if with_code => dto.code = string_field(v)?,
            "serializedprofile" => dto.serialized_profile = string_field(v)?,
            "accesstoken" | "codeoauth" | "culture" => {
                string_field(v)?;
            }
            "session" => match v {
                Value::Bool(b) => dto.session = *b,
                _ => {
                    return Err(bad(
                        format!("$.{key}"),
                        format!("The JSON value could not be converted to System.Boolean. Path: $.{key}"),
                    ))
                }
            },
            "recaptchatype" => match v {
                Value::Null => {}
                Value::Number(n) if n.is_i64() => {}
                _ => {
                    return Err(bad(
                        format!("$.{key}"),
                        format!("The JSON value could not be converted to ASC.Web.Core.RecaptchaType. Path: $.{key}"),
                    ))
                }
            },
            "confirmdata" => match v {
                Value::Null => dto.confirm_data = false,
                Value::Object(_) => dto.confirm_data = true,
                _ => {
                    return Err(bad(
                        format!("$.{key}"),
                        format!("The JSON value could not be converted to ASC.Web.Api.Models.ConfirmData. Path: $.{key}"),
                    ))
                }
            },
            _ => {}
        }
    }
    Ok(dto)
}

// ---------------------------------------------------------------------------------------------
// DocSpace endpoints

fn confirm_key(now: Duration) -> String {
    // `<ms since 2010-01-01>.<UPPERCASE hash>`
    let ms = now.as_millis().saturating_sub(1_262_304_000_000);
    let hash: [u8; 16] = rand::rng().random();
    let hex: String = hash.iter().map(|b| format!("{b:02X}")).collect();
    format!("{ms}.{hex}")
}

fn enc_email(email: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(email.as_bytes())
}

fn token_body(token: String, expires: Duration, session: bool) -> AuthTokenDto {
    AuthTokenDto {
        token: Some(token),
        expires: if session {
            MIN_DATE.to_string()
        } else {
            wire::dotnet_utc(expires)
        },
        ..Default::default()
    }
}

/// The start of every endpoint that takes credentials (step 1, the code endpoint, `sendsms`):
/// the DTO, then the password and brute-force check (§3.3, §3.4). On success, the locked state
/// and the user's index.
fn check_credentials<'a>(
    shared: &'a Shared,
    r: &ApiReq,
    with_code: bool,
) -> Result<(AuthDto, MutexGuard<'a, State>, usize), Box<Response<Body>>> {
    let dto = parse_auth_dto(r, with_code)?;
    let mut st = shared.lock();
    match st.check_login(&shared.cfg, &dto.credentials(), r.peer) {
        LoginCheck::Ok(idx) => Ok((dto, st, idx)),
        check => Err(Box::new(login_error(&check))),
    }
}

/// The body of an "SMS code sent" answer (§2.1 d, `sendsms`): expires when the code does.
fn sms_sent_body(now: Duration, cfg: &EmulatorConfig, phone: &str) -> AuthTokenDto {
    AuthTokenDto {
        expires: wire::dotnet_utc(now.saturating_add(cfg.sms_validity)),
        sms: true,
        phone_noise: Some(phone_noise(phone)),
        ..Default::default()
    }
}

/// Adds `Set-Cookie: asc_auth_key=<token>` (§6.2); `expires: None` makes it a session cookie.
fn add_auth_cookie(
    resp: &mut Response<Body>,
    token: &str,
    expires: Option<Duration>,
    secure: bool,
) {
    add_cookie(
        resp,
        &wire::set_cookie("asc_auth_key", token, expires, secure),
    );
}

fn login_step1(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (dto, mut st, idx) = match check_credentials(shared, r, false) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    let secure = shared.secure();
    let now = st.now();
    let user = st.users[idx].clone();
    match user.tfa {
        TfaKind::Sms => {
            let key = confirm_key(now);
            let enc = enc_email(&user.email);
            let Some(phone) = user.phone.clone() else {
                let body = AuthTokenDto {
                    expires: MIN_DATE.to_string(),
                    sms: true,
                    confirm_url: Some(format!(
                        "{}/confirm/PhoneActivation?type=PhoneActivation&key={key}&encemail={enc}",
                        shared.base_url
                    )),
                    ..Default::default()
                };
                return r.success(Some(body), 1);
            };
            if let SendSms::TooMany = st.send_sms(cfg, idx, false) {
                return too_many_sms();
            }
            let body = AuthTokenDto {
                confirm_url: Some(format!(
                    "{}/confirm/PhoneAuth?type=PhoneAuth&key={key}&encemail={enc}",
                    shared.base_url
                )),
                ..sms_sent_body(now, cfg, &phone)
            };
            r.success(Some(body), 1)
        }
        TfaKind::App => {
            let kind = if user.enrolled {
                "TfaAuth"
            } else {
                "TfaActivation"
            };
            let body = AuthTokenDto {
                expires: MIN_DATE.to_string(),
                tfa: true,
                tfa_key: (!user.enrolled).then(|| crate::state::encode_base32(&user.secret)),
                confirm_url: Some(format!(
                    "{}/confirm/{kind}?type={kind}&uid={}",
                    shared.base_url, user.id
                )),
                ..Default::default()
            };
            let mut resp = r.success(Some(body), 1);
            add_cookie(
                &mut resp,
                &wire::set_cookie(
                    &format!("asc_confirm_key_{kind}"),
                    &confirm_key(now),
                    None,
                    secure,
                ),
            );
            resp
        }
        TfaKind::None => {
            let (token, info) = st.issue_token(cfg, idx);
            let body = token_body(token.clone(), info.expires, dto.session);
            let mut resp = r.success(Some(body), 1);
            add_auth_cookie(
                &mut resp,
                &token,
                (!dto.session).then_some(info.expires),
                secure,
            );
            resp
        }
    }
}

fn too_many_sms() -> Response<Body> {
    error(
        500,
        "You have sent too many text messages. Please try again later.",
        Some("System.Exception"),
        Some(STACK_SMS),
        -2146233088,
    )
}

fn login_with_code(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (dto, mut st, idx) = match check_credentials(shared, r, true) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    let secure = shared.secure();
    let code = dto.code.as_deref().unwrap_or("").trim().to_string();
    let user = st.users[idx].clone();
    let ok = match user.tfa {
        TfaKind::Sms => st.check_sms_code(cfg, idx, &code),
        TfaKind::App => st.check_app_code(cfg, idx, &code),
        TfaKind::None => false, // "Auth code is not available"
    };
    if !ok {
        return auth_error(401, AUTH_FAILED);
    }
    let (token, info) = st.issue_token(cfg, idx);
    let mut body = token_body(token.clone(), info.expires, dto.session);
    match user.tfa {
        TfaKind::Sms => {
            body.sms = true;
            body.phone_noise = user.phone.as_deref().map(phone_noise);
        }
        _ => body.tfa = true,
    }
    let mut resp = r.success(Some(body), 1);
    // §4.2: for an already-enrolled app user the cookie is persistent whatever `session` says.
    let persistent = !dto.session || (user.tfa == TfaKind::App && user.enrolled);
    add_auth_cookie(
        &mut resp,
        &token,
        persistent.then_some(info.expires),
        secure,
    );
    resp
}

fn send_sms(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let (_, mut st, idx) = match check_credentials(shared, r, false) {
        Ok(checked) => checked,
        Err(resp) => return *resp,
    };
    let cfg = &shared.cfg;
    let user = st.users[idx].clone();
    if user.tfa != TfaKind::Sms {
        return error(
            500,
            "Attempt to access the method failed.",
            Some("System.MethodAccessException"),
            Some(STACK_SMS),
            -2146233072,
        );
    }
    let Some(phone) = user.phone else {
        // `SmsKeyStorage.GenerateKeyAsync("")`: `ArgumentException.ThrowIfNullOrEmpty(phone)`.
        return error(
            400,
            "The value cannot be an empty string. (Parameter 'phone')",
            Some("System.ArgumentException"),
            Some("   at ASC.Web.Core.Sms.SmsKeyStorage.GenerateKeyAsync(String phone)"),
            -2147024809,
        );
    };
    if let SendSms::TooMany = st.send_sms(cfg, idx, true) {
        return too_many_sms();
    }
    let body = sms_sent_body(st.now(), cfg, &phone);
    r.success(Some(body), 1)
}

/// Outcome of authenticating a request (§6.1).
struct Auth {
    /// `(user index, login event id from the cookie)`.
    who: Option<(usize, u64)>,
    /// The cookie handler failed on a request that carried `asc_auth_key`: the server deletes it.
    clear_cookie: bool,
}

impl Auth {
    fn finish(&self, mut resp: Response<Body>) -> Response<Body> {
        if self.clear_cookie {
            add_cookie(&mut resp, &wire::delete_cookie("asc_auth_key"));
        }
        resp
    }
}

/// Who the request is authenticated as (§6.1).
fn authenticate(st: &State, r: &ApiReq) -> Auth {
    let authz = r
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let other = |who| Auth {
        who,
        clear_cookie: false,
    };
    if let Some(basic) = authz.strip_prefix("Basic ") {
        return other(basic_auth(st, basic));
    }
    if let Some(bearer) = authz.strip_prefix("Bearer ") {
        let bearer = bearer.trim();
        if bearer.starts_with("sk-") || bearer.split('.').count() == 3 {
            // API-key and JWT handlers: the emulator issues neither.
            return other(None);
        }
    }
    // The cookie handler: `Cookies["asc_auth_key"] ?? Authorization` (a present, empty cookie wins).
    let cookie = r.raw_cookie("asc_auth_key");
    let who = match &cookie {
        Some(c) if c.is_empty() => None,
        Some(c) => st
            .validate_token(c)
            .map(|(_, info)| (info.user, info.event_id)),
        None if authz.trim().is_empty() => None,
        None => {
            let raw = authz.trim();
            let raw = raw.strip_prefix("Bearer ").unwrap_or(raw);
            st.validate_token(raw.trim())
                .map(|(_, info)| (info.user, 0))
        }
    };
    Auth {
        clear_cookie: who.is_none() && cookie.is_some(),
        who,
    }
}

/// HTTP Basic (`BasicAuthHandler`): e-mail and password, no 2FA, no brute-force check.
fn basic_auth(st: &State, basic: &str) -> Option<(usize, u64)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    let idx = st
        .users
        .iter()
        .position(|u| u.email.eq_ignore_ascii_case(login.trim()))?;
    let u = &st.users[idx];
    (u.password == password.trim() && !u.disabled).then_some((idx, 0))
}

fn is_authenticated(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let auth = authenticate(&shared.lock(), r);
    auth.finish(r.success(Some(auth.who.is_some()), 1))
}

fn logout(shared: &Shared, r: &ApiReq) -> Response<Body> {
    {
        let mut st = shared.lock();
        // Only the token that arrives as the `asc_auth_key` cookie is revoked (§5).
        if let Some(cookie) = r.cookie("asc_auth_key") {
            if let Some((token, _)) = st.validate_token(&cookie) {
                st.revoke_token(&token);
            }
        }
    }
    let mut resp = r.success(None::<()>, 0);
    add_cookie(&mut resp, &wire::delete_cookie("asc_auth_key"));
    resp
}

fn people_self(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let auth = authenticate(&st, r);
    let Some((idx, event)) = auth.who else {
        return auth.finish(empty(401));
    };
    let u = &st.users[idx];
    let dto = wire::EmployeeDto {
        id: u.id.to_string(),
        display_name: u.display_name.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        user_name: u.email.split('@').next().unwrap_or("").to_string(),
        email: u.email.clone(),
        status: 1,
        activation_status: 1,
        is_admin: false,
        is_owner: false,
        is_visitor: false,
        is_collaborator: false,
        is_room_admin: false,
        culture_name: "en-US",
        mobile_phone: u.phone.clone(),
        mobile_phone_activation_status: u8::from(u.phone.is_some()),
        tfa_app_enabled: u.tfa == TfaKind::App && u.enrolled,
        login_event_id: event,
    };
    r.success(Some(dto), 1)
}

fn backup_codes(shared: &Shared, r: &ApiReq) -> Response<Body> {
    let st = shared.lock();
    let auth = authenticate(&st, r);
    let Some((idx, _)) = auth.who else {
        return auth.finish(empty(401));
    };
    let u = &st.users[idx];
    if u.tfa != TfaKind::App || !u.enrolled {
        return error(
            403,
            "TFA application settings are not available",
            Some("System.InvalidOperationException"),
            Some(STACK_TFA),
            -2146233079,
        );
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

// ---------------------------------------------------------------------------------------------
// Emulator-only endpoints

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
    headers: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    bytes: Option<u64>,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SmsDto {
    phone: String,
    code: String,
    sent_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    advance_secs: u64,
}

fn bad_request(msg: &str) -> Response<Body> {
    json_value(400, &serde_json::json!({ "error": msg }))
}

fn counters_json(st: &State) -> Response<Body> {
    json_value(
        200,
        &serde_json::json!({ "connections": st.connections, "requests": st.requests }),
    )
}

fn clock_json(st: &State) -> Response<Body> {
    let now = st.now();
    json_value(
        200,
        &serde_json::json!({
            "offsetSecs": st.clock_offset.as_secs(),
            "now": wire::rfc3339(now),
            "unixSecs": now.as_secs(),
        }),
    )
}

async fn emulator_endpoint(shared: &Shared, req: Request<Incoming>, rest: &str) -> Response<Body> {
    let method = req.method().clone();
    let query = req.uri().query().unwrap_or("").to_string();
    let (_, body) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    match (method, rest) {
        (Method::GET, "sms") => {
            let want: Option<String> = form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "phone")
                .map(|(_, v)| v.chars().filter(|c| c.is_ascii_digit()).collect());
            let st = shared.lock();
            let messages: Vec<SmsDto> = st
                .outbox
                .iter()
                .filter(|m| {
                    want.as_deref().is_none_or(|w| {
                        m.phone
                            .chars()
                            .filter(|c| c.is_ascii_digit())
                            .collect::<String>()
                            == w
                    })
                })
                .map(|m| SmsDto {
                    phone: m.phone.clone(),
                    code: m.code.clone(),
                    sent_at: wire::rfc3339(m.sent_at),
                })
                .collect();
            json_value(200, &serde_json::json!({ "messages": messages }))
        }
        (Method::POST, "faults") => {
            let fr: FaultRequest = match serde_json::from_slice(&body) {
                Ok(f) => f,
                Err(e) => return bad_request(&format!("bad fault: {e}")),
            };
            let kind = match fr.kind.as_str() {
                "delay" => FaultKind::Delay(fr.delay_ms.unwrap_or(1000).min(600_000)),
                "status" => {
                    let Some(status) = fr.status.filter(|s| (100..=999).contains(s)) else {
                        return bad_request("`status` (100..=999) is required for kind \"status\"");
                    };
                    FaultKind::Status {
                        status,
                        body: fr.body,
                        headers: fr.headers.unwrap_or_default().into_iter().collect(),
                    }
                }
                "html" => FaultKind::Html,
                "malformedJson" => FaultKind::MalformedJson,
                "oversized" => FaultKind::Oversized(
                    fr.bytes.unwrap_or(16 * 1024 * 1024).min(1024 * 1024 * 1024),
                ),
                "redirect" => FaultKind::Redirect(
                    fr.location
                        .unwrap_or_else(|| "http://evil.example.invalid/steal".to_string()),
                ),
                "drop" => FaultKind::Drop,
                other => return bad_request(&format!("unknown fault kind {other:?}")),
            };
            let mut st = shared.lock();
            if st.faults.len() >= MAX_FAULTS {
                return bad_request("too many faults; DELETE /emulator/faults first");
            }
            st.faults.push(Fault {
                kind,
                path: fr.path.filter(|p| !p.is_empty()),
                remaining: match fr.times.unwrap_or(1) {
                    0 => None,
                    n => Some(n),
                },
            });
            json_value(200, &serde_json::json!({ "faults": st.faults.len() }))
        }
        (Method::DELETE, "faults") => {
            shared.lock().faults.clear();
            json_value(200, &serde_json::json!({ "faults": 0 }))
        }
        (Method::GET, "counters") => counters_json(&shared.lock()),
        (Method::POST, "counters/reset") => {
            let mut st = shared.lock();
            st.connections = 0;
            st.requests = 0;
            st.counter_epoch = st.counter_epoch.wrapping_add(1) % (u64::MAX - 1);
            counters_json(&st)
        }
        (Method::POST, "reset") => {
            let mut st = shared.lock();
            let epoch = st.counter_epoch.wrapping_add(1) % (u64::MAX - 1);
            *st = State::new(shared.initial.clone());
            st.counter_epoch = epoch;
            json_value(200, &serde_json::json!({ "reset": true }))
        }
        (Method::GET, "clock") => clock_json(&shared.lock()),
        (Method::POST, "clock") => {
            let cr: ClockRequest = match serde_json::from_slice(&body) {
                Ok(c) => c,
                Err(e) => return bad_request(&format!("bad clock request: {e}")),
            };
            let mut st = shared.lock();
            let max = Duration::from_secs(100 * 365 * 24 * 3600);
            st.clock_offset = st
                .clock_offset
                .saturating_add(Duration::from_secs(cr.advance_secs))
                .min(max);
            clock_json(&st)
        }
        (_, "sms" | "faults" | "counters" | "counters/reset" | "reset" | "clock") => empty(405),
        _ => empty(404),
    }
}
