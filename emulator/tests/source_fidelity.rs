//! Review against the protocol and the server code it was read from: attempt-limit details of
//! §3.4/§4.5/§4.7, the request DTO of §1, model-binding envelopes of §3.1 and path decoding.

mod common;

use common::*;
use serde_json::json;

async fn send_sms(c: &reqwest::Client, base: &str) {
    let r = sendsms_as(c, base, DAVE).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn last_sms(c: &reqwest::Client, base: &str) -> String {
    sms_codes(c, base, DAVE_PHONE).await.pop().unwrap()
}

/// §4.5: the counter is stored (and its one-minute expiry re-armed) only by attempts that pass
/// the limit; a refused attempt changes nothing (`TM.ValidateAuthCodeAsync` throws first).
#[tokio::test]
async fn refused_code_attempts_do_not_extend_the_block() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 3).await;
    let c = client();
    let base = emu.base_url();
    align_step(&c, base).await;
    for _ in 0..3 {
        let r = code_as(&c, base, BOB, "000000").await;
        assert_eq!(r.status, 401);
    }
    advance(&c, base, 30).await;
    let r = code_now(&c, base, BOB, BOB_SECRET).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "blocked");
    // 61 s after the last counted attempt (31 s after the refused one) the block is over.
    advance(&c, base, 31).await;
    let r = code_now(&c, base, BOB, BOB_SECRET).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §4.3/§4.5/§4.7: an empty (or blank) code fails before the attempt counter is touched.
#[tokio::test]
async fn empty_codes_are_not_counted() {
    let emu = start_with(USERS, |c| c.code_limit.attempt_count = 2).await;
    let c = client();
    let base = emu.base_url();
    let now = align_step(&c, base).await;
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
    let code = last_sms(&c, base).await;
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
    let code = last_sms(&c, base).await;
    let r = code_as(&c, base, DAVE, wrong_for(&code)).await;
    assert_eq!(r.status, 401);
    advance(&c, base, 500).await;
    let r = code_as(&c, base, DAVE, wrong_for(&code)).await;
    assert_eq!(r.status, 401);
    // 700 s after the first attempt, 200 s after the second: the counter (2) is still alive.
    advance(&c, base, 200).await;
    send_sms(&c, base).await;
    let fresh = last_sms(&c, base).await;
    let r = code_as(&c, base, DAVE, &fresh).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    // A refused attempt does not re-arm it: 10 min after the second attempt it is gone.
    advance(&c, base, 401).await;
    send_sms(&c, base).await;
    let fresh = last_sms(&c, base).await;
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
    let code = last_sms(&c, base).await;
    assert_eq!(code_as(&c, base, DAVE, wrong_for(&code)).await.status, 401);
    assert_eq!(code_as(&c, base, DAVE, &code).await.status, 200);
    // counter is 1 again: one more wrong code uses the allowance up
    send_sms(&c, base).await;
    let code = last_sms(&c, base).await;
    assert_eq!(code_as(&c, base, DAVE, wrong_for(&code)).await.status, 401);
    let r = code_as(&c, base, DAVE, &code).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
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

/// §1: the branch is chosen by `confirmData` first, then `provider`/`serializedProfile`
/// (`"email"` compared exactly); a blank `passwordHash` is trimmed away and `password` is used.
#[tokio::test]
async fn login_branch_selection_follows_the_dto() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass",
                "confirmData":{"email":"alice@example.com","key":"1.AB"}}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
    for extra in [
        json!({"provider":"Email"}),
        json!({"serializedProfile":"x"}),
    ] {
        let mut body = json!({"userName":"alice@example.com","password":"alice-pass"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post_json(&c, &url, &body).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
    }
    let r = post_json(
        &c,
        &url,
        &json!({"userName":"alice@example.com","password":"alice-pass","provider":"email","passwordHash":"  "}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// §1: since v3.7.1 `code` is only on `AuthWithCodeRequestsDto`; step 1 and `sendsms` ignore it
/// whatever its JSON type.
#[tokio::test]
async fn step1_and_sendsms_ignore_code_of_any_type() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication"),
        &json!({"userName":"alice@example.com","password":"alice-pass","code":123456}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/sendsms"),
        &json!({"userName":"dave@example.com","password":"dave-pass","code":{"x":1}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // the code endpoint does bind it: a number is a model-binding error there
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/123456"),
        &json!({"userName":"alice@example.com","password":"alice-pass","code":123456}),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

/// §3.1: the body binder picks an input formatter by content type before it reads the body, so a
/// missing/non-JSON content type is 415 even for an empty body. Only `ValidationProblemDetails`
/// switch the envelope to `status:1`; the 415 ProblemDetails keeps `status:0, statusCode:200`.
#[tokio::test]
async fn unsupported_media_type_envelope() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    let cases = [
        c.post(&url),
        c.post(&url).header("content-type", "text/plain"),
        c.post(&url)
            .header("content-type", "text/plain")
            .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
    ];
    for req in cases {
        let r = send(req).await;
        assert_eq!(r.status, 415, "{}", r.text);
        let j = r.json();
        assert_eq!(j["status"], 0);
        assert_eq!(j["statusCode"], 200);
        assert_eq!(j["count"], 1);
        assert_eq!(j["response"]["status"], 415);
        assert_eq!(j["response"]["title"], "Unsupported Media Type");
        assert!(j["response"].get("errors").is_none());
    }
    // JSON content type, empty body: the validation error (400, status 1)
    let r = send(c.post(&url).header("content-type", "application/json")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["status"], 1);
    assert_eq!(r.json()["statusCode"], 400);
}

/// Kestrel decodes the request path (all but `%2F`) before routing.
#[tokio::test]
async fn percent_encoded_paths_are_decoded_before_routing() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let r = send(
        c.get(format!("{base}/api/2.0/people/%40self"))
            .header("Authorization", &t),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.response()["email"], "alice@example.com");
    assert_eq!(
        r.json()["links"][0]["href"],
        format!("{base}/api/2.0/people/@self").as_str()
    );
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/%61uthentication"),
        &json!({"userName":"alice@example.com","password":"alice-pass"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // %2F stays encoded: not a path separator, so this is one code segment
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication%2Flogout"),
        &json!({}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (404, ""));
    // undecodable sequences do not break anything
    for p in ["%ZZ", "%", "%C3%28", "%00", "%FF%FE"] {
        let r = get(&c, &format!("{base}/api/2.0/people/{p}")).await;
        assert!(matches!(r.status, 400 | 404), "{p}: {}", r.status);
    }
}

/// §6.1 (`CookieAuthHandler`): `Cookies["asc_auth_key"] ?? Authorization` — a cookie that is
/// present but empty still wins over the header (and fails); when cookie authentication fails
/// the server deletes the cookie it was sent (`ClearCookies` only deletes a cookie present in
/// the request).
#[tokio::test]
async fn cookie_handler_empty_cookie_wins_and_a_failed_cookie_is_deleted() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let me = format!("{base}/api/2.0/people/@self");
    let check = format!("{base}/api/2.0/authentication");
    let deleted = |r: &Resp| {
        r.set_cookies()
            .iter()
            .any(|s| s.starts_with("asc_auth_key=;") && s.contains("1970"))
    };

    let r = send(
        c.get(&me)
            .header("Cookie", "asc_auth_key=")
            .header("Authorization", &t),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
    assert!(deleted(&r), "{:?}", r.set_cookies());

    let r = send(
        c.get(&check)
            .header("Cookie", "asc_auth_key=stale")
            .header("Authorization", &t),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response(), json!(false));
    assert!(deleted(&r), "{:?}", r.set_cookies());

    // no cookie, bad header: nothing to delete; good cookie: nothing deleted
    let r = send(c.get(&me).header("Authorization", "nope")).await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
    let r = send(c.get(&me).header("Cookie", format!("asc_auth_key={t}"))).await;
    assert_eq!(r.status, 200);
    assert!(r.set_cookies().is_empty(), "{:?}", r.set_cookies());
}

/// `sendsms` for an SMS user without a phone: `SmsKeyStorage.GenerateKeyAsync("")` throws
/// `ArgumentException.ThrowIfNullOrEmpty` ⇒ 400 with the exception's type (§3.2 map).
#[tokio::test]
async fn sendsms_without_phone_is_an_argument_exception() {
    let emu = start_with(
        r#"{"users":[{"email":"frank@example.com","password":"frank-pass","tfa":"sms"}]}"#,
        |_| {},
    )
    .await;
    let c = client();
    let r = sendsms_as(&c, emu.base_url(), ("frank@example.com", "frank-pass")).await;
    assert_error_envelope(&r, 400, "System.ArgumentException");
    let j = r.json();
    assert_eq!(j["error"]["hresult"], -2147024809i64);
    assert!(j["error"]["stack"].is_string());
}
