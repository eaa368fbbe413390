//! docs/protocol.md §3.4 and §12: the password brute-force lock per (login, IP), what it counts, and
//! the captcha that bypasses it.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

async fn wrong(c: &reqwest::Client, base: &str, user: &str) -> u16 {
    login(c, base, user, "wrong-password").await.status
}

#[tokio::test]
async fn lockout_after_attempt_count_failures() {
    let emu = start().await; // defaults: 5 / 60 s / 60 s
    let c = client();
    let base = emu.base_url();
    for i in 0..5 {
        assert_eq!(
            wrong(&c, base, "alice@example.com").await,
            401,
            "attempt {i}"
        );
    }
    let r = login(&c, base, "alice@example.com", "wrong").await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
    // while blocked, even the right password is refused, in step 1, step 2 and sendsms
    let r = login(&c, base, "ALICE@example.com", "alice-pass").await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
    let r = code_as(&c, base, ALICE, "123456").await;
    assert_eq!(r.status, 403);
    // other users are not affected
    assert_eq!(login_as(&c, base, BOB).await.status, 200);
    // after the block time, it works again
    advance(&emu, 61);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
}

#[tokio::test]
async fn lockout_counts_only_failures_in_the_window() {
    let emu = start_with(USERS, |c| {
        c.lockout.attempt_count = 2;
        c.lockout.check_period = Duration::from_secs(30);
        c.lockout.block_time = Duration::from_secs(100);
    })
    .await;
    let c = client();
    let base = emu.base_url();
    // successes between failures do not count
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    for _ in 0..3 {
        assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    }
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    // failures older than the window are forgotten
    advance(&emu, 31);
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    assert_eq!(wrong(&c, base, "alice@example.com").await, 403);
    // the block lasts block_time, not check_period
    advance(&emu, 50);
    assert_eq!(login_as(&c, base, ALICE).await.status, 403);
    advance(&emu, 51);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    // unknown logins are locked out too (key = lower-cased login + IP)
    for _ in 0..2 {
        assert_eq!(wrong(&c, base, "Ghost@example.com").await, 401);
    }
    assert_eq!(wrong(&c, base, "ghost@EXAMPLE.com").await, 403);
}

/// §3.3/§3.4: `GetUserAsync` throws for a null `userName`, or for no password and no
/// `passwordHash`, before the brute-force manager runs; an empty `userName` is counted.
#[tokio::test]
async fn requests_without_credentials_are_not_counted_by_the_lockout() {
    let emu = start_with(USERS, |c| c.lockout.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    for _ in 0..4 {
        for body in [
            json!({"userName":"alice@example.com"}),
            json!({"userName":"alice@example.com","password":""}),
            json!({"userName":"alice@example.com","password":null,"passwordHash":null}),
            json!({"password":"alice-pass"}),
        ] {
            let r = post_json(&c, &url, &body).await;
            assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
        }
    }
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // An empty userName is not null: it goes through the lockout under the key "".
    let body = json!({"userName":"","password":"x"});
    for _ in 0..2 {
        let r = post_json(&c, &url, &body).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    }
    let r = post_json(&c, &url, &body).await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
}

#[tokio::test]
async fn captcha_rows_when_configured() {
    let emu = start_with(USERS, |c| {
        c.recaptcha_response = Some("good-captcha".into());
        c.lockout.attempt_count = 1;
    })
    .await;
    let c = client();
    let url = format!("{}/api/2.0/authentication", emu.base_url());
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass","recaptchaResponse":"bad","recaptchaType":0}),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.text,
        r#"{"error":{"message":"Invalid Recaptcha","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#
    );
    // Lock alice out, then a valid captcha bypasses the block.
    for _ in 0..2 {
        post_json(
            &c,
            &url,
            &json!({"userName":"alice@example.com","password":"x"}),
        )
        .await;
    }
    let r = login_as(&c, emu.base_url(), ALICE).await;
    assert_eq!(r.status, 403);
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass","recaptchaResponse":"good-captcha","recaptchaType":0}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
