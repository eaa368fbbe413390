//! docs/protocol.md §5 and §6: using, checking and revoking the token.

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
    advance(&emu, 121);
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
    let code = sms_codes(&emu, DAVE_PHONE).remove(0);
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
