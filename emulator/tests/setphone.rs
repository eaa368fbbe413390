//! Phone activation during login (docs/protocol.md §16): `setphone` with the `confirm` header
//! from step 1's `PhoneActivation` `confirmUrl`, then the code endpoint.

mod common;

use common::*;

/// Step 1 for heidi; returns the query of the `PhoneActivation` confirm URL.
async fn activation_query(c: &reqwest::Client, base: &str) -> String {
    let r = login_as(c, base, HEIDI).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.response();
    assert_eq!(body["sms"], true);
    assert!(body.get("phoneNoise").is_none());
    assert!(r.set_cookies().is_empty());
    let url = body["confirmUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{base}/confirm/PhoneActivation?")),
        "{url}"
    );
    url.split_once('?').unwrap().1.to_string()
}

async fn setphone(c: &reqwest::Client, base: &str, confirm: Option<&str>, body: &str) -> Resp {
    let mut req = c
        .post(format!("{base}/api/2.0/authentication/setphone"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(h) = confirm {
        req = req.header("confirm", h);
    }
    send(req).await
}

#[tokio::test]
async fn activation_flow() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let q = activation_query(&c, base).await;
    let url = format!("{base}/api/2.0/authentication/setphone");
    let body = r#"{"mobilePhone":"+1 (555) 987-6543"}"#;
    let r = setphone(&c, base, Some(&q), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = r.json();
    let expires = j["response"]["expires"].as_str().unwrap().to_string();
    assert!(expires.ends_with('Z'), "{expires}");
    let expected =
        format!(r#"{{"expires":"{expires}","sms":true,"phoneNoise":"+1555***6543","tfa":false}}"#);
    assert_eq!(r.text, envelope(&expected, 1, &url, "POST"));
    assert!(r.set_cookies().is_empty());
    // Stored as digits, not yet activated; a code went to it.
    let code = emu.last_sms_code("15559876543").expect("an SMS");
    let me = |t: String| async move { people_self(&client(), base, &t).await.response() };
    // The key is reusable within the hour: another (unactivated) number replaces it.
    let r = setphone(&c, base, Some(&q), r#"{"mobilePhone":"+1 555 987 6543"}"#).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        emu.sms_sent_to("15559876543").len(),
        1,
        "a live code is not re-sent"
    );
    // The code endpoint issues the token and activates the phone.
    let r = code_as(&c, base, HEIDI, &code).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.response()["sms"], true);
    assert_eq!(r.response()["phoneNoise"], "+1555***6543");
    let profile = me(r.token()).await;
    assert_eq!(profile["mobilePhone"], "15559876543");
    assert_eq!(profile["mobilePhoneActivationStatus"], 1);
    // From now on step 1 is the ordinary SMS case (d) and setphone refuses changes.
    let r = login_as(&c, base, HEIDI).await;
    assert_eq!(r.response()["phoneNoise"], "+1555***6543");
    assert!(r.response()["confirmUrl"]
        .as_str()
        .unwrap()
        .contains("/confirm/PhoneAuth?type=PhoneAuth&key="));
    let r = setphone(&c, base, Some(&q), r#"{"mobilePhone":"+15550000000"}"#).await;
    assert_error_envelope(&r, 500, "System.Exception");
    assert_eq!(
        r.json()["error"]["message"],
        "To change the number, you need to delete your current phone number"
    );
    assert_eq!(r.json()["error"]["hresult"], -2146233088i64);
}

#[tokio::test]
async fn confirm_header_and_body_errors() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let q = activation_query(&c, base).await;
    let ok = r#"{"mobilePhone":"+15559876543"}"#;
    // No header, garbage, a wrong key, another e-mail ⇒ 401 empty.
    let key = q.split("key=").nth(1).unwrap().split('&').next().unwrap();
    let enc = q.split("encemail=").nth(1).unwrap();
    for confirm in [
        None,
        Some("garbage".to_string()),
        Some(q.replace(key, "1.ABC")),
        Some(format!(
            "type=PhoneActivation&key={key}&email=alice%40example.com"
        )),
        Some(format!("type=PhoneAuth&key={key}&encemail={enc}")),
    ] {
        let r = setphone(&c, base, confirm.as_deref(), ok).await;
        assert_eq!((r.status, r.text.as_str()), (401, ""), "{confirm:?}");
    }
    // Names are case-insensitive, values percent-decoded.
    let loud = format!(
        "TYPE=PhoneActivation&Key={}&EncEmail={enc}",
        key.replace('.', "%2E")
    );
    let r = setphone(&c, base, Some(&loud), "").await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["statusCode"], 400);
    // A valid key of another type (dave's PhoneAuth) ⇒ 403 empty.
    let r = login_as(&c, base, DAVE).await;
    let dave_q = r.response()["confirmUrl"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap()
        .1
        .to_string();
    let r = setphone(&c, base, Some(&dave_q), ok).await;
    assert_eq!((r.status, r.text.as_str()), (403, ""));
    // Body errors.
    let r = setphone(&c, base, Some(&q), "").await;
    assert_eq!(r.status, 400);
    let r = send(
        c.post(format!("{base}/api/2.0/authentication/setphone"))
            .header("confirm", &q)
            .header("content-type", "text/plain")
            .body(ok),
    )
    .await;
    assert_eq!(r.status, 415);
    for body in [r#"{"mobilePhone":"call me"}"#, "{}"] {
        let r = setphone(&c, base, Some(&q), body).await;
        assert_error_envelope(&r, 500, "System.Exception");
        assert_eq!(r.json()["error"]["message"], "Enter mobile phone number");
    }
    // The key lasts one hour on the emulator clock.
    advance(&emu, 3601);
    let r = setphone(&c, base, Some(&q), ok).await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
    let q2 = activation_query(&c, base).await;
    assert_eq!(setphone(&c, base, Some(&q2), ok).await.status, 200);
}
