//! Shared helpers: an in-process emulator with the shared fixture users, and the binary run as
//! a subprocess with a clean environment.
#![allow(dead_code)]

use std::process::{Output, Stdio};
use std::time::Duration;

use docspace_emulator::{Emulator, EmulatorConfig};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_docspace-auth");
pub const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");
pub const BOB_KEY: &str = "IFREGZCFMYWV6MJS";
pub const CAROL_KEY: &str = "JBSWY3DPEHPK3PXP";

/// Exit codes (as `--help` lists them).
pub mod exit {
    pub const USAGE: i32 = 2;
    pub const BAD_CREDENTIALS: i32 = 3;
    pub const CODE_REJECTED: i32 = 4;
    pub const FORBIDDEN: i32 = 5;
    pub const RATE_LIMITED: i32 = 6;
    pub const NETWORK: i32 = 7;
    pub const TLS: i32 = 8;
    pub const SERVER: i32 = 9;
    pub const TOKEN_INVALID: i32 = 10;
    pub const INTERRUPTED: i32 = 130;
    pub const TERMINATED: i32 = 143;
}

pub fn config() -> EmulatorConfig {
    EmulatorConfig::from_users_file(USERS).expect("fixture users")
}

pub async fn start() -> Emulator {
    start_with(config()).await
}

pub async fn start_with(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("emulator starts")
}

/// The binary with no DOCSPACE_* variables inherited and stdin closed.
pub fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("DOCSPACE_PASSWORD")
        .env_remove("DOCSPACE_TOKEN")
        .env_remove("DOCSPACE_PORTAL")
        .env_remove("DOCSPACE_USER")
        .env_remove("DOCSPACE_TOTP_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c
}

pub async fn output(mut c: Command) -> Output {
    tokio::time::timeout(Duration::from_secs(60), c.output())
        .await
        .expect("the command finishes")
        .expect("the command runs")
}

/// Runs with `input` on stdin.
pub async fn output_with_stdin(mut c: Command, input: &str) -> Output {
    c.stdin(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    wait(child).await
}

pub async fn wait(child: Child) -> Output {
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the command finishes")
        .expect("the command runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, and for failures that stderr is exactly one `error: ...` line.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    if code != 0 {
        let err = stderr(o);
        let last = err.lines().last().unwrap_or_default();
        assert!(last.starts_with("error: "), "stderr: {err}");
        assert!(
            o.stdout.is_empty(),
            "nothing on stdout on failure: {}",
            stdout(o)
        );
    }
}

pub fn http() -> reqwest::Client {
    // reqwest is built without a default crypto provider: the project uses ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The codes in the emulator's SMS outbox, oldest first.
pub async fn sms_codes(base: &str) -> Vec<String> {
    let v: serde_json::Value = http()
        .get(format!("{base}/emulator/sms"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the outbox holds at least `n` codes; returns them.
pub async fn wait_for_sms(base: &str, n: usize) -> Vec<String> {
    for _ in 0..500 {
        let codes = sms_codes(base).await;
        if codes.len() >= n {
            return codes;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no SMS number {n} arrived");
}

pub async fn fault(base: &str, body: serde_json::Value) {
    let r = http()
        .post(format!("{base}/emulator/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

/// The current TOTP code for `key`.
pub fn totp_now(key: &str) -> String {
    let secret = docspace_auth::secrecy::SecretString::from(key);
    docspace_auth::totp::now(&secret)
        .unwrap()
        .expose()
        .to_owned()
}

/// A 6-digit code that is not accepted for `key` now (outside the server's ±10 steps).
pub fn wrong_code(key: &str) -> String {
    let secret = docspace_auth::secrecy::SecretString::from(key);
    let now = docspace_auth::totp::unix_now();
    let valid: Vec<String> = (0..=30u64)
        .map(|i| {
            docspace_auth::totp::at(&secret, now + i * 30 - 15 * 30)
                .unwrap()
                .expose()
                .to_owned()
        })
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Whether the token is accepted by the portal.
pub async fn token_is_valid(base: &str, token: &str) -> bool {
    let session = docspace_auth::Auth::resume(
        base,
        docspace_auth::secrecy::SecretString::from(token.to_owned()),
    )
    .unwrap();
    session.is_valid().await.unwrap()
}

/// Who the token belongs to.
pub async fn token_email(base: &str, token: &str) -> String {
    let session = docspace_auth::Auth::resume(
        base,
        docspace_auth::secrecy::SecretString::from(token.to_owned()),
    )
    .unwrap();
    session.me().await.unwrap().email
}

/// The emulator's `/api` request count since start or the last reset.
pub async fn api_requests(base: &str) -> u64 {
    let v: serde_json::Value = http()
        .get(format!("{base}/emulator/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["requests"].as_u64().unwrap()
}
