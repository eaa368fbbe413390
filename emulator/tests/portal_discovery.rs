//! Portal discovery (docs/protocol.md §10, §17): `capabilities`, `settings`, `version/build`,
//! `ssov2`, exact envelopes and field order; the tenant-status short-circuits of §17; the
//! emulator-only `/emulator/portal`.

mod common;

use common::*;
use serde_json::json;

const NO_PORTAL: &str =
    r#"{"users":[{"email":"alice@example.com","password":"alice-pass","tfa":"none"}]}"#;

#[tokio::test]
async fn capabilities_of_the_fixture_and_of_a_default_portal() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    for path in ["capabilities", "capabilities.json", "Capabilities"] {
        let url = format!("{base}/api/2.0/{path}");
        let r = get(&c, &url).await;
        assert_eq!(r.status, 200);
        let body = format!(
            r#"{{"ldapEnabled":true,"providers":[],"ssoLabel":"Single Sign-on","oauthEnabled":true,"ssoUrl":"{base}/sso/login","identityServerEnabled":true}}"#
        );
        assert_eq!(r.text, envelope(&body, 1, &url, "GET"));
    }
    // `ssoUrl` follows the request's Host.
    let r = send(
        c.get(format!("{base}/api/2.0/capabilities"))
            .header("Host", "portal.example.com:8080"),
    )
    .await;
    assert_eq!(
        r.response()["ssoUrl"],
        "http://portal.example.com:8080/sso/login"
    );
    let r = send(c.post(format!("{base}/api/2.0/capabilities"))).await;
    assert_eq!((r.status, r.text.as_str()), (405, ""));

    let plain = start_with(NO_PORTAL, |_| {}).await;
    let url = format!("{}/api/2.0/capabilities", plain.base_url());
    let r = get(&c, &url).await;
    let body = r#"{"ldapEnabled":false,"providers":[],"ssoLabel":"","oauthEnabled":true,"ssoUrl":"","identityServerEnabled":true}"#;
    assert_eq!(r.text, envelope(body, 1, &url, "GET"));
}

#[tokio::test]
async fn settings_anonymous_and_authenticated() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/settings");
    let host = base.trim_start_matches("http://");
    let domain = host.split(':').next().unwrap();
    let anon = format!(
        r#"{{"docSpace":true,"version":"3.1.0","standalone":true,"tenantStatus":0,"tenantAlias":"localhost","baseDomain":"{domain}","culture":"en-US","passwordHash":{{"size":256,"iterations":100000,"salt":"{FIXTURE_SALT}"}},"recaptchaType":0,"recaptchaPublicKey":"test-site-key","thirdpartyEnable":false,"enabledJoin":false}}"#
    );
    let r = get(&c, &url).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, envelope(&anon, 1, &url, "GET"));
    // An invalid token counts as anonymous; a bad cookie is deleted.
    let r = with_cookie(c.get(&url), "not-a-token").await;
    assert_eq!(r.text, envelope(&anon, 1, &url, "GET"));
    assert!(r.set_cookies()[0].starts_with("asc_auth_key=;"));

    let t = token_of(&c, base, ALICE).await;
    let authed = format!(
        r#"{{"docSpace":true,"version":"3.1.0","standalone":true,"tenantStatus":0,"tenantAlias":"localhost","baseDomain":"{domain}","culture":"en-US","recaptchaType":0}}"#
    );
    let r = get_auth(&c, &url, &t).await;
    assert_eq!(r.text, envelope(&authed, 1, &url, "GET"));
    let url_pw = format!("{url}?withpassword=true");
    let r = get_auth(&c, &url_pw, &t).await;
    assert_eq!(
        r.response()["passwordHash"],
        json!({"size":256,"iterations":100000,"salt":FIXTURE_SALT})
    );
    assert!(r.response().get("recaptchaPublicKey").is_none());

    // Defaults: a 64-hex salt, 100000 iterations, 256 bits, `recaptchaPublicKey: ""`.
    let plain = start_with(NO_PORTAL, |_| {}).await;
    let r = get(&c, &format!("{}/api/2.0/settings", plain.base_url())).await;
    let s = r.response();
    let salt = s["passwordHash"]["salt"].as_str().unwrap();
    assert_eq!(salt.len(), 64);
    assert!(salt
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(s["passwordHash"]["iterations"], 100000);
    assert_eq!(s["recaptchaPublicKey"], "");
    assert_eq!(s["recaptchaType"], 0);
    // hCaptcha keys ⇒ `recaptchaType: 3`; `publicKey: null` ⇒ omitted.
    let j = patch_portal(
        &c,
        plain.base_url(),
        &json!({"recaptcha":{"type":3,"publicKey":null}}),
    )
    .await;
    assert_eq!(j["portal"]["recaptcha"]["type"], 3);
    let r = get(&c, &format!("{}/api/2.0/settings", plain.base_url())).await;
    assert_eq!(r.response()["recaptchaType"], 3);
    assert!(r.response().get("recaptchaPublicKey").is_none());
}

#[tokio::test]
async fn version_build_and_ssov2() {
    let emu = start().await;
    let c = client();
    let url = format!("{}/api/2.0/settings/version/build", emu.base_url());
    let r = get(&c, &url).await;
    assert_eq!(r.text, envelope(r#"{"docSpace":"3.1.0"}"#, 1, &url, "GET"));
    let url = format!("{}/api/2.0/settings/ssov2", emu.base_url());
    let r = get(&c, &url).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response()["hideAuthPage"], false);
    assert_eq!(r.json()["count"], 1);
}

/// The table of §17: empty bodies, no envelope.
#[tokio::test]
async fn tenant_status_short_circuits() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let cases: [(u8, u16, u16, u16); 6] = [
        // status, capabilities, settings, authentication / protected
        (1, 404, 200, 404),
        (2, 404, 404, 404),
        (3, 403, 200, 403),
        (4, 403, 200, 403),
        (6, 403, 200, 403),
        (5, 200, 200, 200),
    ];
    for (status, caps, settings, auth) in cases {
        patch_portal(&c, base, &json!({"tenantStatus": status})).await;
        let r = get(&c, &format!("{base}/api/2.0/capabilities")).await;
        assert_eq!(r.status, caps, "{status}");
        if caps != 200 {
            assert_eq!(r.text, "");
        }
        let r = get(&c, &format!("{base}/api/2.0/settings")).await;
        assert_eq!(r.status, settings, "{status}");
        if settings == 200 {
            assert_eq!(r.response()["tenantStatus"], status);
        } else {
            assert_eq!(r.text, "");
        }
        let r = login_as(&c, base, ALICE).await;
        assert_eq!(r.status, if auth == 200 { 200 } else { auth }, "{status}");
        for url in [
            format!("{base}/api/2.0/authentication"),
            format!("{base}/api/2.0/people/@self"),
            format!("{base}/api/2.0/security/activeconnections"),
            format!("{base}/api/2.0/settings/tfaappcodes"),
        ] {
            let r = get_auth(&c, &url, &t).await;
            if auth != 200 {
                assert_eq!((r.status, r.text.as_str()), (auth, ""), "{status} {url}");
            }
        }
        let r = post_json(
            &c,
            &format!("{base}/api/2.0/authentication/setphone"),
            &json!({}),
        )
        .await;
        if auth != 200 {
            assert_eq!((r.status, r.text.as_str()), (auth, ""), "{status}");
        }
    }
    // The Rust control method and a reset.
    emu.set_tenant_status(2).unwrap();
    assert_eq!(
        get(&c, &format!("{base}/api/2.0/settings")).await.status,
        404
    );
    assert!(emu.set_tenant_status(7).is_err());
    emu.reset();
    assert_eq!(emu.portal().tenant_status, 0);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
}

#[tokio::test]
async fn emulator_portal_endpoint_reads_patches_and_resets() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = get(&c, &format!("{base}/emulator/portal")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"portal": {
            "passwordHash": {"salt": FIXTURE_SALT, "iterations": 100000, "size": 256},
            "ldapEnabled": true,
            "sso": {"enabled": true, "label": "Single Sign-on", "sloUrl": "https://idp.example.com/slo"},
            "recaptcha": {"type": 0, "publicKey": "test-site-key", "validResponse": "captcha-ok"},
            "tenantStatus": 0}})
    );
    let j = patch_portal(
        &c,
        base,
        &json!({"sso": {"enabled": false}, "ldapEnabled": false}),
    )
    .await;
    assert_eq!(j["portal"]["sso"]["enabled"], false);
    assert_eq!(j["portal"]["sso"]["sloUrl"], "https://idp.example.com/slo");
    let r = get(&c, &format!("{base}/api/2.0/capabilities")).await;
    assert_eq!(r.response()["ssoUrl"], "");
    assert_eq!(r.response()["ldapEnabled"], false);
    for bad in [
        json!({"tenantStatus": 9}),
        json!({"tenantstatus": 1}),
        json!({"passwordHash": {"size": 100}}),
        json!({"sso": {"enable": true}}),
    ] {
        let r = post_json(&c, &format!("{base}/emulator/portal"), &bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    let r = post_json(&c, &format!("{base}/emulator/reset"), &json!({})).await;
    assert_eq!(r.status, 200);
    let r = get(&c, &format!("{base}/api/2.0/capabilities")).await;
    assert_eq!(r.response()["ssoUrl"], format!("{base}/sso/login").as_str());
    let r = send(c.delete(format!("{base}/emulator/portal"))).await;
    assert_eq!(r.status, 405);
}

/// The users file: `portal` fields are checked like user entries; SSO users have no password.
#[test]
fn users_file_portal_and_new_user_fields_are_validated() {
    use docspace_emulator::EmulatorConfig;
    let ok = EmulatorConfig::from_users_json(USERS).unwrap();
    assert!(ok.portal.sso.enabled);
    assert_eq!(ok.users.len(), 9);
    for bad in [
        r#"{"portal":{"colour":1},"users":[]}"#,
        r#"{"portal":{"recaptcha":{"type":4}},"users":[]}"#,
        r#"{"portal":{"passwordHash":{"iterations":0}},"users":[]}"#,
        r#"{"users":[{"email":"a@b.c","tfa":"none"}]}"#,
        r#"{"users":[{"email":"a@b.c","password":"p","tfa":"none","sso":true}]}"#,
        r#"{"users":[{"email":"a@b.c","password":"p","tfa":"none","ldap":true,"sso":true}]}"#,
    ] {
        assert!(EmulatorConfig::from_users_json(bad).is_err(), "{bad}");
    }
    // `recaptcha_response` overrides `validResponse`.
    let mut cfg = EmulatorConfig::from_users_json(USERS).unwrap();
    cfg.recaptcha_response = Some("other".into());
    assert_eq!(
        cfg.initial_portal().recaptcha.valid_response.as_deref(),
        Some("other")
    );
}
