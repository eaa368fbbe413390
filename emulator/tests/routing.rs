//! Routing (docs/protocol.md §4.3, §5, §8.1): case-insensitive routes on the percent-decoded path, the
//! `{code}` segment, 404/405; and requests that are not HTTP never bring the server down.

mod common;

use common::*;
use serde_json::json;

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
    for path in ["authentication/12/34", "authentication/confirm"] {
        let r = post_json(&c, &format!("{base}/api/2.0/{path}"), &alice).await;
        assert_eq!((r.status, r.text.as_str()), (404, ""), "{path}");
    }
    // `setphone` is a literal route too: without a `confirm` header, the challenge (401, empty).
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/Authentication/SetPhone"),
        &alice,
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
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
