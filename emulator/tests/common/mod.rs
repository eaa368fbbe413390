//! Shared helpers: start the emulator in-process and talk raw HTTP to its `/api` with reqwest;
//! the SMS outbox and the clock through the handle's methods.
#![allow(dead_code)]

use std::time::Duration;

use docspace_emulator::{Emulator, EmulatorConfig};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const USERS: &str = include_str!("../../../tests/fixtures/users.json");
pub const AUTH_FAILED: &str = r#"{"error":{"message":"User authentication failed","type":null,"stack":null,"hresult":0},"status":1,"statusCode":401}"#;
pub const LOCKED: &str = r#"{"error":{"message":"Too many login attempts. Please try again later","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#;
pub const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";
pub const CAROL_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// A fixture user: (email, password).
pub type User = (&'static str, &'static str);
/// No 2FA.
pub const ALICE: User = ("alice@example.com", "alice-pass");
/// App 2FA, enrolled (secret [`BOB_SECRET`]).
pub const BOB: User = ("bob@example.com", "bob-pass");
/// App 2FA, not enrolled (secret [`CAROL_SECRET`]).
pub const CAROL: User = ("carol@example.com", "carol-pass");
/// SMS 2FA with the phone [`DAVE_PHONE`].
pub const DAVE: User = ("dave@example.com", "dave-pass");
pub const DAVE_PHONE: &str = "+15551234567";
/// SMS 2FA without a phone (phone activation needed); only in [`start_with_frank`].
pub const FRANK: User = ("frank@example.com", "frank-pass");

pub async fn start_with(json: &str, tune: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut cfg = EmulatorConfig::from_users_json(json).expect("users json");
    tune(&mut cfg);
    Emulator::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("emulator starts")
}

pub async fn start() -> Emulator {
    start_with(USERS, |_| {}).await
}

/// An emulator whose only user is [`FRANK`].
pub async fn start_with_frank() -> Emulator {
    let users = r#"{"users":[{"email":"frank@example.com","password":"frank-pass","tfa":"sms"}]}"#;
    start_with(users, |_| {}).await
}

fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain HTTP client: no redirects, no proxy, no cookie store.
pub fn client() -> reqwest::Client {
    install_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub fn tls_client(ca_pem: &str) -> reqwest::Client {
    install_provider();
    let cert = reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .tls_certs_only([cert])
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn response(&self) -> Value {
        self.json()["response"].clone()
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
    pub fn token(&self) -> String {
        self.response()["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {}", self.text))
            .to_string()
    }
}

pub async fn read(resp: reqwest::Response) -> Resp {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    Resp {
        status,
        headers,
        text,
    }
}

pub async fn post_raw(c: &reqwest::Client, url: &str, body: &str) -> Resp {
    read(
        c.post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn post_json(c: &reqwest::Client, url: &str, body: &Value) -> Resp {
    post_raw(c, url, &body.to_string()).await
}

pub async fn get(c: &reqwest::Client, url: &str) -> Resp {
    send(c.get(url)).await
}

/// Sends a prepared request and reads the answer.
pub async fn send(req: reqwest::RequestBuilder) -> Resp {
    read(req.send().await.unwrap()).await
}

/// `GET url` with `Authorization: auth`.
pub async fn get_auth(c: &reqwest::Client, url: &str, auth: &str) -> Resp {
    send(c.get(url).header("Authorization", auth)).await
}

/// `GET /api/2.0/people/@self` with `Authorization: auth`.
pub async fn people_self(c: &reqwest::Client, base: &str, auth: &str) -> Resp {
    get_auth(c, &format!("{base}/api/2.0/people/@self"), auth).await
}

/// `GET /api/2.0/settings/tfaappcodes` with `Authorization: auth`.
pub async fn tfaappcodes(c: &reqwest::Client, base: &str, auth: &str) -> Resp {
    get_auth(c, &format!("{base}/api/2.0/settings/tfaappcodes"), auth).await
}

pub async fn login(c: &reqwest::Client, base: &str, user: &str, pass: &str) -> Resp {
    post_json(
        c,
        &format!("{base}/api/2.0/authentication"),
        &serde_json::json!({"userName": user, "password": pass}),
    )
    .await
}

pub async fn login_code(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    pass: &str,
    code: &str,
) -> Resp {
    post_json(
        c,
        &format!("{base}/api/2.0/authentication/{code}"),
        &serde_json::json!({"userName": user, "password": pass, "code": code}),
    )
    .await
}

/// Step 1 for a fixture user with the right password.
pub async fn login_as(c: &reqwest::Client, base: &str, user: User) -> Resp {
    login(c, base, user.0, user.1).await
}

/// The code step for a fixture user with the right password.
pub async fn code_as(c: &reqwest::Client, base: &str, user: User, code: &str) -> Resp {
    login_code(c, base, user.0, user.1, code).await
}

/// The code step for a fixture user with the TOTP of `secret` at the emulator's current time.
pub async fn code_now(c: &reqwest::Client, emu: &Emulator, user: User, secret: &str) -> Resp {
    let now = emu_now(emu);
    code_as(c, emu.base_url(), user, &totp(secret, now)).await
}

/// The token of a plain login (panics when the answer has none).
pub async fn token_of(c: &reqwest::Client, base: &str, user: User) -> String {
    login_as(c, base, user).await.token()
}

/// `POST /api/2.0/authentication/sendsms` for a fixture user with the right password.
pub async fn sendsms_as(c: &reqwest::Client, base: &str, user: User) -> Resp {
    post_json(
        c,
        &format!("{base}/api/2.0/authentication/sendsms"),
        &serde_json::json!({"userName": user.0, "password": user.1}),
    )
    .await
}

/// The emulator's current unix time.
pub fn emu_now(emu: &Emulator) -> u64 {
    emu.now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Moves the emulator's clock forward by `secs`.
pub fn advance(emu: &Emulator, secs: u64) {
    emu.advance_clock(Duration::from_secs(secs));
}

/// `POST /emulator/clock`: moves the clock of an emulator running in another process.
pub async fn advance_over_http(c: &reqwest::Client, base: &str, secs: u64) {
    let r = post_json(
        c,
        &format!("{base}/emulator/clock"),
        &serde_json::json!({"advanceSecs": secs}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Moves the emulator clock to 5 s into a 30-second step, so a test has 25 s before the step
/// changes, and returns the emulator's time.
pub fn align_step(emu: &Emulator) -> u64 {
    let now = emu_now(emu);
    advance(emu, (30 + 5 - now % 30) % 30);
    emu_now(emu)
}

pub fn secret(b32: &str) -> Vec<u8> {
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, b32).unwrap()
}

pub fn totp(b32: &str, t: u64) -> String {
    docspace_emulator::totp_at(&secret(b32), t)
}

/// A 6-digit code that differs from `code`.
pub fn wrong_for(code: &str) -> &'static str {
    if code == "111111" {
        "222222"
    } else {
        "111111"
    }
}

/// Asserts the error envelope of §3.2: `status: 1`, the HTTP status as `statusCode`, the
/// exception type, and no `response`.
pub fn assert_error_envelope(r: &Resp, status: u16, kind: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let j = r.json();
    assert_eq!(j["status"], 1, "{}", r.text);
    assert_eq!(j["statusCode"], status, "{}", r.text);
    assert_eq!(j["error"]["type"], kind, "{}", r.text);
    assert!(j.get("response").is_none(), "{}", r.text);
}

/// SMS codes sent to `phone`, oldest first.
pub fn sms_codes(emu: &Emulator, phone: &str) -> Vec<String> {
    emu.sms_sent_to(phone).into_iter().map(|m| m.code).collect()
}

/// SSO user of the fixture (no password).
pub const FRANK_SSO: &str = "frank@example.com";
/// LDAP user of the fixture.
pub const GRACE: User = ("grace@example.com", "grace-pass");
/// SMS 2FA without a phone in the fixture (phone activation, §16).
pub const HEIDI: User = ("heidi@example.com", "heidi-pass");
/// Disabled SSO user of the fixture.
pub const IVAN_SSO: &str = "ivan@example.com";
/// The fixture's `portal.passwordHash.salt`.
pub const FIXTURE_SALT: &str = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c";

/// `passwordHash` of `password` under the fixture's parameters.
pub fn fixture_hash(password: &str) -> String {
    docspace_emulator::client_password_hash(password, FIXTURE_SALT, 100_000, 256)
}

/// `PUT url` with `Authorization: auth`.
pub async fn put_auth(c: &reqwest::Client, url: &str, auth: &str) -> Resp {
    send(c.put(url).header("Authorization", auth)).await
}

/// `method url` with the token as the `asc_auth_key` cookie.
pub async fn with_cookie(req: reqwest::RequestBuilder, token: &str) -> Resp {
    send(req.header("Cookie", format!("asc_auth_key={token}"))).await
}

/// The value of the `Location` header.
pub fn location(r: &Resp) -> String {
    r.headers
        .get("location")
        .unwrap_or_else(|| panic!("no Location ({}): {}", r.status, r.text))
        .to_str()
        .unwrap()
        .to_string()
}

/// `POST /emulator/portal` with a partial portal object; asserts 200.
pub async fn patch_portal(c: &reqwest::Client, base: &str, patch: &Value) -> Value {
    let r = post_json(c, &format!("{base}/emulator/portal"), patch).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// `{"response":…,"count":n,"links":[{"href":url,"action":method}],"status":0,"statusCode":200}`.
pub fn envelope(response: &str, count: usize, href: &str, method: &str) -> String {
    format!(
        r#"{{"response":{response},"count":{count},"links":[{{"href":"{href}","action":"{method}"}}],"status":0,"statusCode":200}}"#
    )
}
