//! `docspace-auth login` run as a subprocess against the in-process emulator: each kind of
//! fixture user non-interactively, the outputs, and each exit code.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use serde_json::json;

/// `login` with the password and the codes as lines on stdin.
fn login_from_stdin(base: &str, user: &str) -> tokio::process::Command {
    let mut c = login(base, user);
    c.args(["--password-stdin", "--code-stdin"]);
    c
}

#[tokio::test]
async fn alice_plain_prints_only_the_token() {
    let emu = start().await;
    let c = login_user(emu.base_url(), "alice");
    let o = output(c).await;
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    let token = out.trim_end();
    assert!(!token.is_empty());
    assert_eq!(
        token_email(emu.base_url(), token).await,
        "alice@example.com"
    );
    assert!(!stderr(&o).contains("alice-pass"));
}

#[tokio::test]
async fn password_stdin_and_json() {
    let emu = start().await;
    let mut c = login(emu.base_url(), "alice@example.com");
    c.arg("--password-stdin").arg("--json");
    let o = output_with_stdin(c, "alice-pass\n").await;
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    let token = v["token"].as_str().unwrap();
    assert!(token_is_valid(emu.base_url(), token).await);
    let expires = v["expires"].as_str().unwrap();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");
    assert_eq!(v["user"]["email"], "alice@example.com");
    assert!(!v["user"]["name"].as_str().unwrap().is_empty());
    assert_eq!(v["user"]["id"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn output_file_is_private_and_replaces_an_open_file() {
    let emu = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    // An existing world-readable file: the token must not land in it with that mode.
    std::fs::write(
        &path,
        "old content that is longer than a token would be ............",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = login_user(emu.base_url(), "alice");
    c.arg("--output").arg(&path);
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(o.stdout.is_empty(), "the token goes to the file only");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let token = std::fs::read_to_string(&path).unwrap();
    assert!(token_is_valid(emu.base_url(), token.trim_end()).await);

    // A new file, with JSON.
    let path = dir.path().join("token.json");
    let mut c = login_user(emu.base_url(), "alice");
    c.args(["--json", "--output"]).arg(&path);
    let o = output(c).await;
    assert_exit(&o, 0);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["user"]["email"], "alice@example.com");
}

#[tokio::test]
async fn bob_with_totp_secret_env() {
    let emu = start().await;
    let c = login_with_key_env(emu.base_url(), "bob", "BOB_KEY", BOB_KEY);
    let o = output(c).await;
    assert_exit(&o, 0);
    let token = stdout(&o);
    assert_eq!(
        token_email(emu.base_url(), token.trim_end()).await,
        "bob@example.com"
    );
    assert!(!stderr(&o).contains(BOB_KEY));
}

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

#[tokio::test]
async fn carol_enrols_with_totp_secret_env() {
    let emu = start().await;
    // A key that is not the one the portal offers: refused locally, nothing enrolled.
    let c = login_with_key_env(emu.base_url(), "carol", "CAROL_KEY", BOB_KEY);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("enrol"), "{}", stderr(&o));

    let mut c = login_with_key_env(emu.base_url(), "carol", "CAROL_KEY", CAROL_KEY);
    c.arg("--json");
    let o = output(c).await;
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["user"]["email"], "carol@example.com");
    assert!(
        !stderr(&o).contains(CAROL_KEY),
        "the key is never on stderr"
    );
    assert!(!stdout(&o).contains(CAROL_KEY));

    // Enrolled now: the next login is a plain authenticator challenge, same key.
    let c = login_with_key_env(emu.base_url(), "carol", "CAROL_KEY", CAROL_KEY);
    assert_exit(&output(c).await, 0);
}

#[tokio::test]
async fn dave_sms_codes_on_stdin_with_a_wrong_code_first() {
    let emu = start().await;
    let base = emu.base_url();
    let (child, mut stdin) = spawn_with_stdin(login_from_stdin(base, "dave@example.com"));
    send(&mut stdin, "dave-pass\n").await;
    let codes = wait_for_sms(base, 1).await;
    let right = codes[0].clone();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    // A wrong code, then the right one: the same pending login (one SMS only).
    send(&mut stdin, &format!("{wrong}\n{right}\n")).await;
    drop(stdin);
    let o = wait(child).await;
    assert_exit(&o, 0);
    let err = stderr(&o);
    assert!(err.contains("+1555"), "the masked phone is shown: {err}");
    assert!(err.contains("rejected"), "{err}");
    assert!(
        !err.contains(&right) && !err.contains(wrong),
        "codes never on stderr: {err}"
    );
    assert_eq!(sms_codes(base).await.len(), 1, "no new password round");
    let token = stdout(&o);
    assert_eq!(
        token_email(base, token.trim_end()).await,
        "dave@example.com"
    );
}

#[tokio::test]
async fn dave_asks_for_a_new_sms() {
    let emu = start().await;
    let base = emu.base_url();
    let mut c = login_user(base, "dave");
    c.arg("--code-stdin");
    let (child, mut stdin) = spawn_with_stdin(c);
    wait_for_sms(base, 1).await;
    send(&mut stdin, "r\n").await;
    let codes = wait_for_sms(base, 2).await;
    send(&mut stdin, &format!("{}\n", codes[1])).await;
    drop(stdin);
    let o = wait(child).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("A new code was sent"), "{}", stderr(&o));
}

#[tokio::test]
async fn too_many_wrong_codes_exit_code_rejected() {
    let emu = start().await;
    let wrong = wrong_code(BOB_KEY);
    let mut c = login_from_stdin(emu.base_url(), "bob@example.com");
    c.args(["--max-attempts", "2"]);
    let o = output_with_stdin(c, &format!("bob-pass\n{wrong}\n{wrong}\n{wrong}\n")).await;
    assert_exit(&o, exit::CODE_REJECTED);
    assert!(stderr(&o).contains("rejected 2 time(s)"), "{}", stderr(&o));
}

#[tokio::test]
async fn malformed_codes_are_refused_before_any_request() {
    let emu = start().await;
    let c = login_from_stdin(emu.base_url(), "bob@example.com");
    let o = output_with_stdin(c, &format!("bob-pass\n12345\n{}\n", totp_now(BOB_KEY))).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("That is not a code"), "{}", stderr(&o));
    // End of input without a code.
    let c = login_from_stdin(emu.base_url(), "bob@example.com");
    let o = output_with_stdin(c, "bob-pass\n").await;
    assert_exit(&o, exit::USAGE);
}

#[tokio::test]
async fn erin_disabled_is_forbidden() {
    let emu = start().await;
    let c = login_user(emu.base_url(), "erin");
    let o = output(c).await;
    assert_exit(&o, exit::FORBIDDEN);
    assert!(stderr(&o).contains("User disabled"), "{}", stderr(&o));
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
    assert_exit(&o, exit::FORBIDDEN);
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

#[tokio::test]
async fn help_lists_examples_and_exit_codes_for_every_command() {
    for sub in [
        None,
        Some("login"),
        Some("me"),
        Some("logout"),
        Some("totp"),
        Some("demo"),
    ] {
        let mut args = vec![];
        if let Some(s) = sub {
            args.push(s);
        }
        args.push("--help");
        let o = output(cmd(&args)).await;
        assert_exit(&o, 0);
        let help = stdout(&o);
        assert!(help.contains("Examples:"), "{sub:?}: {help}");
        assert!(help.contains("Exit codes:"), "{sub:?}");
        for code in [
            "  3 ", "  4 ", "  5 ", "  6 ", "  7 ", "  8 ", "  9 ", "  10 ", "  130 ", "  143 ",
        ] {
            assert!(help.contains(code), "{sub:?} lacks {code}");
        }
    }
}
