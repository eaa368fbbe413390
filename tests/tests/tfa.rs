//! The second factor (`POST /authentication/{code}`, `sendsms`): app codes, enrolment, backup
//! codes, SMS with a resend, wrong then right code on the same pending state, attempt limits,
//! and one TCP connection for a whole 2FA login.

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{totp, Auth, Authenticated, Challenge, Code, Error};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{
    current_totp, expect_code_rejected, login_pending, unix_now, wrong_totp, Portal,
};
use serde_json::json;

#[tokio::test]
async fn app_code_logs_in() {
    let portal = Portal::start().await;
    let session = portal
        .pending(BOB)
        .await
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("code accepted");
    assert!(session.expires().is_some());
    assert_eq!(session.me().await.expect("me").email, BOB.0);
}

/// Vendor API test: a TOTP at the current and at the next 30-second step each give a new token.
#[tokio::test]
async fn current_and_next_step_codes_each_give_a_new_token() {
    let portal = Portal::start().await;
    let secret = SecretString::from(BOB_SECRET);
    let now = unix_now();
    let mut tokens = Vec::new();
    for t in [now, now + 30] {
        let code = totp::at(&secret, t).expect("totp");
        let session = portal
            .pending(BOB)
            .await
            .confirm(code)
            .await
            .expect("code accepted");
        tokens.push(session.token().expose_secret().to_owned());
    }
    assert_ne!(tokens[0], tokens[1], "each login gives a new token");
}

#[tokio::test]
async fn wrong_code_then_right_code_on_the_same_pending_state() {
    let portal = Portal::start().await;
    let first = portal.pending(BOB).await;
    let rejected = expect_code_rejected(first, wrong_totp(BOB_SECRET), "wrong code").await;
    // No secret in what an app would show or log.
    let shown = format!("{rejected} {rejected:?}");
    assert!(
        !shown.contains(BOB.1) && !shown.contains(BOB_SECRET),
        "{shown}"
    );
    let again = rejected.into_pending();
    assert!(matches!(again.challenge(), Challenge::App));
    let session = again
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("right code accepted");
    assert!(session.is_valid().await.expect("is_valid"));
}

/// §4.5: 5 wrong codes within the window block the 6th, even a correct one (401).
#[tokio::test]
async fn code_attempt_limit() {
    let portal = Portal::start().await;
    let mut state = portal.pending(BOB).await;
    for i in 0..5 {
        let rejected =
            expect_code_rejected(state, wrong_totp(BOB_SECRET), &format!("attempt {i}")).await;
        state = rejected.into_pending();
    }
    let rejected = expect_code_rejected(state, current_totp(BOB_SECRET), "limit reached").await;
    // After a quiet minute the right code works again.
    portal.advance_clock(61);
    let state = rejected.into_pending();
    state
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("accepted after the window");
}

/// Enrolment: the first accepted code enrols the user and creates backup codes; the next login
/// is a plain app challenge; a backup code works once.
#[tokio::test]
async fn enrolment_then_backup_codes() {
    let portal = Portal::start().await;
    let state = portal.pending(CAROL).await;
    let Challenge::AppEnrollment(enrollment) = state.challenge() else {
        panic!("expected enrolment");
    };
    let code = totp::now(enrollment.secret()).expect("totp from the enrolment secret");
    let session = state.confirm(code).await.expect("enrolled");
    let codes = session.backup_codes().await.expect("backup codes");
    assert_eq!(codes.len(), 5);
    assert!(codes.iter().all(|c| !c.is_used));
    for c in &codes {
        Code::parse(c.code.expose_secret()).expect("backup codes have the code format");
    }
    session.logout().await.expect("logout");

    // Enrolled now: no secret any more.
    let state = portal.pending(CAROL).await;
    assert!(
        matches!(state.challenge(), Challenge::App),
        "{:?}",
        state.challenge()
    );
    let backup = codes[0].code.expose_secret().to_owned();
    let session = state
        .confirm(Code::parse(&backup).expect("code"))
        .await
        .expect("backup code accepted");
    let after = session.backup_codes().await.expect("backup codes");
    let used: Vec<bool> = after.iter().map(|c| c.is_used).collect();
    assert_eq!(used, [true, false, false, false, false]);

    // Vendor API test: a backup code works once.
    let used_code = Code::parse(&backup).expect("code");
    expect_code_rejected(portal.pending(CAROL).await, used_code, "used backup code").await;
}

#[tokio::test]
async fn backup_code_of_fixture_user_works_once_and_is_case_sensitive() {
    let portal = Portal::start().await;
    let upper = Code::parse(&BOB_BACKUP[0].to_uppercase()).expect("code");
    let why = "backup codes are case-sensitive";
    let rejected = expect_code_rejected(portal.pending(BOB).await, upper, why).await;
    let session = rejected
        .into_pending()
        .confirm(Code::parse(BOB_BACKUP[0]).expect("code"))
        .await
        .expect("backup code accepted");
    let codes = session.backup_codes().await.expect("codes");
    assert!(codes
        .iter()
        .any(|c| c.is_used && c.code.expose_secret() == BOB_BACKUP[0]));
    let used_code = Code::parse(BOB_BACKUP[0]).expect("code");
    expect_code_rejected(portal.pending(BOB).await, used_code, "second use").await;
}

#[tokio::test]
async fn backup_codes_forbidden_without_app_2fa() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    let got = session.backup_codes().await;
    assert!(matches!(got, Err(Error::Forbidden { .. })), "{got:?}");
}

/// SMS: the code sent at login works; a resend sends a new one; the latest works.
#[tokio::test]
async fn sms_with_resend() {
    let portal = Portal::start().await;
    let state = portal.pending(DAVE).await;
    assert_eq!(portal.sms_codes(DAVE_PHONE).len(), 1);
    let sent = state.resend_sms().await.expect("resend");
    assert!(sent.phone_noise.ends_with("4567"));
    assert!(sent.expires.is_some());
    let codes = portal.sms_codes(DAVE_PHONE);
    assert_eq!(codes.len(), 2, "resend sends another SMS");
    let session = state
        .confirm(Code::parse(codes.last().expect("code")).expect("format"))
        .await
        .expect("SMS code accepted");
    assert_eq!(session.me().await.expect("me").email, DAVE.0);
}

#[tokio::test]
async fn sms_wrong_then_expired_codes_are_rejected() {
    let portal = Portal::start().await;
    let state = portal.pending(DAVE).await;
    let sent = portal.sms_codes(DAVE_PHONE);
    let wrong = if sent[0] == "100000" {
        "100001"
    } else {
        "100000"
    };
    let wrong = Code::parse(wrong).expect("format");
    let rejected = expect_code_rejected(state, wrong, "wrong SMS code").await;
    let state = rejected.into_pending();
    portal.advance_clock(601);
    let expired = Code::parse(&sent[0]).expect("format");
    let rejected = expect_code_rejected(state, expired, "expired SMS code").await;
    // A fresh code after the resend works.
    let state = rejected.into_pending();
    state.resend_sms().await.expect("resend");
    let latest = portal.sms_codes(DAVE_PHONE).pop().expect("code");
    state
        .confirm(Code::parse(&latest).expect("format"))
        .await
        .expect("fresh code accepted");
}

/// Vendor API test: a code for a user without 2FA gives 401. Also: the code is read from the
/// body (a code only in the path is rejected), and the password is checked again.
#[tokio::test]
async fn code_endpoint_raw_rows() {
    let portal = Portal::start().await;
    let (status, body) = portal
        .post(
            "/api/2.0/authentication/123456",
            json!({"userName": ALICE.0, "password": ALICE.1, "code": "123456"}),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "User authentication failed");

    let code = current_totp(BOB_SECRET);
    let path = format!("/api/2.0/authentication/{}", code.expose());
    let (status, _) = portal
        .post(&path, json!({"userName": BOB.0, "password": BOB.1}))
        .await;
    assert_eq!(status, 401, "code only in the path");
    let (status, _) = portal
        .post(
            &path,
            json!({"userName": BOB.0, "password": "wrong", "code": code.expose()}),
        )
        .await;
    assert_eq!(status, 401, "password checked again");
    let (status, body) = portal
        .post(
            &path,
            json!({"userName": BOB.0, "password": BOB.1, "code": code.expose()}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["response"]["token"].as_str().is_some());
}

/// A whole 2FA login (step 1 + code) and the calls after it use ONE TCP connection.
#[tokio::test]
async fn one_connection_for_a_whole_2fa_login() {
    let portal = Portal::start().await;
    let auth = portal.auth();
    portal.reset_counters();
    let state = login_pending(auth, BOB).await;
    let rejected = state
        .confirm(wrong_totp(BOB_SECRET))
        .await
        .expect_err("wrong code");
    let session: Auth<Authenticated> = rejected
        .into_pending()
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("code");
    session.me().await.expect("me");
    assert_eq!(portal.counters(), (1, 4), "(connections, requests)");
    session.logout().await.expect("logout");
    assert_eq!(portal.counters(), (1, 5));
}
