//! Login events and active sessions (docs/protocol.md §15): every token has a login event;
//! "this" session is the cookie's; deactivating an event kills its tokens.

mod common;

use common::*;
use serde_json::json;

fn conns(base: &str) -> String {
    format!("{base}/api/2.0/security/activeconnections")
}

#[tokio::test]
async fn listing_with_and_without_the_cookie() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t1 = token_of(&c, base, ALICE).await;
    let t2 = token_of(&c, base, ALICE).await;
    let _bob = code_as(&c, base, BOB, "aB3-x_").await.token();
    let r = send(c.get(conns(base)).header("Authorization", &t1).header(
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0",
    ))
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = r.json();
    assert_eq!(j["count"], 1);
    let list = &j["response"];
    assert_eq!(list["loginEvent"], 0);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "only alice's");
    let (id1, id2) = (
        items[1]["id"].as_u64().unwrap(),
        items[0]["id"].as_u64().unwrap(),
    );
    assert!(id2 > id1, "newest first");
    let first = &items[0];
    // Field order on the wire (serde_json's map sorts keys, so look at the text).
    let at = |k: &str| r.text.find(&format!("\"{k}\":")).unwrap();
    let order = [
        "items", "id", "tenantId", "userId", "mobile", "ip", "browser", "platform", "date", "page",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{}", r.text);
    assert!(at("loginEvent") < at("items"));
    assert_eq!(first["tenantId"], 1);
    assert_eq!(first["ip"], "127.0.0.1");
    assert_eq!(first["page"], "/api/2.0/authentication");
    let date = first["date"].as_str().unwrap();
    assert_eq!(date.len(), "2026-07-01T13:14:15.1234567Z".len(), "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[19] == b'.');
    // With the cookie: `loginEvent` is its id and that event comes first, described by this
    // request.
    let r = send(
        c.get(conns(base))
            .header("Cookie", format!("asc_auth_key={t1}"))
            .header(
                "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0",
            ),
    )
    .await;
    let list = r.response();
    assert_eq!(list["loginEvent"], id1);
    assert_eq!(list["items"][0]["id"], id1);
    assert_eq!(list["items"][0]["browser"], "Firefox 121.0");
    assert_eq!(list["items"][0]["platform"], "Linux");
    // `people/@self` says the same about the cookie.
    let r = with_cookie(c.get(format!("{base}/api/2.0/people/@self")), &t2).await;
    assert_eq!(r.response()["loginEventId"], id2);
    // Unauthenticated ⇒ 401 empty.
    let r = get(&c, &conns(base)).await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
}

#[tokio::test]
async fn synthetic_item_without_any_listed_event() {
    let emu = start().await;
    let c = client();
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "alice@example.com:alice-pass"
        )
    );
    let r = get_auth(&c, &conns(emu.base_url()), &basic).await;
    assert_eq!(r.status, 200);
    let list = r.response();
    assert_eq!(list["loginEvent"], 0);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], 0);
    assert_eq!(items[0]["tenantId"], 0);
    assert_eq!(items[0]["userId"], "00000000-0000-0000-0000-000000000000");
}

#[tokio::test]
async fn logging_out_one_event() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t1 = token_of(&c, base, ALICE).await;
    let t2 = token_of(&c, base, ALICE).await;
    let bob = code_as(&c, base, BOB, "aB3-x_").await.token();
    let id1 = with_cookie(c.get(conns(base)), &t1).await.response()["loginEvent"]
        .as_u64()
        .unwrap();
    let bob_id = with_cookie(c.get(conns(base)), &bob).await.response()["loginEvent"]
        .as_u64()
        .unwrap();
    let url = |id: &str| format!("{base}/api/2.0/security/activeconnections/logout/{id}");
    let r = put_auth(&c, &url(&id1.to_string()), &t2).await;
    assert_eq!(r.text, envelope("true", 1, &url(&id1.to_string()), "PUT"));
    assert_eq!(people_self(&c, base, &t1).await.status, 401);
    let r = get_auth(&c, &format!("{base}/api/2.0/authentication"), &t1).await;
    assert_eq!(r.response(), json!(false));
    assert_eq!(
        put_auth(&c, &url(&id1.to_string()), &t2).await.response(),
        json!(false)
    );
    assert_eq!(
        put_auth(&c, &url("999999"), &t2).await.response(),
        json!(false)
    );
    // Someone else's event ⇒ 403 SecurityException; a non-integer id ⇒ 404.
    let r = put_auth(&c, &url(&bob_id.to_string()), &t2).await;
    assert_error_envelope(&r, 403, "System.Security.SecurityException");
    assert_eq!(r.json()["error"]["message"], "Access denied");
    assert_eq!(r.json()["error"]["hresult"], -2146233078i64);
    assert_eq!(people_self(&c, base, &bob).await.status, 200);
    let r = put_auth(&c, &url("abc"), &t2).await;
    assert_eq!((r.status, r.text.as_str()), (404, ""));
    // A cookie logout deactivates the cookie's event.
    let t3 = token_of(&c, base, ALICE).await;
    with_cookie(c.post(format!("{base}/api/2.0/authentication/logout")), &t3).await;
    let r = get_auth(&c, &conns(base), &t2).await;
    let ids: Vec<u64> = r.response()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
}

#[tokio::test]
async fn logout_all_except_this() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/security/activeconnections/logoutallexceptthis");
    let (t1, t2, t3) = (
        token_of(&c, base, ALICE).await,
        token_of(&c, base, ALICE).await,
        token_of(&c, base, ALICE).await,
    );
    // With the cookie: the caller's session survives.
    let r = with_cookie(c.put(&url), &t1).await;
    assert_eq!(r.text, envelope(r#""Alice""#, 1, &url, "PUT"));
    assert_eq!(people_self(&c, base, &t1).await.status, 200);
    assert_eq!(people_self(&c, base, &t2).await.status, 401);
    // Header only: every session, the caller's own included.
    let r = put_auth(&c, &url, &t1).await;
    assert_eq!(r.status, 200);
    assert_eq!(people_self(&c, base, &t1).await.status, 401);
    assert_eq!(people_self(&c, base, &t3).await.status, 401);
}

#[tokio::test]
async fn logout_all_and_change_password() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t1 = token_of(&c, base, ALICE).await;
    let t2 = token_of(&c, base, ALICE).await;
    let me = people_self(&c, base, &t1).await.response();
    let id = me["id"].as_str().unwrap().to_string();
    let url = format!("{base}/api/2.0/security/activeconnections/logoutall/{id}");
    let r = put_auth(&c, &url, &t1).await;
    assert_eq!(
        r.text,
        r#"{"count":0,"links":[{"href":"URL","action":"PUT"}],"status":0,"statusCode":200}"#
            .replace("URL", &url)
    );
    let cookie = r.set_cookies()[0].clone();
    let fresh = cookie
        .strip_prefix("asc_auth_key=")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(people_self(&c, base, &t1).await.status, 401);
    assert_eq!(people_self(&c, base, &t2).await.status, 401);
    assert_eq!(people_self(&c, base, &fresh).await.status, 200);
    // Another user ⇒ 403; not a GUID ⇒ 404.
    let bob_id = people_self(&c, base, &token_of(&c, base, GRACE).await)
        .await
        .response()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = format!("{base}/api/2.0/security/activeconnections/logoutall/{bob_id}");
    assert_error_envelope(
        &put_auth(&c, &other, &fresh).await,
        403,
        "System.Security.SecurityException",
    );
    let bad = format!("{base}/api/2.0/security/activeconnections/logoutall/xyz");
    assert_eq!(put_auth(&c, &bad, &fresh).await.status, 404);
    // `logoutallchangepassword`: the same plus the link.
    let url = format!("{base}/api/2.0/security/activeconnections/logoutallchangepassword");
    let r = put_auth(&c, &url, &fresh).await;
    assert_eq!(r.status, 200);
    let link = r.response().as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!(
            "{base}/confirm/PasswordChange?type=PasswordChange&key="
        )),
        "{link}"
    );
    assert!(link.contains("&encemail=") && link.ends_with(&format!("&uid={id}")));
    assert_eq!(people_self(&c, base, &fresh).await.status, 401);
    assert_eq!(r.set_cookies().len(), 1);
}
