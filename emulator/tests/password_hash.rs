//! `passwordHash` (docs/protocol.md §11): accepted by step 1, the code endpoint and `sendsms`
//! with the precedence of §11.2, compared exactly (§11.3); LDAP users need the plaintext (§11.4).

mod common;

use common::*;
use serde_json::json;

async fn step1(c: &reqwest::Client, base: &str, body: serde_json::Value) -> Resp {
    post_json(c, &format!("{base}/api/2.0/authentication"), &body).await
}

#[tokio::test]
async fn the_hash_logs_in_exactly_and_wins_over_the_password() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let hash = fixture_hash("alice-pass");
    assert_eq!(hash, fixture_hash("  alice-pass "));
    let r = step1(&c, base, json!({"userName": ALICE.0, "passwordHash": hash})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.response()["token"].is_string());
    // Trimmed before comparing; any case other than lower ⇒ 401.
    let padded = format!("  {hash}\t");
    let r = step1(
        &c,
        base,
        json!({"userName": ALICE.0, "passwordHash": padded}),
    )
    .await;
    assert_eq!(r.status, 200);
    let upper = hash.to_uppercase();
    let r = step1(
        &c,
        base,
        json!({"userName": ALICE.0, "passwordHash": upper}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    // A non-blank hash wins: the right password does not help a wrong hash.
    let r = step1(
        &c,
        base,
        json!({"userName": ALICE.0, "password": ALICE.1, "passwordHash": fixture_hash("nope")}),
    )
    .await;
    assert_eq!(r.status, 401);
    // …and a right hash needs no password.
    let r = step1(
        &c,
        base,
        json!({"userName": ALICE.0, "password": "wrong", "passwordHash": hash}),
    )
    .await;
    assert_eq!(r.status, 200);
    // A blank hash is ignored: the password is used.
    let r = step1(
        &c,
        base,
        json!({"userName": ALICE.0, "password": ALICE.1, "passwordHash": " "}),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn the_hash_works_on_the_code_endpoint_and_sendsms() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let now = align_step(&emu);
    let code = totp(BOB_SECRET, now);
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/{code}"),
        &json!({"userName": BOB.0, "passwordHash": fixture_hash(BOB.1), "code": code}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.response()["tfa"], true);
    let r = post_json(
        &c,
        &format!("{base}/api/2.0/authentication/sendsms"),
        &json!({"userName": DAVE.0, "passwordHash": fixture_hash(DAVE.1)}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(sms_codes(&emu, DAVE_PHONE).len(), 1);
}

#[tokio::test]
async fn ldap_users_need_the_plaintext() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let r = login_as(&c, base, GRACE).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = r.token();
    let me = people_self(&c, base, &t).await;
    assert_eq!(me.response()["isLDAP"], true);
    assert_eq!(me.response()["isSSO"], false);
    // Hash only ⇒ 401; hash and plaintext ⇒ the plaintext (untrimmed) goes to LDAP.
    let r = step1(
        &c,
        base,
        json!({"userName": GRACE.0, "passwordHash": fixture_hash(GRACE.1)}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (401, AUTH_FAILED));
    let r = step1(
        &c,
        base,
        json!({"userName": GRACE.0, "password": GRACE.1, "passwordHash": "whatever"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = step1(
        &c,
        base,
        json!({"userName": GRACE.0, "password": " grace-pass ", "passwordHash": "whatever"}),
    )
    .await;
    assert_eq!(r.status, 401);
    // Plaintext only is trimmed.
    let r = step1(
        &c,
        base,
        json!({"userName": GRACE.0, "password": " grace-pass "}),
    )
    .await;
    assert_eq!(r.status, 200);
    // LDAP off: the directory is not asked, LDAP users cannot log in.
    emu.update_portal(|p| p.ldap_enabled = false).unwrap();
    assert_eq!(login_as(&c, base, GRACE).await.status, 401);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
}

#[tokio::test]
async fn new_hash_parameters_invalidate_the_old_hash() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let old = fixture_hash(ALICE.1);
    assert_eq!(
        step1(&c, base, json!({"userName": ALICE.0, "passwordHash": old}))
            .await
            .status,
        200
    );
    patch_portal(
        &c,
        base,
        &json!({"passwordHash": {"salt": "my-salt", "iterations": 1000}}),
    )
    .await;
    let r = get(&c, &format!("{base}/api/2.0/settings")).await;
    assert_eq!(
        r.response()["passwordHash"],
        json!({"size":256,"iterations":1000,"salt":"my-salt"})
    );
    assert_eq!(
        step1(&c, base, json!({"userName": ALICE.0, "passwordHash": old}))
            .await
            .status,
        401
    );
    let new = docspace_emulator::client_password_hash(ALICE.1, "my-salt", 1000, 256);
    assert_eq!(
        step1(&c, base, json!({"userName": ALICE.0, "passwordHash": new}))
            .await
            .status,
        200
    );
    // §11.5: "Password123!", "my-salt", 1000, 256.
    assert_eq!(
        docspace_emulator::client_password_hash("Password123!", "my-salt", 1000, 256),
        "4db1579b3d294a386b2115e443764d5b7a43612382bcd9d23f1f92997cc857a2"
    );
    emu.reset();
    assert_eq!(
        step1(&c, base, json!({"userName": ALICE.0, "passwordHash": old}))
            .await
            .status,
        200
    );
}
