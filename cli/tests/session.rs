//! `docspace-auth me`, `logout`, `totp` and `demo` (with the `demo` feature) as subprocesses.

mod common;

use std::process::Stdio;

use common::*;

async fn alice_token(base: &str) -> String {
    let o = output(login_user(base, "alice")).await;
    assert_exit(&o, 0);
    stdout(&o).trim_end().to_owned()
}

#[tokio::test]
async fn me_with_the_token_from_the_environment() {
    let emu = start().await;
    let token = alice_token(emu.base_url()).await;
    let mut c = cmd(&["me", "--portal", emu.base_url()]);
    c.env("DOCSPACE_TOKEN", &token);
    let o = output(c).await;
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("email: alice@example.com"), "{out}");
    assert!(!out.contains(&token) && !stderr(&o).contains(&token));

    let mut c = cmd(&["me", "--json"]);
    c.env("DOCSPACE_TOKEN", &token)
        .env("DOCSPACE_PORTAL", emu.base_url());
    let o = output(c).await;
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["email"], "alice@example.com");
    assert_eq!(v["id"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn logout_revokes_the_token_from_a_json_file() {
    let emu = start().await;
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token.json");
    let mut c = login_user(base, "alice");
    c.args(["--json", "--output"]).arg(&file);
    assert_exit(&output(c).await, 0);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let token = v["token"].as_str().unwrap().to_owned();

    let mut c = cmd(&["me", "--portal", base, "--token-file"]);
    c.arg(&file);
    assert_exit(&output(c).await, 0);

    let mut c = cmd(&["logout", "--portal", base, "--token-file"]);
    c.arg(&file);
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("revoked"), "{}", stderr(&o));

    // Really revoked on the server, not just forgotten.
    assert!(!token_is_valid(base, &token).await);
    let mut c = cmd(&["me", "--portal", base, "--token-file"]);
    c.arg(&file);
    let o = output(c).await;
    assert_exit(&o, exit::TOKEN_INVALID);
    assert!(stderr(&o).contains("log in again"), "{}", stderr(&o));
    let mut c = cmd(&["logout", "--portal", base]);
    c.env("DOCSPACE_TOKEN", &token);
    assert_exit(&output(c).await, exit::TOKEN_INVALID);
}

/// `login --json --output FILE` as alice; the file's JSON.
async fn alice_json_file(base: &str, file: &std::path::Path) -> serde_json::Value {
    let mut c = login_user(base, "alice");
    c.args(["--json", "--output"]).arg(file);
    let o = output(c).await;
    assert_exit(&o, 0);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// The JSON of `login --json` records the portal; `me` and `logout` take it from there.
#[tokio::test]
async fn me_and_logout_take_the_portal_from_the_json_file() {
    let emu = start().await;
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token.json");
    let v = alice_json_file(base, &file).await;
    assert_eq!(v["portal"], format!("{base}/"), "{v}");
    let token = v["token"].as_str().unwrap().to_owned();

    // No --portal, no DOCSPACE_PORTAL.
    let mut c = cmd(&["me", "--json", "--token-file"]);
    c.arg(&file);
    let o = output(c).await;
    assert_exit(&o, 0);
    let me: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(me["email"], "alice@example.com");
    assert!(!stdout(&o).contains(&token) && !stderr(&o).contains(&token));

    // The same portal given as well, spelled without the trailing slash, or in the environment.
    let mut c = cmd(&["me", "--portal", base, "--token-file"]);
    c.arg(&file);
    assert_exit(&output(c).await, 0);
    let mut c = cmd(&["me", "--token-file"]);
    c.arg(&file).env("DOCSPACE_PORTAL", format!("{base}/"));
    assert_exit(&output(c).await, 0);

    // The same JSON from stdin, and in DOCSPACE_TOKEN.
    let c = cmd(&["me", "--token-file", "-"]);
    let o = output_with_stdin(c, &std::fs::read_to_string(&file).unwrap()).await;
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("email: alice@example.com"),
        "{}",
        stdout(&o)
    );
    let mut c = cmd(&["me"]);
    c.env("DOCSPACE_TOKEN", std::fs::read_to_string(&file).unwrap());
    assert_exit(&output(c).await, 0);

    let mut c = cmd(&["logout", "--token-file"]);
    c.arg(&file);
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("revoked"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&token));
    assert!(!token_is_valid(base, &token).await, "really revoked");
}

/// A --portal other than the one recorded with the token is refused before anything is sent:
/// the token never goes to a portal that did not issue it.
#[tokio::test]
async fn a_portal_other_than_the_recorded_one_is_refused() {
    let emu = start().await;
    let other = start().await;
    let base = emu.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token.json");
    let token = alice_json_file(base, &file).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.control().reset_counters();

    for command in ["me", "logout"] {
        let mut c = cmd(&[command, "--portal", other.base_url(), "--token-file"]);
        c.arg(&file);
        let o = output(c).await;
        assert_exit(&o, exit::USAGE);
        let err = stderr(&o);
        assert!(err.contains(&format!("is for {base}/")), "{err}");
        assert!(err.contains(other.base_url()), "{err}");
        assert!(!err.contains(&token));

        let mut c = cmd(&[command, "--token-file"]);
        c.arg(&file).env("DOCSPACE_PORTAL", other.base_url());
        assert_exit(&output(c).await, exit::USAGE);
    }
    assert_eq!(
        api_requests(other.base_url()).await,
        0,
        "nothing sent there"
    );
    assert_eq!(api_requests(base).await, 0, "nor to the recorded portal");
    assert!(token_is_valid(base, &token).await, "not logged out");
}

/// Without --portal, a token that records no portal (plain, or JSON written before the portal
/// was recorded) is a usage error; a recorded portal that is not one is named as the culprit.
#[tokio::test]
async fn no_portal_anywhere() {
    let emu = start().await;
    let base = emu.base_url();
    let token = alice_token(base).await;
    let dir = tempfile::tempdir().unwrap();

    let plain = dir.path().join("token");
    std::fs::write(&plain, format!("{token}\n")).unwrap();
    let old_json = dir.path().join("old.json");
    std::fs::write(
        &old_json,
        format!("{{\"token\":\"{token}\",\"expires\":null}}"),
    )
    .unwrap();
    for file in [&plain, &old_json] {
        let mut c = cmd(&["me", "--token-file"]);
        c.arg(file);
        let o = output(c).await;
        assert_exit(&o, exit::USAGE);
        assert!(
            stderr(&o).contains("no portal: pass --portal"),
            "{}",
            stderr(&o)
        );
        // With --portal, as before.
        let mut c = cmd(&["me", "--portal", base, "--token-file"]);
        c.arg(file);
        assert_exit(&output(c).await, 0);
    }

    let insecure = dir.path().join("insecure.json");
    let text = format!("{{\"token\":\"{token}\",\"portal\":\"http://portal.example.com\"}}");
    std::fs::write(&insecure, text).unwrap();
    let mut c = cmd(&["logout", "--token-file"]);
    c.arg(&insecure);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("the \"portal\" in"), "{}", stderr(&o));
    assert!(token_is_valid(base, &token).await);
}

#[tokio::test]
async fn logout_with_the_token_on_stdin() {
    let emu = start().await;
    let base = emu.base_url();
    let token = alice_token(base).await;
    let c = cmd(&["logout", "--portal", base, "--token-file", "-"]);
    assert_exit(&output_with_stdin(c, &format!("{token}\n")).await, 0);
    assert!(!token_is_valid(base, &token).await);
}

#[tokio::test]
async fn token_errors() {
    let emu = start().await;
    let base = emu.base_url();
    // No token at all.
    let o = output(cmd(&["me", "--portal", base])).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("DOCSPACE_TOKEN"), "{}", stderr(&o));
    // A token the portal does not know.
    let mut c = cmd(&["me", "--portal", base]);
    c.env("DOCSPACE_TOKEN", "made-up-token");
    let o = output(c).await;
    assert_exit(&o, exit::TOKEN_INVALID);
    assert!(!stderr(&o).contains("made-up-token"));
    // A missing file.
    let o = output(cmd(&[
        "me",
        "--portal",
        base,
        "--token-file",
        "/nonexistent/token",
    ]))
    .await;
    assert_exit(&o, exit::USAGE);
    // Plain http to a remote host.
    let mut c = cmd(&["me", "--portal", "http://portal.example.com"]);
    c.env("DOCSPACE_TOKEN", "x");
    assert_exit(&output(c).await, exit::USAGE);
}

fn codes_around_now(key: &str) -> Vec<String> {
    let now = unix_now();
    [now - 30, now, now + 30]
        .iter()
        .map(|t| totp_at(key, *t))
        .collect()
}

#[tokio::test]
async fn totp_from_the_environment_and_stdin() {
    let mut c = cmd(&["totp"]);
    c.env("DOCSPACE_TOTP_SECRET", BOB_KEY);
    let o = output(c).await;
    assert_exit(&o, 0);
    let code = stdout(&o).trim_end().to_owned();
    assert!(codes_around_now(BOB_KEY).contains(&code), "{code}");
    let err = stderr(&o);
    let secs: u64 = err
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("seconds in {err}"));
    assert!((1..=30).contains(&secs), "{err}");
    assert!(!err.contains(BOB_KEY));

    let mut c = cmd(&["totp", "--secret-env", "MY_KEY", "--json"]);
    c.env("MY_KEY", CAROL_KEY);
    let o = output(c).await;
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(codes_around_now(CAROL_KEY).contains(&v["code"].as_str().unwrap().to_owned()));
    assert!((1..=30).contains(&v["secondsRemaining"].as_u64().unwrap()));

    let c = cmd(&["totp", "--secret-stdin"]);
    let o = output_with_stdin(c, &format!("{CAROL_KEY}\n")).await;
    assert_exit(&o, 0);
    assert!(codes_around_now(CAROL_KEY).contains(&stdout(&o).trim_end().to_owned()));

    // stdin that is not a terminal is read without a flag.
    let c = cmd(&["totp"]);
    let o = output_with_stdin(c, BOB_KEY).await;
    assert_exit(&o, 0);
    assert!(codes_around_now(BOB_KEY).contains(&stdout(&o).trim_end().to_owned()));
}

#[tokio::test]
async fn totp_errors() {
    let mut c = cmd(&["totp"]);
    c.env("DOCSPACE_TOTP_SECRET", "not base32!");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(!stderr(&o).contains("not base32!"));
    let o = output(cmd(&["totp", "--secret-env", "UNSET_VARIABLE_X"])).await;
    assert_exit(&o, exit::USAGE);
    let o = output(cmd(&["totp", "--secret-stdin"])).await;
    assert_exit(&o, exit::USAGE);
}

/// `totp --secret-env` names its own option in the error.
#[tokio::test]
async fn totp_secret_env_error_names_the_right_option() {
    let mut c = cmd(&["totp", "--secret-env", "UNSET_VARIABLE_Y"]);
    c.stdin(Stdio::null());
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    let err = stderr(&o);
    assert!(err.contains("UNSET_VARIABLE_Y"), "{err}");
    assert!(!err.contains("--totp-secret-env"), "{err}");
    assert!(err.contains("--secret-env"), "{err}");
}

#[cfg(feature = "demo")]
#[tokio::test]
async fn demo_completes_without_a_terminal() {
    let o = output(cmd(&["demo"])).await;
    assert_exit(&o, 0);
    let out = stdout(&o);
    for step in [
        "[1/7] Emulator",
        "[2/7] Unauthenticated",
        "TfaPending",
        "[3/7] Enrolment",
        "otpauth://totp/",
        "[4/7] Code",
        "[5/7] Authenticated",
        "[6/7] me",
        "Demo User <demo@example.com>",
        "[7/7] Logged out",
        "the token is revoked",
        "Demo complete",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
    assert!(out.contains('█') || out.contains('▀'), "a QR code is drawn");
    assert!(
        !out.contains("demo-password"),
        "the password is never printed"
    );
}

#[cfg(feature = "demo")]
#[tokio::test]
async fn demo_over_tls_and_interactive_falls_back_without_a_terminal() {
    let o = output(cmd(&["demo", "--tls", "--interactive"])).await;
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("https://127.0.0.1:"), "{out}");
    assert!(out.contains("computing the code instead"), "{out}");
    assert!(out.contains("Demo complete"), "{out}");
}

/// A --token-file that never ends (a device) is refused, as stdin is capped, instead of being
/// read forever.
#[tokio::test]
async fn an_endless_token_file_is_refused() {
    let emu = start().await;
    let mut c = cmd(&[
        "me",
        "--portal",
        emu.base_url(),
        "--token-file",
        "/dev/zero",
    ]);
    c.kill_on_drop(true);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("larger than 64 KiB"), "{}", stderr(&o));
    assert_eq!(api_requests(emu.base_url()).await, 0, "nothing was sent");
}
