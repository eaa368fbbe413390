//! Each way `docspace-auth login` fails, run as a subprocess against the in-process emulator:
//! the one-line error and its exit code, what is refused before the password is sent, and a new
//! session that is logged out when its token cannot be delivered.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn totp_secret_env_errors() {
    let emu = start().await;
    // Variable not set.
    let mut c = login_user(emu.base_url(), "bob");
    c.args(["--totp-secret-env", "NOT_SET_ANYWHERE"]);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("NOT_SET_ANYWHERE"));
    // Not Base32.
    let c = login_with_key_env(emu.base_url(), "bob", "BAD_KEY", "not base32!");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("Base32"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("not base32!"));
    // A valid key that is not bob's: the code is rejected.
    let c = login_with_key_env(emu.base_url(), "bob", "OTHER_KEY", CAROL_KEY);
    let o = output(c).await;
    assert_exit(&o, exit::CODE_REJECTED);
}

/// A malformed key in --totp-secret-env is found before the password is sent.
#[tokio::test]
async fn malformed_totp_secret_env_is_refused_before_any_request() {
    let emu = start().await;
    let c = login_with_key_env(emu.base_url(), "bob", "BAD_KEY", "not base32!");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("BAD_KEY"), "{}", stderr(&o));
    assert_eq!(
        api_requests(emu.base_url()).await,
        0,
        "the password was sent"
    );
}

#[tokio::test]
async fn too_many_wrong_codes_exit_code_rejected() {
    let emu = start().await;
    let wrong = wrong_code(BOB_KEY);
    let mut c = login(emu.base_url(), "bob@example.com");
    c.args(["--password-stdin", "--code-stdin", "--max-attempts", "2"]);
    let o = output_with_stdin(c, &format!("bob-pass\n{wrong}\n{wrong}\n{wrong}\n")).await;
    assert_exit(&o, exit::CODE_REJECTED);
    assert!(stderr(&o).contains("rejected 2 time(s)"), "{}", stderr(&o));
}

#[tokio::test]
async fn erin_disabled_is_told_so() {
    let emu = start().await;
    let c = login_user(emu.base_url(), "erin");
    let o = output(c).await;
    assert_exit(&o, exit::USER_DISABLED);
    assert!(stderr(&o).contains("disabled"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[tokio::test]
async fn wrong_password_then_locked_out() {
    let mut config = config();
    config.lockout.attempt_count = 1;
    let emu = start_with(config).await;
    let c = login_as(emu.base_url(), "alice@example.com", "not-alice-pass");
    let o = output(c).await;
    assert_exit(&o, exit::BAD_CREDENTIALS);
    assert_eq!(stderr(&o).lines().count(), 1);
    assert!(!stderr(&o).contains("not-alice-pass"));

    let c = login_user(emu.base_url(), "alice");
    let o = output(c).await;
    assert_exit(&o, exit::LOCKED_OUT);
    assert!(stderr(&o).contains("wait a minute"), "{}", stderr(&o));
}

/// An empty 403 is the portal's maintenance; any other 403 is forbidden, its text shown.
#[tokio::test]
async fn maintenance_and_other_refusals() {
    let emu = start().await;
    fault(emu.base_url(), json!({"kind": "status", "status": 403})).await;
    let o = output(login_user(emu.base_url(), "alice")).await;
    assert_exit(&o, exit::PORTAL_UNAVAILABLE);
    assert!(stderr(&o).contains("maintenance"), "{}", stderr(&o));
    let body = r#"{"error":{"message":"Not available.","type":"System.Security.SecurityException"},"status":1,"statusCode":403}"#;
    fault(
        emu.base_url(),
        json!({"kind": "status", "status": 403, "body": body}),
    )
    .await;
    let o = output(login_user(emu.base_url(), "alice")).await;
    assert_exit(&o, exit::FORBIDDEN);
    assert!(stderr(&o).contains("Not available."), "{}", stderr(&o));
}

#[tokio::test]
async fn rate_limited() {
    let emu = start().await;
    fault(
        emu.base_url(),
        json!({"kind": "status", "status": 429, "headers": {"Retry-After": "7"}}),
    )
    .await;
    let c = login_user(emu.base_url(), "alice");
    let o = output(c).await;
    assert_exit(&o, exit::RATE_LIMITED);
    assert!(stderr(&o).contains("wait 7 s"), "{}", stderr(&o));
}

#[tokio::test]
async fn server_errors_and_non_docspace_answers() {
    let emu = start().await;
    for body in [
        json!({"kind": "status", "status": 500}),
        json!({"kind": "html"}),
        json!({"kind": "malformedJson"}),
        json!({"kind": "redirect"}),
    ] {
        fault(emu.base_url(), body.clone()).await;
        let c = login_user(emu.base_url(), "alice");
        let o = output(c).await;
        assert_exit(&o, exit::SERVER);
        assert!(
            !stderr(&o).contains("evil.example"),
            "{body}: {}",
            stderr(&o)
        );
    }
}

/// HTTP 404 means --portal is not a portal's root (e.g. it has a path), not an unknown user
/// (the portal answers 401 for those).
#[tokio::test]
async fn a_portal_url_with_a_path_is_not_reported_as_an_unknown_user() {
    let emu = start().await;
    let base = format!("{}/some/path", emu.base_url());
    let c = login_user(&base, "alice");
    let o = output(c).await;
    assert_exit(&o, exit::NOT_A_PORTAL);
    let err = stderr(&o);
    assert!(!err.contains("does not know this user"), "{err}");
    assert!(err.contains("404") && err.contains("--portal"), "{err}");

    let mut c = cmd(&["me", "--portal", &base]);
    c.env("DOCSPACE_TOKEN", "whatever");
    let o = output(c).await;
    assert_exit(&o, exit::SERVER);
    assert!(stderr(&o).contains("--portal"), "{}", stderr(&o));
}

#[tokio::test]
async fn network_errors() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = login_user(&format!("http://127.0.0.1:{port}"), "alice");
    let o = output(c).await;
    assert_exit(&o, exit::NETWORK);
    assert!(stderr(&o).contains("cannot connect"), "{}", stderr(&o));

    // The connection is dropped without an answer.
    let emu = start().await;
    fault(emu.base_url(), json!({"kind": "drop"})).await;
    let c = login_user(emu.base_url(), "alice");
    assert_exit(&output(c).await, exit::NETWORK);

    // Too slow.
    fault(emu.base_url(), json!({"kind": "delay", "delayMs": 3000})).await;
    let mut c = login_user(emu.base_url(), "alice");
    c.args(["--timeout", "1"]);
    let o = output(c).await;
    assert_exit(&o, exit::NETWORK);
    assert!(stderr(&o).contains("in time"), "{}", stderr(&o));
}

#[tokio::test]
async fn tls_untrusted_then_trusted_with_ca_cert() {
    let mut config = config();
    config.tls = true;
    let emu = start_with(config).await;
    assert!(emu.base_url().starts_with("https://"));
    let c = login_user(emu.base_url(), "alice");
    let o = output(c).await;
    assert_exit(&o, exit::TLS);
    assert!(stderr(&o).contains("--ca-cert"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, emu.ca_pem().unwrap()).unwrap();
    let mut c = login_user(emu.base_url(), "alice");
    c.arg("--ca-cert").arg(&ca);
    assert_exit(&output(c).await, 0);

    // A file that is not a certificate: bad input.
    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let mut c = login_user(emu.base_url(), "alice");
    c.arg("--ca-cert").arg(&bad);
    assert_exit(&output(c).await, exit::USAGE);
}

#[tokio::test]
async fn usage_errors() {
    // Plain http to a host that is not loopback: refused before any connection.
    let c = login_user("http://portal.example.com", "alice");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("plain http://"), "{}", stderr(&o));
    assert!(stderr(&o).contains("https://"), "{}", stderr(&o));

    let c = login_user("not a url", "alice");
    assert_exit(&output(c).await, exit::USAGE);

    // clap: missing --user; unknown flag; a password on the command line is not an option.
    let o = output(cmd(&["login", "--portal", "https://portal.example.com"])).await;
    assert_eq!(o.status.code(), Some(exit::USAGE));
    let o = output(cmd(&[
        "login",
        "--portal",
        "https://portal.example.com",
        "--user",
        "a@example.com",
        "--password",
        "pw",
    ]))
    .await;
    assert_eq!(o.status.code(), Some(exit::USAGE));

    // --password-stdin with nothing on stdin.
    let emu = start().await;
    // --output into a directory that does not exist: refused before logging in.
    let mut c = login_user(emu.base_url(), "alice");
    c.args(["--output", "/nonexistent-dir/token"]);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("--output"), "{}", stderr(&o));

    let mut c = login(emu.base_url(), "alice@example.com");
    c.arg("--password-stdin");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
}

/// When the token cannot be written, the session just created is logged out instead of being
/// left alive on the portal where nobody can use or revoke it.
#[tokio::test]
async fn a_token_that_cannot_be_written_is_revoked() {
    let emu = start().await;
    // The directory exists, but nothing can be created in it.
    let mut c = login_user(emu.base_url(), "alice");
    c.args(["--output", "/proc/self/docspace-token"]);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    let err = stderr(&o);
    assert!(err.contains("--output"), "{err}");
    assert!(err.contains("logged out"), "{err}");
    // Login, then logout.
    assert_eq!(api_requests(emu.base_url()).await, 2);

    // stdout is a pipe nobody reads any more.
    let c0 = api_requests(emu.base_url()).await;
    let mut c = login_user(emu.base_url(), "alice");
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let o = wait(child).await;
    assert_eq!(o.status.code(), Some(exit::USAGE), "{}", stderr(&o));
    assert!(stderr(&o).contains("logged out"), "{}", stderr(&o));
    assert_eq!(api_requests(emu.base_url()).await, c0 + 2);
}
