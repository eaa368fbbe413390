//! Shared helpers: an in-process emulator with the shared fixture users, and the binary run as
//! a subprocess with a clean environment. The emulator is controlled (SMS outbox, faults,
//! counters) through its handle's methods, found by the base URL the tests pass around.
#![allow(dead_code)]

use std::process::{Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use docspace_emulator::{Emulator, EmulatorConfig, EmulatorControl, Fault};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, Command};

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
    pub const LOCKED_OUT: i32 = 11;
    pub const USER_DISABLED: i32 = 12;
    pub const PORTAL_UNAVAILABLE: i32 = 14;
    pub const NOT_A_PORTAL: i32 = 15;
    pub const SSO: i32 = 16;
    pub const PHONE_ACTIVATION_EXPIRED: i32 = 17;
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
    let emu = Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("emulator starts");
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    // A port is only reused once the emulator that had it has stopped.
    running.retain(|(url, _)| url != emu.base_url());
    running.push((emu.base_url().to_owned(), emu.control()));
    emu
}

/// The control handles of the emulators started here, by base URL.
static RUNNING: Mutex<Vec<(String, EmulatorControl)>> = Mutex::new(Vec::new());

/// The control handle of the emulator at `base` (started by [`start_with`]).
pub fn control(base: &str) -> EmulatorControl {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    let found = running.iter().find(|(url, _)| url == base);
    found
        .map(|(_, c)| c.clone())
        .expect("an emulator started by common::start")
}

/// The variables the binary reads; never inherited from the test's environment.
pub const DOCSPACE_VARS: [&str; 5] = [
    "DOCSPACE_PASSWORD",
    "DOCSPACE_TOKEN",
    "DOCSPACE_PORTAL",
    "DOCSPACE_USER",
    "DOCSPACE_TOTP_SECRET",
];

/// The binary with no DOCSPACE_* variables inherited and stdin closed.
pub fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    for var in DOCSPACE_VARS {
        c.env_remove(var);
    }
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c
}

/// `login --portal BASE --user USER`, nothing else.
pub fn login(base: &str, user: &str) -> Command {
    cmd(&["login", "--portal", base, "--user", user])
}

/// `login` with the password in DOCSPACE_PASSWORD.
pub fn login_as(base: &str, user: &str, password: &str) -> Command {
    let mut c = login(base, user);
    c.env("DOCSPACE_PASSWORD", password);
    c
}

/// `login` as the fixture user `NAME@example.com`, the password (`NAME-pass`) in DOCSPACE_PASSWORD.
pub fn login_user(base: &str, name: &str) -> Command {
    login_as(
        base,
        &format!("{name}@example.com"),
        &format!("{name}-pass"),
    )
}

/// [`login_user`] with `--totp-secret-env VAR`, `VAR` set to `key`.
pub fn login_with_key_env(base: &str, name: &str, var: &str, key: &str) -> Command {
    let mut c = login_user(base, name);
    c.env(var, key).args(["--totp-secret-env", var]);
    c
}

pub async fn output(mut c: Command) -> Output {
    tokio::time::timeout(Duration::from_secs(60), c.output())
        .await
        .expect("the command finishes")
        .expect("the command runs")
}

/// Runs with `input` on stdin.
pub async fn output_with_stdin(c: Command, input: &str) -> Output {
    let (child, mut stdin) = spawn_with_stdin(c);
    send(&mut stdin, input).await;
    drop(stdin);
    wait(child).await
}

/// Starts the command with stdin piped, and hands that pipe out.
pub fn spawn_with_stdin(mut c: Command) -> (Child, ChildStdin) {
    c.stdin(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let stdin = child.stdin.take().unwrap();
    (child, stdin)
}

/// Writes `text` to a child's stdin.
pub async fn send(stdin: &mut ChildStdin, text: &str) {
    stdin.write_all(text.as_bytes()).await.unwrap();
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

/// The codes in the emulator's SMS outbox, oldest first.
pub async fn sms_codes(base: &str) -> Vec<String> {
    let outbox = control(base).sms_outbox();
    outbox.into_iter().map(|m| m.code).collect()
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

/// Installs a fault given in its JSON form (as `POST /emulator/faults` takes it).
pub async fn fault(base: &str, body: serde_json::Value) {
    let fault = Fault::from_json(body.to_string()).expect("a fault");
    control(base).install_fault(fault).expect("fault installed");
}

/// The TOTP code for `key` at `unix_secs`.
pub fn totp_at(key: &str, unix_secs: u64) -> String {
    let secret = docspace_auth::secrecy::SecretString::from(key);
    docspace_auth::totp::at(&secret, unix_secs)
        .unwrap()
        .expose()
        .to_owned()
}

/// The current TOTP code for `key`.
pub fn totp_now(key: &str) -> String {
    let secret = docspace_auth::secrecy::SecretString::from(key);
    docspace_auth::totp::now(&secret)
        .unwrap()
        .expose()
        .to_owned()
}

/// The current time in seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// A 6-digit code that is not accepted for `key` now (outside the server's ±10 steps).
pub fn wrong_code(key: &str) -> String {
    let now = unix_now();
    let valid: Vec<String> = (0..=30u64)
        .map(|i| totp_at(key, now + i * 30 - 15 * 30))
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

fn resume(base: &str, token: &str) -> docspace_auth::Auth<docspace_auth::Authenticated> {
    docspace_auth::Auth::resume(
        base,
        docspace_auth::secrecy::SecretString::from(token.to_owned()),
    )
    .unwrap()
}

/// Whether the token is accepted by the portal.
pub async fn token_is_valid(base: &str, token: &str) -> bool {
    resume(base, token).is_valid().await.unwrap()
}

/// Who the token belongs to.
pub async fn token_email(base: &str, token: &str) -> String {
    resume(base, token).me().await.unwrap().email
}

/// The emulator's `/api` request count since start or the last reset.
pub async fn api_requests(base: &str) -> u64 {
    control(base).counters().requests
}

/// Plays the SSO web view: follows the portal's redirects from `/sso/login?email=EMAIL` by
/// hand, to the first address the library says to stop at (it holds the token, or the error).
pub async fn sso_end(base: &str, email: &str) -> String {
    let auth = docspace_auth::Auth::new(base).expect("client");
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let mut next =
        reqwest::Url::parse(&format!("{base}/sso/login?email={email}")).expect("SSO address");
    for _ in 0..10 {
        let response = http
            .get(next.clone())
            .send()
            .await
            .expect("web view request");
        let location = response.headers()["location"]
            .to_str()
            .expect("Location")
            .to_owned();
        if auth.sso_redirect(&location) != docspace_auth::SsoRedirect::Elsewhere {
            return next.join(&location).expect("address").to_string();
        }
        next = next.join(&location).expect("address");
    }
    panic!("the SSO redirects for {email} never reached the portal");
}
