//! The login 403s (docs/protocol.md §12): brute-force lock (a), captcha rejected (b), user
//! disabled (c) on every credential endpoint; the captcha bypass; `recaptchaType` as a string.

mod common;

use common::*;
use serde_json::json;

const CAPTCHA_REJECTED: &str = r#"{"error":{"message":"Invalid Recaptcha","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#;

async fn attempt(c: &reqwest::Client, base: &str, body: serde_json::Value) -> Resp {
    post_json(c, &format!("{base}/api/2.0/authentication"), &body).await
}

async fn lock_alice(c: &reqwest::Client, base: &str) {
    for _ in 0..5 {
        let r = login(c, base, ALICE.0, "wrong").await;
        assert_eq!(r.status, 401);
    }
    let r = login(c, base, ALICE.0, ALICE.1).await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
}

#[tokio::test]
async fn lock_then_captcha_kinds() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    lock_alice(&c, base).await;
    // (b): a non-empty response of the configured kind (reCAPTCHA: types 0, 1, 2) that is wrong.
    for kind in [0, 1, 2] {
        let r = attempt(
            &c,
            base,
            json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": "bad", "recaptchaType": kind}),
        )
        .await;
        assert_eq!(
            (r.status, r.text.as_str()),
            (403, CAPTCHA_REJECTED),
            "{kind}"
        );
    }
    // No hCaptcha keys: type 3 is ignored ⇒ still the lock (a).
    let r = attempt(
        &c,
        base,
        json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": "bad", "recaptchaType": 3}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
    // An empty response is no captcha: the lock.
    let r = attempt(
        &c,
        base,
        json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": ""}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
    // A valid one bypasses the lock; the password is still checked, and nothing is counted.
    let good = |pw: &str| json!({"userName": ALICE.0, "password": pw, "recaptchaResponse": "captcha-ok", "recaptchaType": 0});
    let r = attempt(&c, base, good("wrong")).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    let r = attempt(&c, base, good(ALICE.1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.response()["token"].is_string());
    // `recaptchaType` omitted ⇒ 0.
    let r = attempt(
        &c,
        base,
        json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": "captcha-ok"}),
    )
    .await;
    assert_eq!(r.status, 200);
    // The captcha works on the code endpoint and `sendsms` too.
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/sendsms"),
        &json!({"userName": DAVE.0, "password": DAVE.1, "recaptchaResponse": "nope"}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (403, CAPTCHA_REJECTED));
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/123456"),
        &json!({"userName": BOB.0, "password": BOB.1, "code": "123456", "recaptchaResponse": "nope"}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (403, CAPTCHA_REJECTED));
}

#[tokio::test]
async fn hcaptcha_portals_check_type_3_only() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    patch_portal(
        &c,
        base,
        &json!({"recaptcha": {"type": 3, "validResponse": "h-ok"}}),
    )
    .await;
    let with = |resp: &str, kind: i64| json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": resp, "recaptchaType": kind});
    let r = attempt(&c, base, with("bad", 3)).await;
    assert_eq!((r.status, r.text.as_str()), (403, CAPTCHA_REJECTED));
    // A reCAPTCHA token on an hCaptcha portal is ignored (no keys for type 0).
    let r = attempt(&c, base, with("bad", 0)).await;
    assert_eq!(r.status, 200);
    lock_alice(&c, base).await;
    assert_eq!(attempt(&c, base, with("h-ok", 3)).await.status, 200);
    // No keys at all: never checked.
    patch_portal(&c, base, &json!({"recaptcha": {"validResponse": null}})).await;
    let r = attempt(&c, base, with("h-ok", 3)).await;
    assert_eq!((r.status, r.text.as_str()), (403, LOCKED));
}

#[tokio::test]
async fn disabled_users_get_the_invalid_operation_403_everywhere() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let erin = json!({"userName": "erin@example.com", "password": "erin-pass", "code": "123456"});
    for (path, method) in [
        ("authentication", "AuthenticateMe"),
        ("authentication/123456", "AuthenticateMeFromBodyWithCode"),
        ("authentication/sendsms", "SendSmsCode"),
    ] {
        let r = post_json(&c, &format!("{base}/api/2.0/{path}"), &erin).await;
        assert_error_envelope(&r, 403, "System.InvalidOperationException");
        let e = &r.json()["error"];
        assert_eq!(e["message"], "User disabled");
        assert_eq!(e["hresult"], -2146233079i64);
        assert!(e["stack"].as_str().unwrap().contains(method), "{}", r.text);
    }
    // Wrong password: the ordinary 401.
    let r = login(&c, base, "erin@example.com", "nope").await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
}

#[tokio::test]
async fn recaptcha_type_as_a_string_is_a_binding_error() {
    let emu = start().await;
    let c = client();
    let r = attempt(
        &c,
        emu.base_url(),
        json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaType": "0"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let j = r.json();
    assert_eq!(
        (j["status"].clone(), j["statusCode"].clone()),
        (json!(1), json!(400))
    );
    assert!(
        j["response"]["errors"]["$.recaptchaType"].is_array(),
        "{}",
        r.text
    );
}
