//! `PUT /settings/tfaappnewcodes` (docs/protocol.md §14).

mod common;

use common::*;

#[tokio::test]
async fn new_codes_replace_the_old_ones() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/settings/tfaappnewcodes");
    let r = send(c.put(&url)).await;
    assert_eq!((r.status, r.text.as_str()), (401, ""));
    let t = code_as(&c, base, BOB, "aB3-x_").await.token();
    let r = put_auth(&c, &url, &t).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = r.json();
    assert_eq!(j["count"], 5);
    assert_eq!(j["links"][0]["action"], "PUT");
    let codes: Vec<String> = j["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["isUsed"], false);
            c["code"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(codes.len(), 5);
    for code in &codes {
        assert_eq!(code.len(), 6);
        assert!(code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
    // GET agrees; the old codes are gone, the new ones work once.
    let r = tfaappcodes(&c, base, &t).await;
    assert_eq!(r.response(), j["response"]);
    assert_eq!(code_as(&c, base, BOB, "Qw9_zz").await.status, 401);
    assert_eq!(code_as(&c, base, BOB, &codes[0]).await.status, 200);
    assert_eq!(code_as(&c, base, BOB, &codes[0]).await.status, 401);
    let r = tfaappcodes(&c, base, &t).await;
    assert_eq!(r.response()[0]["isUsed"], true);
    // A body is ignored.
    let r = send(c.put(&url).header("Authorization", &t).body("{\"x\":1}")).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn only_enrolled_users() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let url = format!("{base}/api/2.0/settings/tfaappnewcodes");
    let t = token_of(&c, base, ALICE).await;
    let r = put_auth(&c, &url, &t).await;
    assert_error_envelope(&r, 403, "System.InvalidOperationException");
    let e = &r.json()["error"];
    assert_eq!(e["message"], "TFA application settings are not available");
    assert_eq!(e["hresult"], -2146233079i64);
    assert!(e["stack"].as_str().unwrap().contains("TfaappController"));
    let r = send(c.get(&url).header("Authorization", &t)).await;
    assert_eq!(r.status, 405);
}
