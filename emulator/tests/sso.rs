//! SSO (docs/protocol.md §13) with the emulator standing in for the IdP: the redirect chain,
//! the token in `Set-Cookie` and `Location`, the failure `messageKey`s, logout with an SLO URL.

mod common;

use common::*;
use serde_json::json;

/// Follows the chain from `/sso/login?email=…` to `ssologin.ashx`; returns that last answer.
async fn sso_chain(c: &reqwest::Client, base: &str, email: &str) -> Resp {
    let r = get(c, &format!("{base}/sso/login?email={email}")).await;
    assert_eq!(r.status, 302, "{}", r.text);
    let idp = location(&r);
    assert!(
        idp.starts_with(&format!("{base}/emulator/idp/sso?SAMLRequest=")),
        "{idp}"
    );
    let r = get(c, &idp).await;
    assert_eq!(r.status, 302);
    let acs = location(&r);
    assert!(
        acs.starts_with(&format!("{base}/sso/acs?SAMLResponse=")),
        "{acs}"
    );
    let r = get(c, &acs).await;
    assert_eq!(r.status, 302);
    let handler = location(&r);
    assert!(
        handler.starts_with(&format!("{base}/ssologin.ashx?auth=true&data=")),
        "{handler}"
    );
    get(c, &handler).await
}

fn token_from_location(loc: &str) -> String {
    let encoded = loc
        .strip_prefix("/?token=")
        .unwrap_or_else(|| panic!("{loc}"));
    assert!(!encoded.contains(['+', '/', '=']), "{encoded}");
    assert!(!encoded.contains("%2B") && !encoded.contains("%2F") && !encoded.contains("%3D"));
    encoded.to_string()
}

#[tokio::test]
async fn sso_user_signs_in_through_the_chain() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = sso_chain(&c, base, FRANK_SSO).await;
    assert_eq!((r.status, r.text.as_str()), (302, ""));
    let encoded = token_from_location(&location(&r));
    let cookie = &r.set_cookies()[0];
    assert!(cookie.starts_with("asc_auth_key="), "{cookie}");
    assert!(
        cookie.contains("; expires=") && cookie.contains("httponly"),
        "{cookie}"
    );
    let token = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8()
        .unwrap()
        .to_string();
    // Raw and percent-encoded tokens both work (§13.4).
    for auth in [token.clone(), encoded.clone(), format!("Bearer {encoded}")] {
        let me = people_self(&c, base, &auth).await;
        assert_eq!(me.status, 200, "{auth}");
        assert_eq!(me.response()["email"], FRANK_SSO);
        assert_eq!(me.response()["isSSO"], true);
        assert_eq!(me.response()["isLDAP"], false);
    }
    let r = get_auth(&c, &format!("{base}/api/2.0/authentication"), &encoded).await;
    assert_eq!(r.response(), json!(true));
    // The login event is listed.
    let r = get_auth(
        &c,
        &format!("{base}/api/2.0/security/activeconnections"),
        &token,
    )
    .await;
    assert_eq!(r.response()["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.response()["items"][0]["page"], "/ssologin.ashx");
    // The landing page exists.
    let r = get(&c, &format!("{base}/?token={encoded}")).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    // SSO users have no password.
    let r = login(&c, base, FRANK_SSO, "").await;
    assert_eq!(r.status, 401);
    let r = login(&c, base, FRANK_SSO, "anything").await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
}

#[tokio::test]
async fn the_idp_form_and_form_posts() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = get(&c, &format!("{base}/sso/login")).await;
    let idp = location(&r);
    assert!(!idp.contains("email="));
    let r = get(&c, &idp).await;
    assert_eq!(r.status, 200);
    assert!(r
        .text
        .contains("<form method=\"post\" action=\"/emulator/idp/sso\">"));
    let saml_request = idp
        .split("SAMLRequest=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let r = send(
        c.post(format!("{base}/emulator/idp/sso"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "SAMLRequest={saml_request}&email=alice%40example.com"
            )),
    )
    .await;
    assert_eq!(r.status, 302);
    let acs = location(&r);
    // The ACS also takes a form POST (HTTP-POST binding).
    let response = acs
        .split("SAMLResponse=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let r = send(
        c.post(format!("{base}/sso/acs"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("SAMLResponse={response}")),
    )
    .await;
    assert_eq!(r.status, 302);
    // A local user found by e-mail signs in and is linked (isSSO) until a reset.
    let r = get(&c, &location(&r)).await;
    assert_eq!(r.status, 302);
    let t = token_from_location(&location(&r));
    assert_eq!(people_self(&c, base, &t).await.response()["isSSO"], true);
    // A forged SAMLRequest.
    let r = get(
        &c,
        &format!("{base}/emulator/idp/sso?SAMLRequest=abc&email=a%40b.c"),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn failures_end_on_login_error() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    // Terminated SSO user ⇒ 16 (relative, from the .NET handler).
    let r = sso_chain(&c, base, IVAN_SSO).await;
    assert_eq!(location(&r), "/login/error?messageKey=16");
    // Nobody with that e-mail ⇒ 15 (the real server would create the user).
    let r = sso_chain(&c, base, "nobody@example.com").await;
    assert_eq!(location(&r), "/login/error?messageKey=15");
    // `data` missing ⇒ 13, tampered ⇒ 14.
    let r = get(&c, &format!("{base}/ssologin.ashx?auth=true")).await;
    assert_eq!(
        (r.status, location(&r)),
        (302, "/login/error?messageKey=13".into())
    );
    let r = get(
        &c,
        &format!("{base}/ssologin.ashx?auth=true&data=eyJhIjoxfQ%3D%3D.AAAA"),
    )
    .await;
    assert_eq!(location(&r), "/login/error?messageKey=14");
    // A tampered SAMLResponse at the ACS ⇒ 18 (absolute, from Node).
    let r = get(&c, &format!("{base}/sso/acs?SAMLResponse=forged")).await;
    assert_eq!(location(&r), format!("{base}/login/error?messageKey=18"));
    let r = get(&c, &format!("{base}/login/error?messageKey=18")).await;
    assert_eq!(r.status, 200);
    // SSO disabled ⇒ 1 from `/sso/login` (absolute), 11 from the handler (relative).
    emu.update_portal(|p| p.sso.enabled = false).unwrap();
    let r = get(&c, &format!("{base}/sso/login?email={FRANK_SSO}")).await;
    assert_eq!(location(&r), format!("{base}/login/error?messageKey=1"));
    let r = get(&c, &format!("{base}/ssologin.ashx?auth=true&data=x")).await;
    assert_eq!(location(&r), "/login/error?messageKey=11");
}

#[tokio::test]
async fn logout_of_an_sso_user_returns_the_slo_url() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = sso_chain(&c, base, FRANK_SSO).await;
    let token = token_from_location(&location(&r));
    let url = format!("{base}/api/2.0/authentication/logout");
    let r = with_cookie(c.post(&url), &token).await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["count"], 1);
    let slo = j["response"].as_str().unwrap().to_string();
    assert!(slo.starts_with("/sso/slo?data="), "{slo}");
    // The cookie's event is gone.
    assert_eq!(people_self(&c, base, &token).await.status, 401);
    let r = get(&c, &format!("{base}{slo}")).await;
    assert_eq!((r.status, location(&r)), (302, format!("{base}/login")));
    assert_eq!(get(&c, &format!("{base}/login")).await.status, 200);
    // Header-only logout still names the URL (the user is known), but revokes nothing.
    let r = sso_chain(&c, base, FRANK_SSO).await;
    let token = token_from_location(&location(&r));
    let r = send(c.post(&url).header("Authorization", &token)).await;
    assert_eq!(r.json()["count"], 1);
    assert_eq!(people_self(&c, base, &token).await.status, 200);
    // No `sloUrl` ⇒ no URL; non-SSO users ⇒ no URL.
    emu.update_portal(|p| p.sso.slo_url.clear()).unwrap();
    let r = send(c.post(&url).header("Authorization", &token)).await;
    assert_eq!(
        r.text,
        envelope("", 0, &url, "POST").replace(r#""response":,"#, "")
    );
    let alice = token_of(&c, base, ALICE).await;
    emu.update_portal(|p| p.sso.slo_url = "https://idp.example.com/slo".into())
        .unwrap();
    let r = send(c.post(&url).header("Authorization", &alice)).await;
    assert_eq!(r.json()["count"], 0);
}

#[tokio::test]
async fn another_users_cookie_in_the_web_view_ends_that_users_sessions() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let alice = token_of(&c, base, ALICE).await;
    let alice2 = token_of(&c, base, ALICE).await;
    let r = get(&c, &format!("{base}/sso/login?email={FRANK_SSO}")).await;
    let r = get(&c, &location(&r)).await;
    let r = get(&c, &location(&r)).await;
    let r = with_cookie(c.get(location(&r)), &alice).await;
    assert_eq!(r.status, 302);
    assert!(location(&r).starts_with("/?token="));
    assert_eq!(people_self(&c, base, &alice).await.status, 401);
    assert_eq!(people_self(&c, base, &alice2).await.status, 401);
}
