//! The FFI objects driven from Rust against the in-process emulator: the semantics that every
//! language binding relies on (used-up states, cancellation, serialized confirms, errors).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use docspace_auth_ffi::{
    totp_at, totp_now, AuthError, Challenge, ClientOptions, DocspaceClient, LoginResult,
    PendingLogin, Session,
};
use docspace_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");
const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";

async fn emulator() -> Emulator {
    let config = EmulatorConfig::from_users_file(USERS).expect("users file");
    Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts")
}

/// Holds the next request whose path starts with `path` for `ms` milliseconds.
fn delay_next(emu: &Emulator, ms: u64, path: &str) {
    let fault = Fault::new(FaultKind::Delay(Duration::from_millis(ms))).on_path(path);
    emu.install_fault(fault).expect("fault installed");
}

/// The emulator's `/api` request count since start or the last reset.
async fn api_requests(emu: &Emulator) -> u64 {
    emu.counters().requests
}

fn client(emu: &Emulator) -> Arc<DocspaceClient> {
    DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client")
}

/// Logs in a fixture user who has a second factor: the pending login.
async fn pending_of(emu: &Emulator, user: &str, password: &str) -> Arc<PendingLogin> {
    match client(emu)
        .login(user.into(), password.into())
        .await
        .expect("login")
    {
        LoginResult::TfaRequired { pending } => pending,
        LoginResult::Authenticated { .. } => panic!("{user} has 2FA"),
    }
}

async fn bob_pending(emu: &Emulator) -> Arc<PendingLogin> {
    let pending = pending_of(emu, "bob@example.com", "bob-pass").await;
    assert!(matches!(pending.challenge(), Challenge::App));
    pending
}

/// Starts a confirm, waits until its request reached the emulator (held there by a delay
/// fault), then cancels it (drops the future) and checks it had not finished.
async fn cancel_once_in_flight(emu: &Emulator, pending: &Arc<PendingLogin>, code: String) {
    let before = api_requests(emu).await;
    let task = tokio::spawn({
        let pending = Arc::clone(pending);
        async move { pending.confirm(code).await }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while api_requests(emu).await == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        !task.is_finished(),
        "the delay fault should hold the request"
    );
    task.abort();
    assert!(task.await.expect_err("aborted").is_cancelled());
}

fn wrong_code() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let near: Vec<String> = (0..25u64)
        .map(|step| totp_at(BOB_SECRET.into(), now - 12 * 30 + step * 30).expect("totp"))
        .collect();
    (0..1000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .expect("a wrong code")
}

#[tokio::test]
async fn wrong_code_then_right_code_then_used_up() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    let err = pending.confirm(wrong_code()).await.expect_err("wrong code");
    assert!(matches!(err, AuthError::CodeRejected { .. }), "{err:?}");
    let session = pending
        .confirm(totp_now(BOB_SECRET.into()).expect("totp"))
        .await
        .expect("right code");
    assert_eq!(session.me().await.expect("me").email, "bob@example.com");
    let again = pending
        .confirm(totp_now(BOB_SECRET.into()).expect("totp"))
        .await;
    assert!(matches!(again, Err(AuthError::AlreadyUsed { .. })));
    assert!(matches!(
        pending.resend_sms().await,
        Err(AuthError::AlreadyUsed { .. })
    ));
}

#[tokio::test]
async fn malformed_code_sends_nothing() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    emu.reset_counters();
    for bad in ["12345", "1234567", "12345!", ""] {
        let err = pending.confirm(bad.into()).await.expect_err("malformed");
        assert!(
            matches!(err, AuthError::InvalidCodeFormat { .. }),
            "{err:?}"
        );
    }
    assert_eq!(api_requests(&emu).await, 0);
}

#[tokio::test]
async fn cancelled_confirm_leaves_the_pending_login_usable() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    emu.reset_counters();
    delay_next(&emu, 1000, "/api/2.0/authentication");
    // Wrong code, cancelled while the emulator holds the request.
    cancel_once_in_flight(&emu, &pending, wrong_code()).await;
    assert_eq!(api_requests(&emu).await, 1);
    // The next confirm waits for the cancelled one, then goes out with its own code.
    let session = pending
        .confirm(totp_now(BOB_SECRET.into()).expect("totp"))
        .await
        .expect("usable");
    assert!(session.is_valid().await.expect("is_valid"));
    assert_eq!(api_requests(&emu).await, 3);
}

#[tokio::test]
async fn cancelled_confirm_that_succeeded_hands_out_its_session() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    delay_next(&emu, 500, "/api/2.0/authentication");
    emu.reset_counters();
    cancel_once_in_flight(&emu, &pending, totp_now(BOB_SECRET.into()).expect("totp")).await;
    emu.reset_counters();
    // The code was right: the session the server issued is not lost, and no new code is sent.
    let session = pending
        .confirm("000000".into())
        .await
        .expect("the kept session");
    assert_eq!(api_requests(&emu).await, 0);
    assert!(session.is_valid().await.expect("is_valid"));
    assert!(matches!(
        pending.confirm("000000".into()).await,
        Err(AuthError::AlreadyUsed { .. })
    ));
}

/// The confirm's request succeeds and its answer is on the way to the caller, which is then
/// cancelled before it reads it: the session must not be lost (nor the pending login used up).
#[tokio::test]
async fn confirm_cancelled_after_its_answer_arrived_keeps_the_session() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    emu.reset_counters();
    let mut confirm = Box::pin(pending.confirm(totp_now(BOB_SECRET.into()).expect("totp")));
    // Poll it once: it sends the code in the background and waits for the answer.
    std::future::poll_fn(|cx| {
        assert!(std::future::Future::poll(confirm.as_mut(), cx).is_pending());
        std::task::Poll::Ready(())
    })
    .await;
    // Let the request complete without polling the caller again, then cancel it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while api_requests(&emu).await == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no request");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(confirm);
    emu.reset_counters();
    let session = pending
        .confirm("000000".into())
        .await
        .expect("the session of the cancelled confirm");
    assert_eq!(api_requests(&emu).await, 0, "no second code sent");
    assert!(session.is_valid().await.expect("is_valid"));
}

#[tokio::test]
async fn concurrent_confirms_send_one_request() {
    let emu = emulator().await;
    let pending = bob_pending(&emu).await;
    emu.reset_counters();
    let code = totp_now(BOB_SECRET.into()).expect("totp");
    let (a, b) = tokio::join!(pending.confirm(code.clone()), pending.confirm(code));
    assert!(a.is_ok() != b.is_ok(), "exactly one succeeds");
    let err = a.err().or(b.err()).expect("one error");
    assert!(matches!(err, AuthError::AlreadyUsed { .. }), "{err:?}");
    assert_eq!(api_requests(&emu).await, 1);
}

#[tokio::test]
async fn logout_uses_the_session_up_and_revokes_the_token() {
    let emu = emulator().await;
    let session = alice_session(&emu).await;
    let token = session.token().expect("token");
    session.logout().await.expect("logout");
    assert_used_up(&session).await;
    assert!(matches!(
        session.logout().await,
        Err(AuthError::AlreadyUsed { .. })
    ));
    let resumed =
        Session::resume(emu.base_url().into(), token, ClientOptions::default()).expect("resume");
    assert!(!resumed.is_valid().await.expect("is_valid"));
}

#[tokio::test]
async fn errors_are_typed_readable_and_secret_free() {
    let emu = emulator().await;
    let err = client(&emu)
        .login("alice@example.com".into(), "s3cret-typo".into())
        .await
        .err()
        .expect("wrong password");
    assert!(matches!(err, AuthError::InvalidCredentials { .. }));
    assert!(
        !err.to_string().contains("s3cret-typo") && !format!("{err:?}").contains("s3cret-typo")
    );

    let insecure =
        DocspaceClient::new("http://portal.example.com".into(), ClientOptions::default())
            .expect_err("insecure");
    assert!(matches!(insecure, AuthError::InsecureUrl { .. }));
    assert!(insecure.to_string().contains("https://"));

    let bad_secret = totp_now("not base32!".into()).expect_err("bad secret");
    assert!(matches!(bad_secret, AuthError::InvalidSecret { .. }));

    for err in [err, insecure, bad_secret] {
        let text = err.to_string();
        assert!(
            text.len() > 5 && text.chars().next().is_some_and(char::is_alphabetic),
            "{text}"
        );
    }
}

async fn alice_session(emu: &Emulator) -> Arc<Session> {
    match client(emu)
        .login("alice@example.com".into(), "alice-pass".into())
        .await
        .expect("login")
    {
        LoginResult::Authenticated { session } => session,
        LoginResult::TfaRequired { .. } => panic!("alice has no 2FA"),
    }
}

/// Waits until the emulator has received more than `count` /api requests.
async fn wait_for_requests_above(emu: &Emulator, count: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while api_requests(emu).await <= count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request never arrived"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A logout waiting behind an in-flight call has not done anything yet: the sync accessors
/// keep working, and cancelling that logout leaves the session fully usable.
#[tokio::test]
async fn a_logout_waiting_behind_a_call_uses_nothing_up_until_it_runs() {
    let emu = emulator().await;
    let session = alice_session(&emu).await;
    let token = session.token().expect("token");
    let expires = session.expires();
    delay_next(&emu, 400, "/api/2.0/people");
    emu.reset_counters();
    let me = tokio::spawn({
        let session = Arc::clone(&session);
        async move { session.me().await }
    });
    wait_for_requests_above(&emu, 0).await;
    assert!(!me.is_finished(), "the delay fault should hold me()");
    // Poll a logout once: it waits for me() to finish.
    let mut logout = Box::pin(session.logout());
    std::future::poll_fn(|cx| {
        assert!(std::future::Future::poll(logout.as_mut(), cx).is_pending());
        std::task::Poll::Ready(())
    })
    .await;
    assert_eq!(session.token().expect("token while logout waits"), token);
    assert_eq!(session.expires(), expires);
    // Cancel the waiting logout: nothing was sent, the session is still usable.
    drop(logout);
    assert_eq!(session.token().expect("token after cancel"), token);
    let user = me.await.expect("joined").expect("me");
    assert_eq!(user.email, "alice@example.com");
    assert_eq!(api_requests(&emu).await, 1, "no logout request went out");
    assert!(session.is_valid().await.expect("is_valid"));
    assert_eq!(session.token().expect("token"), token);
    session.logout().await.expect("logout");
    assert!(matches!(
        session.token(),
        Err(AuthError::AlreadyUsed { .. })
    ));
}

/// A logout whose request went out uses the session up at once; cancelling its caller does
/// not stop the request: the token is still revoked on the server.
#[tokio::test]
async fn a_logout_cancelled_after_its_request_went_out_still_revokes_the_token() {
    let emu = emulator().await;
    let session = alice_session(&emu).await;
    let token = session.token().expect("token");
    delay_next(&emu, 300, "/api/2.0/authentication/logout");
    emu.reset_counters();
    let logout = tokio::spawn({
        let session = Arc::clone(&session);
        async move { session.logout().await }
    });
    wait_for_requests_above(&emu, 0).await;
    assert!(!logout.is_finished(), "the delay fault should hold logout");
    logout.abort();
    assert!(logout.await.expect_err("aborted").is_cancelled());
    assert_used_up(&session).await;
    let resumed =
        Session::resume(emu.base_url().into(), token, ClientOptions::default()).expect("resume");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while resumed.is_valid().await.expect("is_valid") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the token was never revoked"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The newest SMS code the emulator sent.
async fn last_sms_code(emu: &Emulator) -> String {
    emu.sms_outbox().pop().expect("an SMS").code
}

/// The server accepted a cancelled confirm's code: the session is parked for the next
/// `confirm`. `resend_sms` then sends nothing and says so; `challenge` still answers.
#[tokio::test]
async fn resend_sms_on_a_parked_session_points_to_confirm() {
    let emu = emulator().await;
    let pending = pending_of(&emu, "dave@example.com", "dave-pass").await;
    assert!(matches!(pending.challenge(), Challenge::Sms { .. }));
    let code = last_sms_code(&emu).await;
    delay_next(&emu, 300, "/api/2.0/authentication");
    cancel_once_in_flight(&emu, &pending, code).await;
    emu.reset_counters();
    // Waits for the cancelled confirm's request to finish, then finds its session parked.
    let err = pending.resend_sms().await.expect_err("parked session");
    let AuthError::AlreadyUsed { detail: message } = &err else {
        panic!("expected AlreadyUsed, got {err:?}");
    };
    assert!(
        message.contains("confirm returns") && !message.contains("log in again"),
        "{message}"
    );
    assert_eq!(api_requests(&emu).await, 0, "no SMS requested");
    assert!(matches!(pending.challenge(), Challenge::Sms { .. }));
    assert_eq!(pending.user(), "dave@example.com");
    let session = pending
        .confirm("000000".into())
        .await
        .expect("the parked session");
    assert_eq!(api_requests(&emu).await, 0, "no code sent");
    assert!(session.is_valid().await.expect("is_valid"));
    let used = pending.resend_sms().await.expect_err("used up");
    let AuthError::AlreadyUsed { detail: message } = &used else {
        panic!("expected AlreadyUsed, got {used:?}");
    };
    assert!(message.contains("log in again"), "{message}");
    assert!(matches!(pending.challenge(), Challenge::Sms { .. }));
}

/// A logged-out session answers `AlreadyUsed` to its accessors and calls.
async fn assert_used_up(session: &Session) {
    assert!(matches!(
        session.token(),
        Err(AuthError::AlreadyUsed { .. })
    ));
    assert!(matches!(
        session.me().await,
        Err(AuthError::AlreadyUsed { .. })
    ));
}
