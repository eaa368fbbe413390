//! Protocol §3.4 (lockout), §5 and §6: using, checking and revoking the token.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

async fn me(
    c: &reqwest::Client,
    base: &str,
    f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Resp {
    send(f(c.get(format!("{base}/api/2.0/people/@self")))).await
}

async fn is_valid(
    c: &reqwest::Client,
    base: &str,
    f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Resp {
    send(f(c.get(format!("{base}/api/2.0/authentication")))).await
}

#[tokio::test]
async fn token_as_raw_authorization_bearer_or_cookie() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    for r in [
        me(&c, base, |b| b.header("Authorization", &t)).await,
        me(&c, base, |b| {
            b.header("Authorization", format!("Bearer {t}"))
        })
        .await,
        me(&c, base, |b| {
            b.header("Cookie", format!("asc_auth_key={t}"))
        })
        .await,
    ] {
        assert_eq!(r.status, 200, "{}", r.text);
        let j = r.json();
        assert_eq!(j["response"]["email"], "alice@example.com");
        assert_eq!(j["response"]["displayName"], "Alice");
        assert!(j["response"]["id"].as_str().unwrap().len() == 36);
        assert_eq!(j["status"], 0);
        assert_eq!(j["links"][0]["action"], "GET");
    }
    // percent-encoded token (as in Set-Cookie) works too
    let enc =
        percent_encoding::utf8_percent_encode(&t, percent_encoding::NON_ALPHANUMERIC).to_string();
    let r = me(&c, base, |b| {
        b.header("Cookie", format!("asc_auth_key={enc}"))
    })
    .await;
    assert_eq!(r.status, 200);
    // loginEventId comes from the cookie only
    let via_cookie = me(&c, base, |b| {
        b.header("Cookie", format!("other=1; asc_auth_key={t}"))
    })
    .await;
    assert!(via_cookie.response()["loginEventId"].as_u64().unwrap() > 0);
    let via_header = me(&c, base, |b| b.header("Authorization", &t)).await;
    assert_eq!(via_header.response()["loginEventId"], 0);
}

#[tokio::test]
async fn lowercase_bearer_and_garbage_fail_with_empty_401() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    for r in [
        me(&c, base, |b| {
            b.header("Authorization", format!("bearer {t}"))
        })
        .await,
        me(&c, base, |b| b.header("Authorization", "not-a-token")).await,
        me(&c, base, |b| b.header("Authorization", "Bearer sk-abc")).await,
        me(&c, base, |b| b).await,
        // the `asc_auth_key` *header* is ignored
        me(&c, base, |b| b.header("asc_auth_key", &t)).await,
    ] {
        assert_eq!((r.status, r.text.as_str()), (401, ""));
    }
    let r = send(c.get(format!("{base}/api/2.0/settings/tfaappcodes"))).await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
}

#[tokio::test]
async fn cookie_wins_over_authorization() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let r = me(&c, base, |b| {
        b.header("Authorization", &t)
            .header("Cookie", "asc_auth_key=stale-token")
    })
    .await;
    assert_eq!(r.status, 401);
    let r = is_valid(&c, base, |b| {
        b.header("Authorization", "garbage")
            .header("Cookie", format!("asc_auth_key={t}"))
    })
    .await;
    assert_eq!(r.response(), true);
}

#[tokio::test]
async fn get_authentication_true_false() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = is_valid(&c, base, |b| b).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text,
        format!(
            r#"{{"response":false,"count":1,"links":[{{"href":"{base}/api/2.0/authentication","action":"GET"}}],"status":0,"statusCode":200}}"#
        )
    );
    let t = token_of(&c, base, ALICE).await;
    let r = is_valid(&c, base, |b| b.header("Authorization", &t)).await;
    assert_eq!(r.response(), true);
    let r = is_valid(&c, base, |b| b.header("Authorization", "nope")).await;
    assert_eq!((r.status, r.response()), (200, json!(false)));
}

#[tokio::test]
async fn basic_auth_works_without_2fa() {
    use base64::Engine as _;
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let creds = base64::engine::general_purpose::STANDARD.encode("bob@example.com:bob-pass");
    let r = me(&c, base, |b| {
        b.header("Authorization", format!("Basic {creds}"))
    })
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response()["email"], "bob@example.com");
    let bad = base64::engine::general_purpose::STANDARD.encode("bob@example.com:nope");
    let r = me(&c, base, |b| {
        b.header("Authorization", format!("Basic {bad}"))
    })
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn tokens_expire() {
    let emu = start_with(USERS, |c| c.token_lifetime = Duration::from_secs(120)).await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    assert_eq!(
        me(&c, base, |b| b.header("Authorization", &t)).await.status,
        200
    );
    advance(&c, base, 121).await;
    assert_eq!(
        me(&c, base, |b| b.header("Authorization", &t)).await.status,
        401
    );
    assert_eq!(
        is_valid(&c, base, |b| b.header("Authorization", &t))
            .await
            .response(),
        false
    );
}

#[tokio::test]
async fn logout_revokes_only_a_cookie_token() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication/logout");
    let t = token_of(&c, base, ALICE).await;
    // header-only logout: nothing is revoked
    let r = send(c.post(&url).header("Authorization", &t)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text,
        format!(
            r#"{{"count":0,"links":[{{"href":"{url}","action":"POST"}}],"status":0,"statusCode":200}}"#
        )
    );
    assert!(r
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("asc_auth_key=;")));
    assert_eq!(
        me(&c, base, |b| b.header("Authorization", &t)).await.status,
        200
    );
    // cookie logout revokes
    let r = send(c.post(&url).header("Cookie", format!("asc_auth_key={t}"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        me(&c, base, |b| b.header("Authorization", &t)).await.status,
        401
    );
    // another token of the same user is untouched
    let t2 = token_of(&c, base, ALICE).await;
    assert_eq!(
        me(&c, base, |b| b.header("Authorization", &t2))
            .await
            .status,
        200
    );
    // anonymous logout is fine
    assert_eq!(send(c.post(&url)).await.status, 200);
}

#[tokio::test]
async fn tfaappcodes_refused_without_app_enrolment() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let r = tfaappcodes(&c, base, &t).await;
    assert_error_envelope(&r, 403, "System.InvalidOperationException");
}

#[tokio::test]
async fn people_self_fields() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    login_as(&c, base, DAVE).await;
    let code = sms_codes(&c, base, DAVE_PHONE).await.remove(0);
    let t = code_as(&c, base, DAVE, &code).await.token();
    let r = me(&c, base, |b| {
        b.header("Authorization", format!("Bearer {t}"))
    })
    .await;
    let p = r.response();
    assert_eq!(p["email"], "dave@example.com");
    assert_eq!(p["mobilePhone"], "+15551234567");
    assert_eq!(p["mobilePhoneActivationStatus"], 1);
    assert_eq!(p["tfaAppEnabled"], false);
    assert_eq!(p["status"], 1);
    assert_eq!(p["firstName"], "Dave");
    // nulls dropped: alice has no phone
    let ta = token_of(&c, base, ALICE).await;
    let pa = me(&c, base, |b| b.header("Authorization", &ta))
        .await
        .response();
    assert!(pa.get("mobilePhone").is_none());
}

// ---- §3.4 lockout

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
    advance(&c, base, 61).await;
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
    advance(&c, base, 31).await;
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    assert_eq!(wrong(&c, base, "alice@example.com").await, 401);
    assert_eq!(wrong(&c, base, "alice@example.com").await, 403);
    // the block lasts block_time, not check_period
    advance(&c, base, 50).await;
    assert_eq!(login_as(&c, base, ALICE).await.status, 403);
    advance(&c, base, 51).await;
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    // unknown logins are locked out too (key = lower-cased login + IP)
    for _ in 0..2 {
        assert_eq!(wrong(&c, base, "Ghost@example.com").await, 401);
    }
    assert_eq!(wrong(&c, base, "ghost@EXAMPLE.com").await, 403);
}
