//! Protocol §1, §2.1, §3.1–§3.3: step 1 of the login, the envelopes and the error rows.

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
    let now_year: i32 = common_year(&c, base).await;
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

async fn common_year(c: &reqwest::Client, base: &str) -> i32 {
    let now = get(c, &format!("{base}/emulator/clock")).await.json()["now"]
        .as_str()
        .unwrap()
        .to_string();
    now[..4].parse().unwrap()
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
    let now = emu_now(&c, base).await;
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
    let codes = sms_codes(&c, base, DAVE_PHONE).await;
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].len(), 6);
    assert!(codes[0].as_bytes()[0] != b'0');
    // A second step 1 while a code is live sends nothing new.
    let r2 = login_as(&c, base, DAVE).await;
    assert_eq!(r2.status, 200);
    assert_eq!(sms_codes(&c, base, DAVE_PHONE).await.len(), 1);
    let _ = now;
}

#[tokio::test]
async fn sms_without_phone_needs_activation() {
    let emu = start_with(
        r#"{"users":[{"email":"frank@example.com","password":"frank-pass","tfa":"sms"}]}"#,
        |_| {},
    )
    .await;
    let c = client();
    let base = emu.base_url();
    let r = login(&c, base, "frank@example.com", "frank-pass").await;
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
    let all = get(&c, &format!("{base}/emulator/sms")).await;
    assert_eq!(all.json()["messages"].as_array().unwrap().len(), 0);
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

#[tokio::test]
async fn input_is_case_insensitive_and_ignores_unknown_fields_and_remember() {
    let emu = start().await;
    let c = client();
    let r = post_raw(
        &c,
        &format!("{}/api/2.0/authentication", emu.base_url()),
        r#"{"USERNAME":"ALICE@example.com","PassWord":"  alice-pass  ","remember":true,"whatever":{"a":[1,2]},"culture":"en-US","Session":false}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.response()["token"].is_string());
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

#[tokio::test]
async fn model_binding_errors_are_wrapped_400() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/authentication");
    for body in [
        r#"{"userName":"alice@example.com","password":"alice-pass","session":"yes"}"#,
        r#"{"userName":"alice@example.com","password":"alice-pass","session":"true"}"#,
        r#"{"userName":42,"password":"alice-pass"}"#,
        r#"{"userName":"alice@example.com""#,
        r#"not json"#,
        r#"[1,2]"#,
    ] {
        let r = post_raw(&c, &url, body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let j = r.json();
        assert_eq!(j["status"], 1);
        assert_eq!(j["statusCode"], 400);
        assert_eq!(j["count"], 1);
        assert_eq!(j["links"][0]["href"], url.as_str());
        assert_eq!(j["response"]["status"], 400);
        assert_eq!(
            j["response"]["title"],
            "One or more validation errors occurred."
        );
        assert!(j["response"]["errors"].is_object());
        assert!(j["response"]["traceId"].is_string());
    }
    // empty body
    let r = send(c.post(&url).header("content-type", "application/json")).await;
    assert_eq!(r.status, 400);
    // not JSON content type
    let r = send(
        c.post(&url)
            .header("content-type", "text/plain")
            .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
    )
    .await;
    assert_eq!(r.status, 415);
    // a plain ProblemDetails, not a validation one: the envelope keeps status 0 / statusCode 200
    assert_eq!(r.json()["status"], 0);
    assert_eq!(r.json()["statusCode"], 200);
    assert_eq!(r.json()["response"]["status"], 415);
    // application/*+json and text/json are JSON
    for ct in [
        "text/json",
        "application/problem+json",
        "application/json; charset=utf-8",
    ] {
        let r = send(
            c.post(&url)
                .header("content-type", ct)
                .body(r#"{"userName":"alice@example.com","password":"alice-pass"}"#),
        )
        .await;
        assert_eq!(r.status, 200, "{ct}");
    }
}

#[tokio::test]
async fn bodies_are_capped() {
    let emu = start_with(USERS, |c| c.max_body_bytes = 1024).await;
    let c = client();
    let big = format!(
        r#"{{"userName":"alice@example.com","password":"alice-pass","pad":"{}"}}"#,
        "x".repeat(2000)
    );
    let r = post_raw(
        &c,
        &format!("{}/api/2.0/authentication", emu.base_url()),
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
    // and the server still answers afterwards
    let r = login_as(&c, emu.base_url(), ALICE).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn routing_is_case_insensitive_and_unknown_routes_are_404() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = post_json(
        &c,
        &format!("{base}/API/2.0/Authentication"),
        &json!({"userName":"alice@example.com","password":"alice-pass"}),
    )
    .await;
    assert_eq!(r.status, 200);
    // `/authentication/` (empty code segment) is step 1
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/"),
        &json!({"userName":"alice@example.com","password":"alice-pass"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.response()["token"].is_string());
    let r = get(&c, &format!("{base}/api/2.0/nothing/here")).await;
    assert_eq!((r.status, r.text.as_str()), (404, ""));
    let r = send(c.delete(format!("{base}/api/2.0/authentication"))).await;
    assert_eq!(r.status, 405);
    // `{code}`: any one segment, whatever the case of the route; the literal routes win
    let alice = json!({"userName":"alice@example.com","password":"alice-pass","code":"123456"});
    let r = post_json(&c, &format!("{base}/API/2.0/AUTHENTICATION/AbC"), &alice).await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    let r = send(c.get(format!("{base}/api/2.0/Authentication/123456"))).await;
    assert_eq!((r.status, r.text.as_str()), (405, ""));
    for path in [
        "authentication/12/34",
        "Authentication/SetPhone",
        "authentication/confirm",
    ] {
        let r = post_json(&c, &format!("{base}/api/2.0/{path}"), &alice).await;
        assert_eq!((r.status, r.text.as_str()), (404, ""), "{path}");
    }
}

#[tokio::test]
async fn garbage_requests_never_kill_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = start().await;
    let addr = emu.local_addr();
    for junk in [
        &b"\x00\x01\x02garbage\r\n\r\n"[..],
        b"POST /api/2.0/authentication HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{\"a\"",
        b"POST /api/2.0/authentication HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n",
        b"GET /api/2.0/people/@self HTTP/1.1\r\nHost: x\r\nAuthorization: Basic !!!\r\nCookie: asc_auth_key=%ZZ\r\n\r\n",
        b"POST /api/2.0/authentication HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ] {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(junk).await.unwrap();
        let _ = s.shutdown().await;
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    }
    let c = client();
    let r = login_as(&c, emu.base_url(), ALICE).await;
    assert_eq!(r.status, 200);
}
