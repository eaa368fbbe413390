//! docs/protocol.md §2.1 and §3.1–§3.3: step 1 of the login, the envelopes and the error rows.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn no_2fa_login_envelope_byte_for_byte() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/json; charset=utf-8"
    );
    let token = r.token();
    let expires = r.response()["expires"].as_str().unwrap().to_string();
    let expected = format!(
        r#"{{"response":{{"token":"{token}","expires":"{expires}","sms":false,"tfa":false}},"count":1,"links":[{{"href":"{base}/api/2.0/authentication","action":"POST"}}],"status":0,"statusCode":200}}"#
    );
    assert_eq!(r.text, expected);
    // expires: UTC, up to 7 fractional digits, `Z`, about a year ahead.
    let re_ok = expires.ends_with('Z') && expires.len() >= 20 && expires.len() <= 28;
    assert!(re_ok, "{expires}");
    let year: i32 = expires[..4].parse().unwrap();
    let now_year: i32 = common_year(&emu);
    assert!(year == now_year + 1 || year == now_year + 2, "{expires}");
    // Opaque base64 token, like the server's (~190 chars).
    assert!(token.len() >= 150, "{token}");
    // Set-Cookie: asc_auth_key=<percent-encoded token>; expires=...
    let cookies = r.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let enc = percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%7E", "~");
    assert!(
        cookies[0].starts_with(&format!("asc_auth_key={enc}; expires=")),
        "{}",
        cookies[0]
    );
    assert!(cookies[0].contains("httponly"));
    assert!(!cookies[0].contains("secure"));
}

/// The year on the emulator's clock.
fn common_year(emu: &docspace_emulator::Emulator) -> i32 {
    time::OffsetDateTime::from(emu.now()).year()
}

#[tokio::test]
async fn session_true_gives_min_date_and_session_cookie() {
    let emu = start().await;
    let c = client();
    let r = post_json(
        &c,
        &format!("{}/api/2.0/authentication", emu.base_url()),
        &json!({"userName":"alice@example.com","password":"alice-pass","session":true}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response()["expires"], "0001-01-01T00:00:00");
    assert!(r.response()["token"].is_string());
    let cookie = &r.set_cookies()[0];
    assert!(cookie.starts_with("asc_auth_key="));
    assert!(!cookie.contains("expires="), "{cookie}");
}

#[tokio::test]
async fn app_enrolled_step1() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = login_as(&c, base, BOB).await;
    assert_eq!(r.status, 200);
    let url = r.response()["confirmUrl"].as_str().unwrap().to_string();
    let prefix = format!("{base}/confirm/TfaAuth?type=TfaAuth&uid=");
    assert!(url.starts_with(&prefix), "{url}");
    let uid = &url[prefix.len()..];
    assert_eq!(uid.len(), 36);
    let expected = format!(
        r#"{{"response":{{"expires":"0001-01-01T00:00:00","sms":false,"tfa":true,"confirmUrl":"{url}"}},"count":1,"links":[{{"href":"{base}/api/2.0/authentication","action":"POST"}}],"status":0,"statusCode":200}}"#
    );
    assert_eq!(r.text, expected);
    let cookies = r.set_cookies();
    assert_eq!(cookies.len(), 1);
    assert!(
        cookies[0].starts_with("asc_confirm_key_TfaAuth="),
        "{cookies:?}"
    );
    assert!(cookies[0].contains("httponly"));
    assert!(!cookies[0].contains("expires="));
    assert!(!cookies[0].contains("asc_auth_key"));

    // uid is the user's id as /people/@self reports it.
    let t = code_as(&c, base, BOB, "Qw9_zz").await.token();
    let me = people_self(&c, base, &t).await;
    assert_eq!(me.response()["id"], uid);
}

#[tokio::test]
async fn app_not_enrolled_step1_returns_the_same_tfa_key_until_enrolment() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    for _ in 0..2 {
        let r = login_as(&c, base, CAROL).await;
        assert_eq!(r.status, 200);
        let url = r.response()["confirmUrl"].as_str().unwrap().to_string();
        assert!(
            url.starts_with(&format!(
                "{base}/confirm/TfaActivation?type=TfaActivation&uid="
            )),
            "{url}"
        );
        let expected = format!(
            r#"{{"response":{{"expires":"0001-01-01T00:00:00","sms":false,"tfa":true,"tfaKey":"{CAROL_SECRET}","confirmUrl":"{url}"}},"count":1,"links":[{{"href":"{base}/api/2.0/authentication","action":"POST"}}],"status":0,"statusCode":200}}"#
        );
        assert_eq!(r.text, expected);
        assert!(r.set_cookies()[0].starts_with("asc_confirm_key_TfaActivation="));
    }
}

#[tokio::test]
async fn generated_secret_is_16_base32_chars_and_stable() {
    let emu = start_with(
        r#"{"users":[{"email":"gen@example.com","password":"p","tfa":"app"}]}"#,
        |_| {},
    )
    .await;
    let c = client();
    let a = login(&c, emu.base_url(), "gen@example.com", "p").await;
    let b = login(&c, emu.base_url(), "gen@example.com", "p").await;
    let key = a.response()["tfaKey"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 16, "{key}");
    assert!(key
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    assert_eq!(b.response()["tfaKey"], key.as_str());
}

#[tokio::test]
async fn sms_step1_sends_a_code_and_masks_the_phone() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let now = emu_now(&emu);
    let r = login_as(&c, base, DAVE).await;
    assert_eq!(r.status, 200);
    let resp = r.response();
    assert_eq!(resp["sms"], true);
    assert_eq!(resp["tfa"], false);
    assert_eq!(resp["phoneNoise"], "+1555***4567");
    assert!(resp.get("token").is_none());
    assert!(resp.get("tfaKey").is_none());
    let url = resp["confirmUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{base}/confirm/PhoneAuth?type=PhoneAuth&key=")),
        "{url}"
    );
    assert!(url.contains("&encemail="));
    // expires = now + 10 min
    let exp = resp["expires"].as_str().unwrap();
    assert!(exp.ends_with('Z'));
    let pos: Vec<usize> = [
        "\"expires\"",
        "\"sms\"",
        "\"phoneNoise\"",
        "\"tfa\"",
        "\"confirmUrl\"",
    ]
    .iter()
    .map(|k| r.text.find(k).unwrap())
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{}", r.text);
    let codes = sms_codes(&emu, DAVE_PHONE);
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].len(), 6);
    assert!(codes[0].as_bytes()[0] != b'0');
    // A second step 1 while a code is live sends nothing new.
    let r2 = login_as(&c, base, DAVE).await;
    assert_eq!(r2.status, 200);
    assert_eq!(sms_codes(&emu, DAVE_PHONE).len(), 1);
    let _ = now;
}

#[tokio::test]
async fn sms_without_phone_needs_activation() {
    let emu = start_with_frank().await;
    let c = client();
    let base = emu.base_url();
    let r = login_as(&c, base, FRANK).await;
    assert_eq!(r.status, 200);
    let url = r.response()["confirmUrl"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!(
            "{base}/confirm/PhoneActivation?type=PhoneActivation&key="
        )),
        "{url}"
    );
    let expected = format!(
        r#"{{"response":{{"expires":"0001-01-01T00:00:00","sms":true,"tfa":false,"confirmUrl":"{url}"}},"count":1,"links":[{{"href":"{base}/api/2.0/authentication","action":"POST"}}],"status":0,"statusCode":200}}"#
    );
    assert_eq!(r.text, expected);
    assert!(emu.sms_outbox().is_empty(), "no SMS sent");
}

#[tokio::test]
async fn error_rows_of_3_3() {
    let emu = start_with(USERS, |c| c.lockout.attempt_count = 1000).await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    let code_url = format!("{base}/api/2.0/authentication/123456");
    for u in [&url, &code_url] {
        // wrong password
        let r = post_json(
            &c,
            u,
            &json!({"userName":"alice@example.com","password":"nope","code":"123456"}),
        )
        .await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
        assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
        // unknown user
        let r = post_json(
            &c,
            u,
            &json!({"userName":"nobody@example.com","password":"x"}),
        )
        .await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
        // userName null / missing / empty, no password
        for body in [
            json!({"userName":null,"password":"alice-pass"}),
            json!({"password":"alice-pass"}),
            json!({"userName":"","password":"alice-pass"}),
            json!({"userName":"alice@example.com"}),
            json!({"userName":"alice@example.com","password":""}),
            json!({}),
        ] {
            let r = post_json(&c, u, &body).await;
            assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED), "{body}");
        }
        // disabled user, right password ⇒ 403 with type/stack; wrong password ⇒ 401
        let r = post_json(
            &c,
            u,
            &json!({"userName":"erin@example.com","password":"erin-pass"}),
        )
        .await;
        assert_error_envelope(&r, 403, "System.InvalidOperationException");
        let j = r.json();
        assert_eq!(j["error"]["message"], "User disabled");
        assert!(j["error"]["stack"].is_string());
        assert!(j.get("links").is_none() && j.get("count").is_none());
        let r = post_json(
            &c,
            u,
            &json!({"userName":"erin@example.com","password":"bad"}),
        )
        .await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
        // confirmData login with a key the portal cannot match ⇒ 404
        let r = post_json(
            &c,
            u,
            &json!({"confirmData":{"email":"alice@example.com","key":"123.ABC"}}),
        )
        .await;
        assert_eq!(r.status, 404);
        assert_eq!(
            r.text,
            r#"{"error":{"message":"The user could not be found","type":null,"stack":null,"hresult":0},"status":1,"statusCode":404}"#
        );
        // social provider not allowed ⇒ 401
        let r = post_json(&c, u, &json!({"provider":"google","accessToken":"x"})).await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
        // passwordHash (not supported by the emulator) wins over password ⇒ 401
        let r = post_json(
            &c,
            u,
            &json!({"userName":"alice@example.com","password":"alice-pass","passwordHash":"ab"}),
        )
        .await;
        assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    }
}

#[tokio::test]
async fn login_by_user_guid() {
    let emu = start_with(
        r#"{"users":[{"email":"gus@example.com","password":"gus-pass","tfa":"none","id":"5a1b2c3d-0000-4000-8000-00000000abcd"}]}"#,
        |_| {},
    )
    .await;
    let c = client();
    let r = login(
        &c,
        emu.base_url(),
        "5a1b2c3d-0000-4000-8000-00000000abcd",
        "gus-pass",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
