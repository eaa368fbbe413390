//! The portal shapes from a shell (docs/protocol.md §10–§17): `portal`, `login --hash-password`,
//! `login --sso`, the phone activation, `sessions`; run as a subprocess against the emulator.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn portal_shows_how_it_logs_users_in() {
    let emu = start().await;
    let o = output(cmd(&["portal", "--portal", emu.base_url()])).await;
    assert_exit(&o, 0);
    let text = stdout(&o);
    for expected in [
        "status:         active",
        "single sign-on: Single Sign-on at",
        "LDAP:           on",
        "PBKDF2-HMAC-SHA256, 100000 iterations, 256 bits",
        "captcha:        recaptcha (site key test-site-key)",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let o = output(cmd(&["portal", "--portal", emu.base_url(), "--json"])).await;
    assert_exit(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["tenantStatus"], "active");
    assert_eq!(v["acceptsLogins"], true);
    assert_eq!(v["sso"]["url"], format!("{}/sso/login", emu.base_url()));
    assert_eq!(v["passwordHash"]["iterations"], 100000);
    assert_eq!(
        v["captcha"],
        json!({"kind": "recaptcha", "publicKey": "test-site-key"})
    );

    fault(
        emu.base_url(),
        json!({"kind": "html", "path": "/api/2.0/settings"}),
    )
    .await;
    let o = output(cmd(&["portal", "--portal", emu.base_url()])).await;
    assert_exit(&o, exit::NOT_A_PORTAL);
    assert!(
        stderr(&o).contains("not a DocSpace portal"),
        "{}",
        stderr(&o)
    );
}

#[tokio::test]
async fn hashed_password_login() {
    let emu = start().await;
    let mut c = login_user(emu.base_url(), "alice");
    c.arg("--hash-password");
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(token_is_valid(emu.base_url(), stdout(&o).trim()).await);
    // LDAP accounts need the plain password.
    let mut c = login_user(emu.base_url(), "grace");
    c.arg("--hash-password");
    assert_exit(&output(c).await, exit::BAD_CREDENTIALS);
    assert_exit(&output(login_user(emu.base_url(), "grace")).await, 0);
}

#[tokio::test]
async fn sso_login_with_the_address_pasted_back() {
    let emu = start().await;
    let end = sso_end(emu.base_url(), "frank@example.com").await;
    let c = cmd(&["login", "--portal", emu.base_url(), "--sso", "--json"]);
    let o = output_with_stdin(c, &format!("{end}\n")).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("/sso/login"), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["user"]["email"], "frank@example.com");
    let token = v["token"].as_str().unwrap();
    // The address held the token: it is never echoed.
    assert!(!stderr(&o).contains(token));

    // Logging out an SSO user tells where to end the identity provider's session too.
    let mut c = cmd(&["logout", "--portal", emu.base_url()]);
    c.env("DOCSPACE_TOKEN", token);
    let o = output(c).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("/sso/slo?"), "{}", stderr(&o));

    let end = sso_end(emu.base_url(), "ivan@example.com").await;
    let c = cmd(&["login", "--portal", emu.base_url(), "--sso"]);
    let o = output_with_stdin(c, &format!("{end}\n")).await;
    assert_exit(&o, exit::SSO);
    assert!(
        stderr(&o).contains("the user is disabled"),
        "{}",
        stderr(&o)
    );

    let c = cmd(&["login", "--portal", emu.base_url(), "--sso"]);
    let o = output_with_stdin(c, "https://elsewhere.example.com/?token=x\n").await;
    assert_exit(&o, exit::USAGE);
}

#[tokio::test]
async fn phone_activation_with_phone() {
    let emu = start().await;
    let mut c = login(emu.base_url(), "heidi@example.com");
    c.args([
        "--password-stdin",
        "--code-stdin",
        "--phone",
        "+1 (555) 765-4321",
    ]);
    let (child, mut stdin) = spawn_with_stdin(c);
    send(&mut stdin, "heidi-pass\n").await;
    let code = wait_for_sms(emu.base_url(), 1).await.pop().unwrap();
    send(&mut stdin, &format!("{code}\n")).await;
    drop(stdin);
    let o = wait(child).await;
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("4321"), "{}", stderr(&o));
    assert!(token_is_valid(emu.base_url(), stdout(&o).trim()).await);

    // Without --phone and without a terminal it says what to pass.
    let mut c = login(emu.base_url(), "heidi@example.com");
    c.args(["--password-stdin", "--code-stdin"]);
    control(emu.base_url()).reset();
    let o = output_with_stdin(c, "heidi-pass\n").await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("--phone"), "{}", stderr(&o));
}

async fn alice_token(base: &str) -> String {
    let o = output(login_user(base, "alice")).await;
    assert_exit(&o, 0);
    stdout(&o).trim().to_owned()
}

fn sessions(base: &str, token: &str, args: &[&str]) -> tokio::process::Command {
    let mut c = cmd(&["sessions", "--portal", base]);
    c.args(args).env("DOCSPACE_TOKEN", token);
    c
}

#[tokio::test]
async fn sessions_listed_and_ended() {
    let emu = start().await;
    let base = emu.base_url();
    let this = alice_token(base).await;
    let other = alice_token(base).await;
    let o = output(sessions(base, &this, &["--json"])).await;
    assert_exit(&o, 0);
    let list: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(list.len() >= 2, "{list:?}");
    assert_eq!(list[0]["current"], true);
    let this_id = list[0]["id"].as_i64().unwrap();
    let o = output(sessions(base, &other, &["--json"])).await;
    let other_id = serde_json::from_str::<Vec<Value>>(&stdout(&o)).unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    let o = output(sessions(base, &this, &[])).await;
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with(&format!("* {this_id}"))),
        "{}",
        stdout(&o)
    );

    // Ending this one by mistake is refused.
    let o = output(sessions(base, &this, &["--end", &this_id.to_string()])).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("logout"), "{}", stderr(&o));
    assert!(token_is_valid(base, &this).await);

    let o = output(sessions(base, &this, &["--end", &other_id.to_string()])).await;
    assert_exit(&o, 0);
    assert!(!token_is_valid(base, &other).await);

    let third = alice_token(base).await;
    let o = output(sessions(base, &this, &["--end-others"])).await;
    assert_exit(&o, 0);
    assert!(!token_is_valid(base, &third).await);
    assert!(token_is_valid(base, &this).await);
}
