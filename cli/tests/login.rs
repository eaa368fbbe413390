//! `docspace-auth login` run as a subprocess against the in-process emulator: each kind of
//! fixture user non-interactively, the outputs, and the help of every command.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

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

/// `--output` never follows a symlink: the link is replaced by the private token file and
/// the file it pointed to is left untouched.
#[tokio::test]
async fn output_replaces_a_symlink_instead_of_writing_through_it() {
    let emu = start().await;
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("token");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let mut c = login_user(emu.base_url(), "alice");
    c.arg("--output").arg(&link);
    assert_exit(&output(c).await, 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the link was replaced by a file"
    );
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let token = std::fs::read_to_string(&link).unwrap();
    assert!(token_is_valid(emu.base_url(), token.trim_end()).await);
    // Nothing else is left in the directory (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// Proxy variables never see a login, even one to a loopback portal over plain http.
#[tokio::test]
async fn proxy_variables_are_ignored() {
    let emu = start().await;
    // A listening "proxy" that never answers: a request sent to it would hang, then fail.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", proxy.local_addr().unwrap());
    let mut c = login_user(emu.base_url(), "alice");
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        c.env(var, &url);
    }
    c.env_remove("no_proxy").env_remove("NO_PROXY");
    c.args(["--timeout", "10"]);
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(token_is_valid(emu.base_url(), stdout(&o).trim_end()).await);
    proxy.set_nonblocking(true).unwrap();
    assert!(proxy.accept().is_err(), "nobody connected to the proxy");
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
async fn help_lists_examples_and_exit_codes_for_every_command() {
    let commands = [
        None,
        Some("login"),
        Some("me"),
        Some("logout"),
        Some("totp"),
        #[cfg(feature = "demo")]
        Some("demo"),
    ];
    for sub in commands {
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
