//! Step 1 (`POST /authentication`): every response case of docs/protocol.md §2.1, the error rows of
//! §3.3, the lockout of §3.4, and the vendor's API-test expectations for plain logins.

use std::time::{Duration, SystemTime};

use docspace_auth::secrecy::ExposeSecret;
use docspace_auth::{Challenge, Error, LoginOutcome};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{current_totp, login_authenticated, login_pending, pw, Portal};
use serde_json::json;

#[tokio::test]
async fn plain_login_gives_a_token_with_expiry() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    assert!(!session.token().expose_secret().is_empty());
    let expires = session.expires().expect("session=false gives an expiry");
    // Default token lifetime is a year.
    let in_a_year = SystemTime::now() + Duration::from_secs(364 * 24 * 3600);
    assert!(expires > in_a_year, "{expires:?}");
    assert!(session.is_valid().await.expect("is_valid"));
    let me = session.me().await.expect("me");
    assert_eq!(me.email, ALICE.0);
    assert!(!me.id.is_empty());
    assert!(!me.display_name.is_empty());
}

#[tokio::test]
async fn session_flag_login_has_no_expiry() {
    let portal = Portal::start().await;
    let auth = portal.builder().session(true).build().expect("client");
    let session = login_authenticated(auth, ALICE).await;
    assert_eq!(session.expires(), None, "0001-01-01T00:00:00 means none");
    assert!(session.is_valid().await.expect("is_valid"));
}

/// Vendor API test: a plain login gives `token` and `expires`, with `sms` and `tfa` false.
#[tokio::test]
async fn vendor_plain_login_wire_shape() {
    let portal = Portal::start().await;
    let (status, body) = portal
        .post(
            "/api/2.0/authentication",
            json!({"userName": ALICE.0, "password": ALICE.1}),
        )
        .await;
    assert_eq!(status, 200);
    let r = &body["response"];
    assert!(r["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(r["expires"].as_str().is_some());
    assert_eq!(r["sms"], json!(false));
    assert_eq!(r["tfa"], json!(false));
}

#[tokio::test]
async fn app_user_enrolled_gets_app_challenge() {
    let portal = Portal::start().await;
    let pending = portal.pending(BOB).await;
    assert!(matches!(pending.challenge(), Challenge::App));
    assert_eq!(pending.user(), BOB.0);
}

#[tokio::test]
async fn app_user_not_enrolled_gets_enrollment() {
    let portal = Portal::start().await;
    let pending = portal.pending(CAROL).await;
    let Challenge::AppEnrollment(enrollment) = pending.challenge() else {
        panic!("expected enrolment, got {:?}", pending.challenge());
    };
    assert_eq!(enrollment.secret().expose_secret(), CAROL_SECRET);
    assert_eq!(enrollment.issuer(), "127.0.0.1");
    assert_eq!(
        enrollment.provisioning_uri().expose_secret(),
        format!(
            "otpauth://totp/127.0.0.1:carol%40example.com?secret={CAROL_SECRET}&issuer=127.0.0.1"
        )
    );
    assert!(
        enrollment.confirm_url().contains("TfaActivation"),
        "{}",
        enrollment.confirm_url()
    );
    // The secret never shows in Debug.
    assert!(!format!("{pending:?}").contains(CAROL_SECRET));
}

#[tokio::test]
async fn sms_user_gets_sms_challenge() {
    let portal = Portal::start().await;
    let pending = portal.pending(DAVE).await;
    let Challenge::Sms {
        phone_noise,
        expires,
    } = pending.challenge()
    else {
        panic!("expected SMS, got {:?}", pending.challenge());
    };
    assert!(phone_noise.starts_with("+1555"), "{phone_noise}");
    assert!(phone_noise.ends_with("4567"), "{phone_noise}");
    assert!(phone_noise.contains('*'), "{phone_noise}");
    let expires = expires.expect("SMS code expiry");
    let now = SystemTime::now();
    assert!(expires > now + Duration::from_secs(500) && expires < now + Duration::from_secs(700));
    assert_eq!(portal.sms_codes(DAVE_PHONE).len(), 1, "one SMS sent");
}

#[tokio::test]
async fn sms_user_without_phone_needs_activation() {
    // heidi (fixture): SMS 2FA, no phone.
    let portal = Portal::start().await;
    let pending = portal.pending(("heidi@example.com", "heidi-pass")).await;
    let Challenge::SmsPhoneActivation { confirm_url } = pending.challenge() else {
        panic!("expected phone activation, got {:?}", pending.challenge());
    };
    assert!(confirm_url.contains("PhoneActivation"), "{confirm_url}");
}

/// §3.3 rows for step 1, and the vendor expectations: wrong password, unknown e-mail and an
/// empty body give 401 "User authentication failed".
#[tokio::test]
async fn credential_errors() {
    let portal = Portal::start().await;
    for (user, password) in [
        (ALICE.0, "wrong-pass"),
        ("nobody@example.com", "whatever"),
        ("", "alice-pass"),
        (ALICE.0, ""),
    ] {
        let got = portal.auth().login(user, pw(password)).await;
        assert!(
            matches!(got, Err(Error::InvalidCredentials)),
            "{user:?}: {got:?}"
        );
    }
    for body in [
        json!({"userName": ALICE.0, "password": "wrong-pass"}),
        json!({"userName": "nobody@example.com", "password": "x"}),
        json!({}),
    ] {
        let (status, reply) = portal.post("/api/2.0/authentication", body).await;
        assert_eq!(status, 401);
        assert_eq!(reply["error"]["message"], "User authentication failed");
        assert_eq!(reply["status"], 1);
        assert_eq!(reply["statusCode"], 401);
    }
    let (status, _) = portal
        .raw_with_headers(
            "POST",
            "/api/2.0/authentication",
            None,
            &[("content-type", "application/json")],
        )
        .await;
    // docs/protocol.md §3.1: a body that is not JSON at all is a model-validation failure (400);
    // the vendor's "empty body" is the empty object above (401).
    assert_eq!(status, 400, "no body at all is a validation error");
}

#[tokio::test]
async fn disabled_user_is_told_apart_only_with_the_right_password() {
    let portal = Portal::start().await;
    let got = portal.auth().login(ERIN.0, pw(ERIN.1)).await;
    assert!(matches!(got, Err(Error::UserDisabled)), "{got:?}");
    let got = portal.auth().login(ERIN.0, pw("wrong")).await;
    assert!(matches!(got, Err(Error::InvalidCredentials)), "{got:?}");
}

/// §3.4: 5 failures give 401, the 6th attempt 403 and a block, even with the right password;
/// the block ends after the block time.
#[tokio::test]
async fn lockout_after_too_many_failures() {
    let portal = Portal::start().await;
    let auth = portal.auth();
    for i in 0..5 {
        let got = auth.clone().login(ALICE.0, pw("wrong")).await;
        assert!(
            matches!(got, Err(Error::InvalidCredentials)),
            "attempt {i}: {got:?}"
        );
    }
    let got = auth.clone().login(ALICE.0, pw("wrong")).await;
    assert!(matches!(got, Err(Error::LockedOut)), "{got:?}");
    let got = auth.clone().login(ALICE.0, pw(ALICE.1)).await;
    assert!(
        matches!(got, Err(Error::LockedOut)),
        "blocked even with the right password: {got:?}"
    );
    // Another user is not affected.
    let got = auth.clone().login(BOB.0, pw(BOB.1)).await;
    assert!(matches!(got, Ok(LoginOutcome::TfaRequired(_))), "{got:?}");
    // After the block time, the right password works again.
    portal.advance_clock(61);
    let got = auth.login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Ok(LoginOutcome::Authenticated(_))), "{got:?}");
}

/// The lockout also covers the code endpoint (the password step runs first).
#[tokio::test]
async fn lockout_applies_to_the_code_endpoint() {
    let portal = Portal::start_with(|c| c.lockout.attempt_count = 1).await;
    let auth = portal.auth();
    let pending = login_pending(auth.clone(), BOB).await;
    for _ in 0..2 {
        let _ = auth.clone().login(BOB.0, pw("wrong")).await;
    }
    let rejected = pending
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect_err("locked out");
    assert!(
        matches!(rejected.error(), Error::LockedOut),
        "{rejected:?}"
    );
}

/// Captcha (not sent by the client) and confirmData with a bad key (404), raw.
#[tokio::test]
async fn captcha_and_confirm_data_rows() {
    let portal = Portal::start_with(|c| c.recaptcha_response = Some("good".into())).await;
    let (status, _) = portal
        .post(
            "/api/2.0/authentication",
            json!({"userName": ALICE.0, "password": ALICE.1, "recaptchaResponse": "bad"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = portal
        .post(
            "/api/2.0/authentication",
            json!({"confirmData": {"email": ALICE.0, "key": "bogus"}}),
        )
        .await;
    assert_eq!(status, 404);
}

/// Vendor API test: an anonymous `GET /authentication` gives `false`.
#[tokio::test]
async fn anonymous_token_check_is_false() {
    let portal = Portal::start().await;
    let (status, body) = portal.raw("GET", "/api/2.0/authentication", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["response"], json!(false));
}

/// Clients built with the same options share one HTTP client: consecutive logins, each with a
/// new `Auth`, reuse one connection.
#[tokio::test]
async fn consecutive_logins_with_new_clients_reuse_one_connection() {
    let portal = Portal::start().await;
    portal.reset_counters();
    for _ in 0..3 {
        let session = portal.authenticated(ALICE).await;
        session.me().await.expect("me");
    }
    assert_eq!(portal.counters(), (1, 6), "(connections, requests)");
}
