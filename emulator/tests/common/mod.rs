//! Shared helpers: start the emulator in-process and talk raw HTTP to it with reqwest.
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
    read(c.get(url).send().await.unwrap()).await
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

/// The emulator's current unix time.
pub async fn emu_now(c: &reqwest::Client, base: &str) -> u64 {
    get(c, &format!("{base}/emulator/clock")).await.json()["unixSecs"]
        .as_u64()
        .unwrap()
}

pub async fn advance(c: &reqwest::Client, base: &str, secs: u64) {
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
pub async fn align_step(c: &reqwest::Client, base: &str) -> u64 {
    let now = emu_now(c, base).await;
    let adv = (30 + 5 - now % 30) % 30;
    if adv > 0 {
        advance(c, base, adv).await;
    }
    emu_now(c, base).await
}

pub fn secret(b32: &str) -> Vec<u8> {
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, b32).unwrap()
}

pub fn totp(b32: &str, t: u64) -> String {
    docspace_emulator::totp_at(&secret(b32), t)
}

/// SMS codes sent to `phone`, oldest first.
pub async fn sms_codes(c: &reqwest::Client, base: &str, phone: &str) -> Vec<String> {
    let r = get(
        c,
        &format!("{base}/emulator/sms?phone={}", phone.replace('+', "%2B")),
    )
    .await;
    r.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect()
}
