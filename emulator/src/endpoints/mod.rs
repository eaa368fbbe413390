//! The DocSpace endpoints under `/api/2.0`, grouped as the protocol groups them: portal discovery
//! ([`discovery`]), logging in ([`authentication`]), phone activation ([`setphone`]), using the
//! token ([`session`]), the caller's 2FA settings ([`settings`]), active sessions
//! ([`connections`]); plus who a request is ([`caller`]) and the envelopes every answer comes in
//! ([`envelope`]). The portal's tenant status is checked before any endpoint runs.

mod authentication;
mod caller;
mod connections;
mod discovery;
mod envelope;
mod session;
mod setphone;
mod settings;

use std::net::IpAddr;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HOST, REFERER, USER_AGENT};
use hyper::{Method, Request, Response};

use crate::http::{decode_path, empty, read_body, Body, Conn};
use crate::shared::Shared;
use crate::state::ClientInfo;
use crate::user_agent;

/// What an endpoint needs from the request.
pub(crate) struct ApiReq {
    method: Method,
    /// The full request URL as `links[].href` shows it (decoded path).
    href: String,
    /// `{scheme}://{Host}` of the request.
    origin: String,
    /// The decoded path.
    path: String,
    /// The lower-cased path after `/api/2.0/` (route values are read from it).
    route: String,
    /// The raw query string, without `?`.
    query: String,
    headers: HeaderMap,
    body: Bytes,
    peer: IpAddr,
}

impl ApiReq {
    /// Where the request comes from, as a login event records it (§15.2).
    pub(crate) fn client_info(&self) -> ClientInfo {
        client_info(&self.headers, self.peer, &self.path)
    }

    /// The query parameter `name` (case-insensitive), percent-decoded.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
    }
}

/// Where a request comes from, as a login event records it (§15.2): the IP, browser and platform
/// from the User-Agent, the Referer (else the request path) as the page.
pub(crate) fn client_info(headers: &HeaderMap, peer: IpAddr, path: &str) -> ClientInfo {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (browser, platform) = user_agent::parse(&header(USER_AGENT).unwrap_or_default());
    ClientInfo {
        ip: cut_ip(&peer.to_string()),
        browser,
        platform,
        page: header(REFERER).or_else(|| Some(path.to_string())),
    }
}

/// The stored IP is cut at the first `:` (`BaseEventMapper.Resolve`; an IPv6 address keeps its
/// first group).
fn cut_ip(ip: &str) -> String {
    ip.split(':').next().unwrap_or("").to_string()
}

/// Answers an `/api` request: reads it, then routes it (§5, §8.1). ASP.NET Core routing is
/// case-insensitive and sees the path Kestrel decoded.
pub(crate) async fn api(
    shared: &Shared,
    conn: &Conn,
    req: Request<Incoming>,
    raw_path: &str,
) -> Response<Body> {
    let origin = request_origin(shared, &req);
    // Kestrel decodes the path (all but `%2F`) before routing; `GetDisplayUrl` shows it decoded.
    let path = decode_path(raw_path);
    let query = req.uri().query().unwrap_or("").to_string();
    let shown_query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let href = format!("{origin}{path}{shown_query}");
    let method = req.method().clone();
    let (parts, body) = match read_body(req, shared.cfg.max_body_bytes).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let Some(route) = path
        .to_ascii_lowercase()
        .strip_prefix("/api/2.0/")
        .map(str::to_string)
    else {
        return empty(404);
    };
    let r = ApiReq {
        method,
        href,
        origin,
        path,
        route,
        query,
        headers: parts.headers,
        body,
        peer: conn.peer.ip(),
    };
    let (handler, gate) = match route_of(&r.route, &r.method) {
        Ok(found) => found,
        Err(status) => return empty(status),
    };
    let tenant_status = shared.lock().portal().tenant_status;
    if let Some(status) = gate.refuses(tenant_status) {
        return empty(status);
    }
    handler(shared, &r)
}

type Handler = fn(&Shared, &ApiReq) -> Response<Body>;

/// Which portal states let a route through (`TenantStatusFilter`, §10.3, §17): the answer is an
/// empty body with no envelope.
#[derive(Clone, Copy)]
enum Gate {
    /// `GET /settings`: `[AllowSuspended]` and on the passthrough list.
    Settings,
    /// `/authentication/confirm`: allowed while suspended.
    Confirm,
    /// Everything else.
    Default,
}

impl Gate {
    /// The status to answer with instead of running the endpoint, if any.
    fn refuses(self, tenant_status: u8) -> Option<u16> {
        match (tenant_status, self) {
            (2, _) => Some(404),
            (1, Gate::Settings | Gate::Confirm) => None,
            (1, _) => Some(404),
            (3 | 4 | 6, Gate::Settings) => None,
            (3 | 4 | 6, _) => Some(403),
            _ => None,
        }
    }
}

/// The route table; `route` is the lower-cased path after `/api/2.0/`. `Err` is the status of an
/// empty answer: 404 (no such route) or 405 (wrong method).
fn route_of(route: &str, method: &Method) -> Result<(Handler, Gate), u16> {
    use Gate::Default as D;
    let only = |m: Method, h: Handler, g: Gate| if *method == m { Ok((h, g)) } else { Err(405) };
    match route {
        "authentication" | "authentication/" => match *method {
            Method::GET => Ok((session::is_authenticated as Handler, D)),
            Method::POST => Ok((authentication::login_step1 as Handler, D)),
            _ => Err(405),
        },
        "authentication/logout" => only(Method::POST, session::logout, D),
        "authentication/sendsms" => only(Method::POST, authentication::send_sms, D),
        "authentication/setphone" => only(Method::POST, setphone::set_phone, D),
        // A real endpoint the emulator does not implement (literal routes win over `{code}`).
        "authentication/confirm" => only(Method::POST, |_, _| empty(404), Gate::Confirm),
        "people/@self" => only(Method::GET, session::people_self, D),
        "capabilities" | "capabilities.json" => only(Method::GET, discovery::capabilities, D),
        "settings" => only(Method::GET, discovery::settings, Gate::Settings),
        "settings/version/build" => only(Method::GET, discovery::version_build, D),
        "settings/ssov2" => only(Method::GET, discovery::ssov2, D),
        "settings/tfaappcodes" => only(Method::GET, settings::backup_codes, D),
        "settings/tfaappnewcodes" => only(Method::PUT, settings::new_backup_codes, D),
        "security/activeconnections" => only(Method::GET, connections::list, D),
        "security/activeconnections/logoutallexceptthis" => {
            only(Method::PUT, connections::logout_all_except_this, D)
        }
        "security/activeconnections/logoutallchangepassword" => {
            only(Method::PUT, connections::logout_all_change_password, D)
        }
        _ => {
            if let Some(id) = route.strip_prefix("security/activeconnections/logout/") {
                // `{loginEventId:int}`
                return match id.parse::<i32>() {
                    Ok(_) => only(Method::PUT, connections::logout_event, D),
                    Err(_) => Err(404),
                };
            }
            if let Some(id) = route.strip_prefix("security/activeconnections/logoutall/") {
                // `{userId:guid}`
                return match uuid::Uuid::parse_str(id) {
                    Ok(_) => only(Method::PUT, connections::logout_all, D),
                    Err(_) => Err(404),
                };
            }
            // `{code}`: one segment, never empty (`authentication/` is step 1 above); its value
            // is not read (the code comes from the body, §4.3).
            match route.strip_prefix("authentication/") {
                Some(segment) if !segment.contains('/') => {
                    only(Method::POST, authentication::login_with_code, D)
                }
                _ => Err(404),
            }
        }
    }
}

/// `{scheme}://{Host}` of a request (the emulator's own address when it has no Host).
pub(crate) fn request_origin<B>(shared: &Shared, req: &Request<B>) -> String {
    let scheme = if shared.secure() { "https" } else { "http" };
    let host = req
        .headers()
        .get(HOST)
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
    format!("{scheme}://{host}")
}
