//! docs/protocol.md §4.5 and §4.7: how many second-factor codes may be tried (per user for TOTP and
//! backup codes, per phone for SMS), what counts as an attempt, and when the count is over.

mod common;

use common::*;
use serde_json::json;

/// `sendsms` for Dave, which must succeed.
async fn send_sms(c: &reqwest::Client, base: &str) {
    let r = sendsms_as(c, base, DAVE).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// The newest code sent to Dave.
fn last_sms(emu: &docspace_emulator::Emulator) -> String {
    emu.last_sms_code(DAVE_PHONE).expect("an SMS to Dave")
}

#[tokio::test]
async fn code_attempt_limit_blocks_even_the_right_code_until_a_quiet_window() {
    let emu = start_with(USERS, |c| {
        c.code_limit.attempt_count = 3;
    })
    .await;
    let c = client();
    let base = emu.base_url();
    let now = align_step(&emu);
    for _ in 0..3 {
        let r = code_as(&c, base, BOB, "000000").await;
        assert_eq!(r.status, 401);
    }
    let right = totp(BOB_SECRET, now);
    let r = code_as(&c, base, BOB, &right).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    // backup codes are blocked too
    let r = code_as(&c, base, BOB, "Qw9_zz").await;
    assert_eq!(r.status, 401);
    // one quiet window later, the right code works
    advance(&emu, 61);
    let r = code_now(&c, &emu, BOB, BOB_SECRET).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn successes_do_not_use_up_the_code_limit() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    let now = align_step(&emu);
    let code = totp(BOB_SECRET, now);
    for _ in 0..5 {
        assert_eq!(code_as(&c, base, BOB, &code).await.status, 200);
    }
}

#[tokio::test]
async fn sms_attempt_limit() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    login_as(&c, base, DAVE).await;
    let code = sms_codes(&emu, DAVE_PHONE).remove(0);
    for _ in 0..2 {
        assert_eq!(code_as(&c, base, DAVE, wrong_for(&code)).await.status, 401);
    }
    let r = code_as(&c, base, DAVE, &code).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
}

/// §4.5: the counter is stored (and its one-minute expiry re-armed) only by attempts that pass
/// the limit; a refused attempt changes nothing (`TM.ValidateAuthCodeAsync` throws first).
#[tokio::test]
async fn refused_code_attempts_do_not_extend_the_block() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 3).await;
    let c = client();
    let base = emu.base_url();
    align_step(&emu);
    for _ in 0..3 {
        let r = code_as(&c, base, BOB, "000000").await;
        assert_eq!(r.status, 401);
    }
    advance(&emu, 30);
    let r = code_now(&c, &emu, BOB, BOB_SECRET).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "blocked");
    // 61 s after the last counted attempt (31 s after the refused one) the block is over.
    advance(&emu, 31);
    let r = code_now(&c, &emu, BOB, BOB_SECRET).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §4.3/§4.5/§4.7: an empty (or blank) code fails before the attempt counter is touched.
#[tokio::test]
async fn empty_codes_are_not_counted() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    let now = align_step(&emu);
    let url = format!("{base}/api/2.0/authentication/123456");
    for body in [
        json!({"userName":"bob@example.com","password":"bob-pass"}),
        json!({"userName":"bob@example.com","password":"bob-pass","code":""}),
        json!({"userName":"bob@example.com","password":"bob-pass","code":"   "}),
        json!({"userName":"bob@example.com","password":"bob-pass","code":null}),
    ] {
        let r = post_json(&c, &url, &body).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
    }
    let r = code_as(&c, base, BOB, &totp(BOB_SECRET, now)).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // SMS: same rule (`SmsKeyStorage.ValidateKeyAsync` returns Empty before counting).
    login_as(&c, base, DAVE).await;
    let code = last_sms(&emu);
    for body in [
        json!({"userName":"dave@example.com","password":"dave-pass"}),
        json!({"userName":"dave@example.com","password":"dave-pass","code":" "}),
        json!({"userName":"dave@example.com","password":"dave-pass","code":""}),
    ] {
        let r = post_json(&c, &url, &body).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
    }
    let r = code_as(&c, base, DAVE, &code).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §4.7: the SMS check counter expires `keystore` (10 min) after the last counted attempt,
/// re-armed by each one; it is a counter, not a per-attempt sliding window.
#[tokio::test]
async fn sms_attempt_counter_is_rearmed_by_each_counted_attempt() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    send_sms(&c, base).await;
    let code = last_sms(&emu);
    let r = code_as(&c, base, DAVE, wrong_for(&code)).await;
    assert_eq!(r.status, 401);
    advance(&emu, 500);
    let r = code_as(&c, base, DAVE, wrong_for(&code)).await;
    assert_eq!(r.status, 401);
    // 700 s after the first attempt, 200 s after the second: the counter (2) is still alive.
    advance(&emu, 200);
    send_sms(&c, base).await;
    let fresh = last_sms(&emu);
    let r = code_as(&c, base, DAVE, &fresh).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    // A refused attempt does not re-arm it: 10 min after the second attempt it is gone.
    advance(&emu, 401);
    send_sms(&c, base).await;
    let fresh = last_sms(&emu);
    let r = code_as(&c, base, DAVE, &fresh).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §4.7: a success decrements the SMS counter by one (it does not clear it).
#[tokio::test]
async fn sms_success_only_gives_back_its_own_attempt() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    send_sms(&c, base).await;
    let code = last_sms(&emu);
    assert_eq!(code_as(&c, base, DAVE, wrong_for(&code)).await.status, 401);
    assert_eq!(code_as(&c, base, DAVE, &code).await.status, 200);
    // counter is 1 again: one more wrong code uses the allowance up
    send_sms(&c, base).await;
    let code = last_sms(&emu);
    assert_eq!(code_as(&c, base, DAVE, wrong_for(&code)).await.status, 401);
    let r = code_as(&c, base, DAVE, &code).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
}
